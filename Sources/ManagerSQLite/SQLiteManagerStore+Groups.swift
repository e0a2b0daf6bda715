import ExupCore
import GRDB
import Manager

/// Groups, their policies and remote batches: each check-and-write is one transaction.
extension SQLiteManagerStore {
    public func createGroup(_ name: String, created: Int64) async throws -> Bool {
        try await write { db -> Bool in
            guard try !Self.groupExists(name, in: db) else { return false }
            try GroupRow(name: name, created: created).insert(db)
            return true
        }
    }

    public func deleteGroup(_ name: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(sql: "DELETE FROM group_member WHERE group_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM server_group WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func changeMembers(of group: String, add: [String], remove: [String]) async throws {
        try await write { db in
            guard try Self.groupExists(group, in: db) else { throw ManagerError.notFound("no group \(group)") }
            for server in add {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent WHERE name = ? AND revoked = 0", arguments: [server]) != nil else {
                    throw ManagerError.notFound("no server \(server)")
                }
                try db.execute(sql: "INSERT OR IGNORE INTO group_member (group_name, server) VALUES (?, ?)", arguments: [group, server])
            }
            for server in remove {
                try db.execute(sql: "DELETE FROM group_member WHERE group_name = ? AND server = ?", arguments: [group, server])
            }
        }
    }

    public func groupNames() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM server_group ORDER BY name") }
    }

    public func members(of group: String) async throws -> [String] {
        try await read { db in
            guard try Self.groupExists(group, in: db) else { throw ManagerError.notFound("no group \(group)") }
            return try String.fetchAll(db, sql: "SELECT server FROM group_member WHERE group_name = ? ORDER BY server", arguments: [group])
        }
    }

    public func setPolicy(_ policy: GroupPolicy?, of group: String) async throws {
        let json = try policy.map(StoredJSON.text)
        try await write { db in
            if let canary = policy?.canaryGroup, try !Self.groupExists(canary, in: db) {
                // A name in the body, not the path: the group the path names exists, so this is not a 404.
                throw ManagerError.conflict("unknown-canary", "no group \(canary) to watch as the canary")
            }
            try db.execute(sql: "UPDATE server_group SET policy = ?, policy_paused = 0 WHERE name = ?", arguments: [json, group])
            guard db.changesCount > 0 else { throw ManagerError.notFound("no group \(group)") }
        }
    }

    public func policy(of group: String) async throws -> GroupPolicy? {
        let json = try await read { db in try String.fetchOne(db, sql: "SELECT policy FROM server_group WHERE name = ?", arguments: [group]) }
        return try json.map { try StoredJSON.value(GroupPolicy.self, from: $0) }
    }

    public func setPolicyPaused(_ paused: Bool, of group: String) async throws -> Bool {
        try await write { db -> Bool in
            try db.execute(
                sql: "UPDATE server_group SET policy_paused = ? WHERE name = ? AND policy_paused != ?", arguments: [paused, group, paused])
            return db.changesCount > 0
        }
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await read { db in try ScheduleRecord.fetchAll(db, sql: "SELECT * FROM schedule ORDER BY start_at, id") }
    }

    public func dueSchedules(at now: Int64) async throws -> [ScheduleRecord] {
        try await read { db in
            try ScheduleRecord.fetchAll(
                db, sql: "SELECT * FROM schedule WHERE state = ? AND start_at <= ? ORDER BY start_at, id",
                arguments: [Schedule.State.waiting.rawValue, now])
        }
    }

    public func addSchedule(_ schedule: NewSchedule) async throws -> Int64 {
        try await write { db -> Int64 in
            var row = ScheduleRow(
                targetKind: schedule.kind, target: schedule.target, startAt: schedule.startAt, allowReboot: schedule.allowReboot,
                downloadFirst: schedule.downloadFirst, state: .waiting, createdBy: schedule.createdBy, created: schedule.created)
            try row.insert(db)
            return row.id!
        }
    }

    public func editSchedule(_ id: Int64, startAt: Int64?, allowReboot: Bool?, downloadFirst: Bool?) async throws {
        try await write { db in
            let schedule = try Self.waitingSchedule(id, in: db)
            try db.execute(
                sql: "UPDATE schedule SET start_at = ?, allow_reboot = ?, download_first = ? WHERE id = ?",
                arguments: [startAt ?? schedule.startAt, allowReboot ?? schedule.allowReboot, downloadFirst ?? schedule.downloadFirst, id])
        }
    }

    public func deleteSchedule(_ id: Int64) async throws {
        try await write { db in
            _ = try Self.waitingSchedule(id, in: db)
            try db.execute(sql: "DELETE FROM schedule WHERE id = ?", arguments: [id])
        }
    }

    public func claimSchedule(_ id: Int64, dueBy now: Int64) async throws -> ScheduleRecord? {
        try await write { db -> ScheduleRecord? in
            try db.execute(
                sql: "UPDATE schedule SET state = ? WHERE id = ? AND state = ? AND start_at <= ?",
                arguments: [Schedule.State.running.rawValue, id, Schedule.State.waiting.rawValue, now])
            guard db.changesCount > 0 else { return nil }
            return try ScheduleRecord.fetchOne(db, sql: "SELECT * FROM schedule WHERE id = ?", arguments: [id])
        }
    }

    public func releaseSchedule(_ id: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE schedule SET state = ? WHERE id = ? AND state = ?",
                arguments: [Schedule.State.waiting.rawValue, id, Schedule.State.running.rawValue])
        }
    }

    public func finishSchedule(_ id: Int64, state: Schedule.State, result: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE schedule SET state = ?, result = ? WHERE id = ? AND state = ?",
                arguments: [state.rawValue, result, id, Schedule.State.running.rawValue])
        }
    }

    // MARK: - Inside a transaction

    static func groupExists(_ name: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [name]) != nil
    }

    /// A batch that may still change; refuses one that has run.
    static func waitingSchedule(_ id: Int64, in db: Database) throws -> ScheduleRecord {
        guard let schedule = try ScheduleRecord.fetchOne(db, sql: "SELECT * FROM schedule WHERE id = ?", arguments: [id]) else {
            throw ManagerError.notFound("no schedule #\(id)")
        }
        guard schedule.state == .waiting else {
            throw ManagerError(
                kind: .conflict, code: "schedule-started", message: "schedule #\(id) \(schedule.state == .running ? "is running" : "has already run")"
            )
        }
        return schedule
    }
}
