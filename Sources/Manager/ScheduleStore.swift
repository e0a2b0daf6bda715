import GRDB

/// A remote batch as stored: GRDB maps the row (an unknown kind or state is an error, not a guess).
struct ScheduleRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "schedule"
    var id: Int64
    var targetKind: Schedule.TargetKind
    var target: String
    var startAt: Int64
    var allowReboot: Bool
    var downloadFirst: Bool
    var state: Schedule.State
    var createdBy: String
    var result: String?

    enum CodingKeys: String, CodingKey {
        case id, target, state, result
        case targetKind = "target_kind"
        case startAt = "start_at"
        case allowReboot = "allow_reboot"
        case downloadFirst = "download_first"
        case createdBy = "created_by"
    }
}

/// Remote batches: each check-and-write is one transaction.
extension ManagerStore {
    func schedules() throws -> [ScheduleRecord] {
        try read { db in try ScheduleRecord.fetchAll(db, sql: "SELECT * FROM schedule ORDER BY start_at, id") }
    }

    func dueSchedules(at now: Int64) throws -> [ScheduleRecord] {
        try read { db in
            try ScheduleRecord.fetchAll(
                db, sql: "SELECT * FROM schedule WHERE state = ? AND start_at <= ? ORDER BY start_at, id",
                arguments: [Schedule.State.waiting.rawValue, now])
        }
    }

    /// Registers a batch waiting to fire; returns its id.
    func addSchedule(
        kind: Schedule.TargetKind, target: String, startAt: Int64, allowReboot: Bool, downloadFirst: Bool, createdBy: String, created: Int64
    )
        throws -> Int64
    {
        try write { db -> Int64 in
            try db.execute(
                sql: """
                    INSERT INTO schedule (target_kind, target, start_at, allow_reboot, download_first, state, created_by, created)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [kind.rawValue, target, startAt, allowReboot, downloadFirst, Schedule.State.waiting.rawValue, createdBy, created])
            return db.lastInsertedRowID
        }
    }

    /// Changes a batch that has not run (what is nil stays).
    func editSchedule(_ id: Int64, startAt: Int64?, allowReboot: Bool?, downloadFirst: Bool?) throws {
        try write { db in
            guard let schedule = try ScheduleRecord.fetchOne(db, sql: "SELECT * FROM schedule WHERE id = ?", arguments: [id]) else {
                throw ManagerError.notFound("no schedule #\(id)")
            }
            guard schedule.state == .waiting else { throw ManagerError.conflict("schedule-started", "schedule #\(id) has already run") }
            try db.execute(
                sql: "UPDATE schedule SET start_at = ?, allow_reboot = ?, download_first = ? WHERE id = ?",
                arguments: [startAt ?? schedule.startAt, allowReboot ?? schedule.allowReboot, downloadFirst ?? schedule.downloadFirst, id])
        }
    }

    /// Deletes a batch that has not run.
    func deleteSchedule(_ id: Int64) throws {
        try write { db in
            guard let schedule = try ScheduleRecord.fetchOne(db, sql: "SELECT * FROM schedule WHERE id = ?", arguments: [id]) else {
                throw ManagerError.notFound("no schedule #\(id)")
            }
            guard schedule.state == .waiting else { throw ManagerError.conflict("schedule-started", "schedule #\(id) has already run") }
            try db.execute(sql: "DELETE FROM schedule WHERE id = ?", arguments: [id])
        }
    }

    func finishSchedule(_ id: Int64, state: Schedule.State, result: String) throws {
        try write { db in try db.execute(sql: "UPDATE schedule SET state = ?, result = ? WHERE id = ?", arguments: [state.rawValue, result, id]) }
    }
}
