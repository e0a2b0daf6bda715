import ExupTesting
import Foundation
import Testing
import Transport

/// `/readyz` for load balancers: ready only while the database, the catalog and the package pool answer;
/// `/healthz` stays "alive" meanwhile.
@Suite struct ReadinessTests {
    @Test("ready while everything answers; a package pool that went away makes it not ready, with the reason, and back")
    func poolGone() throws {
        let manager = try ManagerProcess()
        let ready = try HTTPClient().get(manager.url + "/readyz", maxBytes: 4096)
        #expect(ready.status == 200 && String(decoding: ready.body, as: UTF8.self) == "ready\n")
        let pool = manager.data.file("pool")
        #expect(rename(pool, pool + ".away") == 0)
        let gone = try HTTPClient().get(manager.url + "/readyz", maxBytes: 4096)
        #expect(gone.status == 503 && String(decoding: gone.body, as: UTF8.self).contains("package pool"), "\(gone.status)")
        #expect(try HTTPClient().get(manager.url + "/healthz", maxBytes: 4096).status == 200, "alive all the same")
        #expect(rename(pool + ".away", pool) == 0)
        #expect(try HTTPClient().get(manager.url + "/readyz", maxBytes: 4096).status == 200)
    }

    @Test("a manager on PostgreSQL is not ready while its database is down, and says so")
    func databaseDown() throws {
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let data = try TemporaryDirectory()
        let config = try data.write("manager.toml", "[database]\nurl = \"\(try cluster.newDatabase())\"\n")
        let manager = try ManagerProcess(extraArguments: ["--config", config])
        #expect(try HTTPClient().get(manager.url + "/readyz", maxBytes: 4096).status == 200)
        cluster.stop()
        let down = try HTTPClient().get(manager.url + "/readyz", maxBytes: 4096)
        #expect(
            down.status == 503 && String(decoding: down.body, as: UTF8.self).contains("database"), "\(String(decoding: down.body, as: UTF8.self))")
    }
}
