import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import Inventory

#if canImport(Glibc)
    import Glibc
#endif

/// One poll of the agent's loop: enrol on the first start (pinning the repository's root.json against
/// the hash the token carries), read the inventory, report it when it changed, and fetch the directives
/// with a conditional GET. `exup-agent run --once` runs exactly this; the daemon repeats it.
public struct AgentCycle {
    public struct Outcome: Sendable, Codable {
        public var name: String
        /// The agent is enrolled (always, once a cycle ran).
        public var enrolled: Bool
        /// It enrolled in this cycle.
        public var enrolledNow: Bool
        /// The sequence sent, when a report went out.
        public var reported: Int64?
        public var directivesChanged: Bool
        public var directives: Directives?
        public var problems: [String]
        /// Package ids the repository offers for this model (trusted metadata).
        public var offered: [String]
        public var metadataRefusal: String?
        /// The journal's items as the manager is told them.
        public var items: [AgentReport.ItemState]
        /// Reports not delivered yet.
        public var waitingReports: Int
        /// The items that ended in this cycle (what its exit status is judged on; `items` also lists earlier ones).
        public var endedNow: [Int64] = []
    }

    /// What a cycle may do besides polling and reporting.
    public enum Mode: String, Sendable, Codable {
        /// Poll, report, and run the approved items that are due (the daemon's cycle; `exup-agent apply`).
        case apply
        /// Poll and report only (`exup-agent check`).
        case check
        /// Cancel every approved item that has not started, then report (`exup-agent cancel`).
        case cancel
    }

    let configuration: AgentConfiguration
    let store: AgentStateStore
    let clock: () -> Int64
    let mode: Mode
    let control: AgentControl?
    let events: AgentEventSink

    public init(
        configuration: AgentConfiguration, mode: Mode = .apply, control: AgentControl? = nil,
        events: @escaping AgentEventSink = { _ in }, clock: @escaping () -> Int64 = { Int64(time(nil)) }
    ) {
        self.events = events
        self.configuration = configuration
        store = AgentStateStore(directory: configuration.agent.stateDirectory)
        self.clock = clock
        self.mode = mode
        self.control = control
    }

