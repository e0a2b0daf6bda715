import ApplicationLog
import ExupCore
import Manager
import ManagerAPIModel
import ManagerHTTP
import Repository

/// The repository's administration: served platforms, packages, deletion, exports, and the application log.
extension GeneratedAPI {
    var packages: RepositoryService { repository.repository }

    package func listPlatforms(_ input: Operations.ListPlatforms.Input) async throws -> Operations.ListPlatforms.Output {
        .ok(.init(body: .json(try Wire.convert(try await packages.platforms()))))
    }

    package func addPlatform(_ input: Operations.AddPlatform.Input) async throws -> Operations.AddPlatform.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        try await packages.addPlatform(try PlatformBody(model: body.model, os: body.os).platform(), actor: actor)
        return .created(.init(body: .json(try Wire.convert(try await packages.platforms()))))
    }

    package func removePlatform(_ input: Operations.RemovePlatform.Input) async throws -> Operations.RemovePlatform.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        guard try await packages.removePlatform(try PlatformBody(model: body.model, os: body.os).platform(), actor: actor) else {
            throw APIError.notFound("\(body.model) / \(body.os) is not served")
        }
        return .ok(.init(body: .json(try Wire.convert(try await packages.platforms()))))
    }

    package func listPackages(_ input: Operations.ListPackages.Input) async throws -> Operations.ListPackages.Output {
        let actor = try APIRequestScope.principal.name
        return .ok(.init(body: .json(try Wire.convert(try await packages.list(actor: actor)))))
    }

    package func getPackage(_ input: Operations.GetPackage.Input) async throws -> Operations.GetPackage.Output {
        let id = input.path.id, actor = try APIRequestScope.principal.name
        guard let listing = try await packages.package(id: id, actor: actor) else { throw APIError.notFound("no package \(id)") }
        return .ok(.init(body: .json(try Wire.convert(listing))))
    }

    package func deletePackages(_ input: Operations.DeletePackages.Input) async throws -> Operations.DeletePackages.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        guard !body.ids.isEmpty else { throw APIError.badRequest("ids must name at least one package") }
        if let mirror = repository.mirror {
            return .ok(.init(body: .json(try Wire.convert(try repository.refuseRemoteDelete(body.ids, mirror, actor: actor)))))
        }
        return .ok(.init(body: .json(try Wire.convert(try await packages.delete(ids: body.ids, force: body.force ?? false, actor: actor)))))
    }

    package func getDeletionHistory(_ input: Operations.GetDeletionHistory.Input) async throws -> Operations.GetDeletionHistory.Output {
        .ok(.init(body: .json(try await packages.deletionHistory())))
    }

    package func clearDeletionHistory(_ input: Operations.ClearDeletionHistory.Input) async throws -> Operations.ClearDeletionHistory.Output {
        let actor = try APIRequestScope.principal.name
        return .ok(.init(body: .json(.init(cleared: try await packages.clearDeletionHistory(actor: actor)))))
    }

    // Archives are the packages themselves: building, reading and removing one needs the apply permission.
    package func startExport(_ input: Operations.StartExport.Input) async throws -> Operations.StartExport.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        guard !body.ids.isEmpty else { throw APIError.badRequest("ids must name at least one package") }
        do {
            let status = try await repository.exports.start(ids: body.ids, allVersions: body.allVersions ?? false, actor: actor)
            return .accepted(.init(body: .json(try Wire.convert(status))))
        } catch let error as ExportError {
            throw APIError(exportError: error)
        }
    }

    package func getExport(_ input: Operations.GetExport.Input) async throws -> Operations.GetExport.Output {
        guard let status = await repository.exports.status(input.path.id) else { throw APIError.notFound("no export \(input.path.id)") }
        return .ok(.init(body: .json(try Wire.convert(status))))
    }

    package func cancelExport(_ input: Operations.CancelExport.Input) async throws -> Operations.CancelExport.Output {
        guard let status = await repository.exports.cancel(input.path.id) else { throw APIError.notFound("no export \(input.path.id)") }
        return .ok(.init(body: .json(try Wire.convert(status))))
    }

    package func getLog(_ input: Operations.GetLog.Input) async throws -> Operations.GetLog.Output {
        let parameters = input.query
        var query = AppLogQuery(afterID: parameters.after ?? 0, limit: Int(max(1, min(parameters.limit ?? 500, 5000))))
        query.since = parameters.since
        query.server = parameters.server
        query.level = try parameters.level.map { try Wire.request($0, as: AppLogLevel.self) }
        query.grep = parameters.grep
        return .ok(.init(body: .json(try Wire.convert(try packages.catalog.logEntries(query)))))
    }
}
