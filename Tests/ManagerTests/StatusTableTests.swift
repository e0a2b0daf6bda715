import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

extension FleetTests {
    /// Sends a report whose modules and journal activities are given.
    func report(
        _ credential: String, sequence: Int64, modules: [ModuleReading], activities: [String: ModuleActivity] = [:],
        items: [AgentReport.ItemState] = []
    ) throws -> HTTPClient.Response {
        let report = AgentReport(
            sequence: sequence,
            identity: .init(
                model: r120h, os: OSIdentity(id: "debian", versionID: "12"), hostname: "web01",
                bootID: "b1", agentVersion: "test"),
            modules: modules, activities: activities, items: items)
        return try client(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report)))
    }

    func statuses(_ name: String) throws -> (server: String, modules: [String: String]) {
        let detail = try object(try admin.get(manager.url + "/api/v1/servers/\(name)", maxBytes: 1 << 20))
        let modules = (detail["modules"] as? [[String: Any]] ?? []).map { ($0["id"] as! String, $0["status"] as! String) }
        return (detail["status"] as! String, Dictionary(modules, uniquingKeysWith: { a, _ in a }))
    }

    @Test("Tables 8 and 10 end to end: each module status from the journal and the repository, and the server status by priority")
    func statusTables() throws {
        try add(try package("bmc-2.32", version: "2.32"))
        var uninstallable = InfoXML()
        uninstallable.id = "agent-tools-1.0"
        uninstallable.module = "pkg:exup-tools"
        uninstallable.version = "1.0"
        uninstallable.targets = [(r120h, "linux")]
        uninstallable.uninstallCommand = "payload/uninstall.sh"
        try add(
            try HandPackage(
                info: uninstallable.bytes,
                payload: [
                    ("payload/apply.sh", Array("#!/bin/sh\n".utf8)),
                    ("payload/uninstall.sh", Array("#!/bin/sh\n".utf8)),
                ]
            )
            .write(to: work, name: "tools.zip", signedWith: vendor.key))
        let credential = try enrol("web01")
        let bmc = ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: "2.31", source: "ipmi")
        let sdr = ModuleReading(id: "sdr", name: "SDR", version: "01.00", source: "ipmi")
        let tools = ModuleReading(id: "pkg:exup-tools", name: "exup-tools", version: "1.0", source: "dpkg")
        var sequence: Int64 = 0
        func send(_ activities: [String: ModuleActivity] = [:], bmcVersion: String = "2.31", items: [AgentReport.ItemState] = []) throws {
            sequence += 1
            var current = bmc
            current.version = bmcVersion
            let response = try report(credential, sequence: sequence, modules: [current, sdr, tools], activities: activities, items: items)
            #expect(response.status == 200, "\(response.text)")
        }

        try send()
        var s = try statuses("web01")
        #expect(s.modules == ["bmc-firmware": "update-available", "sdr": "no-package", "pkg:exup-tools": "latest"])
        #expect(s.server == "update-available")

        for (activity, module, server) in [
            (ModuleActivity.rebootRequired, "reboot-required", "reboot-required"),
            (.applyFailed, "apply-failed", "apply-failed"),
            (.rebooting, "rebooting", "latest"),
        ] {  // rebooting has no server status of its own (spec 7.6)
            try send(["bmc-firmware": activity])
            s = try statuses("web01")
            #expect(s.modules["bmc-firmware"] == module, "\(activity)")
            #expect(s.server == server, "server status with a module \(module)")
        }
        try send(["bmc-firmware": .applyFailed], bmcVersion: "2.32")
        #expect(try statuses("web01").server == "apply-failed", "apply failed ranks above latest")

        try send(bmcVersion: "2.32")
        s = try statuses("web01")
        #expect(s.modules["bmc-firmware"] == "latest" && s.server == "latest")

        let queued = try post(admin, "/api/v1/servers/web01/uninstall", ["module": "pkg:exup-tools"])
        #expect(queued.status == 201, "\(queued.text)")
        #expect(try statuses("web01").modules["pkg:exup-tools"] == "waiting-uninstall")
        let itemID = (try object(queued)["id"] as! NSNumber).int64Value
        try send(bmcVersion: "2.32", items: [.init(itemID: itemID, state: .started, percent: 10)])
        s = try statuses("web01")
        #expect(s.modules["pkg:exup-tools"] == "uninstalling" && s.server == "uninstalling")
        let items = try object(try directives(credential))["items"] as! [[String: Any]]
        #expect(items.first?["kind"] as? String == "uninstall")
        #expect(try post(admin, "/api/v1/servers/web01/uninstall", ["module": "sdr"]).status == 409, "no package can uninstall the SDR")
    }
}

