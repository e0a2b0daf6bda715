import ExupCore
import ExupSystem
import ManagerPostgres
import Repository
import TOML
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// The manager's configuration (`/etc/exup/manager.toml`; `etc/exup/manager.toml` documents every key).
/// Command-line options override it.
public struct ManagerConfiguration: Sendable {
    public var listenHost = "0.0.0.0"
    public var listenPort = 8080
    /// PEM certificate chain and key: HTTPS when both are set.
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var dataDirectory = "./exup-data"
    /// Vendor public keys; default DATA/trusted-keys.
    public var trustedKeys: String?
    /// The largest package upload accepted.
    public var maxUploadBytes: Int64 = 4 << 30
    /// Export archives: how many at once, how much disk, how long a finished one is kept.
    public var exportLimits = ExportJobs.Limits()
    /// Load balancers whose `X-Forwarded-For` names the client (IP addresses, as the connection shows them).
    public var trustedProxies: [String] = []
    /// A request's headers (and a stalled body, or an idle keep-alive connection) may take this long.
    public var requestTimeoutSeconds = 30
    /// Open connections one address may hold (a trusted proxy is not limited). Agents close theirs between
    /// polls, so even thousands behind one NAT address stay far below it.
    public var connectionsPerSource = 256
    /// How often expiring metadata is checked and renewed.
    public var renewIntervalSeconds = 60
    /// How often agents poll for directives; three missed polls make a server "communication failure".
    public var pollIntervalSeconds = 300
    /// Missed polls after which a server is in "communication failure".
    public var communicationFailureAfterPolls = 3
    /// `[repository.upstream]` (with `[repository.proxy]`): where new packages come from.
    public var upstream: UpstreamSettings?
    /// `[repository.remote]`: use another manager's repository instead of this one's.
    public var remote: RemoteSettings?
    public var presenceIntervalHours = 24
    /// Application log retention: entries older than this many days go, and the oldest beyond the count.
    public var logRetentionDays = 400
    public var logMaxEntries = 1_000_000
    /// The application log's size cap (its text), besides age and count.
    public var logMaxBytes: Int64 = 256 << 20
    /// The status icon a download-only module shows until someone sets one (Table 9; spec 8.12).
    public var initialStatusIcon = ModuleFacts.defaultInitialIcon
    /// `[database]`: the manager's data in PostgreSQL (several replicas on one database); nil: the embedded
    /// SQLite files in the data directory.
    public var database: PostgresSettings?
    /// `[storage] pool-dir`: the package pool, when several replicas share it (default DATA/pool).
    public var poolDirectory: String?
    /// `[storage] keys-dir`: the TUF keys and the secrets replicas share (administrator token, repository
    /// password, credential key); default DATA/keys and DATA.
    public var keysDirectory: String?

    /// Where this manager's files are, with `[storage]` applied.
    public var repositoryPaths: RepositoryPaths {
        RepositoryPaths(dataDirectory: dataDirectory, poolDirectory: poolDirectory, keysDirectory: keysDirectory)
    }
    /// What the manager logs at every start (a secret file anyone can read, …).
    public var warnings: [String] = []

    public init() {}

    public static func load(path: String) throws -> ManagerConfiguration {
        guard let text = LocalFile.readText(path, limit: 1 << 20) else {
            throw ConfigurationFileError(path: path, reason: LocalFile.unreadableReason(path, limit: 1 << 20))
        }
        do { return try parse(text) } catch { throw ConfigurationFileError(path: path, reason: error.description) }
    }

