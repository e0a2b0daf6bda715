import ExupCore
import ExupSystem
import FoundationEssentials
import GRDB
import Manager

/// The manager's data on its embedded engine: SQLite (`DATA/manager.sqlite`, WAL) through GRDB. Reads
/// and writes run on GRDB's own fixed set of threads (its async API), never on the cooperative pool.
/// Migrations are named and only appended.
public final class SQLiteManagerStore: ManagerDatabase {
    let pool: DatabasePool
    /// Reports are written through this: one transaction (one fsync) per burst, not per report.
    let batched: GroupCommit

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

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T { try await pool.read(body) }
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T { try await pool.write(body) }

    public func backup(to path: String) async throws {
        try await BlockingPool.shared.run { [self] in try self.copy(to: path) }
    }

    public func checkReachable() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// SQLite's online backup into a new file at `path` (blocking: for the offline backup command).
    public func copy(to path: String) throws {
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.close()
    }
}
