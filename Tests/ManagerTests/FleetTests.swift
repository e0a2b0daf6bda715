import ExupCore
import ExupCrypto
import ExupTesting
import Foundation
import Testing
import Transport

/// The manager inside a live `exup-manager` on loopback, driven the way agents and administrators drive
/// it: a scripted agent (enrol, poll, report) over HTTP, the administrator through the API and the CLI.
/// (Only immutable state, so tests may call it from several threads at once.)
@Suite(.serialized) final class FleetTests: @unchecked Sendable {
    let manager: ManagerProcess
    let vendor: TestVendor
    let work: TemporaryDirectory
    let r120h = "Express5800/R120h-1M"

    init() throws {
        manager = try ManagerProcess()
        work = try TemporaryDirectory()
        vendor = try TestVendor(in: work)
        try manager.trust(vendor)
    }

    deinit { manager.stop() }

    // MARK: - Helpers

    func client(_ token: String?) -> HTTPClient { .bearer(token) }

    var admin: HTTPClient { manager.admin }

    func object(_ response: HTTPClient.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], "\(response.status): \(response.text)")
    }

    func post(_ http: HTTPClient, _ path: String, _ body: Any = [String: Any]()) throws -> HTTPClient.Response {
        try http.send("POST", manager.url + path, body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    func newToken(uses: Int = 1) throws -> String {
        let response = try post(admin, "/api/v1/agents/tokens", ["uses": uses, "expiresInSeconds": 3600])
        #expect(response.status == 201)
        return try object(response)["token"] as! String
    }

    /// Enrols a scripted agent; returns its credential.
    func enrol(_ name: String, token: String? = nil) throws -> String {
        let response = try post(client(nil), "/api/v1/enrol", ["token": try token ?? newToken(), "name": name, "hostname": name + ".example"])
        #expect(response.status == 201, "\(response.text)")
        return try object(response)["credential"] as! String
    }

    func report(_ credential: String, sequence: Int64, bmc: String = "2.31", items: [AgentReport.ItemState] = []) throws -> HTTPClient.Response {
        let report = AgentReport(
            sequence: sequence,
            identity: .init(
                model: r120h, os: OSIdentity(id: "debian", versionID: "12"), hostname: "web01",
                bootID: "b1", agentVersion: "test"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: bmc, source: "ipmi")],
            items: items)
        return try client(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report)))
    }

    func package(_ id: String, version: String) throws -> String {
        var info = InfoXML()
        info.id = id
        info.module = "bmc-firmware"
        info.version = version
        info.releaseDate = "2026-01-01"
        info.targets = [(r120h, "linux")]
        return try HandPackage(info: info.bytes).write(to: work, name: "\(id).zip", signedWith: vendor.key)
    }

    func add(_ path: String) throws {
        let response = try admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=x.zip", file: path)
        #expect(response.status == 201, "\(response.text)")
    }

    func directives(_ credential: String, etag: String? = nil) throws -> HTTPClient.Response {
        try client(credential).get(manager.url + "/api/v1/agent/directives", headers: etag.map { ["If-None-Match": $0] } ?? [:], maxBytes: 1 << 20)
    }

    func serverModule(_ name: String) throws -> [String: Any] {
        let detail = try object(try admin.get(manager.url + "/api/v1/servers/\(name)", maxBytes: 1 << 20))
        return try #require((detail["modules"] as? [[String: Any]])?.first)
    }

    /// The `{"error": {"code", "message"}}` of a refusal.
    func error(_ response: HTTPClient.Response) -> (code: String, message: String) {
        let body = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let error = body?["error"] as? [String: Any]
        return (error?["code"] as? String ?? "", error?["message"] as? String ?? "")
    }

    func logCodes() throws -> [String] {
        let entries =
            try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/log?limit=5000", maxBytes: 1 << 24).body))
            as! [[String: Any]]
        return entries.map { $0["code"] as! String }
    }

    // MARK: - Enrolment

    @Test("enrolment: the token pins root.json, is single-use, and the credential is the agent's alone")
    func enrolment() throws {
        let token = try newToken()
        let response = try post(client(nil), "/api/v1/enrol", ["token": token, "name": "web01", "hostname": "web01.example"])
        #expect(response.status == 201)
        let body = try object(response)
        let root = try #require(Data(base64Encoded: body["root"] as! String))
        #expect(token.hasSuffix("." + SHA256Hasher.hash([UInt8](root)).hex), "the token carries the SHA-256 of the root it hands out")
        let credential = body["credential"] as! String
        #expect(try directives(credential).status == 200)

        let again = try post(client(nil), "/api/v1/enrol", ["token": token, "name": "web02", "hostname": "web02"])
        #expect(again.status == 401 && error(again).code == "token-used")
        let forged = try post(
            client(nil), "/api/v1/enrol", ["token": "exup1.nope." + String(repeating: "0", count: 64), "name": "x", "hostname": "x"])
        #expect(forged.status == 401)
        let taken = try post(client(nil), "/api/v1/enrol", ["token": try newToken(), "name": "web01", "hostname": "impostor"])
        #expect(taken.status == 409, "a second server cannot take an enrolled name")
        let badName = try post(client(nil), "/api/v1/enrol", ["token": try newToken(), "name": "../etc", "hostname": "x"])
        #expect(badName.status == 400)

        #expect(try directives(manager.adminToken).status == 403, "the agent channel needs an agent credential")
        #expect(try directives(manager.repositoryPassword).status == 403)
        #expect(try directives("nope.nope").status == 401)
        #expect(try client(credential).get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).status == 403, "agents are not administrators")
        #expect(
            try client(credential).get(manager.url + "/repo/v1/metadata/timestamp.json", maxBytes: 1 << 20).status == 200,
            "an agent reads the repository with its own credential")
    }

    @Test("revoke stops a credential at once (also after a restart); rotate replaces it; re-enrolment needs permission")
    func revokeAndRotate() throws {
        let first = try enrol("web01")
        let rotated = try object(try post(admin, "/api/v1/agents/web01/rotate"))["credential"] as! String
        #expect(try directives(first).status == 401)
        #expect(try directives(rotated).status == 200)
        #expect(try post(admin, "/api/v1/agents/web01/revoke").status == 200)
        #expect(try directives(rotated).status == 401)
        try manager.restart()
        #expect(try directives(rotated).status == 401, "revocation is stored, not only cached")
        let second = try enrol("web01")
        #expect(try directives(second).status == 200, "a revoked name may enrol again")
        let third = try post(client(nil), "/api/v1/enrol", ["token": try newToken(), "name": "web01", "hostname": "reinstalled"])
        #expect(third.status == 409)
        #expect(try post(admin, "/api/v1/agents/web01/allow-reenrolment").status == 200)
        let fourth = try enrol("web01")
        #expect(try directives(second).status == 401 && (try directives(fourth).status == 200))
        #expect(try post(admin, "/api/v1/agents/ghost/revoke").status == 404)
        let codes = try logCodes()
        for code in ["X12", "X13", "X14"] { #expect(codes.contains(code), "\(code) logged") }
    }

    // MARK: - Reports, statuses, approvals, directives

    @Test("report → status → approve → directives (ETag) → agent progress → done, with the application log")
    func approvalRoundTrip() throws {
        try add(try package("bmc-2.32", version: "2.32"))
        let credential = try enrol("web01")
        let first = try directives(credential)
        let etag = try #require(first.headers["etag"])
        #expect(try directives(credential, etag: etag).status == 304, "an unchanged poll costs a 304")

        #expect(try object(try report(credential, sequence: 1))["outcome"] as? String == "accepted")
        #expect(try object(try report(credential, sequence: 1))["outcome"] as? String == "duplicate", "an outbox resend changes nothing")
        var module = try serverModule("web01")
        #expect(module["status"] as? String == "update-available" && module["available"] as? String == "2.32")

        let approved = try post(admin, "/api/v1/servers/web01/approve", ["allowReboot": true])
        #expect(approved.status == 201, "\(approved.text)")
        let poll = try directives(credential, etag: etag)
        #expect(poll.status == 200 && poll.headers["etag"] != etag, "an approval changes the directives")
        let items = try object(poll)["items"] as! [[String: Any]]
        #expect(items.count == 1 && items[0]["moduleID"] as? String == "bmc-firmware" && items[0]["version"] as? String == "2.32")
        #expect((items[0]["options"] as! [String: Any])["allowReboot"] as? Bool == true)
        let itemID = (items[0]["id"] as! NSNumber).int64Value
        #expect(try serverModule("web01")["status"] as? String == "waiting-apply")

        _ = try report(credential, sequence: 2, items: [.init(itemID: itemID, state: .started, percent: 40)])
        module = try serverModule("web01")
        #expect(module["status"] as? String == "applying")
        #expect(
            try object(try admin.get(manager.url + "/api/v1/servers/web01", maxBytes: 1 << 20))["status"] as? String == "applying",
            "Table 10: a server with an applying module is applying")
        let server = try object(try admin.get(manager.url + "/api/v1/servers/web01", maxBytes: 1 << 20))
        #expect((server["run"] as! [String: Any])["percent"] as? Int == 40)
        let cancel = try object(try post(admin, "/api/v1/servers/web01/cancel"))
        #expect((cancel["cancelled"] as! [Any]).isEmpty && (cancel["refused"] as! [Any]).count == 1, "a started item cannot be cancelled")

        _ = try report(credential, sequence: 3, bmc: "2.32", items: [.init(itemID: itemID, state: .succeeded)])
        #expect(try serverModule("web01")["status"] as? String == "latest")
        #expect((try object(try directives(credential))["items"] as! [Any]).isEmpty, "a finished item leaves the directives")
        let codes = try logCodes()
        for code in ["X15", "N06", "N07", "E11"] where !codes.contains(code) {
            Issue.record("\(code) missing from the application log: \(codes)")
        }
    }

    @Test("approval is refused as a whole, naming each module and why; a pending item can be cancelled")
    func refusalsAndCancel() throws {
        try add(try package("bmc-2.30", version: "2.30"))
        try add(try package("bmc-2.32", version: "2.32"))
        let credential = try enrol("web01")
        let noReport = try post(admin, "/api/v1/servers/web01/approve")
        #expect(noReport.status == 409, "nothing can be approved before the inventory is known")
        _ = try report(credential, sequence: 1)

        let downgrade = try post(admin, "/api/v1/servers/web01/approve", ["modules": [["id": "bmc-firmware", "version": "2.30"]]])
        #expect(downgrade.status == 409)
        let message = error(downgrade).message
        #expect(message.contains("bmc-firmware"), "\(message)")
        let unknown = try post(admin, "/api/v1/servers/web01/approve", ["modules": [["id": "bios"]]])
        #expect(unknown.status == 409 && error(unknown).message.contains("bios"))
        let badField = try post(admin, "/api/v1/servers/web01/approve", ["reboot": true])
        #expect(badField.status == 400, "unknown fields are refused, not ignored")
        #expect(try post(admin, "/api/v1/servers/ghost/approve").status == 404)

        #expect(try post(admin, "/api/v1/servers/web01/approve").status == 201)
        let busy = try post(admin, "/api/v1/servers/web01/approve")
        #expect(busy.status == 409, "a module already waiting cannot be approved twice")
        let cancel = try object(try post(admin, "/api/v1/servers/web01/cancel"))
        #expect((cancel["cancelled"] as! [Any]).count == 1)
        #expect((try object(try directives(credential))["items"] as! [Any]).isEmpty)
        #expect(try serverModule("web01")["status"] as? String == "cancelled", "cancelled modules show Cancelled (§3.5.1(c))")
        #expect(try logCodes().contains("N15"))
        _ = try report(credential, sequence: 2)
        #expect(try serverModule("web01")["status"] as? String == "update-available", "the next report shows the update again")
    }

    @Test("a report is validated: unknown fields and a wrong schema are refused and change nothing")
    func badReports() throws {
        let credential = try enrol("web01")
        _ = try report(credential, sequence: 1)
        let unknown = try client(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(#"{"schema":1,"bogus":1}"#.utf8))
        #expect(unknown.status == 400)
        let garbage = try client(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array("{not json".utf8))
        #expect(garbage.status == 400)
        #expect(try serverModule("web01")["current"] as? String == "2.31", "the stored report is intact")
    }

    // MARK: - CLI

    @Test("the exup CLI lists servers and approves, in text and JSON")
    func cli() throws {
        try add(try package("bmc-2.32", version: "2.32"))
        let credential = try enrol("web01")
        _ = try report(credential, sequence: 1)
        let environment = ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin"]
        let exup = BuiltProducts.path("exup")
        let servers = try Subprocess.run([exup, "servers", "--json"], environment: environment)
        #expect(servers.status == 0, "\(servers.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(servers.stdout.utf8)) as! [[String: Any]]
        #expect(list.count == 1 && list[0]["status"] as? String == "update-available")
        // Times as the API writes them (the generated client reads them as dates; --json must not print numbers).
        let answered = try JSONSerialization.jsonObject(with: Data(try admin.get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).body))
        let lastSeen = (answered as? [[String: Any]])?.first?["lastSeen"] as? String
        #expect(lastSeen?.count == 20 && list[0]["lastSeen"] as? String == lastSeen, "\(list[0]["lastSeen"] ?? "-") vs \(lastSeen ?? "-")")
        let text = try Subprocess.run([exup, "server", "show", "web01"], environment: environment)
        #expect(text.status == 0 && text.stdout.contains("2.32") && text.stdout.contains("bmc-firmware"))
        let approve = try Subprocess.run([exup, "approve", "web01", "--module", "bmc-firmware=2.32"], environment: environment)
        #expect(approve.status == 0 && approve.stdout.contains("approved"), "\(approve.stderr)")
        let again = try Subprocess.run([exup, "approve", "web01"], environment: environment)
        #expect(
            again.status == 1 && again.stderr.hasPrefix("exup: ") && again.stderr == "exup: web01 has no pending updates\n"
                && !again.stderr.contains("Usage"),
            "a refusal is an error exit with the manager's reason in one line: \(again.stderr)")
        let token = try Subprocess.run([exup, "agents", "token", "create", "--uses", "2"], environment: environment)
        #expect(token.status == 0 && token.stdout.hasPrefix("exup1."))
        let agents = try Subprocess.run([exup, "agents", "list", "--json"], environment: environment)
        #expect((try JSONSerialization.jsonObject(with: Data(agents.stdout.utf8)) as! [[String: Any]]).map { $0["name"] as? String } == ["web01"])
    }
}

extension HTTPClient.Response {
    var text: String { String(decoding: body, as: UTF8.self) }
}
