import ExupCore
import ExupTesting
import Foundation
import Testing

/// A manager that edits its own catalog (and so signs TUF metadata for it with every online key) cannot
/// make an agent run what the vendor did not sign for that server: another model's program, a rollback past
/// `downgrade="false"`, or a different reboot flag or time limit. The vendor's `ExUpInfo.xml` binds.
@Suite(.serialized) final class SignedPackageTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }

    init() throws { fleet = try TestFleet() }

    /// The hostile manager: with the manager stopped, rewrites one package's catalog entry (its info as
    /// JSON) and its model rows, restarts, and publishes new TUF metadata for the server's model by adding
    /// an unrelated package for it.
    func tamperCatalog(_ packageID: String, edit: String) throws {
        manager.stop()
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            info = json.loads(db.execute("select info from package where id = ?", (sys.argv[2],)).fetchone()[0])
            \(edit)
            db.execute("update package set info = ? where id = ?", (json.dumps(info), sys.argv[2]))
            db.execute("delete from package_target where package_id = ?", (sys.argv[2],))
            for t in info["targets"]:
                db.execute("insert into package_target (package_id, model, os) values (?, ?, ?)", (sys.argv[2], t["model"], t["os"]))
            db.commit()
            """
        let edited = try Subprocess.run(["python3", "-c", script, manager.data.file("catalog.sqlite"), packageID])
        try #require(edited.status == 0, "\(edited.stderr)")
        try manager.start()
        try manager.add(
            try fleet.packages.build(
                id: "tools-\(packageID)", module: "package:exup-unrelated", version: "1.0",
                releaseDate: "2026-05-01", program: "exit 0"))
    }

    func itemState(_ server: String, _ id: Int64) throws -> (String, String) {
        let item = try manager.item(server, id)
        return (item["state"] as? String ?? "", item["message"] as? String ?? "")
    }

    @Test("another model's flasher, retargeted in the catalog: refused with both models named, the BMC untouched")
    func otherModelRefused() throws {
        try manager.add(
            try fleet.packages.build(
                id: "bmc-t110-9.99", module: "bmc-firmware", version: "9.99", releaseDate: "2026-04-01",
                targets: [("Express5800/T110k-S", "linux")],
                program: "printf '9.99 01020304\\n' > \"$SERVER/bmc-firmware\""))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        #expect(try manager.module("web01", "bmc-firmware")["available"] == nil, "the honest catalog offers it to T110k-S only")

        try tamperCatalog("bmc-t110-9.99", edit: #"info["targets"] = [{"model": "Express5800/R120h-1M", "os": "linux"}]"#)
        try web01.runOnce()
        #expect(try manager.module("web01", "bmc-firmware")["available"] as? String == "9.99", "the tampered metadata offers it")
        let items = try manager.approve("web01", ["bmc-firmware"])
        try web01.runOnce(expectSuccess: false)
        let (state, message) = try itemState("web01", items["bmc-firmware"]!)
        #expect(state == "failed")
        #expect(message == "package targets Express5800/T110k-S, this server is Express5800/R120h-1M: refused")
        #expect(!web01.runOrder.contains("bmc-t110-9.99"), "the program never ran")
        #expect(try manager.module("web01", "bmc-firmware")["current"] as? String == "2.15", "the BMC was not touched")
    }

    @Test("a rollback past downgrade=\"false\", allowed only in the catalog: refused, the installed version stays")
    func rollbackRefused() throws {
        try manager.add(
            try fleet.packages.build(
                id: "bmc-2.10", module: "bmc-firmware", version: "2.10", releaseDate: "2025-01-01",
                program: "printf '2.10 01020304\\n' > \"$SERVER/bmc-firmware\""))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        try tamperCatalog("bmc-2.10", edit: #"info["downgrade"] = True"#)
        try web01.runOnce()
        let response = try manager.admin.send(
            "POST", manager.url + "/api/v1/servers/web01/approve",
            body: Array(
                try JSONSerialization.data(
                    withJSONObject: ["latestOnly": false, "modules": [["id": "bmc-firmware", "version": "2.10"]]])))
        try #require(response.status == 201, "the tampered catalog lets the manager approve it: \(String(decoding: response.body, as: UTF8.self))")
        let item = ((try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])?.first?["id"] as? NSNumber)!.int64Value
        try web01.runOnce(expectSuccess: false)
        let (state, message) = try itemState("web01", item)
        #expect(state == "failed")
        #expect(message == "bmc-2.10 (2.10) is not newer than the installed 2.15 and is not signed to allow a downgrade: refused")
        #expect(!web01.runOrder.contains("bmc-2.10"))
        #expect(try manager.module("web01", "bmc-firmware")["current"] as? String == "2.15")
    }

    @Test("the reboot flag and the time limit come from the signed info, not from the catalog")
    func rebootAndTimeoutFromSignedInfo() throws {
        try manager.add(
            try fleet.packages.build(
                id: "bios-4.3.0", module: "system-bios", version: "R120h BIOS 4.3.0", releaseDate: "2025-06-01",
                rebootRequired: true, timeoutSeconds: 600,
                program: "sleep 2\nprintf 'R120h BIOS 4.3.0\\n' > \"$SERVER/system-firmware\""))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        try tamperCatalog("bios-4.3.0", edit: #"info["rebootRequired"] = False; info["apply"]["timeoutSeconds"] = 1"#)
        try web01.runOnce()
        let items = try manager.approve("web01", ["system-bios"])
        try web01.runOnce()
        let (state, message) = try itemState("web01", items["system-bios"]!)
        #expect(state == "reboot-required", "signed rebootRequired=true and a 600 s limit, whatever the catalog says: \(message)")
        let journal = web01.journal()[items["system-bios"]!]
        #expect((journal?["timeoutSeconds"] as? NSNumber)?.intValue == 600)
        #expect(journal?["rebootRequired"] as? Bool == true)
    }

    @Test("a vendor key removed from the agent's trust: a package already in its cache is refused at the next verification")
    func revokedKeyRefusesCachedPackage() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor, ownTrustDirectory: true)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware"])
        // Downloaded and cached, then the agent stops (a power cut) as it starts verifying.
        #expect(try web01.runOnce(fault: "verifying") != 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: web01.dir.file("cache")).contains { $0.hasSuffix(".zip") }, "the package is cached")
        for name in try FileManager.default.contentsOfDirectory(atPath: web01.trustDirectory) {
            try FileManager.default.removeItem(atPath: web01.trustDirectory + "/" + name)
        }
        try web01.runOnce(expectSuccess: false)
        let (state, message) = try itemState("web01", items["bmc-firmware"]!)
        #expect(state == "failed" && message.contains("no trusted key"), "\(state): \(message)")
        #expect(web01.runOrder.isEmpty, "nothing ran")
    }
}
