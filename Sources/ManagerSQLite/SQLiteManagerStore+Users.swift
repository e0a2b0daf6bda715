import ExupCore
import GRDB
import Manager

/// Users and sessions: each check-and-write is one transaction.
extension SQLiteManagerStore {
    public func userCount() async throws -> Int { try await read { db in try UserRecord.fetchCount(db) } }

    public func user(named name: String) async throws -> UserRecord? {
        try await read { db in try UserRecord.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]) }
    }

    public func users() async throws -> [UserRecord] {
        try await read { db in try UserRecord.fetchAll(db, sql: "SELECT * FROM user ORDER BY name") }
    }

    public func addUser(name: String, role: UserRole, passwordHash: String, created: Int64) async throws -> Bool {
        try await write { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE name = ?", arguments: [name]) == nil else { return false }
            try UserRecord(name: name, role: role, passwordHash: passwordHash, created: created).insert(db)
            return true
        }
    }

    public func removeUser(named name: String) async throws {
        try await write { db in
            guard let user = try UserRecord.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]) else {
                throw ManagerError.notFound("no user \(name)")
            }
            if user.role == .administrator,
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user WHERE role = ?", arguments: [UserRole.administrator.rawValue]) ?? 0) <= 1
            {
                throw ManagerError(kind: .conflict, code: "last-administrator", message: "\(name) is the last administrator; add another first")
            }
            try db.execute(sql: "DELETE FROM user WHERE name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM session WHERE user = ?", arguments: [name])
        }
    }

    public func setPasswordHash(_ hash: String, of name: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(sql: "UPDATE user SET password_hash = ? WHERE name = ?", arguments: [hash, name])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM session WHERE user = ?", arguments: [name])
            return true
        }
    }

    public func openSessions(now: Int64) async throws -> [SessionRecord] {
        try await read { db in
            try SessionRecord.fetchAll(
                db,
                sql:
                    "SELECT session.id, session.hmac, session.user, session.expires, user.role FROM session JOIN user ON user.name = session.user WHERE expires > ?",
                arguments: [now])
        }
    }

    public func openSession(_ session: SessionRecord, passwordHash: String, now: Int64, noticesSeen: Int64) async throws -> Bool {
        try await write { db -> Bool in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM user WHERE name = ? AND password_hash = ?", arguments: [session.user, passwordHash]) != nil
            else { return false }
            try SessionRow(id: session.id, hmac: session.hmac, user: session.user, created: now, expires: session.expires).insert(db)
            try db.execute(sql: "DELETE FROM session WHERE expires < ?", arguments: [now])
            try db.execute(sql: "UPDATE user SET last_login = ?, notices_seen = ? WHERE name = ?", arguments: [now, noticesSeen, session.user])
            return true
        }
    }

    public func closeSession(id: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM session WHERE id = ?", arguments: [id]) }
    }
}

/// One process owns the SQLite files (the data directory's lock): nothing changes behind its caches.
extension SQLiteManagerStore {
    public func changeFeed() -> AsyncStream<StoreChange>? { nil }

    public func activeCredential(of agent: String) async throws -> AgentCredential? {
        try await read { db in
            try AgentCredential.fetchOne(
                db, sql: "SELECT name, credential_id, credential_hmac FROM agent WHERE name = ? AND revoked = 0", arguments: [agent])
        }
    }

    public func openSessions(of user: String, now: Int64) async throws -> [SessionRecord] {
        try await read { db in
            try SessionRecord.fetchAll(
                db,
                sql:
                    "SELECT session.id, session.hmac, session.user, session.expires, user.role FROM session JOIN user ON user.name = session.user WHERE session.user = ? AND expires > ?",
                arguments: [user, now])
        }
    }
}

extension SQLiteManagerStore {
    /// The only process on this database: it runs every job.
    public func holdsJobLock() async -> Bool { true }
}
