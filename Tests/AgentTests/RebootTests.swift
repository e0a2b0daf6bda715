import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// Reboots, blocking states, the health gate, cache care, and the fault matrix (seed §2.1.2–§2.1.6, §4.2):
/// the reboot command is a script that records the reboot, writes a new boot id and kills the agent, as a
/// power cycle would; the agent is killed at each step of a two-item run with a reboot through
/// EXUP_AGENT_FAULT.
@Suite(.serialized) final class RebootTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }

    init() throws { fleet = try TestFleet() }

    /// A BMC firmware (no reboot, older) and a BIOS that needs a reboot.
    func publishTwo() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31", releaseDate: "2026-01-01"))
        try manager.add(
            try fleet.packages.build(
                id: "bios-4.3.0", module: "system-bios", version: "R120h BIOS 4.3.0", releaseDate: "2025-06-01",
                rebootRequired: true, program: "printf 'R120h BIOS 4.3.0\\n' > \"$SERVER/system-firmware\""))
    }

    func states(_ server: String, _ items: [String: Int64]) throws -> [String: String] {
        var out: [String: String] = [:]
        for (module, id) in items { out[module] = try manager.item(server, id)["state"] as? String }
        return out
    }

    @Test("allowed: one reboot after the last item; 'rebooting' until the new boot; then the BIOS is confirmed by re-reading it")
    func rebootOnce() throws {
        try publishTwo()
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor, simulatedReboot: true)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware", "system-bios"], options: ["allowReboot": true])
        _ = try web01.runOnce(expectSuccess: false)  // the "power cycle" kills it
        #expect(web01.runOrder == ["bmc-2.31", "bios-4.3.0"] && web01.reboots == 1, "\(web01.runOrder), \(web01.reboots) reboots")
        #expect(try manager.module("web01", "system-bios")["status"] as? String == "rebooting")
        #expect(try states("web01", items) == ["bmc-firmware": "succeeded", "system-bios": "reboot-required"])

        try web01.runOnce()  // the first poll after the new boot
        #expect(try states("web01", items) == ["bmc-firmware": "succeeded", "system-bios": "succeeded"], "confirmed after the reboot")
        #expect(try manager.module("web01", "system-bios")["status"] as? String == "latest")
        try web01.runOnce()
        #expect(web01.reboots == 1 && web01.runOrder.count == 2, "nothing ran twice, one reboot")
    }

    @Test("not allowed, or an item failed: no reboot; 'reboot required' blocks the module until a reboot by hand, then it is confirmed")
    func noReboot() throws {
        try publishTwo()
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor, simulatedReboot: true)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware", "system-bios"])
        try web01.runOnce()
        #expect(web01.reboots == 0)
        #expect(try manager.module("web01", "system-bios")["status"] as? String == "reboot-required")
        // The module refuses more until the server reboots (R039–R046), and says why.
        try manager.add(
            try fleet.packages.build(
                id: "bios-4.4.0", module: "system-bios", version: "R120h BIOS 4.4.0", releaseDate: "2025-07-01",
                rebootRequired: true, program: "exit 0"))
        let refused = try manager.admin.send(
            "POST", manager.url + "/api/v1/servers/web01/approve",
            body: Array(try JSONSerialization.data(withJSONObject: ["modules": [["id": "system-bios"]]])))
        #expect(
            refused.status == 409 && String(decoding: refused.body, as: UTF8.self).lowercased().contains("reboot"),
            "\(String(decoding: refused.body, as: UTF8.self))")

        try "boot-by-hand\n".write(toFile: web01.dir.file("boot_id"), atomically: true, encoding: .utf8)
        try web01.runOnce()
        #expect(try states("web01", items)["system-bios"] == "succeeded", "judged after the boot")

        // A failed item in a run stops the reboot even when allowed (§2.1.2).
        let web02 = try ManagedServer(name: "web02", manager: manager, vendor: fleet.vendor, simulatedReboot: true)
        try manager.add(
            try fleet.packages.build(
                id: "bmc-2.40", module: "bmc-firmware", version: "2.40", releaseDate: "2026-02-01",
                program: "echo 'flash error' >&2\nexit 5"))
        try web02.runOnce()
        _ = try manager.approve("web02", ["bmc-firmware", "system-bios"], options: ["allowReboot": true])
        try web02.runOnce()
        #expect(web02.reboots == 0, "no reboot after a failure")
        #expect(try manager.module("web02", "bmc-firmware")["status"] as? String == "apply-failed")
    }

    @Test("the health gate: a critical sensor stops a firmware item, naming it; the override applies it anyway")
    func healthGate() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        try web01.bmc.setSensor(1, value: 95)  // Inlet Temp: upper critical 90
        sleep(2)  // ipmi_sim re-reads sensor files once a second
        let items = try manager.approve("web01", ["bmc-firmware"])
        try web01.runOnce()
        let item = try manager.item("web01", items["bmc-firmware"]!)
        #expect(item["state"] as? String == "failed" && (item["message"] as? String ?? "").contains("Inlet Temp is critical (95"), "\(item)")
        #expect(web01.runOrder.isEmpty, "the program never started")
        let overridden = try manager.approve("web01", ["bmc-firmware"], options: ["overrideHealthGate": true])
        try web01.runOnce()
        #expect(try manager.item("web01", overridden["bmc-firmware"]!)["state"] as? String == "succeeded")
    }

    @Test("health-gate = strict: a BMC whose sensors cannot be read stops firmware items; normal lets them run")
    func strictGate() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        var noSensors = SimulatedBMC.Setup()
        noSensors.sensors = []
        let strict = try ManagedServer(
            name: "strict01", manager: manager, vendor: fleet.vendor, extraAgentSettings: "health-gate = \"strict\"", bmcSetup: noSensors)
        let normal = try ManagedServer(name: "normal01", manager: manager, vendor: fleet.vendor, bmcSetup: noSensors)
        for server in [strict, normal] { try server.runOnce() }
        let strictItems = try manager.approve("strict01", ["bmc-firmware"])
        let normalItems = try manager.approve("normal01", ["bmc-firmware"])
        for server in [strict, normal] { try server.runOnce() }
        let refused = try manager.item("strict01", strictItems["bmc-firmware"]!)
        #expect(refused["state"] as? String == "failed" && (refused["message"] as? String ?? "").contains("health gate (strict)"), "\(refused)")
        #expect(try manager.item("normal01", normalItems["bmc-firmware"]!)["state"] as? String == "succeeded")
    }

    @Test("a cache that would leave less than the reserve refuses the download with a clear message")
    func cacheReserve() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor, extraAgentSettings: "cache-reserve-mib = 1048576")
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware"])
        try web01.runOnce()
        let item = try manager.item("web01", items["bmc-firmware"]!)
        #expect(item["state"] as? String == "failed" && (item["message"] as? String ?? "").contains("not enough free space"), "\(item)")
        #expect(web01.runOrder.isEmpty)
    }

    @Test("a BMC that stops answering during a run: the item cannot be confirmed and fails with the cause; nothing hangs; it recovers")
    func silentBMC() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware"])
        web01.bmc.pause()
        _ = try web01.runOnce(expectSuccess: false)
        web01.bmc.resume()
        let item = try manager.item("web01", items["bmc-firmware"]!)
        #expect(item["state"] as? String == "failed" && (item["message"] as? String ?? "").contains("bmc-firmware reads"), "\(item)")
        #expect(web01.runOrder == ["bmc-2.31"], "the program ran once; only its confirmation failed")
        try web01.runOnce()
        #expect(try manager.module("web01", "bmc-firmware")["current"] as? String == "2.31", "the BMC answers again and is read")
    }

    @Test("uninstall runs the package's Uninstall program; the agent's own uninstall runs last and the manager lets the server go (R195)")
    func uninstall() throws {
        try manager.add(try fleet.packages.software("exup-hello", version: "1.0-1"))
        try manager.add(
            try fleet.packages.build(
                id: "exup-agent-\(ExupVersion.string)", module: "exup-agent", version: ExupVersion.string,
                releaseDate: "2026-01-01", program: "exit 0", uninstall: "echo agent-removed >> \"$SERVER/removed.log\""))
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor)
        try web01.runOnce()
        _ = try manager.approve("web01", ["package:exup-hello"])
        try web01.runOnce()
        #expect(try web01.installedDebVersion("exup-hello") == "1.0-1")

        func uninstall(_ module: String) throws -> Int64 {
            let response = try manager.admin.send(
                "POST", manager.url + "/api/v1/servers/web01/uninstall",
                body: Array(try JSONSerialization.data(withJSONObject: ["module": module])))
            #expect(response.status == 201, "\(module): \(String(decoding: response.body, as: UTF8.self))")
            return ((try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["id"] as? NSNumber)?.int64Value ?? -1
        }
        let agentItem = try uninstall("exup-agent")
        let helloItem = try uninstall("package:exup-hello")
        let outcome = try web01.runOnce()
        let states = Dictionary(
            uniqueKeysWithValues: (outcome["items"] as? [[String: Any]] ?? []).map {
                (($0["itemID"] as! NSNumber).int64Value, $0["state"] as! String)
            })
        #expect(try web01.installedDebVersion("exup-hello") == nil, "removed by its Uninstall program")
        #expect(
            web01.runOrder.suffix(2) == ["exup-hello-1.0-1", "exup-agent-\(ExupVersion.string)"], "the agent's own uninstall last: \(web01.runOrder)")
        #expect(states[helloItem] == "succeeded" && states[agentItem] == "succeeded", "\(states)")
        let servers = try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).body))
        #expect(!((servers as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "web01" }, "the server is no longer managed")
        let log = String(decoding: try manager.admin.get(manager.url + "/api/v1/log", maxBytes: 1 << 20).body, as: UTF8.self)
        #expect(log.contains("uninstalled itself"))
    }

    @Test(
        "kill -9 at each step of a two-item run with a reboot, then restart: nothing twice, one reboot, every result reported",
        arguments: ["before-download", "during-download", "verifying", "running", "after-last-item", "before-reboot", "after-reboot-command"])
    func faultMatrix(_ point: String) throws {
        try publishTwo()
        let web01 = try ManagedServer(name: "web01", manager: manager, vendor: fleet.vendor, simulatedReboot: true)
        try web01.runOnce()
        let items = try manager.approve("web01", ["bmc-firmware", "system-bios"], options: ["allowReboot": true])
        #expect(try web01.runOnce(fault: point) != 0, "killed at \(point)")
        // Restart until the run settles: the reboot kills the agent once more; the cycle after confirms.
        for _ in 0..<4 { _ = try web01.runOnce(expectSuccess: false) }
        #expect(web01.runOrder == ["bmc-2.31", "bios-4.3.0"], "\(point): each program once: \(web01.runOrder)")
        #expect(web01.reboots == 1, "\(point): one reboot, not \(web01.reboots)")
        #expect(try states("web01", items) == ["bmc-firmware": "succeeded", "system-bios": "succeeded"], "\(point)")
        #expect(try manager.module("web01", "system-bios")["status"] as? String == "latest")
    }
}

