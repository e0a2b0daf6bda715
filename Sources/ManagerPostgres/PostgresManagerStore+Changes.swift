import Logging
import Manager
import PostgresNIO

/// The change feed between manager replicas: a transaction that changes a credential or a session also
/// sends `pg_notify('exup_changes', 'agent:NAME' | 'user:NAME')`, delivered to every listening replica when
/// (and only if) it commits. Each replica listens on one pooled connection; whenever it starts listening
/// (at start, and again after a lost connection, when notifications may have been missed) it asks its
/// caches to read everything again.
extension PostgresManagerStore {
    static let changeChannel = "exup_changes"

    public func changeFeed() -> AsyncStream<StoreChange>? { changes.stream }

    public func activeCredential(of agent: String) async throws -> AgentCredential? {
        try await fetchOne(AgentCredential.self, "SELECT name, credential_id, credential_hmac FROM agent WHERE name = \(agent) AND NOT revoked")
    }

    public func openSessions(of user: String, now: Int64) async throws -> [SessionRecord] {
        try await fetchAll(
            SessionRecord.self,
            #"""
            SELECT session.id, session.hmac, session."user", session.expires, "user".role FROM session
            JOIN "user" ON "user".name = session."user" WHERE session."user" = \#(user) AND expires > \#(now)
            """#)
    }

    /// Inside a transaction: tells the other replicas, at commit, what to read again.
    func notify(_ change: StoreChange, on connection: PostgresConnection) async throws {
        let payload: String
        switch change {
        case .agent(let name): payload = "agent:" + name
        case .user(let name): payload = "user:" + name
        case .everything: payload = "everything"
        }
        try await execute("SELECT pg_notify(\(Self.changeChannel), \(payload))", on: connection)
    }

    static func change(from payload: String) -> StoreChange? {
        if payload.hasPrefix("agent:") { return .agent(String(payload.dropFirst(6))) }
        if payload.hasPrefix("user:") { return .user(String(payload.dropFirst(5))) }
        return payload == "everything" ? .everything : nil
    }

    /// A `SELECT 1` on `connection`, or an error once `limit` passes.
    static func roundTrip(_ connection: PostgresConnection, within limit: Duration, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await connection.query("SELECT 1", logger: logger) }
            group.addTask {
                try await Task.sleep(for: limit)
                throw PostgresStoreError(description: "PostgreSQL did not answer within \(limit)")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Listens until the store closes, again a second after a lost connection.
    func followChanges() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.changeChannel) { notifications in
                        failures = 0
                        changes.continuation.yield(.everything)
                        // A connection that died without closing (a frozen network) delivers nothing and says
                        // nothing: a round trip every few seconds finds it, and the loop connects again.
                        let (feed, interval, logger) = (changes, listenCheckInterval, logger)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in notifications {
                                    if let change = Self.change(from: notification.payload) { feed.continuation.yield(change) }
                                }
                            }
                            group.addTask {
                                while true {
                                    try await Task.sleep(for: interval)
                                    try await Self.roundTrip(connection, within: .seconds(5), logger: logger)
                                }
                            }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                failures += 1
                // Once per outage, not once a second while the database is down.
                if failures == 1 {
                    logger.warning(
                        "listening for other managers' changes failed (\(PostgresStoreError.describe(error, doing: "LISTEN"))); retrying every second"
                    )
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// The stream the change feed hands out, and its writing end.
struct ChangeStream: Sendable {
    let stream: AsyncStream<StoreChange>
    let continuation: AsyncStream<StoreChange>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: StoreChange.self, bufferingPolicy: .bufferingNewest(10_000))
    }
}
