import ApplicationLog
import ExupCore
import ExupCrypto
import ExupSystem
import FoundationEssentials
import GRDB
import Repository
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// Polls (the heartbeat), directives and reports.
extension ManagerService {
    /// The heartbeat: recorded in memory, written in batches by `flushHeartbeats`.
    public nonisolated func heartbeat(_ name: String) {
        let now = clock()
        heartbeats.withLock { $0[name] = now }
    }

    public func flushHeartbeats() throws {
        let pending = heartbeats.withLock { beats -> [String: Int64] in
            defer { beats = [:] }; return beats
        }
        guard !pending.isEmpty else { return }
        try store.write { db in
            for (name, time) in pending {
                try db.execute(sql: "UPDATE agent SET last_seen = MAX(last_seen, ?) WHERE name = ?", arguments: [time, name])
            }
        }
    }

    nonisolated func lastSeen(_ record: AgentRecord) -> Int64 { lastSeen(record.name, stored: record.lastSeen) }

    /// The stored last-seen time, or a newer heartbeat not yet flushed.
    nonisolated func lastSeen(_ name: String, stored: Int64) -> Int64 {
        max(stored, heartbeats.withLock { $0[name] } ?? 0)
    }

    public func directives(for name: String) throws -> Directives {
        // Only the two columns a poll needs: the agent's stored report is not decoded on this path.
        guard
            let row = try store.read({ db in
                try Row.fetchOne(db, sql: "SELECT directives_version, upload_logs FROM agent WHERE name = ?", arguments: [name])
            })
        else { throw ManagerError.notFound("no agent \(name)") }
        // In approval order, except that the agent's own uninstall always comes last (seed §3.9).
        let open = try openItems(agent: name).map(\.directive)
        let ownUninstall: (Directives.Item) -> Bool = { $0.kind == .uninstall && $0.moduleID == ModuleID.agent }
        let items = open.filter { !ownUninstall($0) } + open.filter(ownUninstall)
        return Directives(
            version: row["directives_version"], pollIntervalSeconds: settings.pollIntervalSeconds, items: items,
            uploadLogBundle: row["upload_logs"])
    }

    /// The current directives version (the ETag of the directives), without building them.
    public nonisolated func directivesVersion(for name: String) throws -> Int64? {
        try store.read { db in try Int64.fetchOne(db, sql: "SELECT directives_version FROM agent WHERE name = ?", arguments: [name]) }
    }

    public enum ReportOutcome: String, Sendable, Codable { case accepted, duplicate }

    /// Stores a report. A sequence number the manager already has changes nothing (an outbox resend).
    /// Runs off the actor: reports are encoded in parallel and written in batches (group commit).
    public nonisolated func report(_ report: AgentReport, from name: String) async throws -> ReportOutcome {
        guard report.schema == AgentReport.schema else { throw ManagerError.invalid("report schema \(report.schema) is not \(AgentReport.schema)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        let now = clock()
        let stored = try await store.batched.write { db -> [(AppLogEvent, ApprovalItemRecord, String?)]? in
            try db.execute(
                sql: """
                    UPDATE agent SET report = ?, report_sequence = ?, last_seen = ? WHERE name = ? AND report_sequence < ? AND revoked = 0
                    """, arguments: [json, report.sequence, now, name, report.sequence])
            guard db.changesCount > 0 else {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent WHERE name = ? AND revoked = 0", arguments: [name]) != nil else {
                    throw ManagerError.notFound("no agent \(name)")
                }
                return nil
            }
            return try Self.applyItemStates(report, agent: name, now: now, in: db)
        }
        guard let events = stored else { return .duplicate }
        let current = Dictionary(report.modules.map { ($0.id, $0.version) }, uniquingKeysWith: { a, _ in a })
        for (event, item, cause) in events {
            try log(
                event, actor: name, server: name, module: item.moduleID,
                versions: "\(current[item.moduleID].flatMap { $0 } ?? "-") → \(item.version ?? "newest")", cause: cause)
        }
        // R195: the agent uninstalled itself; the agent was this server's management path, so it goes.
        let removedItself = report.items.contains { state in
            state.state == .succeeded && events.contains { $0.1.id == state.itemID && $0.1.kind == .uninstall && $0.1.moduleID == ModuleID.agent }
        }
        if removedItself {
            try store.write { db in try db.execute(sql: "UPDATE agent SET revoked = 1 WHERE name = ?", arguments: [name]) }
            credentials.withLock { cache in for (id, entry) in cache where entry.name == name { cache[id] = nil } }
            try log(.agentRevoked, actor: name, server: name, cause: "the agent uninstalled itself: the server is no longer managed (R195)")
            try await source.releaseAgent(name, actor: name)
            return .accepted
        }
        try await serveReportedPlatform(report, agent: name)
        return .accepted
    }

    /// Moves approved items on as the agent's journal reports them; returns the events to log.
    static func applyItemStates(
        _ report: AgentReport, agent name: String, now: Int64,
        in db: Database
    ) throws -> [(AppLogEvent, ApprovalItemRecord, String?)] {
        var events: [(AppLogEvent, ApprovalItemRecord, String?)] = []
        var itemsChanged = false
        for state in report.items {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM approval_item WHERE id = ? AND agent = ?", arguments: [state.itemID, name])
            else { continue }
            let item = try ApprovalItemRecord(row: row)
            let newState = state.state
            // Only the manager makes an item pending (an approval): an agent reports what it did.
            guard newState != .pending else { continue }
            // The agent's journal is the truth: an item it started in the instant a cancel was accepted ran.
            let raced = item.state == .cancelled && newState != .cancelled && newState != .downloading
            // A reboot-required item is confirmed (or not) after the next boot.
            let confirmed = item.state == .rebootRequired && (newState == .succeeded || newState == .failed)
            // A reboot-required item can still learn something before the boot (the reboot did not happen).
            let noted = item.state == .rebootRequired && newState == .rebootRequired && item.message != state.message
            guard item.state.isOpen || raced || confirmed || noted,
                item.state != newState || item.percent != state.percent || noted
            else { continue }
            try db.execute(
                sql: "UPDATE approval_item SET state = ?, percent = ?, message = ?, updated = ?, report_sequence = ? WHERE id = ?",
                arguments: [newState.rawValue, state.percent, state.message, now, report.sequence, item.id])
            if !newState.isOpen { itemsChanged = true }
            switch newState {
            case .started where item.state != .started: events.append((.applyStarted, item, nil))
            case .succeeded, .rebootRequired: events.append((.applyCompleted, item, state.message))
            case .failed: events.append((.applyFailed, item, state.message ?? "no cause reported"))
            default: break
            }
        }
        if itemsChanged { try db.execute(sql: "UPDATE agent SET directives_version = directives_version + 1 WHERE name = ?", arguments: [name]) }
        return events
    }

    /// Tells the repository which (model, OS) and previous generations agents run, once per distinct
    /// combination (the repository re-plans retention when they change).
    nonisolated func serveReportedPlatform(_ report: AgentReport, agent name: String) async throws {
        guard let model = report.identity.model.map(Platform.normalizedModel), !model.isEmpty, let os = report.identity.os else { return }
        let platform = Platform(model: model, os: os)
        let key = "\(name)|\(platform)|" + report.previousVersions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        guard !reportedPlatforms.withLock({ $0.contains(key) }) else { return }
        try await source.serveReportedPlatform(platform, previous: report.previousVersions, agent: name)
        reportedPlatforms.withLock { seen in
            if seen.count > 100_000 { seen.removeAll() }
            seen.insert(key)
        }
    }
}
