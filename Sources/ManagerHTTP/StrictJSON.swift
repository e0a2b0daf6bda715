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
        let buffer = try await collect(request, limit: limit)
        return try decode(type, from: Array(buffer.readableBytesView), allowed: allowed)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], allowed: Set<String>) throws -> T {
        try check(bytes, allowed: allowed)
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let error as DecodingError {
            throw APIError.badRequest("the body does not match: \(Self.describe(error))")
        }
    }

    /// The strict parse alone: JSON by the project's parser, an object, and (when `allowed` is given) no
    /// top-level field outside it. The generated routes decode after this check (OperationGate).
    @discardableResult
    package static func check(_ bytes: [UInt8], allowed: Set<String>?) throws -> [String: JSON] {
        let json: JSON
        do { json = try JSON.parseShape(bytes) } catch { throw APIError.badRequest("the body is not valid JSON: \(error)") }
        guard let object = json.object else { throw APIError.badRequest("the body must be a JSON object") }
        if let allowed, let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("unknown field \"\(unknown)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        return object
    }

    /// Reads a body up to `limit` bytes (413 above it).
    package static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "too-large", "the request body is over \(limit) bytes")
        }
    }

    /// A decoding error in JSON's words: which field, and what it takes (not Swift's type names).
    package static func describe(_ error: DecodingError) -> String {
        func field(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "the value" : "field \"\(path)\""
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \"\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))\""
        case .typeMismatch(let type, let context): return "\(field(context)) must be \(jsonWord(for: type))"
        case .valueNotFound(_, let context): return "\(field(context)) must not be null"
        case .dataCorrupted(let context):
            // "Cannot initialize ServerFilter from invalid String value x": an enumeration's unknown value.
            if context.debugDescription.hasPrefix("Cannot initialize"), let value = context.debugDescription.split(separator: " ").last {
                return "\(field(context)) does not take \(value)"
            }
            // Foundation says "not valid JSON" for a number a field cannot hold (1.5 or 1e30 for a whole number).
            if context.debugDescription.contains("not valid JSON") {
                return "\(field(context)) must be a whole number in range"
            }
            return "\(field(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    static func jsonWord(for type: Any.Type) -> String {
        switch "\(type)" {
        case "String": "a string"
        case "Bool": "true or false"
        case "Int", "Int64", "Int32", "UInt", "UInt64": "a whole number"
        case "Double", "Float": "a number"
        case let name where name.hasPrefix("Array"): "an array"
        case let name where name.hasPrefix("Dictionary"): "an object"
        default: "a value of another type"
        }
    }
}
