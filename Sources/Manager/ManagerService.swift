import ApplicationLog
import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import FoundationEssentials
import GRDB
import Repository
import Synchronization
import TUF

/// Why a manager operation was refused; `status` maps onto HTTP.
public struct ManagerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case unauthorised, notFound, conflict, invalid, throttled }
    public var kind: Kind
    public var code: String
    public var message: String
    public var description: String { message }

    static func conflict(_ code: String, _ message: String) -> ManagerError { ManagerError(kind: .conflict, code: code, message: message) }
    static func notFound(_ message: String) -> ManagerError { ManagerError(kind: .notFound, code: "not-found", message: message) }
    static func invalid(_ message: String) -> ManagerError { ManagerError(kind: .invalid, code: "invalid", message: message) }
}

/// The manager (seed §2.1, §2.3.1, §3.5.1): enrolment and credentials, reports and heartbeats, statuses,
/// approvals and the directives agents pull. One actor for changes; credential checks and heartbeats
/// take no actor hop (they happen on every poll).
public actor ManagerService {
    public struct Settings: Sendable {
        public var pollIntervalSeconds = 300
        /// An agent silent for longer than this many poll intervals is in "communication failure".
        public var communicationFailureAfterPolls = 3
        /// The icon a download-only module shows until someone sets it (the repository's initial status icon).
        public var initialStatusIcon = ModuleFacts.defaultInitialIcon
        public init() {}
    }

    public nonisolated let store: ManagerStore
    nonisolated let dataDirectory: String
    /// The local repository: the application log lives in its catalog.
    let repository: RepositoryService
    /// Where packages and the root come from: the local repository, or a remote one.
    let source: any PackageSource
    let settings: Settings
    let clock: @Sendable () -> Int64
    let credentialKey: [UInt8]
    /// credential id → (agent name, HMAC of the secret); revoked agents are absent.
    nonisolated let credentials = Mutex([String: (name: String, hmac: String)]())
    /// Heartbeats since the last flush: agent → time. Written in batches (a poll must not cost a commit).
    nonisolated let heartbeats = Mutex([String: Int64]())
    /// (platform, previous generations) combinations already passed to the repository.
    nonisolated let reportedPlatforms = Mutex(Set<String>())
    /// Open user sessions: id → (HMAC of the secret, user, role, expiry).
    nonisolated let sessions = Mutex([String: SessionEntry]())
    /// Failed logins by source and user name (a guesser is slowed down; see LoginGuard).
    nonisolated let loginGuard = Mutex(LoginGuard())
    /// What the manager logs at start about its own files (a credential key anyone can read).
    public nonisolated let startWarnings: [String]
    /// Failed enrolments (guessed tokens) by source.
    nonisolated let enrolmentThrottle = Mutex(LoginThrottle(free: 10))
    /// Password hashing (PBKDF2) off the request path: half the cores at most, a short queue, then "busy".
    nonisolated let passwordHashing = WorkLimiter(permits: max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2), maxWaiting: 32)
    /// The repository's initial status icon, changed from the settings page while the manager runs.
    nonisolated let initialIcon: Mutex<ManualIcon>

    public init(
        dataDirectory: String, repository: RepositoryService, source: (any PackageSource)? = nil, settings: Settings = Settings(),
        clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) throws {
        store = try ManagerStore(path: dataDirectory + "/manager.sqlite")
        self.dataDirectory = dataDirectory
        self.repository = repository
        self.source = source ?? repository
        self.settings = settings
        initialIcon = Mutex(settings.initialStatusIcon)
        self.clock = clock
        // The key behind every agent credential and user session: refused when others can change it, and
        // never silently replaced (a new key would revoke every agent and session at once).
        let keyPath = dataDirectory + "/agent-credentials.key"
        if let contents = try SecretFile.read(keyPath, limit: 64) {
            guard contents.bytes.count == 32 else {
                throw ManagerError.invalid(
                    "\(keyPath) holds \(contents.bytes.count) bytes, not the 32 of the credential key: restore it from a backup "
                        + "(removing it makes every agent enrol again and every user log in again)")
            }
            startWarnings = contents.warning.map { [$0] } ?? []
            credentialKey = contents.bytes
        } else {
            startWarnings = []
            credentialKey = try SecureRandom.bytes(32)
            try LocalFile.writeAtomically(credentialKey, to: keyPath, mode: 0o600)
        }
        let rows = try store.read { db in try Row.fetchAll(db, sql: "SELECT name, credential_id, credential_hmac FROM agent WHERE revoked = 0") }
        credentials.withLock { cache in
            for row in rows { cache[row["credential_id"]] = (row["name"], row["credential_hmac"]) }
        }
        let now = clock()
        let open = try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT session.*, user.role FROM session JOIN user ON user.name = session.user WHERE expires > ?", arguments: [now])
        }
        sessions.withLock { cache in
            for row in open {
                cache[row["id"]] = SessionEntry(
                    hmac: row["hmac"], user: row["user"], role: UserRole(rawValue: row["role"]) ?? .viewer, expires: row["expires"])
            }
        }
    }

    // MARK: - Helpers

    func agentRecord(_ name: String) throws -> AgentRecord? {
        try store.read { db in try Row.fetchOne(db, sql: "SELECT * FROM agent WHERE name = ?", arguments: [name]).map(AgentRecord.init(row:)) }
    }

    func openItems(agent: String) throws -> [ApprovalItemRecord] {
        try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM approval_item WHERE agent = ? AND state IN ('pending', 'downloading', 'started') ORDER BY id",
                arguments: [agent]
            ).map(ApprovalItemRecord.init(row:))
        }
    }

    /// The agents, without their reports (a listing must not decode every server's inventory).
    public nonisolated func agents() throws -> [AgentSummary] {
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT name, enrolled_at, last_seen, revoked, report_sequence FROM agent ORDER BY name")
        }
        return rows.map { row in
            let name: String = row["name"]
            let seen = lastSeen(name, stored: row["last_seen"])
            return AgentSummary(
                name: name, enrolledAt: UTCTime(seconds: row["enrolled_at"]).description,
                lastSeen: UTCTime(seconds: seen).description, revoked: row["revoked"], reportSequence: row["report_sequence"])
        }
    }

    /// Whether an agent of this name is enrolled (revoked or not).
    public nonisolated func isKnownAgent(_ name: String) throws -> Bool {
        try store.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM agent WHERE name = ?", arguments: [name]) != nil }
    }

    nonisolated func log(
        _ event: AppLogEvent, actor: String, server: String? = nil, module: String? = nil, versions: String? = nil, cause: String? = nil
    ) throws {
        try repository.catalog.log(
            AppLogEntry(time: clock(), event: event, actor: actor, server: server, module: module, versions: versions, cause: cause))
    }
}

#if canImport(Glibc)
    import Glibc
#endif
