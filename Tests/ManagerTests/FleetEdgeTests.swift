import ExupCore
import ExupTesting
import Foundation
import Synchronization
import Testing
import Transport

extension FleetTests {
    @Test("every mutating and administrative endpoint refuses a missing or wrong credential, before reading the body")
    func credentialsEverywhere() throws {
        let credential = try enrol("web01")
        let adminEndpoints: [(String, String)] = [
            ("POST", "/api/v1/agents/tokens"), ("GET", "/api/v1/agents"), ("POST", "/api/v1/agents/web01/revoke"),
            ("POST", "/api/v1/agents/web01/rotate"), ("POST", "/api/v1/agents/web01/allow-reenrolment"), ("GET", "/api/v1/servers"),
            ("GET", "/api/v1/servers/web01"), ("POST", "/api/v1/servers/web01/approve"), ("POST", "/api/v1/servers/web01/cancel"),
            ("POST", "/api/v1/servers/web01/uninstall"), ("POST", "/api/v1/servers/web01/logs/request"), ("GET", "/api/v1/servers/web01/logs"),
        ]
        let agentEndpoints: [(String, String)] = [
            ("GET", "/api/v1/agent/directives"), ("POST", "/api/v1/agent/report"), ("POST", "/api/v1/agent/logs"),
            ("POST", "/api/v1/agent/logs/failed"),
        ]
        func status(_ token: String?, _ method: String, _ path: String) throws -> Int {
            let http = client(token)
            return method == "GET"
                ? try http.get(manager.url + path, maxBytes: 1 << 20).status
                : try http.send(method, manager.url + path, body: Array("{not json".utf8)).status
        }
        for (method, path) in adminEndpoints + agentEndpoints {
            #expect(try status(nil, method, path) == 401, "\(method) \(path) without a credential")
            #expect(try status("wrong", method, path) == 401, "\(method) \(path) with a wrong credential")
        }
        for (method, path) in adminEndpoints {
            #expect(try status(credential, method, path) == 403, "\(method) \(path) with an agent's credential")
        }
        for (method, path) in agentEndpoints {
            #expect(try status(manager.adminToken, method, path) == 403, "\(method) \(path) with the administrator token")
        }
        #expect(try directives(credential).status == 200, "nothing above revoked or rotated anything")
    }

    @Test("a restart of the manager between report and approval loses nothing")
    func restartBetweenReportAndApproval() throws {
        try add(try package("bmc-2.32", version: "2.32"))
        let credential = try enrol("web01")
        _ = try report(credential, sequence: 7)
        try manager.restart()
        #expect(try serverModule("web01")["current"] as? String == "2.31")
        #expect(try object(try report(credential, sequence: 7))["outcome"] as? String == "duplicate", "the sequence survived the restart")
        #expect(try post(admin, "/api/v1/servers/web01/approve").status == 201)
        try manager.restart()
        let items = try object(try directives(credential))["items"] as! [[String: Any]]
        #expect(items.count == 1 && items[0]["version"] as? String == "2.32")
        #expect(try directives(credential).status == 200, "the credential survived two restarts")
    }

