import ExupFormats
import FoundationEssentials
import Hummingbird
import ManagerHTTP
import OpenAPIRuntime

/// Runs in front of every route the generated code registers (a router group), so the generated
/// handlers see only requests that passed what the hand-written routes always checked first: the
/// credential, before any of the body is read (401/403); then the body within its limit (413), strict
/// JSON (no duplicate key, depth 64), an object, no unknown top-level field (400). It binds who asks for
/// the handler (APIRequestScope) and turns the generated code's errors back into the API's error
/// shape: a request that does not decode is 400, a handler's APIError keeps its status.
struct OperationGate: RouterMiddleware {
    typealias Context = ManagerRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = context.endpointPath, let operation = DocumentedOperation.byRoute["\(request.method.rawValue) \(path)"] else {
            // A generated route always has its operation; reaching here means the served document is not the one generated from.
            throw APIError(
                .internalServerError, "undocumented-route",
                "\(request.method) \(context.endpointPath ?? request.uri.path) has no operation in the document")
        }
        let principal = try authorize(request, operation.access)
        try Self.check(operation.parameters, request: request, context: context)
        // The API answers JSON whatever Accept says, as it always has: the generated code would check
        // Accept only after the handler acted, and answer a 500 for work already done.
        var head = request.head
        head.headerFields[.accept] = nil
        var request = Request(head: head, body: request.body)
        if let rule = operation.body {
            let buffer = try await StrictJSON.collect(request, limit: rule.limit)
            let object = try StrictJSON.check(Array(buffer.readableBytesView), allowed: rule.allowed)
            try Self.checkTimes(rule.times, in: object)
            // The body is a JSON object (checked above) whatever the client called it, as the API always took it.
            head.headerFields[.contentType] = "application/json"
            request = Request(head: head, body: .init(buffer: buffer))
        }
        let scope = APIRequestScope(
            principal: principal, source: authenticator.clientSource.address(of: request, context: context), headers: request.headers)
        do {
            return try await APIRequestScope.$current.withValue(scope) { try await next(request, context) }
        } catch let error as ServerError {
            let answer = Self.answer(for: error, forms: operation.body?.forms)
            if !(answer is APIError || answer is HTTPError) {
                context.logger.error("\(operation.id) failed: \(answer)", metadata: ["path": "\(request.uri.path)"])
            }
            throw answer
        }
    }

    func authorize(_ request: Request, _ access: DocumentedOperation.Access) throws -> Principal? {
        switch access {
        case .open: return nil
        case .permission(let permission): return try authenticator.require(request, permission)
        case .session:
            guard case .user = try authenticator.require(request, .read) else {
                throw APIError(.forbidden, "not-a-session", "log out ends a user session; this credential is not one")
            }
            return authenticator.principal(authorization: request.headers[.authorization])
        case .agent:
            return .agent(try authenticator.requireAgent(request))
        case .repositoryOrAdministrator:
            guard let principal = authenticator.principal(authorization: request.headers[.authorization]) else { throw APIError.unauthenticated }
            guard principal == .repositoryReader || principal == .administrator else {
                throw APIError(.forbidden, "forbidden", "a presence notification needs the repository password or the administrator token")
            }
            return principal
        case .permissionOrRepository(let permission):
            if authenticator.principal(authorization: request.headers[.authorization]) == .repositoryReader { return .repositoryReader }
            return try authenticator.require(request, permission)
        }
    }

    /// Parameters the document constrains, refused with their name and what they take (the generated
    /// decoder would say it in Swift's words).
    static func check(_ rules: [DocumentedOperation.ParameterRule], request: Request, context: Context) throws {
        for rule in rules {
            // As the generated code will read it: a path segment percent-decoded, a query value form-decoded.
            let given: String? =
                rule.inPath
                ? context.parameters.get(rule.name).map { String($0).removingPercentEncoding ?? String($0) }
                : request.uri.queryParameters.get(rule.name).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let value = given else { continue }
            switch rule.kind {
            case .wholeNumber:
                guard Int64(value) != nil else { throw APIError.badRequest("\(rule.name) must be a whole number, not \(value)") }
            case .choice(let choices):
                guard choices.contains(value) else {
                    throw APIError.badRequest("\(rule.name) must be one of: \(choices.joined(separator: ", ")); not \(value)")
                }
            }
        }
    }

    /// The API's times are exactly `YYYY-MM-DDTHH:MM:SSZ` on a real calendar day (UTCDateTranscoder
    /// refuses the rest too; here the answer names the field).
    static func checkTimes(_ fields: Set<String>, in object: [String: JSON]) throws {
        for field in fields.sorted() {
            guard case .string(let text)? = object[field], UTCTime(text) == nil else { continue }
            throw APIError.badRequest("\(field) must be a time like 2026-12-01T02:00:00Z (UTC, a real calendar day), not \(text)")
        }
    }

    /// A request the generated code could not decode is the client's mistake (400, saying which field);
    /// a handler's own refusal keeps its status; anything else is the server's failure (500).
    static func answer(for error: ServerError, forms: String? = nil) -> any Error {
        if let refusal = error.underlyingError as? APIError { return refusal }
        if let refusal = error.underlyingError as? HTTPError { return refusal }
        guard error.operationInput == nil else { return error.underlyingError }
        if let decoding = error.underlyingError as? DecodingError {
            // A body of several forms (oneOf) that fits none: the generated decoder cannot say which field.
            if case .valueNotFound(_, let context) = decoding, context.debugDescription.contains("oneOf"), let forms {
                return APIError.badRequest("the body fits none of its forms: \(forms)")
            }
            return APIError.badRequest("the request does not match: \(StrictJSON.describe(decoding))")
        }
        return APIError.badRequest("the request does not match: \(error.causeDescription)")
    }
}

/// Who asks, for a generated handler: OperationGate checked the credential before the body was read.
struct APIRequestScope: Sendable {
    /// Nil only for operations that need no credential (log in).
    var principal: Principal?
    /// The client's address (behind trusted proxies, the forwarded one), for throttles and the log.
    var source: String
    var headers: HTTPFields

    @TaskLocal static var current: APIRequestScope?

    /// The checked principal of the request being handled.
    static var principal: Principal {
        get throws {
            guard let principal = current?.principal else { throw APIError.unauthenticated }
            return principal
        }
    }
}
