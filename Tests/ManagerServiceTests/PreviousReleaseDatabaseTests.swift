import ExupCore
import ExupTesting
import Foundation
import Manager
import ManagerSQLite
import Repository
import Testing

/// Databases written by the previous release (4a82861, the last build before the data-layer change:
/// an agent that reported twice, an approved item it started, users with a session, a group with a
/// policy and a batch, a token; the catalog with one package) are read by this one, and the agent's
/// credential still works: agents poll on without enrolling again.
@Suite struct PreviousReleaseDatabaseTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/release-4a82861").path

    @Test("manager.sqlite and catalog.sqlite of the previous release open, keep their meaning, and the agent's credential is accepted")
    func previousDatabases() async throws {
        let dir = try TemporaryDirectory()
        let data = dir.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for name in ["manager.sqlite", "catalog.sqlite", "agent-credentials.key"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + name, toPath: data + "/" + name)
            chmod(data + "/" + name, 0o600)
        }
        let store = try SQLiteManagerStore(path: data + "/manager.sqlite")
        let agent = try #require(try await store.agent(named: "web01"))
        #expect(agent.reportSequence == 2 && agent.report?.modules.first?.version == "2.15" && !agent.revoked)
        let items = try await store.items(agent: "web01")
        #expect(items.map(\.state) == [.started] && items.first?.percent == 50 && items.first?.version == "2.31")
        #expect(try await store.users().map(\.name) == ["admin", "olga"])
        #expect(try await store.openSessions(now: 0).map(\.user) == ["olga"])
        #expect(try await store.members(of: "racks") == ["web01"])
        #expect(try await store.policy(of: "racks")?.delayDays == 7)
        #expect(try await store.schedules().map(\.state) == [.waiting])
        #expect(try await store.usableTokens(now: 0).count == 2)

        let repositoryData = dir.file("repository")
        let paths = RepositoryPaths(dataDirectory: repositoryData)
        let repository = try RepositoryService(paths: paths, keys: try Secrets.loadOrCreate(paths).keys)
        let manager = try await ManagerService.open(dataDirectory: data, store: store, repository: repository)
        let credential = try String(contentsOfFile: Self.fixtures + "/credential.txt", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(manager.enrolment.agent(credential: credential) == "web01", "the agent polls on with the credential it has")
        #expect(try await manager.reports.directives(for: "web01").items.map(\.id) == [1])

        let catalog = try Catalog(path: data + "/catalog.sqlite")
        #expect(try catalog.packages().map(\.info.id) == ["bmc-r120h-2.31"])
        let log = try catalog.logEntries(limit: 100)
        #expect(log.count == 15, "every entry the previous release wrote")
        #expect(log.contains { $0.code == "X15" && $0.server == "web01" && $0.versions == "2.15 → 2.31" }, "its approval, as logged then")
    }
}