    @Test("an incompatible package for the server's model makes its status unknown (R054–R056)")
    func unknownStatus() throws {
        let credential = try enrol("web01")
        _ = try report(credential, sequence: 1)
        var info = InfoXML()
        info.id = "bmc-future"
        info.module = "bmc-firmware"
        info.version = "9.0"
        info.targets = [(r120h, "linux")]
        info.schemaVersion = "2"
        try add(try HandPackage(info: info.bytes).write(to: work, name: "future.zip", signedWith: vendor.key))
        let detail = try object(try admin.get(manager.url + "/api/v1/servers/web01", maxBytes: 1 << 20))
        #expect(detail["status"] as? String == "unknown")
        let listed =
            try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).body)) as! [[String: Any]]
        #expect(listed.first?["status"] as? String == "unknown")
    }

    @Test("agent log bundles: requested, pulled through the directives, uploaded, fetched; failures logged (R168)")
    func logBundles() throws {
        let credential = try enrol("web01")
        let agent = client(credential)
        #expect(try agent.send("POST", manager.url + "/api/v1/agent/logs", body: [1, 2, 3]).status == 409, "nothing was requested")
        #expect(try admin.get(manager.url + "/api/v1/servers/web01/logs", maxBytes: 1 << 20).status == 404)

        #expect(try post(admin, "/api/v1/servers/web01/logs/request").status == 202)
        #expect(try object(try directives(credential))["uploadLogBundle"] as? Bool == true)
        let bundle = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try agent.send("POST", manager.url + "/api/v1/agent/logs", body: bundle).status == 201)
        #expect(try object(try directives(credential))["uploadLogBundle"] as? Bool == false, "the request ends with the upload")
        let fetched = try admin.get(manager.url + "/api/v1/servers/web01/logs", maxBytes: 1 << 20)
        #expect(fetched.status == 200 && fetched.body == bundle)

        let environment = ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin"]
        let out = work.file("bundle.tar.gz")
        let get = try Subprocess.run([BuiltProducts.path("exup"), "logs", "get", "web01", "--out", out], environment: environment)
        #expect(get.status == 0, "\(get.stderr)")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: out))) == bundle)

        #expect(try Subprocess.run([BuiltProducts.path("exup"), "logs", "request", "web01"], environment: environment).status == 0)
        #expect(try post(agent, "/api/v1/agent/logs/failed", ["reason": "journalctl is missing"]).status == 200)
        #expect(try object(try directives(credential))["uploadLogBundle"] as? Bool == false)
        let codes = try logCodes()
        for code in ["X17", "X18", "X19"] { #expect(codes.contains(code), "\(code) logged") }
    }
}

/// "Communication failure" needs time to pass: a manager configured with a 5-second poll and one missed poll.
@Suite final class CommunicationFailureTests {
    @Test("a server whose agent stops polling turns to communication failure, and back when it polls (Table 10)")
    func silentAgent() throws {
        let work = try TemporaryDirectory()
        let config = work.file("manager.toml")
        try "[manager]\npoll-interval-seconds = 5\ncommunication-failure-after-polls = 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let manager = try ManagerProcess(extraArguments: ["--config", config])
        defer { manager.stop() }
        let admin = manager.admin
        let tokenBody =
            try JSONSerialization.jsonObject(with: Data(try admin.send("POST", manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8)).body))
            as! [String: Any]
        let enrol = ["token": tokenBody["token"] as! String, "name": "quiet", "hostname": "quiet"]
        let answer = try HTTPClient.bearer(nil).send(
            "POST", manager.url + "/api/v1/enrol", body: Array(try JSONSerialization.data(withJSONObject: enrol)))
        let agent = HTTPClient.bearer((try JSONSerialization.jsonObject(with: Data(answer.body)) as! [String: Any])["credential"] as? String)

        func status() throws -> String? {
            let servers =
                try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).body))
                as! [[String: Any]]
            return servers.first?["status"] as? String
        }
        #expect(try status() != "communication-failure")
        Thread.sleep(forTimeInterval: 6.5)
        #expect(try status() == "communication-failure")
        #expect(try agent.get(manager.url + "/api/v1/agent/directives", maxBytes: 1 << 20).status == 200)
        #expect(try status() != "communication-failure", "the poll is the heartbeat")
    }
}

