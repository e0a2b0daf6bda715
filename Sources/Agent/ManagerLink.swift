import ExupCore
import FoundationEssentials
import Transport

/// The agent's side of the manager's API (architecture.md, "Cheap polls, honest heartbeats"): enrol
/// once, then poll the directives with If-None-Match and send reports when something changed.
public struct ManagerLink {
    let base: String
    let http: HTTPClient

    public init(url: String, credential: String?, caFile: String?, proxy: ProxySettings? = nil) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        http = Self.client(credential: credential, caFile: caFile, proxy: proxy, totalTimeoutSeconds: 60)
    }

    /// The repository's base URL on a manager (`…/repo/v1`).
    static func repositoryURL(_ managerURL: String) -> String {
        (managerURL.hasSuffix("/") ? String(managerURL.dropLast()) : managerURL) + "/repo/v1"
    }

    /// The agent's HTTP client: its credential, the manager's CA, its name, a time limit.
    static func client(credential: String?, caFile: String?, proxy: ProxySettings?, totalTimeoutSeconds: Int) -> HTTPClient {
        var options = HTTPClient.Options()
        options.proxy = proxy
        options.bearerToken = credential
        options.caFile = caFile
        options.userAgent = "exup-agent/\(ExupVersion.string)"
        options.totalTimeoutSeconds = totalTimeoutSeconds
        return HTTPClient(options: options)
    }

    public func enrol(_ request: EnrolmentRequest) throws -> EnrolmentResponse {
        try decode(EnrolmentResponse.self, try post("/api/v1/enrol", request, expecting: [201]))
    }

    /// Sends a report; true when the manager stored it, false when it already had that sequence.
    public func report(_ report: AgentReport) throws -> Bool {
        let answer = try decode([String: String].self, try post("/api/v1/agent/report", report, expecting: [200]))
        return answer["outcome"] == "accepted"
    }

    /// Uploads the requested log bundle (a tar.gz file).
    public func uploadLogBundle(_ path: String) throws {
        let response: HTTPClient.Response
        do { response = try http.post(base + "/api/v1/agent/logs", file: path, contentType: "application/gzip") } catch {
            throw AgentError("cannot reach the manager at \(base): \(error)", kind: .unreachable)
        }
        try check(response, expecting: [201])
    }

    /// Tells the manager why the requested bundle cannot be sent.
    public func logBundleFailed(_ reason: String) throws {
        _ = try post("/api/v1/agent/logs/failed", ["reason": String(reason.prefix(1000))], expecting: [200])
    }

    /// The directives, or nil when they have not changed since `etag` (a 304).
    public func directives(etag: String?) throws -> (directives: Directives, etag: String?)? {
        let response: HTTPClient.Response
        do {
            response = try http.get(base + "/api/v1/agent/directives", headers: etag.map { ["If-None-Match": $0] } ?? [:], maxBytes: 4 << 20)
        } catch { throw AgentError("cannot reach the manager at \(base): \(error)", kind: .unreachable) }
        if response.status == 304 { return nil }
        try check(response, expecting: [200])
        return (try decode(Directives.self, response), response.etag)
    }

    func post(_ path: String, _ body: some Encodable, expecting: Set<Int>) throws -> HTTPClient.Response {
        let response: HTTPClient.Response
        do {
            response = try http.send(
                "POST", base + path, body: Array(try JSONEncoder().encode(body)),
                headers: ["Content-Type": "application/json"])
        } catch let error as HTTPError { throw AgentError("cannot reach the manager at \(base): \(error)", kind: .unreachable) }
        try check(response, expecting: expecting)
        return response
    }

    func check(_ response: HTTPClient.Response, expecting: Set<Int>) throws {
        guard !expecting.contains(response.status) else { return }
        let detail =
            (try? JSONDecoder().decode([String: [String: String]].self, from: Data(response.body)))?["error"]?["message"]
            ?? String(decoding: response.body.prefix(300), as: UTF8.self)
        throw AgentError("the manager answered \(response.status): \(detail)", kind: response.status == 401 ? .credentialRefused : .failed)
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClient.Response) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(response.body)) } catch {
            throw AgentError("unexpected answer from the manager (HTTP \(response.status)): \(error)")
        }
    }
}
