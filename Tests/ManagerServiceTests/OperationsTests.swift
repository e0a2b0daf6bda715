import ExupCore
import ExupFormats
import ExupTesting
import Foundation
import Manager
import ManagerSQLite
import Repository
import Synchronization
import TUF
import Testing

/// Remote batches and group policies with the manager's clock in the test's hands (no waiting for
/// real time): a batch fires at its time with the newest versions; a policy approves after its delay and
/// pauses while the canary group fails.
@Suite(.serialized) final class OperationsTests {
    let dir: TemporaryDirectory
    let vendor: TestVendor
    let clock = ManualClock(1_795_651_200)  // 2026-11-26T00:00:00Z
    let repository: RepositoryService
    let manager: ManagerService

    init() async throws {
        dir = try TemporaryDirectory()
        vendor = try TestVendor(in: dir)
        let paths = RepositoryPaths(dataDirectory: dir.file("data"))
        let secrets = try Secrets.loadOrCreate(paths)
        let clock = clock
        repository = try RepositoryService(
            paths: paths, keys: secrets.keys, trustedKeysDirectory: vendor.trustDirectory,
            clock: { UTCTime(seconds: clock.seconds) })
        manager = try await ManagerService.open(
            dataDirectory: dir.file("data"), store: try await StoreEngine.current.open(at: dir.file("data")), repository: repository,
            clock: { clock.seconds })
    }

    func publish(_ id: String, version: String, released: String) async throws {
        var info = InfoXML()
        info.id = id
        info.version = version
        info.releaseDate = released
        let file = try HandPackage(info: info.bytes).write(to: dir, name: "\(id).zip", signedWith: vendor.key)
        #expect(await repository.add(file: file, name: "\(id).zip", mode: .all, actor: "test").code == .added)
    }

    /// Enrols `name` into `group` (through the token) and reports BMC `bmc`.
    func server(_ name: String, group: String? = nil, bmc: String = "2.15") async throws {
        let token = try await manager.enrolment.createToken(expiresInSeconds: 3600, uses: 1, group: group, actor: "test")
        _ = try await manager.enrolment.enrol(EnrolmentRequest(token: token, name: name, hostname: name))
        try await report(name, sequence: 1, bmc: bmc)
    }

