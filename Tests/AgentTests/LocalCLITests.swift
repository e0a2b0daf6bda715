import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// `exup-agent check|apply|cancel|log-bundle`, with the daemon (over its socket) and without it (the
/// same cycle run in the CLI's own process, on the state on disk).
@Suite(.serialized) final class LocalCLITests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }
    var dir: TemporaryDirectory { fleet.dir }
    var vendor: TestVendor { fleet.vendor }
    var packages: TestPackages { fleet.packages }

    init() throws { fleet = try TestFleet() }

    func cli(_ server: ManagedServer, _ arguments: String...) throws -> (status: Int32, json: [String: Any], text: String) {
        let result = try Subprocess.run([server.agent] + arguments + ["--json", "--config", server.config])
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result.status, json, result.stdout + result.stderr)
    }

    func states(_ outcome: [String: Any]) -> [Int64: String] {
        Dictionary(
            uniqueKeysWithValues: (outcome["items"] as? [[String: Any]] ?? []).map {
                (($0["itemID"] as! NSNumber).int64Value, $0["state"] as! String)
            })
    }

    @Test("without a daemon: check reports and runs nothing, cancel cancels what has not started, apply runs the rest")
    func withoutDaemon() throws {
        try manager.add(try packages.bmcFirmware("2.31"))
        try manager.add(try packages.software("exup-hello", version: "1.0-1"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let first = try manager.approve("web01", ["bmc-firmware"])
        let checked = try cli(web01, "check")
        #expect(checked.status == 0, "\(checked.text)")
        #expect(((checked.json["directives"] as? [String: Any])?["items"] as? [Any])?.count == 1, "check sees the approval")
        #expect(web01.runOrder.isEmpty, "check applies nothing")

        let cancelled = try cli(web01, "cancel")
        #expect(states(cancelled.json)[first["bmc-firmware"]!] == "cancelled", "\(cancelled.text)")
        #expect(try manager.item("web01", first["bmc-firmware"]!)["state"] as? String == "cancelled", "the manager is told")

        let second = try manager.approve("web01", ["package:exup-hello"])
        let applied = try cli(web01, "apply")
        #expect(states(applied.json)[second["package:exup-hello"]!] == "succeeded", "\(applied.text)")
        #expect(web01.runOrder == ["exup-hello-1.0-1"], "the cancelled item never ran")
    }

    @Test("with the daemon: check and apply go through its socket and wait for a cycle that started after them")
    func throughDaemon() throws {
        try manager.add(try packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        let config = try String(contentsOfFile: web01.config, encoding: .utf8).replacingOccurrences(
            of: "[agent]\n", with: "[agent]\npoll-interval-seconds = 3600\n")
        try config.write(toFile: web01.config, atomically: true, encoding: .utf8)
        let daemon = try BackgroundProcess([web01.agent, "run", "--config", web01.config])
        defer { daemon.stop() }
        // The daemon's first cycle must be over before the approval: a cycle still fetching its
        // directives would take the approval itself, and leave the CLI's cycle nothing to run.
        try eventually("the daemon's first cycle") {
            FileManager.default.fileExists(atPath: web01.dir.file("agent.sock")) && daemon.output.contains("poll done")
        }
        #expect((try? manager.module("web01", "bmc-firmware"))?["current"] != nil, "the first cycle reported")

        let items = try manager.approve("web01", ["bmc-firmware"])
        let status = try Subprocess.run([web01.agent, "status", "--config", web01.config])
        #expect(status.stdout.contains("daemon: running (pid \(daemon.pid))"), "\(status.stdout)")
        let applied = try cli(web01, "apply")
        #expect(applied.status == 0 && states(applied.json)[items["bmc-firmware"]!] == "succeeded", "\(applied.text)")
        #expect(web01.runOrder == ["bmc-2.31"])
        #expect(daemon.output.contains("local request: apply"), "the daemon ran it, not the CLI: \(daemon.output)")
        let checked = try cli(web01, "check")
        #expect(checked.status == 0 && checked.json["name"] as? String == "web01", "\(checked.text)")

        let socketMode = try FileManager.default.attributesOfItem(atPath: web01.dir.file("agent.sock"))[.posixPermissions] as? Int
        #expect(socketMode == 0o600, "root only")
    }

    @Test("log bundles: written on request of the CLI and of the manager, without the credential")
    func logBundles() throws {
        try manager.add(
            try packages.build(
                id: "bmc-2.40", module: "bmc-firmware", version: "2.40", releaseDate: "2026-02-01",
                program: "echo 'flash error: image checksum' >&2\nexit 3"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware"])
        try web01.runOnce()
        let out = dir.file("bundle.tar.gz")
        let written = try cli(web01, "log-bundle", "--out", out)
        #expect(written.status == 0, "\(written.text)")
        let listing = try Subprocess.run(["tar", "-tzf", out]).stdout.split(separator: "\n").map(String.init)
        #expect(
            listing.contains("journal.json") && listing.contains("state.json") && listing.contains("logs/item-\(items["bmc-firmware"]!).log"),
            "\(listing)")
        #expect(!listing.contains { $0.contains("credential") }, "the credential never leaves the server")
        let log = try Subprocess.run(["tar", "-xzOf", out, "logs/item-\(items["bmc-firmware"]!).log"]).stdout
        #expect(log.contains("image checksum"), "the program's output is in the bundle")

        #expect(try manager.admin.send("POST", manager.url + "/api/v1/servers/web01/logs/request", body: []).status == 202)
        try web01.runOnce()
        let fetched = try manager.admin.get(manager.url + "/api/v1/servers/web01/logs", maxBytes: 64 << 20)
        #expect(fetched.status == 200 && fetched.body.prefix(2) == [0x1F, 0x8B], "the manager holds a gzip bundle")
    }

    @Test("an agent behind a Digest proxy: [proxy] in agent.toml; polls, metadata and the package all go through it")
    func throughProxy() throws {
        try manager.add(try packages.bmcFirmware("2.31"))
        let squid = try SquidProxy(authentication: .digest)
        defer { squid.stop() }
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        let config =
            try String(contentsOfFile: web01.config, encoding: .utf8) + """

                [proxy]
                host = "127.0.0.1"
                port = \(squid.port)
                username = "\(squid.username)"
                password = "\(squid.password)"
                auth = "digest"
                """
        try config.write(toFile: web01.config, atomically: true, encoding: .utf8)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware"])
        let applied = try cli(web01, "apply")
        #expect(states(applied.json)[items["bmc-firmware"]!] == "succeeded", "\(applied.text)")
        // squid writes its access log a moment after it answers: wait for the lines.
        let paths = ["/api/v1/enrol", "/api/v1/agent/directives", "/repo/v1/metadata/timestamp.json", "/repo/v1/targets/"]
        try? eventually("squid logs every request", seconds: 15) { paths.allSatisfy(squid.accessLog.contains) }
        let log = squid.accessLog
        for path in paths {
            #expect(log.contains(path), "\(path) through the proxy")
        }
    }
}
