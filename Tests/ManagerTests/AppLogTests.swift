import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// The application log through the API and `exup log`: filters, paging (Tables 18/19 as exup writes them).
@Suite(.serialized) final class AppLogTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }

    init() throws { fixture = try VendorManager() }

    func entries(_ query: String) throws -> [[String: Any]] {
        let response = try manager.admin.get(manager.url + "/api/v1/log?" + query, maxBytes: 16 << 20)
        #expect(response.status == 200, "\(query): \(String(decoding: response.body, as: UTF8.self))")
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]) ?? []
    }

    @Test("filters by time, server, level and text; pages with after and limit; exup log does the same")
    func filters() throws {
        var info = InfoXML()
        info.id = "bmc-2.31"
        let good = try HandPackage(info: info.bytes).write(to: fixture.work, name: "good.zip", signedWith: fixture.vendor.key)
        #expect(try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=good.zip", file: good).status == 201)
        let bad = try fixture.work.write("bad.zip", Array("not a zip".utf8))
        let refused = try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=bad.zip", file: bad)
        #expect(refused.status == 200 && String(decoding: refused.body, as: UTF8.self).contains(#""result" : "error""#), "a refused file is a result")
        let body = Array(try JSONSerialization.data(withJSONObject: ["username": "mallory", "password": "guessing-game"]))
        #expect(try HTTPClient().send("POST", manager.url + "/api/v1/login", body: body).status == 401)

        let all = try entries("")
        #expect(all.count >= 4)
        let errors = try entries("level=error")
        #expect(!errors.isEmpty && errors.allSatisfy { $0["level"] as? String == "error" } && errors.contains { $0["code"] as? String == "E15" })
        #expect(try entries("grep=mallory").map { $0["code"] as? String } == ["X23"], "text in the actor")
        #expect(try entries("grep=E15").allSatisfy { $0["code"] as? String == "E15" }, "a code matches exactly")
        #expect(try entries("grep=" + "100%25").isEmpty, "LIKE wildcards in the text are literal")
        #expect(try entries("since=\(Int(Date().timeIntervalSince1970) + 3600)").isEmpty)
        #expect(try entries("since=0").count == all.count)
        #expect(try entries("server=web01").isEmpty)
        let page = try entries("limit=2")
        let next = try entries("limit=2&after=\((page.last?["id"] as? NSNumber)?.int64Value ?? 0)")
        #expect(page.count == 2 && next.first?["id"] as? Int == (all.count > 2 ? all[2]["id"] as? Int : nil), "pages follow each other")
        let badLevel = try manager.admin.get(manager.url + "/api/v1/log?level=loud", maxBytes: 1 << 20)
        #expect(badLevel.status == 400)

        let environment = ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin"]
        let cli = try Subprocess.run([BuiltProducts.path("exup"), "log", "--level", "error", "--since", "1h"], environment: environment)
        #expect(cli.status == 0 && cli.stdout.contains("E15") && !cli.stdout.contains("N18"), "\(cli.stdout)\(cli.stderr)")
        let paged = try Subprocess.run([BuiltProducts.path("exup"), "log", "--limit", "1"], environment: environment)
        #expect(paged.stdout.contains("(more: exup log --after"), "\(paged.stdout)")
        let wrongSince = try Subprocess.run([BuiltProducts.path("exup"), "log", "--since", "yesterday"], environment: environment)
        #expect(wrongSince.status != 0 && wrongSince.stderr.contains("--since must be"))
    }
}
