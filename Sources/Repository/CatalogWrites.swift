import ExupCore
import FoundationEssentials
import GRDB

/// The catalog's writes that run inside a caller's transaction (beside its log entry): served platforms,
/// package removal, the deletion history and published metadata. Only the catalog writes SQL.
extension Catalog {
    static func servePlatform(_ platform: Platform, origin: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO platform (model, os, origin) VALUES (?, ?, ?)",
            arguments: [platform.model, platform.os.description, origin])
    }

    /// Stops serving a platform; false when it was not served.
    static func stopServing(_ platform: Platform, in db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM platform WHERE model = ? AND os = ?", arguments: [platform.model, platform.os.description])
        return db.changesCount > 0
    }

    /// Removes a package's row (remembering it in the deletion history when `deletedAt` is given); returns
    /// whether another package still uses the same file.
    static func removePackage(id: String, sha256: String, deletedAt: Int64?, in db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM package WHERE id = ?", arguments: [id])
        if let deletedAt {
            try db.execute(sql: "INSERT OR REPLACE INTO deletion_history (package_id, deleted_at) VALUES (?, ?)", arguments: [id, deletedAt])
        }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM package WHERE sha256 = ?", arguments: [sha256])! > 0
    }

    /// Forgets every deleted package; returns how many there were.
    static func clearDeletionHistory(in db: Database) throws -> Int {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deletion_history") ?? 0
        try db.execute(sql: "DELETE FROM deletion_history")
        return count
    }

    /// Stores a role's newest metadata and, when it is served under a name, that file; the newest 4
    /// versions of each role are kept (every root version stays: clients walk them one by one).
    static func storeMetadata(
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
