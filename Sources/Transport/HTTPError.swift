/// Why a request failed, naming the URL and the cause.
public enum HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libcurl's own failure: connection refused, timeout, TLS, proxy…
    case transport(url: String, code: Int, reason: String)
    /// The body passed the caller's size cap; the transfer was cut.
    case tooLarge(url: String, limit: UInt64)
    case file(path: String, reason: String)
    /// The caller's progress callback asked to stop (a cancel).
    case stopped(url: String)
    /// The proxy did not answer (R106: said as such when settings are saved).
    case proxyUnreachable(proxy: String, reason: String)
    /// The proxy refused the credentials, or asked for a scheme exup does not speak (NTLM, R105).
    case proxyAuthentication(proxy: String, offered: String)

    public var description: String {
        switch self {
        case .transport(let url, _, let reason): "\(url): \(reason)"
        case .tooLarge(let url, let limit): "\(url): response larger than \(limit) bytes: cut off"
        case .file(let path, let reason): "\(path): \(reason)"
        case .stopped(let url): "\(url): stopped on request"
        case .proxyUnreachable(let proxy, let reason): "could not connect to the proxy server \(proxy): \(reason)"
        case .proxyAuthentication(let proxy, let offered):
            offered.lowercased().hasPrefix("ntlm") || offered.lowercased().hasPrefix("negotiate")
                ? "the proxy server \(proxy) asks for \(offered.split(separator: " ").first ?? "NTLM") authentication, which is not supported (Basic and Digest are)"
                : "the proxy server \(proxy) refused the credentials (HTTP 407; it offers: \(offered))"
        }
    }
}