extension FleetTests {
    @Test("GET /api/v1/openapi.json documents every route the server registers, with its errors")
    func openAPI() throws {
        let response = try client(nil).get(manager.url + "/api/v1/openapi.json", maxBytes: 1 << 22)
        #expect(response.status == 200)
        let document = try object(response)
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])

        // The routes, as the server's and the API's sources register them (the web pages' are not API): by
        // hand (`router.get("/api/v1/…")`) or by the code generated from the document (`method: .get,
        // path: server.apiPathComponentsWithServerPrefix("/api/v1/…")`).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
        let pattern = try NSRegularExpression(
            pattern:
                #"router\.(get|post|delete|put)\("([^"]+)"|method: \.(get|post|delete|put),\s*path: server\.apiPathComponentsWithServerPrefix\("([^"]+)""#
        )
        var registered: [(String, String)] = []
        let files = try ["ManagerServer", "ManagerAPI", "ManagerAPI/Generated"].flatMap { target in
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path).filter { $0.hasSuffix(".swift") }
                .map { root.appendingPathComponent(target).appendingPathComponent($0) }
        }
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let generated = match.range(at: 1).location == NSNotFound
                let method = String(text[Range(match.range(at: generated ? 3 : 1), in: text)!])
                let path = String(text[Range(match.range(at: generated ? 4 : 2), in: text)!])
                    .split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 == "**" ? "{path}" : String($0) }.joined(separator: "/")
                registered.append((method, path))
            }
        }
        #expect(registered.count >= 30, "the route scan found the routes")
        for (method, path) in registered {
            let operation = paths[path]?[method] as? [String: Any]
            #expect(operation != nil, "\(method.uppercased()) \(path) is not documented")
            guard let operation, let responses = operation["responses"] as? [String: Any] else { continue }
            if (operation["security"] as? [Any])?.isEmpty == false {
                #expect(responses["401"] != nil, "\(method.uppercased()) \(path) documents its 401")
            }
            if operation["requestBody"] != nil { #expect(responses["400"] != nil || responses["413"] != nil) }
        }
        let documented = paths.flatMap { path, methods in methods.keys.map { "\($0) \(path)" } }
        #expect(Set(documented) == Set(registered.map { "\($0.0) \($0.1)" }), "nothing documented that the server does not serve")
    }
}

extension FleetTests {
    @Test("concurrent reports from many agents: every agent ends at its highest sequence, nothing is lost or doubled")
    func concurrentReports() throws {
        let credentials = try (0..<6).map { try enrol("node\($0)") }
        let outcomes = Mutex([String]())
        DispatchQueue.concurrentPerform(iterations: 6 * 15) { i in
            let agent = i % 6, sequence = Int64(i / 6 + 1)
            let outcome = (try? object(try report(credentials[agent], sequence: sequence)))?["outcome"] as? String ?? "error"
            outcomes.withLock { $0.append(outcome) }
        }
        let all = outcomes.withLock { $0 }
        #expect(!all.contains("error") && all.filter { $0 == "accepted" }.count >= 6)
        let agents =
            try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/agents", maxBytes: 1 << 20).body)) as! [[String: Any]]
        #expect(agents.map { $0["reportSequence"] as? Int } == Array(repeating: 15, count: 6))
        for credential in credentials {
            #expect(try object(try report(credential, sequence: 15))["outcome"] as? String == "duplicate")
        }
    }
}

extension FleetTests {
    @Test("a poll's heartbeat, kept in memory, reaches the database at a graceful stop")
    func heartbeatSurvivesGracefulStop() throws {
        let credential = try enrol("web01")
        func lastSeen() throws -> String? {
            let agents =
                try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/agents", maxBytes: 1 << 20).body))
                as! [[String: Any]]
            return agents.first?["lastSeen"] as? String
        }
        let enrolled = try lastSeen()
        Thread.sleep(forTimeInterval: 1.2)  // last-seen has one-second resolution
        #expect(try directives(credential).status == 200)
        let polled = try lastSeen()
        #expect(polled != enrolled, "the poll is visible at once (from memory)")
        try manager.restart()  // SIGTERM: the heartbeat flush runs once more before exit
        #expect(try lastSeen() == polled, "and was written before the manager stopped")
    }
}