    public static func parse(_ text: String) throws(TOMLError) -> ManagerConfiguration {
        let document = try TOMLDocument(parsing: text)
        let known: Set<String> = [
            "", "server", "repository", "repository.upstream", "repository.proxy", "repository.remote", "manager", "database", "storage",
        ]
        if let (name, line) = document.tableLines.filter({ !known.contains($0.key) }).min(by: { $0.value < $1.value }) {
            let hint = ClosestName.suggest(name, among: known.filter { !$0.isEmpty }.sorted()).map { "; did you mean [\($0)]?" } ?? ""
            throw TOMLError(line: line, reason: "unknown table [\(name)]\(hint)")
        }
        var config = ManagerConfiguration()
        var server = TOMLTable(document, "server")
        if let listen = try server.string("listen") {
            guard let (host, port) = ManagerConfiguration.parseListen(listen) else {
                throw TOMLError(line: server.line("listen"), reason: "[server] listen must be HOST:PORT with a port from 0 to 65535, not \(listen)")
            }
            (config.listenHost, config.listenPort) = (host, port)
        }
        config.tlsCertificate = try server.string("tls-certificate")
        config.tlsKey = try server.string("tls-key")
        if let mib = try server.int("max-upload-mib", in: 1...1_048_576) { config.maxUploadBytes = Int64(mib) << 20 }
        if let mib = try server.int("export-quota-mib", in: 1...16_777_216) { config.exportLimits.quotaBytes = Int64(mib) << 20 }
        if let hours = try server.int("export-expiry-hours", in: 1...8760) { config.exportLimits.expirySeconds = Int64(hours) * 3600 }
        config.exportLimits.running = try server.int("exports-at-once", in: 1...64) ?? config.exportLimits.running
        config.trustedProxies = try server.strings("trusted-proxies") ?? []
        config.requestTimeoutSeconds = try server.int("request-timeout-seconds", in: 1...60) ?? config.requestTimeoutSeconds
        config.connectionsPerSource = try server.int("connections-per-source", in: 1...1_000_000) ?? config.connectionsPerSource
        try server.rejectUnknownKeys()
        if (config.tlsCertificate == nil) != (config.tlsKey == nil) {
            throw TOMLError(
                line: server.line(config.tlsKey == nil ? "tls-certificate" : "tls-key"), reason: "[server] tls-certificate and tls-key go together")
        }
        var repository = TOMLTable(document, "repository")
        config.dataDirectory = try repository.string("data-dir") ?? config.dataDirectory
        config.trustedKeys = try repository.string("trusted-keys")
        config.renewIntervalSeconds = try repository.int("renew-interval-seconds", in: 1...86_400) ?? config.renewIntervalSeconds
        if let icon = try repository.string("initial-status-icon") {
            guard let parsed = ManualIcon(rawValue: icon) else {
                throw TOMLError(
                    line: repository.line("initial-status-icon"),
                    reason: "[repository] initial-status-icon must be one of: \(ManualIcon.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.initialStatusIcon = parsed
        }
        try repository.rejectUnknownKeys()
        config.upstream = try parseUpstream(document, warnings: &config.warnings)
        var remote = TOMLTable(document, "repository.remote")
        let remoteURL = try remote.string("url")
        let remotePassword = try secret(&remote, "password", table: "repository.remote", warnings: &config.warnings)
        let remoteName = try remote.string("name")
        let onFailure = try remote.string("on-check-failure") ?? "keep"
        config.presenceIntervalHours = try remote.int("presence-interval-hours", in: 1...720) ?? config.presenceIntervalHours
        try remote.rejectUnknownKeys()
        if let remoteURL {
            guard remoteURL.hasPrefix("http://") || remoteURL.hasPrefix("https://") else {
                throw TOMLError(line: remote.line("url"), reason: "[repository.remote] url must start with http:// or https://, not \(remoteURL)")
            }
            guard onFailure == "keep" || onFailure == "refuse" else {
                throw TOMLError(
                    line: remote.line("on-check-failure"),
                    reason: "[repository.remote] on-check-failure must be \"keep\" or \"refuse\", not \(onFailure)")
            }
            guard config.upstream == nil else {
                throw TOMLError(
                    line: document.tableLines["repository.remote"] ?? 0,
                    reason: "[repository.remote] and [repository.upstream] exclude each other: the remote repository syncs, this manager uses it")
            }
            config.remote = RemoteSettings(
                url: remoteURL, password: remotePassword ?? "", managerName: remoteName ?? ManagerConfiguration.hostname(),
                keepUnchecked: onFailure == "keep")
        }
        var manager = TOMLTable(document, "manager")
        config.pollIntervalSeconds = try manager.int("poll-interval-seconds", in: 5...86_400) ?? config.pollIntervalSeconds
        config.communicationFailureAfterPolls =
            try manager.int("communication-failure-after-polls", in: 1...100)
            ?? config.communicationFailureAfterPolls
        config.logRetentionDays = try manager.int("log-retention-days", in: 1...36_500) ?? config.logRetentionDays
        config.logMaxEntries = try manager.int("log-max-entries", in: 1_000...100_000_000) ?? config.logMaxEntries
        if let mib = try manager.int("log-max-mib", in: 1...1_048_576) { config.logMaxBytes = Int64(mib) << 20 }
        try manager.rejectUnknownKeys()
        config.database = try parseDatabase(document, warnings: &config.warnings)
        var storage = TOMLTable(document, "storage")
        for key in ["pool-dir", "keys-dir"] {
            if let path = try storage.string(key), !path.hasPrefix("/") {
                throw TOMLError(line: storage.line(key), reason: "[storage] \(key) must be an absolute path, not \(path)")
            }
        }
        config.poolDirectory = try storage.string("pool-dir")
        config.keysDirectory = try storage.string("keys-dir")
        try storage.rejectUnknownKeys()
        return config
    }

    /// `[database]`: `url` (postgresql://…), `password` or `password-file`, `ca-file`; nil without a url.
    static func parseDatabase(_ document: TOMLDocument, warnings: inout [String]) throws(TOMLError) -> PostgresSettings? {
        var table = TOMLTable(document, "database")
        let url = try table.string("url")
        let password = try secret(&table, "password", table: "database", warnings: &warnings)
        let caFile = try table.string("ca-file")
        try table.rejectUnknownKeys()
        guard let url else {
            if password != nil || caFile != nil {
                throw TOMLError(line: document.tableLines["database"] ?? 0, reason: "[database] has no url (postgresql://USER@HOST/DATABASE)")
            }
            return nil
        }
        let settings: PostgresSettings
        do {
            // libpq's password file, when neither the configuration nor the URL holds the password.
            let environment = ["PGPASSFILE", "HOME"].reduce(into: [String: String]()) { found, name in
                if let value = getenv(name) { found[name] = String(cString: value) }
            }
            settings = try PostgresSettings(url: url, password: password, caFile: caFile, environment: environment)
        } catch {
            throw TOMLError(line: table.line("url"), reason: "\(error)")
        }
        if settings.tls == .require {
            warnings.append("[database] sslmode=require encrypts without checking PostgreSQL's certificate; use verify-full with ca-file")
        }
        return settings
    }

    /// `[repository.upstream]` and `[repository.proxy]`; nil without an upstream url.
    static func parseUpstream(_ document: TOMLDocument, warnings: inout [String]) throws(TOMLError) -> UpstreamSettings? {
        var proxyTable = TOMLTable(document, "repository.proxy")
        var proxy: ProxySettings?
        if let host = try proxyTable.string("host") {
            let port = try proxyTable.int("port", in: 1...65535) ?? 8080
            let auth: ProxySettings.Authentication
            do { auth = try ProxySettings.authentication(try proxyTable.string("auth") ?? "any") } catch {
                throw TOMLError(line: document.tableLines["repository.proxy"] ?? 0, reason: "[repository.proxy] \(error)")
            }
            proxy = ProxySettings(
                host: host, port: port, username: try proxyTable.string("username"),
                password: try secret(&proxyTable, "password", table: "repository.proxy", warnings: &warnings), authentication: auth)
        }
        try proxyTable.rejectUnknownKeys()

        var table = TOMLTable(document, "repository.upstream")
        let url = try table.string("url")
        let password = try secret(&table, "password", table: "repository.upstream", warnings: &warnings)
        let rootSHA256 = try table.string("root-sha256")
        let interval = try table.int("sync-interval", in: 0...8760) ?? 24
        let timeText = try table.string("sync-time") ?? "03:00"
        try table.rejectUnknownKeys()
        guard let url else {
            if proxy != nil {
                throw TOMLError(
                    line: document.tableLines["repository.proxy"] ?? 0, reason: "[repository.proxy] is set but [repository.upstream] has no url")
            }
            return nil
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw TOMLError(line: table.line("url"), reason: "[repository.upstream] url must start with http:// or https://, not \(url)")
        }
        guard let minute = SyncSchedule.minuteOfDay(timeText) else {
            throw TOMLError(line: table.line("sync-time"), reason: "[repository.upstream] sync-time must be HH:MM (UTC), not \(timeText)")
        }
        if let rootSHA256, rootSHA256.count != 64 || !rootSHA256.allSatisfy(\.isHexDigit) {
            throw TOMLError(line: table.line("root-sha256"), reason: "[repository.upstream] root-sha256 must be 64 hex digits")
        }
        return UpstreamSettings(
            url: url, password: password ?? "", rootSHA256: rootSHA256, proxy: proxy,
            schedule: interval == 0 ? nil : SyncSchedule(intervalHours: interval, minuteOfDay: minute))
    }

    /// `KEY` or `KEY-file` (a file holding the secret, preferred); both set is an error.
    static func secret(_ table: inout TOMLTable, _ key: String, table name: String, warnings: inout [String]) throws(TOMLError) -> String? {
        let value = try table.string(key)
        let file = try table.string(key + "-file")
        if value != nil && file != nil {
            throw TOMLError(line: table.line(key + "-file"), reason: "[\(name)] sets both \(key) and \(key)-file; keep one")
        }
        guard let file else { return value }
        let contents: SecretFile.Contents?
        do { contents = try SecretFile.read(file, limit: 16 << 10) } catch {
            throw TOMLError(line: table.line(key + "-file"), reason: "[\(name)] \(key)-file: \(error.description)")
        }
        guard let contents else {
            throw TOMLError(line: table.line(key + "-file"), reason: "[\(name)] \(key)-file \(file) cannot be read: no such file")
        }
        if let warning = contents.warning { warnings.append(warning) }
        return contents.text.trimmingScalars(in: " \r\n")
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "exup-manager" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `HOST:PORT` (`[::1]:8080` for IPv6).
    public static func parseListen(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}

/// A configuration file that cannot be used: its path, then the line and the reason.
public struct ConfigurationFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
