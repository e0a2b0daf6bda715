import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// One managed server for the end-to-end tests: its own simulated BMC, a sandboxed dpkg root, an agent
/// configuration pointing at the test's manager and the test vendor's key, and a scratch directory the
/// test packages' programs write to (through `$EXUP_STAGING_DIR/../../..`, which is this directory).
final class ManagedServer {
    let name: String
    let dir: TemporaryDirectory
    let bmc: SimulatedBMC
    let config: String
    let agent = BuiltProducts.path("exup-agent")

    /// `simulatedReboot`: the reboot command records the reboot, writes a new boot id and kills the agent
    /// (as a power cycle would); `rebootReturnsWithoutRebooting`: it records the reboot and returns 0 at
    /// once, and the host never goes down; otherwise it is /bin/false.
    /// `ownTrustDirectory`: the agent trusts a copy of the vendor's keys directory (`trustDirectory`), which
    /// the test may change.
    init(
        name: String, manager: ManagerProcess, vendor: TestVendor, simulatedReboot: Bool = false, rebootReturnsWithoutRebooting: Bool = false,
        extraAgentSettings: String = "", bmcSetup: SimulatedBMC.Setup = SimulatedBMC.Setup(), ownTrustDirectory: Bool = false,
        managerURL: String? = nil
    ) throws {
        self.name = name
        bmc = try SimulatedBMC(bmcSetup)
        dir = try TemporaryDirectory(prefix: "exup-\(name)")
        try dir.write("root/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
        try dir.write("boot_id", "boot-1\n")
        // The packages' programs "flash" this server's simulated BMC through these links.
        try FileManager.default.createSymbolicLink(atPath: dir.file("bmc-firmware"), withDestinationPath: bmc.directory.file("state/bmc-firmware"))
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("system-firmware"), withDestinationPath: bmc.directory.file("state/system-firmware"))
        let admindir = try PackageSandboxes.dpkg([], in: dir)
        let reboot = try dir.write(
            "reboot.sh",
            """
            #!/bin/sh
            echo reboot >> "\(dir.file("reboots.log"))"
            echo "boot-after-reboot-$(wc -l < "\(dir.file("reboots.log"))")" > "\(dir.file("boot_id"))"
            kill -9 $PPID
            """, mode: 0o755)
        let lingeringReboot = try dir.write(
            "reboot-later.sh",
            """
            #!/bin/sh
            echo reboot >> "\(dir.file("reboots.log"))"
            exit 0
            """, mode: 0o755)
        let response = try manager.admin.send("POST", manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8))
        let token = (try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any])["token"] as! String
        config = try dir.write(
            "agent.toml",
            """
            \(bmc.agentIPMITable(sdrCacheDirectory: dir.file("sdr")))

            [inventory]
            root = "\(dir.file("root"))"
            package-system = "dpkg"
            dpkg-admindir = "\(admindir)"
            sensors = false

            [manager]
            url = "\(managerURL ?? manager.url)"
            enrolment-token = "\(token)"

            [agent]
            name = "\(name)"
            state-dir = "\(dir.file("state"))"
            cache-dir = "\(dir.file("cache"))"
            boot-id-file = "\(dir.file("boot_id"))"
            reboot-command = ["\(simulatedReboot ? reboot : rebootReturnsWithoutRebooting ? lingeringReboot : "/bin/false")"]
            \(extraAgentSettings)
            socket = "\(dir.file("agent.sock"))"

            [trust]
            keys-dir = "\(ownTrustDirectory ? try Self.copyDirectory(vendor.trustDirectory, into: dir.file("trusted-keys")) : vendor.trustDirectory)"
            """)
    }

    deinit { bmc.stop() }

    var trustDirectory: String { dir.file("trusted-keys") }

    static func copyDirectory(_ source: String, into target: String) throws -> String {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: target + "/" + name)
        }
        return target
    }

    /// `exup-agent run --once --json`; the outcome, or `["error": message]` when the cycle could not run.
    /// A cycle that ran exits 0 when no item of it failed, 1 when items failed and none succeeded, 2 when
    /// some did each (checked here at every call).
    @discardableResult
    func runOnce(expectSuccess: Bool = true) throws -> [String: Any] {
        let result = try Subprocess.run([agent, "run", "--once", "--json", "--config", config])
        let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        if let json, json["error"] == nil {
            // Judged on the items that ended in this cycle: an earlier run's failure does not count again.
            let ended = Set((json["endedNow"] as? [NSNumber] ?? []).map(\.int64Value))
            let states = (json["items"] as? [[String: Any]] ?? []).filter { ended.contains(($0["itemID"] as? NSNumber)?.int64Value ?? -1) }
                .compactMap { $0["state"] as? String }
            let failed = states.contains("failed"), succeeded = states.contains("succeeded") || states.contains("reboot-required")
            #expect(result.status == (!failed ? 0 : succeeded ? 2 : 1), "\(name): exit status \(result.status) for items \(states)")
            return json
        }
        if expectSuccess { #expect(Bool(false), "\(name): the cycle did not run (\(result.status)): \(result.stdout)\(result.stderr)") }
        let message = (json?["error"] as? [String: Any])?["message"] as? String
        if result.status < 128 {  // not killed at a fault point
            #expect(result.status == 1, "\(name): a cycle that cannot run exits 1, not \(result.status)")
            #expect(message != nil && !result.stdout.contains("Usage"), "under --json the error is JSON: \(result.stdout)")
        }
        return ["error": message ?? result.stderr]
    }

    /// `exup-agent run --once` in the background (to be killed, or waited for).
    func startOnce() throws -> BackgroundProcess {
        try BackgroundProcess([agent, "run", "--once", "--json", "--config", config])
    }

    /// The daemon (`exup-agent run`); its first cycle starts at once.
    func startDaemon() throws -> BackgroundProcess {
        try BackgroundProcess([agent, "run", "--config", config])
    }

    /// One cycle that kills itself at a fault point (EXUP_AGENT_FAULT); returns its exit status.
    func runOnce(fault: String) throws -> Int32 {
        try Subprocess.run([agent, "run", "--once", "--config", config], environment: ["EXUP_AGENT_FAULT": fault, "PATH": "/usr/bin:/bin"]).status
    }

    var reboots: Int {
        ((try? String(contentsOfFile: dir.file("reboots.log"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// The journal's entries, by item id.
    func journal() -> [Int64: [String: Any]] {
        guard let data = FileManager.default.contents(atPath: dir.file("state/journal.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let entries = object["entries"] as? [[String: Any]]
        else { return [:] }
        var out: [Int64: [String: Any]] = [:]
        for entry in entries { out[(entry["itemID"] as! NSNumber).int64Value] = entry }
        return out
    }

    /// Waits until the journal shows `itemID` running with its program's pid; returns the pid.
    func waitForProgram(_ itemID: Int64, timeoutSeconds: Double = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let entry = journal()[itemID], entry["phase"] as? String == "running",
                let program = entry["program"] as? [String: Any], let pid = program["pid"] as? NSNumber
            {
                return pid.int32Value
            }
            usleep(20_000)
        }
        throw TestFailure("item \(itemID) never ran: \(journal())")
    }

    /// The packages' programs append their package id here when they start.
    var runOrder: [String] {
        ((try? String(contentsOfFile: dir.file("order.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func localStatus() throws -> [String: Any] {
        let result = try Subprocess.run([agent, "status", "--json", "--config", config])
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    func installedDebVersion(_ package: String) throws -> String? {
        let result = try Subprocess.run(["dpkg-query", "--root=\(dir.file("dpkg-root"))", "-W", "-f", "${Version}", package])
        return result.status == 0 ? result.stdout : nil
    }
}

/// A manager with its repository and a vendor it trusts: what every end-to-end agent test starts from.
final class TestFleet {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }
    var dir: TemporaryDirectory { fixture.work }
    var vendor: TestVendor { fixture.vendor }
    var packages: TestPackages { TestPackages(vendor: fixture.vendor, dir: fixture.work) }

    init() throws { fixture = try VendorManager() }
}

/// The test vendor's update packages, built by hand as a vendor would (package-format.md).
struct TestPackages {
    let vendor: TestVendor
    let dir: TemporaryDirectory

    /// Every program first appends its package id to `order.log` beside the server's scratch files.
    static func script(_ body: String) -> [UInt8] {
        Array("#!/bin/sh\nSERVER=\"$EXUP_STAGING_DIR/../../..\"\necho \"$EXUP_PACKAGE_ID\" >> \"$SERVER/order.log\"\n\(body)\n".utf8)
    }

    func build(
        id: String, module: String, version: String, releaseDate: String, rebootRequired: Bool = false, timeoutSeconds: Int = 600,
        targets: [(model: String, os: String)] = InfoXML().targets, downgrade: Bool = false,
        program: String, uninstall: String? = nil, extra: [(String, [UInt8])] = []
    ) throws -> String {
        var info = InfoXML()
        info.targets = targets
        info.downgrade = downgrade ? "true" : "false"
        if uninstall != nil { info.uninstallCommand = "payload/uninstall.sh" }
        info.id = id
        info.module = module
        info.version = version
        info.releaseDate = releaseDate
        info.rebootRequired = rebootRequired ? "true" : "false"
        info.applyTimeoutSeconds = timeoutSeconds
        let payload = [("payload/apply.sh", Self.script(program))] + (uninstall.map { [("payload/uninstall.sh", Self.script($0))] } ?? []) + extra
        return try HandPackage(info: info.bytes, payload: payload).write(to: dir, name: "\(id).zip", signedWith: vendor.key)
    }

    /// A BMC firmware package whose program "flashes" the simulated BMC after `delay` seconds.
    func bmcFirmware(_ version: String, id: String? = nil, releaseDate: String = "2026-03-01", delay: Int = 0) throws -> String {
        try build(
            id: id ?? "bmc-\(version)", module: "bmc-firmware", version: version, releaseDate: releaseDate,
            program: (delay > 0 ? "sleep \(delay)\n" : "") + "printf '\(version) 01020304\\n' > \"$SERVER/bmc-firmware\"")
    }

    /// A software package installing a real .deb into the server's sandboxed dpkg root.
    func software(_ name: String, version: String, releaseDate: String = "2026-01-15") throws -> String {
        try dir.write(
            "deb-src-\(name)/DEBIAN/control",
            """
            Package: \(name)
            Version: \(version)
            Architecture: all
            Maintainer: exup tests <tests@example.invalid>
            Description: exup test software

            """)
        let deb = dir.file("\(name)_\(version).deb")
        let made = try Subprocess.run([try requireTool("dpkg-deb"), "--build", dir.file("deb-src-\(name)"), deb])
        guard made.status == 0 else { throw TestFailure("dpkg-deb: \(made.stderr)") }
        return try build(
            id: "\(name)-\(version)", module: "package:\(name)", version: version, releaseDate: releaseDate,
            program: "exec dpkg --root=\"$SERVER/dpkg-root\" -i payload/\(name).deb",
            uninstall: "exec dpkg --root=\"$SERVER/dpkg-root\" -r \(name)",
            extra: [("payload/\(name).deb", Array(try Data(contentsOf: URL(fileURLWithPath: deb))))])
    }
}

extension ManagerProcess {
    func add(_ package: String) throws {
        let name = (package as NSString).lastPathComponent
        let response = try admin.post(url + "/api/v1/repository/packages?mode=all&name=\(name)", file: package)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try admin.get(url + path, maxBytes: 4 << 20).body)) as! [String: Any]
    }

    @discardableResult
    func post(_ path: String, _ body: [String: Any] = [:]) throws -> [String: Any] {
        let response = try admin.send("POST", url + path, body: Array(try JSONSerialization.data(withJSONObject: body)))
        #expect(response.status < 300, "\(path): \(String(decoding: response.body, as: UTF8.self))")
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// Approves modules on a server; returns the item ids by module.
    func approve(_ server: String, _ modules: [String], options: [String: Any] = [:]) throws -> [String: Int64] {
        var body = options
        body["modules"] = modules.map { ["id": $0] }
        let response = try admin.send(
            "POST", url + "/api/v1/servers/\(server)/approve", body: Array(try JSONSerialization.data(withJSONObject: body)))
        #expect(response.status == 201, "approve on \(server): \(String(decoding: response.body, as: UTF8.self))")
        var out: [String: Int64] = [:]
        for item in (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]) ?? [] {
            out[item["module"] as! String] = (item["id"] as! NSNumber).int64Value
        }
        return out
    }

    /// One module of a server as the manager shows it.
    func module(_ server: String, _ id: String) throws -> [String: Any] {
        (try json("/api/v1/servers/\(server)")["modules"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id } ?? [:]
    }
}

extension ManagerProcess {
    /// One approved item as the manager shows it in the server's run.
    func item(_ server: String, _ id: Int64) throws -> [String: Any] {
        let run = try json("/api/v1/servers/\(server)")["run"] as? [String: Any] ?? [:]
        return (run["items"] as? [[String: Any]] ?? []).first { ($0["id"] as? NSNumber)?.int64Value == id } ?? [:]
    }
}