extension FleetTests {
    @Test("nothing a client sends makes the server answer 5xx: garbage, wrong types and oversized bodies with valid credentials")
    func noServerErrors() throws {
        let credential = try enrol("web01")
        _ = try report(credential, sequence: 1)
        _ = try enrol("spare")  // rotated below, so web01's credential stays valid for the agent endpoints
        let adminPosts = [
            "/api/v1/agents/tokens", "/api/v1/agents/spare/rotate", "/api/v1/servers/web01/approve", "/api/v1/servers/web01/cancel",
            "/api/v1/servers/web01/uninstall", "/api/v1/servers/web01/logs/request", "/api/v1/repository/platforms",
            "/api/v1/repository/packages/delete", "/api/v1/repository/exports", "/api/v1/servers/nobody%2F..%2Fx/approve",
        ]
        let agentPosts = ["/api/v1/agent/report", "/api/v1/agent/logs/failed"]
        let bodies: [[UInt8]] = [
            Array("{not json".utf8), Array("[]".utf8), Array(#"{"modules": "all", "uses": "many"}"#.utf8),
            Array(repeating: UInt8(ascii: "["), count: 5000), Array(#"{"sequence": 1e400}"#.utf8), [],
        ]
        for body in bodies {
            for path in adminPosts {
                let status = try admin.send("POST", manager.url + path, body: body).status
                #expect(status < 500, "POST \(path) answered \(status)")
            }
            for path in agentPosts {
                let status = try client(credential).send("POST", manager.url + path, body: body).status
                #expect(status < 500 && status != 401, "POST \(path) answered \(status)")
            }
            #expect(try client(nil).send("POST", manager.url + "/api/v1/enrol", body: body).status < 500)
        }
        let oversized = Array(repeating: UInt8(ascii: " "), count: 2 << 20)
        let oversizedReport = try client(credential).send("POST", manager.url + "/api/v1/agent/report", body: oversized)
        #expect(oversizedReport.status == 413, "\(oversizedReport.status) \(oversizedReport.text)")
        #expect(try admin.send("POST", manager.url + "/api/v1/servers/web01/approve", body: oversized).status == 413)
        #expect(try serverModule("web01")["current"] as? String == "2.31", "the stored report survived all of it")
    }

    @Test("the CLI: servers --filter, cancel, uninstall refusal, agents rotate/revoke/allow-reenrol, each with --json")
    func cliFleetCommands() throws {
        try add(try package("bmc-2.32", version: "2.32"))
        _ = try report(try enrol("web01"), sequence: 1)
        _ = try report(try enrol("web02"), sequence: 1, bmc: "2.32")
        let environment = ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin"]
        func exup(_ arguments: String...) throws -> Subprocess.Result {
            try Subprocess.run([BuiltProducts.path("exup")] + arguments, environment: environment)
        }
        func json(_ result: Subprocess.Result) throws -> Any { try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) }

        let pending = try exup("servers", "--filter", "update-available", "--json")
        #expect((try json(pending) as! [[String: Any]]).map { $0["name"] as? String } == ["web01"])
        let latest = try exup("servers", "--filter", "latest", "--json")
        #expect((try json(latest) as! [[String: Any]]).map { $0["name"] as? String } == ["web02"])
        #expect(try exup("servers", "--filter", "bogus").status != 0, "an unknown status is refused")

        #expect(try exup("approve", "web01").status == 0)
        let cancel = try exup("cancel", "web01", "--json")
        let cancelled = try json(cancel) as! [String: Any]
        #expect(cancel.status == 0 && (cancelled["cancelled"] as? [Int])?.count == 1)
        let uninstall = try exup("uninstall", "web01", "--module", "bmc-firmware")
        #expect(
            uninstall.status == 1 && uninstall.stderr == "exup: no package in the repository can uninstall bmc-firmware 2.31\n",
            "no package can uninstall firmware, said in one line: \(uninstall.stderr)")

        let rotated = try exup("agents", "rotate", "web02", "--json")
        let credential = try #require((try json(rotated) as! [String: String])["credential"])
        #expect(try directives(credential).status == 200)
        #expect(try exup("agents", "revoke", "web02", "--json").status == 0)
        #expect(try directives(credential).status == 401)
        #expect(try exup("agents", "allow-reenrol", "web01", "--json").status == 0)
        #expect(try exup("agents", "revoke", "ghost").status != 0)
    }
}
