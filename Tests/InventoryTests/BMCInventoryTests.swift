import ExupCore
import ExupTesting
import Foundation
import Testing

@testable import Inventory

/// The inventory against a simulated BMC (ipmi_sim on loopback, read through libfreeipmi), compared with
/// what FreeIPMI's own tools print for the same BMC.
@Suite(.serialized) final class BMCInventoryTests {
    func configuration(_ bmc: SimulatedBMC, password: String? = nil, timeoutMilliseconds: Int = 1500) -> IPMIConfiguration {
        var config = IPMIConfiguration()
        config.driver = .lan20
        config.host = "127.0.0.1"
        config.port = Int(bmc.port)
        config.username = bmc.setup.username
        config.password = password ?? bmc.setup.password
        config.workarounds = ["opensesspriv"]
        config.timeoutMilliseconds = timeoutMilliseconds
        config.sdrCacheDirectory = bmc.directory.file("agent-sdr-cache")
        return config
    }

    func collect(_ bmc: SimulatedBMC, password: String? = nil, root: String = "/", sensors: Bool = true) -> Inventory {
        var sources = InventorySources(ipmi: configuration(bmc, password: password))
        sources.root = root
        sources.readSensors = sensors
        sources.packages.system = .none
        return InventoryCollector(sources).collect()
    }

    func freeipmi(_ tool: String, _ bmc: SimulatedBMC, _ extra: [String] = []) throws -> String {
        let path = try requireTool(tool)
        let result = try Subprocess.run([path] + bmc.freeipmiArguments + extra)
        guard result.status == 0 else { throw TestFailure("\(tool) failed: \(result.stderr)") }
        return result.stdout
    }

    func field(_ output: String, _ name: String) -> String? {
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                return String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    @Test("model, BMC firmware and system firmware equal what bmc-info and ipmi-fru print")
    func matchesFreeIPMI() throws {
        let bmc = try SimulatedBMC()
        let inventory = collect(bmc)
        #expect(inventory.problems.isEmpty, "\(inventory.problems)")
        let fru = try freeipmi("ipmi-fru", bmc)
        let info = try freeipmi("bmc-info", bmc)
        let system = try freeipmi("bmc-info", bmc, ["--get-system-info"])
        #expect(inventory.model == field(fru, "FRU Product Name"))
        #expect(inventory.modelSource == "ipmi:fru-product-name")
        #expect(inventory.module(ModuleID.bmcFirmware)?.version == field(info, "Firmware Revision"))
        #expect(inventory.module(ModuleID.bmcFirmware)?.version == "2.15")
        #expect(
            inventory.module(ModuleID.bmcFirmware)?.detail == "auxiliary firmware revision " + field(info, "Auxiliary Firmware Revision Information")!
        )
        #expect(inventory.module(ModuleID.systemBIOS)?.version == field(system, "System Firmware Version"))
        #expect(inventory.module(ModuleID.systemBIOS)?.source == "ipmi:get-system-info")
        #expect(inventory.module(ModuleID.sdr)?.version == "1.07")
        #expect(inventory.module(ModuleID.sdr)?.source == "ipmi:sdr-oem-record")
    }

