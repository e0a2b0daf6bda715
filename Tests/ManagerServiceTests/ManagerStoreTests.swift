import ExupCore
import ExupTesting
import Foundation
import ManagerPostgres
import ManagerSQLite
import Testing

@testable import Manager

/// Both engines' stores method by method (SQLite on temporary files, PostgreSQL in a throwaway cluster,
/// a database per test): what each writes is what the next reads, and every check-and-write holds when
/// callers race (one transaction each).
@Suite struct ManagerStoreTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
    }

    func open(_ engine: StoreEngine) async throws -> any ManagerDatabase {
        try await engine.open(in: dir)
    }

    func enrol(_ store: any ManagerDatabase, _ name: String, token: String = "t", now: Int64 = 100) async throws {
        try await store.enrol(NewAgent(name: name, tokenHash: token, credentialID: "id-" + name, credentialHMAC: "h-" + name, now: now))
    }

    func report(_ sequence: Int64, items: [AgentReport.ItemState] = []) -> AgentReport {
        AgentReport(
            sequence: sequence,
            identity: .init(model: "R120h", os: OSIdentity(id: "debian", versionID: "12"), hostname: "web01", bootID: "b", agentVersion: "t"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC", version: "2.15", source: "ipmi")], items: items)
    }

    static let item = NewApprovalItem(
        kind: .apply, moduleID: "bmc-firmware", packageID: "bmc-2.31", version: "2.31", latestAtRunTime: false, options: ApprovalOptions())

    @Test(
        "enrolment: a token is checked and used up in one transaction; twenty racing enrolments on a 3-use token enrol exactly three",
        arguments: StoreEngine.allCases)
    func enrolmentRace(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        try await store.addToken(secretHash: "t", expires: 1_000, uses: 3, created: 1, group: nil)
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<20 { group.addTask { (try? await self.enrol(store, "web\(n)")) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 3)
        #expect(try await store.activeAgents().count == 3)
        #expect(try await store.usableTokens(now: 2).isEmpty, "used up")
        await #expect(throws: ManagerError.self) { try await self.enrol(store, "late") }
        try await store.addToken(secretHash: "old", expires: 50, uses: 1, created: 1, group: nil)
        await #expect(throws: ManagerError.self, "expired") { try await self.enrol(store, "x", token: "old", now: 60) }
        try await store.addToken(secretHash: "abc1", expires: 1_000, uses: 1, created: 1, group: nil)
        try await store.addToken(secretHash: "abc2", expires: 1_000, uses: 1, created: 1, group: nil)
        await #expect(throws: ManagerError.self, "a prefix that names two tokens") { _ = try await store.removeToken(hashPrefix: "abc") }
        #expect(try await store.removeToken(hashPrefix: "abc2"))
        #expect(try await store.removeToken(hashPrefix: "abc2") == false, "gone")
        #expect(try await store.usableTokens(now: 2).map(\.secretHash).filter { $0.hasPrefix("abc") } == ["abc1"])
        await #expect(throws: ManagerError.self, "a group that does not exist") {
            try await store.addToken(secretHash: "g", expires: 1_000, uses: 1, created: 1, group: "nowhere")
        }
    }

    @Test(
        "a name taken is refused until re-enrolment is allowed; revoking drops the credential from the active list", arguments: StoreEngine.allCases)
    func reenrolment(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        try await store.addToken(secretHash: "t", expires: 1_000, uses: 5, created: 1, group: nil)
        try await enrol(store, "web01")
        await #expect(throws: ManagerError.self) { try await self.enrol(store, "web01") }
        #expect(try await store.allowReenrolment(of: "web01"))
        try await enrol(store, "web01")
        #expect(try await store.activeCredentials().map(\.id) == ["id-web01"])
        #expect(try await store.replaceCredential(of: "web01", id: "new", hmac: "h"))
        #expect(try await store.revokeAgent("web01"))
        #expect(try await store.activeCredentials().isEmpty)
        #expect(try await store.revokeAgent("nobody") == false)
    }

    @Test(
        "approvals: two racing approvals for one module add one item (the plan sees what the other added); cancel leaves started items",
        arguments: StoreEngine.allCases)
    func approvalRace(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        try await store.addToken(secretHash: "t", expires: 1_000, uses: 1, created: 1, group: nil)
        try await enrol(store, "web01")
        let outcomes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let added = try? await store.addItems(agent: "web01", now: 5) { _, items in
                        guard !items.contains(where: { $0.state.isOpen }) else { throw ManagerError.conflict("busy", "an item is open") }
                        return [Self.item]
                    }
                    return added?.count ?? 0
                }
            }
            return await group.reduce(0, +)
        }
        #expect(outcomes == 1)
        let version = try #require(try await store.pollState(agent: "web01")).directivesVersion
        #expect(version == 2, "one approval, one directives change")
        #expect(try await store.recordReport(report(1, items: [.init(itemID: 1, state: .started, percent: 50)]), agent: "web01", now: 6) != nil)
        let cancel = try await store.cancelWaitingItems(agent: "web01", now: 7)
        #expect(cancel.cancelled.isEmpty && cancel.running.map(\.id) == [1], "a started item cannot be cancelled")
        #expect(try await store.itemCountsByState() == [.started: 1])
    }

    @Test(
        "reports: an older or equal sequence is a duplicate; items move on as the journal says, pending never comes back",
        arguments: StoreEngine.allCases)
    func reports(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        try await store.addToken(secretHash: "t", expires: 1_000, uses: 1, created: 1, group: nil)
        try await enrol(store, "web01")
        _ = try await store.addItems(agent: "web01", now: 5) { _, _ in [Self.item] }
        let started = try #require(try await store.recordReport(report(3, items: [.init(itemID: 1, state: .started)]), agent: "web01", now: 6))
        #expect(started.transitions.map(\.event) == [.applyStarted])
        #expect(try await store.recordReport(report(3), agent: "web01", now: 7) == nil, "the same sequence again: an outbox resend")
        #expect(try await store.recordReport(report(2), agent: "web01", now: 7) == nil)
        _ = try await store.recordReport(report(4, items: [.init(itemID: 1, state: .pending)]), agent: "web01", now: 8)
        #expect(try await store.items(agent: "web01").map(\.state) == [.started], "an agent cannot make an item pending")
        let done = try #require(
            try await store.recordReport(report(5, items: [.init(itemID: 1, state: .succeeded, percent: 100)]), agent: "web01", now: 9))
        #expect(done.transitions.map(\.event) == [.applyCompleted] && !done.revokedItself)
        #expect(try await store.openItems(agent: "web01").isEmpty)
        #expect(try await store.agent(named: "web01")?.report?.sequence == 5)
        await #expect(throws: ManagerError.self) { _ = try await store.recordReport(self.report(1), agent: "ghost", now: 9) }
        try await store.recordHeartbeats(["web01": 150])
        try await store.recordHeartbeats(["web01": 140])
        #expect(try await store.agent(named: "web01")?.lastSeen == 150, "a heartbeat never moves last-seen back")
        _ = try await store.recordReport(report(6), agent: "web01", now: 120)
        #expect(try await store.agent(named: "web01")?.lastSeen == 150, "nor does a report that was queued before it")
    }

    @Test(
        "users: one administrator cannot be removed; a new password ends the sessions; sessions come back with their role",
        arguments: StoreEngine.allCases)
    func users(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        #expect(try await store.addUser(name: "admin", role: .administrator, passwordHash: "h", created: 1))
        #expect(try await store.addUser(name: "admin", role: .viewer, passwordHash: "h", created: 1) == false)
        #expect(try await store.addUser(name: "olga", role: .operator, passwordHash: "h", created: 1))
        await #expect(throws: ManagerError.self) { try await store.removeUser(named: "admin") }
        let session = SessionRecord(id: "s1", hmac: "m", user: "olga", role: .operator, expires: 500)
        #expect(try await store.openSession(session, passwordHash: "stale", now: 10, noticesSeen: 7) == false, "the password changed meanwhile")
        #expect(try await store.openSession(session, passwordHash: "h", now: 10, noticesSeen: 7))
        #expect(try await store.openSessions(now: 20).map(\.role) == [.operator])
        #expect(try await store.user(named: "olga")?.noticesSeen == 7)
        #expect(try await store.setPasswordHash("h2", of: "olga"))
        #expect(try await store.openSessions(now: 20).isEmpty)
        try await store.removeUser(named: "olga")
        #expect(try await store.userCount() == 1)
    }

    @Test("groups, policies and batches: members must exist, a canary must exist, a batch that ran cannot change", arguments: StoreEngine.allCases)
    func groupsAndBatches(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        try await store.addToken(secretHash: "t", expires: 1_000, uses: 1, created: 1, group: nil)
        try await enrol(store, "web01")
        #expect(try await store.createGroup("racks", created: 1))
        #expect(try await store.createGroup("racks", created: 1) == false)
        await #expect(throws: ManagerError.self) { try await store.changeMembers(of: "racks", add: ["ghost"], remove: []) }
        try await store.changeMembers(of: "racks", add: ["web01"], remove: [])
        #expect(try await store.members(of: "racks") == ["web01"])
        await #expect(throws: ManagerError.self) { try await store.setPolicy(GroupPolicy(canaryGroup: "nowhere"), of: "racks") }
        try await store.setPolicy(GroupPolicy(delayDays: 3), of: "racks")
        #expect(try await store.policy(of: "racks")?.delayDays == 3)
        let id = try await store.addSchedule(
            NewSchedule(kind: .group, target: "racks", startAt: 100, allowReboot: false, downloadFirst: false, createdBy: "t", created: 1))
        #expect(try await store.dueSchedules(at: 99).isEmpty)
        #expect(try await store.dueSchedules(at: 100).map(\.id) == [id])
        #expect(try await store.claimSchedule(id, dueBy: 99) == nil, "not due yet")
        try await store.editSchedule(id, startAt: nil, allowReboot: true, downloadFirst: nil)
        #expect(try await store.claimSchedule(id, dueBy: 100)?.allowReboot == true, "claimed as it is now, with the edit")
        #expect(try await store.claimSchedule(id, dueBy: 100) == nil, "a batch fires once")
        await #expect(throws: ManagerError.self, "a running batch is not edited") {
            try await store.editSchedule(id, startAt: 300, allowReboot: nil, downloadFirst: nil)
        }
        try await store.finishSchedule(id, state: .done, result: "ok")
        #expect(try await store.schedules().map(\.state) == [.done])
        await #expect(throws: ManagerError.self) { try await store.editSchedule(id, startAt: 200, allowReboot: nil, downloadFirst: nil) }
        await #expect(throws: ManagerError.self) { try await store.deleteSchedule(id) }
        #expect(try await store.deleteGroup("racks"))
    }

    @Test(
        "the agent's own uninstall revokes it in the transaction that stores the report; an item listed twice moves on once",
        arguments: StoreEngine.allCases)
    func ownUninstall(_ engine: StoreEngine) async throws {
        let store = try await open(engine)
        try await store.addToken(secretHash: "t", expires: 1_000, uses: 1, created: 1, group: nil)
        try await enrol(store, "web01")
        let own = NewApprovalItem(
            kind: .uninstall, moduleID: ModuleID.agent, packageID: "exup-agent-1", version: "1", latestAtRunTime: false, options: ApprovalOptions())
        let id = try #require(try await store.addItems(agent: "web01", now: 5) { _, _ in [own] }.first?.id)
        let twice = try #require(
            try await store.recordReport(
                report(1, items: [.init(itemID: id, state: .started), .init(itemID: id, state: .started)]), agent: "web01", now: 6))
        #expect(twice.transitions.map(\.event) == [.applyStarted], "one transition for an item listed twice")
        let gone = try #require(try await store.recordReport(report(2, items: [.init(itemID: id, state: .succeeded)]), agent: "web01", now: 7))
        #expect(gone.revokedItself)
        #expect(try await store.agent(named: "web01")?.revoked == true)
        #expect(try await store.activeCredentials().isEmpty)
    }
}

