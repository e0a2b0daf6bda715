import ExupSystem
import ManagerPostgres

/// PostgreSQL's own tools for the manager's database in a backup: `pg_dump --format=custom` (a consistent
/// snapshot while replicas keep writing) and `pg_restore` in one transaction into an empty database. The
/// password and TLS settings go through libpq's environment, never the command line.
enum PostgresDump {
    static let member = "manager.pgdump"

    static func dump(_ settings: PostgresSettings, to file: String) throws {
        try run(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", "--file", file] + connection(settings), settings,
            doing: "dump \(settings.displayURL)")
    }

    static func restore(_ file: String, into settings: PostgresSettings) throws {
        try run(
            "pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"] + connection(settings) + [file],
            settings, doing: "restore into \(settings.displayURL) (it must be an empty database)")
    }

    /// Where Debian and Red Hat keep the system's CA certificates in one file.
    static let systemCABundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]

    static func connection(_ settings: PostgresSettings) -> [String] {
        ["--host", settings.host, "--port", String(settings.port), "--username", settings.username, "--dbname", settings.database]
    }

    static func run(_ tool: String, _ arguments: [String], _ settings: PostgresSettings, doing what: String) throws {
        var environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "PGSSLMODE=\(settings.tls.rawValue)", "PGCONNECT_TIMEOUT=10"]
        if let password = settings.password { environment.append("PGPASSWORD=\(password)") }
        // As the manager does: the given CA file, else the system's CAs (libpq's own default is ~/.postgresql/root.crt).
        if let caFile = settings.caFile {
            environment.append("PGSSLROOTCERT=\(caFile)")
        } else if settings.tls == .verifyFull, let bundle = systemCABundles.first(where: LocalFile.exists) {
            environment.append("PGSSLROOTCERT=\(bundle)")
        }
        let result: CommandRunner.Result
        do {
            result = try CommandRunner.run([try program(tool)] + arguments, environment: environment, timeoutMilliseconds: 6 * 3_600_000)
        } catch { throw BackupError("cannot \(what): \(error)") }
        guard result.status == 0 else {
            let reason = result.stderrText.split(separator: "\n").prefix(3).joined(separator: "; ")
            throw BackupError("cannot \(what): \(tool) exited \(result.status): \(reason)")
        }
    }

    /// The tool on PATH (Debian's wrapper picks the version), else the newest under /usr/lib/postgresql.
    static func program(_ tool: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin"] where LocalFile.exists(directory + "/" + tool) { return directory + "/" + tool }
        let versions = ((try? LocalDirectory.list("/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last, LocalFile.exists("/usr/lib/postgresql/\(newest)/bin/\(tool)") {
            return "/usr/lib/postgresql/\(newest)/bin/\(tool)"
        }
        throw BackupError("\(tool) not found: install PostgreSQL's client programs (postgresql-client)")
    }
}
