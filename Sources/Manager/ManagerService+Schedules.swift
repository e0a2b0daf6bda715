import ExupCore
import ExupFormats
import FoundationEssentials
import GRDB
import Repository
import TUF

/// A remote batch (seed §1.5.2, §2.1.8, §3.5.3, R079–R087): apply updates to a server or a group at a
/// time, with allow-reboot and download-first. The versions are decided when it fires: the newest then.
public struct Schedule: Sendable, Codable, Hashable {
    public enum TargetKind: String, Sendable, Codable { case server, group }
    public enum State: String, Sendable, Codable { case waiting, done, failed }

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

extension ManagerService {
    public nonisolated func schedules() throws -> [Schedule] {
        try store.schedules().map(Self.schedule)
    }

    /// Registers a batch; the target must exist and the time must be ahead.
    public func createSchedule(
        kind: Schedule.TargetKind, target: String, startAt: Int64, allowReboot: Bool, downloadFirst: Bool,
        actor: String
    ) throws -> Schedule {
        try checkTarget(kind, target)
        guard startAt > clock() else { throw ManagerError.invalid("the start time \(UTCTime(seconds: startAt)) has passed") }
        let id = try store.addSchedule(
            kind: kind, target: target, startAt: startAt, allowReboot: allowReboot, downloadFirst: downloadFirst, createdBy: actor, created: clock())
        try log(
            .scheduleChanged, actor: actor,
            cause: "#\(id): \(kind.rawValue) \(target) at \(UTCTime(seconds: startAt))"
                + (allowReboot ? ", reboot allowed" : "") + (downloadFirst ? ", download first" : ""))
        return try schedules().first { $0.id == id }!
    }

    /// Changes a batch that has not started (R081: editable until it runs).
    public func editSchedule(_ id: Int64, startAt: Int64?, allowReboot: Bool?, downloadFirst: Bool?, actor: String) throws -> Schedule {
        if let startAt, startAt <= clock() { throw ManagerError.invalid("the start time \(UTCTime(seconds: startAt)) has passed") }
        try store.editSchedule(id, startAt: startAt, allowReboot: allowReboot, downloadFirst: downloadFirst)
        try log(.scheduleChanged, actor: actor, cause: "#\(id) changed")
        return try schedules().first { $0.id == id }!
    }

    public func deleteSchedule(_ id: Int64, actor: String) throws {
        try store.deleteSchedule(id)
        try log(.scheduleChanged, actor: actor, cause: "#\(id) deleted")
    }

    /// Fires every waiting batch whose time has come: asks for a download first when it says so (through
    /// `downloadNow`, which returns once it ended), then approves, for each server, every module with an
    /// update at the newest version there is now (R082–R084); results go to the application log (R087).
    @discardableResult
    public func runDueSchedules(downloadNow: @Sendable () async -> Void = {}) async throws -> [Schedule] {
        let now = clock()
        let due = try store.dueSchedules(at: now).map(Self.schedule)
        var fired: [Schedule] = []
        for schedule in due {
            if schedule.downloadFirst { await downloadNow() }
            var lines: [String] = []
            var failed = false
            let servers: [String]
            do { servers = schedule.targetKind == .server ? [schedule.target] : try groupMembers(schedule.target) } catch {
                servers = []
                failed = true
                lines.append("\(schedule.target): \(error)")
            }
            for server in servers {
                do {
                    let items = try approve(
                        server, modules: nil, options: ApprovalOptions(allowReboot: schedule.allowReboot, downloadFirst: schedule.downloadFirst),
                        latestAtRunTime: false, actor: "schedule #\(schedule.id)")
                    lines.append("\(server): approved \(items.map(\.moduleID).joined(separator: ", "))")
                } catch let error as ManagerError {
                    lines.append("\(server): \(error.message)")
                }
            }
            let result = lines.joined(separator: "; ")
            try store.finishSchedule(schedule.id, state: failed ? .failed : .done, result: result)
            try log(
                .scheduleFired, actor: "schedule #\(schedule.id)", server: schedule.targetKind == .server ? schedule.target : nil,
                cause: "\(schedule.targetKind.rawValue) \(schedule.target): \(result.isEmpty ? "no servers" : result)")
            fired.append(try schedules().first { $0.id == schedule.id }!)
        }
        return fired
    }

    func checkTarget(_ kind: Schedule.TargetKind, _ target: String) throws {
        switch kind {
        case .server: guard let agent = try agentRecord(target), !agent.revoked else { throw ManagerError.notFound("no server \(target)") }
        case .group: _ = try groupMembers(target)
        }
    }

    static func schedule(_ record: ScheduleRecord) -> Schedule {
        Schedule(
            id: record.id, targetKind: record.targetKind, target: record.target, startAt: UTCTime(seconds: record.startAt).description,
            allowReboot: record.allowReboot, downloadFirst: record.downloadFirst, state: record.state, createdBy: record.createdBy,
            result: record.result)
    }
}
