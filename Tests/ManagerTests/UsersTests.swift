import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// Users and the apply permission through the API, as users of each role (seed §3.5.1, R069–R072).
@Suite(.serialized) final class UsersTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }
    var work: TemporaryDirectory { fixture.work }
    var vendor: TestVendor { fixture.vendor }
    let r120h = "Express5800/R120h-1M"

    init() throws { fixture = try VendorManager() }

    func client(_ token: String?) -> HTTPClient { .bearer(token) }

    func post(_ token: String?, _ path: String, _ body: Any = [String: Any]()) throws -> HTTPClient.Response {
        try client(token).send("POST", manager.url + path, body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    func get(_ token: String?, _ path: String) throws -> HTTPClient.Response { try client(token).get(manager.url + path, maxBytes: 16 << 20) }

    func message(_ response: HTTPClient.Response) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    func login(_ name: String, _ password: String) throws -> String {
        let response = try post(nil, "/api/v1/login", ["username": name, "password": password])
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any])["token"] as! String
    }

    var adminPassword: String {
        (try? String(contentsOfFile: manager.data.file("admin.password"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    func serverWithUpdate() throws { try fixture.serverWithUpdate() }

    @Test("first start: user admin with a generated password in DATA/admin.password (0600); wrong passwords are refused and logged")
    func firstAdministrator() throws {
        let mode = try FileManager.default.attributesOfItem(atPath: manager.data.file("admin.password"))[.posixPermissions] as? Int
        #expect(mode == 0o600 && adminPassword.count >= 16)
        // Not a terminal (a log, the journal): the secrets are named by file, never printed.
        #expect(manager.process?.output.contains("admin.password") == true, "the first start says where the password is")
        #expect(manager.process?.output.contains(adminPassword) == false, "no secret reaches a log")
        let token = try login("admin", adminPassword)
        #expect(try get(token, "/api/v1/users").status == 200)
        let wrong = try post(nil, "/api/v1/login", ["username": "admin", "password": "not-it-at-all"])
        let unknown = try post(nil, "/api/v1/login", ["username": "nobody", "password": "not-it-at-all"])
        #expect(wrong.status == 401 && unknown.status == 401 && message(wrong) == message(unknown), "no hint which part was wrong")
        let log = String(decoding: try get(token, "/api/v1/log").body, as: UTF8.self)
        #expect(log.contains("X23"), "failed logins are logged")
        try manager.restart()
        #expect(try get(token, "/api/v1/servers").status == 200, "a session survives a restart")
        #expect(!(manager.process?.output.contains("admin.password") ?? true), "the first start's notice is not repeated")
    }

    @Test("password guessing is slowed: after five failures even the right password waits (429, logged); other users are not affected")
    func throttledGuessing() throws {
        for _ in 0..<5 { #expect(try post(nil, "/api/v1/login", ["username": "admin", "password": "a wrong guess"]).status == 401) }
        let right = try post(nil, "/api/v1/login", ["username": "admin", "password": adminPassword])
        #expect(right.status == 429 && message(right).contains("too many failed logins for admin: try again in"), "\(message(right))")
        #expect(try post(nil, "/api/v1/users", [:]).status == 401, "the API itself is untouched")
        let body = Array(try JSONSerialization.data(withJSONObject: ["name": "olga", "role": "viewer", "password": "a long password"]))
        #expect(try manager.admin.send("POST", manager.url + "/api/v1/users", body: body).status == 201)
        _ = try login("olga", "a long password")
        let log = String(decoding: try manager.admin.get(manager.url + "/api/v1/log", maxBytes: 4 << 20).body, as: UTF8.self)
        #expect(log.contains("too many failed logins"), "refusals are logged")
    }

    @Test("each role through the API: viewers read, operators also apply, administrators also manage; refusals say what is missing")
    func permissions() throws {
        try serverWithUpdate()
        let admin = try login("admin", adminPassword)
        #expect(try post(admin, "/api/v1/users", ["name": "olga", "role": "operator", "password": "operator-pass"]).status == 201)
        #expect(try post(admin, "/api/v1/users", ["name": "vic", "role": "viewer", "password": "viewer-pass"]).status == 201)
        #expect(try post(admin, "/api/v1/users", ["name": "vic", "role": "viewer", "password": "viewer-pass"]).status == 409)
        #expect(try post(admin, "/api/v1/users", ["name": "short", "role": "viewer", "password": "x"]).status == 400)
        #expect(try post(admin, "/api/v1/users", ["name": "bad", "role": "god", "password": "long-enough"]).status == 400)
        let operatorToken = try login("olga", "operator-pass")
        let viewer = try login("vic", "viewer-pass")

        // Reading: everyone.
        for token in [viewer, operatorToken, admin] {
            #expect(try get(token, "/api/v1/servers").status == 200)
            #expect(try get(token, "/api/v1/servers/web01").status == 200)
            #expect(try get(token, "/api/v1/repository/packages").status == 200)
            #expect(try get(token, "/api/v1/log").status == 200)
        }
        // The apply permission: approve, cancel, uninstall, download now, log bundles.
        for path in [
            "/api/v1/servers/web01/approve", "/api/v1/servers/web01/cancel", "/api/v1/servers/web01/uninstall",
            "/api/v1/repository/sync", "/api/v1/servers/web01/logs/request",
        ] {
            let refused = try post(viewer, path, path.hasSuffix("uninstall") ? ["module": "bmc-firmware"] : [:])
            #expect(
                refused.status == 403 && message(refused).contains("the apply permission") && message(refused).contains("vic has the role viewer"),
                "\(path): \(refused.status) \(message(refused))")
        }
        let approved = try post(operatorToken, "/api/v1/servers/web01/approve")
        #expect(approved.status == 201, "an operator approves: \(message(approved))")
        #expect(try post(operatorToken, "/api/v1/servers/web01/cancel").status == 200)
        // Administration: users, tokens, agents, repository contents.
        for (path, body) in [
            ("/api/v1/users", ["name": "x1", "role": "viewer", "password": "long-enough"]), ("/api/v1/agents/tokens", [:]),
            ("/api/v1/agents/web01/revoke", [:]), ("/api/v1/repository/packages/delete", ["ids": ["bmc-2.31"]]),
            ("/api/v1/repository/deletion-history/clear", [:]),
        ] as [(String, [String: Any])] {
            let refused = try post(operatorToken, path, body)
            #expect(refused.status == 403 && message(refused).contains("the administrator role"), "\(path): \(refused.status)")
        }
        #expect(try get(operatorToken, "/api/v1/users").status == 403)

        // Passwords: one's own, or anyone's as administrator; a change ends the user's sessions.
        #expect(try post(viewer, "/api/v1/users/olga/password", ["password": "hijacked-pass"]).status == 403)
        // A session alone cannot change its user's password: the current one is asked for.
        let withoutCurrent = try post(viewer, "/api/v1/users/vic/password", ["password": "new-viewer-pass"])
        #expect(
            withoutCurrent.status == 400 && message(withoutCurrent).contains("current password"),
            "\(withoutCurrent.status) \(message(withoutCurrent))")
        let wrongCurrent = try post(viewer, "/api/v1/users/vic/password", ["password": "new-viewer-pass", "currentPassword": "guessed-pass"])
        #expect(wrongCurrent.status == 401 && message(wrongCurrent).contains("current password is wrong"))
        #expect(try get(viewer, "/api/v1/servers").status == 200, "nothing changed: the session still works")
        #expect(try post(viewer, "/api/v1/users/vic/password", ["password": "new-viewer-pass", "currentPassword": "viewer-pass"]).status == 200)
        #expect(try get(viewer, "/api/v1/servers").status == 401, "the old session ended")
        _ = try login("vic", "new-viewer-pass")
        // Removing: the user's sessions end at once; the last administrator stays.
        // An administrator resets another user's password without theirs; the log says it was a reset.
        #expect(try post(admin, "/api/v1/users/vic/password", ["password": "reset-viewer-pass"]).status == 200)
        let resets =
            try JSONSerialization.jsonObject(
                with: Data(
                    try HTTPClient.bearer(manager.adminToken)
                        .get(manager.url + "/api/v1/log?grep=reset", maxBytes: 1 << 20).body)) as? [[String: Any]] ?? []
        #expect(resets.contains { ($0["cause"] as? String) == "vic (reset by admin)" }, "\(resets)")
        #expect(try post(admin, "/api/v1/users/olga/remove").status == 200)
        #expect(try get(operatorToken, "/api/v1/servers").status == 401)
        let last = try post(admin, "/api/v1/users/admin/remove")
        #expect(last.status == 409 && message(last).contains("last administrator"))
        // The automation token keeps working for scripts.
        #expect(try get(manager.adminToken, "/api/v1/users").status == 200)
        #expect(try post(admin, "/api/v1/logout").status == 200)
        #expect(try get(admin, "/api/v1/servers").status == 401)
    }

    @Test("exup login keeps a 0600 session under the home directory; exup users manages users")
    func cli() throws {
        let home = try TemporaryDirectory()
        let environment = ["EXUP_SERVER": manager.url, "HOME": home.path, "PATH": "/usr/bin:/bin"]
        func exup(_ arguments: String...) throws -> Subprocess.Result {
            try Subprocess.run([BuiltProducts.path("exup")] + arguments, environment: environment)
        }
        #expect(try exup("servers").status != 0, "no session yet")
        let login = try exup("login", "--username", "admin", "--password", adminPassword)
        #expect(login.status == 0 && login.stdout.contains("as admin (administrator)"), "\(login.stdout)\(login.stderr)")
        let session = home.file(".config/exup/session.json")
        #expect(try FileManager.default.attributesOfItem(atPath: session)[.posixPermissions] as? Int == 0o600)
        #expect(try exup("servers").status == 0, "the saved session is used")
        let added = try exup("users", "add", "vic", "--role", "viewer", "--password", "viewer-pass")
        #expect(added.status == 0 && added.stdout.contains("vic") && added.stdout.contains("viewer"), "\(added.stdout)\(added.stderr)")
        let listed = try exup("users", "list", "--json")
        let users = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(Set(users?.compactMap { $0["name"] as? String } ?? []) == ["admin", "vic"])
        let asViewer = try exup("login", "--username", "vic", "--password", "viewer-pass")
        #expect(asViewer.status == 0)
        let refused = try exup("approve", "web01")
        #expect(refused.status != 0 && refused.stderr.contains("the apply permission"), "\(refused.stderr)")
    }
}
