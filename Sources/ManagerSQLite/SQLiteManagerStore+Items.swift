import ExupCore
import GRDB
import Manager

/// Polls, reports and approved items: each check-and-write is one transaction.
extension SQLiteManagerStore {
    public func recordHeartbeats(_ beats: [String: Int64]) async throws {
        guard !beats.isEmpty else { return }
        try await write { db in
            let update = try db.cachedStatement(sql: "UPDATE agent SET last_seen = MAX(last_seen, ?) WHERE name = ?")
            for (name, time) in beats { try update.execute(arguments: [time, name]) }
        }
    }

    public func pollState(agent name: String) async throws -> PollState? {
        // Only the two columns a poll needs: the stored report is not decoded on this path.
        try await read { db in
            // Cached: every poll runs it.
            try Row.fetchOne(db.cachedStatement(sql: "SELECT directives_version, upload_logs FROM agent WHERE name = ?"), arguments: [name]).map {
                PollState(directivesVersion: $0["directives_version"], uploadLogs: $0["upload_logs"])
            }
        }
    }

    public func recordReport(_ report: AgentReport, agent name: String, now: Int64) async throws -> RecordedReport? {
        let json = try StoredJSON.text(report)
        return try await batched.write { db -> RecordedReport? in
            // Cached: every report runs this statement, and compiling it each time cost as much as the write.
            try db.cachedStatement(
                sql: """
                    UPDATE agent SET report = ?, report_sequence = ?, last_seen = MAX(last_seen, ?)
                    WHERE name = ? AND report_sequence < ? AND revoked = 0
                    """
            ).execute(arguments: [json, report.sequence, now, name, report.sequence])
            guard db.changesCount > 0 else {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent WHERE name = ? AND revoked = 0", arguments: [name]) != nil else {
                    throw ManagerError.notFound("no agent \(name)")
                }
                return nil
            }
            guard !report.items.isEmpty else { return RecordedReport(transitions: [], revokedItself: false) }
            let held = try ApprovalItemRecord.fetchAll(
                db, sql: "SELECT * FROM approval_item WHERE agent = ? AND id IN (\(report.items.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([name as any DatabaseValueConvertible] + report.items.map(\.itemID)))
            let outcome = ReportedItems.outcome(of: report, items: Dictionary(held.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
            for update in outcome.updates {
                try db.execute(
                    sql: "UPDATE approval_item SET state = ?, percent = ?, message = ?, updated = ?, report_sequence = ? WHERE id = ?",
                    arguments: [update.state.rawValue, update.percent, update.message, now, report.sequence, update.itemID])
            }
            if outcome.closedAnItem { try Self.bumpDirectives(agent: name, in: db) }
            if outcome.uninstalledItself { try db.execute(sql: "UPDATE agent SET revoked = 1 WHERE name = ?", arguments: [name]) }
            return RecordedReport(transitions: outcome.transitions, revokedItself: outcome.uninstalledItself)
        }
    }

    public func openItems(agent name: String) async throws -> [ApprovalItemRecord] {
        try await read { db in try Self.openItems(agent: name, in: db) }
    }

    public func items(agent name: String) async throws -> [ApprovalItemRecord] {
        try await read { db in try Self.items(agent: name, in: db) }
    }

    public func fleetRows() async throws -> FleetRows {
        try await read { db in
            var items: [String: [ApprovalItemRecord]] = [:]
            for item in try ApprovalItemRecord.fetchAll(db, sql: "SELECT * FROM approval_item ORDER BY id") {
                items[item.agent, default: []].append(item)
            }
            var icons: [String: [String: ManualIcon]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT server, module, icon FROM manual_status") {
                icons[row["server"], default: [:]][row["module"]] = ManualIcon(rawValue: row["icon"])
            }
            return FleetRows(items: items, icons: icons)
        }
    }

    public func itemCountsByState() async throws -> [ItemLifecycle: Int] {
        try await read { db in
            var counts: [ItemLifecycle: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM approval_item GROUP BY state") {
                guard let state = ItemLifecycle(rawValue: row["state"]) else {
                    throw ManagerError(
                        kind: .invalid, code: "unknown-item-state", message: "approval items have the unknown state \(row["state"] as String)")
                }
                counts[state] = row["n"]
            }
            return counts
        }
    }

    public func addItems(
        agent name: String, now: Int64, plan: @Sendable (AgentRecord, [ApprovalItemRecord]) throws -> [NewApprovalItem]
    ) async throws -> [ApprovalItemRecord] {
        try await write { db -> [ApprovalItemRecord] in
            guard let agent = try AgentRecord.fetchOne(db, sql: "SELECT * FROM agent WHERE name = ?", arguments: [name]) else {
                throw ManagerError.notFound("no server \(name)")
            }
            let additions = try plan(agent, try Self.items(agent: name, in: db))
            var added: [ApprovalItemRecord] = []
            for item in additions {
                var row = ApprovalItemRow(
                    agent: name, kind: item.kind, module: item.moduleID, packageID: item.packageID, version: item.version,
                    latestAtRunTime: item.latestAtRunTime, options: item.options, state: .pending, created: now, updated: now)
                try row.insert(db)
                added.append(try ApprovalItemRecord.fetchOne(db, sql: "SELECT * FROM approval_item WHERE id = ?", arguments: [row.id])!)
            }
            if !added.isEmpty { try Self.bumpDirectives(agent: name, in: db) }
            return added
        }
    }

    public func cancelWaitingItems(agent name: String, now: Int64) async throws -> CancelledItems {
        try await write { db -> CancelledItems in
            let open = try Self.openItems(agent: name, in: db)
            // Downloading is not started: the agent asks again right before each item starts.
            let cancellable = open.filter { $0.state == .pending || $0.state == .downloading }
            for item in cancellable {
                try db.execute(
                    sql: """
                        UPDATE approval_item SET state = ?, updated = ?,
                            report_sequence = (SELECT report_sequence FROM agent WHERE name = ?) WHERE id = ?
                        """, arguments: [ItemLifecycle.cancelled.rawValue, now, name, item.id])
            }
            if !cancellable.isEmpty { try Self.bumpDirectives(agent: name, in: db) }
            return CancelledItems(cancelled: cancellable, running: open.filter { $0.state == .started })
        }
    }

    public func finishedItemCounts(group: String, since: Int64) async throws -> [ItemLifecycle: Int] {
        let finished = ItemLifecycle.allCases.filter { !$0.isOpen && $0 != .cancelled }
        return try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT approval_item.state, COUNT(*) AS n FROM approval_item JOIN group_member ON group_member.server = approval_item.agent
                    WHERE group_member.group_name = ? AND approval_item.updated >= ? AND approval_item.state IN (\(finished.map { _ in "?" }.joined(separator: ", ")))
                    GROUP BY approval_item.state
                    """, arguments: StatementArguments([group, since] as [any DatabaseValueConvertible] + finished.map(\.rawValue)))
            var counts: [ItemLifecycle: Int] = [:]
            for row in rows {
                guard let state = ItemLifecycle(rawValue: row["state"]) else { continue }
                counts[state] = row["n"]
            }
            return counts
        }
    }

    public func manualIcons(server: String) async throws -> [String: ManualIcon] {
        try await read { db in
            var icons: [String: ManualIcon] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT module, icon FROM manual_status WHERE server = ?", arguments: [server]) {
                icons[row["module"]] = ManualIcon(rawValue: row["icon"])
            }
            return icons
        }
    }

    public func setManualIcon(_ icon: ManualIcon, server: String, module: String) async throws {
        try await write { db in
            guard let agent = try AgentRecord.fetchOne(db, sql: "SELECT * FROM agent WHERE name = ?", arguments: [server]), !agent.revoked,
                let report = agent.report
            else {
                throw ManagerError.notFound("no server \(server) with a report")
            }
            guard report.modules.contains(where: { $0.id == module }) else { throw ManagerError.notFound("\(server) has no module \(module)") }
            try db.execute(
                sql: "INSERT OR REPLACE INTO manual_status (server, module, icon) VALUES (?, ?, ?)", arguments: [server, module, icon.rawValue])
        }
    }

    // MARK: - Inside a transaction

    static func items(agent name: String, in db: Database) throws -> [ApprovalItemRecord] {
        try ApprovalItemRecord.fetchAll(db, sql: "SELECT * FROM approval_item WHERE agent = ? ORDER BY id", arguments: [name])
    }

    static func openItems(agent name: String, in db: Database) throws -> [ApprovalItemRecord] {
        let open = ItemLifecycle.allCases.filter(\.isOpen)
        return try ApprovalItemRecord.fetchAll(
            db, sql: "SELECT * FROM approval_item WHERE agent = ? AND state IN (\(open.map { _ in "?" }.joined(separator: ", "))) ORDER BY id",
            arguments: StatementArguments([name] + open.map(\.rawValue)))
    }

    /// The agent's directives changed: its next poll gets them (the version is their ETag).
    static func bumpDirectives(agent name: String, in db: Database) throws {
        try db.execute(sql: "UPDATE agent SET directives_version = directives_version + 1 WHERE name = ?", arguments: [name])
    }
}
