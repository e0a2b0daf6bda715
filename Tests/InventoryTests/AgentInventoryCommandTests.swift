import ExupCore
import ExupTesting
import Foundation
import Testing

/// `exup-agent inventory` as an operator runs it: the built executable, a configuration file, a
/// simulated BMC, a sandboxed dpkg database.
@Suite(.serialized) struct AgentInventoryCommandTests {
    let agent = BuiltProducts.path("exup-agent")

    func configFile(_ dir: TemporaryDirectory, bmc: SimulatedBMC, password: String, admindir: String, root: String) throws -> String {
        try dir.write(
            "agent.toml",
            """
            \(bmc.agentIPMITable(password: password, sdrCacheDirectory: dir.file("sdr")))

            [inventory]
            root = "\(root)"
            dpkg-admindir = "\(admindir)"
            packages = ["exup-test-tool"]
            """)
    }

    @Test("text and JSON output; every module names its source; exit 0")
    func fullInventory() throws {
        let bmc = try SimulatedBMC()
        let dir = try TemporaryDirectory()
        let admindir = try PackageSandboxes.dpkg(
            [PackageSandboxes.Package(name: "exup-test-tool", debianVersion: "1.2-1", epoch: nil, version: "1.2", release: "1")], in: dir)
        let root = try TemporaryDirectory()
        try root.write("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")
        let config = try configFile(dir, bmc: bmc, password: bmc.setup.password, admindir: admindir, root: root.path)

        let text = try Subprocess.run([agent, "inventory", "--config", config])
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("model:    Express5800/R120h-1M  (ipmi:fru-product-name)"))
        #expect(text.stdout.contains("os:       Debian GNU/Linux 12 (bookworm)  [debian:12]"))
        for line in ["bmc-firmware", "system-bios", "sdr", "package:exup-test-tool", "exup-agent"] {
            #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix(line + " ") }, "\(line) row")
        }
        #expect(text.stdout.contains("Inlet Temp"))

        let json = try Subprocess.run([agent, "inventory", "--config", config, "--json"])
        #expect(json.status == 0)
        let decoded = try JSONDecoder().decode(Inventory.self, from: Data(json.stdout.utf8))
        #expect(decoded.model == "Express5800/R120h-1M")
        #expect(decoded.module("bmc-firmware")?.source == "ipmi:get-device-id")
        #expect(decoded.module("package:exup-test-tool")?.version == "1.2-1")
        #expect(decoded.modules.allSatisfy { !$0.source.isEmpty })
    }

    @Test("a wrong password: a one-line error naming the BMC, the rest printed, exit status 2")
    func partial() throws {
        let bmc = try SimulatedBMC()
        let dir = try TemporaryDirectory()
        let admindir = try PackageSandboxes.dpkg([], in: dir)
        let root = try TemporaryDirectory()
        try root.write("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        try root.write("sys/class/dmi/id/product_name", "Fallback Model\n")
        let config = try configFile(dir, bmc: bmc, password: "wrong", admindir: admindir, root: root.path)
        let result = try Subprocess.run([agent, "inventory", "--config", config])
        #expect(result.status == 2)
        #expect(result.stdout.contains("BMC \(bmc.host): authentication failed: password invalid"))
        #expect(result.stdout.contains("model:    Fallback Model  (smbios:product_name)"))
        #expect(result.stdout.contains("package:exup-test-tool"))
    }

    @Test("a broken configuration: one line with the file, the line number and a suggestion, exit status 1 (not a usage error)")
    func badConfig() throws {
        let dir = try TemporaryDirectory()
        let config = try dir.write("agent.toml", "[ipmi]\ndriver = \"lan-2.0\"\nhostname = \"x\"\n")
        let result = try Subprocess.run([agent, "inventory", "--config", config])
        #expect(result.status == 1)
        #expect(result.stderr == "exup-agent: \(config): line 3: unknown key hostname in [ipmi]; did you mean host?\n")
    }

    @Test("--help")
    func help() throws {
        #expect(try Subprocess.run([agent, "inventory", "--help"]).stdout.contains("--config"))
        #expect(try Subprocess.run([agent, "--help"]).stdout.contains("inventory"))
    }
}
