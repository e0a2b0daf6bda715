import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// Backup and restore (seed §4.3–§4.4, R199–R200): a backup taken while the manager runs, restored into a
/// new data directory; the agent keeps working against the restored manager without re-enrolling.
@Suite(.serialized) final class BackupTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }
    var restored: ManagerProcess?

    init() throws { fleet = try TestFleet() }

    deinit { restored?.stop() }

    func managerCommand(_ arguments: String...) throws -> Subprocess.Result {
        try Subprocess.run([BuiltProducts.path("exup-manager")] + arguments)
    }

    /// `--config` naming the database, when the managers run on PostgreSQL (EXUP_TEST_DATABASE).
    func databaseConfig(_ url: String?, _ name: String) throws -> [String] {
        guard let url else { return [] }
        return ["--config", try fleet.dir.write(name, "[database]\nurl = \"\(url)\"\n")]
    }

    @Test("backup while running, restore elsewhere, start on the same address: the agent polls, trusts, applies; the backup is checked")
    func backupAndRestore() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        let file = fleet.dir.file("backup.exup")
        let backup = try Subprocess.run(
            [BuiltProducts.path("exup-manager"), "backup", "--data-dir", manager.data.path, "--out", file, "--json"]
                + (try databaseConfig(manager.databaseURL, "backup.toml")))
        #expect(backup.status == 0, "\(backup.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any]
        #expect(summary?["packages"] as? Int == 1, "\(backup.stdout)")
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600, "it holds the keys")
        // Added after the backup: not in the restored manager.
        try manager.add(try fleet.packages.bmcFirmware("2.32"))

        let port = manager.port
        manager.stop()
        let target = try TemporaryDirectory(prefix: "exup-restored")
        // On PostgreSQL the restored manager gets an empty database of its own, as a new machine would.
        let restoredConfig = try databaseConfig(manager.databaseURL == nil ? nil : try PostgresCluster.shared().newDatabase(), "restored.toml")
        if manager.databaseURL != nil {
            let without = try managerCommand("restore", "--data-dir", fleet.dir.file("no-database"), file)
            #expect(without.status != 0 && without.stderr.contains("[database]"), "a PostgreSQL backup needs a database to go into")
        }
        let restore = try Subprocess.run([BuiltProducts.path("exup-manager"), "restore", "--data-dir", target.path] + restoredConfig + [file])
        #expect(restore.status == 0 && restore.stdout.contains("every one checked"), "\(restore.stdout)\(restore.stderr)")
        let keyMode = try FileManager.default.attributesOfItem(atPath: target.file("keys/timestamp.pem"))[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let again = try managerCommand("restore", "--data-dir", target.path, file)
        #expect(again.status != 0 && again.stderr.contains("not empty"), "never over existing data")

        restored = try ManagerProcess(data: target, port: port, extraArguments: restoredConfig)
        let restoredManager = try #require(restored)
        let outcome = try web01.runOnce()
        #expect(
            outcome["metadataRefusal"] == nil && outcome["offered"] as? [String] == ["bmc-2.31"],
            "the restored repository is trusted (its TUF versions did not go back): \(outcome)")
        let items = try restoredManager.approve("web01", ["bmc-firmware"])
        let applied = try web01.runOnce()
        let state = (applied["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == items["bmc-firmware"] }
        #expect(state?["state"] as? String == "succeeded", "\(applied)")
        #expect(try restoredManager.module("web01", "bmc-firmware")["current"] as? String == "2.31")

        // A damaged backup is refused.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0xFF
        let damaged = try fleet.dir.write("damaged.exup", bytes)
        let refused = try managerCommand("restore", "--data-dir", fleet.dir.file("elsewhere"), damaged)
        #expect(refused.status != 0, "\(refused.stdout)")
    }
}