    public func runOnce() throws -> Outcome {
        guard let url = configuration.manager.url else {
            throw AgentError(
                configuration.fileMissing
                    ? "no configuration file at \(AgentConfiguration.defaultPath): write one with [manager] url (or pass --config FILE)"
                    : "[manager] url is not set in the configuration")
        }
        do { try LocalFile.makeDirectories(store.directory, mode: 0o700) } catch { throw AgentError("cannot create \(store.directory): \(error)") }
        let lock = try AgentLock(stateDirectory: store.directory)
        defer { withExtendedLifetime(lock) {} }
        var enrolled = false
        let state: AgentState
        if let saved = try store.load(), try store.credential() != nil {
            state = saved
        } else {
            state = try enrol(url: url)
            enrolled = true
            events(AgentEvent(.notice, "enrolled as \(state.name)", ["manager": url]))
        }
        guard let credential = try store.credential() else { throw AgentError("no credential in \(store.directory)") }
        let link = ManagerLink(url: url, credential: credential, caFile: configuration.manager.caFile, proxy: configuration.proxy)
        let session = try AgentSession(configuration: configuration, store: store, state: state, link: link, clock: clock)
        session.events = events
        var cache = PackageCache(
            directory: configuration.agent.cacheDirectory, managerURL: url, credential: credential,
            caFile: configuration.manager.caFile, proxy: configuration.proxy)
        cache.reserve = configuration.agent.cacheReserveBytes
        let runner = ApplyRunner(session: session, control: control, cache: cache)

        let finishedBefore = Set(session.journal.entries.filter { $0.phase.isFinished }.map(\.itemID))
        // What a previous agent left running is judged first: its results lead the next report.
        session.loadInventory(force: mode == .check || enrolled)
        try runner.recover()
        try runner.confirmAfterBoot()
        if let model = session.inventory.model {
            do {
                let cached = session.state.offerModel == model ? session.state.offered : nil
                let (offer, etag) = try RepositoryOffer(
                    metadataDirectory: store.metadataDirectory, managerURL: url, credential: credential,
                    caFile: configuration.manager.caFile, proxy: configuration.proxy
                )
                .refresh(model: model, now: clock(), etag: session.state.timestampETag, cached: cached)
                session.state.offered = offer
                session.state.offerModel = model
                session.state.timestampETag = etag
                session.state.metadataRefusal = nil
            } catch let error as AgentError {
                session.state.metadataRefusal = error.description  // the last trusted metadata stays; the manager is told
            } catch {
                session.lostContact(error)  // unreachable: nothing was refused
            }
            // Software the repository newly offers is read too (a package not installed is a new install).
            let known = Set(session.inventory.modules.map(\.id))
            if (session.state.offered ?? []).contains(where: { ModuleID.osPackageName($0.info.moduleID) != nil && !known.contains($0.info.moduleID) })
            {
                session.readInventory()
            }
        }
        try session.publish()

        var changed = false
        do {
            if let (directives, etag) = try link.directives(etag: session.state.directivesETag) {
                session.state.directives = directives
                session.state.directivesETag = etag
                changed = true
            }
            // Kept to the quarter hour: an idle poll writes nothing to disk (the running daemon knows the exact
            // time and `exup-agent status` asks it).
            if clock() - (session.state.lastPoll ?? 0) >= 900 { session.state.lastPoll = clock() }
        } catch {
            session.lostContact(error)
        }
        try store.save(session.state)
        if let directives = session.state.directives, session.contactLost == nil {
            try runner.plan(directives, includingFuture: mode == .cancel)
            if mode == .cancel {
                _ = control?.takeCancel()
                try runner.cancelNotStarted(.cancelledOnServer)
            }
            if mode == .apply, !session.journal.runnable.isEmpty || session.journal.entries.contains(where: { $0.awaitingRebootDecision == true }) {
                try runner.runAll()
                // What the manager lists now that the results are in (finished items leave the directives).
                if session.contactLost == nil, let (directives, etag) = try? link.directives(etag: session.state.directivesETag) {
                    session.state.directives = directives
                    session.state.directivesETag = etag
                }
            }
            if directives.uploadLogBundle { session.uploadLogBundle() }
            try store.save(session.state)
        }
        let items = session.journal.entries.compactMap(\.reported)  // this run's results, before compaction
        let endedNow = session.journal.entries.filter { $0.phase.isFinished && !finishedBefore.contains($0.itemID) }.map(\.itemID)
        let dropped = session.journal.compact(
            listed: Set((session.state.directives?.items ?? []).map(\.id)), delivered: session.outbox.waiting.isEmpty,
            bootID: session.bootID)
        try session.saveJournal()
        // The state directory stays bounded: the newest program logs stay (for log bundles), older ones go.
        if !dropped.isEmpty { runner.pruneLogs(keeping: 50) }
        runner.cache.prune(
            keeping: (session.state.offered ?? []).filter { offered in
                session.journal.entries.contains { $0.target?.path == offered.path && !$0.phase.isFinished }
            })
        if let lost = session.contactLost {
            if session.credentialRefused {
                throw AgentError(
                    "the manager refused this agent's credential (revoked or rotated at the manager): \(lost); "
                        + "enrol again with a new token (exup agents token create; a server still enrolled under this name also needs exup agents allow-reenrol)"
                )
            }
            throw AgentError(
                (lost.hasPrefix("cannot reach the manager") ? lost : "cannot reach the manager: \(lost)") + " (reports wait in the outbox)")
        }
        return Outcome(
            name: session.state.name, enrolled: true, enrolledNow: enrolled, reported: session.queued, directivesChanged: changed,
            directives: session.state.directives, problems: session.inventory.problems,
            offered: (session.state.offered ?? []).map(\.info.id), metadataRefusal: session.state.metadataRefusal,
            items: items, waitingReports: session.outbox.waiting.count, endedNow: endedNow)
    }

    /// Enrols with the configured token; refuses a root.json whose SHA-256 is not the one the token carries.
    func enrol(url: String) throws -> AgentState {
        guard let token = configuration.manager.enrolmentToken, !token.isEmpty else {
            if let missing = configuration.manager.enrolmentTokenFileMissing {
                throw AgentError(
                    "not enrolled yet and the enrolment-token-file \(missing) does not exist: write the token there (exup agents token create --out FILE)"
                )
            }
            throw AgentError("not enrolled yet and no [manager] enrolment-token or enrolment-token-file: create one with `exup agents token create`")
        }
        guard let parsed = EnrolmentToken.parse(token) else {
            throw AgentError("the enrolment token is malformed (expected exup1.<secret>.<sha256>)")
        }
        let name = configuration.agent.name ?? Self.hostname()
        let answer = try ManagerLink(url: url, credential: nil, caFile: configuration.manager.caFile, proxy: configuration.proxy)
            .enrol(EnrolmentRequest(token: token, name: name, hostname: Self.hostname()))
        guard let root = Base64.decode(Array(answer.root.utf8)), SHA256Hasher.hash(root).hex == parsed.rootSHA256 else {
            throw AgentError("the manager's root.json does not match the SHA-256 in the enrolment token: refusing to trust it")
        }
        let state = AgentState(name: answer.name, managerURL: url)
        try store.saveEnrolment(credential: answer.credential, root: root, state: state)
        return state
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
