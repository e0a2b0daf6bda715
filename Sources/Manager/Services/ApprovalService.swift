import ExupCore
import FoundationEssentials
import Repository
import Synchronization

/// A module picked for approval, optionally at one version.
public struct ModuleChoice: Sendable, Codable, Hashable {
    public var id: String
    public var version: String?

    public init(id: String, version: String?) {
        self.id = id
        self.version = version
    }
}

public struct CancelOutcome: Sendable, Codable {
    public var cancelled: [Int64]
    public var refused: [Refused]
    public struct Refused: Sendable, Codable { public var id: Int64; public var module: String; public var reason: String }
}

/// Approvals, cancels and uninstall requests (R022–R033, R061–R068, §2.1.8, §3.9). Each decision is
/// taken on what the store holds inside the transaction that records it.
public struct ApprovalService: Sendable {
    let context: ManagerContext
    let statuses: StatusService

    var store: any ManagerDatabase { context.store }

    /// Approves updates for a server. Every pick is checked against the rules first; one refusal refuses
    /// the whole approval, naming each module and why. `onlyWhenIdle`: refused while any item of the
    /// server is open (automatic approvals wait for the current run).
    public func approve(
        _ name: String, modules requested: [ModuleChoice]?, options: ApprovalOptions, latestAtRunTime: Bool,
        actor: String, onlyWhenIdle: Bool = false
    ) async throws -> [ApprovalItemRecord] {
        let allPackages = try await context.allPackages()
        let statuses = self.statuses
        // The versions the report showed when the approval was decided, for the log.
        let decidedOn = Mutex([String: String]())
        let created = try await store.addItems(agent: name, now: context.clock()) { agent, items in
            guard !agent.revoked else { throw ManagerError.notFound("no server \(name)") }
            guard let report = agent.report, let platform = ServerDetail.platform(of: report) else {
                throw ManagerError.conflict("no-report", "\(name) has not reported its inventory yet")
            }
            if onlyWhenIdle, items.contains(where: \.state.isOpen) {
                throw ManagerError.conflict("run-open", "\(name) has items open: automatic approvals wait for the current run")
            }
            decidedOn.withLock { versions in
                for module in report.modules { versions[module.id] = versions[module.id] ?? module.version ?? "-" }
            }
            return try Self.plan(
                name, report: report, platform: platform, reportSequence: agent.reportSequence, reachable: statuses.reachable(agent),
                packages: allPackages.filter { $0.concerns(platform) }, items: items, requested: requested, options: options,
                latestAtRunTime: latestAtRunTime, statuses: statuses)
        }
        let versions = decidedOn.withLock { $0 }
        for item in created {
            try await context.log(
                .updatesApproved, actor: actor, server: name, module: item.moduleID,
                versions: "\(versions[item.moduleID] ?? "-") → \(item.version ?? "newest at run time")",
                cause: options.allowReboot ? "reboot allowed" : nil)
        }
        return created
    }

