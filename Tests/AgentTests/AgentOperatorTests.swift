import ExupCore
import ExupTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The agent as an administrator meets it: one daemon per state directory, `apply` that shows its work as
/// it goes (live on a terminal, plain lines elsewhere) and exits with the run's result, journald lines under
/// systemd, and `status` that agrees with the manager.
@Suite(.serialized) final class AgentOperatorTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }
    var packages: TestPackages { fleet.packages }

    init() throws { fleet = try TestFleet() }

    @Test("a second daemon on the same state directory says who runs, and exits 1 without running a cycle")
    func oneDaemon() throws {
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        let daemon = try web01.startDaemon()
        defer { daemon.stop() }
        try eventually("the daemon answers on its socket") {
            try web01.localStatus()["daemon"].flatMap { ($0 as? [String: Any])?["running"] as? Bool } == true
        }
        let pid = try #require(((try web01.localStatus()["daemon"]) as? [String: Any])?["pid"] as? Int)
        let second = try Subprocess.run([web01.agent, "run", "--config", web01.config])
        #expect(second.status == 1)
        #expect(second.stderr == "exup-agent: another exup-agent daemon is running (pid \(pid)) on \(web01.dir.file("state"))\n", "\(second.stderr)")
        #expect(!second.stdout.contains("report"), "no cycle ran: \(second.stdout)")
    }

    @Test("exup-agent apply: per-item steps live on a terminal, plain lines without one; exit 0, or 1 when the item failed")
    func applyProgress() throws {
        _ = try requireTool("script")
        try manager.add(try packages.bmcFirmware("2.31", delay: 2))
        try manager.add(
            try packages.build(
                id: "bios-broken", module: "system-bios", version: "R120h BIOS 9.9", releaseDate: "2026-04-01",
                program: "echo 'flashing the BIOS: step 3 of 4'\nsleep 2\nexit 3"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()

        // On a pseudo-terminal: the line is rewritten in place (carriage return, erase line), and ends with the result.
        _ = try manager.approve("web01", ["bmc-firmware"])
        let onTerminal = try Subprocess.run(
            ["script", "-qec", "\(web01.agent) apply --config \(web01.config)", "/dev/null"],
            environment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"])
        #expect(onTerminal.status == 0, "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("\r\u{1B}[K"), "a live line: \(onTerminal.stdout.debugDescription)")
        #expect(
            onTerminal.stdout.contains("bmc-firmware → 2.31: running") && onTerminal.stdout.contains("bmc-firmware → 2.31: \u{1B}[32msucceeded"),
            "\(onTerminal.stdout.debugDescription)")

        // Not a terminal: one plain line per step, no control characters, the failure with the program's cause; exit 1.
        let item = try manager.approve("web01", ["system-bios"])["system-bios"]!
        let plain = try Subprocess.run([web01.agent, "apply", "--config", web01.config], environment: ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"])
        #expect(plain.status == 1, "the item failed: \(plain.stdout)\(plain.stderr)")
        #expect(!plain.stdout.contains("\u{1B}") && !plain.stdout.contains("\r"), "\(plain.stdout.debugDescription)")
        let steps = plain.stdout.split(separator: "\n").filter { $0.hasPrefix("item #\(item) system-bios") }
        #expect(steps.contains { $0.hasSuffix("running: flashing the BIOS: step 3 of 4") }, "the program's last line while it runs: \(steps)")
        #expect(steps.contains { $0.contains("FAILED: ") }, "\(steps)")
        #expect(Set(steps).count == steps.count, "never the same line twice: \(steps)")
        #expect(plain.stderr == "exup-agent: 1 of 1 item(s) failed or were refused (#\(item))\n", "\(plain.stderr)")
        // That failure is this run's: later commands are judged on what they do.
        let check = try Subprocess.run([web01.agent, "check", "--config", web01.config])
        #expect(check.status == 0, "an earlier failure does not fail a check: \(check.stderr)")
        let cancel = try Subprocess.run([web01.agent, "cancel", "--config", web01.config])
        #expect(cancel.status == 0 && cancel.stdout.contains("nothing to cancel"), "\(cancel.stdout)\(cancel.stderr)")
    }

    @Test("under systemd (JOURNAL_STREAM names stderr) the daemon writes <priority>message fields, one line per item start and result")
    func journalLines() throws {
        try manager.add(try packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        let item = try manager.approve("web01", ["bmc-firmware"])["bmc-firmware"]!
        let log = web01.dir.file("journal.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let daemon = try BackgroundProcess([
            "/bin/sh", "-c",
            "exec 2>>'\(log)'; export JOURNAL_STREAM=$(stat -c '%d:%i' '\(log)'); exec '\(web01.agent)' run --config '\(web01.config)'",
        ])
        defer { daemon.stop() }
        try eventually("the item ends") { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("item #\(item) succeeded") }
        kill(daemon.pid, SIGTERM)
        try eventually("the daemon says it stopped") { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("stopped") }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.range(of: #"^<[2-7]>"#, options: .regularExpression) != nil }, "every line has a priority: \(lines)")
        #expect(
            !lines.contains { $0.range(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d"#, options: .regularExpression) != nil && $0.hasPrefix("<6>20") },
            "journald stamps the time, not us")
        #expect(lines.contains { $0.hasPrefix("<6>item #\(item) started: apply bmc-2.31 ") && $0.contains("module=bmc-firmware") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>item #\(item) succeeded") && $0.contains("module=bmc-firmware") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<5>stopped (SIGTERM or SIGINT)") }, "\(lines)")
        #expect(!lines.contains { $0.contains("[") && $0.contains("]") && $0.contains("exup_agent") }, "no library labels")
    }

    @Test(
        "a model that cannot be read: 'unknown' with the same reason in exup-agent status and on the manager; status --json carries the daemon and the poll"
    )
    func unknownAgrees() throws {
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        // No FRU and no SMBIOS product name in this server's root: the model cannot be read.
        web01.bmc.stop()
        try web01.runOnce()
        let local = try web01.localStatus()
        #expect(local["status"] as? String == "unknown" && local["enrolled"] as? Bool == true, "\(local)")
        let reason = try #require(local["reason"] as? String)
        #expect(reason.hasPrefix("the agent could not read this server's model"))
        let server = try manager.json("/api/v1/servers/web01")
        #expect(server["status"] as? String == "unknown" && server["reason"] as? String == reason, "the same status and reason: \(server)")
        #expect(
            (local["daemon"] as? [String: Any])?["running"] as? Bool == false && local["lastPoll"] as? String != nil
                && local["manager"] as? String == manager.url)
        let text = try Subprocess.run([web01.agent, "status", "--config", web01.config])
        #expect(text.stdout.hasPrefix("web01: Unknown (\(reason))"), "\(text.stdout)")
    }

    @Test("a revoked agent is told its credential was refused, not that the manager is unreachable; a manager that is down is named once")
    func refusedNotUnreachable() throws {
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        try manager.post("/api/v1/agents/web01/revoke")
        let refused = try web01.runOnce(expectSuccess: false)["error"] as? String ?? ""
        #expect(refused.hasPrefix("the manager refused this agent's credential (revoked or rotated at the manager)"), "\(refused)")
        manager.stop()
        let down = try web01.runOnce(expectSuccess: false)["error"] as? String ?? ""
        #expect(down.hasPrefix("cannot reach the manager at \(manager.url)") && down.components(separatedBy: "cannot reach").count == 2, "\(down)")
    }
}
