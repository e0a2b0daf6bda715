import ExupCore
import Manager
import PostgresNIO

/// Agents, credentials and enrolment tokens: each check-and-write is one serializable transaction.
extension PostgresManagerStore {
    public func activeCredentials() async throws -> [AgentCredential] {
        try await fetchAll(AgentCredential.self, "SELECT name, credential_id, credential_hmac FROM agent WHERE NOT revoked")
    }

    public func agent(named name: String) async throws -> AgentRecord? {
        try await fetchOne(AgentRecord.self, "SELECT * FROM agent WHERE name = \(name)")
    }

    public func agentListings() async throws -> [AgentListing] {
        try await fetchAll(AgentListing.self, "SELECT name, enrolled_at, last_seen, revoked, report_sequence FROM agent ORDER BY name")
    }

    public func activeAgents() async throws -> [AgentRecord] {
        try await fetchAll(AgentRecord.self, "SELECT * FROM agent WHERE NOT revoked ORDER BY name")
    }

    public func enrol(_ enrolment: NewAgent) async throws {
        try await transaction { connection in
            let token = try EnrolmentRules.checkToken(
                try await fetchOne(
                    EnrolmentTokenRecord.self, "SELECT * FROM enrolment_token WHERE secret_hash = \(enrolment.tokenHash) FOR UPDATE",
                    on: connection),
                now: enrolment.now)
            let existing = try await fetchOne(AgentRecord.self, "SELECT * FROM agent WHERE name = \(enrolment.name) FOR UPDATE", on: connection)
            try EnrolmentRules.checkName(enrolment.name, existing: existing)
            if existing != nil {
                try await execute("DELETE FROM agent WHERE name = \(enrolment.name)", on: connection)
            }
            try await execute("UPDATE enrolment_token SET uses_left = uses_left - 1 WHERE secret_hash = \(enrolment.tokenHash)", on: connection)
            try await execute(
                """
                INSERT INTO agent (name, credential_id, credential_hmac, enrolled_at, last_seen)
                VALUES (\(enrolment.name), \(enrolment.credentialID), \(enrolment.credentialHMAC), \(enrolment.now), \(enrolment.now))
                """, on: connection)
            try await notify(.agent(enrolment.name), on: connection)
            if let group = token.groupName {
                try await execute(
                    """
                    INSERT INTO group_member (group_name, server) SELECT \(group), \(enrolment.name)
                    WHERE EXISTS (SELECT 1 FROM server_group WHERE name = \(group)) ON CONFLICT DO NOTHING
                    """, on: connection)
            }
        }
    }

    public func revokeAgent(_ name: String) async throws -> Bool {
        try await changedRow("UPDATE agent SET revoked = TRUE WHERE name = \(name) RETURNING 1", notifying: .agent(name))
    }

    public func replaceCredential(of name: String, id: String, hmac: String) async throws -> Bool {
        try await changedRow(
            "UPDATE agent SET credential_id = \(id), credential_hmac = \(hmac) WHERE name = \(name) AND NOT revoked RETURNING 1",
            notifying: .agent(name))
    }

    public func allowReenrolment(of name: String) async throws -> Bool {
        try await changedRow("UPDATE agent SET allow_reenrolment = TRUE WHERE name = \(name) RETURNING 1")
    }

    public func addToken(secretHash: String, expires: Int64, uses: Int, created: Int64, group: String?) async throws {
        try await transaction { connection in
            if let group, try await count("SELECT 1 FROM server_group WHERE name = \(group)", on: connection) == 0 {
                throw ManagerError.notFound("no group \(group): create it first (exup groups create \(group))")
            }
            try await execute(
                """
                INSERT INTO enrolment_token (secret_hash, expires, uses_left, created, group_name)
                VALUES (\(secretHash), \(expires), \(Int64(uses)), \(created), \(group))
                """, on: connection)
        }
    }

    public func usableTokens(now: Int64) async throws -> [EnrolmentTokenRecord] {
        try await fetchAll(EnrolmentTokenRecord.self, "SELECT * FROM enrolment_token WHERE uses_left > 0 AND expires > \(now) ORDER BY created")
    }

    public func removeToken(hashPrefix prefix: String) async throws -> Bool {
        try await transaction { connection in
            let matches = try await rows(
                "SELECT secret_hash FROM enrolment_token WHERE substr(secret_hash, 1, \(Int32(prefix.count))) = \(prefix)", on: connection)
            guard matches.count <= 1 else { throw ManagerError.invalid("\(prefix) names \(matches.count) tokens: give more of its id") }
            guard let row = matches.first else { return false }
            let hash = try row.decode(String.self)
            try await execute("DELETE FROM enrolment_token WHERE secret_hash = \(hash)", on: connection)
            return true
        }
    }

    public func requestLogBundle(from name: String) async throws -> Bool {
        try await changedRow(
            "UPDATE agent SET upload_logs = TRUE, directives_version = directives_version + 1 WHERE name = \(name) AND NOT revoked RETURNING 1")
    }

    @discardableResult public func clearLogBundleRequest(of name: String) async throws -> Bool {
        try await changedRow(
            "UPDATE agent SET upload_logs = FALSE, directives_version = directives_version + 1 WHERE name = \(name) AND upload_logs RETURNING 1")
    }

    /// One write in its own transaction; whether it changed a row (the statement ends with RETURNING 1). A
    /// change other replicas cache is announced to them.
    func changedRow(_ query: PostgresQuery, notifying change: StoreChange? = nil) async throws -> Bool {
        try await transaction { connection in
            let changed = try await count(query, on: connection) > 0
            if changed, let change { try await notify(change, on: connection) }
            return changed
        }
    }
}
