import ExupFormats
import FoundationEssentials
import Hummingbird

/// Request bodies decoded strictly: valid JSON as the project's own parser reads it (no duplicate key,
/// nesting at most 64; numbers by JSON's grammar), an object, no field the endpoint does not know, within
/// a size limit; then decoded. The strict parse comes first so that what the server acts on is never what a
/// laxer parser in front of it would read differently (a duplicate key, say).
package enum StrictJSON {
    package static let limit = 1 << 20

    package static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, allowed: Set<String>, limit: Int = StrictJSON.limit
    ) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "too-large", "the request body is over \(limit) bytes")
        }
        return try decode(type, from: Array(buffer.readableBytesView), allowed: allowed)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], allowed: Set<String>) throws -> T {
        let json: JSON
        do { json = try JSON.parseShape(bytes) } catch { throw APIError.badRequest("the body is not valid JSON: \(error)") }
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
