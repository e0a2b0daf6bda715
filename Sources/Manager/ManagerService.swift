import ApplicationLog
import ExupCore
import ExupCrypto
import ExupSystem
import Repository

/// The manager (seed §2.1, §2.3.1, §3.5.1), put together from small services that share one store:
/// enrolment and credentials, reports, statuses, approvals, users, groups, policies, remote batches and
/// log bundles. Only the services with state of their own hold it (credential and session caches,
/// heartbeats, login throttles). Whatever must not interleave is decided in the store's transactions
/// (a batch is claimed before it fires, an approval is checked where it is written) or passes a
/// `SerialGate` (credential changes).
public final class ManagerService: Sendable {
    public typealias Settings = ManagerContext.Settings

    public let store: any ManagerDatabase
    public let enrolment: EnrolmentService
    public let reports: ReportService
    public let statuses: StatusService
    public let approvals: ApprovalService
    public let users: UserService
    public let groups: GroupService
    public let policies: PolicyService
    public let schedules: ScheduleService
    public let logBundles: LogBundleService
    /// What the manager logs at start about its own files (a credential key anyone can read).
    public let startWarnings: [String]

    /// Opens the manager on `store`, with the credential key at `credentialKey` (default
    /// DATA/agent-credentials.key; the shared keys directory with `[storage] keys-dir`), created at first
    /// start, refused when damaged, never silently replaced: a new key would revoke every agent and session
    /// at once.
    public static func open(
        dataDirectory: String, credentialKey keyFile: String? = nil, store: any ManagerDatabase, repository: RepositoryService,
        source: (any PackageSource)? = nil, settings: Settings = Settings(), clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) async throws -> ManagerService {
        let keyPath = keyFile ?? dataDirectory + "/agent-credentials.key"
        let credentialKey: [UInt8]
        var warnings: [String] = []
        if let contents = try SecretFile.read(keyPath, limit: 64) {
            guard contents.bytes.count == 32 else {
                throw ManagerError.invalid(
                    "\(keyPath) holds \(contents.bytes.count) bytes, not the 32 of the credential key: restore it from a backup "
                        + "(removing it makes every agent enrol again and every user log in again)")
            }
            warnings = contents.warning.map { [$0] } ?? []
            credentialKey = contents.bytes
        } else {
            credentialKey = try SecureRandom.bytes(32)
            try LocalFile.writeAtomically(credentialKey, to: keyPath, mode: 0o600)
        }
        let context = ManagerContext(
            store: store, repository: repository, source: source ?? repository, settings: settings, clock: clock, credentialKey: credentialKey,
            dataDirectory: dataDirectory)
        let manager = ManagerService(
            context: context, credentials: try await store.activeCredentials(), sessions: try await store.openSessions(now: clock()),
            startWarnings: warnings)
        // With one process on the database, a batch still running was cut short by this manager's stop;
        // with several, only the one that takes the jobs over may say so (see `takeOverJobs`).
        if store.changeFeed() == nil { try await manager.schedules.endInterrupted() }
        manager.followStoreChanges()
        return manager
    }

    /// Called when this manager starts running the jobs (it got the jobs' lock): a batch marked running
    /// belonged to the manager that ran them before, which is gone, so it ended interrupted.
    public func takeOverJobs() async throws {
        try await schedules.endInterrupted()
    }

    init(context: ManagerContext, credentials: [AgentCredential], sessions: [SessionRecord], startWarnings: [String]) {
        store = context.store
        let heartbeats = Heartbeats(), platformsServed = PlatformsServed()
        enrolment = EnrolmentService(context: context, platformsServed: platformsServed, credentials: credentials)
        statuses = StatusService(context: context, heartbeats: heartbeats)
        reports = ReportService(context: context, heartbeats: heartbeats, platformsServed: platformsServed, enrolment: enrolment)
        approvals = ApprovalService(context: context, statuses: statuses)
        users = UserService(context: context, sessions: sessions)
        groups = GroupService(context: context, statuses: statuses, approvals: approvals)
        policies = PolicyService(context: context, statuses: statuses, approvals: approvals)
        schedules = ScheduleService(context: context, approvals: approvals)
        logBundles = LogBundleService(context: context)
        self.startWarnings = startWarnings
    }
}

#if canImport(Glibc)
    import Glibc
#endif
