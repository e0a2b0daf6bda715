import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupSystem
import Logging
import ManagerPostgres
import ManagerServer
import NIOCore
import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// The manager: repository + manager + web UI in one process.
/// The entry: /proc is checked before the concurrency runtime starts (see CommandMain.runAsync).
@main
enum ExupManagerMain {
    static func main() { CommandMain.runAsync(ExupManager.self, program: "exup-manager") }
}

struct ExupManager: AsyncParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "exup-manager",
        abstract: "The exup manager: the package repository, agent reports, approvals, and the web UI.",
        version: ExupVersion.string,
        subcommands: [Serve.self, BackupCommand.self, RestoreCommand.self, CheckConfigCommand.self, MigrateDatabaseCommand.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the manager (port 8080 by default).",
        discussion: """
            On first start it creates the data directory and, before it listens, generates the repository's \
            TUF keys (DATA/keys/, 0600), the administrator token (DATA/admin.token) and the repository password \
            (DATA/repository.password), and prints them once. There are no default passwords. The exup CLI \
            takes the token from --token or EXUP_TOKEN.
            """
    )

    @Option(help: "Configuration file (see etc/exup/manager.toml).")
    var config: String?

    @Option(help: "Data directory (catalog, pool, keys, secrets). Default ./exup-data.")
    var dataDir: String?

    @Option(help: "Address to listen on, HOST:PORT. Default 0.0.0.0:8080.")
    var listen: String?

    @Option(help: "Directory of trusted vendor public keys (*.pem). Default DATA/trusted-keys.")
    var trustedKeys: String?

    func run() async throws {
        JournalLogHandler.bootstrap()
        let logger = Logger(label: "exup.manager")
        // Everything the manager creates (databases, pool, exports) is for it alone.
        umask(0o077)
        var configuration = ManagerConfiguration()
        if let config {
            do { configuration = try ManagerConfiguration.load(path: config) } catch { throw CommandFailure("\(error)", code: "configuration") }
        }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let trustedKeys { configuration.trustedKeys = trustedKeys }
        if let listen {
            guard let (host, port) = ManagerConfiguration.parseListen(listen) else {
                throw ValidationError("--listen must be HOST:PORT with a port from 0 to 65535, not \(listen)")
            }
            (configuration.listenHost, configuration.listenPort) = (host, port)
        }
        if let trusted = configuration.trustedKeys, !LocalFile.isDirectory(trusted) {
            throw CommandFailure(
                "the trusted keys directory \(trusted) does not exist: create it and put the vendors' public keys (*.pem) in it",
                code: "configuration")
        }
        do { _ = try ManagerApplication.tlsConfiguration(configuration) } catch { throw CommandFailure("\(error)", code: "configuration") }
        if LocalFile.exists(configuration.dataDirectory) && !LocalFile.isDirectory(configuration.dataDirectory) {
            throw CommandFailure("the data directory \(configuration.dataDirectory) is a file, not a directory", code: "configuration")
        }
        let address = "\(configuration.listenHost):\(configuration.listenPort)"
        // Before the first start generates anything: a port in use is said now, not after secrets were printed.
        if let problem = ListenProbe.problem(host: configuration.listenHost, port: configuration.listenPort) {
            throw CommandFailure("cannot listen on \(address): \(problem)", code: "listen")
        }
        let manager: ManagerApplication
        do { manager = try await ManagerApplication(configuration: configuration, logger: logger) } catch let error as ManagerStartError {
            throw CommandFailure(error.description, code: error.code)
        } catch let error as PostgresStoreError {
            throw CommandFailure(error.description, code: "database")
        } catch {
            throw CommandFailure("cannot open the data directory \(configuration.dataDirectory): \(ErrorWording.describe(error))")
        }
        let firstPassword: String?
        do { firstPassword = try await manager.manager.users.createFirstAdministratorIfNeeded() } catch {
            throw CommandFailure("cannot create the first administrator in \(configuration.dataDirectory): \(ErrorWording.describe(error))")
        }
        if manager.secrets.created || firstPassword != nil {
            let directory = configuration.dataDirectory
            // Secrets reach the screen of the person who started it, never a log: under systemd only where they are.
            if Terminal.isInteractive {
                say(
                    """
                    exup-manager: first start; generated in \(directory) (mode 0600, shown only now):
                      administrator token:  \(manager.secrets.adminToken)   (admin.token)
                      repository password:  \(manager.secrets.repositoryPassword)   (repository.password)
                      user admin, password: \(firstPassword ?? "(unchanged)")   (admin.password; exup login --username admin)
                      TUF keys:             keys/ (move keys/root.pem offline once you have a copy; see docs/security.md)
                    """)
            } else {
                say(
                    """
                    exup-manager: first start; generated in \(directory), each 0600: the administrator token (admin.token), the repository \
                    password (repository.password), the password of user admin (admin.password), the TUF keys (keys/; move keys/root.pem \
                    offline once you have a copy, see docs/security.md)
                    """)
            }
        }
        let scheme = configuration.tlsCertificate == nil ? "http" : "https"
        let host = configuration.listenHost
        let application = try manager.makeApplication { port in
            say("exup-manager: listening on \(scheme)://\(host):\(port)")
        }
        do { try await application.runService() } catch let error as IOError {
            // The socket calls fail with an errno: said as the system says it, for the address asked.
            throw CommandFailure("cannot listen on \(address): " + String(cString: strerror(error.errnoCode)).lowercased(), code: "listen")
        }
        logger.info("stopped")
    }
}

