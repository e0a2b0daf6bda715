import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// The agent applying approved updates for real, on loopback: a manager with its repository, servers
/// with their own simulated BMCs and dpkg roots, packages built and signed by the test vendor.
@Suite(.serialized) final class ApplyTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }
    var dir: TemporaryDirectory { fleet.dir }
    var vendor: TestVendor { fleet.vendor }
    var packages: TestPackages { fleet.packages }

    init() throws { fleet = try TestFleet() }

    /// A run of two items on web01: a BMC firmware whose program takes 3 s (oldest, so first), then a
    /// .deb. Returns once the agent, started in the background, runs the first item's program.
    func twoItemRunStarted() throws -> (ManagedServer, [String: Int64], BackgroundProcess, Int32) {
        try manager.add(try packages.bmcFirmware("2.31", releaseDate: "2026-01-01", delay: 3))
        try manager.add(try packages.software("exup-hello", version: "1.0-1", releaseDate: "2026-02-01"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware", "package:exup-hello"])
        let agent = try web01.startOnce()
        let program = try web01.waitForProgram(items["bmc-firmware"]!)
        return (web01, items, agent, program)
    }

    @Test("two servers: statuses, order (no reboot first, then oldest release), BMC flashed, .deb installed, reboot required shown")
    func orderedApply() throws {
        try manager.add(try packages.bmcFirmware("2.31"))  // 2026-03-01, no reboot
        try manager.add(try packages.software("exup-hello", version: "1.0-1"))  // 2026-01-15, no reboot
        try manager.add(
            try packages.build(
                id: "bios-4.3.0", module: "system-bios", version: "R120h BIOS 4.3.0",
                releaseDate: "2025-06-01", rebootRequired: true,
                program: "printf 'R120h BIOS 4.3.0\\n' > \"$SERVER/system-firmware\""))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        let web02 = try ManagedServer(name: "web02", manager: manager, vendor: vendor)
        for server in [web01, web02] {
            let outcome = try server.runOnce()
            #expect(Set(outcome["offered"] as? [String] ?? []) == ["bmc-2.31", "exup-hello-1.0-1", "bios-4.3.0"])
        }
        #expect(
            try manager.module("web01", "package:exup-hello")["status"] as? String == "update-available",
            "software the repository offers and the server lacks is a new install")
        let items = try manager.approve("web01", ["bmc-firmware", "package:exup-hello", "system-bios"])
        let only = try manager.approve("web02", ["bmc-firmware"])
        #expect(items.count == 3 && only.count == 1)

        let outcome = try web01.runOnce()
        #expect(
            web01.runOrder == ["exup-hello-1.0-1", "bmc-2.31", "bios-4.3.0"],
            "no-reboot items first, oldest release first; the reboot-required BIOS last")
        let states = Dictionary(
            uniqueKeysWithValues: (outcome["items"] as? [[String: Any]] ?? []).map {
                (($0["itemID"] as! NSNumber).int64Value, $0["state"] as! String)
            })
        #expect(states[items["bmc-firmware"]!] == "succeeded" && states[items["package:exup-hello"]!] == "succeeded")
        #expect(states[items["system-bios"]!] == "reboot-required", "never reboots here; the item waits for the next boot")
        #expect(try web01.installedDebVersion("exup-hello") == "1.0-1", "installed into the sandboxed dpkg root")
        #expect(try String(contentsOfFile: web01.bmc.directory.file("state/bmc-firmware"), encoding: .utf8).hasPrefix("2.31"))
        #expect(outcome["waitingReports"] as? Int == 0, "every report delivered")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: web01.dir.file("cache"))) ?? []
        #expect(cached.isEmpty, "the cache keeps only packages of unfinished work: \(cached)")
        let staged = (try? FileManager.default.contentsOfDirectory(atPath: web01.dir.file("state/staging"))) ?? []
        #expect(staged.isEmpty, "staging directories go once their item is judged: \(staged)")

        #expect(try manager.module("web01", "bmc-firmware")["current"] as? String == "2.31")
        #expect(try manager.module("web01", "bmc-firmware")["status"] as? String == "latest")
        #expect(try manager.module("web01", "package:exup-hello")["status"] as? String == "latest")
        #expect(try manager.module("web01", "system-bios")["status"] as? String == "reboot-required")
        #expect(try manager.item("web01", items["bmc-firmware"]!)["state"] as? String == "succeeded")
        let local = try web01.localStatus()
        let rows = Dictionary(uniqueKeysWithValues: (local["modules"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
        #expect(rows["system-bios"]?["status"] as? String == "reboot-required" && rows["bmc-firmware"]?["status"] as? String == "latest")
        #expect(local["status"] as? String == "reboot-required", "Table 10: the server waits for its reboot")

        // The second server ran only what was approved for it, on its own BMC.
        _ = try web02.runOnce()
        #expect(web02.runOrder == ["bmc-2.31"])
        #expect(try manager.module("web02", "bmc-firmware")["status"] as? String == "latest")
        #expect(try web02.installedDebVersion("exup-hello") == nil)
        #expect(try manager.module("web02", "package:exup-hello")["status"] as? String == "update-available")

        // Nothing runs twice: another poll finds the work done.
        _ = try web01.runOnce()
        #expect(web01.runOrder.count == 3)
    }

    @Test("a failing program and one that hangs past its time limit: failed, with the cause, and the module marked")
    func failures() throws {
        try manager.add(
            try packages.build(
                id: "bmc-2.40", module: "bmc-firmware", version: "2.40", releaseDate: "2026-02-01",
                program: "echo 'flash error: image checksum' >&2\nexit 3"))
        try manager.add(
            try packages.build(
                id: "bios-9.9", module: "system-bios", version: "R120h BIOS 9.9", releaseDate: "2026-02-02",
                timeoutSeconds: 2, program: "sleep 60"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware", "system-bios"])
        let outcome = try web01.runOnce()
        let byID = Dictionary(uniqueKeysWithValues: (outcome["items"] as? [[String: Any]] ?? []).map { (($0["itemID"] as! NSNumber).int64Value, $0) })
        let failed = try #require(byID[items["bmc-firmware"]!])
        #expect(failed["state"] as? String == "failed")
        #expect(
            (failed["message"] as? String ?? "").contains("status 3") && (failed["message"] as? String ?? "").contains("image checksum"),
            "\(failed)")
        let hung = try #require(byID[items["system-bios"]!])
        #expect(hung["state"] as? String == "failed" && (hung["message"] as? String ?? "").contains("timed out after 2 s"), "\(hung)")
        #expect(try manager.module("web01", "bmc-firmware")["status"] as? String == "apply-failed")
        #expect(
            (try manager.item("web01", items["bmc-firmware"]!)["message"] as? String ?? "").contains("image checksum"),
            "the cause reaches the manager")
        let staging = web01.dir.file("state/staging/item-\(items["system-bios"]!)")
        #expect(DetachedProgramProbe.find(cwd: staging) == nil, "the hung program was stopped")
    }

    @Test("cancel at the manager while the first item runs: the running one finishes, the next never starts")
    func cancelDuringRun() throws {
        let (web01, items, agent, _) = try twoItemRunStarted()
        defer { agent.stop() }
        let answer = try manager.post("/api/v1/servers/web01/cancel")
        #expect((answer["refused"] as? [Any])?.count == 1, "a running item cannot be cancelled: \(answer)")
        #expect((answer["cancelled"] as? [Any])?.count == 1)
        _ = try agent.waitForLine(startingWith: "}", timeoutSeconds: 60)
        #expect(web01.runOrder == ["bmc-2.31"])
        let outcome = try JSONSerialization.jsonObject(with: Data(agent.output.utf8)) as? [String: Any] ?? [:]
        let states = Dictionary(
            uniqueKeysWithValues: (outcome["items"] as? [[String: Any]] ?? []).map {
                (($0["itemID"] as! NSNumber).int64Value, $0["state"] as! String)
            })
        #expect(states[items["package:exup-hello"]!] == "cancelled", "\(outcome)")
        #expect(try manager.item("web01", items["bmc-firmware"]!)["state"] as? String == "succeeded")
        #expect(try manager.item("web01", items["package:exup-hello"]!)["state"] as? String == "cancelled")
        #expect(try web01.installedDebVersion("exup-hello") == nil)
    }

    @Test("kill -9 of the agent while a program runs: the program survives, the restarted agent waits, judges, continues")
    func killDuringApply() throws {
        let (web01, items, agent, program) = try twoItemRunStarted()
        let second = try Subprocess.run([web01.agent, "run", "--once", "--config", web01.config])
        #expect(second.status != 0 && second.stderr.contains("another exup-agent"), "one agent per state directory: \(second.stderr)")
        kill(agent.pid, SIGKILL)
        agent.stop()
        #expect(DetachedProgramProbe.isLive(program), "the update program outlives the agent")

        let outcome = try web01.runOnce()
        #expect(!DetachedProgramProbe.isLive(program), "the restarted agent waited for it")
        let byID = Dictionary(uniqueKeysWithValues: (outcome["items"] as? [[String: Any]] ?? []).map { (($0["itemID"] as! NSNumber).int64Value, $0) })
        #expect(byID[items["bmc-firmware"]!]?["state"] as? String == "succeeded", "judged by re-reading the BMC: \(byID)")
        #expect((byID[items["bmc-firmware"]!]?["message"] as? String ?? "").contains("restarted"))
        #expect(byID[items["package:exup-hello"]!]?["state"] as? String == "succeeded", "the rest of the run continued")
        #expect(web01.runOrder == ["bmc-2.31", "exup-hello-1.0-1"], "no item ran twice")
        #expect(try manager.item("web01", items["bmc-firmware"]!)["state"] as? String == "succeeded")
    }

    @Test("SIGTERM to the daemon while a program runs: it stops at once, the program keeps running, the next start judges it")
    func stopDuringApply() throws {
        try manager.add(try packages.bmcFirmware("2.31", delay: 4))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware"])
        let daemon = try web01.startDaemon()
        defer { daemon.stop() }
        let program = try web01.waitForProgram(items["bmc-firmware"]!)
        kill(daemon.pid, SIGTERM)
        var status: Int32 = 0
        waitpid(daemon.pid, &status, 0)
        #expect(status == 0, "a graceful stop: \(daemon.output)")
        #expect(
            DetachedProgramProbe.isLive(program), "the daemon stopped without waiting for the program (its own package's install waits for that stop)"
        )
        #expect(web01.journal()[items["bmc-firmware"]!]?["phase"] as? String == "running", "the journal still holds the running item")

        let outcome = try web01.runOnce()
        #expect(!DetachedProgramProbe.isLive(program), "the next start waited for it")
        let item = (outcome["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == items["bmc-firmware"]! }
        #expect(item?["state"] as? String == "succeeded", "judged by re-reading the BMC: \(String(describing: item))")
        #expect(web01.runOrder == ["bmc-2.31"], "it ran once")
        #expect(try manager.item("web01", items["bmc-firmware"]!)["state"] as? String == "succeeded")
    }

    @Test("the manager down mid-run: the running item finishes, the rest is cancelled, every report arrives later in order")
    func managerDownDuringRun() throws {
        let (web01, items, agent, _) = try twoItemRunStarted()
        defer { agent.stop() }
        manager.stop()
        var status: Int32 = 0
        waitpid(agent.pid, &status, 0)
        #expect(status != 0 && agent.output.contains("cannot reach the manager"), "\(agent.output)")
        #expect(web01.journal()[items["bmc-firmware"]!]?["phase"] as? String == "succeeded")
        #expect(web01.journal()[items["package:exup-hello"]!]?["phase"] as? String == "cancelled", "on-lost-contact = stop")
        #expect(web01.runOrder == ["bmc-2.31"])
        let waiting = try FileManager.default.contentsOfDirectory(atPath: web01.dir.file("state/outbox")).filter { $0.hasSuffix(".json") }
        #expect(waiting.count >= 2, "the reports wait in the outbox: \(waiting)")

        try manager.start()
        let outcome = try web01.runOnce()
        #expect(outcome["waitingReports"] as? Int == 0)
        #expect(try manager.item("web01", items["bmc-firmware"]!)["state"] as? String == "succeeded")
        #expect(try manager.item("web01", items["package:exup-hello"]!)["state"] as? String == "cancelled")
        let state =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: web01.dir.file("state/state.json")))) as! [String: Any]
        let agents = try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + "/api/v1/agents", maxBytes: 1 << 20).body))
        let agentRow = (agents as? [[String: Any]] ?? []).first { $0["name"] as? String == "web01" }
        #expect(
            agentRow?["reportSequence"] as? Int == state["sequence"] as? Int,
            "the manager holds the agent's last report: \(String(describing: agentRow))")
        #expect(web01.runOrder == ["bmc-2.31"], "nothing ran again")
    }

    @Test("a package changed in the cache between download and run is refused")
    func tamperedCache() throws {
        let (web01, items, agent, _) = try twoItemRunStarted()
        defer { agent.stop() }
        // Both packages were downloaded before the first ran; change one byte of the second one.
        let cached = try #require(try FileManager.default.contentsOfDirectory(atPath: web01.dir.file("cache")).first { $0.contains("exup-hello") })
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: web01.dir.file("cache/" + cached))))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: web01.dir.file("cache/" + cached)))
        _ = try agent.waitForLine(startingWith: "}", timeoutSeconds: 60)
        let entry = try #require(web01.journal()[items["package:exup-hello"]!])
        #expect(entry["phase"] as? String == "failed" && (entry["message"] as? String ?? "").contains("refused"), "\(entry)")
        #expect(web01.runOrder == ["bmc-2.31"], "the tampered package never ran")
        #expect(try web01.installedDebVersion("exup-hello") == nil)
    }

    @Test("an interrupted download resumes from its partial file; a partial file that does not match is discarded")
    func resumedDownload() throws {
        let package = try packages.bmcFirmware("2.31")
        try manager.add(package)
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: package)))
        try FileManager.default.createDirectory(atPath: web01.dir.file("cache"), withIntermediateDirectories: true)
        // The first half arrived before the interruption, but altered: only a resumed download keeps it.
        var half = Array(bytes.prefix(bytes.count / 2))
        half[10] ^= 0xFF
        try Data(half).write(to: URL(fileURLWithPath: web01.dir.file("cache/bmc-2.31.zip.part")))
        let items = try manager.approve("web01", ["bmc-firmware"])
        var outcome = try web01.runOnce()
        var state = (outcome["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == items["bmc-firmware"] }
        #expect(
            state?["state"] as? String == "failed" && (state?["message"] as? String ?? "").contains("does not match the repository's metadata"),
            "the kept bytes plus the rest (a Range request) fail the digest: \(String(describing: state))")
        #expect(!FileManager.default.fileExists(atPath: web01.dir.file("cache/bmc-2.31.zip.part")), "a mismatching partial file is dropped")
        #expect(web01.runOrder.isEmpty)

        // A correct first half is resumed and completed.
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: web01.dir.file("cache/bmc-2.31.zip.part")))
        let again = try manager.approve("web01", ["bmc-firmware"])
        outcome = try web01.runOnce()
        state = (outcome["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == again["bmc-firmware"] }
        #expect(state?["state"] as? String == "succeeded", "\(String(describing: state))")
        #expect(web01.runOrder == ["bmc-2.31"])
    }

    @Test("a repository replaying older metadata is refused; the agent keeps what it trusted and reports why")
    func replayedMetadata() throws {
        try manager.add(try packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: vendor)
        try web01.runOnce()
        let database = manager.data.file("catalog.sqlite")
        let old = try Subprocess.run([
            "python3", "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT hex(bytes) FROM tuf_role WHERE role='timestamp'\").fetchone()[0])",
            database,
        ])
        #expect(old.status == 0, "\(old.stderr)")
        try manager.add(try packages.bmcFirmware("2.32"))
        #expect(Set(try web01.runOnce()["offered"] as? [String] ?? []) == ["bmc-2.31", "bmc-2.32"])

        manager.stop()
        let replay = try Subprocess.run([
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE tuf_role SET bytes=? WHERE role='timestamp'\", (bytes.fromhex(sys.argv[2]),)); c.commit()",
            database, old.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
        ])
        #expect(replay.status == 0, "\(replay.stderr)")
        try manager.start()
        let outcome = try web01.runOnce()
        let refusal = try #require(outcome["metadataRefusal"] as? String)
        #expect(refusal.contains("repository metadata refused"), "\(refusal)")
        #expect(Set(outcome["offered"] as? [String] ?? []) == ["bmc-2.31", "bmc-2.32"], "the last trusted offer is kept")
    }
}

/// Looks for a live process by working directory (as the agent does after a restart).
enum DetachedProgramProbe {
    /// Alive and not a zombie (an orphan's zombie lingers where init does not reap, as in containers).
    static func isLive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    static func find(cwd: String) -> Int32? {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd") else {
                continue
            }
            if target == cwd { return pid }
        }
        return nil
    }
}
