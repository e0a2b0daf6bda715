import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import FoundationEssentials
import GRDB
import Repository
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// Module and server statuses from the latest report, the open items and the repository (Tables 8–10).
extension ManagerService {
    /// The fleet, or the servers a filter selects (R075/R076: some by server status, some by any module).
    public func servers(filter: ServerFilter? = nil) throws -> [ServerSummary] {
        try serverDetails().filter { detail in
            filter?.matches(
                server: ServerStatus(rawValue: detail.status) ?? .unknown, modules: detail.modules.compactMap { ModuleStatus(rawValue: $0.status) })
                ?? true
        }.map { detail in
            ServerSummary(
                name: detail.name, status: detail.status, statusText: detail.statusText, model: detail.model,
                os: detail.os, lastSeen: detail.lastSeen)
        }
    }

    /// Every server in detail, by name: packages, items and icons read once for the whole fleet.
    public func serverDetails() throws -> [ServerDetail] {
        let packages = try allPackages()
        let fleet = try FleetRows.load(store)
        return try store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM agent WHERE revoked = 0 ORDER BY name") }
            .map(AgentRecord.init(row:))
            .map { agent in try serverDetail(agent, packages: packages, fleet: fleet) }
    }

    public func server(_ name: String) throws -> ServerDetail {
        guard let agent = try agentRecord(name), !agent.revoked else { throw ManagerError.notFound("no server \(name)") }
        return try serverDetail(agent, packages: try allPackages())
    }

    /// Communication failure is judged from the agent's own poll interval (it reports it), so an agent
    /// polling hourly is not flagged; the manager's setting is only the default for agents that do not say.
    func reachable(_ agent: AgentRecord) -> Bool {
        let interval = agent.report?.pollIntervalSeconds ?? settings.pollIntervalSeconds
        return clock() - lastSeen(agent) <= Int64(interval * settings.communicationFailureAfterPolls)
    }

