import GRDB

/// A user as stored: GRDB maps the row (an unknown role is an error, not a guess).
struct UserRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "user"
    var name: String
    var role: UserRole
    var passwordHash: String
    var created: Int64
    var lastLogin: Int64?
    var noticesSeen: Int64

    enum CodingKeys: String, CodingKey {
        case name, role, created
        case passwordHash = "password_hash"
        case lastLogin = "last_login"
        case noticesSeen = "notices_seen"
    }
}

/// Users and sessions: every check-and-write is one transaction.
extension ManagerStore {
    func userCount() throws -> Int { try read { db in try UserRecord.fetchCount(db) } }

    func user(named name: String) throws -> UserRecord? {
        try read { db in try UserRecord.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]) }
    }

    func users() throws -> [UserRecord] { try read { db in try UserRecord.fetchAll(db, sql: "SELECT * FROM user ORDER BY name") } }

    /// False when a user of that name exists.
    func addUser(name: String, role: UserRole, passwordHash: String, created: Int64) throws -> Bool {
        try write { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE name = ?", arguments: [name]) == nil else { return false }
            try db.execute(
                sql: "INSERT INTO user (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                arguments: [name, role.rawValue, passwordHash, created])
            return true
        }
    }

    /// Removes a user and their sessions, unless they are the last administrator.
    func removeUser(named name: String) throws {
        try write { db in
            guard let role = try String.fetchOne(db, sql: "SELECT role FROM user WHERE name = ?", arguments: [name]) else {
                throw ManagerError.notFound("no user \(name)")
            }
            if role == UserRole.administrator.rawValue,
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user WHERE role = 'administrator'") ?? 0) <= 1
            {
                throw ManagerError.conflict("last-administrator", "\(name) is the last administrator; add another first")
            }
            try db.execute(sql: "DELETE FROM user WHERE name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM session WHERE user = ?", arguments: [name])
        }
    }

    /// Sets a password and ends the user's sessions; false when there is no such user.
    func setPasswordHash(_ hash: String, of name: String) throws -> Bool {
        try write { db -> Bool in
            try db.execute(sql: "UPDATE user SET password_hash = ? WHERE name = ?", arguments: [hash, name])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM session WHERE user = ?", arguments: [name])
            return true
        }
    }

    /// A new session (expired ones go), and the login noted on the user with the notices shown.
    func openSession(id: String, hmac: String, user: String, now: Int64, expires: Int64, noticesSeen: Int64) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO session (id, hmac, user, created, expires) VALUES (?, ?, ?, ?, ?)", arguments: [id, hmac, user, now, expires])
            try db.execute(sql: "DELETE FROM session WHERE expires < ?", arguments: [now])
            try db.execute(sql: "UPDATE user SET last_login = ?, notices_seen = ? WHERE name = ?", arguments: [now, noticesSeen, user])
        }
    }

    func closeSession(id: String) throws { try write { db in try db.execute(sql: "DELETE FROM session WHERE id = ?", arguments: [id]) } }
}
