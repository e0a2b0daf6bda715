import ExupCore
import Manager
import PostgresNIO

/// Users and sessions: each check-and-write is one serializable transaction.
extension PostgresManagerStore {
    public func userCount() async throws -> Int {
        guard let row = try await rows(#"SELECT COUNT(*) FROM "user""#, on: nil).first else { return 0 }
        return Int(try row.decode(Int64.self))
    }

    public func user(named name: String) async throws -> UserRecord? {
        try await fetchOne(UserRecord.self, #"SELECT * FROM "user" WHERE name = \#(name)"#)
    }

    public func users() async throws -> [UserRecord] {
        try await fetchAll(UserRecord.self, #"SELECT * FROM "user" ORDER BY name"#)
    }

    public func addUser(name: String, role: UserRole, passwordHash: String, created: Int64) async throws -> Bool {
        try await transaction { connection in
            try await count(
                #"""
                INSERT INTO "user" (name, role, password_hash, created) VALUES (\#(name), \#(role.rawValue), \#(passwordHash), \#(created))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """#, on: connection) > 0
        }
    }

    public func removeUser(named name: String) async throws {
        try await transaction { connection in
            guard let user = try await fetchOne(UserRecord.self, #"SELECT * FROM "user" WHERE name = \#(name)"#, on: connection) else {
                throw ManagerError.notFound("no user \(name)")
            }
            if user.role == .administrator,
                try await count(#"SELECT 1 FROM "user" WHERE role = \#(UserRole.administrator.rawValue)"#, on: connection) <= 1
            {
                throw ManagerError(kind: .conflict, code: "last-administrator", message: "\(name) is the last administrator; add another first")
            }
            try await execute(#"DELETE FROM "user" WHERE name = \#(name)"#, on: connection)
            try await execute(#"DELETE FROM session WHERE "user" = \#(name)"#, on: connection)
            try await notify(.user(name), on: connection)
        }
    }

    public func setPasswordHash(_ hash: String, of name: String) async throws -> Bool {
        try await transaction { connection in
            guard try await count(#"UPDATE "user" SET password_hash = \#(hash) WHERE name = \#(name) RETURNING 1"#, on: connection) > 0 else {
                return false
            }
            try await execute(#"DELETE FROM session WHERE "user" = \#(name)"#, on: connection)
            try await notify(.user(name), on: connection)
            return true
        }
    }

    public func openSessions(now: Int64) async throws -> [SessionRecord] {
        try await fetchAll(
            SessionRecord.self,
            #"""
            SELECT session.id, session.hmac, session."user", session.expires, "user".role FROM session
            JOIN "user" ON "user".name = session."user" WHERE expires > \#(now)
            """#)
    }

    public func openSession(_ session: SessionRecord, passwordHash: String, now: Int64, noticesSeen: Int64) async throws -> Bool {
        try await transaction { connection in
            guard
                try await count(
                    #"SELECT 1 FROM "user" WHERE name = \#(session.user) AND password_hash = \#(passwordHash)"#, on: connection) > 0
            else { return false }
            try await execute(
                #"""
                INSERT INTO session (id, hmac, "user", created, expires)
                VALUES (\#(session.id), \#(session.hmac), \#(session.user), \#(now), \#(session.expires))
                """#, on: connection)
            try await execute("DELETE FROM session WHERE expires < \(now)", on: connection)
            try await execute(
                #"UPDATE "user" SET last_login = \#(now), notices_seen = \#(noticesSeen) WHERE name = \#(session.user)"#, on: connection)
            try await notify(.user(session.user), on: connection)
            return true
        }
    }

    public func closeSession(id: String) async throws {
        try await transaction { connection in
            for row in try await rows(#"DELETE FROM session WHERE id = \#(id) RETURNING "user""#, on: connection) {
                try await notify(.user(try row.decode(String.self)), on: connection)
            }
        }
    }
}
