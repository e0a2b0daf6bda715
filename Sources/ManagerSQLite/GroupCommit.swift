import ExupSystem
import GRDB

/// Commits many callers' small writes in one transaction, so a burst of reports costs one fsync rather
/// than one each (group commit). Each caller's work runs in its own savepoint: one that throws is rolled
/// back alone and gets its error; the others commit. A caller returns only after its write is durable.
public final class GroupCommit: Sendable {
    private struct Entry: Sendable {
        /// Runs the work inside the batch's transaction; returns what to do once the batch commits.
        let run: @Sendable (Database) -> @Sendable () -> Void
        /// Called instead when the batch as a whole could not commit.
        let fail: @Sendable (any Error) -> Void
    }

    private let pool: DatabasePool
    private let queue = BatchQueue<Entry>()

    public init(pool: DatabasePool) { self.pool = pool }

    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let entry = Entry(
                run: { db in
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try work(db); return .commit
                        }
                        result = .success(value!)
                    } catch {
                        result = .failure(error)
                    }
                    return { continuation.resume(with: result) }
                },
                fail: { continuation.resume(throwing: $0) })
            if queue.add(entry) { Task { await self.drain() } }
        }
    }

    /// Writes batches until the queue is empty; whoever queued into an idle committer started it.
    private func drain() async {
        while true {
            let batch = queue.next()
            if batch.isEmpty { return }
            do {
                let completions = try await pool.write { db in batch.map { $0.run(db) } }
                for complete in completions { complete() }
            } catch {
                for entry in batch { entry.fail(error) }
            }
        }
    }
}
