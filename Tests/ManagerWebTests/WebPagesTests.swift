import ExupCore
import ExupTesting
import Foundation
import Repository
import Testing
import Transport

/// What the pages do, over plain HTTP with a session cookie (the browser test covers the main path; these
/// cover every control the issue names): the picker and its previous generation, per-item progress, the log
/// bundle, the Save tab and icons, the repository views, export, delete and history, sharing managers, the
/// fleet's Table 21 filter, the log's filters and pages, schedule edit, and sync now/cancel.
@Suite(.serialized) final class WebPagesTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }
    var pages: WebPageClient { WebPageClient(url: manager.url) }
    let r120h = "Express5800/R120h-1M"

    init() throws {
        fixture = try VendorManager()
        let body = Array(try JSONSerialization.data(withJSONObject: ["name": "olivia", "role": "operator", "password": "a long password"]))
        #expect(try fixture.manager.admin.send("POST", fixture.manager.url + "/api/v1/users", body: body).status == 201)
    }

    var adminSession: String {
        get throws {
            let password = try String(contentsOfFile: manager.data.file("admin.password"), encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
            return try pages.login("admin", password: password)
        }
    }

    func add(_ id: String, module: String = "bmc-firmware", version: String, downgrade: String = "false", autoUpdate: String = "true") throws {
        var info = InfoXML()
        info.id = id
        info.module = module
        info.version = version
        info.downgrade = downgrade
        info.autoUpdate = autoUpdate
        if autoUpdate == "false" { info.applyCommand = nil }
        let file = try HandPackage(info: info.bytes).write(to: fixture.work, name: "\(id).zip", signedWith: fixture.vendor.key)
        #expect(try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=\(id).zip", file: file).status == 201)
    }

    /// An agent that enrols and sends `report` (sequence 1); returns its credential.
    func enrol(_ name: String, modules: [ModuleReading], previous: [String: String] = [:]) throws -> String {
        let token =
            (try JSONSerialization.jsonObject(
                with: Data(try manager.admin.send("POST", manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8)).body))
            as! [String: Any])["token"] as! String
        let enrolled = try HTTPClient().send(
            "POST", manager.url + "/api/v1/enrol",
            body: Array(try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "hostname": name])))
        let credential = (try JSONSerialization.jsonObject(with: Data(enrolled.body)) as! [String: Any])["credential"] as! String
        var report = AgentReport(
            sequence: 1,
            identity: .init(model: r120h, os: OSIdentity(id: "debian", versionID: "12"), hostname: name, bootID: "b1", agentVersion: "test"),
            modules: modules)
        report.previousVersions = previous
        #expect(try send(credential, report).status == 200)
        return credential
    }

    func send(_ credential: String, _ report: AgentReport) throws -> HTTPClient.Response {
        try HTTPClient.bearer(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report)))
    }

    func api(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + path, maxBytes: 16 << 20).body))
    }

    func text(_ path: String, _ session: String) throws -> String { String(decoding: try pages.get(path, session: session).body, as: UTF8.self) }

    /// The (value, label) pairs of the select named `name` on a page.
    func options(_ page: String, select name: String) -> [(String, String)] {
        guard let start = page.range(of: "<select name=\"\(name)\""), let end = page[start.upperBound...].range(of: "</select>") else { return [] }
        return page[start.upperBound..<end.lowerBound].components(separatedBy: "<option value=\"").dropFirst().map { option in
            (String(option.prefix { $0 != "\"" }), String(option.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }))
        }
    }

    /// Follows an export page until its archive is ready; returns the archive's bytes.
    func exportArchive(_ location: String, _ session: String) throws -> [UInt8] {
        for _ in 0..<100 where !(try text(location, session)).contains("download the archive") { usleep(100_000) }
        let archive = try pages.get(location + "/archive", session: session)
        #expect(archive.status == 200 && archive.headers["content-type"] == "application/zip")
        return archive.body
    }

    @Test("server page: the picker (latest only, every allowed version, [*]) approves a previous generation; per-item progress; the log bundle")
    func serverPage() throws {
        for (id, version, downgrade) in [
            ("bmc-2.29", "2.29", "false"), ("bmc-2.30", "2.30", "true"), ("bmc-2.32", "2.32", "false"), ("bmc-2.33", "2.33", "false"),
        ] {
            try add(id, version: version, downgrade: downgrade)
        }
        let bmc = ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: "2.31", source: "ipmi")
        let credential = try enrol("web01", modules: [bmc], previous: ["bmc-firmware": "2.30"])
        let session = try pages.login("olivia", password: "a long password")

        #expect(options(try text("/servers/web01", session), select: "version:bmc-firmware").map(\.0) == ["2.33"], "latest only")
        let all = options(try text("/servers/web01?versions=all", session), select: "version:bmc-firmware")
        #expect(all.map(\.0) == ["2.33", "2.32", "2.30"] && all.last?.1 == "2.30 [*]", "allowed downgrades, the previous generation marked: \(all)")
        let approved = try pages.submit(
            "/servers/web01/approve", from: "/servers/web01?versions=all", session: session,
            [("module", "bmc-firmware"), ("version:bmc-firmware", "2.30"), ("latest-only", "0")])
        let approvedFlash = try pages.flash("/servers/web01", session: session)
        #expect(approved.status == 303 && approvedFlash.contains("bmc-firmware 2.30"), "\(approvedFlash)")
        let items = ((try api("/api/v1/servers/web01") as? [String: Any])?["run"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        let item = try #require(items.first)
        #expect(item["version"] as? String == "2.30", "the previous generation was approved by its version")

        var report = AgentReport(
            sequence: 2,
            identity: .init(model: r120h, os: OSIdentity(id: "debian", versionID: "12"), hostname: "web01", bootID: "b1", agentVersion: "test"),
            modules: [bmc], items: [.init(itemID: (item["id"] as! NSNumber).int64Value, state: .started, percent: 40)])
        report.previousVersions = ["bmc-firmware": "2.30"]
        #expect(try send(credential, report).status == 200)
        let running = try text("/servers/web01", session)
        #expect(
            running.contains("value=\"40\" aria-label=\"Progress of bmc-firmware\"") && running.contains("aria-label=\"Overall progress\""),
            "per-item and overall progress bars")
        #expect(running.contains("<meta name=\"exup-refresh\""), "a running page refreshes itself")

        #expect(try pages.get("/servers/web01/logs", session: session).status == 404, "no bundle yet")
        #expect(try pages.submit("/servers/web01/logs/request", from: "/servers/web01", session: session, []).status == 303)
        #expect(try pages.flash("/servers/web01", session: session).contains("log bundle requested"))
        let bundle = Array("a gzip'ed tar, as far as this test cares".utf8)
        let bundleFile = try fixture.work.write("bundle.tar.gz", bundle)
        #expect(try HTTPClient.bearer(credential).post(manager.url + "/api/v1/agent/logs", file: bundleFile).status == 201)
        let downloaded = try pages.get("/servers/web01/logs", session: session)
        #expect(downloaded.status == 200 && downloaded.body == bundle, "the page's link downloads what the agent sent")
    }

    @Test("Save tab: download-only packages into an archive, the Table 9 icon set by hand")
    func saveTab() throws {
        try add("sdr-01.02", module: "sdr", version: "01.02", autoUpdate: "false")
        _ = try enrol("web02", modules: [ModuleReading(id: "sdr", name: "SDR", version: "01.00", source: "ipmi")])
        let session = try pages.login("olivia", password: "a long password")
        let tab = try text("/servers/web02?tab=save", session)
        #expect(tab.contains("value=\"sdr\" form=\"save-form\"") && tab.contains("aria-label=\"Status icon of SDR\""))
        #expect(
            try pages.submit("/servers/web02/icon", from: "/servers/web02?tab=save", session: session, [("module", "sdr"), ("icon", "latest")]).status
                == 303)
        let modules = (try api("/api/v1/servers/web02") as? [String: Any])?["modules"] as? [[String: Any]] ?? []
        #expect(modules.first { $0["id"] as? String == "sdr" }?["status"] as? String == "manual-latest")
        let saved = try pages.submit(
            "/servers/web02/save", from: "/servers/web02?tab=save", session: session, [("module", "sdr"), ("versions", "displayed")])
        let location = try #require(saved.headers["location"])
        #expect(location.hasPrefix("/exports/"))
        #expect(try exportArchive(location, session).starts(with: Array("PK".utf8)))
    }

    @Test("repository pages: by model, export, delete with its result, the deletion history cleared, managers sharing it")
    func repository() throws {
        try add("bmc-2.31", version: "2.31")
        try add("bmc-2.33", version: "2.33")
        let session = try adminSession
        #expect(try text("/repository?view=model", session).contains("<h3>\(r120h) · linux</h3>"))
        let exported = try pages.submit("/repository/export", from: "/repository", session: session, [("package", "bmc-2.31")])
        #expect(try exportArchive(try #require(exported.headers["location"]), session).starts(with: Array("PK".utf8)))

        #expect(
            try pages.submit("/repository/delete", from: "/repository", session: session, [("package", "bmc-2.33"), ("how", "normal")]).status == 303)
        let afterDelete = try text("/repository", session)
        #expect(afterDelete.contains("bmc-2.33: deleted") && afterDelete.contains("<h2>Deletion history</h2>\n<p>bmc-2.33</p>"))
        #expect(try pages.submit("/repository/deletion-history/clear", from: "/repository", session: session, []).status == 303)
        let cleared = try text("/repository", session)
        #expect(cleared.contains("deletion history cleared (1 entries)") && cleared.contains("<p>Empty.</p>"))

        let presence = Array(try JSONEncoder().encode(Presence(manager: "branch-7", version: "0.1.0-1", platforms: [], previous: [])))
        #expect(try manager.admin.send("POST", manager.url + "/api/v1/repository/presence", body: presence).status == 200)
        #expect(try text("/repository", session).contains("<td>branch-7</td><td>0.1.0-1</td>"))
    }

    @Test("the fleet's Table 21 filter and counts; the log's level, server and time filters and its pages; a batch edited")
    func fleetLogSchedules() throws {
        try fixture.serverWithUpdate("web01")
        try fixture.serverWithUpdate("web02", current: "2.31")
        let session = try pages.login("olivia", password: "a long password")
        let available = try text("/fleet?filter=update-available", session)
        #expect(available.contains("/servers/web01\"") && !available.contains("/servers/web02\""))
        let latest = try text("/fleet?filter=latest", session)
        #expect(latest.contains("/servers/web02\"") && !latest.contains("/servers/web01\""))
        #expect(available.contains("Update available</span>: <strong>1</strong>") && available.contains("Latest</span>: <strong>1</strong>"))

        for _ in 0..<110 { _ = try manager.admin.get(manager.url + "/api/v1/repository/packages", maxBytes: 1 << 20) }
        let junk = try manager.admin.post(
            manager.url + "/api/v1/repository/packages?name=junk.zip", file: try fixture.work.write("junk.zip", "not a zip"))
        #expect(junk.status == 200 && String(decoding: junk.body, as: UTF8.self).contains(#""code" : "invalid""#), "refused, as a result")
        _ = try pages.submit("/servers/web01/approve", from: "/servers/web01", session: session, [("module", "bmc-firmware"), ("latest-only", "on")])
        let first = try text("/log", session)
        let second = try text("/log?page=1", session)
        #expect(first.contains("rel=\"next\"") && second.contains("rel=\"prev\""), "pages of 100")
        let errors = try text("/log?level=error", session)
        #expect(errors.contains("<td>error</td>") && !errors.contains("<td>info</td>"))
        let web01 = try text("/log?server=web01", session)
        #expect(web01.contains("Update approved") && !web01.contains("Update package list retrieved"))
        #expect(try text("/log?from=2000-01-01T00:00&until=2000-01-02T00:00", session).contains("0 entries"))

        let body = Array(try JSONSerialization.data(withJSONObject: ["server": "web02", "startAt": "2030-01-01T00:00:00Z"]))
        let created =
            try JSONSerialization.jsonObject(with: Data(try manager.admin.send("POST", manager.url + "/api/v1/schedules", body: body).body))
            as? [String: Any]
        let id = try #require(created?["id"] as? Int)
        #expect(
            try pages.submit("/schedules/\(id)", from: "/schedules", session: session, [("start", "2031-02-03T04:05"), ("allow-reboot", "on")]).status
                == 303)
        let batch = (try api("/api/v1/schedules") as? [[String: Any]])?.first
        #expect(batch?["startAt"] as? String == "2031-02-03T04:05:00Z" && batch?["allowReboot"] as? Bool == true, "\(String(describing: batch))")
    }

    @Test("sync now and cancel from the repository page")
    func syncNow() throws {
        try add("bmc-2.31", version: "2.31")  // on the vendor manager, which is the upstream here
        let config = try fixture.work.write(
            "dmz.toml",
            """
            [repository.upstream]
            url = "\(manager.url)"
            password = "\(manager.repositoryPassword)"
            sync-interval = 0

            """)
        let dmz = try ManagerProcess(extraArguments: ["--config", config])
        defer { dmz.stop() }
        try dmz.trust(fixture.vendor)
        let platform = Array(try JSONSerialization.data(withJSONObject: ["model": r120h, "os": "debian:12"]))
        #expect(try dmz.admin.send("POST", dmz.url + "/api/v1/repository/platforms", body: platform).status == 201)
        let password = try String(contentsOfFile: dmz.data.file("admin.password"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let client = WebPageClient(url: dmz.url)
        let session = try client.login("admin", password: password)
        #expect(try client.submit("/repository/sync", from: "/repository", session: session, []).status == 303)
        #expect(try client.flash("/repository", session: session).contains("repository update started"))
        var page = ""
        for _ in 0..<100 {
            page = String(decoding: try client.get("/repository", session: session).body, as: UTF8.self)
            if page.contains("Last run: succeeded") { break }
            usleep(100_000)
        }
        #expect(page.contains("Last run: succeeded") && page.contains("added bmc-2.31"), "the page shows the sync's result")
        #expect(try client.submit("/repository/sync/cancel", from: "/repository", session: session, []).status == 303)
        #expect(try client.flash("/repository", session: session).contains("no repository update is running"))
    }
}
