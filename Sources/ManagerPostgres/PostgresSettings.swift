import FoundationEssentials
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

/// `[database]` in manager.toml when the manager's data lives in PostgreSQL:
/// `url = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE]"`. The password
/// comes from the configuration (`password` or `password-file`), else the URL, else libpq's password file
/// (`PGPASSFILE` or `~/.pgpass`).
/// TLS verifies the server's certificate and name (`verify-full`) unless the host is a loopback address,
/// where it is off unless asked for; `sslmode=disable` turns it off, `require` encrypts without
/// verifying (said at every start).
public struct PostgresSettings: Sendable, Hashable {
    public enum TLSMode: String, Sendable, Hashable, CaseIterable { case disable, require, verifyFull = "verify-full" }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var caFile: String?

    /// Parses a `postgresql://` (or `postgres://`) URL; `password` wins over a password in the URL.
    public init(url: String, password configured: String? = nil, caFile: String? = nil, environment: [String: String] = [:]) throws {
        let scheme = ["postgresql://", "postgres://"].first { url.hasPrefix($0) }
        guard let scheme else { throw Self.invalid("it must start with postgresql://") }
        var rest = Substring(url.dropFirst(scheme.count))
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw Self.invalid("it names no database (…/DATABASE)") }
        database = try Self.decoded(rest[rest.index(after: slash)...])
        guard !database.isEmpty, !database.contains("/") else { throw Self.invalid("it names no database (…/DATABASE)") }
        var authority = rest[..<slash]
        var user = "", urlPassword: String?
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decoded(credentials[..<colon])
                urlPassword = try Self.decoded(credentials[credentials.index(after: colon)...])
            } else {
                user = try Self.decoded(credentials)
            }
        }
        guard !user.isEmpty else { throw Self.invalid("it names no user (postgresql://USER@HOST/DATABASE)") }
        username = user
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Self.invalid("an IPv6 address in [ ] has no closing ]") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw Self.invalid("after [\(host)] only :PORT may follow") }
            port = after.isEmpty ? 5432 : try Self.port(after.dropFirst())
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = 5432
        }
        guard !host.isEmpty else { throw Self.invalid("it names no host") }
        guard !host.contains(","), !host.contains("/"), !host.contains("%"), !host.contains("["), !host.contains("]") else {
            throw Self.invalid("host \(host) is not one host name or address (several hosts and Unix sockets are not supported)")
        }
        var mode: TLSMode? = nil
        var rootCertificate = caFile
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count == 2 ? try Self.decoded(Substring(parts[1])) : ""
            switch parts[0] {
            case "sslmode":
                // libpq's prefer and allow fall back to plain text silently: not offered.
                guard let chosen = TLSMode(rawValue: value) else {
                    throw Self.invalid("sslmode=\(value) is not one of disable, require, verify-full")
                }
                mode = chosen
            case "sslrootcert": rootCertificate = rootCertificate ?? value
            default: throw Self.invalid("unknown parameter \(parts[0]) (known: sslmode, sslrootcert)")
            }
        }
        tls = mode ?? (Self.isLoopback(host) ? .disable : .verifyFull)
        self.caFile = rootCertificate
        if let configured {
            password = configured
        } else if let urlPassword {
            password = urlPassword
        } else {
            password = Self.passwordFromPassFile(
                host: host, port: port, database: database, user: user, environment: environment)
        }
    }

    /// The URL without its password, for logs and errors.
    public var displayURL: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(username)@\(shownHost):\(port)/\(database)"
    }

    /// TLS as `tls` and `caFile` say: nil when off.
    func tlsConfiguration() -> TLSConfiguration? {
        guard tls != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if tls == .require {
            configuration.certificateVerification = .none
        } else if let caFile {
            configuration.trustRoots = .file(caFile)
        }
        return configuration
    }

    /// One connection's settings, for the check at start that says exactly why PostgreSQL refuses (the pool
    /// only reports that it could not connect).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS =
            try tlsConfiguration().map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        configuration.options.tlsServerName = Self.isIPAddress(host) ? nil : host
        return configuration
    }

    public func clientConfiguration() throws -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS = tlsConfiguration().map { .require($0) } ?? .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        configuration.options.maximumConnections = 16
        configuration.options.tlsServerName = Self.isIPAddress(host) ? nil : host
        return configuration
    }

    // MARK: - Parsing helpers

    static func invalid(_ why: String) -> any Error {
        PostgresStoreError(description: "[database] url: \(why)")
    }

    static func port(_ text: Substring) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw invalid("port \(text) is not 1-65535") }
        return port
    }

    /// Percent-decoding (a password may hold '@' or ':' written as %40 and %3A).
    static func decoded(_ text: Substring) throws -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
                    let value = UInt8(String(decoding: utf8[high...utf8.index(after: high)], as: UTF8.self), radix: 16)
                else { throw invalid("a % in it is not followed by two hex digits") }
                bytes.append(value)
                index = utf8.index(high, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `localhost`, `::1` or an IPv4 address in 127.0.0.0/8 (a name that merely starts with "127." is not).
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }

    /// libpq's password file: lines `host:port:database:user:password`, `*` matching anything, `\:` and
    /// `\\` escaped; the first matching line wins.
    static func passwordFromPassFile(host: String, port: Int, database: String, user: String, environment: [String: String]) -> String? {
        let path = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        // As libpq: a password file others can read or write is not used.
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 == 0 else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [], current = "", escaped = false
            for character in line {
                if escaped {
                    current.append(character); escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(current); current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
