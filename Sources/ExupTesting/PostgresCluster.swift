import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster from the distribution's packages: `initdb` and `pg_ctl` in a temporary
/// directory, listening on a loopback port only, with a password (SCRAM) for its one role. PostgreSQL
/// refuses to run as root, so as root the cluster's files belong to the `postgres` account the Debian
/// package creates and its programs run as that account. One cluster serves a whole test process (each
/// test takes a database of its own) and is stopped when the process exits.
public final class PostgresCluster: @unchecked Sendable {
    public let port: UInt16
    public let username = "exup"
    public let password: String
    public let directory: TemporaryDirectory
    let binaries: String

    /// The process's cluster, started at first use.
    public static func shared() throws -> PostgresCluster {
        try sharedCluster.withLock { shared in
            if let shared { return shared }
            let cluster = try PostgresCluster()
            shared = cluster
            atexit { PostgresCluster.sharedCluster.withLock { $0?.stop() } }
            return cluster
        }
    }
    private static let sharedCluster = NSLockedValue<PostgresCluster?>(nil)

    public init() throws {
        binaries = try Self.binaryDirectory()
        directory = try TemporaryDirectory(prefix: "exup-postgres")
        password = "pg-" + UUID().uuidString.lowercased().prefix(12)
        port = try ManagerProcess.freeTCPPort()
        chmod(directory.path, 0o777)
        _ = try directory.write("pwfile", password + "\n", mode: 0o644)
        try runAsOwner([
            binaries + "/initdb", "-D", directory.file("data"), "-U", username, "--pwfile", directory.file("pwfile"),
            "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ])
        try runAsOwner([
            binaries + "/pg_ctl", "-D", directory.file("data"), "-l", directory.file("server.log"), "-w", "-t", "60", "-o",
            "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path) -c fsync=off -c max_connections=200", "start",
        ])
    }

    /// A connection URL for a new, empty database of its own.
    public func newDatabase() throws -> String {
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try psql("CREATE DATABASE \(name)")
        return url(database: String(name))
    }

    public func url(database: String) -> String { "postgresql://\(username):\(password)@127.0.0.1:\(port)/\(database)" }

    /// Runs SQL with psql as the cluster's role; the output is returned, an error thrown.
    @discardableResult public func psql(_ sql: String, database: String = "postgres") throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        let result = try Subprocess.run(
            [
                binaries + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)", "-U", username, "-d",
                database, "-c", sql,
            ],
            environment: environment)
        guard result.status == 0 else { throw TestFailure("psql \(sql): \(result.stderr)") }
        return result.stdout
    }

    public func stop() {
        _ = try? runAsOwner([binaries + "/pg_ctl", "-D", directory.file("data"), "-m", "immediate", "-w", "stop"])
    }

    private func runAsOwner(_ arguments: [String]) throws {
        let command = geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        let result = try Subprocess.run(command, directory: directory.path)
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: directory.file("server.log"), encoding: .utf8)) ?? ""
            throw TestFailure("\(arguments[0]) failed (\(result.status)): \(result.stderr)\(result.stdout)\(log)")
        }
    }

    /// The newest installed PostgreSQL's programs (Debian keeps them under /usr/lib/postgresql/VERSION/bin).
    static func binaryDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/initdb") else {
            throw TestFailure("PostgreSQL's initdb not found under \(root) (install the postgresql package: make deps)")
        }
        return "\(root)/\(newest)/bin"
    }
}

/// A value behind a lock, for the process-wide cluster.
final class NSLockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
