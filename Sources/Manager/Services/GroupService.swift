import ExupCore
import Repository

/// A group of servers and what it looks like now (seed §3.5.2, Fig. 47–49).
public struct GroupView: Sendable, Codable, Hashable {
    public struct Member: Sendable, Codable, Hashable {
        public var name: String
        public var status: ServerStatus
        public var statusText: String
        public var percent: Int?
    }

    public var name: String
    public var filter: GroupFilter
    /// Servers of the group whose agent answers (R073), filtered by Table 21.
    public var servers: [Member]
    /// Every member's status, counted (all members, before the filter).
    public var counts: [String: Int]
    /// Overall progress of the members' current runs, 0–100 (nil when none runs).
    public var percent: Int?
    public var policy: GroupPolicy?
}

/// What one server of a group approval came to: its items, or why it was refused.
public struct GroupApprovalResult: Sendable, Codable, Hashable {
    public var server: String
    public var items: [ServerDetail.RunItem]
    public var refused: String?
}

/// Groups of servers (seed §3.5.2): members, their statuses, and approvals for a whole group.
public struct GroupService: Sendable {
    let context: ManagerContext
    let statuses: StatusService
    let approvals: ApprovalService

    var store: any ManagerDatabase { context.store }

    public func createGroup(_ name: String, actor: String) async throws {
        guard UserService.isValidName(name) else { throw ManagerError.invalid("a group name is 1-64 letters, digits, '-', '_', '.' or '@'") }
        let created = try await store.createGroup(name, created: context.clock())
        guard created else { throw ManagerError.conflict("group-exists", "a group named \(name) exists") }
        try await context.log(.groupChanged, actor: actor, cause: "created \(name)")
    }

    public func deleteGroup(_ name: String, actor: String) async throws {
        let deleted = try await store.deleteGroup(name)
        guard deleted else { throw ManagerError.notFound("no group \(name)") }
        try await context.log(.groupChanged, actor: actor, cause: "deleted \(name)")
    }

    /// Adds and removes members; unknown servers are refused by name.
    public func changeMembers(_ group: String, add: [String], remove: [String], actor: String) async throws {
        try await store.changeMembers(of: group, add: add, remove: remove)
        try await context.log(.groupChanged, actor: actor, cause: "\(group): +\(add.joined(separator: ",")) -\(remove.joined(separator: ","))")
    }

    public func groupNames() async throws -> [String] {
        try await store.groupNames()
    }

    func groupMembers(_ group: String) async throws -> [String] {
        try await store.members(of: group)
    }

    /// The group with its members' statuses, the Table 21 filter applied to those whose agent answers.
    public func group(_ name: String, filter: GroupFilter = .all) async throws -> GroupView {
        let packages = try await context.allPackages()
        let fleet = try await store.fleetRows()
        var members: [GroupView.Member] = []
        var counts: [String: Int] = [:]
        var running: [Int] = []
        for server in try await groupMembers(name) {
            guard let agent = try await store.agent(named: server), !agent.revoked else { continue }
            let detail = try statuses.serverDetail(agent, packages: packages, fleet: fleet)
            counts[detail.status.rawValue, default: 0] += 1
            let open = detail.run.items.contains { $0.state.isOpen }
            if open { running.append(detail.run.percent) }
            // "all" is every member; the other filters are about servers whose agent answers.
            guard filter == .all || detail.status != .communicationFailure,
                filter.matches(
                    server: detail.status,
                    modules: detail.modules.map(\.status))
            else { continue }
            members.append(.init(name: server, status: detail.status, statusText: detail.statusText, percent: open ? detail.run.percent : nil))
        }
        return GroupView(
            name: name, filter: filter, servers: members, counts: counts,
            percent: running.isEmpty ? nil : running.reduce(0, +) / running.count, policy: try await store.policy(of: name))
    }

    /// Approves for each server of the group that the filter selects (update-available by default), each
    /// with its own rules (R077); a server refused does not stop the others.
    public func approveGroup(
        _ name: String, filter: GroupFilter = .updateAvailable, modules: [ModuleChoice]?, options: ApprovalOptions,
        latestAtRunTime: Bool, actor: String
    ) async throws -> [GroupApprovalResult] {
        var results: [GroupApprovalResult] = []
        for member in try await group(name, filter: filter).servers {
            do {
                let items = try await approvals.approve(
                    member.name, modules: modules, options: options, latestAtRunTime: latestAtRunTime, actor: actor)
                results.append(GroupApprovalResult(server: member.name, items: items.map(ServerDetail.RunItem.init), refused: nil))
            } catch let error as ManagerError {
                results.append(GroupApprovalResult(server: member.name, items: [], refused: error.message))
            }
        }
        return results
    }

    /// Uninstalls a module on every member that has it installed with an Uninstall program.
    public func uninstallGroup(_ name: String, module: String, options: ApprovalOptions, actor: String) async throws -> [GroupApprovalResult] {
        var results: [GroupApprovalResult] = []
        for member in try await group(name).servers {
            do {
                let item = try await approvals.uninstall(member.name, module: module, options: options, actor: actor)
                results.append(GroupApprovalResult(server: member.name, items: [ServerDetail.RunItem(item)], refused: nil))
            } catch let error as ManagerError {
                results.append(GroupApprovalResult(server: member.name, items: [], refused: error.message))
            }
        }
        return results
    }
}