    func report(_ name: String, sequence: Int64, bmc: String, items: [AgentReport.ItemState] = []) async throws {
        let report = AgentReport(
            sequence: sequence,
            identity: .init(
                model: "Express5800/R120h-1M", os: OSIdentity(id: "debian", versionID: "12"),
                hostname: name, bootID: "b1", agentVersion: "test"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: bmc, source: "ipmi")], items: items)
        _ = try await manager.reports.report(report, from: name)
    }

    /// Moves the clock; every agent polled just now (a server silent for three polls is in communication failure).
    func advance(to seconds: Int64) async throws {
        clock.set(seconds)
        for agent in try await manager.statuses.agents() { manager.reports.heartbeat(agent.name) }
    }

    func codes() throws -> [String] { try repository.catalog.logEntries(limit: 10_000).map(\.code) }

    @Test("a remote batch for a group fires at its time, approving the newest version then; it can be edited or deleted only before")
    func scheduleFires() async throws {
        try await publish("bmc-2.31", version: "2.31", released: "2026-03-01")
        try await manager.groups.createGroup("racks", actor: "test")
        try await server("web01", group: "racks")
        try await server("web02", group: "racks")
        let start = clock.seconds + 3600
        let batch = try await manager.schedules.createSchedule(
            kind: .group, target: "racks", startAt: start, allowReboot: true, downloadFirst: true, actor: "olga")
        #expect(batch.state == .waiting)
        let other = try await manager.schedules.createSchedule(
            kind: .server, target: "web01", startAt: start + 86_400, allowReboot: false, downloadFirst: false, actor: "olga")
        await #expect(throws: ManagerError.self) {
            try await self.manager.schedules.createSchedule(
                kind: .group, target: "nope", startAt: start, allowReboot: false,
                downloadFirst: false, actor: "olga")
        }

        // A newer package arrives before the batch runs: the batch takes it (R082).
        try await publish("bmc-2.32", version: "2.32", released: "2026-04-01")
        try await advance(to: start - 1)
        let downloads = Mutex(0)
        #expect(try await manager.schedules.runDueSchedules(downloadNow: { downloads.withLock { $0 += 1 } }).isEmpty, "not a second early")
        try await advance(to: start)
        let fired = try await manager.schedules.runDueSchedules(downloadNow: { downloads.withLock { $0 += 1 } })
        #expect(fired.map(\.id) == [batch.id] && fired.first?.state == .done, "\(fired)")
        #expect(downloads.withLock { $0 } == 1, "download first (R083)")
        for name in ["web01", "web02"] {
            let directives = try await manager.reports.directives(for: name)
            #expect(
                directives.items.count == 1 && directives.items[0].version == "2.32" && directives.items[0].options.allowReboot,
                "the newest when it fired: \(name): \(directives)")
        }
        #expect(try codes().contains("X26"), "results in the application log (R087)")
        await #expect(throws: ManagerError.self) {
            try await self.manager.schedules.editSchedule(batch.id, startAt: nil, allowReboot: false, downloadFirst: nil, actor: "olga")
        }
        let moved = try await manager.schedules.editSchedule(other.id, startAt: start + 7200, allowReboot: true, downloadFirst: nil, actor: "olga")
        #expect(moved.allowReboot && moved.startAt == UTCTime(seconds: start + 7200).description)
        try await manager.schedules.deleteSchedule(other.id, actor: "olga")
        #expect(try await manager.schedules.schedules().map(\.id) == [batch.id])
    }

    @Test("a policy approves once a package is old enough, and pauses while the canary group fails too often (logged once)")
    func policyWithCanary() async throws {
        try await publish("bmc-2.31", version: "2.31", released: "2026-11-20")
        try await manager.groups.createGroup("canary", actor: "test")
        try await manager.groups.createGroup("prod", actor: "test")
        try await server("canary01", group: "canary")
        try await server("prod01", group: "prod")
        try await manager.policies.setPolicy("prod", GroupPolicy(delayDays: 10, canaryGroup: "canary", maxCanaryFailurePercent: 50), actor: "admin")

        // 2026-11-26: released 6 days ago, the delay is 10 days.
        #expect(try await manager.policies.evaluatePolicies().isEmpty)
        #expect(try await manager.reports.directives(for: "prod01").items.isEmpty)

        // The canary applies it and fails.
        let canaryItems = try await manager.approvals.approve(
            "canary01", modules: nil, options: ApprovalOptions(), latestAtRunTime: false, actor: "olga")
        try await report("canary01", sequence: 2, bmc: "2.15", items: [.init(itemID: canaryItems[0].id, state: .failed, message: "flash error")])
        try await advance(to: clock.seconds + 5 * 86_400)  // 11 days after the release
        var decisions = try await manager.policies.evaluatePolicies()
        #expect(decisions.count == 1 && decisions[0].reason.hasPrefix("paused: canary canary: 100%"), "\(decisions)")
        #expect(try await manager.reports.directives(for: "prod01").items.isEmpty, "nothing approved while paused")
        #expect(try await manager.policies.evaluatePolicies().isEmpty, "the pause is logged once")
        #expect(try codes().filter { $0 == "X28" }.count == 1)

        // Two more canary servers succeed: 1 failure in 3 = 33%, under the 50% limit.
        for name in ["canary02", "canary03"] {
            try await server(name, group: "canary")
            let items = try await manager.approvals.approve(name, modules: nil, options: ApprovalOptions(), latestAtRunTime: false, actor: "olga")
            try await report(name, sequence: 2, bmc: "2.15", items: [.init(itemID: items[0].id, state: .started)])
            try await report(name, sequence: 3, bmc: "2.31", items: [.init(itemID: items[0].id, state: .succeeded)])
        }
        decisions = try await manager.policies.evaluatePolicies()
        #expect(decisions.contains { $0.reason.hasPrefix("resumed") }, "\(decisions)")
        let approval = try #require(decisions.first { $0.server == "prod01" })
        #expect(approval.approved == ["bmc-firmware"] && approval.reason.contains("canary canary at 33% failures"), "\(approval)")
        let items = try await manager.reports.directives(for: "prod01").items
        #expect(items.count == 1 && items[0].version == "2.31")
        #expect(try codes().contains("X27") && codes().contains("X29"))
        #expect(try await manager.policies.evaluatePolicies().isEmpty, "an open item is not approved twice")
    }
}
