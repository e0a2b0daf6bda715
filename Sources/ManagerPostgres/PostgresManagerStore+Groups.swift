import ExupCore
import Manager
import PostgresNIO

/// Groups, their policies and remote batches: each check-and-write is one serializable transaction.
extension PostgresManagerStore {
    public func createGroup(_ name: String, created: Int64) async throws -> Bool {
        try await changedRow("INSERT INTO server_group (name, created) VALUES (\(name), \(created)) ON CONFLICT (name) DO NOTHING RETURNING 1")
    }

    public func deleteGroup(_ name: String) async throws -> Bool {
        // Its members go with it (ON DELETE CASCADE).
        try await changedRow("DELETE FROM server_group WHERE name = \(name) RETURNING 1")
    }

    public func changeMembers(of group: String, add: [String], remove: [String]) async throws {
        try await transaction { connection in
            guard try await groupExists(group, on: connection) else { throw ManagerError.notFound("no group \(group)") }
            for server in add {
                guard try await count("SELECT 1 FROM agent WHERE name = \(server) AND NOT revoked", on: connection) > 0 else {
                    throw ManagerError.notFound("no server \(server)")
                }
                try await execute(
                    "INSERT INTO group_member (group_name, server) VALUES (\(group), \(server)) ON CONFLICT DO NOTHING", on: connection)
            }
            for server in remove {
                try await execute("DELETE FROM group_member WHERE group_name = \(group) AND server = \(server)", on: connection)
            }
        }
    }

    public func groupNames() async throws -> [String] {
        try await rows("SELECT name FROM server_group ORDER BY name", on: nil).map { try $0.decode(String.self) }
    }

    public func members(of group: String) async throws -> [String] {
        try await transaction { connection in
            guard try await groupExists(group, on: connection) else { throw ManagerError.notFound("no group \(group)") }
            return try await rows("SELECT server FROM group_member WHERE group_name = \(group) ORDER BY server", on: connection)
                .map { try $0.decode(String.self) }
        }
    }

    public func setPolicy(_ policy: GroupPolicy?, of group: String) async throws {
        let json = try policy.map(StoredJSON.text)
        try await transaction { connection in
            if let canary = policy?.canaryGroup, try await !groupExists(canary, on: connection) {
                // A name in the body, not the path: the group the path names exists, so this is not a 404.
                throw ManagerError.conflict("unknown-canary", "no group \(canary) to watch as the canary")
            }
            guard
                try await count(
                    "UPDATE server_group SET policy = \(json), policy_paused = FALSE WHERE name = \(group) RETURNING 1", on: connection) > 0
            else { throw ManagerError.notFound("no group \(group)") }
        }
    }

    public func policy(of group: String) async throws -> GroupPolicy? {
        guard let row = try await rows("SELECT policy FROM server_group WHERE name = \(group)", on: nil).first,
            let json = try row.decode(String?.self)
        else { return nil }
        return try StoredJSON.value(GroupPolicy.self, from: json)
    }

    public func setPolicyPaused(_ paused: Bool, of group: String) async throws -> Bool {
        try await changedRow(
            "UPDATE server_group SET policy_paused = \(paused) WHERE name = \(group) AND policy_paused != \(paused) RETURNING 1")
    }

    public func schedules() async throws -> [ScheduleRecord] {
        try await fetchAll(ScheduleRecord.self, "SELECT * FROM schedule ORDER BY start_at, id")
    }

    public func dueSchedules(at now: Int64) async throws -> [ScheduleRecord] {
        try await fetchAll(
            ScheduleRecord.self,
            "SELECT * FROM schedule WHERE state = \(Schedule.State.waiting.rawValue) AND start_at <= \(now) ORDER BY start_at, id")
    }

    public func addSchedule(_ schedule: NewSchedule) async throws -> Int64 {
        try await transaction { connection in
            let inserted = try await rows(
                """
                INSERT INTO schedule (target_kind, target, start_at, allow_reboot, download_first, state, created_by, created)
                VALUES (\(schedule.kind.rawValue), \(schedule.target), \(schedule.startAt), \(schedule.allowReboot), \(schedule.downloadFirst),
                    \(Schedule.State.waiting.rawValue), \(schedule.createdBy), \(schedule.created))
                RETURNING id
                """, on: connection)
            return try inserted[0].decode(Int64.self)
        }
    }

    public func editSchedule(_ id: Int64, startAt: Int64?, allowReboot: Bool?, downloadFirst: Bool?) async throws {
        try await transaction { connection in
            let schedule = try await waitingSchedule(id, on: connection)
            try await execute(
                """
                UPDATE schedule SET start_at = \(startAt ?? schedule.startAt), allow_reboot = \(allowReboot ?? schedule.allowReboot),
                    download_first = \(downloadFirst ?? schedule.downloadFirst) WHERE id = \(id)
                """, on: connection)
        }
    }

    public func deleteSchedule(_ id: Int64) async throws {
        try await transaction { connection in
            _ = try await waitingSchedule(id, on: connection)
            try await execute("DELETE FROM schedule WHERE id = \(id)", on: connection)
        }
    }

    public func claimSchedule(_ id: Int64, dueBy now: Int64) async throws -> ScheduleRecord? {
        try await transaction { connection in
            try await fetchOne(
                ScheduleRecord.self,
                """
                UPDATE schedule SET state = \(Schedule.State.running.rawValue)
                WHERE id = \(id) AND state = \(Schedule.State.waiting.rawValue) AND start_at <= \(now) RETURNING *
                """, on: connection)
        }
    }

    public func releaseSchedule(_ id: Int64) async throws {
        try await transaction { connection in
            try await execute(
                """
                UPDATE schedule SET state = \(Schedule.State.waiting.rawValue)
                WHERE id = \(id) AND state = \(Schedule.State.running.rawValue)
                """, on: connection)
        }
    }

    public func finishSchedule(_ id: Int64, state: Schedule.State, result: String) async throws {
        try await transaction { connection in
            try await execute(
                """
                UPDATE schedule SET state = \(state.rawValue), result = \(result)
                WHERE id = \(id) AND state = \(Schedule.State.running.rawValue)
                """, on: connection)
        }
    }

    // MARK: - Inside a transaction

    func groupExists(_ name: String, on connection: PostgresConnection) async throws -> Bool {
        try await count("SELECT 1 FROM server_group WHERE name = \(name)", on: connection) > 0
    }

    /// A batch that may still change; refuses one that has run.
    func waitingSchedule(_ id: Int64, on connection: PostgresConnection) async throws -> ScheduleRecord {
        guard let schedule = try await fetchOne(ScheduleRecord.self, "SELECT * FROM schedule WHERE id = \(id)", on: connection) else {
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
