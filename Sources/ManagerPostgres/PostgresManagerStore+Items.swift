import ExupCore
import Manager
import PostgresNIO

/// Polls, reports and approved items: each check-and-write is one serializable transaction.
extension PostgresManagerStore {
    public func recordHeartbeats(_ beats: [String: Int64]) async throws {
        guard !beats.isEmpty else { return }
        let names = Array(beats.keys), times = names.map { beats[$0]! }
        try await transaction { connection in
            try await execute(
                """
                UPDATE agent SET last_seen = GREATEST(agent.last_seen, beat.time)
                FROM unnest(\(names)::text[], \(times)::bigint[]) AS beat(name, time) WHERE agent.name = beat.name
                """, on: connection)
        }
    }

    public func pollState(agent name: String) async throws -> PollState? {
        // Only the two columns a poll needs: the stored report is not decoded on this path.
        guard let row = try await rows("SELECT directives_version, upload_logs FROM agent WHERE name = \(name)", on: nil).first else {
            return nil
        }
        let (version, uploadLogs) = try row.decode((Int64, Bool).self)
        return PollState(directivesVersion: version, uploadLogs: uploadLogs)
    }

    public func recordReport(_ report: AgentReport, agent name: String, now: Int64) async throws -> RecordedReport? {
        let json = try StoredJSON.text(report)
        // Many reports share one commit (see PostgresGroupCommit); the rows this one changes are locked first.
        return try await reports.write { [self] connection -> RecordedReport? in
            let stored = try await count(
                """
                UPDATE agent SET report = \(json), report_sequence = \(report.sequence), last_seen = GREATEST(last_seen, \(now))
                WHERE name = \(name) AND report_sequence < \(report.sequence) AND NOT revoked RETURNING 1
                """, on: connection)
            guard stored > 0 else {
                guard try await count("SELECT 1 FROM agent WHERE name = \(name) AND NOT revoked", on: connection) > 0 else {
                    throw ManagerError.notFound("no agent \(name)")
                }
                return nil
            }
            guard !report.items.isEmpty else { return RecordedReport(transitions: [], revokedItself: false) }
            let ids = report.items.map(\.itemID)
            let held = try await fetchAll(
                ApprovalItemRecord.self, "SELECT * FROM approval_item WHERE agent = \(name) AND id = ANY(\(ids)) FOR UPDATE", on: connection)
            let outcome = ReportedItems.outcome(of: report, items: Dictionary(held.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
            for update in outcome.updates {
                try await execute(
                    """
                    UPDATE approval_item SET state = \(update.state.rawValue), percent = \(update.percent.map(Int64.init)),
                        message = \(update.message), updated = \(now), report_sequence = \(report.sequence) WHERE id = \(update.itemID)
                    """, on: connection)
            }
            if outcome.closedAnItem { try await bumpDirectives(agent: name, on: connection) }
            if outcome.uninstalledItself {
                try await execute("UPDATE agent SET revoked = TRUE WHERE name = \(name)", on: connection)
                try await notify(.agent(name), on: connection)
            }
            return RecordedReport(transitions: outcome.transitions, revokedItself: outcome.uninstalledItself)
        }
    }

    public func openItems(agent name: String) async throws -> [ApprovalItemRecord] {
        try await openItems(agent: name, on: nil)
    }

    public func items(agent name: String) async throws -> [ApprovalItemRecord] {
        try await fetchAll(ApprovalItemRecord.self, "SELECT * FROM approval_item WHERE agent = \(name) ORDER BY id")
    }

    public func fleetRows() async throws -> FleetRows {
        // One snapshot for both reads, as SQLite's read transaction gives.
        try await transaction { connection in
            var items: [String: [ApprovalItemRecord]] = [:]
            for item in try await fetchAll(ApprovalItemRecord.self, "SELECT * FROM approval_item ORDER BY id", on: connection) {
                items[item.agent, default: []].append(item)
            }
            var icons: [String: [String: ManualIcon]] = [:]
            for row in try await rows("SELECT server, module, icon FROM manual_status", on: connection) {
                let (server, module, icon) = try row.decode((String, String, String).self)
                icons[server, default: [:]][module] = ManualIcon(rawValue: icon)
            }
            return FleetRows(items: items, icons: icons)
        }
    }

    public func itemCountsByState() async throws -> [ItemLifecycle: Int] {
        var counts: [ItemLifecycle: Int] = [:]
        for row in try await rows("SELECT state, COUNT(*) FROM approval_item GROUP BY state", on: nil) {
            let (stored, count) = try row.decode((String, Int64).self)
            guard let state = ItemLifecycle(rawValue: stored) else {
                throw ManagerError(kind: .invalid, code: "unknown-item-state", message: "approval items have the unknown state \(stored)")
            }
            counts[state] = Int(count)
        }
        return counts
    }

    public func addItems(
        agent name: String, now: Int64, plan: @Sendable (AgentRecord, [ApprovalItemRecord]) throws -> [NewApprovalItem]
    ) async throws -> [ApprovalItemRecord] {
        try await transaction { connection -> [ApprovalItemRecord] in
            // The agent's row locked first: approvals for one agent queue here instead of failing at commit.
            guard let agent = try await fetchOne(AgentRecord.self, "SELECT * FROM agent WHERE name = \(name) FOR UPDATE", on: connection) else {
                throw ManagerError.notFound("no server \(name)")
            }
            let current = try await fetchAll(ApprovalItemRecord.self, "SELECT * FROM approval_item WHERE agent = \(name) ORDER BY id", on: connection)
            let additions = try plan(agent, current)
            var added: [ApprovalItemRecord] = []
            for item in additions {
                let options = try StoredJSON.text(item.options)
                let inserted = try await fetchOne(
                    ApprovalItemRecord.self,
                    """
                    INSERT INTO approval_item (agent, kind, module, package_id, version, latest_at_run_time, options, state, created, updated)
                    VALUES (\(name), \(item.kind.rawValue), \(item.moduleID), \(item.packageID), \(item.version), \(item.latestAtRunTime),
                        \(options), \(ItemLifecycle.pending.rawValue), \(now), \(now))
                    RETURNING *
                    """, on: connection)
                if let inserted { added.append(inserted) }
            }
            if !added.isEmpty { try await bumpDirectives(agent: name, on: connection) }
            return added
        }
    }

    public func cancelWaitingItems(agent name: String, now: Int64) async throws -> CancelledItems {
        try await transaction { connection -> CancelledItems in
            let open = try await openItems(agent: name, on: connection)
            // Downloading is not started: the agent asks again right before each item starts.
            let cancellable = open.filter { $0.state == .pending || $0.state == .downloading }
            for item in cancellable {
                try await execute(
                    """
                    UPDATE approval_item SET state = \(ItemLifecycle.cancelled.rawValue), updated = \(now),
                        report_sequence = (SELECT report_sequence FROM agent WHERE name = \(name)) WHERE id = \(item.id)
                    """, on: connection)
            }
            if !cancellable.isEmpty { try await bumpDirectives(agent: name, on: connection) }
            return CancelledItems(cancelled: cancellable, running: open.filter { $0.state == .started })
        }
    }

    public func finishedItemCounts(group: String, since: Int64) async throws -> [ItemLifecycle: Int] {
        let finished = ItemLifecycle.allCases.filter { !$0.isOpen && $0 != .cancelled }.map(\.rawValue)
        var counts: [ItemLifecycle: Int] = [:]
        let query: PostgresQuery = """
            SELECT approval_item.state, COUNT(*) FROM approval_item JOIN group_member ON group_member.server = approval_item.agent
            WHERE group_member.group_name = \(group) AND approval_item.updated >= \(since) AND approval_item.state = ANY(\(finished))
            GROUP BY approval_item.state
            """
        for row in try await rows(query, on: nil) {
            let (stored, count) = try row.decode((String, Int64).self)
            guard let state = ItemLifecycle(rawValue: stored) else { continue }
            counts[state] = Int(count)
        }
        return counts
    }

    public func manualIcons(server: String) async throws -> [String: ManualIcon] {
        var icons: [String: ManualIcon] = [:]
        for row in try await rows("SELECT module, icon FROM manual_status WHERE server = \(server)", on: nil) {
            let (module, icon) = try row.decode((String, String).self)
            icons[module] = ManualIcon(rawValue: icon)
        }
        return icons
    }

    public func setManualIcon(_ icon: ManualIcon, server: String, module: String) async throws {
        try await transaction { connection in
            guard let agent = try await fetchOne(AgentRecord.self, "SELECT * FROM agent WHERE name = \(server)", on: connection), !agent.revoked,
                let report = agent.report
            else {
                throw ManagerError.notFound("no server \(server) with a report")
            }
            guard report.modules.contains(where: { $0.id == module }) else { throw ManagerError.notFound("\(server) has no module \(module)") }
            try await execute(
                """
                INSERT INTO manual_status (server, module, icon) VALUES (\(server), \(module), \(icon.rawValue))
                ON CONFLICT (server, module) DO UPDATE SET icon = EXCLUDED.icon
                """, on: connection)
        }
    }

    // MARK: - Inside a transaction

    func openItems(agent name: String, on connection: PostgresConnection?) async throws -> [ApprovalItemRecord] {
        let open = ItemLifecycle.allCases.filter(\.isOpen).map(\.rawValue)
        return try await fetchAll(
            ApprovalItemRecord.self, "SELECT * FROM approval_item WHERE agent = \(name) AND state = ANY(\(open)) ORDER BY id", on: connection)
    }

    /// The agent's directives changed: its next poll gets them (the version is their ETag).
    func bumpDirectives(agent name: String, on connection: PostgresConnection) async throws {
        try await execute("UPDATE agent SET directives_version = directives_version + 1 WHERE name = \(name)", on: connection)
    }
}
