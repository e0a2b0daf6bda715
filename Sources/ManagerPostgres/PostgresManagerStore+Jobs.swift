import Logging
import Manager
import PostgresNIO
import Synchronization

/// The jobs that must run on one manager at a time (remote batches, group policies) run on the manager
/// that holds a PostgreSQL session advisory lock. One pooled connection tries to take it and, once it has
/// it, keeps it and checks the connection every few seconds. When that manager dies its connection closes,
/// PostgreSQL releases the lock, and another manager takes it at its next try; a manager whose check fails
/// stops acting as the leader at once (the lock cannot be held twice, so at worst no one leads briefly).
extension PostgresManagerStore {
    static let jobsLock: Int64 = 0x6578_7570_0002

    public func holdsJobLock() async -> Bool { jobLeader.load(ordering: .acquiring) }

    func leadJobs(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    defer { jobLeader.store(false, ordering: .releasing) }
                    do {
                        while !Task.isCancelled {
                            let rows = try await connection.query("SELECT pg_try_advisory_lock(\(Self.jobsLock))", logger: logger).collect()
                            if try rows.first?.decode(Bool.self) == true {
                                if !jobLeader.load(ordering: .acquiring) { logger.info("this manager now runs the fleet's scheduled jobs") }
                                jobLeader.store(true, ordering: .releasing)
                                while !Task.isCancelled {
                                    try await Task.sleep(for: interval)
                                    try await connection.query("SELECT 1", logger: logger)
                                }
                            }
                            try await Task.sleep(for: interval)
                        }
                    } catch {
                        // Back to the pool without the lock, so no other lease inherits it.
                        _ = try? await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)
                        throw error
                    }
                    _ = try? await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("the jobs' lock: \(PostgresStoreError.describe(error, doing: "the jobs' advisory lock")); trying again")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
