import ExupSystem
import Logging
import Manager
import ManagerPostgres
import ManagerSQLite

/// `exup-manager migrate-database`: the manager's data from its SQLite file into an empty PostgreSQL
/// database, every table in one transaction, read back and compared table by table (row counts and
/// SHA-256 of every value) before it commits. The SQLite file's contents are not changed; the manager
/// must be stopped meanwhile (the data directory's lock says so), so nothing changes between the copy and
/// the check. Agents keep their credentials (the HMAC key stays where it was), so they poll on without
/// enrolling again. Afterwards `DATA/database.moved` names where the data went: a manager started
/// without `[database]`, a backup without `--config` and a second migration are refused while it is
/// there, so the stale SQLite file is never used by mistake.
public enum DatabaseMigration {
    /// The marker left in the data directory.
    public static func marker(_ dataDirectory: String) -> String { dataDirectory + "/database.moved" }

    /// Where the data went, when it was moved (the marker's first line).
    public static func movedTo(_ dataDirectory: String) -> String? {
        guard let text = LocalFile.readText(marker(dataDirectory), limit: 4096) else { return nil }
        return text.split(separator: "\n").first.map(String.init) ?? "PostgreSQL"
    }

    public struct TableResult: Sendable, Codable {
        public var table: String
        public var rows: Int
        public var sha256: String
    }

    public struct Summary: Sendable, Codable {
        public var target: String
        public var tables: [TableResult]
        public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    public static func run(
        dataDirectory: String, to settings: PostgresSettings, logger: Logger, progress: (String) -> Void = { _ in }
    ) async throws -> Summary {
        let path = dataDirectory + "/manager.sqlite"
        guard LocalFile.exists(path) else { throw ManagerStartError("\(dataDirectory) holds no manager database (no manager.sqlite)") }
        if let target = movedTo(dataDirectory) {
            throw ManagerStartError(
                "the manager's data in \(dataDirectory) was already moved to \(target) (\(marker(dataDirectory))): its manager.sqlite is out of date")
        }
        let lock: ProcessLock
        do { lock = try ProcessLock(path: dataDirectory + "/manager.lock") } catch let held as ProcessLock.Held {
            throw ManagerStartError(
                "an exup-manager (pid \(held.pid.map(String.init) ?? "?")) is running on \(dataDirectory): stop it first, so nothing changes during the copy"
            )
        }
        defer { withExtendedLifetime(lock) {} }
        let source = try SQLiteManagerStore(path: path)
        progress("connecting to \(settings.displayURL)")
        let target = try await PostgresManagerStore(settings: settings, logger: logger, serving: false)
        defer { target.close() }
        let stored = try await target.storedRowCount()
        guard stored == 0 else {
            throw ManagerStartError(
                "\(settings.displayURL) already holds manager data (\(stored) rows): migrate into an empty database, or drop and create it again")
        }
        var dumps: [TableDump] = []
        for table in ManagerTables.all {
            dumps.append(try await source.dump(table: table.name, orderBy: table.orderBy))
            progress("read \(table.name): \(dumps.last!.rows.count) rows")
        }
        try await target.importTables(dumps)
        progress("copied \(dumps.reduce(0) { $0 + $1.rows.count }) rows; checking")
        var results: [TableResult] = []
        for (dump, table) in zip(dumps, ManagerTables.all) {
            let copy = try await target.dump(table: table.name, orderBy: table.orderBy)
            guard copy.rows.count == dump.rows.count, copy.digest == dump.digest else {
                throw ManagerStartError(
                    "the copy of \(table.name) differs (\(copy.rows.count) rows read back of \(dump.rows.count)): the SQLite file is unchanged; "
                        + "drop the PostgreSQL database before trying again")
            }
            results.append(TableResult(table: table.name, rows: dump.rows.count, sha256: dump.digest))
        }
        try LocalFile.writeAtomically(
            Array(
                "\(settings.displayURL)\nThe manager's data was moved there by exup-manager migrate-database; manager.sqlite here is out of date.\n"
                    .utf8),
            to: marker(dataDirectory), mode: 0o600)
        return Summary(target: settings.displayURL, tables: results)
    }
}