/// A line on standard output, written at once (print's buffer would hold it back when stdout is a file).
func say(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

#if canImport(Glibc)
    import Glibc
#endif

/// `exup-manager backup`: a consistent copy of a data directory, taken while the manager runs or not.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a backup of the manager's data (databases, keys, secrets, packages) to one file (0600).")
    @Option(help: "The manager's data directory.") var dataDir: String
    @Option(
        help:
            "The manager's configuration: with a [database] url, its PostgreSQL database is dumped (pg_dump); [storage] says where the pool and keys are."
    )
    var config: String?
    @Option(help: "The backup file to write.") var out: String
    @Flag(help: "Replace --out when it exists.") var force = false
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        if LocalFile.exists(out) && !force { throw CommandFailure("\(out) already exists: choose another --out, or pass --force to replace it") }
        let summary: ManagerBackup.Summary
        let line = json ? nil : ProgressLine(fd: 2)
        var steps = 0
        do {
            let configuration = try config.map { try ManagerConfiguration.load(path: $0) }
            var paths = RepositoryPaths(dataDirectory: dataDir)
            if let configuration {
                paths = RepositoryPaths(
                    dataDirectory: dataDir, poolDirectory: configuration.poolDirectory, keysDirectory: configuration.keysDirectory)
            }
            summary = try ManagerBackup.backup(dataDirectory: dataDir, paths: paths, database: configuration?.database, to: out) { step in
                steps += 1
                // Live on a terminal; elsewhere the first steps and then every 100th, not one line per package.
                if line?.isLive == true || steps <= 2 || steps % 100 == 0 { line?.update("backing up \(dataDir): \(step)") }
            }
        } catch {
            line?.close()
            throw CommandFailure("\(error)")
        }
        line?.close()
        if json { return say(summary.json) }
        say(
            "backup written to \(out): \(summary.files) files, \(summary.packages) packages, \(summary.bytes / 1024) KiB (keep it safe: it holds the keys)"
        )
    }
}

/// `exup-manager restore`: a backup into a new data directory (a new machine, or after a loss).
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a new, empty data directory; then start exup-manager serve on it.")
    @Option(help: "The new data directory (missing or empty).") var dataDir: String
    @Option(
        help:
            "The configuration the restored manager will use: its [database] url names the empty PostgreSQL database a backup of a manager on PostgreSQL goes into."
    )
    var config: String?
    @Argument(help: "The backup file.") var backup: String
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        let summary: ManagerBackup.Summary
        do {
            let database = try config.map { try ManagerConfiguration.load(path: $0).database } ?? nil
            summary = try ManagerBackup.restore(backup, into: dataDir, database: database)
        } catch { throw CommandFailure("\(error)") }
        if json { return say(summary.json) }
        say("restored \(summary.files) files (\(summary.packages) packages, every one checked) into \(dataDir)")
    }
}

extension ManagerBackup.Summary {
    /// `{"files": …, "packages": …, "bytes": …}` for --json.
    var json: String { #"{"files": \#(files), "packages": \#(packages), "bytes": \#(bytes)}"# }
}
