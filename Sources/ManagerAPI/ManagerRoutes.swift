import ExupCore
import ExupSystem
import FoundationEssentials
import Hummingbird
import Manager
import ManagerHTTP

/// The manager's hand-routed HTTP surface: the agent's poll and report (`/api/v1/agent/…`), log bundles
/// (streamed) and the document itself. The administrator's fleet API is generated
/// (GeneratedAPI+Fleet.swift) and shares this struct's services and error mapping.
package struct ManagerRoutes: Sendable {
    let manager: ManagerService
    let authenticator: Authenticator

    package func register(on router: Router<ManagerRequestContext>) {
        registerLogBundles(on: router)
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
        router.get("/api/v1/agent/directives") { request, _ in try await self.directives(request) }
        router.post("/api/v1/agent/report") { request, _ in
            let name = try self.requireAgent(request)
            let report = try await StrictJSON.decode(AgentReport.self, from: request, allowed: Self.reportFields)
            let outcome = try await mapped { try await manager.reports.report(report, from: name) }
            return try Response.json(["outcome": outcome.rawValue])
        }
    }

    /// Log bundles: the agent uploads at its next poll (or says why it cannot); the administrator downloads
    /// (streamed from disk). Asking for one is generated (requestServerLogs).
    func registerLogBundles(on router: Router<ManagerRequestContext>) {
        router.get("/api/v1/servers/:name/logs") { request, context in
            try self.authenticator.require(request, .read)
            let name = try context.parameters.decoded("name")
            guard try await manager.statuses.isKnownAgent(name) else {
                throw APIError.notFound("no server \(name)")
            }
            let path = manager.logBundles.logBundlePath(name)
            guard LocalFile.exists(path) else {
                throw APIError.notFound("\(name) has not uploaded a log bundle: request one with exup logs request \(name)")
            }
            // Streamed from disk: a bundle may be 256 MiB, and several downloads must not each hold one.
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/gzip",
                    .contentDisposition: "attachment; filename=\"\(name)-logs.tar.gz\"",
                ],
                body: try await FileIO().loadFile(path: path, context: context))
        }
        router.post("/api/v1/agent/logs") { request, _ in
            let name = try self.requireAgent(request)
            let path = try manager.logBundles.incomingLogPath()
            let bytes = try await BodyFile.receive(request, to: path, limit: Self.maxLogBundleBytes, what: "log bundle")
            try await mapped { try await manager.logBundles.storeLogBundle(name, file: path, bytes: bytes) }
            return try Response.json(["stored": bytes], status: .created)
        }
    }

    static let maxLogBundleBytes: Int64 = 256 << 20

    static let reportFields: Set<String> = [
        "schema", "sequence", "identity", "modules", "sensors", "activities", "previousVersions",
        "items", "refusals", "problems", "pollIntervalSeconds",
    ]

    /// The poll: a heartbeat plus the directives, answered 304 when the agent already has this version.
    func directives(_ request: Request) async throws -> Response {
        let name = try requireAgent(request)
        manager.reports.heartbeat(name)
        guard let version = try await manager.reports.directivesVersion(for: name) else { throw APIError.notFound("no agent \(name)") }
        let etag = "\"d\(version)\""
        if let presented = request.headers[.ifNoneMatch],
            presented.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == etag
            })
        {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: "no-cache"])
        }
        var response = try Response.json(try await mapped { try await manager.reports.directives(for: name) })
        response.headers[.eTag] = etag
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    func requireAgent(_ request: Request) throws -> String { try authenticator.requireAgent(request) }

    /// Runs a manager call, turning its refusals into 4xx answers that say why.
    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as ManagerError {
            switch error.kind {
            case .unauthorised: throw APIError(.unauthorized, error.code, error.message)
            case .notFound: throw APIError(.notFound, error.code, error.message)
            case .conflict: throw APIError(.conflict, error.code, error.message)
            case .invalid: throw APIError(.badRequest, error.code, error.message)
            case .throttled: throw APIError(.tooManyRequests, error.code, error.message)
            }
        }
    }

    package init(manager: ManagerService, authenticator: Authenticator) {
        self.manager = manager
        self.authenticator = authenticator
    }
}
