import ExupCore
import ExupSystem
import PackageFormat

#if canImport(Glibc)
    import Glibc
#endif

/// Runs approved items (architecture.md, flows 5 and 6): download into the cache, verify, extract,
/// verify again, run the program, re-read the module. Each step is written to the journal before it
/// starts; each change is reported through the outbox.
struct ApplyRunner {
    let session: AgentSession
    let control: AgentControl?
    let cache: PackageCache

    var stateDirectory: String { session.store.directory }
    func stagingDirectory(_ itemID: Int64) -> String { stateDirectory + "/staging/item-\(itemID)" }
    func logPath(_ itemID: Int64) -> String { stateDirectory + "/logs/item-\(itemID).log" }

    // MARK: - Planning

    /// Adds approved items that are due and not yet in the journal, and cancels pending entries the
    /// manager no longer lists (a cancel at the manager).
    func plan(_ directives: Directives, includingFuture: Bool = false) throws {
        let listed = Set(directives.items.map(\.id))
        let now = session.clock()
        var changed = false
        for index in session.journal.entries.indices where session.journal.entries[index].phase == .pending {
            if !listed.contains(session.journal.entries[index].itemID) {
                var machine = Self.machine(for: session.journal.entries[index])
                if case .finished(let end, let reason) = try machine.handle(.directivesChecked(listed: false)) {
                    session.journal.entries[index].phase = end
                    session.journal.entries[index].message = reason
                    changed = true
                }
            }
        }
        for item in directives.items where session.journal.entry(item.id) == nil && !session.journal.hasFinished(item.id) {
            if let notBefore = item.options.notBefore, notBefore > now, !includingFuture { continue }
            var planned = entry(for: item)
            planned.awaitingRebootDecision = true
            if planned.phase == .pending, let blocking = session.journal.blockingState(of: item.moduleID, bootID: session.bootID) {
                planned.phase = .failed
                planned.message = "refused: \(item.moduleID) is '\(blocking.rawValue)' and takes no new item until the server reboots"
                planned.finishedBootID = session.bootID
            }
            session.journal.entries.append(planned)
            changed = true
        }
        if changed {
            try session.saveJournal()
            try session.publish()
        }
    }

    /// A journal entry for an approved item, its package resolved from the trusted metadata.
    func entry(for item: Directives.Item) -> ApplyJournal.Entry {
        let offered = session.state.offered ?? []
        let current = session.inventory.modules.first { $0.id == item.moduleID }?.version
        var target: OfferedPackage?
        if let packageID = item.packageID, !item.latestAtRunTime {
            target = offered.first { $0.info.id == packageID }
        } else if let os = session.state.platform?.os {
            let scheme = VersionScheme.forModule(item.moduleID, on: os)
            target = offered.filter { $0.info.moduleID == item.moduleID }
                .max { scheme.compare($0.info.version, $1.info.version) < 0 }
        }
        var entry = ApplyJournal.Entry(
            itemID: item.id, kind: item.kind, packageID: target?.info.id ?? item.packageID ?? "?",
            moduleID: item.moduleID, version: item.kind == .uninstall ? nil : (target?.info.version ?? item.version),
            target: target,
            rebootRequired: item.kind == .uninstall
                ? (target?.info.uninstall?.rebootRequired ?? false)
                : (target?.info.rebootRequired ?? false),
            options: item.options, previousVersion: current, phase: .pending)
        if target == nil {
            entry.phase = .failed
            entry.message = "the repository's trusted metadata offers no package \(item.packageID ?? "for \(item.moduleID)") for this server"
            entry.finishedBootID = session.bootID
        }
        return entry
    }

    // MARK: - Running

    /// Runs every runnable entry: all downloads first (so a slow or broken network never leaves a run
    /// half applied for want of a package), then each item in order. Before each item the directives are
    /// checked again: an item cancelled meanwhile does not start, and a manager that cannot be reached
    /// triggers the approval's on-lost-contact rule (stop: the rest is cancelled, R088–R091).
    func runAll() throws {
        for entry in session.journal.runnable where entry.phase == .pending || entry.phase == .downloading {
            try download(entry.itemID)
        }
        while let next = session.journal.runnable.first {
            guard try stillApproved(next) else { continue }
            if next.phase != .downloaded { try download(next.itemID) }
            try run(next.itemID)
        }
        FaultPoint.reach("after-last-item")
        try rebootIfDue()
    }