    /// What an approval adds, decided on the agent's report and items as stored; throws the refusals.
    static func plan(
        _ name: String, report: AgentReport, platform: Platform, reportSequence: Int64, reachable: Bool, packages: [PackageInfo],
        items: [ApprovalItemRecord], requested: [ModuleChoice]?, options: ApprovalOptions, latestAtRunTime: Bool, statuses: StatusService
    ) throws -> [NewApprovalItem] {
        let readings = Dictionary(report.modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let choices: [ModuleChoice]
        if let requested, !requested.isEmpty {
            choices = requested
        } else {
            choices = report.modules.filter {
                statuses.moduleFacts($0, platform: platform, packages: packages, items: items, report: report, reportSequence: reportSequence)
                    .status(agentReachable: reachable) == .updateAvailable
            }.map { ModuleChoice(id: $0.id, version: nil) }
            guard !choices.isEmpty else { throw ManagerError.conflict("nothing-to-approve", "\(name) has no pending updates") }
        }
        var refusals: [String] = []
        var planned: [NewApprovalItem] = []
        func add(_ module: String, _ package: PackageInfo?) {
            planned.append(
                NewApprovalItem(
                    kind: .apply, moduleID: module, packageID: package?.id, version: package?.version, latestAtRunTime: package == nil,
                    options: options))
        }
        for choice in choices {
            guard let reading = readings[choice.id] else { refusals.append("\(choice.id): \(name) does not report this module"); continue }
            let facts = statuses.moduleFacts(
                reading, platform: platform, packages: packages, items: items, report: report, reportSequence: reportSequence)
            let status = facts.status(agentReachable: reachable)
            if let blocked = ApplyGate.refusal(for: status) { refusals.append("\(choice.id): \(blocked)"); continue }
            if let version = choice.version {
                guard
                    let package = Selection.sortedNewestFirst(facts.packages, scheme: facts.scheme)
                        .first(where: { facts.scheme.compare($0.version, version) == 0 })
                else {
                    refusals.append("\(choice.id): no package of version \(version) in the repository for \(platform)")
                    continue
                }
                if let refusal = Selection.refusal(
                    for: package, platform: platform, current: reading.version, scheme: facts.scheme,
                    packages: facts.packages, latestOnly: options.latestOnly, status: status)
                {
                    refusals.append("\(choice.id): \(refusal)")
                    continue
                }
                add(choice.id, package)
            } else if latestAtRunTime {
                guard facts.packages.contains(where: \.isAgentApplicable) else {
                    refusals.append("\(choice.id): the repository has no applicable package"); continue
                }
                add(choice.id, nil)
            } else {
                guard let newest = Selection.newest(current: reading.version, scheme: facts.scheme, packages: facts.packages) else {
                    refusals.append("\(choice.id): \(SelectionRefusal.nothingNewer(current: reading.version ?? "-"))"); continue
                }
                add(choice.id, newest)
            }
        }
        guard refusals.isEmpty else { throw ManagerError.conflict("refused", "approval refused: " + refusals.joined(separator: "; ")) }
        return planned
    }

    /// Cancels items not started yet; a started item cannot be cancelled (R061–R063).
    public func cancel(_ name: String, actor: String) async throws -> CancelOutcome {
        guard try await store.agent(named: name) != nil else { throw ManagerError.notFound("no server \(name)") }
        let outcome = try await store.cancelWaitingItems(agent: name, now: context.clock())
        for item in outcome.cancelled {
            try await context.log(.updateCancelled, actor: actor, server: name, module: item.moduleID, versions: item.version)
        }
        for item in outcome.running {
            try await context.log(.cancelFailed, actor: actor, server: name, module: item.moduleID, versions: item.version, cause: "already running")
        }
        return CancelOutcome(
            cancelled: outcome.cancelled.map(\.id),
            refused: outcome.running.map { .init(id: $0.id, module: $0.moduleID, reason: "already running; a running item cannot be cancelled") })
    }

    /// Queues the removal of a module whose installed package has an Uninstall program (seed §3.9).
    public func uninstall(_ name: String, module: String, options: ApprovalOptions, actor: String) async throws -> ApprovalItemRecord {
        let allPackages = try await context.allPackages()
        let statuses = self.statuses
        let created = try await store.addItems(agent: name, now: context.clock()) { agent, items in
            guard let report = agent.report, let platform = ServerDetail.platform(of: report) else {
                throw ManagerError.notFound("no server \(name) with a report")
            }
            guard let reading = report.modules.first(where: { $0.id == module }), let current = reading.version else {
                throw ManagerError.conflict("not-installed", "\(module) is not installed on \(name)")
            }
            let scheme = VersionScheme.forModule(module, on: platform.os)
            guard
                let package = allPackages.first(where: {
                    $0.concerns(platform) && $0.moduleID == module && $0.uninstall != nil && scheme.compare($0.version, current) == 0
                })
            else {
                throw ManagerError.conflict("no-uninstaller", "no package in the repository can uninstall \(module) \(current)")
            }
            let status = statuses.moduleFacts(
                reading, platform: platform, packages: [package], items: items, report: report, reportSequence: agent.reportSequence
            ).status(agentReachable: statuses.reachable(agent))
            if let blocked = ApplyGate.refusal(for: status) { throw ManagerError.conflict("refused", "\(module): \(blocked)") }
            return [
                NewApprovalItem(kind: .uninstall, moduleID: module, packageID: package.id, version: current, latestAtRunTime: false, options: options)
            ]
        }
        let item = created[0]
        try await context.log(.uninstallRequested, actor: actor, server: name, module: module, versions: item.version)
        return item
    }
}
