/// Why a request failed, naming the URL and the cause.
public enum HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libcurl's own failure: connection refused, timeout, TLS, proxy…
    case transport(url: String, code: Int, reason: String)
    /// The body passed the caller's size cap; the transfer was cut.
    case tooLarge(url: String, limit: UInt64)
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case .transport(let url, _, let reason): "\(url): \(reason)"
        case .tooLarge(let url, let limit): "\(url): response larger than \(limit) bytes: cut off"
        case .file(let path, let reason): "\(path): \(reason)"
        }
    }
}
