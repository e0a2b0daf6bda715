import ExupTesting
import Foundation
import HummingbirdTesting
import Logging
import ManagerServer
import Testing

/// The manager's routes in process, through HummingbirdTesting's router mode: no socket, no process, the
/// same application `exup-manager serve` runs (the live tests beside these cover the network).
@Suite struct InProcessRouteTests {
    func application() async throws -> (ManagerApplication, TemporaryDirectory) {
        let data = try TemporaryDirectory()
        var configuration = ManagerConfiguration()
        configuration.dataDirectory = data.path + "/data"
        return (try await ManagerApplication(configuration: configuration, logger: Logger(label: "test")), data)
    }

    @Test("health, the API's credential check and its JSON error shape, and the web UI's 404 page, without a socket")
    func routes() async throws {
        let (manager, data) = try await application()
        defer { withExtendedLifetime(data) {} }
        let app = try manager.makeApplication()
        let token = manager.secrets.adminToken
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/api/v1/servers", method: .get) { response in
                #expect(response.status == .unauthorized, "no credential")
            }
            try await client.execute(uri: "/api/v1/servers", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok && String(buffer: response.body).filter { !$0.isWhitespace } == "[]", "no servers yet")
            }
            try await client.execute(uri: "/api/v1/no-such", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(response.status == .notFound && (body?["error"] as? [String: Any])?["code"] as? String == "not-found")
            }
            try await client.execute(uri: "/no/such/page", method: .get) { response in
                #expect(response.status == .notFound && String(buffer: response.body).contains("There is no page at /no/such/page"))
            }
        }
    }
}
