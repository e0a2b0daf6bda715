import ApplicationLog
import ExupCore
import FoundationEssentials
import GRDB

/// The repository's catalog: one SQLite database in WAL mode. Migrations are named and only ever
/// appended. Every write is one transaction, committed before the caller answers.
public final class Catalog: Sendable {
    let pool: DatabasePool

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Catalog.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-26 repository") { db in
            try db.create(table: "package") { t in
                t.primaryKey("id", .text)
                t.column("sha256", .text).notNull().indexed()
                t.column("size", .integer).notNull()
                t.column("info", .text).notNull()
                t.column("module", .text).notNull()
                t.column("version", .text).notNull()
                t.column("release_date", .text).notNull()
                t.column("pinned", .boolean).notNull()
                t.column("incompatible", .boolean).notNull()
                t.column("added_at", .integer).notNull()
                t.column("origin", .text).notNull()
            }
            try db.create(table: "package_target") { t in
                t.column("package_id", .text).notNull().references("package", onDelete: .cascade)
                t.column("model", .text).notNull().indexed()
                t.column("os", .text).notNull()
                t.primaryKey(["package_id", "model", "os"])
            }
            try db.create(table: "platform") { t in
                t.column("model", .text).notNull()
                t.column("os", .text).notNull()
                t.column("origin", .text).notNull()
                t.primaryKey(["model", "os"])
            }
            try db.create(table: "previous_generation") { t in
                t.column("model", .text).notNull()
                t.column("os", .text).notNull()
                t.column("module", .text).notNull()
                t.column("version", .text).notNull()
                t.primaryKey(["model", "os", "module", "version"])
            }
            try db.create(table: "remote_platform") { t in
                t.column("manager", .text).notNull()
                t.column("model", .text).notNull()
                t.column("os", .text).notNull()
                t.primaryKey(["manager", "model", "os"])
            }
            try db.create(table: "deletion_history") { t in
                t.primaryKey("package_id", .text)
                t.column("deleted_at", .integer).notNull()
            }
            try db.create(table: "tuf_role") { t in
                t.primaryKey("role", .text)
                t.column("version", .integer).notNull()
                t.column("expires", .integer).notNull()
                t.column("bytes", .blob).notNull()
            }
            try db.create(table: "metadata_file") { t in
                t.primaryKey("name", .text)
                t.column("role", .text).notNull().indexed()
                t.column("version", .integer).notNull()
                t.column("bytes", .blob).notNull()
            }
            try db.create(table: "app_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time", .integer).notNull().indexed()
                t.column("level", .text).notNull()
                t.column("code", .text).notNull()
                t.column("message", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("server", .text)
                t.column("module", .text)
                t.column("versions", .text)
                t.column("cause", .text)
            }
        }
        migrator.registerMigration("2026-11-26 upstream sync") { db in
            try db.create(table: "sync_state") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("2026-11-26 presence") { db in
            try db.create(table: "remote_manager") { t in
                t.primaryKey("manager", .text)
                t.column("version", .text).notNull()
                t.column("last_seen", .integer).notNull()
            }
            try db.create(table: "remote_previous_generation") { t in
                t.column("manager", .text).notNull()
                t.column("model", .text).notNull()
                t.column("os", .text).notNull()
                t.column("module", .text).notNull()
                t.column("version", .text).notNull()
                t.primaryKey(["manager", "model", "os", "module", "version"])
            }
        }
        migrator.registerMigration("2026-12-07 agent claims") { db in
            // What each agent's credential says it runs, and the previous generations it pins: one platform
            // per agent, replaced at every report, dropped when the agent is revoked.
            try db.create(table: "agent_platform") { t in
                t.primaryKey("agent", .text)
                t.column("model", .text).notNull()
                t.column("os", .text).notNull()
            }
            try db.create(table: "agent_previous") { t in
                t.column("agent", .text).notNull().references("agent_platform", onDelete: .cascade)
                t.column("module", .text).notNull()
                t.column("version", .text).notNull()
                t.primaryKey(["agent", "module"])
            }
        }
        return migrator
    }

    // MARK: - Agents' claims

    /// The most previous generations one agent may pin (one per module it reports).
    public static let maximumPinsPerAgent = 64

    /// Records what `agent` runs and pins, replacing what it claimed before. Returns the platform it no
    /// longer claims when no other agent does and it was served only because an agent reported it (the
    /// caller stops serving it).
    public func claim(agent: String, platform: Platform, previous: [String: String]) throws -> Platform? {
        let pins = previous.filter { !$0.key.isEmpty && $0.key.utf8.count <= 128 && !$0.value.isEmpty && $0.value.utf8.count <= 128 }
            .sorted { $0.key < $1.key }.prefix(Self.maximumPinsPerAgent)
        return try pool.write { db in
            let before = try Self.claimedPlatform(agent, in: db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO agent_platform (agent, model, os) VALUES (?, ?, ?)",
                arguments: [agent, platform.model, platform.os.description])
            try db.execute(sql: "DELETE FROM agent_previous WHERE agent = ?", arguments: [agent])
            for (module, version) in pins {
                try db.execute(sql: "INSERT INTO agent_previous (agent, module, version) VALUES (?, ?, ?)", arguments: [agent, module, version])
            }
            guard let before, before != platform else { return nil }
            return try Self.unclaimedAgentPlatform(before, in: db)
        }
    }

    /// Drops everything `agent` claimed (it was revoked); returns the platform no one claims any more, as `claim`.
    public func dropClaims(agent: String) throws -> Platform? {
        try pool.write { db in
            guard let before = try Self.claimedPlatform(agent, in: db) else { return nil }
            try db.execute(sql: "DELETE FROM agent_previous WHERE agent = ?", arguments: [agent])
            try db.execute(sql: "DELETE FROM agent_platform WHERE agent = ?", arguments: [agent])
            return try Self.unclaimedAgentPlatform(before, in: db)
        }
    }

    static func claimedPlatform(_ agent: String, in db: Database) throws -> Platform? {
        try Row.fetchOne(db, sql: "SELECT model, os FROM agent_platform WHERE agent = ?", arguments: [agent])
            .map { Platform(model: $0["model"], os: OSIdentity(parsing: $0["os"])) }
    }

    /// `platform` when no agent claims it and the served list has it only from an agent's report.
    static func unclaimedAgentPlatform(_ platform: Platform, in db: Database) throws -> Platform? {
        let claimed =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM agent_platform WHERE model = ? AND os = ?",
                arguments: [platform.model, platform.os.description]) ?? 0
        let origin = try String.fetchOne(
            db, sql: "SELECT origin FROM platform WHERE model = ? AND os = ?",
            arguments: [platform.model, platform.os.description])
        return claimed == 0 && origin == "agent" ? platform : nil
    }

    // MARK: - Packages

    public struct StoredPackageRow: Sendable, Hashable {
        public var info: PackageInfo
        public var sha256: String
        public var size: Int64
        public var pinned: Bool
        public var addedAt: Int64
        public var origin: String

        public var stored: StoredPackage { StoredPackage(info: info, pinned: pinned) }

        public init(info: PackageInfo, sha256: String, size: Int64, pinned: Bool, addedAt: Int64, origin: String) {
            self.info = info
            self.sha256 = sha256
            self.size = size
            self.pinned = pinned
            self.addedAt = addedAt
            self.origin = origin
        }
    }

    public func packages() throws -> [StoredPackageRow] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM package ORDER BY id").map(Catalog.decode) }
    }

    public func package(id: String) throws -> StoredPackageRow? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM package WHERE id = ?", arguments: [id]).map(Catalog.decode) }
    }

    static func decode(_ row: Row) throws -> StoredPackageRow {
        let info = try JSONDecoder().decode(PackageInfo.self, from: Data((row["info"] as String).utf8))
        return StoredPackageRow(
            info: info, sha256: row["sha256"], size: row["size"], pinned: row["pinned"], addedAt: row["added_at"],
            origin: row["origin"])
    }

    func insert(_ package: StoredPackageRow, in db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let info = String(decoding: try encoder.encode(package.info), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO package (id, sha256, size, info, module, version, release_date, pinned, incompatible, added_at, origin)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                package.info.id, package.sha256, package.size, info, package.info.moduleID, package.info.version,
                package.info.releaseDate.description, package.pinned, package.info.isIncompatible, package.addedAt, package.origin,
            ])
        for target in package.info.targets {
            try db.execute(
                sql: "INSERT OR IGNORE INTO package_target (package_id, model, os) VALUES (?, ?, ?)",
                arguments: [package.info.id, target.model, target.os.description])
        }
    }

    /// Inserts many packages in one transaction (seeding and benchmarks).
    public func bulkInsert(_ rows: [StoredPackageRow]) throws {
        try pool.write { db in for row in rows { try insert(row, in: db) } }
    }

    // MARK: - Upstream sync state

    /// A value the upstream sync keeps between runs (last successful sync, the upstream's current URL…).
    public func syncValue(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM sync_state WHERE key = ?", arguments: [key]) }
    }

    public func setSyncValue(_ key: String, _ value: String?) throws {
        try pool.write { db in
            if let value {
                try db.execute(
                    sql: "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM sync_state WHERE key = ?", arguments: [key])
            }
        }
    }

    // MARK: - Platforms, previous generations, remote needs

    public func platforms() throws -> [(platform: Platform, origin: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT model, os, origin FROM platform ORDER BY model, os").map {
                (Platform(model: $0["model"], os: OSIdentity(parsing: $0["os"])), $0["origin"])
            }
        }
    }

    /// Stops serving a pair (a remote-mode manager's own list; the repository's goes through RepositoryService).
    public func removePlatform(_ platform: Platform) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM platform WHERE model = ? AND os = ?", arguments: [platform.model, platform.os.description])
        }
    }

    /// Records a served (model, OS) pair unless it is already there (a remote-mode manager's own list).
    public func recordPlatformIfNew(_ platform: Platform, origin: String) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO platform (model, os, origin) VALUES (?, ?, ?)",
                arguments: [platform.model, platform.os.description, origin])
        }
    }

    /// This repository's servers' previous generations and those other managers reported (R108, R010).
    public func previousGenerations() throws -> [PreviousGeneration] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT model, os, module, version FROM previous_generation
                    UNION SELECT model, os, module, version FROM remote_previous_generation
                    UNION SELECT p.model, p.os, a.module, a.version FROM agent_previous a JOIN agent_platform p ON p.agent = a.agent
                    """
            ).map {
                PreviousGeneration(
                    platform: Platform(model: $0["model"], os: OSIdentity(parsing: $0["os"])), moduleID: $0["module"], version: $0["version"])
            }
        }
    }

    public func recordPreviousGeneration(_ previous: PreviousGeneration) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO previous_generation (model, os, module, version) VALUES (?, ?, ?, ?)",
                arguments: [previous.platform.model, previous.platform.os.description, previous.moduleID, previous.version])
        }
    }

    /// Platforms other managers' servers need (presence notifications; sharing, R141–R144).
    public func remotePlatforms() throws -> [(manager: String, platform: Platform)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM remote_platform").map {
                ($0["manager"], Platform(model: $0["model"], os: OSIdentity(parsing: $0["os"])))
            }
        }
    }

    /// A presence notification (R141, R144): the manager's needs replace what it said before.
    public func recordPresence(_ presence: Presence, at now: Int64) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO remote_manager (manager, version, last_seen) VALUES (?, ?, ?)",
                arguments: [presence.manager, presence.version, now])
            try db.execute(sql: "DELETE FROM remote_platform WHERE manager = ?", arguments: [presence.manager])
            try db.execute(sql: "DELETE FROM remote_previous_generation WHERE manager = ?", arguments: [presence.manager])
            for platform in presence.platforms {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO remote_platform (manager, model, os) VALUES (?, ?, ?)",
                    arguments: [presence.manager, platform.model, platform.os.description])
            }
            for previous in presence.previous {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO remote_previous_generation (manager, model, os, module, version) VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [presence.manager, previous.platform.model, previous.platform.os.description, previous.moduleID, previous.version])
            }
        }
    }

    /// The managers that use this repository, with when each was last heard of.
    public func remoteManagers() throws -> [(manager: String, version: String, lastSeen: Int64)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM remote_manager ORDER BY manager").map { ($0["manager"], $0["version"], $0["last_seen"]) }
        }
    }

    /// Forgets a retired manager and everything it needed (R142–R143).
    public func forgetManager(_ manager: String) throws {
        try pool.write { db in
            for table in ["remote_manager", "remote_platform", "remote_previous_generation"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE manager = ?", arguments: [manager])
            }
        }
    }

    public func recordRemotePlatform(manager: String, platform: Platform) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO remote_platform (manager, model, os) VALUES (?, ?, ?)",
                arguments: [manager, platform.model, platform.os.description])
        }
    }

    // MARK: - Deletion history

    public func deletionHistory() throws -> DeletionHistory {
        try pool.read { db in DeletionHistory(Set(try String.fetchAll(db, sql: "SELECT package_id FROM deletion_history"))) }
    }

    // MARK: - TUF

    public func role(_ name: String) throws -> (version: Int, expires: Int64, bytes: [UInt8])? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM tuf_role WHERE role = ?", arguments: [name]).map {
                ($0["version"], $0["expires"], [UInt8]($0["bytes"] as Data))
            }
        }
    }

    public func roles() throws -> [String: (version: Int, expires: Int64, bytes: [UInt8])] {
        try pool.read { db in
            var out: [String: (version: Int, expires: Int64, bytes: [UInt8])] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM tuf_role") {
                out[row["role"]] = (row["version"], row["expires"], [UInt8](row["bytes"] as Data))
            }
            return out
        }
    }

    /// A published metadata file by its served name (`3.snapshot.json`, `7.models/x.json`, `timestamp.json`).
    public func metadataFile(_ name: String) throws -> [UInt8]? {
        try pool.read { db in
            if name == "timestamp.json" {
                return try Data.fetchOne(db, sql: "SELECT bytes FROM tuf_role WHERE role = 'timestamp'").map { [UInt8]($0) }
            }
            return try Data.fetchOne(db, sql: "SELECT bytes FROM metadata_file WHERE name = ?", arguments: [name]).map { [UInt8]($0) }
        }
    }

    // MARK: - Application log

    public func log(_ entry: AppLogEntry) throws {
        try pool.write { db in try Catalog.insert(entry, in: db) }
    }

    static func insert(_ entry: AppLogEntry, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO app_log (time, level, code, message, actor, server, module, versions, cause)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.time, entry.level.rawValue, entry.event.code, entry.event.message, String(entry.actor.prefix(Self.logFieldLimit)),
                entry.server.map { String($0.prefix(Self.logFieldLimit)) }, entry.module.map { String($0.prefix(Self.logFieldLimit)) },
                entry.versions.map { String($0.prefix(Self.logFieldLimit)) }, entry.cause.map { String($0.prefix(Self.logCauseLimit)) },
            ])
    }

    /// No field of a log entry is longer than this (characters); the cause may be longer, to this.
    static let logFieldLimit = 256, logCauseLimit = 4096

    public func logEntries(limit: Int = 1000, afterID: Int64 = 0) throws -> [AppLogRecord] {
        try logEntries(AppLogQuery(afterID: afterID, limit: limit))
    }

    /// Entries matching `query`, oldest first, at most `query.limit` of them after `query.afterID`.
    public func logEntries(_ query: AppLogQuery) throws -> [AppLogRecord] {
        var conditions = ["id > ?"]
        var arguments: [any DatabaseValueConvertible] = [query.afterID]
        if let since = query.since { conditions.append("time >= ?"); arguments.append(since) }
        if let server = query.server { conditions.append("server = ?"); arguments.append(server) }
        if let level = query.level { conditions.append("level = ?"); arguments.append(level.rawValue) }
        if let code = query.code { conditions.append("code = ?"); arguments.append(code) }
        if let text = query.grep, !text.isEmpty {
            let pattern =
                "%"
                + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append(
                "(message LIKE ? ESCAPE '\\' OR cause LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\' OR module LIKE ? ESCAPE '\\' OR versions LIKE ? ESCAPE '\\' OR code = ?)"
            )
            arguments += [pattern, pattern, pattern, pattern, pattern, text]
        }
        arguments.append(query.limit)
        return try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM app_log WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map {
                AppLogRecord(
                    id: $0["id"], time: $0["time"], level: $0["level"], code: $0["code"], message: $0["message"], actor: $0["actor"],
                    server: $0["server"], module: $0["module"], versions: $0["versions"], cause: $0["cause"])
            }
        }
    }

    /// The newest entry's id (0 when the log is empty).
    public func lastLogID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM app_log") ?? 0 }
    }

    /// Retention: entries older than `olderThan` go, then the oldest beyond `keep` entries. Returns how
    /// many were removed.
    @discardableResult
    /// Removes entries older than `olderThan`, beyond the newest `keep`, and the oldest ones beyond
    /// `maxBytes` of text (the sum of their fields, plus 64 bytes a row). Returns how many went.
    public func pruneLog(olderThan: Int64, keep: Int, maxBytes: Int64 = .max) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM app_log WHERE time < ?", arguments: [olderThan])
            var removed = db.changesCount
            try db.execute(sql: "DELETE FROM app_log WHERE id <= (SELECT id FROM app_log ORDER BY id DESC LIMIT 1 OFFSET ?)", arguments: [keep])
            removed += db.changesCount
            // The file's size bounds the log's: the running total is summed only when it could be over.
            let fileBytes =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT (c.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() c, pragma_freelist_count() f, pragma_page_size() s
                        """) ?? 0
            if fileBytes > maxBytes {
                try db.execute(
                    sql: """
                        DELETE FROM app_log WHERE id <= (
                          SELECT id FROM (
                            SELECT id, SUM(64 + length(message) + length(actor) + IFNULL(length(server), 0) + IFNULL(length(module), 0)
                                           + IFNULL(length(versions), 0) + IFNULL(length(cause), 0)) OVER (ORDER BY id DESC) AS total
                            FROM app_log)
                          WHERE total > ? ORDER BY id DESC LIMIT 1)
                        """, arguments: [maxBytes])
                removed += db.changesCount
            }
            return removed
        }
    }

    /// Runs `body` in one write transaction (the catalog's own methods only: callers never hold a handle).
    func write<T>(_ body: (Database) throws -> T) throws -> T { try pool.write(body) }

    /// A consistent copy of the whole database at `path` (SQLite's online backup; writers may go on).
    public func backup(to path: String) throws {
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.close()
    }

    /// The digests of every stored package (what a backup must carry from the pool).
    public func packageDigests() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM package ORDER BY sha256") }
    }
}
