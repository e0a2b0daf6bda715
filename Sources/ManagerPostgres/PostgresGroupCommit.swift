import ExupSystem
import Logging
import PostgresNIO

/// Many agents' reports in one PostgreSQL transaction, so a burst costs one durable commit rather than
/// one each (as GroupCommit does on SQLite). Each report runs in its own savepoint under READ COMMITTED:
/// one that throws is rolled back alone and gets its error, the others commit. When the batch as a whole
/// fails (a deadlock, a lost connection, the commit itself), each report runs again alone in its own
/// serializable transaction, retried as every other write is. A caller returns only after its write is
/// durable.
final class PostgresGroupCommit: Sendable {
    private struct Entry: Sendable {
        /// Runs the work inside the batch; returns what to do once the batch commits.
        let attempt: @Sendable (PostgresConnection) async throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
        /// The work in a transaction of its own, and its answer to the caller.
        let alone: @Sendable () async -> Void
    }

    /// The store owns this committer (unowned: no cycle).
    private unowned let store: PostgresManagerStore
    private let queue = BatchQueue<Entry>()

    init(store: PostgresManagerStore) { self.store = store }

    func write<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let store = store
            let entry = Entry(
                attempt: { connection in
                    let value = try await work(connection)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) },
                alone: {
                    do { continuation.resume(returning: try await store.transaction(work)) } catch { continuation.resume(throwing: error) }
                })
            if queue.add(entry) { Task { await self.drain() } }
        }
    }

    /// Commits batches until the queue is empty; whoever queued into an idle committer started it.
    private func drain() async {
        while true {
            let batch = queue.next()
            if batch.isEmpty { return }
            do {
                let (completions, failures) = try await commit(batch)
                for complete in completions { complete() }
                for (entry, error) in failures { entry.fail(error) }
            } catch {
                store.logger.debug("a batch of \(batch.count) reports goes again one by one: \(String(reflecting: error))")
                for entry in batch { await entry.alone() }
            }
        }
    }

    private func commit(_ batch: [Entry]) async throws -> ([@Sendable () -> Void], [(Entry, any Error)]) {
        try await store.client.withConnection { connection in
            try await connection.query("BEGIN", logger: store.logger)
            var completions: [@Sendable () -> Void] = [], failures: [(Entry, any Error)] = []
            do {
                for entry in batch {
                    try await connection.query("SAVEPOINT report", logger: store.logger)
                    do {
                        completions.append(try await entry.attempt(connection))
                        try await connection.query("RELEASE SAVEPOINT report", logger: store.logger)
                    } catch let error as PSQLError where PostgresStoreError.isConflict(error) || error.serverInfo == nil {
                        throw error  // the whole batch goes again, one by one
                    } catch {
                        try await connection.query("ROLLBACK TO SAVEPOINT report", logger: store.logger)
                        failures.append((entry, error))
                    }
                }
                try await connection.query("COMMIT", logger: store.logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: store.logger)
                throw error
            }
            return (completions, failures)
        }
    }
}