extension FleetTests {
    @Test("the picker: latest-only offers the newest, all versions adds allowed downgrades, the previous generation is marked [*]")
    func picker() throws {
        for (id, version, downgrade) in [
            ("bmc-2.29", "2.29", "false"), ("bmc-2.30", "2.30", "true"), ("bmc-2.32", "2.32", "false"),
            ("bmc-2.33", "2.33", "false"),
        ] {
            var info = InfoXML()
            info.id = id
            info.module = "bmc-firmware"
            info.version = version
            info.downgrade = downgrade
            info.targets = [(r120h, "linux")]
            try add(try HandPackage(info: info.bytes).write(to: work, name: "\(id).zip", signedWith: vendor.key))
        }
        let credential = try enrol("web01")
        var report = AgentReport(
            sequence: 1,
            identity: .init(
                model: r120h, os: OSIdentity(id: "debian", versionID: "12"), hostname: "web01",
                bootID: "b1", agentVersion: "test"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: "2.31", source: "ipmi")])
        report.previousVersions = ["bmc-firmware": "2.30"]
        #expect(
            try client(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report))).status == 200)
        let module = try serverModule("web01")
        #expect(module["choices"] as? [String] == ["2.33"])
        #expect(module["choicesAllVersions"] as? [String] == ["2.33", "2.32", "2.30 [*]"], "2.29 is a downgrade its package does not allow")
        let downgrade = try post(
            admin, "/api/v1/servers/web01/approve", ["modules": [["id": "bmc-firmware", "version": "2.30"]], "latestOnly": false])
        #expect(downgrade.status == 201, "an allowed downgrade to the previous generation: \(downgrade.text)")
    }
}

extension FleetTests {
    @Test("the agent's own uninstall is always the last directive, whatever the order of the requests")
    func agentUninstallLast() throws {
        func uninstallable(_ module: String, _ id: String) throws {
            var info = InfoXML()
            info.id = id
            info.module = module
            info.version = "1.0"
            info.targets = [(r120h, "linux")]
            info.uninstallCommand = "payload/uninstall.sh"
            try add(
                try HandPackage(
                    info: info.bytes,
                    payload: [
                        ("payload/apply.sh", Array("#!/bin/sh\n".utf8)),
                        ("payload/uninstall.sh", Array("#!/bin/sh\n".utf8)),
                    ]
                )
                .write(to: work, name: "\(id).zip", signedWith: vendor.key))
        }
        try uninstallable("exup-agent", "agent-1.0")
        try uninstallable("pkg:tools", "tools-1.0")
        let credential = try enrol("web01")
        _ = try report(
            credential, sequence: 1,
            modules: [
                ModuleReading(id: "exup-agent", name: "exup agent", version: "1.0", source: "agent"),
                ModuleReading(id: "pkg:tools", name: "tools", version: "1.0", source: "dpkg"),
            ])
        #expect(try post(admin, "/api/v1/servers/web01/uninstall", ["module": "exup-agent"]).status == 201)
        #expect(try post(admin, "/api/v1/servers/web01/uninstall", ["module": "pkg:tools"]).status == 201)
        let items = try object(try directives(credential))["items"] as! [[String: Any]]
        #expect(items.map { $0["moduleID"] as? String } == ["pkg:tools", "exup-agent"])
    }
}
