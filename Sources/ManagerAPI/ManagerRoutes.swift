import ExupCore
import ExupSystem
import FoundationEssentials
import Hummingbird
import Manager
import ManagerHTTP

/// The manager's HTTP surface: enrolment (`/api/v1/enrol`), the agent's pull channel
/// (`/api/v1/agent/…`) and the administrator's fleet API (`/api/v1/agents…`, `/api/v1/servers…`).
package struct ManagerRoutes: Sendable {
    let manager: ManagerService
    let authenticator: Authenticator

    package func register(on router: Router<ManagerRequestContext>) {
        registerLogBundles(on: router)
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
        router.post("/api/v1/enrol") { request, context in
            let body = try await StrictJSON.decode(EnrolmentRequest.self, from: request, allowed: ["token", "name", "hostname"], limit: 16 << 10)
            let source = authenticator.clientSource.address(of: request, context: context)
            return try Response.json(try await mapped { try await manager.enrolment.enrol(body, source: source) }, status: .created)
        }

        router.get("/api/v1/agent/directives") { request, _ in try await self.directives(request) }
        router.post("/api/v1/agent/report") { request, _ in
            let name = try self.requireAgent(request)
            let report = try await StrictJSON.decode(AgentReport.self, from: request, allowed: Self.reportFields)
            let outcome = try await mapped { try await manager.reports.report(report, from: name) }
            return try Response.json(["outcome": outcome.rawValue])
        }

        router.post("/api/v1/agents/tokens") { request, _ in
            let principal = try self.authenticator.require(request, .administer)
            let body = try await StrictJSON.decode(TokenBody.self, from: request, allowed: ["expiresInSeconds", "uses", "group"])
            let expires = body.expiresInSeconds ?? 86_400, uses = body.uses ?? 1
            guard expires > 0, expires <= 90 * 86_400 else { throw APIError.badRequest("expiresInSeconds must be 1…7776000 (90 days)") }
            guard uses > 0, uses <= 10_000 else { throw APIError.badRequest("uses must be 1…10000") }
            let token = try await mapped {
                try await manager.enrolment.createToken(expiresInSeconds: expires, uses: uses, group: body.group, actor: principal.name)
            }
            return try Response.json(["token": token], status: .created)
        }
        router.get("/api/v1/agents/tokens") { request, _ in
            try self.authenticator.require(request, .administer)
            return try Response.json(try await manager.enrolment.tokens())
        }
        router.delete("/api/v1/agents/tokens/:id") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let id = try context.parameters.decoded("id")
            try await mapped { try await manager.enrolment.revokeToken(id: id, actor: principal.name) }
            return try Response.json(["revoked": id])
        }
        router.get("/api/v1/agents") { request, _ in
            try self.authenticator.require(request, .read)
            return try Response.json(try await manager.statuses.agents())
        }
        router.post("/api/v1/agents/:name/revoke") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            try await mapped { try await manager.enrolment.revoke(name, actor: principal.name) }
            return try Response.json(["revoked": name])
        }
        router.post("/api/v1/agents/:name/rotate") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            return try Response.json([
                "name": name, "credential": try await mapped { try await manager.enrolment.rotate(name, actor: principal.name) },
            ])
        }
        router.post("/api/v1/agents/:name/allow-reenrolment") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            try await mapped { try await manager.enrolment.allowReenrolment(name, actor: principal.name) }
            return try Response.json(["allowed": name])
        }

        router.get("/api/v1/servers") { request, _ in
            try self.authenticator.require(request, .read)
            var filter: ServerFilter?
            if let text = request.uri.queryParameters.get("filter") {
                guard let parsed = ServerFilter(text) else {
                    throw APIError.badRequest("filter must be one of: \(ServerFilter.names.joined(separator: ", "))")
                }
                filter = parsed
            }
            return try Response.json(try await mapped { try await manager.statuses.servers(filter: filter) })
        }
        router.get("/api/v1/servers/:name") { request, context in
            try self.authenticator.require(request, .read)
            let name = try context.parameters.decoded("name")
            return try Response.json(try await mapped { try await manager.statuses.server(name) })
        }
        router.post("/api/v1/servers/:name/approve") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode(ApproveBody.self, from: request, allowed: ApproveBody.fields)
            let items = try await mapped {
                try await manager.approvals.approve(
                    name, modules: body.modules, options: try body.options(), latestAtRunTime: body.latestAtRunTime ?? false,
                    actor: principal.name)
            }
            return try Response.json(items.map(ServerDetail.RunItem.init), status: .created)
        }
        router.post("/api/v1/servers/:name/cancel") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            return try Response.json(try await mapped { try await manager.approvals.cancel(name, actor: principal.name) })
        }
        router.post("/api/v1/servers/:name/uninstall") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode(UninstallBody.self, from: request, allowed: ["module", "allowReboot"])
            let item = try await mapped {
                try await manager.approvals.uninstall(
                    name, module: body.module, options: ApprovalOptions(allowReboot: body.allowReboot ?? false),
                    actor: principal.name)
            }
            return try Response.json(ServerDetail.RunItem(item), status: .created)
        }
    }

    /// Log bundles: the administrator asks, the agent uploads at its next poll (or says why it cannot).
    func registerLogBundles(on router: Router<ManagerRequestContext>) {
        router.post("/api/v1/servers/:name/logs/request") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            try await mapped { try await manager.logBundles.requestLogs(name, actor: principal.name) }
            return try Response.json(["requested": name], status: .accepted)
        }
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
        router.post("/api/v1/agent/logs/failed") { request, _ in
            let name = try self.requireAgent(request)
            let body = try await StrictJSON.decode([String: String].self, from: request, allowed: ["reason"])
            try await mapped { try await manager.logBundles.logBundleFailed(name, reason: body["reason"] ?? "no reason given") }
            return try Response.json(["recorded": name])
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

    func requireAgent(_ request: Request) throws -> String {
        guard let principal = authenticator.principal(authorization: request.headers[.authorization]) else { throw APIError.unauthenticated }
        guard case .agent(let name) = principal else {
            throw APIError(.forbidden, "forbidden", "this endpoint needs an agent's own credential (from enrolment)")
        }
        return name
    }

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

struct TokenBody: Decodable {
    var expiresInSeconds: Int64?
    var uses: Int?
    /// Servers enrolled with the token join this group.
    var group: String?
}

struct UninstallBody: Decodable {
    var module: String
    var allowReboot: Bool?
}

/// `POST /api/v1/servers/NAME/approve`: which modules (all with updates when absent) and how.
struct ApproveBody: Decodable {
    static let fields: Set<String> = [
        "modules", "allowReboot", "latestOnly", "notBefore", "downloadFirst", "onLostContact",
        "overrideHealthGate", "latestAtRunTime",
    ]
    var modules: [ModuleChoice]?
    var allowReboot: Bool?
    var latestOnly: Bool?
    var notBefore: Int64?
    var downloadFirst: Bool?
    var onLostContact: String?
    var overrideHealthGate: Bool?
    var latestAtRunTime: Bool?

    func options() throws -> ApprovalOptions {
        var onLost = ApprovalOptions.OnLostContact.stop
        if let onLostContact {
            guard let parsed = ApprovalOptions.OnLostContact(rawValue: onLostContact) else {
                throw APIError.badRequest(
                    "onLostContact must be one of: \(ApprovalOptions.OnLostContact.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            onLost = parsed
        }
        return ApprovalOptions(
            allowReboot: allowReboot ?? false, latestOnly: latestOnly ?? true, notBefore: notBefore,
            downloadFirst: downloadFirst ?? false, onLostContact: onLost, overrideHealthGate: overrideHealthGate ?? false)
    }
}
