import ExupCore
import GRDB
import Manager

/// Agents, credentials and enrolment tokens: each check-and-write is one transaction.
extension SQLiteManagerStore {
    public func activeCredentials() async throws -> [AgentCredential] {
        try await read { db in
            try AgentCredential.fetchAll(db, sql: "SELECT name, credential_id, credential_hmac FROM agent WHERE revoked = 0")
        }
    }

    public func agent(named name: String) async throws -> AgentRecord? {
        try await read { db in try AgentRecord.fetchOne(db, sql: "SELECT * FROM agent WHERE name = ?", arguments: [name]) }
    }

    public func agentListings() async throws -> [AgentListing] {
        try await read { db in
            try AgentListing.fetchAll(db, sql: "SELECT name, enrolled_at, last_seen, revoked, report_sequence FROM agent ORDER BY name")
        }
    }

    public func activeAgents() async throws -> [AgentRecord] {
        try await read { db in try AgentRecord.fetchAll(db, sql: "SELECT * FROM agent WHERE revoked = 0 ORDER BY name") }
    }

    public func enrol(_ enrolment: NewAgent) async throws {
        try await write { db in
            let token = try EnrolmentRules.checkToken(
                try EnrolmentTokenRecord.fetchOne(db, sql: "SELECT * FROM enrolment_token WHERE secret_hash = ?", arguments: [enrolment.tokenHash]),
                now: enrolment.now)
            let existing = try AgentRecord.fetchOne(db, sql: "SELECT * FROM agent WHERE name = ?", arguments: [enrolment.name])
            try EnrolmentRules.checkName(enrolment.name, existing: existing)
            if existing != nil {
                try db.execute(sql: "DELETE FROM agent WHERE name = ?", arguments: [enrolment.name])
            }
            try db.execute(sql: "UPDATE enrolment_token SET uses_left = uses_left - 1 WHERE secret_hash = ?", arguments: [enrolment.tokenHash])
            try AgentRow(
                name: enrolment.name, credentialID: enrolment.credentialID, credentialHMAC: enrolment.credentialHMAC, enrolledAt: enrolment.now,
                lastSeen: enrolment.now
            ).insert(db)
            if let group = token.groupName {
                try db.execute(
                    sql:
                        "INSERT OR IGNORE INTO group_member (group_name, server) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM server_group WHERE name = ?)",
                    arguments: [group, enrolment.name, group])
            }
        }
    }

    public func revokeAgent(_ name: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(sql: "UPDATE agent SET revoked = 1 WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func replaceCredential(of name: String, id: String, hmac: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(
                sql: "UPDATE agent SET credential_id = ?, credential_hmac = ? WHERE name = ? AND revoked = 0", arguments: [id, hmac, name])
            return db.changesCount > 0
        }
    }

    public func allowReenrolment(of name: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(sql: "UPDATE agent SET allow_reenrolment = 1 WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func addToken(secretHash: String, expires: Int64, uses: Int, created: Int64, group: String?) async throws {
        try await write { db in
            if let group, try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [group]) == nil {
                throw ManagerError.notFound("no group \(group): create it first (exup groups create \(group))")
            }
            try EnrolmentTokenRecord(secretHash: secretHash, expires: expires, usesLeft: uses, created: created, groupName: group).insert(db)
        }
    }

    public func usableTokens(now: Int64) async throws -> [EnrolmentTokenRecord] {
        try await read { db in
            try EnrolmentTokenRecord.fetchAll(
                db, sql: "SELECT * FROM enrolment_token WHERE uses_left > 0 AND expires > ? ORDER BY created", arguments: [now])
        }
    }

    public func removeToken(hashPrefix prefix: String) async throws -> Bool {
        try await write { db -> Bool in
            let matches = try String.fetchAll(
                db, sql: "SELECT secret_hash FROM enrolment_token WHERE substr(secret_hash, 1, ?) = ?", arguments: [prefix.count, prefix])
            guard matches.count <= 1 else { throw ManagerError.invalid("\(prefix) names \(matches.count) tokens: give more of its id") }
            guard let hash = matches.first else { return false }
            try db.execute(sql: "DELETE FROM enrolment_token WHERE secret_hash = ?", arguments: [hash])
            return true
        }
    }

    public func requestLogBundle(from name: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(
                sql: "UPDATE agent SET upload_logs = 1, directives_version = directives_version + 1 WHERE name = ? AND revoked = 0",
                arguments: [name])
            return db.changesCount > 0
        }
    }

    @discardableResult public func clearLogBundleRequest(of name: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(
                sql: "UPDATE agent SET upload_logs = 0, directives_version = directives_version + 1 WHERE name = ? AND upload_logs = 1",
                arguments: [name])
            return db.changesCount > 0
        }
    }
}
