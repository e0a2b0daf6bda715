import ExupCore
import ExupCrypto
import ExupTesting
import Foundation
import Testing
import Transport

/// `exup-agent run --once` against a live manager, reading a simulated BMC through FreeIPMI: enrolment
/// with root pinning, the report only when the inventory changed, directives pulled after an approval.
@Suite(.serialized) final class AgentPollTests {
    let agent = BuiltProducts.path("exup-agent")
    let manager: ManagerProcess
    let bmc: SimulatedBMC
    let dir: TemporaryDirectory

    init() throws {
        manager = try ManagerProcess()
        bmc = try SimulatedBMC()
        dir = try TemporaryDirectory()
        try dir.write("root/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
        try dir.write("boot_id", "boot-1\n")
    }

    deinit {
        manager.stop()
        bmc.stop()
    }

    var admin: HTTPClient { manager.admin }

    func token() throws -> String {
        let response = try admin.send("POST", manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8))
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any])["token"] as! String
    }

    /// 0: every poll reads the inventory (these tests flash the BMC between polls).
    func config(token: String, inventoryInterval: Int = 0) throws -> String {
        try dir.write(
            "agent.toml",
            """
            \(bmc.agentIPMITable(sdrCacheDirectory: dir.file("sdr")))

            [inventory]
            root = "\(dir.file("root"))"
            package-system = "none"

            [manager]
            url = "\(manager.url)"
            enrolment-token = "\(token)"

            [agent]
            name = "web01"
            state-dir = "\(dir.file("state"))"
            inventory-interval-seconds = \(inventoryInterval)
            boot-id-file = "\(dir.file("boot_id"))"
            """)
    }

    func runOnce(_ config: String) throws -> [String: Any] {
        let result = try Subprocess.run([agent, "run", "--once", "--json", "--config", config])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    func server() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/servers/web01", maxBytes: 1 << 20).body)) as! [String: Any]
    }

    @Test("enrol, pin root.json, report the BMC's inventory, stay quiet when nothing changed, pull an approval")
    func pollCycle() throws {
        let config = try config(token: try token())
        var outcome = try runOnce(config)
        #expect(outcome["enrolled"] as? Bool == true && outcome["enrolledNow"] as? Bool == true && outcome["reported"] as? Int == 1)
        let pinned = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("state/metadata/root.json"))))
        let served = try admin.get(manager.url + "/api/v1/repository/root", maxBytes: 1 << 20).body
        #expect(pinned == served, "the pinned root is the repository's")
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("state/credential"))[.posixPermissions] as! Int
        #expect(mode == 0o600)

        var detail = try server()
        #expect(detail["model"] as? String == "Express5800/R120h-1M")
        let bmcModule = (detail["modules"] as! [[String: Any]]).first { $0["id"] as? String == "bmc-firmware" }
        #expect(bmcModule?["current"] as? String == "2.15" && bmcModule?["source"] as? String != nil)

        outcome = try runOnce(config)
        #expect(
            outcome["enrolled"] as? Bool == true && outcome["enrolledNow"] as? Bool == false && outcome["reported"] == nil,
            "an enrolled agent says so; an unchanged inventory sends nothing")
        #expect(outcome["directivesChanged"] as? Bool == false, "and the poll was a 304")

        try bmc.flash(bmcFirmware: "2.16")
        outcome = try runOnce(config)
        #expect(outcome["reported"] as? Int == 2, "a flashed BMC is reported")
        detail = try server()
        #expect((detail["modules"] as! [[String: Any]]).first { $0["id"] as? String == "bmc-firmware" }?["current"] as? String == "2.16")

        #expect(try admin.send("POST", manager.url + "/api/v1/servers/web01/logs/request", body: []).status == 202)
        outcome = try runOnce(config)
        #expect(outcome["directivesChanged"] as? Bool == true)
        #expect((outcome["directives"] as? [String: Any])?["uploadLogBundle"] as? Bool == true, "the directives carry the request")

        // A package for this model: the agent learns of it only through the repository's TUF metadata.
        let vendor = try TestVendor(in: dir)
        try manager.trust(vendor)
        var info = InfoXML()
        info.id = "bmc-2.31"
        info.version = "2.31"
        let package = try HandPackage(info: info.bytes).write(to: dir, name: "bmc.zip", signedWith: vendor.key)
        #expect(try admin.post(manager.url + "/api/v1/repository/packages?mode=needed&name=bmc.zip", file: package).status == 201)
        outcome = try runOnce(config)
        #expect(outcome["offered"] as? [String] == ["bmc-2.31"] && outcome["metadataRefusal"] == nil)
        #expect(FileManager.default.fileExists(atPath: dir.file("state/metadata/timestamp.json")))

        let status = try Subprocess.run([agent, "status", "--config", config])
        #expect(
            status.status == 0 && status.stdout.contains("web01: Update available") && status.stdout.contains("last report #2"),
            "\(status.stdout)")
        let json = try Subprocess.run([agent, "status", "--json", "--config", config])
        let local = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(local["status"] as? String == "update-available")
        let bmcRow = (local["modules"] as! [[String: Any]]).first { $0["id"] as? String == "bmc-firmware" }
        #expect(
            bmcRow?["current"] as? String == "2.16" && bmcRow?["available"] as? String == "2.31" && bmcRow?["status"] as? String == "update-available"
        )
        #expect(Set((local["modules"] as! [[String: Any]]).compactMap { $0["id"] as? String }).isSuperset(of: ["system-bios", "sdr", "exup-agent"]))
    }

    @Test("idle polls reuse the inventory until its interval; exup-agent check reads it at once; an idle poll writes nothing")
    func inventoryInterval() throws {
        let config = try config(token: try token(), inventoryInterval: 3600)
        _ = try runOnce(config)
        func stamp(_ path: String) -> Date? { try? FileManager.default.attributesOfItem(atPath: dir.file(path))[.modificationDate] as? Date }
        let before = ["state/state.json", "state/metadata/timestamp.json"].map(stamp)
        try bmc.flash(bmcFirmware: "2.18")
        sleep(1)
        let idle = try runOnce(config)
        #expect(idle["reported"] == nil, "the flash is not read yet: no IPMI session on an idle poll")
        let after = ["state/state.json", "state/metadata/timestamp.json"].map(stamp)
        #expect(after == before, "nothing written")
        let checked = try Subprocess.run([agent, "check", "--json", "--config", config])
        let checkedOutcome = try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any]
        #expect(checked.status == 0 && checkedOutcome?["reported"] as? Int == 2, "\(checked.stdout)")
        #expect((try server()["modules"] as! [[String: Any]]).first { $0["id"] as? String == "bmc-firmware" }?["current"] as? String == "2.18")
    }

    @Test("metadata signed by keys the pinned root does not trust is refused, reported, and the last trusted offer kept")
    func foreignMetadata() throws {
        let config = try config(token: try token())
        _ = try runOnce(config)
        // Another repository's root, as if the manager's metadata were now signed by someone else.
        let other = try ManagerProcess()
        defer { other.stop() }
        let foreignRoot = try other.admin.get(other.url + "/api/v1/repository/root", maxBytes: 1 << 20).body
        try Data(foreignRoot).write(to: URL(fileURLWithPath: dir.file("state/metadata/root.json")))
        // New metadata from the manager (an unchanged timestamp is a 304 that needs no verification).
        let platform = Array(try JSONSerialization.data(withJSONObject: ["model": "Express5800/T110k", "os": "debian:12"]))
        #expect(try admin.send("POST", manager.url + "/api/v1/repository/platforms", body: platform).status == 201)
        let vendor = try TestVendor(in: dir)
        try manager.trust(vendor)
        var info = InfoXML()
        info.targets = [("Express5800/T110k", "linux")]
        let package = try HandPackage(info: info.bytes).write(to: dir, name: "t110.zip", signedWith: vendor.key)
        #expect(try admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=t110.zip", file: package).status == 201)
        let outcome = try runOnce(config)
        let refusal = try #require(outcome["metadataRefusal"] as? String)
        #expect(refusal.contains("repository metadata refused"), "\(refusal)")
        #expect(outcome["reported"] as? Int == 2, "the refusal is reported to the manager")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: dir.file("state/metadata/root.json"))) == Data(foreignRoot),
            "nothing the refused repository sent replaced trusted metadata")
    }

    @Test("exup-agent run: the daemon polls, tells systemd READY, and stops gracefully on SIGTERM")
    func daemon() throws {
        let config = try config(token: try token())
        let socketPath = dir.file("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : ""
        }

        let daemon = try BackgroundProcess(
            [agent, "run", "--config", config],
            environment: ["PATH": "/usr/bin:/bin", "NOTIFY_SOCKET": socketPath])
        defer { daemon.stop() }
        #expect(receive().hasPrefix("READY=1"), "READY as soon as the daemon runs (before a first poll that may wait long)")
        var reported = false
        for _ in 0..<200 where !reported {
            let detail = try? server()
            reported = (detail?["modules"] as? [[String: Any]])?.contains { $0["id"] as? String == "bmc-firmware" } == true
            if !reported { usleep(100_000) }
        }
        #expect(reported, "the first poll enrolled and reported")
        kill(daemon.pid, SIGTERM)
        #expect(receive() == "STOPPING=1", "SIGTERM ends the loop gracefully, mid-wait")
    }

    @Test("a token whose root hash does not match the manager's root.json is refused, and nothing is kept")
    func rootMismatch() throws {
        let genuine = try token()
        let forged = String(genuine.dropLast(64)) + String(repeating: "0", count: 64)
        let result = try Subprocess.run([agent, "run", "--once", "--config", try config(token: forged)])
        #expect(result.status != 0 && result.stderr.contains("root.json does not match"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("state/credential")), "no credential kept from an untrusted enrolment")
    }

    @Test("a manager that is down is a clear error; the changed report waits in the outbox and is delivered once it is back")
    func managerDown() throws {
        let config = try config(token: try token())
        _ = try runOnce(config)
        manager.stop()
        try bmc.flash(bmcFirmware: "2.17")
        let result = try Subprocess.run([agent, "run", "--once", "--config", config])
        #expect(result.status != 0 && result.stderr.contains("cannot reach the manager"), "\(result.stderr)")
        let outbox = try FileManager.default.contentsOfDirectory(atPath: dir.file("state/outbox")).filter { $0.hasSuffix(".json") }
        #expect(outbox == ["0000000000000000002.json"], "report #2 is kept durably: \(outbox)")
        let kept =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("state/outbox/" + outbox[0])))) as! [String: Any]
        #expect((kept["modules"] as! [[String: Any]]).contains { $0["id"] as? String == "bmc-firmware" && $0["version"] as? String == "2.17" })
        try manager.start()
        let outcome = try runOnce(config)
        #expect(outcome["reported"] == nil && outcome["waitingReports"] as? Int == 0, "the waiting report is sent, no new one made")
        #expect((try server()["modules"] as! [[String: Any]]).first { $0["id"] as? String == "bmc-firmware" }?["current"] as? String == "2.17")
    }
}
