import ExupCore
import ExupFormats
import Repository
import Synchronization

/// Module and server statuses from the latest report, the open items and the repository (Tables 8–10),
/// and who is in contact: the fleet as the status pages and the API show it.
public final class StatusService: Sendable {
    let context: ManagerContext
    let heartbeats: Heartbeats
    /// The repository's initial status icon, changed from the settings page while the manager runs.
    private let initialIcon: Mutex<ManualIcon>

    init(context: ManagerContext, heartbeats: Heartbeats) {
        self.context = context
        self.heartbeats = heartbeats
        initialIcon = Mutex(context.settings.initialStatusIcon)
    }

    var store: any ManagerDatabase { context.store }

    /// The agents, without their reports (a listing must not decode every server's inventory).
    public func agents() async throws -> [AgentSummary] {
        try await store.agentListings().map { agent in
            AgentSummary(
                name: agent.name, enrolledAt: UTCTime(seconds: agent.enrolledAt).description,
                lastSeen: UTCTime(seconds: heartbeats.lastSeen(agent.name, stored: agent.lastSeen)).description, revoked: agent.revoked,
                reportSequence: agent.reportSequence)
        }
    }

    /// Whether an agent of this name is enrolled (revoked or not).
    public func isKnownAgent(_ name: String) async throws -> Bool { try await store.agent(named: name) != nil }

    /// An enrolled, not revoked agent, or "no server".
    func activeAgent(_ name: String) async throws -> AgentRecord {
        guard let agent = try await store.agent(named: name), !agent.revoked else { throw ManagerError.notFound("no server \(name)") }
        return agent
    }

    func lastSeen(_ agent: AgentRecord) -> Int64 { heartbeats.lastSeen(agent.name, stored: agent.lastSeen) }

    /// The fleet, or the servers a filter selects (R075/R076: some by server status, some by any module).
    public func servers(filter: ServerFilter? = nil) async throws -> [ServerSummary] {
        try await serverDetails().filter { detail in
            filter?.matches(
                server: detail.status, modules: detail.modules.map(\.status))
                ?? true
        }.map { detail in
            ServerSummary(
                name: detail.name, status: detail.status, statusText: detail.statusText, model: detail.model,
                os: detail.os, lastSeen: detail.lastSeen)
        }
    }

    /// Every server in detail, by name: packages, items and icons read once for the whole fleet.
    public func serverDetails() async throws -> [ServerDetail] {
        let packages = try await context.allPackages()
        let fleet = try await store.fleetRows()
        return try await store.activeAgents().map { agent in try serverDetail(agent, packages: packages, fleet: fleet) }
    }

    public func server(_ name: String) async throws -> ServerDetail {
        let agent = try await activeAgent(name)
        return try serverDetail(
            agent, packages: try await context.allPackages(),
            fleet: FleetRows(items: [name: try await store.items(agent: name)], icons: [name: try await store.manualIcons(server: name)]))
    }

    /// Communication failure is judged from the agent's own poll interval (it reports it), so an agent
    /// polling hourly is not flagged; the manager's setting is only the default for agents that do not say.
    func reachable(_ agent: AgentRecord) -> Bool {
        let interval = agent.report?.pollIntervalSeconds ?? context.settings.pollIntervalSeconds
        return context.clock() - lastSeen(agent) <= Int64(interval * context.settings.communicationFailureAfterPolls)
    }

