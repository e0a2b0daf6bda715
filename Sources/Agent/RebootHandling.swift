import ExupCore
import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Reboots (seed §2.1.2, R028–R031, R167): once, after the last item of a run, only when allowed, when
/// contact was not lost under the stop rule, when every item of the run succeeded and at least one needs a
/// reboot. The reboot is the configured command; modules show "rebooting" until the boot id changes, and
/// each reboot-required item is then confirmed by re-reading its module.
extension ApplyRunner {
    /// Once nothing of the run is left to do, runs the reboot command when the run calls for it; returns
    /// whether it did. The run is every entry still awaiting this decision (so a crash mid-run changes nothing).
    @discardableResult
    func rebootIfDue() throws -> Bool {
        guard session.journal.runnable.isEmpty else { return false }
        let ran = session.journal.entries.filter { $0.awaitingRebootDecision == true && $0.phase.isFinished }
        guard !ran.isEmpty else { return false }
        for index in session.journal.entries.indices where session.journal.entries[index].awaitingRebootDecision == true {
            session.journal.entries[index].awaitingRebootDecision = false
        }
        try session.saveJournal()
        let results = ran.map { (item: $0.applyItem, succeeded: $0.phase == .succeeded || $0.phase == .rebootRequired) }
        let stopped = session.journal.stoppedForLostContact
        session.journal.stoppedForLostContact = false  // the next run starts afresh
        try session.saveJournal()
        let allowed = ran.allSatisfy(\.options.allowReboot)
        guard RebootRule.shouldReboot(allowReboot: allowed, stoppedForLostContact: stopped, results: results) else {
            if ran.contains(where: { $0.phase == .rebootRequired }) {
                session.events(
                    AgentEvent(
                        .notice,
                        "reboot decision: not rebooting ("
                            + (!allowed
                                ? "the approval did not allow a reboot"
                                : stopped ? "the run stopped when contact was lost" : "an item of the run failed")
                            + "); the server needs a reboot to finish"))
            }
            return false
        }
        session.events(
            AgentEvent(
                .notice, "reboot decision: rebooting now to finish the run",
                ["command": session.configuration.agent.rebootCommand.joined(separator: " ")]))
        // Written before the command runs: after the new boot the agent knows a reboot was asked for.
        session.journal.rebootRequestedInBoot = session.bootID
        try session.saveJournal()
        try session.publish()
        FaultPoint.reach("before-reboot")
        return try reboot(ran)
    }

    /// Runs the reboot command; on failure the items stay "reboot required" and say why.
    func reboot(_ ran: [ApplyJournal.Entry]) throws -> Bool {
        let command = session.configuration.agent.rebootCommand
        let result = try? CommandRunner.run(command, timeoutMilliseconds: 120_000)
        guard let result, result.status == 0 else {
            let why = result.map { "exit status \($0.status): \($0.stderrText.trimmingScalars(in: " \n"))" } ?? "could not be run"
            session.journal.rebootRequestedInBoot = nil
            try session.saveJournal()
            for entry in ran where entry.phase == .rebootRequired {
                try update(entry.itemID) { $0.message = "the reboot command \(command[0]) failed (\(why)); reboot by hand to finish" }
            }
            return false
        }
        // Journaled apart from the decision: a command that returns before the host goes down (or never
        // takes it down) is not run again in this boot.
        session.journal.rebootCommandRanAt = session.clock()
        try session.saveJournal()
        FaultPoint.reach("after-reboot-command")
        return true
    }

    /// After a new boot: each reboot-required item finished in an earlier boot is judged by re-reading its
    /// module (success when it reads the target version); the "rebooting" mark ends.
    func confirmAfterBoot() throws {
        let boot = session.bootID
        if let asked = session.journal.rebootRequestedInBoot, asked == boot {
            let inThisBoot = session.journal.entries.filter { $0.phase == .rebootRequired && $0.finishedBootID == boot }
            guard let ranAt = session.journal.rebootCommandRanAt else {
                // The agent stopped between deciding to reboot and running the command: run it now, once.
                _ = try reboot(inThisBoot)
                return
            }
            try reportRebootNotHappened(inThisBoot, commandRanAt: ranAt)
            return
        }
        let waiting = session.journal.entries.filter { $0.phase == .rebootRequired && $0.finishedBootID != boot }
        if session.journal.rebootRequestedInBoot != nil && session.journal.rebootRequestedInBoot != boot {
            session.journal.rebootRequestedInBoot = nil
            session.journal.rebootCommandRanAt = nil
            try session.saveJournal()
        }
        for entry in waiting {
            let reading = session.reread(entry.moduleID)
            let reached = reachedTarget(entry, reading)
            let read = reading?.version ?? (reading?.error ?? "not installed")
            try finish(
                entry.itemID, reached ? .succeeded : .failed,
                reached ? "confirmed after the reboot" : "after the reboot \(entry.moduleID) reads \(read), not \(entry.version ?? "not installed")")
        }
    }
}

extension ApplyRunner {
    /// The reboot command ran in this boot and no new boot came within the grace: the items say so and the
    /// modules show "reboot required" again (no longer "rebooting"); the command is not repeated.
    func reportRebootNotHappened(_ entries: [ApplyJournal.Entry], commandRanAt: Int64) throws {
        let waited = session.clock() - commandRanAt
        guard waited >= Int64(session.configuration.agent.rebootGraceSeconds) else { return }
        session.journal.rebootRequestedInBoot = nil
        session.journal.rebootCommandRanAt = nil
        try session.saveJournal()
        let command = session.configuration.agent.rebootCommand.joined(separator: " ")
        for entry in entries {
            try update(entry.itemID) {
                $0.message =
                    "the reboot did not happen: \(command) returned \(waited) s ago and the server has not restarted; reboot by hand to finish"
            }
        }
    }
}

/// Fault injection for the agent's fault-matrix tests: with `EXUP_AGENT_FAULT=<point>` in its
/// environment the agent kills itself (SIGKILL, like a power cut) when it reaches that point. Unset, this
/// costs one environment lookup.
enum FaultPoint {
    static let armed: String? = {
        guard let value = getenv("EXUP_AGENT_FAULT") else { return nil }
        return String(cString: value)
    }()

    static func reach(_ name: String) {
        guard armed == name else { return }
        kill(getpid(), SIGKILL)
    }
}
