import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// `exup-manager migrate-database`: a populated manager on SQLite moves to PostgreSQL; started there on
/// the same data directory, its agent polls on with its credential (no new enrolment) and applies.
@Suite(.serialized, .enabled(if: ManagerProcess.testEngine == "sqlite", "the source is a manager on SQLite"))
final class DatabaseMigrationTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }
    var moved: ManagerProcess?

    init() throws { fleet = try TestFleet() }

    deinit { moved?.stop() }

    func migrate(_ url: String) throws -> Subprocess.Result {
        try Subprocess.run([BuiltProducts.path("exup-manager"), "migrate-database", "--data-dir", manager.data.path, "--to", url, "--json"])
    }

    @Test("migrate a populated SQLite manager, start it on PostgreSQL: the agent polls and applies without enrolling again")
    func migrateAndGoOn() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        try manager.post("/api/v1/groups", ["name": "racks"])
        try manager.post("/api/v1/groups/racks/members", ["add": ["web01"]])
        let url = try PostgresCluster.shared().newDatabase()

        let running = try migrate(url)
        #expect(running.status != 0 && running.stdout.contains("stop it first"), "never while the manager writes: \(running.stdout)")
        let port = manager.port
        manager.stop()
        let result = try migrate(url)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let tables = Dictionary(
            uniqueKeysWithValues: (summary?["tables"] as? [[String: Any]] ?? []).map { ($0["table"] as? String ?? "", $0["rows"] as? Int ?? -1) })
        #expect(tables["agent"] == 1 && tables["group_member"] == 1 && tables["user"] == 1, "\(result.stdout)")
        let again = try migrate(url)
        #expect(again.status != 0 && again.stdout.contains("already moved"), "once moved, the SQLite file is out of date: \(again.stdout)")
        // Gone back to SQLite (the marker removed) and migrating again into the same database: refused.
        let marker = manager.data.file("database.moved")
        #expect(rename(marker, marker + ".aside") == 0)
        let over = try migrate(url)
        #expect(over.status != 0 && over.stdout.contains("already holds manager data"), "never over data: \(over.stdout)")
        #expect(rename(marker + ".aside", marker) == 0)

        let stale = try Subprocess.run([BuiltProducts.path("exup-manager"), "serve", "--data-dir", manager.data.path, "--listen", "127.0.0.1:0"])
        #expect(stale.status != 0 && stale.stderr.contains("moved to"), "the out-of-date SQLite file is never served: \(stale.stderr)")
        let staleBackup = try Subprocess.run([
            BuiltProducts.path("exup-manager"), "backup", "--data-dir", manager.data.path, "--out", fleet.dir.file("stale.exup"),
        ])
        #expect(staleBackup.status != 0 && staleBackup.stderr.contains("--config"), "nor backed up: \(staleBackup.stderr)")
        let config = try fleet.dir.write("postgres.toml", "[database]\nurl = \"\(url)\"\n")
        moved = try ManagerProcess(data: manager.data, port: port, extraArguments: ["--config", config])
        let movedManager = try #require(moved)
        #expect(movedManager.process?.output.contains("the manager's data is in PostgreSQL") == true)
        let members = try movedManager.json("/api/v1/groups/racks")["servers"] as? [[String: Any]] ?? []
        #expect(members.map { $0["name"] as? String } == ["web01"], "groups came along")
        let outcome = try web01.runOnce()
        #expect(outcome["offered"] as? [String] == ["bmc-2.31"], "the agent polls with its old credential: \(outcome)")
        let items = try movedManager.approve("web01", ["bmc-firmware"])
        let applied = try web01.runOnce()
        let state = (applied["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == items["bmc-firmware"] }
        #expect(state?["state"] as? String == "succeeded", "\(applied)")
        #expect(try movedManager.module("web01", "bmc-firmware")["current"] as? String == "2.31")
    }
}
