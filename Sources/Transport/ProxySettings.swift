/// An HTTP proxy for outgoing requests (seed §2.2.7, R103–R105): address, port, optional credentials,
/// Basic or Digest authentication. NTLM is refused: it is not supported (R105).
public struct ProxySettings: Sendable, Hashable, Codable {
    public enum Authentication: String, Sendable, Hashable, Codable, CaseIterable {
        /// Whatever the proxy asks for among Basic and Digest (never NTLM or Negotiate).
        case any
        case basic
        case digest
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var authentication: Authentication

    public init(host: String, port: Int, username: String? = nil, password: String? = nil, authentication: Authentication = .any) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.authentication = authentication
    }

    /// Parses an `auth` setting, refusing NTLM and Negotiate by name.
    public static func authentication(_ text: String) throws(ProxySettingError) -> Authentication {
        if let known = Authentication(rawValue: text.lowercased()) { return known }
        if ["ntlm", "negotiate", "kerberos"].contains(text.lowercased()) {
            throw ProxySettingError("proxy authentication \(text) is not supported: use \"basic\" or \"digest\" (or \"any\" for either)")
        }
        throw ProxySettingError("proxy auth must be \"any\", \"basic\" or \"digest\", not \"\(text)\"")
    }

    /// `http://host:port` for libcurl (IPv6 literals bracketed).
    var url: String { "http://" + (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host) + ":\(port)" }

    /// libcurl's CURLAUTH_BASIC (1) and CURLAUTH_DIGEST (2) bits.
    var curlAuthBits: Int {
        switch authentication {
        case .any: 1 | 2
        case .basic: 1
        case .digest: 2
        }
    }

    public var description: String { "\(host):\(port)" }
}

public struct ProxySettingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
