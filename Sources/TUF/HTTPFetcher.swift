import ExupFormats
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Fetches metadata and targets with the project's libcurl client.
public final class HTTPFetcher: Fetcher {
    public let client: HTTPClient

    public init(client: HTTPClient = HTTPClient()) { self.client = client }

    public func fetch(_ url: String, maxLength: Int) throws(TUFError) -> [UInt8] {
        let response: HTTPClient.Response
        do { response = try client.get(url, maxBytes: UInt64(max(maxLength, 0))) } catch {
            if case .tooLarge = error { throw .tooLarge(url: url, limit: maxLength) }
            throw .download(url: url, reason: error.description)
        }
        if response.status == 403 || response.status == 404 { throw .notFound(url: url, status: response.status) }
        guard (200..<300).contains(response.status) else { throw .download(url: url, reason: "HTTP \(response.status)") }
        // A zero cap means "no data expected"; a server that sends some anyway is feeding endless data.
        guard response.body.count <= maxLength else { throw .tooLarge(url: url, limit: maxLength) }
        return response.body
    }
}

extension UTCTime {
    /// The system clock now (what `faketime` and similar tools change in tests).
    public static var now: UTCTime { UTCTime(seconds: Int64(time(nil))) }
}
