import ExupCore
import FoundationEssentials
import GRDB

/// The manager's database (`DATA/manager.sqlite`, WAL): enrolment tokens, agents, their latest reports,
/// and approval items. Migrations are named and only appended.
public final class ManagerStore: Sendable {
    let pool: DatabasePool
    /// Reports are written through this: one transaction (one fsync) per burst, not per report.
    public let batched: GroupCommit

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-26 agents and approvals") { db in
            try db.create(table: "enrolment_token") { t in
                t.primaryKey("secret_hash", .text)
                t.column("expires", .integer).notNull()
                t.column("uses_left", .integer).notNull()
                t.column("created", .integer).notNull()
            }
            try db.create(table: "agent") { t in
                t.primaryKey("name", .text)
                t.column("credential_id", .text).notNull().unique()
                t.column("credential_hmac", .text).notNull()
                t.column("enrolled_at", .integer).notNull()
                t.column("revoked", .boolean).notNull().defaults(to: false)
                t.column("allow_reenrolment", .boolean).notNull().defaults(to: false)
                t.column("last_seen", .integer).notNull()
                t.column("report", .text)
                t.column("report_sequence", .integer).notNull().defaults(to: 0)
                t.column("directives_version", .integer).notNull().defaults(to: 1)
                t.column("upload_logs", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "approval_item") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("agent", .text).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("module", .text).notNull()
                t.column("package_id", .text)
                t.column("version", .text)
                t.column("latest_at_run_time", .boolean).notNull()
                t.column("options", .text).notNull()
                t.column("state", .text).notNull()
                t.column("message", .text)
                t.column("percent", .integer)
                t.column("created", .integer).notNull()
                t.column("updated", .integer).notNull()
                // The agent's report sequence when the item last changed: a cancelled module shows
                // "Cancelled" until the agent reports again.
                t.column("report_sequence", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("2026-11-26 users") { db in
            try db.create(table: "user") { t in
                t.primaryKey("name", .text)
                t.column("role", .text).notNull()
                t.column("password_hash", .text).notNull()
                t.column("created", .integer).notNull()
                t.column("last_login", .integer)
                // New-package notices before this time were shown (R148–R150).
                t.column("notices_seen", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "session") { t in
                t.primaryKey("id", .text)
                t.column("hmac", .text).notNull()
                t.column("user", .text).notNull().indexed()
                t.column("created", .integer).notNull()
                t.column("expires", .integer).notNull()
            }
        }
        migrator.registerMigration("2026-11-26 groups, schedules, policies, manual statuses") { db in
            try db.create(table: "server_group") { t in
                t.primaryKey("name", .text)
                t.column("created", .integer).notNull()
                // JSON GroupPolicy, or NULL: no automatic approval.
                t.column("policy", .text)
                // Whether the policy was paused at its last evaluation (logged once per change).
                t.column("policy_paused", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "group_member") { t in
                t.column("group_name", .text).notNull().references("server_group", onDelete: .cascade)
                t.column("server", .text).notNull().indexed()
                t.primaryKey(["group_name", "server"])
            }
            try db.alter(table: "enrolment_token") { t in t.add(column: "group_name", .text) }
            try db.create(table: "schedule") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("target_kind", .text).notNull()
                t.column("target", .text).notNull()
                t.column("start_at", .integer).notNull().indexed()
                t.column("allow_reboot", .boolean).notNull()
                t.column("download_first", .boolean).notNull()
                t.column("state", .text).notNull()
                t.column("created_by", .text).notNull()
                t.column("created", .integer).notNull()
                t.column("result", .text)
            }
            try db.create(table: "manual_status") { t in
                t.column("server", .text).notNull()
                t.column("module", .text).notNull()
                t.column("icon", .text).notNull()
                t.primaryKey(["server", "module"])
            }
        }
        try migrator.migrate(pool)
        batched = GroupCommit(pool: pool)
    }

    public func write<T>(_ body: (Database) throws -> T) throws -> T { try pool.write(body) }

    /// A consistent copy of the whole database at `path` (SQLite's online backup; writers may go on).
    public func backup(to path: String) throws {
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.close()
    }
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }
}

/// An agent as the manager knows it.
public struct AgentRecord: Sendable, Hashable {
    public var name: String
    public var credentialID: String
    public var credentialHMAC: String
    public var enrolledAt: Int64
    public var revoked: Bool
    public var allowReenrolment: Bool
    public var lastSeen: Int64
    public var report: AgentReport?
    public var reportSequence: Int64
    public var directivesVersion: Int64
    public var uploadLogs: Bool

    init(row: Row) throws {
        name = row["name"]
        credentialID = row["credential_id"]
        credentialHMAC = row["credential_hmac"]
        enrolledAt = row["enrolled_at"]
        revoked = row["revoked"]
        allowReenrolment = row["allow_reenrolment"]
        lastSeen = row["last_seen"]
        report = try (row["report"] as String?).map { try JSONDecoder().decode(AgentReport.self, from: Data($0.utf8)) }
        reportSequence = row["report_sequence"]
        directivesVersion = row["directives_version"]
        uploadLogs = row["upload_logs"]
    }
}

/// One approved item and where it stands.
public struct ApprovalItemRecord: Sendable, Hashable, Codable {
    public typealias State = ItemLifecycle

    public var id: Int64
    public var agent: String
    public var kind: ApplyItem.Kind
    public var moduleID: String
    public var packageID: String?
    public var version: String?
    public var latestAtRunTime: Bool
    public var options: ApprovalOptions
    public var state: State
    public var message: String?
    public var percent: Int?
    public var created: Int64
    public var updated: Int64
    public var reportSequence: Int64

    init(row: Row) throws {
        id = row["id"]
        agent = row["agent"]
        kind = ApplyItem.Kind(rawValue: row["kind"]) ?? .apply
        moduleID = row["module"]
        packageID = row["package_id"]
        version = row["version"]
        latestAtRunTime = row["latest_at_run_time"]
        options = try JSONDecoder().decode(ApprovalOptions.self, from: Data((row["options"] as String).utf8))
        // A state this release does not know is damage, not a failure to guess at.
        guard let state = State(rawValue: row["state"]) else {
            throw ManagerError(
                kind: .invalid, code: "unknown-item-state",
                message: "approval item \(id) has the unknown state \(row["state"] as String): restore from a backup")
        }
        self.state = state
        message = row["message"]
        percent = row["percent"]
        created = row["created"]
        updated = row["updated"]
        reportSequence = row["report_sequence"]
    }

    var directive: Directives.Item {
        Directives.Item(
            id: id, kind: kind, moduleID: moduleID, packageID: packageID, version: version, latestAtRunTime: latestAtRunTime,
            options: options)
    }
}