/// Two manager replicas on one PostgreSQL database: each check-and-write holds across them.
@Suite struct PostgresReplicaStoreTests {
    @Test("one single-use token raced through two replicas enrols exactly one agent; an approval through one is seen by the other")
    func tokenRaceAcrossReplicas() async throws {
        let url = try PostgresCluster.shared().newDatabase()
        let first = try await PostgresManagerStore(settings: PostgresSettings(url: url))
        let second = try await PostgresManagerStore(settings: PostgresSettings(url: url))
        try await first.addToken(secretHash: "once", expires: 1_000, uses: 1, created: 1, group: nil)
        let enrolled = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<10 {
                let replica: any ManagerDatabase = n.isMultiple(of: 2) ? first : second
                group.addTask {
                    (try? await replica.enrol(NewAgent(name: "web\(n)", tokenHash: "once", credentialID: "id\(n)", credentialHMAC: "h", now: 5)))
                        != nil
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(enrolled == 1)
        #expect(try await second.activeAgents().count == 1)
        let name = try #require(try await first.activeAgents().first?.name)
        let before = try #require(try await second.pollState(agent: name)).directivesVersion
        _ = try await first.addItems(agent: name, now: 6) { _, _ in [ManagerStoreTests.item] }
        #expect(try await second.pollState(agent: name)?.directivesVersion == before + 1, "the other replica's poll sees the new directives")
        #expect(try await second.openItems(agent: name).count == 1)
    }

    @Test("migrations run once when replicas start at once, and a second start applies nothing again")
    func migrationsOnce() async throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.newDatabase()
        async let a = PostgresManagerStore(settings: PostgresSettings(url: url))
        async let b = PostgresManagerStore(settings: PostgresSettings(url: url))
        async let c = PostgresManagerStore(settings: PostgresSettings(url: url))
        _ = try await (a, b, c)
        let database = String(url.split(separator: "/").last!)
        #expect(try cluster.psql("SELECT count(*) FROM exup_migration", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test("one of two replicas holds the jobs' lock, never both; when it closes, the other takes over")
    func jobLeadership() async throws {
        let url = try PostgresCluster.shared().newDatabase()
        let first = try await PostgresManagerStore(settings: PostgresSettings(url: url), jobLockInterval: .milliseconds(50))
        let second = try await PostgresManagerStore(settings: PostgresSettings(url: url), jobLockInterval: .milliseconds(50))
        var leaders: [Bool] = []
        for _ in 0..<100 {
            leaders = [await first.holdsJobLock(), await second.holdsJobLock()]
            #expect(leaders != [true, true], "never two leaders")
            if leaders.contains(true) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(leaders.filter { $0 }.count == 1, "one leader: \(leaders)")
        let (leader, other) = leaders[0] ? (first, second) : (second, first)
        leader.close()
        var tookOver = false
        for _ in 0..<200 where !tookOver {
            tookOver = await other.holdsJobLock()
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(tookOver, "the other replica runs the jobs once the first is gone")
        #expect(await leader.holdsJobLock() == false)
    }
}
