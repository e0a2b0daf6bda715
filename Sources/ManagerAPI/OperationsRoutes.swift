import ExupCore
import ExupFormats
import FoundationEssentials
import Hummingbird
import Manager
import ManagerHTTP
import Repository
import TUF

/// Groups and bulk work (§3.5.2), remote batches (§3.5.3), policies, and download-only status icons (Table 9).
package struct OperationsRoutes: Sendable {
    let manager: ManagerService
    let exports: ExportJobs
    let authenticator: Authenticator

    package func register(on router: Router<ManagerRequestContext>) {
        let manager = manager
        router.get("/api/v1/groups") { request, _ in
            try self.authenticator.require(request, .read)
            var views: [GroupView] = []
            for name in try await manager.groups.groupNames() { views.append(try await self.mapped { try await manager.groups.group(name) }) }
            return try Response.json(views)
        }
        router.post("/api/v1/groups") { request, _ in
            let principal = try self.authenticator.require(request, .administer)
            let body = try await StrictJSON.decode([String: String].self, from: request, allowed: ["name"])
            try await self.mapped { try await manager.groups.createGroup(body["name"] ?? "", actor: principal.name) }
            return try Response.json(try await manager.groups.groupNames(), status: .created)
        }
        router.get("/api/v1/groups/:name") { request, context in
            try self.authenticator.require(request, .read)
            let name = try context.parameters.decoded("name")
            let filterText = request.uri.queryParameters.get("filter").map { String($0) } ?? "all"
            guard let filter = GroupFilter(rawValue: filterText) else {
                throw APIError.badRequest("filter must be one of: \(GroupFilter.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try Response.json(try await self.mapped { try await manager.groups.group(name, filter: filter) })
        }
        router.post("/api/v1/groups/:name/delete") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            try await self.mapped { try await manager.groups.deleteGroup(name, actor: principal.name) }
            return try Response.json(try await manager.groups.groupNames())
        }
        router.post("/api/v1/groups/:name/members") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode([String: [String]].self, from: request, allowed: ["add", "remove"])
            try await self.mapped {
                try await manager.groups.changeMembers(name, add: body["add"] ?? [], remove: body["remove"] ?? [], actor: principal.name)
            }
            return try Response.json(try await self.mapped { try await manager.groups.group(name) })
        }
        router.post("/api/v1/groups/:name/approve") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode(GroupApproveBody.self, from: request, allowed: GroupApproveBody.fields)
            let filter = try GroupApproveBody.filter(body.filter ?? GroupFilter.updateAvailable.rawValue)
            let results = try await self.mapped {
                try await manager.groups.approveGroup(
                    name, filter: filter, modules: body.approval.modules, options: try body.approval.options(),
                    latestAtRunTime: body.approval.latestAtRunTime ?? false, actor: principal.name)
            }
            return try Response.json(results, status: .created)
        }
        router.post("/api/v1/groups/:name/uninstall") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode(UninstallBody.self, from: request, allowed: ["module", "allowReboot"])
            let results = try await self.mapped {
                try await manager.groups.uninstallGroup(
                    name, module: body.module, options: ApprovalOptions(allowReboot: body.allowReboot ?? false),
                    actor: principal.name)
            }
            return try Response.json(results, status: .created)
        }
        router.post("/api/v1/groups/:name/policy") { request, context in
            let principal = try self.authenticator.require(request, .administer)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode(
                GroupPolicy?.self, from: request,
                allowed: ["autoApprove", "delayDays", "canaryGroup", "maxCanaryFailurePercent", "canaryWindowDays", "allowReboot"])
            try await self.mapped { try await manager.policies.setPolicy(name, body, actor: principal.name) }
            return try Response.json(try await self.mapped { try await manager.groups.group(name) })
        }

        router.get("/api/v1/schedules") { request, _ in
            try self.authenticator.require(request, .read)
            return try Response.json(try await manager.schedules.schedules())
        }
        router.post("/api/v1/schedules") { request, _ in
            let principal = try self.authenticator.require(request, .apply)
            let body = try await StrictJSON.decode(
                ScheduleBody.self, from: request, allowed: ["server", "group", "startAt", "allowReboot", "downloadFirst"])
            guard (body.server == nil) != (body.group == nil) else { throw APIError.badRequest("name exactly one of server and group") }
            guard let start = body.startAt.flatMap({ UTCTime($0) }) else {
                throw APIError.badRequest("startAt must be a time like 2026-12-01T02:00:00Z")
            }
            let schedule = try await self.mapped {
                try await manager.schedules.createSchedule(
                    kind: body.server != nil ? .server : .group, target: body.server ?? body.group!, startAt: start.seconds,
                    allowReboot: body.allowReboot ?? false, downloadFirst: body.downloadFirst ?? false, actor: principal.name)
            }
            return try Response.json(schedule, status: .created)
        }
        router.post("/api/v1/schedules/:id") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let id = try context.parameters.number("id")
            let body = try await StrictJSON.decode(ScheduleBody.self, from: request, allowed: ["startAt", "allowReboot", "downloadFirst"])
            var start: Int64?
            if let text = body.startAt {
                guard let parsed = UTCTime(text) else { throw APIError.badRequest("startAt must be a time like 2026-12-01T02:00:00Z") }
                start = parsed.seconds
            }
            let schedule = try await self.mapped {
                try await manager.schedules.editSchedule(
                    id, startAt: start, allowReboot: body.allowReboot, downloadFirst: body.downloadFirst, actor: principal.name)
            }
            return try Response.json(schedule)
        }
        router.post("/api/v1/schedules/:id/delete") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let id = try context.parameters.number("id")
            try await self.mapped { try await manager.schedules.deleteSchedule(id, actor: principal.name) }
            return try Response.json(try await manager.schedules.schedules())
        }

        // The Save tab: an archive of the modules' download-only packages, then (optionally) their icon.
        router.post("/api/v1/servers/:name/save") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name")
            let body = try await StrictJSON.decode(SaveBody.self, from: request, allowed: ["modules", "onlyDisplayedVersion", "setIconAfterSave"])
            var icon: ManualIcon?
            if let text = body.setIconAfterSave {
                guard let parsed = ManualIcon(rawValue: text) else {
                    throw APIError.badRequest("setIconAfterSave must be one of: \(ManualIcon.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                icon = parsed
            }
            let ids = try await self.mapped {
                try await manager.statuses.downloadOnlyPackages(name, modules: body.modules, onlyDisplayedVersion: body.onlyDisplayedVersion ?? true)
            }
            let modules = body.modules, actor = principal.name
            var onDone: (@Sendable () async -> Void)?
            if let icon {
                onDone = { for module in modules { try? await manager.statuses.setManualIcon(name, module: module, icon: icon, actor: actor) } }
            }
            let status: ExportJobs.Status
            do { status = try await self.exports.start(ids: ids, allVersions: false, actor: actor, onDone: onDone) } catch let error as ExportError {
                throw APIError(exportError: error)
            }
            return try Response.json(status, status: .accepted)
        }
        router.post("/api/v1/servers/:name/modules/:module/status") { request, context in
            let principal = try self.authenticator.require(request, .apply)
            let name = try context.parameters.decoded("name"), module = try context.parameters.decoded("module")
            let body = try await StrictJSON.decode([String: String].self, from: request, allowed: ["icon"])
            guard let icon = ManualIcon(rawValue: body["icon"] ?? "") else {
                throw APIError.badRequest("icon must be one of: \(ManualIcon.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try await self.mapped { try await manager.statuses.setManualIcon(name, module: module, icon: icon, actor: principal.name) }
            return try Response.json(try await self.mapped { try await manager.statuses.server(name) })
        }
    }

    func mapped<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await ManagerRoutes(manager: manager, authenticator: authenticator).mapped(body)
    }

    package init(manager: ManagerService, exports: ExportJobs, authenticator: Authenticator) {
        self.manager = manager
        self.exports = exports
        self.authenticator = authenticator
    }
}

struct GroupApproveBody: Decodable {
    static let fields = ApproveBody.fields.union(["filter"])
    var filter: String?
    var approval: ApproveBody

    init(from decoder: any Decoder) throws {
        filter = try decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .filter)
        approval = try ApproveBody(from: decoder)
    }

    enum Keys: String, CodingKey { case filter }

    static func filter(_ text: String) throws -> GroupFilter {
        guard let filter = GroupFilter(rawValue: text) else {
            throw APIError.badRequest("filter must be one of: \(GroupFilter.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return filter
    }
}

struct SaveBody: Decodable {
    var modules: [String]
    var onlyDisplayedVersion: Bool?
    var setIconAfterSave: String?
}

struct ScheduleBody: Decodable {
    var server: String?
    var group: String?
    var startAt: String?
    var allowReboot: Bool?
    var downloadFirst: Bool?
}
