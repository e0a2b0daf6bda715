import ExupCore
import ExupTesting
import Foundation
import Manager
import ManagerSQLite
import Testing

/// What must not interleave, raced on purpose through the services: credential changes, a batch fired by
/// two runs at once, and a batch a stopped manager left running.
extension OperationsTests {
    @Test("rotations racing a revocation: once revoked, no credential ever issued for the agent works (ten rounds)")
    func rotateRacesRevoke() async throws {
        let manager = self.manager
        for round in 0..<10 {
            let name = "race\(round)"
            try await server(name)
            let issued = await withTaskGroup(of: String?.self) { group in
                for n in 0..<24 {
                    group.addTask {
                        if n == 12 {
                            try? await manager.enrolment.revoke(name, actor: "test")
                            return nil
                        }
                        return try? await manager.enrolment.rotate(name, actor: "test")
                    }
                }
                return await group.reduce(into: [String]()) { if let credential = $1 { $0.append(credential) } }
            }
            for credential in issued {
                #expect(manager.enrolment.agent(credential: credential) == nil, "round \(round): a revoked agent's credential works")
            }
        }
        #expect(try await manager.store.activeCredentials().isEmpty)
    }

    @Test("two runs at once fire a due batch once; a batch a stopped manager left running ends as failed at the next start")
    func batchFiresOnce() async throws {
        try await publish("bmc-2.31", version: "2.31", released: "2026-03-01")
        try await server("web01")
        let start = clock.seconds + 60
        let batch = try await manager.schedules.createSchedule(
            kind: .server, target: "web01", startAt: start, allowReboot: false, downloadFirst: false, actor: "olga")
        try await advance(to: start)
        let schedules = manager.schedules
        async let first = schedules.runDueSchedules()
        async let second = schedules.runDueSchedules()
        let fired = try await first + second
        #expect(fired.map(\.id) == [batch.id], "fired once: \(fired)")
        #expect(try await manager.reports.directives(for: "web01").items.count == 1)

        // A batch claimed by a manager that then stopped (killed mid-run).
        let stuck = try await manager.schedules.createSchedule(
            kind: .server, target: "web01", startAt: start + 3600, allowReboot: false, downloadFirst: false, actor: "olga")
        try await advance(to: start + 3600)
        #expect(try await manager.store.claimSchedule(stuck.id, dueBy: clock.seconds) != nil)
        let clock = self.clock
        let reopened = try await ManagerService.open(
            dataDirectory: dir.file("data"), store: try await StoreEngine.current.open(at: dir.file("data")), repository: repository,
            clock: { clock.seconds })
        if reopened.store.changeFeed() != nil {
            // On PostgreSQL another manager may still be running it: only the one that takes the jobs over
            // (the advisory lock's new holder) ends it, as the operations ticker does.
            let before = try #require(try await reopened.schedules.schedules().first { $0.id == stuck.id })
            #expect(before.state == .running, "a manager's start alone does not end another's batch")
            try await reopened.takeOverJobs()
        }
        let after = try #require(try await reopened.schedules.schedules().first { $0.id == stuck.id })
        #expect(after.state == .failed && (after.result ?? "").contains("interrupted"), "\(after)")
    }

    @Test("a stop during a batch's download puts it back to wait (nothing approved); a stop after its approvals began lets them finish")
    func stopDuringDownload() async throws {
        try await publish("bmc-2.31", version: "2.31", released: "2026-03-01")
        try await server("web01")
        let start = clock.seconds + 60
        let batch = try await manager.schedules.createSchedule(
            kind: .server, target: "web01", startAt: start, allowReboot: false, downloadFirst: true, actor: "olga")
        try await advance(to: start)
        let schedules = manager.schedules
        // The download is where the stop lands: the task running the batch is cancelled during it.
        let run = Task { try await schedules.runDueSchedules(downloadNow: { withUnsafeCurrentTask { $0?.cancel() } }) }
        #expect(try await run.value.isEmpty, "nothing fired")
        #expect(try await schedules.schedules().first { $0.id == batch.id }?.state == .waiting, "back to waiting")
        #expect(try await manager.reports.directives(for: "web01").items.isEmpty, "nothing approved")
        // Without a stop it fires at the next run.
        #expect(try await schedules.runDueSchedules().map(\.id) == [batch.id])
    }
}