    /// Module and server statuses from the latest report, the open items and the repository (Tables 8–10).
    /// `fleet`: the items and icons of every server, read once when many servers are shown.
    func serverDetail(_ agent: AgentRecord, packages all: [PackageInfo], fleet: FleetRows? = nil) throws -> ServerDetail {
        let reachable = reachable(agent)
        let items =
            try fleet.map { $0.items[agent.name] ?? [] }
            ?? store.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM approval_item WHERE agent = ? ORDER BY id", arguments: [agent.name]).map(
                    ApprovalItemRecord.init(row:))
            }
        guard let report = agent.report, let platform = ServerDetail.platform(of: report) else {
            // No model (or no report yet): "unknown", with the agent's reason, as exup-agent status says.
            let status: ServerStatus = reachable ? .unknown : .communicationFailure
            let reason =
                agent.report == nil
                ? "no report from the agent yet"
                : "the agent could not read this server's model"
                    + ((agent.report?.problems ?? []).isEmpty ? "" : ": " + (agent.report?.problems ?? []).joined(separator: "; "))
            return ServerDetail(
                name: agent.name, status: status.rawValue, statusText: status.label, reason: reason, model: agent.report?.identity.model,
                os: agent.report?.identity.os?.description, lastSeen: UTCTime(seconds: lastSeen(agent)).description, modules: [],
                run: ServerDetail.Run(items: items.map(ServerDetail.RunItem.init), percent: ServerDetail.Run.percent(items)))
        }
        let packages = all.filter { $0.concerns(platform) }
        let hasIncompatible = packages.contains { $0.isIncompatible }
        let reportTime = lastSeen(agent)
        let icons = try fleet.map { $0.icons[agent.name] ?? [:] } ?? manualIcons(agent.name)
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
                    status: status.rawValue, statusText: status.label, source: reading.source,
                    previous: previous, choices: picker(latestOnly: true),
                    choicesAllVersions: picker(latestOnly: false),
                    uninstallable: reading.version.map { current in
                        facts.packages.contains { $0.uninstall != nil && facts.scheme.compare($0.version, current) == 0 }
                    } ?? false))
        }
        let server = ServerStatus.aggregate(
            agentReachable: reachable, hasIncompatiblePackage: hasIncompatible,
            modules: modules.compactMap { ModuleStatus(rawValue: $0.status) })
        return ServerDetail(
            name: agent.name, status: server.rawValue, statusText: server.label, model: platform.model,
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

    func allPackages() throws -> [PackageInfo] { try source.allPackages() }

    func repositoryPackages(for platform: Platform) throws -> [PackageInfo] {
        try allPackages().filter { $0.concerns(platform) }
    }

    /// Approved items by state (for /metrics).
    public nonisolated func itemCounts() throws -> [String: Int] {
        try store.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM approval_item GROUP BY state").map {
                    ($0["state"] as String, $0["n"] as Int)
                })
        }
    }

    /// Download-only modules' status icons set by hand (Table 9), by module.
    nonisolated func manualIcons(_ server: String) throws -> [String: ManualIcon] {
        try store.read { db in
            var out: [String: ManualIcon] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT module, icon FROM manual_status WHERE server = ?", arguments: [server]) {
                out[row["module"]] = ManualIcon(rawValue: row["icon"])
            }
            return out
        }
    }

    /// The icon a download-only module shows until someone sets one (Table 9; the repository settings).
    public nonisolated var initialStatusIcon: ManualIcon { initialIcon.withLock { $0 } }

    public nonisolated func setInitialStatusIcon(_ icon: ManualIcon) { initialIcon.withLock { $0 = icon } }

    /// Sets a download-only module's status icon (seed §2.1.3.2; logged N25, a refusal E25).
    public func setManualIcon(_ server: String, module: String, icon: ManualIcon, actor: String) throws {
        do {
            guard let agent = try agentRecord(server), !agent.revoked, let report = agent.report else {
                throw ManagerError.notFound("no server \(server) with a report")
            }
            guard report.modules.contains(where: { $0.id == module }) else { throw ManagerError.notFound("\(server) has no module \(module)") }
            try store.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO manual_status (server, module, icon) VALUES (?, ?, ?)", arguments: [server, module, icon.rawValue])
            }
            try log(.manualStatusChanged, actor: actor, server: server, module: module, cause: icon.status.rawValue)
        } catch let error as ManagerError {
            try log(.manualStatusFailed, actor: actor, server: server, module: module, cause: error.message)
            throw error
        }
    }

    /// The Save tab (seed §2.2.6, §3.7.1, Table 17): the download-only packages of these modules on this
    /// server — only the version shown (the newest), or every version. Auto-update packages never (R132).
    public func downloadOnlyPackages(_ server: String, modules: [String], onlyDisplayedVersion: Bool) throws -> [String] {
        guard let agent = try agentRecord(server), !agent.revoked, let report = agent.report, let platform = ServerDetail.platform(of: report) else {
            throw ManagerError.notFound("no server \(server) with a report")
        }
        var ids: [String] = []
        for module in modules {
            guard report.modules.contains(where: { $0.id == module }) else { throw ManagerError.notFound("\(server) has no module \(module)") }
            let scheme = VersionScheme.forModule(module, on: platform.os)
            let manual = try repositoryPackages(for: platform).filter { $0.moduleID == module && !$0.autoUpdate && !$0.isIncompatible }
            guard !manual.isEmpty else { throw ManagerError.conflict("no-download-only-package", "\(module) has no download-only package to save") }
            let sorted = Selection.sortedNewestFirst(manual, scheme: scheme)
            ids += onlyDisplayedVersion ? [sorted[0].id] : sorted.map(\.id)
        }
        return ids
    }
}

/// Every server's approved items and hand-set icons, read in one query each (the fleet page and
/// `GET /api/v1/servers` show thousands of servers; a query per server cost most of their time).
struct FleetRows: Sendable {
    var items: [String: [ApprovalItemRecord]]
    var icons: [String: [String: ManualIcon]]

    static func load(_ store: ManagerStore) throws -> FleetRows {
        try store.read { db in
            var items: [String: [ApprovalItemRecord]] = [:]
            for item in try Row.fetchAll(db, sql: "SELECT * FROM approval_item ORDER BY id").map(ApprovalItemRecord.init(row:)) {
                items[item.agent, default: []].append(item)
            }
            var icons: [String: [String: ManualIcon]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT server, module, icon FROM manual_status") {
                icons[row["server"], default: [:]][row["module"]] = ManualIcon(rawValue: row["icon"])
            }
            return FleetRows(items: items, icons: icons)
        }
    }
}
