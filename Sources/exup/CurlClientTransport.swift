import ExupCommandLine
import FoundationEssentials
import HTTPTypes
import OpenAPIRuntime
import Transport

/// The generated client's transport: the project's libcurl client, so the CLI's CA file, timeouts and
/// proxy settings apply to every call as they do to uploads. libcurl blocks; the CLI makes one call at a
/// time, so the call simply runs to its end on the task that asked, on a libcurl handle of its own.
struct CurlClientTransport: ClientTransport {
    let options: HTTPClient.Options
    /// What the CLI calls the manager in messages (the --server URL as given).
    let managerURL: String

    /// Answers are read into memory up to this size (a fleet listing, the log); larger ones are refused.
    static let answerLimit: UInt64 = 300 << 20
    /// Request bodies the generated client builds are small JSON objects; this bounds them anyway.
    static let requestLimit = 16 << 20

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let base = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        let url = base + (request.path ?? "")
        var headers: [String: String] = [:]
        for field in request.headerFields { headers[field.name.canonicalName] = field.value }
        let bytes: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: Self.requestLimit) } else { nil }
        let answer: HTTPClient.Response
        let http = HTTPClient(options: options)
        do {
            if let bytes {
                answer = try http.send(request.method.rawValue, url, body: bytes, headers: headers, maxBytes: Self.answerLimit)
            } else if request.method == .get {
                answer = try http.get(url, headers: headers, maxBytes: Self.answerLimit)
            } else {
                answer = try http.send(request.method.rawValue, url, body: [], headers: headers, maxBytes: Self.answerLimit)
            }
        } catch {
            throw ManagerClient.unreachable(managerURL, error)
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return (HTTPResponse(status: .init(code: answer.status), headerFields: fields), HTTPBody(answer.body))
    }
}

/// Turns every answer outside 2xx into the CLI's one-line error (the manager's message, its code for
/// --json) before the generated client decodes it, so no command handles refusals by itself.
struct RefusalMiddleware: ClientMiddleware {
    let managerURL: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, answer) = try await next(request, body, baseURL)
        guard response.status.kind != .successful else { return (response, answer) }
        let bytes: [UInt8] = if let answer { try await [UInt8](collecting: answer, upTo: 1 << 20) } else { [] }
        throw ManagerClient.refusal(status: response.status.code, body: bytes, managerURL: managerURL)
    }
}
