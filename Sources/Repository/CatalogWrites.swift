import ApplicationLog
import ExupCore
import FoundationEssentials
import GRDB

/// The catalog's writes that go with a log entry, each one transaction (the change and its entry land
/// together or not at all): served platforms, packages, the deletion history and published metadata.
/// Only the catalog writes SQL; callers never see a database handle.
extension Catalog {
    /// One role's metadata to store (see `storeMetadata`).
    public struct MetadataWrite: Sendable {
        public var role: String
        public var version: Int
        public var expires: Int64
        public var bytes: [UInt8]
        /// The file name clients fetch it by; nil for `timestamp.json` (served from the role itself).
        public var servedAs: String?

        public init(role: String, version: Int, expires: Int64, bytes: [UInt8], servedAs: String?) {
            self.role = role
            self.version = version
            self.expires = expires
            self.bytes = bytes
            self.servedAs = servedAs
        }
    }

    /// Serves a platform and logs it.
    public func servePlatform(_ platform: Platform, origin: String, logging entry: AppLogEntry?) throws {
        try write { db in
            try Self.servePlatform(platform, origin: origin, in: db)
            if let entry { try Self.insert(entry, in: db) }
        }
    }

    /// Serves several platforms at once (no log entry: a bulk load).
    public func servePlatforms(_ platforms: [Platform], origin: String) throws {
        try write { db in for platform in platforms { try Self.servePlatform(platform, origin: origin, in: db) } }
    }

    /// Stops serving a platform and logs it; false (nothing logged) when it was not served.
    public func stopServing(_ platform: Platform, logging entry: AppLogEntry) throws -> Bool {
        try write { db -> Bool in
            guard try Self.stopServing(platform, in: db) else { return false }
            try Self.insert(entry, in: db)
            return true
        }
    }

    /// Adds a package row and logs it; `then` runs inside the transaction once the row is in.
    public func add(_ row: StoredPackageRow, logging entry: AppLogEntry, then: () -> Void = {}) throws {
        try write { db in
            try insert(row, in: db)
            then()
            try Self.insert(entry, in: db)
        }
    }

    /// Removes a package (into the deletion history when `deletedAt` is given) and logs it; returns
    /// whether another package still uses the same file.
    public func remove(id: String, sha256: String, deletedAt: Int64?, logging entry: AppLogEntry) throws -> Bool {
        try write { db -> Bool in
            let stillUsed = try Self.removePackage(id: id, sha256: sha256, deletedAt: deletedAt, in: db)
            try Self.insert(entry, in: db)
            return stillUsed
        }
    }

    /// Forgets every deleted package and logs how many (`entry` gets the count); returns the count.
    public func clearDeletionHistory(logging entry: (Int) -> AppLogEntry) throws -> Int {
        try write { db -> Int in
            let count = try Self.clearDeletionHistory(in: db)
            try Self.insert(entry(count), in: db)
            return count
        }
    }

    /// Stores new versions of several roles in one transaction (a publish never shows half its roles).
    public func storeMetadata(_ writes: [MetadataWrite], rootRole: String) throws {
        try write { db in
            for item in writes {
                try Self.storeMetadata(
                    role: item.role, isRoot: item.role == rootRole, version: item.version, expires: item.expires, bytes: item.bytes,
                    servedAs: item.servedAs, in: db)
            }
        }
    }

    private static func servePlatform(_ platform: Platform, origin: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO platform (model, os, origin) VALUES (?, ?, ?)",
            arguments: [platform.model, platform.os.description, origin])
    }

    /// Stops serving a platform; false when it was not served.
    private static func stopServing(_ platform: Platform, in db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM platform WHERE model = ? AND os = ?", arguments: [platform.model, platform.os.description])
        return db.changesCount > 0
    }

    /// Removes a package's row (remembering it in the deletion history when `deletedAt` is given); returns
    /// whether another package still uses the same file.
    private static func removePackage(id: String, sha256: String, deletedAt: Int64?, in db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM package WHERE id = ?", arguments: [id])
        if let deletedAt {
            try db.execute(sql: "INSERT OR REPLACE INTO deletion_history (package_id, deleted_at) VALUES (?, ?)", arguments: [id, deletedAt])
        }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM package WHERE sha256 = ?", arguments: [sha256])! > 0
    }

    /// Forgets every deleted package; returns how many there were.
    private static func clearDeletionHistory(in db: Database) throws -> Int {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deletion_history") ?? 0
        try db.execute(sql: "DELETE FROM deletion_history")
        return count
    }

    /// Stores a role's newest metadata and, when it is served under a name, that file; the newest 4
    /// versions of each role are kept (every root version stays: clients walk them one by one).
    private static func storeMetadata(
        role: String, isRoot: Bool, version: Int, expires: Int64, bytes: [UInt8], servedAs name: String?, in db: Database
    )
        throws
    {
        try db.execute(
            sql: "INSERT OR REPLACE INTO tuf_role (role, version, expires, bytes) VALUES (?, ?, ?, ?)",
            arguments: [role, version, expires, Data(bytes)])
        guard let name else { return }
        try db.execute(
            sql: "INSERT OR REPLACE INTO metadata_file (name, role, version, bytes) VALUES (?, ?, ?, ?)",
            arguments: [name, role, version, Data(bytes)])
        if !isRoot {
            try db.execute(
                sql: """
                    DELETE FROM metadata_file WHERE role = ? AND version NOT IN
                      (SELECT version FROM metadata_file WHERE role = ? ORDER BY version DESC LIMIT 4)
                    """, arguments: [role, role])
        }
    }

    func hasPackage(sha256: String) throws -> Bool {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM package WHERE sha256 = ?", arguments: [sha256])! > 0 }
    }
}
