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
        let group = router.group().add(middleware: OperationGate(authenticator: fleet.authenticator))
        try registerHandlers(on: group)
    }

    /// Runs a manager call, turning its refusals into 4xx answers that say why.
    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T { try await fleet.mapped(body) }
}

/// The boundary between the domain's values and the document's types. The domain encodes itself as the
/// API has always answered; decoding that into the generated type checks it against the document, so a
/// field the document does not allow never leaves the server unnoticed (it fails as the server's error).
enum Wire {
    static func convert<T: Decodable>(_ value: some Encodable, to type: T.Type = T.self) throws -> T {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let bytes = try encoder.encode(value)
        return try decode(type, Array(bytes))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(bytes))
    }

    /// A request value the document admitted, read as the domain's type; the domain's own refusals
    /// (a rule the schema cannot say) are the client's 400.
    static func request<T: Decodable>(_ value: some Encodable, as type: T.Type = T.self) throws -> T {
        do { return try convert(value, to: type) } catch let error as DecodingError {
            throw APIError.badRequest("the body does not match: \(StrictJSON.describe(error))")
        }
    }
}
