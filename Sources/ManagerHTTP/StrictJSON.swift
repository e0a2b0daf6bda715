import FoundationEssentials
import Hummingbird

/// Request bodies decoded strictly: valid JSON, an object, no field the endpoint does not know, within a
/// size limit. One parse does all of it (the field check runs inside the decode), so a report costs one
/// pass over its bytes, not two.
package enum StrictJSON {
    package static let limit = 1 << 20

    package static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, allowed: Set<String>, limit: Int = StrictJSON.limit
    ) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "too-large", "the request body is over \(limit) bytes")
        }
        return try decode(type, from: Data(buffer.readableBytesView), allowed: allowed)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data, allowed: Set<String>) throws -> T {
        let decoder = JSONDecoder()
        decoder.userInfo[Checked<T>.allowedKey] = allowed
        do { return try decoder.decode(Checked<T>.self, from: data).value } catch let unknown as UnknownField {
            throw APIError.badRequest("unknown field \"\(unknown.name)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw APIError.badRequest("the body is not valid JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw APIError.badRequest("the body must be a JSON object")
        } catch let error as DecodingError {
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

    /// Checks the object's field names, then decodes `T` from the same decoder.
    private struct Checked<Value: Decodable>: Decodable {
        static var allowedKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "exup.allowedFields")! }
        let value: Value

        init(from decoder: any Decoder) throws {
            let allowed = decoder.userInfo[Self.allowedKey] as? Set<String> ?? []
            let fields = try decoder.container(keyedBy: AnyField.self)
            if let unknown = fields.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
                throw UnknownField(name: unknown)
            }
            value = try Value(from: decoder)
        }
    }

    private struct AnyField: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    private struct UnknownField: Error { let name: String }
}