    @Test("sensor states equal ipmi-sensors; a reading pushed over the critical threshold is critical")
    func sensors() throws {
        var setup = SimulatedBMC.Setup()
        setup.sensors = [
            SimulatedBMC.Sensor(number: 1, name: "Inlet Temp", value: 25),
            SimulatedBMC.Sensor(number: 2, name: "CPU Temp", value: 40),
        ]
        let bmc = try SimulatedBMC(setup)
        let cache = bmc.directory.file("tool-sdr-cache")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        func toolStates() throws -> [String: String] {
            let output = try freeipmi(
                "ipmi-sensors", bmc, ["--sdr-cache-directory=\(cache)", "--output-sensor-state", "--no-header-output", "--comma-separated-output"])
            var states: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if cells.count > 3 { states[cells[1]] = cells[3].lowercased() }
            }
            return states
        }
        try eventually("ipmi_sim reads its sensor files") { try toolStates() == ["Inlet Temp": "nominal", "CPU Temp": "nominal"] }
        var inventory = collect(bmc)
        var states = Dictionary(uniqueKeysWithValues: (inventory.sensors ?? []).map { ($0.name, $0.state.rawValue) })
        #expect(states == ["Inlet Temp": "nominal", "CPU Temp": "nominal"])
        #expect(states == (try toolStates()))
        try bmc.setSensor(1, value: 95)
        try eventually("ipmi_sim reads the new value") { try toolStates()["Inlet Temp"] == "critical" }
        inventory = collect(bmc)
        states = Dictionary(uniqueKeysWithValues: (inventory.sensors ?? []).map { ($0.name, $0.state.rawValue) })
        #expect(states["Inlet Temp"] == "critical")
        #expect(states == (try toolStates()))
        #expect(inventory.sensors?.first { $0.name == "Inlet Temp" }?.reading == 95)
        #expect(inventory.sensors?.first { $0.name == "Inlet Temp" }?.unit == "C")
    }

    @Test("a flash of the BMC firmware is seen on the next read")
    func flash() throws {
        let bmc = try SimulatedBMC()
        #expect(collect(bmc, sensors: false).module(ModuleID.bmcFirmware)?.version == "2.15")
        try bmc.flash(bmcFirmware: "2.31")
        let after = collect(bmc, sensors: false)
        #expect(after.module(ModuleID.bmcFirmware)?.version == "2.31")
        #expect(after.module(ModuleID.bmcFirmware)?.version == field(try freeipmi("bmc-info", bmc), "Firmware Revision"))
        try bmc.setSystemFirmware("R120h BIOS 4.3.0")
        #expect(collect(bmc, sensors: false).module(ModuleID.systemBIOS)?.version == "R120h BIOS 4.3.0")
    }

    @Test("a wrong password: one error naming the BMC, no further IPMI calls, the rest still read")
    func wrongPassword() throws {
        let bmc = try SimulatedBMC()
        let root = try SystemFixture.make(productName: "SMBIOS Model", biosVersion: "SMBIOS BIOS 1.0")
        let inventory = collect(bmc, password: "wrong", root: root.path)
        #expect(inventory.isPartial)
        let ipmiProblems = inventory.problems.filter { $0.contains("BMC ") }
        #expect(ipmiProblems.count == 1, "one failure, not one per module: \(inventory.problems)")
        #expect(ipmiProblems.first?.hasPrefix("BMC \(bmc.host): authentication failed: password invalid; ") == true)
        #expect(ipmiProblems.first?.contains("[ipmi] workarounds = [\"opensesspriv\"]") == true, "the documented workaround is named")
        #expect(inventory.module(ModuleID.bmcFirmware)?.version == nil)
        #expect(inventory.module(ModuleID.bmcFirmware)?.error?.contains("authentication failed") == true)
        #expect(inventory.model == "SMBIOS Model" && inventory.modelSource == "smbios:product_name")
        #expect(inventory.module(ModuleID.systemBIOS)?.version == "SMBIOS BIOS 1.0")
        #expect(inventory.os == OSIdentity(id: "debian", versionID: "12"))
        #expect(inventory.sensors == nil)
    }

    @Test("a dead port gives one timeout error naming the BMC")
    func deadPort() throws {
        let bmc = try SimulatedBMC()
        bmc.stop()
        var sources = InventorySources(ipmi: configuration(bmc, timeoutMilliseconds: 600))
        sources.packages.system = .none
        let inventory = InventoryCollector(sources).collect()
        let ipmiProblems = inventory.problems.filter { $0.contains("BMC ") }
        #expect(ipmiProblems.count == 1, "\(inventory.problems)")
        #expect(ipmiProblems.first?.hasPrefix("BMC \(bmc.host): no answer:") == true, "\(ipmiProblems)")
    }

    @Test("a BMC that stops answering mid-session gives a timeout, and the session is over")
    func stopsAnswering() throws {
        let bmc = try SimulatedBMC()
        let session = try IPMISession(configuration(bmc, timeoutMilliseconds: 800))
        #expect(try session.deviceID().firmwareRevision == "2.15")
        bmc.pause()
        defer { bmc.resume() }
        #expect {
            _ = try session.fruNames()
        } throws: { error in
            guard let error = error as? IPMIError else { return false }
            return error.endsSession && error.description.hasPrefix("BMC \(bmc.host): no answer")
        }
    }

    @Test("a BMC without SDR version, sensors or system info: empty sensors, no sdr module, SMBIOS BIOS")
    func sparseBMC() throws {
        var setup = SimulatedBMC.Setup()
        setup.sensors = []
        setup.sdrVersion = nil
        setup.systemFirmware = nil
        setup.productName = nil
        let bmc = try SimulatedBMC(setup)
        let root = try SystemFixture.make(productName: "unused", biosVersion: "SMBIOS BIOS 2.0")
        let inventory = collect(bmc, root: root.path)
        #expect(inventory.problems.isEmpty, "\(inventory.problems)")
        #expect(inventory.sensors == [])
        #expect(inventory.module(ModuleID.sdr) == nil)
        #expect(inventory.module(ModuleID.systemBIOS)?.version == "SMBIOS BIOS 2.0")
        #expect(inventory.module(ModuleID.systemBIOS)?.source == "smbios:bios_version")
        #expect(inventory.model == "R120h-1M mainboard" && inventory.modelSource == "ipmi:fru-board-product-name")
    }

    @Test("FRU fields padded with spaces and NULs are trimmed")
    func paddedModel() throws {
        var setup = SimulatedBMC.Setup()
        setup.productName = "Express5800/T120h   \0\0"
        let bmc = try SimulatedBMC(setup)
        #expect(collect(bmc, sensors: false).model == "Express5800/T120h")
    }

    @Test("in-band IPMI on a machine without a BMC is a clear error, not a hang")
    func noInbandDevice() throws {
        try #require(!FileManager.default.fileExists(atPath: "/dev/ipmi0"), "this machine has a real BMC")
        var config = IPMIConfiguration()
        config.driver = .inband
        #expect {
            _ = try IPMISession(config)
        } throws: { error in
            (error as? IPMIError)?.description.hasPrefix("BMC in-band: unreachable") == true
        }
    }
}

/// A fake root with /sys/class/dmi/id and /etc/os-release.
enum SystemFixture {
    static func make(
        productName: String?, biosVersion: String?,
        osRelease: String = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"
    ) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "exup-root")
        if let productName { try root.write("sys/class/dmi/id/product_name", productName + "\n") }
        if let biosVersion { try root.write("sys/class/dmi/id/bios_version", biosVersion + "\n") }
        try root.write("etc/os-release", osRelease)
        return root
    }
}
