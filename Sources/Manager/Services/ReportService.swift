import ApplicationLog
import ExupCore
import FoundationEssentials
import Repository

/// Polls (the heartbeat), directives and reports.
public struct ReportService: Sendable {
    let context: ManagerContext
    let heartbeats: Heartbeats
    let platformsServed: PlatformsServed
    let enrolment: EnrolmentService

    var store: any ManagerDatabase { context.store }

    /// The heartbeat: recorded in memory, written in batches by `flushHeartbeats`.
    public func heartbeat(_ name: String) { heartbeats.record(name, at: context.clock()) }

    /// Writes the heartbeats kept in memory; when the write fails they stay for the next flush.
    public func flushHeartbeats() async throws {
        let beats = heartbeats.drain()
        do { try await store.recordHeartbeats(beats) } catch {
            heartbeats.restore(beats)
            throw error
        }
    }

    public func directives(for name: String) async throws -> Directives {
        guard let poll = try await store.pollState(agent: name) else { throw ManagerError.notFound("no agent \(name)") }
        // In approval order, except that the agent's own uninstall always comes last (seed §3.9).
        let open = try await store.openItems(agent: name).map(\.directive)
        let ownUninstall: (Directives.Item) -> Bool = { $0.kind == .uninstall && $0.moduleID == ModuleID.agent }
        let items = open.filter { !ownUninstall($0) } + open.filter(ownUninstall)
        return Directives(
            version: poll.directivesVersion, pollIntervalSeconds: context.settings.pollIntervalSeconds, items: items,
            uploadLogBundle: poll.uploadLogs)
    }

    /// The current directives version (the ETag of the directives), without building them.
    public func directivesVersion(for name: String) async throws -> Int64? { try await store.pollState(agent: name)?.directivesVersion }

    public enum ReportOutcome: String, Sendable, Codable { case accepted, duplicate }

    /// Stores a report. A sequence number the manager already has changes nothing (an outbox resend).
    /// Reports are encoded in parallel and written in batches (group commit).
    public func report(_ report: AgentReport, from name: String) async throws -> ReportOutcome {
        guard report.schema == AgentReport.schema else { throw ManagerError.invalid("report schema \(report.schema) is not \(AgentReport.schema)") }
        guard let recorded = try await store.recordReport(report, agent: name, now: context.clock()) else { return .duplicate }
        let transitions = recorded.transitions
        let current = Dictionary(report.modules.map { ($0.id, $0.version) }, uniquingKeysWith: { a, _ in a })
        for transition in transitions {
            let module = transition.item.moduleID
            // After a completed apply the module reads the new version; the one before is the report's previous version.
            let before = transition.event == .applyCompleted ? report.previousVersions[module] : nil
            try await context.log(
                transition.event, actor: name, server: name, module: module,
                versions: "\(before ?? current[module].flatMap { $0 } ?? "-") → \(transition.item.version ?? "newest")", cause: transition.cause)
        }
        // R195: the agent uninstalled itself (revoked with the report); it was this server's management path.
        if recorded.revokedItself {
            await enrolment.forgetRevoked(name)
            try await context.log(
                .agentRevoked, actor: name, server: name, cause: "the agent uninstalled itself: the server is no longer managed (R195)")
            try await context.source.releaseAgent(name, actor: name)
            return .accepted
        }
        try await serveReportedPlatform(report, agent: name)
        return .accepted
    }

    /// Tells the repository which (model, OS) and previous generations agents run, once per distinct
    /// combination (the repository re-plans retention when they change).
    func serveReportedPlatform(_ report: AgentReport, agent name: String) async throws {
        guard let model = report.identity.model.map(Platform.normalizedModel), !model.isEmpty, let os = report.identity.os else { return }
        let platform = Platform(model: model, os: os)
        let key = "\(name)|\(platform)|" + report.previousVersions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        guard !platformsServed.contains(key) else { return }
        try await context.source.serveReportedPlatform(platform, previous: report.previousVersions, agent: name)
        platformsServed.insert(key)
    }
}
