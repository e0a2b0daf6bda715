import ExupCore
import ExupTesting
import Foundation
import ManagerPostgres
import Repository
import Testing

@testable import Manager

/// Two manager processes on one PostgreSQL database (two ManagerService instances here): what one
/// changes in credentials and sessions reaches the other's memory through the change feed, so neither
/// trusts an entry the other invalidated.
@Suite struct ReplicaCacheTests {
    @Test("an agent enrolled through one replica is accepted by the other; revoked there, refused here; a session likewise")
    func credentialsAndSessions() async throws {
        let dir = try TemporaryDirectory()
        let paths = RepositoryPaths(dataDirectory: dir.file("data"))
        let repository = try RepositoryService(paths: paths, keys: try Secrets.loadOrCreate(paths).keys)
        let url = try PostgresCluster.shared().newDatabase()
        func replica() async throws -> ManagerService {
            try await ManagerService.open(
                dataDirectory: dir.file("data"), store: try await PostgresManagerStore(settings: PostgresSettings(url: url)),
                repository: repository)
        }
        let a = try await replica(), b = try await replica()

        let token = try await a.enrolment.createToken(expiresInSeconds: 3600, uses: 1, actor: "test")
        let credential = try await a.enrolment.enrol(EnrolmentRequest(token: token, name: "web01", hostname: "web01")).credential
        try eventually("replica B accepts the new agent") { b.enrolment.agent(credential: credential) == "web01" }
        try await a.enrolment.revoke("web01", actor: "test")
        try eventually("replica B refuses the revoked agent") { b.enrolment.agent(credential: credential) == nil }

        let password = try #require(try await a.users.createFirstAdministratorIfNeeded())
        let login = try await b.users.login("admin", password: password, source: "192.0.2.1")
        try eventually("replica A knows B's session") { a.users.session(token: login.token)?.user == "admin" }
        try await a.users.logout(token: login.token)
        try eventually("replica B forgets the session A ended") { b.users.session(token: login.token) == nil }
    }
}
