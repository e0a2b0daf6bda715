import ExupCore
import GRDB

/// Group policies, their canary pause, and log-bundle requests: each check-and-write one transaction.
extension ManagerStore {
    /// Sets (or, with nil, removes) a group's policy as JSON and lifts its pause; the canary group must exist.
    func setPolicy(_ json: String?, canary: String?, of group: String) throws {
        try write { db in
            if let canary, try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [canary]) == nil {
                throw ManagerError.notFound("no canary group \(canary)")
            }
            try db.execute(sql: "UPDATE server_group SET policy = ?, policy_paused = 0 WHERE name = ?", arguments: [json, group])
            guard db.changesCount > 0 else { throw ManagerError.notFound("no group \(group)") }
        }
    }

    func policyJSON(of group: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT policy FROM server_group WHERE name = ?", arguments: [group]) }
    }

    func isPolicyPaused(_ group: String) throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT policy_paused FROM server_group WHERE name = ?", arguments: [group]) ?? false }
    }

    func setPolicyPaused(_ paused: Bool, of group: String) throws {
        try write { db in try db.execute(sql: "UPDATE server_group SET policy_paused = ? WHERE name = ?", arguments: [paused, group]) }
    }

    /// How the items of a group's servers ended since `since`: finished items by state.
    func finishedItemCounts(group: String, since: Int64) throws -> [ItemLifecycle: Int] {
        let finished = ItemLifecycle.allCases.filter { !$0.isOpen && $0 != .cancelled }
        return try read { db in
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

    /// Asks an active agent for its log bundle at its next poll; false when there is no such agent.
    func requestLogBundle(from name: String) throws -> Bool {
        try write { db -> Bool in
            try db.execute(
                sql: "UPDATE agent SET upload_logs = 1, directives_version = directives_version + 1 WHERE name = ? AND revoked = 0", arguments: [name]
            )
            return db.changesCount > 0
        }
    }

    func clearLogBundleRequest(of name: String) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE agent SET upload_logs = 0, directives_version = directives_version + 1 WHERE name = ? AND upload_logs = 1",
                arguments: [name])
        }
    }
}
