import ArgumentParser
import ExupCommandLine
import ExupSystem
import Logging
import ManagerPostgres
import ManagerServer

#if canImport(Glibc)
    import Glibc
#endif

/// `exup-manager migrate-database`: moves the manager's data from the embedded SQLite file to PostgreSQL.
struct MigrateDatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-database",
        abstract: "Copy the manager's data from DATA/manager.sqlite into an empty PostgreSQL database, and check the copy.",
        discussion: """
            Stop the manager first. Every table is copied in one transaction, then read back and compared (row \
            counts and SHA-256 of every value); the SQLite file is only read. Then set [database] url in \
            manager.toml and start the manager: agents poll on with their credentials, nothing re-enrols.
            """)

    @Option(help: "The manager's data directory.") var dataDir: String
    @Option(help: "The PostgreSQL database: postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=…].") var to: String
    @Option(help: "A file holding the database password (else the URL's, else ~/.pgpass).") var passwordFile: String?
    @Option(help: "CA certificates (PEM) that sign PostgreSQL's certificate.") var caFile: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    /// The URL as given, its password (if any) taken out: for the hint, with its sslmode and sslrootcert.
    static func withoutPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + String(url[at...])
    }

    func run() async throws {
        var password: String?
        if let passwordFile {
            guard let contents = try? SecretFile.read(passwordFile, limit: 16 << 10) else {
                throw CommandFailure("cannot read --password-file \(passwordFile)", code: "configuration")
            }
            password = contents.text.trimmingScalars(in: " \r\n")
        }
        let environment = ["PGPASSFILE", "HOME"].reduce(into: [String: String]()) { found, name in
            if let value = getenv(name) { found[name] = String(cString: value) }
        }
        let settings: PostgresSettings
        do { settings = try PostgresSettings(url: to, password: password, caFile: caFile, environment: environment) } catch {
            throw CommandFailure("--to: \(error)", code: "configuration")
        }
        let line = json ? nil : ProgressLine(fd: 2)
        let summary: DatabaseMigration.Summary
        do {
            summary = try await DatabaseMigration.run(dataDirectory: dataDir, to: settings, logger: Logger(label: "exup.migrate")) {
                line?.update("migrate-database: \($0)")
            }
        } catch {
            line?.close()
            throw CommandFailure("\(error)")
        }
        line?.close()
        if json { return try JSONOutput.print(summary) }
        for table in summary.tables { say("  \(table.table): \(table.rows) rows, sha256 \(table.sha256.prefix(16))… identical") }
        say(
            """
            copied \(summary.rows) rows from \(dataDir)/manager.sqlite to \(summary.target); every table read back identical.
            Next: add to manager.toml
              [database]
              url = "\(Self.withoutPassword(to))"\(passwordFile.map { "\n  password-file = \"\($0)\"" } ?? "")\(caFile.map { "\n  ca-file = \"\($0)\"" } ?? "")
            and start the manager with the same data directory.
            """)
    }
}
