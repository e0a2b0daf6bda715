import ExupSystem
import TOML

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
    /// How often expiring metadata is checked and renewed.
    public var renewIntervalSeconds = 60
    /// How often agents poll for directives; three missed polls make a server "communication failure".
    public var pollIntervalSeconds = 300
    /// Missed polls after which a server is in "communication failure".
    public var communicationFailureAfterPolls = 3

    public init() {}

    public static func load(path: String) throws -> ManagerConfiguration {
        guard let text = LocalFile.readText(path, limit: 1 << 20) else {
            throw TOMLError(line: 0, reason: "\(path) cannot be read")
        }
        return try parse(text)
    }

    public static func parse(_ text: String) throws(TOMLError) -> ManagerConfiguration {
        let document = try TOMLDocument(parsing: text)
        let known: Set<String> = ["", "server", "repository", "manager"]
        if let (name, line) = document.tableLines.filter({ !known.contains($0.key) }).min(by: { $0.value < $1.value }) {
            throw TOMLError(line: line, reason: "unknown table [\(name)]")
        }
        var config = ManagerConfiguration()
        var server = TOMLTable(document, "server")
        if let listen = try server.string("listen") {
            guard let (host, port) = ManagerConfiguration.parseListen(listen) else {
                throw TOMLError(line: 0, reason: "[server] listen must be HOST:PORT, not \(listen)")
            }
            (config.listenHost, config.listenPort) = (host, port)
        }
        config.tlsCertificate = try server.string("tls-certificate")
        config.tlsKey = try server.string("tls-key")
        if let mib = try server.int("max-upload-mib", in: 1...1_048_576) { config.maxUploadBytes = Int64(mib) << 20 }
        try server.rejectUnknownKeys()
        if (config.tlsCertificate == nil) != (config.tlsKey == nil) {
            throw TOMLError(line: 0, reason: "[server] tls-certificate and tls-key go together")
        }
        var repository = TOMLTable(document, "repository")
        config.dataDirectory = try repository.string("data-dir") ?? config.dataDirectory
        config.trustedKeys = try repository.string("trusted-keys")
        config.renewIntervalSeconds = try repository.int("renew-interval-seconds", in: 1...86_400) ?? config.renewIntervalSeconds
        try repository.rejectUnknownKeys()
        var manager = TOMLTable(document, "manager")
        config.pollIntervalSeconds = try manager.int("poll-interval-seconds", in: 5...86_400) ?? config.pollIntervalSeconds
        config.communicationFailureAfterPolls = try manager.int("communication-failure-after-polls", in: 1...100)
            ?? config.communicationFailureAfterPolls
        try manager.rejectUnknownKeys()
        return config
    }

    /// `HOST:PORT` (`[::1]:8080` for IPv6).
    public static func parseListen(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