    /// Asks the manager whether `entry` is still approved. Cancels it (false) when it is not; applies
    /// the on-lost-contact rule when the manager does not answer.
    func stillApproved(_ entry: ApplyJournal.Entry) throws -> Bool {
        if control?.takeCancel() == true {
            try cancelNotStarted(.cancelledOnServer)
            return false
        }
        if let directives = try? session.link.directives(etag: nil) {
            session.contactLost = nil
            session.credentialRefused = false
            session.state.directives = directives.directives
            session.state.directivesETag = directives.etag
            let listed = directives.directives.items.contains(where: { $0.id == entry.itemID })
            return try conclude(entry.itemID, try advance(entry.itemID, .directivesChecked(listed: listed))) == false
        }
        if session.contactLost == nil { session.lostContact(AgentError("the manager did not answer the directives check", kind: .unreachable)) }
        guard entry.options.onLostContact == .stop else { return true }
        session.journal.stoppedForLostContact = true
        try cancelNotStarted(.contactLost(stop: true))
        return false
    }

    /// Cancels every entry that has not started (pending, downloading, downloaded).
    func cancelNotStarted(_ event: ApplyItemMachine.Event) throws {
        for waiting in session.journal.runnable where waiting.phase.state != .started {
            try conclude(waiting.itemID, try advance(waiting.itemID, event))
        }
    }

    /// Brings one item's package into the cache. A download that stopped stays pending (it resumes next
    /// time) and stops the run; a package the metadata does not vouch for fails the item.
    func download(_ itemID: Int64) throws {
        guard let entry = session.journal.entry(itemID), let target = entry.target else { return }
        FaultPoint.reach("before-download")
        try advance(itemID, .downloadStarted) { $0.percent = 0 }
        // Download progress is 0–25 % of the item, reported at most every 2 s.
        var lastReport = CommandRunner.monotonicMilliseconds()
        let progress: (Int) -> Void = { received in
            FaultPoint.reach("during-download")
            let now = CommandRunner.monotonicMilliseconds()
            guard now - lastReport >= 2000, target.length > 0 else { return }
            lastReport = now
            try? update(itemID) { $0.percent = min(24, received * 25 / target.length) }
        }
        do { _ = try cache.fetch(target, progress: progress) } catch {
            let text = "\(error)"
            if (error as? AgentError)?.kind == .resumable {
                try advance(itemID, .downloadInterrupted(reason: text)) {
                    $0.percent = nil; $0.message = text
                }
                throw error
            }
            try conclude(itemID, try advance(itemID, .downloadFailed(reason: text)))
            return
        }
        try advance(itemID, .downloaded) { $0.percent = 25 }
    }

    /// One downloaded item: verify, extract, verify again, run, judge.
    func run(_ itemID: Int64) throws {
        guard let entry = session.journal.entry(itemID), entry.phase == .downloaded, let target = entry.target else { return }
        let gate = HealthGate(
            mode: HealthGate.Mode(rawValue: session.configuration.agent.healthGate) ?? .normal, sources: session.configuration.inventory)
        if let refusal = gate.refusal(for: entry) { try conclude(itemID, try advance(itemID, .refused(reason: refusal)), refused: true); return }
        try advance(itemID, .verificationStarted) { $0.percent = 30 }
        FaultPoint.reach("verifying")
        let archive = cache.path(for: target)
        let staging: PackageStaging
        let command: PackageInfo.Command
        do {
            try cache.check(archive, against: target)
            let keys = try TrustedKeys.load(directory: session.configuration.trust.keysDirectory)
            staging = try PackageStaging.prepare(archive: archive, into: stagingDirectory(itemID), trustedKeys: keys)
            guard staging.package.info.id == target.info.id, staging.package.info.version == target.info.version else {
                throw AgentError(
                    "the package is \(staging.package.info.id) \(staging.package.info.version), not the \(target.info.id) \(target.info.version) the metadata describes: refused"
                )
            }
            let signed = staging.package.info
            if let refusal = signedRefusal(signed, for: entry) { throw AgentError(refusal) }
            guard let chosen = entry.kind == .apply ? signed.apply : signed.uninstall else {
                throw AgentError("\(target.info.id) has no \(entry.kind == .apply ? "Apply" : "Uninstall") program")
            }
            command = chosen
            try staging.recheck()
            // How it runs comes from what the vendor signed, never from the repository's metadata.
            try update(itemID) {
                $0.rebootRequired = entry.kind == .apply ? signed.rebootRequired : chosen.rebootRequired
                $0.timeoutSeconds = chosen.timeoutSeconds
            }
        } catch {
            try? LocalDirectory.removeTree(stagingDirectory(itemID))
            // The package did not pass a check: refused (a warning), not an update that failed (an error).
            try conclude(itemID, try advance(itemID, .refused(reason: "\(error)")), refused: true); return
        }
        guard try advance(itemID, .verified) == .startProgram else { return }

        // The journal says "running" before the program exists: a crash in between is found again by
        // the program's working directory (see recover()).
        try advance(itemID, .programStarted) {
            $0.percent = 50; $0.startedAt = session.clock()
        }
        session.events(
            AgentEvent(
                .info, "item #\(itemID) started: \(entry.kind == .apply ? "apply" : "uninstall") \(entry.packageID)",
                ["module": entry.moduleID, "version": entry.version ?? "-"]))
        let program: DetachedProgram
        do {
            try LocalFile.makeDirectories(stateDirectory + "/logs", mode: 0o700)
            program = try DetachedProgram.start(
                [staging.directory + "/" + command.path], directory: staging.directory,
                environment: environment(entry, staging: staging.directory), logPath: logPath(itemID))
        } catch {
            try conclude(itemID, try advance(itemID, .refused(reason: "the program could not be started: \(error)"))); return
        }
        try update(itemID) { $0.program = program }
        FaultPoint.reach("running")
        let ending = program.wait(deadline: CommandRunner.monotonicMilliseconds() + command.timeoutSeconds * 1000, abandon: stopping)
        if ending == .abandoned { throw AgentStopping(itemID: itemID) }
        try judge(itemID, ending: ending, timeoutSeconds: command.timeoutSeconds)
    }

