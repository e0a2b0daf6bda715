import ExupCore
import FoundationEssentials
import Repository

/// A group's automatic approval: new packages are approved for its servers once they are `delayDays`
/// old, and only while the failure rate in the canary group stays under `maxCanaryFailurePercent`.
public struct GroupPolicy: Sendable, Codable, Hashable {
    public var autoApprove: Bool
    public var delayDays: Int
    public var canaryGroup: String?
    public var maxCanaryFailurePercent: Int
    /// Finished items of the canary group in this window count toward its failure rate.
    public var canaryWindowDays: Int
    public var allowReboot: Bool

    public init(
        autoApprove: Bool = true, delayDays: Int = 0, canaryGroup: String? = nil, maxCanaryFailurePercent: Int = 10,
        canaryWindowDays: Int = 14, allowReboot: Bool = false
    ) {
        self.autoApprove = autoApprove
        self.delayDays = delayDays
        self.canaryGroup = canaryGroup
        self.maxCanaryFailurePercent = maxCanaryFailurePercent
        self.canaryWindowDays = canaryWindowDays
        self.allowReboot = allowReboot
    }
}

/// One automatic decision, as logged.
public struct PolicyDecision: Sendable, Codable, Hashable {
    public var group: String
    public var server: String?
    public var approved: [String]
    public var reason: String
}

/// Group policies: automatic approval behind a canary. An actor: two evaluations never overlap.
public actor PolicyService {
    let context: ManagerContext
    let statuses: StatusService
    let approvals: ApprovalService

    init(context: ManagerContext, statuses: StatusService, approvals: ApprovalService) {
        self.context = context
        self.statuses = statuses
        self.approvals = approvals
    }

    nonisolated var store: any ManagerDatabase { context.store }

    public func setPolicy(_ group: String, _ policy: GroupPolicy?, actor: String) async throws {
        if let canary = policy?.canaryGroup, canary == group {
            throw ManagerError(kind: .conflict, code: "own-canary", message: "a group cannot be its own canary")
        }
        if let policy,
            !(0...365).contains(policy.delayDays) || !(0...100).contains(policy.maxCanaryFailurePercent)
                || !(1...365).contains(policy.canaryWindowDays)
        {
            throw ManagerError.invalid("delayDays is 0-365, maxCanaryFailurePercent 0-100, canaryWindowDays 1-365")
        }
        try await store.setPolicy(policy, of: group)
        let json = try policy.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await context.log(.groupChanged, actor: actor, cause: "\(group): policy \(json ?? "removed")")
    }

    public nonisolated func policy(_ group: String) async throws -> GroupPolicy? { try await store.policy(of: group) }

    /// The canary group's failure rate over its window: failed / (succeeded + failed + reboot required), percent.
    nonisolated func failureRate(_ group: String, windowDays: Int, now: Int64) async throws -> (percent: Int, finished: Int) {
        let counts = try await store.finishedItemCounts(group: group, since: now - Int64(windowDays) * 86_400)
        let finished = counts.values.reduce(0, +)
        return (finished == 0 ? 0 : (counts[.failed] ?? 0) * 100 / finished, finished)
    }

    /// Applies every group's policy once: pauses (logged once) while its canary fails too often, else
    /// approves the newest package of each module with an update, once it is old enough. Every automatic
    /// decision is logged with its reason.
    @discardableResult
    public func evaluatePolicies() async throws -> [PolicyDecision] {
        let now = context.clock()
        let today = CivilDays.civil(fromDays: now / 86_400)
        var decisions: [PolicyDecision] = []
        for group in try await store.groupNames() {
            guard let policy = try await policy(group), policy.autoApprove else { continue }
            var reason = "policy of \(group)"
            if let canary = policy.canaryGroup {
                let rate = try await failureRate(canary, windowDays: policy.canaryWindowDays, now: now)
                let paused = rate.percent >= policy.maxCanaryFailurePercent && rate.finished > 0
                if try await store.setPolicyPaused(paused, of: group) {
                    let why =
                        "canary \(canary): \(rate.percent)% of \(rate.finished) items failed in \(policy.canaryWindowDays) days (limit \(policy.maxCanaryFailurePercent)%)"
                    try await context.log(paused ? .policyPaused : .policyResumed, actor: "policy:\(group)", cause: why)
                    decisions.append(PolicyDecision(group: group, server: nil, approved: [], reason: (paused ? "paused: " : "resumed: ") + why))
                }
                if paused { continue }
                reason += ", canary \(canary) at \(rate.percent)% failures"
            }
            let packages = try await context.allPackages()
            for server in try await store.members(of: group) {
                guard let agent = try await store.agent(named: server), !agent.revoked, let report = agent.report,
                    let platform = ServerDetail.platform(of: report)
                else { continue }
                let items = try await store.items(agent: server)
                guard !items.contains(where: \.state.isOpen) else { continue }
                let detail = try statuses.serverDetail(
                    agent, packages: packages, fleet: FleetRows(items: [server: items], icons: [server: try await store.manualIcons(server: server)]))
                var choices: [ModuleChoice] = []
                for module in detail.modules where module.status == .updateAvailable {
                    guard let newest = packages.filter({ $0.concerns(platform) && $0.moduleID == module.id && $0.version == module.available }).first
                    else { continue }
                    let released = CivilDays.days(
                        year: Int64(newest.releaseDate.year), month: Int64(newest.releaseDate.month), day: Int64(newest.releaseDate.day))
                    let age = CivilDays.days(year: today.year, month: today.month, day: today.day) - released
                    guard age >= Int64(policy.delayDays) else { continue }
                    choices.append(ModuleChoice(id: module.id, version: newest.version))
                }
                guard !choices.isEmpty else { continue }
                do {
                    let items = try await approvals.approve(
                        server, modules: choices, options: ApprovalOptions(allowReboot: policy.allowReboot), latestAtRunTime: false,
                        actor: "policy:\(group)", onlyWhenIdle: true)
                    let why = reason + (policy.delayDays > 0 ? ", released at least \(policy.delayDays) days ago" : "")
                    try await context.log(
                        .policyApproved, actor: "policy:\(group)", server: server,
                        versions: choices.map { "\($0.id) \($0.version ?? "")" }.joined(separator: ", "), cause: why)
                    decisions.append(PolicyDecision(group: group, server: server, approved: items.map(\.moduleID), reason: why))
                } catch let error as ManagerError {
                    try await context.log(.policyApproved, actor: "policy:\(group)", server: server, cause: "not approved: \(error.message)")
                }
            }
        }
        return decisions
    }
}
