import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// The pages' defences over plain HTTP (no browser): the login form's nonce, the session cookie's flags,
/// CSRF on every form, the same permissions as the API, log out, and uploads that are malformed or name
/// paths outside the pool.
@Suite(.serialized) final class WebSecurityTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }

    init() throws {
        fixture = try VendorManager()
        try fixture.serverWithUpdate()
        for (name, role) in [("olivia", "operator"), ("victor", "viewer")] {
            let body = Array(try JSONSerialization.data(withJSONObject: ["name": name, "role": role, "password": "a long password"]))
            #expect(try manager.admin.send("POST", manager.url + "/api/v1/users", body: body).status == 201)
        }
    }

    var pages: WebPageClient { WebPageClient(url: manager.url) }
    func cookie(_ response: HTTPClient.Response, _ name: String) -> String? { WebPageClient.cookie(response, name) }
    func form(_ fields: [(String, String)]) -> [UInt8] { WebPageClient.form(fields) }
    func csrf(in page: HTTPClient.Response) -> String? { WebPageClient.csrf(in: page) }

    /// Logs in through the form; returns the session cookie.
    func login(_ user: String) throws -> String {
        let response = try pages.submitLogin(user, password: "a long password")
        #expect(response.status == 303 && response.headers["location"] == "/fleet")
        let flags = response.headers["set-cookie"] ?? ""
        #expect(flags.contains("HttpOnly") && flags.contains("SameSite=Strict") && !flags.contains("Secure"), "plain HTTP: no Secure flag: \(flags)")
        return try #require(cookie(response, "exup_session"))
    }

    func get(_ path: String, session: String?) throws -> HTTPClient.Response { try pages.get(path, session: session) }

    func post(_ path: String, session: String, _ fields: [(String, String)]) throws -> HTTPClient.Response {
        try pages.post(path, session: session, fields)
    }

    var items: [[String: Any]] {
        let detail =
            try? JSONSerialization.jsonObject(with: Data(manager.admin.get(manager.url + "/api/v1/servers/web01", maxBytes: 1 << 20).body))
            as? [String: Any]
        return (detail?["run"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
    }

    @Test("pages need a session; the login form needs its nonce; pages carry a CSP and no-store")
    func sessions() throws {
        let anonymous = try get("/fleet", session: nil)
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login")
        #expect(try get("/fleet", session: "exups_forged.value").headers["location"] == "/login", "an unknown session is no session")
        let noNonce = try HTTPClient().send(
            "POST", manager.url + "/login", body: form([("username", "olivia"), ("password", "a long password")]),
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(noNonce.status == 403 && noNonce.headers["set-cookie"]?.hasPrefix("exup_session") != true, "a login form from elsewhere is refused")
        let session = try login("olivia")
        let page = try get("/fleet", session: session)
        #expect(page.status == 200)
        #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true && page.headers["cache-control"] == "no-store")
    }

    @Test("every form needs the session's CSRF token, and the API's permission; log out ends the session")
    func forms() throws {
        let session = try login("olivia")
        let noToken = try post("/servers/web01/approve", session: session, [("module", "bmc-firmware")])
        #expect(noToken.status == 403 && String(decoding: noToken.body, as: UTF8.self).contains("CSRF"))
        let otherToken = try post(
            "/servers/web01/approve", session: session, [("csrf", "0123456789abcdef0123456789abcdef01234567"), ("module", "bmc-firmware")])
        #expect(otherToken.status == 403)
        #expect(items.isEmpty, "nothing was approved without a genuine form")

        let viewer = try login("victor")
        let viewerPage = try get("/servers/web01", session: viewer)
        #expect(!String(decoding: viewerPage.body, as: UTF8.self).contains("/servers/web01/approve"), "a viewer sees no Approve")
        let refused = try post("/servers/web01/approve", session: viewer, [("csrf", try #require(csrf(in: viewerPage))), ("module", "bmc-firmware")])
        #expect(refused.status == 403 && String(decoding: refused.body, as: UTF8.self).contains("needs the apply permission"))
        #expect(items.isEmpty, "the server refused the viewer")

        let token = try #require(csrf(in: try get("/servers/web01", session: session)))
        let approved = try post("/servers/web01/approve", session: session, [("csrf", token), ("module", "bmc-firmware"), ("latest-only", "on")])
        #expect(approved.status == 303 && approved.headers["location"] == "/servers/web01")
        #expect(items.count == 1 && items.first?["state"] as? String == "pending", "\(items)")

        #expect(try post("/logout", session: session, [("csrf", token)]).headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try get("/fleet", session: session).headers["location"] == "/login", "the session ended on the server, not only in the browser")
    }

    /// A multipart upload to /repository/add with a session, the CSRF token in the action as the page puts it.
    func upload(_ session: String, body: [UInt8], csrf: String?, boundary: String = "XyZ") throws -> HTTPClient.Response {
        try HTTPClient().send(
            "POST", manager.url + "/repository/add" + (csrf.map { "?csrf=" + $0 } ?? ""), body: body,
            headers: ["Cookie": "exup_session=\(session)", "Content-Type": "multipart/form-data; boundary=\(boundary)"])
    }

    @Test("an upload is refused before its body is read: no session, a viewer, no CSRF token; nothing is stored")
    func uploadAuthorisedFirst() throws {
        let adminPassword = try String(contentsOfFile: manager.data.file("admin.password"), encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let admin = try pages.login("admin", password: adminPassword)
        #expect(
            try manager.admin.send(
                "POST", manager.url + "/api/v1/users",
                body: Array(#"{"name": "vic", "role": "viewer", "password": "viewer-pass"}"#.utf8)
            ).status == 201)
        let viewer = try pages.login("vic", password: "viewer-pass")
        let viewerToken = try #require(csrf(in: try get("/fleet", session: viewer)))
        let incoming = manager.data.file("incoming")
        let before = (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []
        // 100 MiB announced, none sent: an answer can only come from a server that did not wait for the body.
        for (session, query, expected) in [(viewer, "?csrf=\(viewerToken)", "403"), (admin, "", "403"), (nil, "", "303")]
            as [(String?, String, String)]
        {
            let connection = try RawConnection(port: manager.port, timeoutSeconds: 10)
            try connection.send(
                "POST /repository/add\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (session.map { "Cookie: exup_session=\($0)\r\n" } ?? "")
                    + "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 104857600\r\n\r\n--XyZ\r\n")
            let answer = connection.receive(limit: 64 << 10, headersOnly: true).text
            #expect(
                answer.hasPrefix("HTTP/1.1 \(expected)"),
                "\(session == nil ? "no session" : query.isEmpty ? "no CSRF" : "viewer"): \(answer.prefix(80))")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []) == before, "nothing was stored")
    }

    @Test("uploads: a file named with a path is added under its base name; malformed bodies are refused and leave nothing")
    func uploads() throws {
        let adminPassword = try String(contentsOfFile: manager.data.file("admin.password"), encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let session = try pages.login("admin", password: adminPassword)
        let token = try #require(csrf(in: try get("/repository", session: session)))

        var info = InfoXML()
        info.id = "bmc-2.50"
        info.version = "2.50"
        let package = try [UInt8](
            Data(
                contentsOf: URL(
                    fileURLWithPath: try HandPackage(info: info.bytes).write(to: fixture.work, name: "p.zip", signedWith: fixture.vendor.key))))
        func part(_ headers: String, _ content: [UInt8]) -> [UInt8] { Array("--XyZ\r\n\(headers)\r\n\r\n".utf8) + content + Array("\r\n".utf8) }
        let body =
            part("Content-Disposition: form-data; name=\"csrf\"", Array(token.utf8))
            + part("Content-Disposition: form-data; name=\"mode\"", Array("all".utf8))
            + part("Content-Disposition: form-data; name=\"files\"; filename=\"../../etc/cron.d/evil.zip\"\r\nContent-Type: application/zip", package)
            + Array("--XyZ--\r\n".utf8)
        let added = try upload(session, body: body, csrf: token)
        #expect(added.status == 303)
        let after = try get("/repository", session: session)
        #expect(String(decoding: after.body, as: UTF8.self).contains("evil.zip: added"), "the result names the file by its base name")
        #expect(try manager.admin.get(manager.url + "/api/v1/repository/packages/bmc-2.50", maxBytes: 1 << 20).status == 200)

        let incoming = manager.data.file("incoming")
        let before = (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []
        let truncated = Array(body.dropLast(12))
        let refused = try upload(session, body: truncated, csrf: token)
        #expect(
            refused.status == 400 && String(decoding: refused.body, as: UTF8.self).contains("closing boundary"),
            "\(String(decoding: refused.body, as: UTF8.self))")
        #expect(try upload(session, body: Array("garbage".utf8), csrf: token).status == 400)
        #expect(try upload(session, body: body, csrf: nil).status == 403, "no CSRF token in the action")
        #expect(try upload(session, body: body, csrf: String(repeating: "0", count: 40)).status == 403, "another session's token")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []) == before, "refused uploads leave no file behind")
    }

    @Test("the fleet page shows 200 servers a page, with links to the others, and search narrows before paging")
    func fleetPaging() throws {
        for index in 0..<205 { try fixture.serverWithUpdate(String(format: "node%03d", index)) }
        let session = try login("victor")
        func rows(_ page: HTTPClient.Response) -> Int {
            String(decoding: page.body, as: UTF8.self).components(separatedBy: "<tr><td><a href=\"/servers/").count - 1
        }
        let first = try get("/fleet", session: session)
        let text = String(decoding: first.body, as: UTF8.self)
        #expect(rows(first) == 200 && text.contains("page 1 of 2") && text.contains("Servers (206 of 206)"))
        let second = try get("/fleet?q=&filter=all&page=1", session: session)
        #expect(rows(second) == 6 && String(decoding: second.body, as: UTF8.self).contains("rel=\"prev\""))
        let searched = try get("/fleet?q=node20&filter=all", session: session)
        #expect(rows(searched) == 5, "node200…node204")
    }

    @Test("the Uninstall tab offers the software a repository package can uninstall, and approves its removal")
    func uninstallTab() throws {
        var info = InfoXML()
        info.id = "hello-1.0"
        info.module = "package:hello"
        info.version = "1.0"
        info.targets = [("Express5800/R120h-1M", "debian")]
        info.uninstallCommand = "payload/apply.sh"
        let file = try HandPackage(info: info.bytes).write(to: fixture.work, name: "hello.zip", signedWith: fixture.vendor.key)
        #expect(try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=hello.zip", file: file).status == 201)
        try fixture.serverWithUpdate(
            "web02",
            extraModules: [
                ModuleReading(id: "package:hello", name: "hello", version: "1.0", source: "dpkg"),
                ModuleReading(id: "package:other", name: "other", version: "2.0", source: "dpkg"),
            ])
        let session = try login("olivia")
        let page = try get("/servers/web02?tab=uninstall", session: session)
        let text = String(decoding: page.body, as: UTF8.self)
        #expect(text.contains("<option value=\"package:hello\">") && !text.contains("package:other"), "only what a package can uninstall")
        let done = try post("/servers/web02/uninstall", session: session, [("csrf", try #require(csrf(in: page))), ("module", "package:hello")])
        #expect(done.status == 303)
        let detail =
            try JSONSerialization.jsonObject(with: Data(manager.admin.get(manager.url + "/api/v1/servers/web02", maxBytes: 1 << 20).body))
            as? [String: Any]
        let items = (detail?["run"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(items.contains { $0["kind"] as? String == "uninstall" && $0["module"] as? String == "package:hello" }, "\(items)")
    }
}
