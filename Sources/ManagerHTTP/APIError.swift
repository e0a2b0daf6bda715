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

/// Request bodies decoded strictly: valid JSON, no field the endpoint does not know, within a size limit.
package enum StrictJSON {
    package static let limit = 1 << 20

    package static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, allowed: Set<String>, limit: Int = StrictJSON.limit
    ) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "too-large", "the request body is over \(limit) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        let json: JSON
        do { json = try JSON.parse(bytes) } catch { throw APIError.badRequest("the body is not valid JSON: \(error)") }
        guard let object = json.object else { throw APIError.badRequest("the body must be a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("unknown field \"\(unknown)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let error as DecodingError {
            throw APIError.badRequest("the body does not match: \(Self.describe(error))")
        }
    }

    package static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case .typeMismatch(let type, let context): "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" must be \(type)"
        case .valueNotFound(_, let context): "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" must not be null"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "\(error)"
        }
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
