import ExupCore
import ExupFormats
import FoundationEssentials
import Manager
import ManagerAPIModel
import ManagerHTTP

/// Groups and bulk work (§3.5.2), their automatic-approval policies, and remote batches (§3.5.3).
extension GeneratedAPI {
    package func listGroups(_ input: Operations.ListGroups.Input) async throws -> Operations.ListGroups.Output {
        var views: [GroupView] = []
        for name in try await manager.groups.groupNames() { views.append(try await mapped { try await manager.groups.group(name) }) }
        return .ok(.init(body: .json(try Wire.convert(views))))
    }

    package func createGroup(_ input: Operations.CreateGroup.Input) async throws -> Operations.CreateGroup.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = body.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.groups.createGroup(name, actor: actor) }
        return .created(.init(body: .json(try await manager.groups.groupNames())))
    }

    package func getGroup(_ input: Operations.GetGroup.Input) async throws -> Operations.GetGroup.Output {
        let name = input.path.name
        let filter = try Wire.request(input.query.filter ?? .all, as: GroupFilter.self)
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.groups.group(name, filter: filter) }))))
    }

    package func deleteGroup(_ input: Operations.DeleteGroup.Input) async throws -> Operations.DeleteGroup.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.groups.deleteGroup(name, actor: actor) }
        return .ok(.init(body: .json(try await manager.groups.groupNames())))
    }

    package func changeGroupMembers(_ input: Operations.ChangeGroupMembers.Input) async throws -> Operations.ChangeGroupMembers.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = input.path.name, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.groups.changeMembers(name, add: body.add ?? [], remove: body.remove ?? [], actor: actor) }
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.groups.group(name) }))))
    }

    package func approveGroupUpdates(_ input: Operations.ApproveGroupUpdates.Input) async throws -> Operations.ApproveGroupUpdates.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = input.path.name, actor = try APIRequestScope.principal.name
        let filter = try Wire.request(body.filter ?? .updateAvailable, as: GroupFilter.self)
        let approval = try ApprovalRequest(body)
        let results = try await mapped {
            try await manager.groups.approveGroup(
                name, filter: filter, modules: approval.modules, options: approval.options, latestAtRunTime: approval.latestAtRunTime,
                actor: actor)
        }
        return .created(.init(body: .json(try Wire.convert(results))))
    }

    package func uninstallGroupModule(_ input: Operations.UninstallGroupModule.Input) async throws -> Operations.UninstallGroupModule.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let name = input.path.name, actor = try APIRequestScope.principal.name
        let results = try await mapped {
            try await manager.groups.uninstallGroup(
                name, module: body.module, options: ApprovalOptions(allowReboot: body.allowReboot ?? false), actor: actor)
        }
        return .created(.init(body: .json(try Wire.convert(results))))
    }

    package func setGroupPolicy(_ input: Operations.SetGroupPolicy.Input) async throws -> Operations.SetGroupPolicy.Output {
        let name = input.path.name, actor = try APIRequestScope.principal.name
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let policy = try Wire.request(body, as: GroupPolicy.self)
        try await mapped { try await manager.policies.setPolicy(name, policy, actor: actor) }
        return .ok(.init(body: .json(try Wire.convert(try await mapped { try await manager.groups.group(name) }))))
    }

    package func listSchedules(_ input: Operations.ListSchedules.Input) async throws -> Operations.ListSchedules.Output {
        .ok(.init(body: .json(try Wire.convert(try await manager.schedules.schedules()))))
    }

    package func createSchedule(_ input: Operations.CreateSchedule.Input) async throws -> Operations.CreateSchedule.Output {
        let actor = try APIRequestScope.principal.name
        let kind: Schedule.TargetKind, target: String, start: Date, allowReboot: Bool?, downloadFirst: Bool?
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        // The other target may only be absent or null (the document says so; the generated type cannot).
        switch body {
        case .ServerScheduleRequest(let server) where server.group == nil:
            (kind, target, start, allowReboot, downloadFirst) = (.server, server.server, server.startAt, server.allowReboot, server.downloadFirst)
        case .GroupScheduleRequest(let group) where group.server == nil:
            (kind, target, start, allowReboot, downloadFirst) = (.group, group.group, group.startAt, group.allowReboot, group.downloadFirst)
        default:
            throw APIError.badRequest("name exactly one of server and group")
        }
        let startAt = try Self.scheduleTime(start)
        let schedule = try await mapped {
            try await manager.schedules.createSchedule(
                kind: kind, target: target, startAt: startAt, allowReboot: allowReboot ?? false, downloadFirst: downloadFirst ?? false,
                actor: actor)
        }
        return .created(.init(body: .json(try Wire.convert(schedule))))
    }

    package func editSchedule(_ input: Operations.EditSchedule.Input) async throws -> Operations.EditSchedule.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let id = input.path.id, actor = try APIRequestScope.principal.name
        let start = try body.startAt.map(Self.scheduleTime)
        let schedule = try await mapped {
            try await manager.schedules.editSchedule(
                id, startAt: start, allowReboot: body.allowReboot, downloadFirst: body.downloadFirst, actor: actor)
        }
        return .ok(.init(body: .json(try Wire.convert(schedule))))
    }

    package func deleteSchedule(_ input: Operations.DeleteSchedule.Input) async throws -> Operations.DeleteSchedule.Output {
        let id = input.path.id, actor = try APIRequestScope.principal.name
        try await mapped { try await manager.schedules.deleteSchedule(id, actor: actor) }
        return .ok(.init(body: .json(try Wire.convert(try await manager.schedules.schedules()))))
    }

    /// A batch starts on a whole second (the document's date-time is `YYYY-MM-DDTHH:MM:SSZ`).
    static func scheduleTime(_ date: Date) throws -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard seconds == seconds.rounded(.down) else { throw APIError.badRequest("startAt must be a time like 2026-12-01T02:00:00Z") }
        return Int64(seconds)
    }
}