    /// Module and server statuses from the latest report, the open items and the repository (Tables 8–10).
    /// `fleet`: the items and icons of the servers shown, read once for all of them.
    func serverDetail(_ agent: AgentRecord, packages all: [PackageInfo], fleet: FleetRows) throws -> ServerDetail {
        let reachable = reachable(agent)
        let items = fleet.items[agent.name] ?? []
        guard let report = agent.report, let platform = ServerDetail.platform(of: report) else {
            // No model (or no report yet): "unknown", with the agent's reason, as exup-agent status says.
            let status: ServerStatus = reachable ? .unknown : .communicationFailure
            let reason =
                agent.report == nil
                ? "no report from the agent yet"
                : "the agent could not read this server's model"
                    + ((agent.report?.problems ?? []).isEmpty ? "" : ": " + (agent.report?.problems ?? []).joined(separator: "; "))
            return ServerDetail(
                name: agent.name, status: status, statusText: status.label, reason: reason, model: agent.report?.identity.model,
                os: agent.report?.identity.os?.description, lastSeen: UTCTime(seconds: lastSeen(agent)).description, modules: [],
                run: ServerDetail.Run(items: items.map(ServerDetail.RunItem.init), percent: ServerDetail.Run.percent(items)))
        }
        let packages = all.filter { $0.concerns(platform) }
        let hasIncompatible = packages.contains { $0.isIncompatible }
        let reportTime = lastSeen(agent)
        let icons = fleet.icons[agent.name] ?? [:]
        var modules: [ServerDetail.Module] = []
        for reading in report.modules {
            var facts = moduleFacts(
                reading, platform: platform, packages: packages, items: items, report: report, reportSequence: agent.reportSequence)
            facts.manualIcon = icons[reading.id] ?? initialStatusIcon
            let status = facts.status(agentReachable: reachable)
            let newest = facts.available
            let previous = report.previousVersions[reading.id]
            func picker(latestOnly: Bool) -> [String] {
                Selection.offered(
                    current: reading.version, scheme: facts.scheme, packages: facts.packages, latestOnly: latestOnly,
                    previousVersion: previous
                ).map(\.pickerLabel)
            }
            modules.append(
                ServerDetail.Module(
                    id: reading.id, name: reading.name, current: reading.version, available: newest,
                    status: status, statusText: status.label, source: reading.source,
                    previous: previous, choices: picker(latestOnly: true),
                    choicesAllVersions: picker(latestOnly: false),
                    uninstallable: reading.version.map { current in
                        facts.packages.contains { $0.uninstall != nil && facts.scheme.compare($0.version, current) == 0 }
                    } ?? false))
        }
        let server = ServerStatus.aggregate(
            agentReachable: reachable, hasIncompatiblePackage: hasIncompatible,
            modules: modules.map(\.status))
        return ServerDetail(
            name: agent.name, status: server, statusText: server.label, model: platform.model,
            os: platform.os.description, lastSeen: UTCTime(seconds: reportTime).description, modules: modules,
            run: ServerDetail.Run(
                items: items.filter { $0.state.isOpen || $0.updated >= reportTime - 86_400 }.map(ServerDetail.RunItem.init),
                percent: ServerDetail.Run.percent(items.filter { $0.state.isOpen || $0.updated >= reportTime - 86_400 })))
    }

    func moduleFacts(
        _ reading: ModuleReading, platform: Platform, packages: [PackageInfo], items: [ApprovalItemRecord],
        report: AgentReport, reportSequence: Int64
    ) -> ModuleFacts {
        let scheme = VersionScheme.forModule(reading.id, on: platform.os)
        let modulePackages = packages.filter { $0.moduleID == reading.id }
        var activity = report.activities[reading.id] ?? .idle
        if let open = items.last(where: { $0.moduleID == reading.id && $0.state.isOpen }), let opened = open.state.activity(for: open.kind) {
            activity = opened
        } else if let last = items.last(where: { $0.moduleID == reading.id }), last.state == .cancelled,
            last.reportSequence >= reportSequence
        {
            activity = .cancelled
        }
        return ModuleFacts(current: reading.version, scheme: scheme, packages: modulePackages, activity: activity)
    }

    /// Approved items by state (for /metrics).
    public func itemCounts() async throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try await store.itemCountsByState().map { ($0.key.rawValue, $0.value) })
    }

    /// The icon a download-only module shows until someone sets one (Table 9; the repository settings).
    public var initialStatusIcon: ManualIcon { initialIcon.withLock { $0 } }

    public func setInitialStatusIcon(_ icon: ManualIcon) { initialIcon.withLock { $0 = icon } }

    /// Sets a download-only module's status icon (seed §2.1.3.2; logged N25, a refusal E25).
    public func setManualIcon(_ server: String, module: String, icon: ManualIcon, actor: String) async throws {
        do {
            try await store.setManualIcon(icon, server: server, module: module)
            try await context.log(.manualStatusChanged, actor: actor, server: server, module: module, cause: icon.status.rawValue)
        } catch let error as ManagerError {
            try await context.log(.manualStatusFailed, actor: actor, server: server, module: module, cause: error.message)
            throw error
        }
    }

    /// The Save tab (seed §2.2.6, §3.7.1, Table 17): the download-only packages of these modules on this
    /// server — only the version shown (the newest), or every version. Auto-update packages never (R132).
    public func downloadOnlyPackages(_ server: String, modules: [String], onlyDisplayedVersion: Bool) async throws -> [String] {
        guard let agent = try await store.agent(named: server), !agent.revoked, let report = agent.report,
            let platform = ServerDetail.platform(of: report)
        else {
            throw ManagerError.notFound("no server \(server) with a report")
        }
        var ids: [String] = []
        for module in modules {
            guard report.modules.contains(where: { $0.id == module }) else { throw ManagerError.notFound("\(server) has no module \(module)") }
            let scheme = VersionScheme.forModule(module, on: platform.os)
            let manual = try await context.packages(for: platform).filter { $0.moduleID == module && !$0.autoUpdate && !$0.isIncompatible }
            guard !manual.isEmpty else { throw ManagerError.conflict("no-download-only-package", "\(module) has no download-only package to save") }
            let sorted = Selection.sortedNewestFirst(manual, scheme: scheme)
            ids += onlyDisplayedVersion ? [sorted[0].id] : sorted.map(\.id)
        }
        return ids
    }
}
