import ExupTesting
import Foundation
import HTTPTypes
import Hummingbird
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

    @Test("an agent's life through the routes in process: token, enrolment, report, directives with ETag, duplicate, revocation")
    func agentRoutes() async throws {
        let (manager, data) = try await application()
        defer { withExtendedLifetime(data) {} }
        let app = try manager.makeApplication()
        let admin: HTTPFields = [.authorization: "Bearer \(manager.secrets.adminToken)", .contentType: "application/json"]
        @Sendable func json(_ buffer: ByteBuffer) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(String(buffer: buffer).utf8)) as? [String: Any]) ?? [:]
        }
        try await app.test(.router) { client in
            let token = try await client.execute(
                uri: "/api/v1/agents/tokens", method: .post, headers: admin, body: ByteBuffer(string: #"{"uses": 1, "expiresInSeconds": 600}"#)
            ) { response in
                #expect(response.status == .created)
                return json(response.body)["token"] as? String ?? ""
            }
            let enrol = #"{"token": "\#(token)", "name": "web01", "hostname": "web01.example"}"#
            let credential = try await client.execute(uri: "/api/v1/enrol", method: .post, body: ByteBuffer(string: enrol)) { response in
                #expect(response.status == .created)
                return json(response.body)["credential"] as? String ?? ""
            }
            try await client.execute(uri: "/api/v1/enrol", method: .post, body: ByteBuffer(string: enrol)) { response in
                #expect(response.status == .unauthorized && String(buffer: response.body).contains("token-used"), "a single-use token")
            }
            let agent: HTTPFields = [.authorization: "Bearer \(credential)", .contentType: "application/json"]
            let report = """
                {"schema": 1, "sequence": 1, "identity": {"model": "Express5800/R120h-1M", "os": {"id": "debian", "versionID": "12"},
                 "hostname": "web01", "bootID": "b1", "agentVersion": "test"},
                 "modules": [{"id": "bmc-firmware", "name": "BMC firmware", "version": "2.15", "source": "ipmi"}],
                 "sensors": [{"name": "12V", "type": "Voltage", "reading": 12.25, "unit": "V", "state": "nominal"}],
                 "activities": {}, "previousVersions": {}, "refusals": [], "items": []}
                """
            for expected in ["accepted", "duplicate"] {
                try await client.execute(uri: "/api/v1/agent/report", method: .post, headers: agent, body: ByteBuffer(string: report)) { response in
                    #expect(response.status == .ok && json(response.body)["outcome"] as? String == expected)
                }
            }
            let etag = try await client.execute(uri: "/api/v1/agent/directives", method: .get, headers: agent) { response in
                #expect(response.status == .ok)
                return response.headers[.eTag] ?? ""
            }
            var conditional = agent
            conditional[.ifNoneMatch] = etag
            try await client.execute(uri: "/api/v1/agent/directives", method: .get, headers: conditional) { response in
                #expect(!etag.isEmpty && response.status == .notModified, "nothing changed: 304")
            }
            try await client.execute(uri: "/api/v1/servers/web01", method: .get, headers: admin) { response in
                #expect(response.status == .ok && json(response.body)["model"] as? String == "Express5800/R120h-1M")
            }
            try await client.execute(uri: "/api/v1/agents/web01/revoke", method: .post, headers: admin) { response in
                #expect(response.status == .ok || response.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/agent/directives", method: .get, headers: agent) { response in
                #expect(response.status == .unauthorized, "revoked at once")
            }
        }
    }

    @Test("bodies are decoded strictly in one pass: not JSON, not an object, an unknown field and a wrong type each get their own 400")
    func strictBodies() async throws {
        let (manager, data) = try await application()
        defer { withExtendedLifetime(data) {} }
        let app = try manager.makeApplication()
        let admin: HTTPFields = [.authorization: "Bearer \(manager.secrets.adminToken)"]
        let cases: [(body: String, says: String)] = [
            ("{not json", "not valid JSON"),
            (#"[{"name": "ann"}]"#, "must be a JSON object"),
            (#"{"name": "ann", "role": "viewer", "password": "a long password", "colour": "red"}"#, #"unknown field "colour""#),
            (#"{"name": 5, "role": "viewer", "password": "a long password"}"#, #"field "name" must be"#),
            (#"{"role": "viewer", "password": "a long password"}"#, #"missing field "name""#),
            (#"{"name": "ann", "role": "viewer", "role": "administrator", "password": "a long password"}"#, #"duplicate key "role""#),
        ]
        try await app.test(.router) { client in
            for (body, says) in cases {
                try await client.execute(uri: "/api/v1/users", method: .post, headers: admin, body: ByteBuffer(string: body)) { response in
                    let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                    let error = object?["error"] as? [String: Any]
                    let message = error?["message"] as? String ?? ""
                    #expect(response.status == .badRequest && error?["code"] as? String == "bad-request", "\(body)")
                    #expect(message.contains(says), "\(body) → \(message)")
                }
            }
            try await client.execute(uri: "/api/v1/users", method: .get, headers: admin) { response in
                #expect(!String(buffer: response.body).contains("ann"), "no refused body created a user")
            }
            let good = #"{"name": "ann", "role": "viewer", "password": "a long password"}"#
            try await client.execute(uri: "/api/v1/users", method: .post, headers: admin, body: ByteBuffer(string: good)) { response in
                #expect(response.status == .created, "the same fields, well formed, are accepted")
            }
        }
    }

    @Test("the document is the route list: a documented path with another method is 405 with Allow; bad numbers are 400s in the API's shape")
    func methodsAndNumbers() async throws {
        let (manager, data) = try await application()
        defer { withExtendedLifetime(data) {} }
        let app = try manager.makeApplication()
        let admin: HTTPFields = [.authorization: "Bearer \(manager.secrets.adminToken)"]
        @Sendable func code(_ buffer: ByteBuffer) -> String? {
            let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: buffer).utf8)) as? [String: Any]
            return (object?["error"] as? [String: Any])?["code"] as? String
        }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/groups/web", method: .put, headers: admin) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET" && code(response.body) == "method-not-allowed")
            }
            try await client.execute(uri: "/api/v1/users", method: .delete, headers: admin) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET, POST")
            }
            try await client.execute(uri: "/repo/v1/metadata/models/x/1.json", method: .post, headers: admin) { response in
                #expect(response.status == .methodNotAllowed, "a {path} parameter takes the rest of the path")
            }
            try await client.execute(uri: "/api/v1/repository/packages/delete", method: .get, headers: admin) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "POST", "a literal segment wins over {id}")
            }
            try await client.execute(uri: "/api/v1/no-such-thing", method: .put, headers: admin) { response in
                #expect(response.status == .notFound && code(response.body) == "not-found", "an undocumented path stays 404")
            }
            try await client.execute(uri: "/api/v1/schedules/twelve/delete", method: .post, headers: admin) { response in
                #expect(response.status == .badRequest && code(response.body) == "bad-request")
            }
            try await client.execute(uri: "/api/v1/log?limit=many", method: .get, headers: admin) { response in
                #expect(response.status == .badRequest && code(response.body) == "bad-request", "not silently the default")
            }
            try await client.execute(uri: "/api/v1/logout", method: .post, headers: admin) { response in
                #expect(response.status == .forbidden && code(response.body) == "not-a-session")
            }
        }
    }
}
