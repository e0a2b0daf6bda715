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
        let pending = heartbeats.withLock { beats -> [String: Int64] in defer { beats = [:] }; return beats }
        guard !pending.isEmpty else { return }
        try store.write { db in
            for (name, time) in pending {
                try db.execute(sql: "UPDATE agent SET last_seen = MAX(last_seen, ?) WHERE name = ?", arguments: [time, name])
            }
        }
    }

    func lastSeen(_ record: AgentRecord) -> Int64 {
        max(record.lastSeen, heartbeats.withLock { $0[record.name] } ?? 0)
    }

    public func directives(for name: String) throws -> Directives {
        guard let agent = try agentRecord(name) else { throw ManagerError.notFound("no agent \(name)") }
        let items = try openItems(agent: name).map(\.directive)
        return Directives(version: agent.directivesVersion, pollIntervalSeconds: settings.pollIntervalSeconds, items: items,
                          uploadLogBundle: agent.uploadLogs)
    }

    /// The current directives version (the ETag of the directives), without building them.
    public nonisolated func directivesVersion(for name: String) throws -> Int64? {
        try store.read { db in try Int64.fetchOne(db, sql: "SELECT directives_version FROM agent WHERE name = ?", arguments: [name]) }
    }

    public enum ReportOutcome: String, Sendable, Codable { case accepted, duplicate }

    /// Stores a report. A sequence number the manager already has changes nothing (an outbox resend).
    public func report(_ report: AgentReport, from name: String) async throws -> ReportOutcome {
        guard report.schema == AgentReport.schema else { throw ManagerError.invalid("report schema \(report.schema) is not \(AgentReport.schema)") }
        guard let agent = try agentRecord(name) else { throw ManagerError.notFound("no agent \(name)") }
        guard report.sequence > agent.reportSequence else { return .duplicate }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        let now = clock()
        var events: [(AppLogEvent, ApprovalItemRecord, String?)] = []
        try store.write { db in
            try db.execute(sql: "UPDATE agent SET report = ?, report_sequence = ?, last_seen = ?, upload_logs = upload_logs WHERE name = ?",
                           arguments: [json, report.sequence, now, name])
            var itemsChanged = false
            for state in report.items {
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM approval_item WHERE id = ? AND agent = ?", arguments: [state.itemID, name]) else { continue }
                let item = try ApprovalItemRecord(row: row)
                let newState = ApprovalItemRecord.State(rawValue: state.state.rawValue) ?? .failed
                guard item.state != newState || item.percent != state.percent else { continue }
                guard item.state.isOpen else { continue }
                try db.execute(sql: "UPDATE approval_item SET state = ?, percent = ?, message = ?, updated = ?, report_sequence = ? WHERE id = ?",
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
        }
        let current = Dictionary(report.modules.map { ($0.id, $0.version) }, uniquingKeysWith: { a, _ in a })
        for (event, item, cause) in events {
            try log(event, actor: name, server: name, module: item.moduleID,
                    versions: "\(current[item.moduleID].flatMap { $0 } ?? "-") → \(item.version ?? "newest")", cause: cause)
        }
        if let model = report.identity.model.map(Platform.normalizedModel), let os = report.identity.os {
            let platform = Platform(model: model, os: os)
            try await repository.serveReportedPlatform(platform, previous: report.previousVersions, actor: name)
        }
        return .accepted
    }
}
