import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// The manager's pages in a real browser: headless Chromium driven by Selenium (Tests/Browser/web_ui.py)
/// against an exup-manager seeded here — an upstream it synced from (so there is a new-package notice),
/// two servers reporting an outdated BMC, a group, an operator and a viewer. Screenshots of the main pages
/// land in .build/web-screenshots/.
@Suite(.serialized) final class WebUITests {
    let upstream: ManagerProcess
    let manager: ManagerProcess
    let dir: TemporaryDirectory
    let vendor: TestVendor
    let model = "Express5800/R120h-1M"
    let root = PythonTools.repositoryRoot(from: #filePath)

    init() throws {
        dir = try TemporaryDirectory()
        vendor = try TestVendor(in: dir)
        upstream = try ManagerProcess()
        try upstream.trust(vendor)
        let config = try dir.write(
            "manager.toml",
            """
            [repository.upstream]
            url = "\(upstream.url)"
            password = "\(upstream.repositoryPassword)"
            sync-interval = 0

            """)
        manager = try ManagerProcess(extraArguments: ["--config", config])
        try manager.trust(vendor)
    }

    deinit {
        manager.stop()
        upstream.stop()
    }

    func post(_ path: String, _ body: Any, on target: ManagerProcess? = nil) throws -> HTTPClient.Response {
        let target = target ?? manager
        return try target.admin.send("POST", target.url + path, body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + path, maxBytes: 8 << 20).body)) as? [String: Any] ?? [:]
    }

    func package(id: String, name: String, version: String, releaseDate: String) throws -> String {
        var info = InfoXML()
        info.id = id
        info.name = name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        info.version = version
        info.releaseDate = releaseDate
        return try HandPackage(info: info.bytes).write(to: dir, name: "\(id).zip", signedWith: vendor.key)
    }

    /// An agent that enrols and reports once (the pages are under test here, not the agent).
    func server(_ name: String) throws {
        let token = (try JSONSerialization.jsonObject(with: Data(try post("/api/v1/agents/tokens", [:]).body)) as! [String: Any])["token"] as! String
        let enrolled = try HTTPClient().send(
            "POST", manager.url + "/api/v1/enrol",
            body: Array(try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "hostname": name])))
        let credential = (try JSONSerialization.jsonObject(with: Data(enrolled.body)) as! [String: Any])["credential"] as! String
        let report = AgentReport(
            sequence: 1,
            identity: .init(model: model, os: OSIdentity(id: "debian", versionID: "12"), hostname: name, bootID: "b1", agentVersion: "test"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: "2.15", source: "ipmi")])
        let sent = try HTTPClient.bearer(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report)))
        #expect(sent.status == 200)
    }

    @Test("log in, approve for one server, cancel, group apply, schedules, repository add and delete, the log, a viewer refused — in Chromium")
    func browser() throws {
        let python = try PythonTools.python(root: root)
        let published = try package(id: "bmc-2.31", name: "BMC firmware 2.31", version: "2.31", releaseDate: "2026-03-01")
        #expect(try upstream.admin.post(upstream.url + "/api/v1/repository/packages?mode=all&name=bmc-2.31.zip", file: published).status == 201)
        for (name, role) in [("olivia", "operator"), ("victor", "viewer")] {
            #expect(try post("/api/v1/users", ["name": name, "role": role, "password": "a long password"]).status == 201)
        }
        for name in ["web01", "web02"] { try server(name) }
        #expect(try post("/api/v1/repository/sync", [:]).status == 202)
        for _ in 0..<300 where (try json("/api/v1/repository/sync"))["state"] as? String == "running" { usleep(100_000) }
        #expect(try json("/api/v1/repository/sync")["state"] as? String == "succeeded", "the sync brings bmc-2.31 and a new-package notice")
        #expect(try post("/api/v1/groups", ["name": "racks"]).status == 201)
        #expect(try post("/api/v1/groups/racks/members", ["add": ["web01", "web02"]]).status == 200)

        let hostile = "<script>alert(\"owned\")</script> BMC 2.40"
        let upload = try package(id: "bmc-2.40-web", name: hostile, version: "2.40", releaseDate: "2026-04-01")
        let adminPassword = try String(contentsOfFile: manager.data.file("admin.password"), encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let seed: [String: Any] = [
            "operator": ["name": "olivia", "password": "a long password"], "viewer": ["name": "victor", "password": "a long password"],
            "admin": ["name": "admin", "password": adminPassword], "servers": ["web01", "web02"], "group": "racks",
            "uploadFile": upload, "uploadID": "bmc-2.40-web", "hostileName": hostile, "scheduleStart": "2030-01-02T03:04",
        ]
        let passwordBefore = manager.repositoryPassword
        let seedFile = try dir.write("seed.json", String(decoding: try JSONSerialization.data(withJSONObject: seed), as: UTF8.self))
        let shots = root + "/.build/web-screenshots"
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let run = try Subprocess.run(
            [python, root + "/Tests/Browser/web_ui.py", "--url", manager.url, "--seed", seedFile, "--screenshots", shots],
            environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path])
        #expect(run.status == 0 && run.stdout.contains("all checks passed"), "\(run.stdout)\n\(run.stderr.suffix(3000))")

        // What the pages did, seen through the API.
        let web02 = ((try json("/api/v1/servers/web02"))["run"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(
            web02.contains { $0["module"] as? String == "bmc-firmware" && $0["state"] as? String == "pending" },
            "the group apply left an approved item on web02: \(web02)")
        let web01 = ((try json("/api/v1/servers/web01"))["run"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(
            web01.filter { $0["state"] as? String == "cancelled" }.count == 2,
            "web01: cancelled on its page, then its group item from elsewhere: \(web01)")
        #expect(
            try manager.admin.get(manager.url + "/api/v1/repository/packages/bmc-2.40-web", maxBytes: 1 << 20).status == 404, "deleted from the page")
        let log =
            try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + "/api/v1/log?limit=5000", maxBytes: 16 << 20).body))
            as? [[String: Any]] ?? []
        let approvals = log.filter { $0["message"] as? String == "Update approved" }
        #expect(approvals.contains { $0["actor"] as? String == "olivia" }, "approvals from the pages are the user's: \(approvals)")
        #expect(!approvals.contains { $0["actor"] as? String == "victor" }, "the viewer approved nothing")
        let schedules =
            try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + "/api/v1/schedules", maxBytes: 1 << 20).body)) as? [Any]
        #expect(schedules?.isEmpty == true, "the batch made on the page was deleted there")
        let settings = try json("/api/v1/repository/settings")
        #expect(
            settings["syncIntervalHours"] as? Int == 12 && settings["syncTime"] as? String == "04:15"
                && settings["initialStatusIcon"] as? String == "no-package",
            "saved from the page: \(settings)")
        #expect(manager.repositoryPassword != passwordBefore, "the page rotated the repository password")
        for page in ["fleet", "server", "group", "repository", "settings", "log", "schedules", "fleet-phone"] {
            #expect(FileManager.default.fileExists(atPath: "\(shots)/\(page).png"), "screenshot \(page)")
        }
    }
}
