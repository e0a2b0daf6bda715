import GRDB

/// An enrolment token as stored (only the hash of its secret is kept).
struct EnrolmentTokenRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "enrolment_token"
    var secretHash: String
    var expires: Int64
    var usesLeft: Int
    var created: Int64
    var groupName: String?

    enum CodingKeys: String, CodingKey {
        case expires, created
        case secretHash = "secret_hash"
        case usesLeft = "uses_left"
        case groupName = "group_name"
    }
}

/// Enrolment tokens and agent credentials: each check-and-write is one transaction.
extension ManagerStore {
    /// Stores a new token; the group it enrols into must exist.
    func addToken(secretHash: String, expires: Int64, uses: Int, created: Int64, group: String?) throws {
        try write { db in
            if let group, try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [group]) == nil {
                throw ManagerError.notFound("no group \(group): create it first (exup groups create \(group))")
            }
            try db.execute(
                sql: "INSERT INTO enrolment_token (secret_hash, expires, uses_left, created, group_name) VALUES (?, ?, ?, ?, ?)",
                arguments: [secretHash, expires, uses, created, group])
        }
    }

    /// The tokens that can still be used at `now`, oldest first.
    func usableTokens(now: Int64) throws -> [EnrolmentTokenRecord] {
        try read { db in
            try EnrolmentTokenRecord.fetchAll(
                db, sql: "SELECT * FROM enrolment_token WHERE uses_left > 0 AND expires > ? ORDER BY created", arguments: [now])
        }
    }

    /// Removes the one token whose hash starts with `prefix`; false when none does.
    func removeToken(hashPrefix prefix: String) throws -> Bool {
        try write { db -> Bool in
            let matches = try String.fetchAll(
                db, sql: "SELECT secret_hash FROM enrolment_token WHERE substr(secret_hash, 1, ?) = ?", arguments: [prefix.count, prefix])
            guard matches.count <= 1 else { throw ManagerError.invalid("\(prefix) names \(matches.count) tokens: give more of its id") }
            guard let hash = matches.first else { return false }
            try db.execute(sql: "DELETE FROM enrolment_token WHERE secret_hash = ?", arguments: [hash])
            return true
        }
    }

    /// Marks an agent revoked; false when there is no such agent.
    func revokeAgent(_ name: String) throws -> Bool {
        try write { db -> Bool in
            try db.execute(sql: "UPDATE agent SET revoked = 1 WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    /// Replaces an active agent's credential; false when there is no such active agent.
    func replaceCredential(of name: String, id: String, hmac: String) throws -> Bool {
        try write { db -> Bool in
            try db.execute(
                sql: "UPDATE agent SET credential_id = ?, credential_hmac = ? WHERE name = ? AND revoked = 0", arguments: [id, hmac, name])
            return db.changesCount > 0
        }
    }

    /// Lets a reinstalled server enrol again under its name; false when there is no such agent.
    func allowReenrolment(of name: String) throws -> Bool {
        try write { db -> Bool in
            try db.execute(sql: "UPDATE agent SET allow_reenrolment = 1 WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }
}
