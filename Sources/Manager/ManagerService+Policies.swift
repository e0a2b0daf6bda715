import ExupCore
import FoundationEssentials
import GRDB
import Repository
import TUF

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

extension ManagerService {
    public func setPolicy(_ group: String, _ policy: GroupPolicy?, actor: String) throws {
        if let canary = policy?.canaryGroup, canary == group { throw ManagerError.invalid("a group cannot be its own canary") }
        if let policy,
            !(0...365).contains(policy.delayDays) || !(0...100).contains(policy.maxCanaryFailurePercent)
                || !(1...365).contains(policy.canaryWindowDays)
        {
            throw ManagerError.invalid("delayDays is 0-365, maxCanaryFailurePercent 0-100, canaryWindowDays 1-365")
        }
        let json = try policy.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try store.setPolicy(json, canary: policy?.canaryGroup, of: group)
        try log(.groupChanged, actor: actor, cause: "\(group): policy \(json ?? "removed")")
    }

    public nonisolated func policy(_ group: String) throws -> GroupPolicy? {
        let json = try store.policyJSON(of: group)
        return try json.map { try JSONDecoder().decode(GroupPolicy.self, from: Data($0.utf8)) }
    }

    /// The canary group's failure rate over its window: failed / (succeeded + failed + reboot required), percent.
    nonisolated func failureRate(_ group: String, windowDays: Int, now: Int64) throws -> (percent: Int, finished: Int) {
        let counts = try store.finishedItemCounts(group: group, since: now - Int64(windowDays) * 86_400)
        let finished = counts.values.reduce(0, +)
        return (finished == 0 ? 0 : (counts[.failed] ?? 0) * 100 / finished, finished)
    }

    /// Applies every group's policy once: pauses (logged once) while its canary fails too often, else
    /// approves the newest package of each module with an update, once it is old enough. Every automatic
    /// decision is logged with its reason.
    @discardableResult
    public func evaluatePolicies() throws -> [PolicyDecision] {
        let now = clock()
        let today = CivilDays.civil(fromDays: now / 86_400)
        var decisions: [PolicyDecision] = []
        for group in try groupNames() {
            guard let policy = try policy(group), policy.autoApprove else { continue }
            var reason = "policy of \(group)"
            if let canary = policy.canaryGroup {
                let rate = try failureRate(canary, windowDays: policy.canaryWindowDays, now: now)
                let paused = rate.percent >= policy.maxCanaryFailurePercent && rate.finished > 0
                let wasPaused = try store.isPolicyPaused(group)
                if paused != wasPaused {
                    try store.setPolicyPaused(paused, of: group)
                    let why =
                        "canary \(canary): \(rate.percent)% of \(rate.finished) items failed in \(policy.canaryWindowDays) days (limit \(policy.maxCanaryFailurePercent)%)"
                    try log(paused ? .policyPaused : .policyResumed, actor: "policy:\(group)", cause: why)
                    decisions.append(PolicyDecision(group: group, server: nil, approved: [], reason: (paused ? "paused: " : "resumed: ") + why))
                }
                if paused { continue }
                reason += ", canary \(canary) at \(rate.percent)% failures"
            }
            let packages = try allPackages()
            for server in try groupMembers(group) {
                guard let agent = try agentRecord(server), !agent.revoked, let report = agent.report,
                    let platform = ServerDetail.platform(of: report),
                    try openItems(agent: server).isEmpty
                else { continue }
                let detail = try serverDetail(agent, packages: packages)
                var choices: [ModuleChoice] = []
                for module in detail.modules where module.status == ModuleStatus.updateAvailable.rawValue {
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
                    let items = try approve(
                        server, modules: choices, options: ApprovalOptions(allowReboot: policy.allowReboot), latestAtRunTime: false,
                        actor: "policy:\(group)")
                    let why = reason + (policy.delayDays > 0 ? ", released at least \(policy.delayDays) days ago" : "")
                    try log(
                        .policyApproved, actor: "policy:\(group)", server: server,
                        versions: choices.map { "\($0.id) \($0.version ?? "")" }.joined(separator: ", "), cause: why)
                    decisions.append(PolicyDecision(group: group, server: server, approved: items.map(\.moduleID), reason: why))
                } catch let error as ManagerError {
                    try log(.policyApproved, actor: "policy:\(group)", server: server, cause: "not approved: \(error.message)")
                }
            }
        }
        return decisions
    }
}
