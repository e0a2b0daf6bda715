import ExupTesting
import GRDB
import ManagerSQLite
import Testing

/// Group commit on a real SQLite file: batches commit together, one failing writer does not sink the rest.
@Suite struct GroupCommitTests {
    @Test("concurrent writers all land; a throwing writer is rolled back alone and gets its error")
    func batches() async throws {
        let directory = try TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("t.sqlite"))
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let commit = GroupCommit(pool: pool)
        struct Refused: Error {}
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<400 {
                group.addTask {
                    do {
                        try await commit.write { db in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                            if n % 50 == 7 { throw Refused() }  // after its insert: the savepoint must undo it
                        }
                        return (n, true)
                    } catch {
                        return (n, !(error is Refused))  // a Refused error is the expected outcome for those
                    }
                }
            }
            var all: [(Int, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 400 && outcomes.allSatisfy { $0.1 == ($0.0 % 50 != 7) })
        let stored = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<400).filter { $0 % 50 != 7 }, "every good write is durable, every refused one undone")
        let value = try await commit.write { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t")! }
        #expect(value == 392, "a writer's result comes back to it")
    }
}
