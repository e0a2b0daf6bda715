import ExupFormats
import FoundationEssentials
import Hummingbird
import ManagerAPIModel
import ManagerHTTP
import OpenAPIHummingbird

/// The administrative API as the protocol swift-openapi-generator makes of openapi.yaml (APIProtocol):
/// each operation takes the document's typed input and answers one of its typed outputs, so an answer the
/// document does not allow does not compile (or, for a domain value, fails at the boundary: Wire). The
/// routes come from the generated `registerHandlers` on a router group behind OperationGate; the agent's
/// channel, TUF, streamed files, health and metrics stay hand-routed (`x-exup-hand-routed`).
package struct GeneratedAPI: APIProtocol {
    /// The hand-routed parts whose services and helpers the generated operations share.
    let fleet: ManagerRoutes
    let repository: RepositoryRoutes
    let sync: SyncServices

    package init(fleet: ManagerRoutes, repository: RepositoryRoutes, sync: SyncServices) {
        self.fleet = fleet
        self.repository = repository
        self.sync = sync
    }

    /// Registers every generated operation on `router` behind OperationGate.
    package func register(on router: Router<ManagerRequestContext>) throws {
        // Every operation the document does not hand-route must have its gate rules, or nothing starts.
        guard DocumentedOperation.byRoute.count == DocumentedOperation.generatedCount else {
            throw DocumentError(
                message:
                    "the served document gives the gate \(DocumentedOperation.byRoute.count) of \(DocumentedOperation.generatedCount) generated operations"
            )
        }
        let group = router.group().add(middleware: OperationGate(authenticator: fleet.authenticator))
        try registerHandlers(on: group, configuration: .exup)
    }

    /// Runs a manager call, turning its refusals into 4xx answers that say why.
    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T { try await fleet.mapped(body) }
}

/// The boundary between the domain's values and the document's types. The domain encodes itself as the
/// API has always answered; that is decoded into the generated type, so a wrong type or a missing
/// required field fails here, and a field the document does not declare (which decoding would drop
/// silently) fails too: the answer never loses what the server meant to say without it showing.
enum Wire {
    static func convert<T: Codable>(_ value: some Encodable, to type: T.Type = T.self) throws -> T {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let bytes = Array(try encoder.encode(value))
        let converted = try decode(type, bytes)
        let undeclared = Self.undeclared(try JSON.parseShape(bytes), in: try JSON.parseShape(Array(try encoder.encode(converted))))
        guard undeclared.isEmpty else {
            throw WireError(message: "\(T.self) does not declare \(undeclared.joined(separator: ", ")): openapi.yaml is behind the server")
        }
        return converted
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(bytes))
    }

    /// The paths of fields with a value in `original` that `converted` lacks (`[0].modules[2].source`).
    static func undeclared(_ original: JSON, in converted: JSON, at path: String = "") -> [String] {
        switch (original, converted) {
        case (.object(let fields), .object(let kept)):
            return fields.keys.sorted().flatMap { key -> [String] in
                guard let value = fields[key], value != .null else { return [] }
                guard let other = kept[key] else { return [path.isEmpty ? key : "\(path).\(key)"] }
                return undeclared(value, in: other, at: path.isEmpty ? key : "\(path).\(key)")
            }
        case (.array(let items), .array(let others)):
            return zip(items, others).enumerated().flatMap { undeclared($1.0, in: $1.1, at: "\(path)[\($0)]") }
        default:
            return []
        }
    }

    /// A request value the document admitted, read as the domain's type; the domain's own refusals
    /// (a rule the schema cannot say) are the client's 400.
    static func request<T: Decodable>(_ value: some Encodable, as type: T.Type = T.self) throws -> T {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        do { return try decode(type, Array(try encoder.encode(value))) } catch let error as DecodingError {
            throw APIError.badRequest("the body does not match: \(StrictJSON.describe(error))")
        }
    }
}

/// An answer the document cannot carry: the server's own failure (500), logged with what is missing.
struct WireError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The served document cannot drive the generated routes (it was not the one they were generated from).
struct DocumentError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
