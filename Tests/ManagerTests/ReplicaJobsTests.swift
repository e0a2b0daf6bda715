import ExupTesting
import Foundation
import Testing
import Transport

/// Two exup-manager processes on one PostgreSQL database: one runs the scheduled jobs (batches, policies);
/// killed with SIGKILL, the other takes them over (PostgreSQL drops the dead one's advisory lock with its
/// connection).
@Suite struct ReplicaJobsTests {
    @Test("kill -9 of the manager running the jobs: the other manager on the database takes them over")
    func takeOver() throws {
        let dir = try TemporaryDirectory()
        let config = try dir.write("manager.toml", "[database]\nurl = \"\(try PostgresCluster.shared().newDatabase())\"\n")
        let leaderLine = "this manager now runs the fleet's scheduled jobs"
        let first = try ManagerProcess(extraArguments: ["--config", config])
        try eventually("the first manager leads") { first.process?.output.contains(leaderLine) == true }
        let second = try ManagerProcess(extraArguments: ["--config", config])
        #expect(try HTTPClient.waitForReady(second.url), "the second manager serves all the same")
        #expect(second.process?.output.contains(leaderLine) == false, "one leader at a time")
        let pid = try #require(first.process?.pid)
        kill(pid, SIGKILL)
        try eventually("the second manager takes the jobs over", seconds: 60) { second.process?.output.contains(leaderLine) == true }
    }
}

extension HTTPClient {
    /// True once `/readyz` answers 200.
    static func waitForReady(_ base: String) throws -> Bool {
        (try? eventually("ready", seconds: 20) { (try? HTTPClient().get(base + "/readyz", maxBytes: 4096).status) == 200 }) != nil
    }
}