/// A reboot command that returns before the host goes down (`shutdown -r +5`), or a host that never goes
/// down: the command runs once per boot, never at every poll; after the grace the items say the reboot did
/// not happen.
@Suite(.serialized) final class RebootOnceTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }

    init() throws { fleet = try TestFleet() }

    func biosNeedingReboot() throws {
        try manager.add(
            try fleet.packages.build(
                id: "bios-4.3.0", module: "system-bios", version: "R120h BIOS 4.3.0", releaseDate: "2025-06-01",
                rebootRequired: true, program: "printf 'R120h BIOS 4.3.0\\n' > \"$SERVER/system-firmware\""))
    }

    @Test("the command returned and no new boot came: not run again at later polls, 'rebooting' while the grace lasts")
    func commandRunsOnce() throws {
        try biosNeedingReboot()
        let web01 = try ManagedServer(
            name: "web01", manager: manager, vendor: fleet.vendor, rebootReturnsWithoutRebooting: true,
            extraAgentSettings: "reboot-grace-seconds = 3600")
        try web01.runOnce()
        let items = try manager.approve("web01", ["system-bios"], options: ["allowReboot": true])
        try web01.runOnce()
        #expect(web01.reboots == 1)
        for _ in 0..<3 { try web01.runOnce() }
        #expect(web01.reboots == 1, "the reboot command ran \(web01.reboots) times in one boot")
        #expect(try manager.module("web01", "system-bios")["status"] as? String == "rebooting")
        #expect(try manager.item("web01", items["system-bios"]!)["state"] as? String == "reboot-required")
    }

    @Test("after the grace without a new boot: 'the reboot did not happen', the module is 'reboot required', the command is not repeated")
    func rebootDidNotHappen() throws {
        try biosNeedingReboot()
        let web02 = try ManagedServer(
            name: "web02", manager: manager, vendor: fleet.vendor, rebootReturnsWithoutRebooting: true,
            extraAgentSettings: "reboot-grace-seconds = 0")
        try web02.runOnce()
        let items = try manager.approve("web02", ["system-bios"], options: ["allowReboot": true])
        try web02.runOnce()
        #expect(web02.reboots == 1)
        try web02.runOnce()
        try web02.runOnce()
        #expect(web02.reboots == 1, "the reboot command ran \(web02.reboots) times in one boot")
        let item = try manager.item("web02", items["system-bios"]!)
        #expect(item["state"] as? String == "reboot-required")
        #expect((item["message"] as? String ?? "").hasPrefix("the reboot did not happen: "), "\(item)")
        #expect(try manager.module("web02", "system-bios")["status"] as? String == "reboot-required")

        // A reboot by hand later still confirms the item.
        try "boot-by-hand\n".write(toFile: web02.dir.file("boot_id"), atomically: true, encoding: .utf8)
        try web02.runOnce()
        #expect(try manager.item("web02", items["system-bios"]!)["state"] as? String == "succeeded")
        #expect(web02.reboots == 1)
    }
}