    /// Why the signed `ExUpInfo.xml` may not run on this server for this item (see SignedPackageCheck).
    func signedRefusal(_ signed: PackageInfo, for entry: ApplyJournal.Entry) -> String? {
        guard let platform = session.state.platform else {
            return "this server's model and OS are not known, so no package can be checked against them: refused"
        }
        let installed = session.inventory.modules.first { $0.id == entry.moduleID }?.version
        let approved = SignedPackageCheck.Approved(
            moduleID: entry.moduleID, version: entry.kind == .apply ? entry.version : nil,
            isUninstall: entry.kind == .uninstall)
        return SignedPackageCheck.refusal(
            signed: signed, approved: approved, platform: platform, installed: installed,
            scheme: VersionScheme.forModule(entry.moduleID, on: platform.os))
    }

    /// Whether the daemon is stopping (see `AgentControl.stop`).
    var stopping: () -> Bool { { [control] in control?.isStopping ?? false } }

    /// Keeps the `count` newest program logs (by item id).
    func pruneLogs(keeping count: Int) {
        let logs = ((try? LocalDirectory.list(stateDirectory + "/logs")) ?? []).compactMap { name -> (Int64, String)? in
            guard name.hasPrefix("item-"), name.hasSuffix(".log"), let id = Int64(name.dropFirst(5).dropLast(4)) else { return nil }
            return (id, name)
        }.sorted { $0.0 > $1.0 }
        for (_, name) in logs.dropFirst(count) { unlink(stateDirectory + "/logs/" + name) }
    }

    func environment(_ entry: ApplyJournal.Entry, staging: String) -> [String] {
        [
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "EXUP_PACKAGE_ID=\(entry.packageID)", "EXUP_MODULE=\(entry.moduleID)",
            "EXUP_CURRENT_VERSION=\(entry.previousVersion ?? "")", "EXUP_TARGET_VERSION=\(entry.version ?? "")", "EXUP_STAGING_DIR=\(staging)",
        ]
    }

    /// Judges a program's end through the machine; what the module reads and the program's last output
    /// complete the reason of a failure.
    func judge(_ itemID: Int64, ending: DetachedProgram.Ending, timeoutSeconds: Int) throws {
        guard let entry = session.journal.entry(itemID) else { return }
        try? LocalDirectory.removeTree(stagingDirectory(itemID))
        let observed: ApplyItemMachine.ProgramEnding
        switch ending {
        case .timedOut: observed = .timedOut(seconds: timeoutSeconds)
        case .exited(let status): observed = .exited(status: status)
        case .unknown, .abandoned: observed = .unknownAfterRestart
        }
        let ran = { if case .exited(0) = observed { return true } else { return observed == .unknownAfterRestart } }()
        let reading = ran ? session.reread(entry.moduleID) : nil
        let action = try advance(itemID, .programEnded(observed, reachedTarget: ran && reachedTarget(entry, reading)))
        guard case .finished(.failed, let reason) = action else { try conclude(itemID, action); return }
        let detail: String
        if ran {
            let read = reading?.version ?? (reading?.error ?? "not installed")
            detail = (reason ?? "") + "\(entry.moduleID) reads \(read) afterwards, not \(entry.version ?? "not installed")"
        } else {
            detail = reason ?? ""
        }
        try conclude(itemID, .finished(.failed, reason: detail + outputTail(itemID)))
    }

    /// Whether the module now reads what the item aimed at: the target version, or, for an uninstall,
    /// not installed (an unreadable module has reached nothing).
    func reachedTarget(_ entry: ApplyJournal.Entry, _ reading: ModuleReading?) -> Bool {
        if entry.kind == .uninstall { return reading?.version == nil && reading?.error == nil }
        guard let version = entry.version, let now = reading?.version, let os = session.state.platform?.os else { return false }
        return VersionScheme.forModule(entry.moduleID, on: os).compare(now, version) == 0
    }

