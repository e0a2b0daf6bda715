import ExupCore
import Logging
import Manager
import PostgresNIO
import Synchronization

/// The manager's data on PostgreSQL, for several manager replicas on one database. Every write is one
/// SERIALIZABLE transaction, retried when PostgreSQL reports a conflict with another replica's
/// transaction: a check and the write it allows hold across replicas as they hold on SQLite's single
/// writer. Migrations are named, only appended, and applied under an advisory lock, so replicas starting
/// at once migrate once.
public final class PostgresManagerStore: ManagerDatabase {
    let client: PostgresClient
    let logger: Logger
    let changes = ChangeStream()
    /// Reports are written through this: one commit per burst.
    var reports: PostgresGroupCommit { groupCommit.withLock { $0! } }
    private let groupCommit = Mutex<PostgresGroupCommit?>(nil)
    private let running: Task<Void, Never>
    private let following = Mutex<Task<Void, Never>?>(nil)
    private let leading = Mutex<Task<Void, Never>?>(nil)
    /// Whether this process holds the jobs' advisory lock now (see PostgresManagerStore+Jobs).
    let jobLeader = Atomic<Bool>(false)
    /// How often the connection that listens for other managers' changes is checked.
    let listenCheckInterval: Duration

    /// Connects (the client runs until `close`) and applies the migrations not yet applied. A serving manager
    /// also follows the other managers' changes and competes for the jobs' lock (`serving`; a tool such as
    /// migrate-database does neither); `jobLockInterval`: how often the lock is tried, and once held checked.
    public init(
        settings: PostgresSettings, logger: Logger = Logger(label: "exup.postgres"), serving: Bool = true,
        jobLockInterval: Duration = .seconds(10)
    ) async throws {
        listenCheckInterval = min(jobLockInterval, .seconds(5))
        // One plain connection first: PostgreSQL's own reason (a wrong password, no such database, a refused
        // certificate) at once, instead of the pool's retrying for a minute and then "could not connect".
        do {
            let probe = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw PostgresStoreError.describe(error, doing: "connecting to \(settings.displayURL)")
        }
        client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: logger)
        self.logger = logger
        running = Task { [client] in await client.run() }
        let batching = PostgresGroupCommit(store: self)
        groupCommit.withLock { $0 = batching }
        // Let the client's run loop start before the first lease (it warns otherwise; the lease would wait).
        for _ in 0..<4 { await Task.yield() }
        do {
            try await PostgresSchema.migrate(self)
        } catch {
            close()
            throw PostgresStoreError.describe(error, doing: "preparing the database at \(settings.displayURL)")
        }
        guard serving else { return }
        let task = Task { [weak self] in
            guard let self else { return }
            await self.followChanges()
        }
        following.withLock { $0 = task }
        let lead = Task { [weak self] in
            guard let self else { return }
            await self.leadJobs(every: jobLockInterval)
        }
        leading.withLock { $0 = lead }
    }

    public func close() {
        following.withLock { $0?.cancel() }
        leading.withLock { $0?.cancel() }
        jobLeader.store(false, ordering: .releasing)
        changes.continuation.finish()
        running.cancel()
    }

    deinit { close() }

    // MARK: - Queries

    /// Rows decoded as a stored record.
    func fetchAll<T: Decodable>(_ type: T.Type, _ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> [T] {
        try await rows(query, on: connection).map { try RowDecoder.decode(T.self, from: $0) }
    }

    func fetchOne<T: Decodable>(_ type: T.Type, _ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> T? {
        try await fetchAll(type, query, on: connection).first
    }

    /// Whether the query returns any row (`SELECT 1 … `, or a write with `RETURNING 1`: how many it changed).
    func count(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> Int {
        try await rows(query, on: connection).count
    }

    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        try await connection.query(query, logger: logger)
    }

    func rows(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [PostgresRow] {
        // Inside a transaction the raw error goes up, so the transaction can tell a conflict to retry.
        if let connection { return try await connection.query(query, logger: logger).collect() }
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw PostgresStoreError.describe(error, doing: "a query")
        }
    }

    /// Runs `body` as one SERIALIZABLE transaction and commits it; a serialization failure, a deadlock or
    /// a unique key taken by a concurrent transaction runs it again from the start (its checks then see
    /// what the other committed), a bounded number of times.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN ISOLATION LEVEL SERIALIZABLE", logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where PostgresStoreError.isConflict(error) && attempt < 60 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...min(50, 2 * attempt))))
            } catch let error as PSQLError {
                throw PostgresStoreError.describe(error, doing: "a transaction")
            }
        }
    }

    // MARK: - Administration

    public func checkReachable() async throws {
        _ = try await rows("SELECT 1", on: nil)
    }

    public func backup(to path: String) async throws {
        throw ManagerError(
            kind: .invalid, code: "backup-engine",
            message: "the manager's data is in PostgreSQL: back it up with pg_dump (a SQLite file copy is for the embedded engine)")
    }
}
