import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// Groups through the API and the CLI (seed §3.5.2, Table 21), and download-only status icons (Table 9).
@Suite(.serialized) final class GroupsTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }

    init() throws { fixture = try VendorManager() }

    func call(_ method: String, _ path: String, _ body: Any = [String: Any]()) throws -> (Int, Any?) {
        let response =
            method == "GET"
            ? try manager.admin.get(manager.url + path, maxBytes: 16 << 20)
            : try manager.admin.send(method, manager.url + path, body: Array(try JSONSerialization.data(withJSONObject: body)))
        return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
    }

    func names(_ group: Any?) -> [String] { ((group as? [String: Any])?["servers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }

    @Test("Table 21 filters over a group, a group token, bulk approval with each server's rules, and the CLI")
    func groupView() throws {
        #expect(try call("POST", "/api/v1/groups", ["name": "racks"]).0 == 201)
        #expect(try call("POST", "/api/v1/groups", ["name": "racks"]).0 == 409)
        try fixture.serverWithUpdate("web01")
        try fixture.serverWithUpdate("web02", current: "2.31")
        #expect(try call("POST", "/api/v1/groups/racks/members", ["add": ["web01", "web02"]]).0 == 200)
        #expect(try call("POST", "/api/v1/groups/racks/members", ["add": ["ghost"]]).0 == 404)
        // A server enrolled with a group's token joins it.
        let token = try call("POST", "/api/v1/agents/tokens", ["group": "racks"])
        #expect(token.0 == 201)
        let enrol = Array(
            try JSONSerialization.data(withJSONObject: ["token": (token.1 as! [String: Any])["token"]!, "name": "web03", "hostname": "web03"]))
        #expect(try HTTPClient().send("POST", manager.url + "/api/v1/enrol", body: enrol).status == 201)
        #expect(try call("POST", "/api/v1/agents/tokens", ["group": "nope"]).0 == 404)

        #expect(names(try call("GET", "/api/v1/groups/racks").1) == ["web01", "web02", "web03"])
        #expect(names(try call("GET", "/api/v1/groups/racks?filter=update-available").1) == ["web01"])
        #expect(names(try call("GET", "/api/v1/groups/racks?filter=latest").1) == ["web02"], "web03 has not reported: unknown, not latest")
        #expect(try call("GET", "/api/v1/groups/racks?filter=sleeping").0 == 400)

        let (status, results) = try call("POST", "/api/v1/groups/racks/approve", ["allowReboot": true])
        let perServer = results as? [[String: Any]] ?? []
        #expect(status == 201 && perServer.map { $0["server"] as? String } == ["web01"], "only update-available servers: \(perServer)")
        #expect(names(try call("GET", "/api/v1/groups/racks?filter=applying").1) == ["web01"], "waiting to apply counts as applying")
        let view = try call("GET", "/api/v1/groups/racks").1 as? [String: Any]
        #expect(view?["percent"] as? Int == 0, "the overall progress of the run")

        let environment = ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin"]
        func exup(_ arguments: String...) throws -> Subprocess.Result {
            try Subprocess.run([BuiltProducts.path("exup")] + arguments, environment: environment)
        }
        let listed = try exup("groups", "list")
        #expect(listed.status == 0 && listed.stdout.contains("racks"), "\(listed.stdout)\(listed.stderr)")
        let shown = try exup("groups", "show", "racks", "--filter", "applying", "--json")
        #expect(names(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8))) == ["web01"], "\(shown.stdout)\(shown.stderr)")
        #expect(try exup("groups", "create", "dmz").status == 0)
        let policy = try exup("groups", "policy", "racks", "--delay-days", "7", "--canary", "dmz", "--max-failure-percent", "20")
        #expect(policy.status == 0, "\(policy.stderr)")
        #expect(((try call("GET", "/api/v1/groups/racks").1 as? [String: Any])?["policy"] as? [String: Any])?["delayDays"] as? Int == 7)
        // A bare `policy` shows what is in force and changes nothing (it once set a default policy).
        let bare = try exup("groups", "policy", "racks")
        #expect(bare.status == 0 && bare.stdout.contains("7 day(s) after release") && bare.stdout.contains("dmz"), "\(bare.stdout)\(bare.stderr)")
        #expect(((try call("GET", "/api/v1/groups/racks").1 as? [String: Any])?["policy"] as? [String: Any])?["delayDays"] as? Int == 7)
        #expect(try exup("groups", "show", "racks").stdout.contains("automatic approval on"))
        #expect(try exup("groups", "policy", "racks", "--on", "--off").status == 64)
        let scheduled = try exup("schedules", "create", "--group", "racks", "--at", "2099-01-01T02:00:00Z", "--allow-reboot")
        #expect(
            scheduled.status == 0 && scheduled.stdout.contains("group racks") && scheduled.stdout.contains("waiting"),
            "\(scheduled.stdout)\(scheduled.stderr)")
        let past = try exup("schedules", "create", "--for-server", "web01", "--at", "2001-01-01T00:00:00Z")
        #expect(past.status != 0 && past.stderr.contains("has passed"))
        let batchID = try #require(
            ((try JSONSerialization.jsonObject(with: Data(try exup("schedules", "list", "--json").stdout.utf8)) as? [[String: Any]])?.first?["id"]
                as? Int))
        let edited = try exup("schedules", "edit", "\(batchID)", "--allow-reboot", "false", "--json")
        #expect(edited.status == 0 && edited.stdout.contains(#""allowReboot" : false"#), "\(edited.stdout)\(edited.stderr)")
        #expect(try exup("schedules", "edit", "\(batchID)").status == 64, "nothing to change is a usage error")
        let uninstall = try exup("groups", "uninstall", "racks", "--module", "bmc-firmware")
        #expect(
            uninstall.status == 0 && uninstall.stdout.contains("refused"),
            "no uninstaller: refused per server: \(uninstall.stdout)\(uninstall.stderr)")
        #expect(try exup("groups", "delete", "dmz").status == 0)
    }

    @Test("download-only modules show '-' with the icon set by hand (logged N25); the apply permission is needed")
    func manualIcons() throws {
        var info = InfoXML()
        info.id = "sdr-tool-1.0"
        info.module = "sdr"
        info.version = "9.0"
        info.autoUpdate = "false"
        info.applyCommand = nil
        let file = try HandPackage(info: info.bytes, payload: [("payload/readme.txt", Array("install by hand".utf8))])
            .write(to: fixture.work, name: "manual.zip", signedWith: fixture.vendor.key)
        #expect(try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=manual.zip", file: file).status == 201)
        try fixture.serverWithUpdate("web01", current: "2.31", extraModules: [ModuleReading(id: "sdr", name: "SDR", version: "1.07", source: "ipmi")])
        func module() throws -> [String: Any] {
            ((try call("GET", "/api/v1/servers/web01").1 as? [String: Any])?["modules"] as? [[String: Any]] ?? []).first {
                $0["id"] as? String == "sdr"
            } ?? [:]
        }
        #expect(try module()["status"] as? String == "manual-update-available" && module()["statusText"] as? String == "-", "the initial icon")
        #expect(try call("POST", "/api/v1/servers/web01/modules/sdr/status", ["icon": "latest"]).0 == 200)
        #expect(try module()["status"] as? String == "manual-latest")
        #expect(try call("POST", "/api/v1/servers/web01/modules/sdr/status", ["icon": "shiny"]).0 == 400)
        #expect(try call("POST", "/api/v1/servers/web01/modules/nope/status", ["icon": "latest"]).0 == 404)
        let log = String(decoding: try manager.admin.get(manager.url + "/api/v1/log", maxBytes: 1 << 20).body, as: UTF8.self)
        #expect(log.contains("\"N25\"") && log.contains("\"E25\""), "changes and refusals are logged")

        // The Save tab (Table 17): the download-only package, as an archive; then the icon the option names.
        let (saved, job) = try call(
            "POST", "/api/v1/servers/web01/save",
            [
                "modules": ["sdr"], "onlyDisplayedVersion": true,
                "setIconAfterSave": "no-package",
            ])
        #expect(saved == 202, "\(String(describing: job))")
        let id = try #require((job as? [String: Any])?["id"] as? String)
        var state = ""
        for _ in 0..<100 where state != "done" {
            state = (try call("GET", "/api/v1/repository/exports/\(id)").1 as? [String: Any])?["state"] as? String ?? ""
            usleep(50_000)
        }
        let archive = try manager.admin.get(manager.url + "/api/v1/repository/exports/\(id)/archive", maxBytes: 16 << 20)
        #expect(state == "done" && archive.status == 200)
        let savedFile = try fixture.work.write("saved.zip", archive.body)
        let listing = try Subprocess.run(["unzip", "-l", savedFile]).stdout
        #expect(listing.contains("sdr-tool-1.0"), "\(listing)")
        for _ in 0..<50 where try module()["status"] as? String != "manual-no-package" { usleep(50_000) }
        #expect(try module()["status"] as? String == "manual-no-package", "the icon changed after the save")
        #expect(try call("POST", "/api/v1/servers/web01/save", ["modules": ["bmc-firmware"]]).0 == 409, "only download-only packages (R132)")
    }
}