    /// The last lines of the item's output, for a failure's cause.
    func outputTail(_ itemID: Int64) -> String {
        guard let bytes = LocalFile.read(logPath(itemID), limit: 64 << 20), !bytes.isEmpty else { return "" }
        let lines = String(decoding: bytes.suffix(2048), as: UTF8.self).split(separator: "\n").suffix(5)
        return "; last output: " + lines.joined(separator: " | ")
    }

    // MARK: - Recovery

    /// After a restart: waits for a program a previous agent left running, judges every item that was
    /// running by re-reading its module, and puts interrupted downloads and verifications back in line.
    func recover() throws {
        for entry in session.journal.entries where !entry.phase.isFinished {
            switch entry.phase {
            case .downloading, .verifying:
                try advance(entry.itemID, .agentRestarted) { $0.percent = nil }
            case .running:
                guard try advance(entry.itemID, .agentRestarted) == .awaitProgram else { continue }
                var program = entry.program
                if program == nil, let pid = DetachedProgram.find(workingDirectory: stagingDirectory(entry.itemID)) {
                    program = DetachedProgram(pid: pid, startTime: DetachedProgram.startTime(of: pid) ?? 0)
                }
                var ending = DetachedProgram.Ending.unknown
                if let program, program.isRunning {
                    let timeout = entry.timeoutSeconds ?? PackageInfo.Command.defaultTimeoutSeconds
                    let elapsed = Int(session.clock() - (entry.startedAt ?? session.clock()))
                    let left = max(0, timeout - elapsed)
                    ending = program.wait(deadline: CommandRunner.monotonicMilliseconds() + left * 1000, abandon: stopping)
                    if ending == .abandoned { throw AgentStopping(itemID: entry.itemID) }
                    if ending == .timedOut { try judge(entry.itemID, ending: .timedOut, timeoutSeconds: timeout); continue }
                    ending = .unknown
                }
                try judge(entry.itemID, ending: ending, timeoutSeconds: 0)
            default: break
            }
        }
    }

    // MARK: - Journal changes

    /// Changes one entry, writes the journal durably, then reports.
    func update(_ itemID: Int64, _ change: (inout ApplyJournal.Entry) -> Void) throws {
        guard let index = session.journal.entries.firstIndex(where: { $0.itemID == itemID }) else { return }
        change(&session.journal.entries[index])
        try session.saveJournal()
        try session.publish()
    }

    /// The machine of a journal entry, at the entry's step.
    static func machine(for entry: ApplyJournal.Entry) -> ApplyItemMachine {
        ApplyItemMachine(
            step: entry.phase, kind: entry.kind, rebootRequired: entry.rebootRequired,
            isOwnUninstall: entry.kind == .uninstall && entry.moduleID == ModuleID.agent)
    }

    /// Feeds one event to the entry's machine, records the step it reaches (with `change`'s details,
    /// durably, then reported) and returns what to do next. A finished entry is recorded by `conclude`.
    @discardableResult
    func advance(
        _ itemID: Int64, _ event: ApplyItemMachine.Event, _ change: ((inout ApplyJournal.Entry) -> Void)? = nil
    ) throws
        -> ApplyItemMachine.Action
    {
        guard let entry = session.journal.entry(itemID) else { return .none }
        var machine = Self.machine(for: entry)
        let action = try machine.handle(event)
        if case .finished = action { return action }
        // Nothing to record when the step stays and nothing else changes.
        guard machine.step != entry.phase || change != nil else { return action }
        try update(itemID) {
            $0.phase = machine.step
            change?(&$0)
        }
        return action
    }

    /// Records an action that finished the entry; true when it did.
    @discardableResult
    func conclude(_ itemID: Int64, _ action: ApplyItemMachine.Action, refused: Bool = false) throws -> Bool {
        guard case .finished(let end, let reason) = action else { return false }
        try finish(itemID, end, reason, refused: refused && end == .failed)
        return true
    }

    func finish(_ itemID: Int64, _ phase: ApplyJournal.Entry.Phase, _ message: String?, refused: Bool = false) throws {
        try update(itemID) {
            $0.phase = phase
            $0.percent = phase == .failed || phase == .cancelled ? nil : 100
            $0.message = message
            $0.finishedBootID = session.bootID
        }
        guard let entry = session.journal.entry(itemID) else { return }
        let level: AgentEvent.Level = phase == .failed ? (refused ? .warning : .error) : phase == .cancelled ? .notice : .info
        let word = refused ? "refused" : phase.rawValue
        session.events(
            AgentEvent(
                level, "item #\(itemID) \(word)" + (message.map { ": \($0)" } ?? ""),
                ["module": entry.moduleID, "package": entry.packageID]))
    }
}
