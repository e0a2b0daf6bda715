import ExupCore
import ExupFormats

/// A remote batch (seed §1.5.2, §2.1.8, §3.5.3, R079–R087): apply updates to a server or a group at a
/// time, with allow-reboot and download-first. The versions are decided when it fires: the newest then.
public struct Schedule: Sendable, Codable, Hashable {
    public enum TargetKind: String, Sendable, Codable { case server, group }
    public enum State: String, Sendable, Codable { case waiting, running, done, failed }

    public var id: Int64
    public var targetKind: TargetKind
    public var target: String
    public var startAt: String
    public var allowReboot: Bool
    public var downloadFirst: Bool
    public var state: State
    public var createdBy: String
    /// What happened when it fired (per server).
    public var result: String?
}

/// Remote batches: registered, edited until they fire, fired once. An actor: two runs never overlap.
public actor ScheduleService {
    let context: ManagerContext
    let approvals: ApprovalService

    init(context: ManagerContext, approvals: ApprovalService) {
        self.context = context
        self.approvals = approvals
    }

    nonisolated var store: any ManagerDatabase { context.store }
    private nonisolated var clock: @Sendable () -> Int64 { context.clock }

    public nonisolated func schedules() async throws -> [Schedule] {
        try await store.schedules().map(Self.schedule)
    }

    /// Registers a batch; the target must exist and the time must be ahead.
    public func createSchedule(
        kind: Schedule.TargetKind, target: String, startAt: Int64, allowReboot: Bool, downloadFirst: Bool,
        actor: String
    ) async throws -> Schedule {
        try await checkTarget(kind, target)
        guard startAt > clock() else { throw ManagerError.invalid("the start time \(UTCTime(seconds: startAt)) has passed") }
        let id = try await store.addSchedule(
            NewSchedule(
                kind: kind, target: target, startAt: startAt, allowReboot: allowReboot, downloadFirst: downloadFirst, createdBy: actor,
                created: clock()))
        try await context.log(
            .scheduleChanged, actor: actor,
            cause: "#\(id): \(kind.rawValue) \(target) at \(UTCTime(seconds: startAt))"
                + (allowReboot ? ", reboot allowed" : "") + (downloadFirst ? ", download first" : ""))
        return try await schedule(id)
    }

    /// Changes a batch that has not started (R081: editable until it runs).
    public func editSchedule(_ id: Int64, startAt: Int64?, allowReboot: Bool?, downloadFirst: Bool?, actor: String) async throws -> Schedule {
        if let startAt, startAt <= clock() { throw ManagerError.invalid("the start time \(UTCTime(seconds: startAt)) has passed") }
        try await store.editSchedule(id, startAt: startAt, allowReboot: allowReboot, downloadFirst: downloadFirst)
        try await context.log(.scheduleChanged, actor: actor, cause: "#\(id) changed")
        return try await schedule(id)
    }

    public func deleteSchedule(_ id: Int64, actor: String) async throws {
        try await store.deleteSchedule(id)
        try await context.log(.scheduleChanged, actor: actor, cause: "#\(id) deleted")
    }

    /// Batches a stopped manager left running end as failed, saying so (they are not fired twice).
    func endInterrupted() async throws {
        for record in try await store.schedules() where record.state == .running {
            let why = "interrupted: the manager stopped while the batch ran; see the application log for the servers it approved"
            try await store.finishSchedule(record.id, state: .failed, result: why)
            try await context.log(.scheduleFired, actor: "schedule #\(record.id)", cause: why)
        }
    }

    /// Fires every waiting batch whose time has come: asks for a download first when it says so (through
    /// `downloadNow`, which returns once it ended), then approves, for each server, every module with an
    /// update at the newest version there is now (R082–R084); results go to the application log (R087).
    /// Each batch fires as it is when claimed (an edit made meanwhile counts). A stop before its
    /// approvals puts it back to wait; once they began, they finish (never a batch half fired).
    @discardableResult
    public func runDueSchedules(downloadNow: @Sendable () async -> Void = {}) async throws -> [Schedule] {
        let now = clock()
        var fired: [Schedule] = []
        for due in try await store.dueSchedules(at: now) {
            guard let claimed = try await store.claimSchedule(due.id, dueBy: now) else { continue }
            let schedule = Self.schedule(claimed)
            if schedule.downloadFirst { await downloadNow() }
            let store = self.store
            if Task.isCancelled {
                // Back to waiting, written whatever the cancellation (the store's writes honour it).
                try await Task.detached { try await store.releaseSchedule(schedule.id) }.value
                break
            }
            let approvals = self.approvals, context = self.context
            try await Task.detached { try await Self.fire(schedule, approvals: approvals, context: context) }.value
            fired.append(try await self.schedule(schedule.id))
        }
        return fired
    }

    /// Approves for each server of a claimed batch, records how it ended and logs it.
    private static func fire(_ schedule: Schedule, approvals: ApprovalService, context: ManagerContext) async throws {
        var lines: [String] = []
        var failed = false
        let servers: [String]
        do { servers = schedule.targetKind == .server ? [schedule.target] : try await context.store.members(of: schedule.target) } catch {
            servers = []
            failed = true
            lines.append("\(schedule.target): \(error)")
        }
        for server in servers {
            do {
                let items = try await approvals.approve(
                    server, modules: nil, options: ApprovalOptions(allowReboot: schedule.allowReboot, downloadFirst: schedule.downloadFirst),
                    latestAtRunTime: false, actor: "schedule #\(schedule.id)")
                lines.append("\(server): approved \(items.map(\.moduleID).joined(separator: ", "))")
            } catch let error as ManagerError {
                lines.append("\(server): \(error.message)")
            } catch {
                lines.append("\(server): \(error)")
                failed = true
            }
        }
        let result = lines.joined(separator: "; ")
        try await context.store.finishSchedule(schedule.id, state: failed ? .failed : .done, result: result)
        try await context.log(
            .scheduleFired, actor: "schedule #\(schedule.id)", server: schedule.targetKind == .server ? schedule.target : nil,
            cause: "\(schedule.targetKind.rawValue) \(schedule.target): \(result.isEmpty ? "no servers" : result)")
    }

    func checkTarget(_ kind: Schedule.TargetKind, _ target: String) async throws {
        switch kind {
        case .server:
            guard let agent = try await store.agent(named: target), !agent.revoked else { throw ManagerError.notFound("no server \(target)") }
        case .group: _ = try await store.members(of: target)
        }
    }

    /// One batch as it stands now.
    nonisolated func schedule(_ id: Int64) async throws -> Schedule {
        guard let schedule = try await schedules().first(where: { $0.id == id }) else { throw ManagerError.notFound("no schedule #\(id)") }
        return schedule
    }

    static func schedule(_ record: ScheduleRecord) -> Schedule {
        Schedule(
            id: record.id, targetKind: record.targetKind, target: record.target, startAt: UTCTime(seconds: record.startAt).description,
            allowReboot: record.allowReboot, downloadFirst: record.downloadFirst, state: record.state, createdBy: record.createdBy,
            result: record.result)
    }
}
