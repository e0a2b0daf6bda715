import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `exup-manager serve` on a free loopback port with its own data directory, for tests.
/// Stopped (SIGTERM, then SIGKILL) when the value goes away; `restart()` keeps the data directory.
public final class ManagerProcess: @unchecked Sendable {
    public let data: TemporaryDirectory
    /// The port the manager bound: 0 is asked at the first start and the bound port read back from its
    /// "listening on" line (no port is picked, closed and handed over, which another process could take).
    public private(set) var port: UInt16
    public private(set) var process: BackgroundProcess?
    public let extraArguments: [String]
    /// With `EXUP_TEST_DATABASE=postgresql` in the environment, every manager a test starts keeps its data
    /// in a database of its own in the process's PostgreSQL cluster (the same suites, the other engine).
    public let databaseURL: String?

    public var url: String { "http://127.0.0.1:\(port)" }
    public var adminToken: String {
        (try? String(contentsOfFile: data.file("admin.token"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
    public var repositoryPassword: String {
        (try? String(contentsOfFile: data.file("repository.password"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
    public var trustedKeys: String { data.file("trusted-keys") }

    public init(extraArguments: [String] = []) throws {
        data = try TemporaryDirectory(prefix: "exup-manager")
        port = 0
        self.extraArguments = extraArguments
        databaseURL = try Self.testDatabase()
        try start()
    }

    /// A manager on an existing data directory (a restored backup, say), on a given port.
    public init(data: TemporaryDirectory, port: UInt16, extraArguments: [String] = []) throws {
        self.data = data
        self.port = port
        self.extraArguments = extraArguments
        databaseURL = try Self.testDatabase()
        try start()
    }

    deinit { stop() }

    public func start() throws {
        let process = try BackgroundProcess(
            [
                BuiltProducts.path("exup-manager"), "serve", "--data-dir", data.path,
                "--listen", "127.0.0.1:\(port)",
            ] + (try argumentsWithDatabase()))
        self.process = process
        let url = try process.waitForLine(startingWith: "exup-manager: listening on", timeoutSeconds: 20)
        guard let bound = url.split(separator: ":").last.flatMap({ UInt16($0) }), bound != 0 else { throw TestFailure("no port in \(url)") }
        port = bound
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    public func restart() throws {
        stop()
        try start()
    }

    /// Whether this test process runs the managers it starts on PostgreSQL (`EXUP_TEST_DATABASE`).
    public static var testEngine: String { ProcessInfo.processInfo.environment["EXUP_TEST_DATABASE"] ?? "sqlite" }

    static func testDatabase() throws -> String? {
        switch testEngine {
        case "sqlite": return nil
        case "postgresql": return try PostgresCluster.shared().newDatabase()
        case let other: throw TestFailure("EXUP_TEST_DATABASE=\(other): sqlite or postgresql")
        }
    }

    /// The extra arguments, with `[database]` added to the configuration file (or one made for it) when the
    /// test runs on PostgreSQL and the test's own configuration names no database.
    func argumentsWithDatabase() throws -> [String] {
        guard let databaseURL else { return extraArguments }
        var arguments = extraArguments
        var text = ""
        if let index = arguments.firstIndex(of: "--config"), index + 1 < arguments.count {
            text = try String(contentsOfFile: arguments[index + 1], encoding: .utf8)
            if text.contains("[database]") { return extraArguments }
            arguments.removeSubrange(index...(index + 1))
        }
        let file = data.path + ".toml"
        try (text + "\n[database]\nurl = \"\(databaseURL)\"\n").write(toFile: file, atomically: true, encoding: .utf8)
        return arguments + ["--config", file]
    }

    /// Trusts a vendor's public key for package verification.
    public func trust(_ vendor: TestVendor) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: vendor.trustDirectory) {
            try? FileManager.default.removeItem(atPath: trustedKeys + "/" + name)
            try FileManager.default.copyItem(atPath: vendor.trustDirectory + "/" + name, toPath: trustedKeys + "/" + name)
        }
    }

    public static func freeTCPPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw TestFailure("bind failed") }
        return UInt16(bigEndian: address.sin_port)
    }
}
