import ExupCore
import Manager
import ManagerAPIModel
import ManagerHTTP
import Repository

/// Enrolment tokens, agents' credentials, servers, approvals, log requests and download-only modules.
extension GeneratedAPI {
    var manager: ManagerService { fleet.manager }

    package func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        .ok(.init(body: .json(try Wire.convert(try await manager.enrolment.tokens()))))
    }

    package func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        let expires = body.expiresInSeconds ?? 86_400, uses = body.uses ?? 1
        guard expires > 0, expires <= 90 * 86_400 else { throw APIError.badRequest("expiresInSeconds must be 1…7776000 (90 days)") }
        guard uses > 0, uses <= 10_000 else { throw APIError.badRequest("uses must be 1…10000") }
        let token = try await mapped {
            try await manager.enrolment.createToken(expiresInSeconds: expires, uses: uses, group: body.group, actor: actor)
        }
        return .created(.init(body: .json(.init(token: token))))
    }

    package func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        let id = input.path.id, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.enrolment.revokeToken(id: id, actor: actor) }
        return .ok(.init(body: .json(.init(revoked: id))))
    }

    package func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output {
        .ok(.init(body: .json(try Wire.convert(try await manager.statuses.agents()))))
    }

    package func revokeAgent(_ input: Operations.RevokeAgent.Input) async throws -> Operations.RevokeAgent.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.enrolment.revoke(name, actor: actor) }
        return .ok(.init(body: .json(.init(revoked: name))))
    }

    package func rotateAgentCredential(_ input: Operations.RotateAgentCredential.Input) async throws -> Operations.RotateAgentCredential.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        let credential = try await mapped { try await manager.enrolment.rotate(name, actor: actor) }
        return .ok(.init(body: .json(.init(name: name, credential: credential))))
    }

    package func allowAgentReenrolment(_ input: Operations.AllowAgentReenrolment.Input) async throws -> Operations.AllowAgentReenrolment.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.enrolment.allowReenrolment(name, actor: actor) }
        return .ok(.init(body: .json(.init(allowed: name))))
    }

    package func listServers(_ input: Operations.ListServers.Input) async throws -> Operations.ListServers.Output {
        var filter: ServerFilter?
        if let text = input.query.filter?.rawValue {
            guard let parsed = ServerFilter(text) else {
                throw APIError.badRequest("filter must be one of: \(ServerFilter.names.joined(separator: ", "))")
            }
            filter = parsed
        }
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.statuses.servers(filter: filter) }))))
    }

    package func getServer(_ input: Operations.GetServer.Input) async throws -> Operations.GetServer.Output {
        let name = input.path.name
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.statuses.server(name) }))))
    }

    package func approveServerUpdates(_ input: Operations.ApproveServerUpdates.Input) async throws -> Operations.ApproveServerUpdates.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = input.path.name, actor = try APIRequestScope.principal.name
        let approval = try ApprovalRequest(body)
        let items = try await mapped {
            try await manager.approvals.approve(
                name, modules: approval.modules, options: approval.options, latestAtRunTime: approval.latestAtRunTime, actor: actor)
        }
        return .created(.init(body: .json(try Wire.convert(items.map(ServerDetail.RunItem.init)))))
    }

    package func cancelServerItems(_ input: Operations.CancelServerItems.Input) async throws -> Operations.CancelServerItems.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.approvals.cancel(name, actor: actor) }))))
    }

    package func uninstallServerModule(_ input: Operations.UninstallServerModule.Input) async throws -> Operations.UninstallServerModule.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = input.path.name, actor = try APIRequestScope.principal.name
        let item = try await mapped {
            try await manager.approvals.uninstall(
                name, module: body.module, options: ApprovalOptions(allowReboot: body.allowReboot ?? false), actor: actor)
        }
        return .created(.init(body: .json(try Wire.convert(ServerDetail.RunItem(item)))))
    }

    package func requestServerLogs(_ input: Operations.RequestServerLogs.Input) async throws -> Operations.RequestServerLogs.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.logBundles.requestLogs(name, actor: actor) }
        return .accepted(.init(body: .json(.init(requested: name))))
    }

    /// The Save tab: an archive of the modules' download-only packages, then (optionally) their icon.
    package func saveServerModules(_ input: Operations.SaveServerModules.Input) async throws -> Operations.SaveServerModules.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = input.path.name, actor = try APIRequestScope.principal.name
        let icon = try body.setIconAfterSave.map { try Wire.request($0, as: ManualIcon.self) }
        let manager = manager, modules = body.modules
        let ids = try await mapped {
            try await manager.statuses.downloadOnlyPackages(name, modules: modules, onlyDisplayedVersion: body.onlyDisplayedVersion ?? true)
        }
        var onDone: (@Sendable () async -> Void)?
        if let icon {
            onDone = { for module in modules { try? await manager.statuses.setManualIcon(name, module: module, icon: icon, actor: actor) } }
        }
        do {
            let status = try await repository.exports.start(ids: ids, allVersions: false, actor: actor, onDone: onDone)
            return .accepted(.init(body: .json(try Wire.convert(status))))
        } catch let error as ExportError {
            throw APIError(exportError: error)
        }
    }

    package func setModuleStatusIcon(_ input: Operations.SetModuleStatusIcon.Input) async throws -> Operations.SetModuleStatusIcon.Output {
        let name = input.path.name, module = input.path.module, actor = try APIRequestScope.principal.name
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let icon = try Wire.request(body.icon, as: ManualIcon.self)
        try await mapped { try await manager.statuses.setManualIcon(name, module: module, icon: icon, actor: actor) }
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.statuses.server(name) }))))
    }
}

/// What an approval asks for, from a server's or a group's request (the same fields).
struct ApprovalRequest {
    var modules: [ModuleChoice]?
    var options: ApprovalOptions
    var latestAtRunTime: Bool

    init(_ body: Components.Schemas.ApproveRequest) throws {
        try self.init(
            modules: body.modules, allowReboot: body.allowReboot, latestOnly: body.latestOnly, notBefore: body.notBefore,
            downloadFirst: body.downloadFirst, onLostContact: body.onLostContact, overrideHealthGate: body.overrideHealthGate,
            latestAtRunTime: body.latestAtRunTime)
    }

    init(_ body: Components.Schemas.GroupApproveRequest) throws {
        try self.init(
            modules: body.modules, allowReboot: body.allowReboot, latestOnly: body.latestOnly, notBefore: body.notBefore,
            downloadFirst: body.downloadFirst, onLostContact: body.onLostContact, overrideHealthGate: body.overrideHealthGate,
            latestAtRunTime: body.latestAtRunTime)
    }

    private init(
        modules: [Components.Schemas.ModuleChoice]?, allowReboot: Bool?, latestOnly: Bool?, notBefore: Int64?, downloadFirst: Bool?,
        onLostContact: Components.Schemas.OnLostContact?, overrideHealthGate: Bool?, latestAtRunTime: Bool?
    ) throws {
        self.modules = modules?.map { ModuleChoice(id: $0.id, version: $0.version) }
        options = ApprovalOptions(
            allowReboot: allowReboot ?? false, latestOnly: latestOnly ?? true, notBefore: notBefore, downloadFirst: downloadFirst ?? false,
            onLostContact: try onLostContact.map { try Wire.request($0, as: ApprovalOptions.OnLostContact.self) } ?? .stop,
            overrideHealthGate: overrideHealthGate ?? false)
        self.latestAtRunTime = latestAtRunTime ?? false
    }
}
