import ExupFormats
import FoundationEssentials
import Hummingbird
import Repository
import TUF

/// An error answer: `{"error": {"code": …, "message": …}}` with a 4xx status. Nothing a client sends
/// produces a 5xx; those are left for the server's own failures.
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static let unauthenticated = APIError(
        .unauthorized, "unauthenticated",
        "missing or wrong credentials: send Authorization: Bearer <token>")
    public static func forbidden(_ what: String) -> APIError {
        APIError(.forbidden, "forbidden", "\(what) needs the administrator token")
    }
    public static func notFound(_ what: String) -> APIError { APIError(.notFound, "not-found", what) }
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad-request", message) }

    /// An export that cannot start: an unknown package (404) or the export limits (409).
    package init(exportError error: ExportError) {
        switch error.kind {
        case .unknownPackage: self.init(.notFound, "not-found", error.description)
        case .quota: self.init(.conflict, "export-quota", error.description)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { fields[.wwwAuthenticate] = "Bearer" }
        let payload = JSON.object(["error": .object(["code": .string(code), "message": .string(message)])])
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: payload.prettyBytes)))
    }
}

extension Response {
    /// A JSON answer from any Encodable value.
    package static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
