import Agent
import ExupTesting
import Inventory
import TOML
import Testing

/// The TOML reader and the agent's configuration: every key, the defaults, and clear refusals.
@Suite struct ConfigurationTests {
    @Test("TOML values, tables, comments, arrays over several lines")
    func tomlValues() throws {
        let document = try TOMLDocument(
            parsing: """
                # top comment
                [ipmi]   # trailing comment
                host = "127.0.0.1"      # a string
                'literal key' = 'C:\\path'
                port = 9_623
                ratio = 0.5
                on = true
                list = [
                  "a",  # first
                  "b\\u00e9\\n",
                ]
                [a.b]
                "quoted key" = "x"
                """)
        let ipmi = document.tables["ipmi"]!
        #expect(ipmi["host"]?.value == .string("127.0.0.1"))
        #expect(ipmi["literal key"]?.value == .string("C:\\path"))
        #expect(ipmi["port"]?.value == .integer(9623))
        #expect(ipmi["ratio"]?.value == .float(0.5))
        #expect(ipmi["on"]?.value == .boolean(true))
        #expect(ipmi["list"]?.value == .array([.string("a"), .string("bé\n")]))
        #expect(document.tables["a.b"]?["quoted key"]?.value == .string("x"))
        #expect(ipmi["port"]?.line == 5)
    }

    @Test(
        "TOML mistakes are refused with their line",
        arguments: [
            ("[ipmi]\nport = 1\nport = 2\n", "line 3: key port is set twice in [ipmi]"),
            ("[ipmi]\nhost = 127.0.0.1\n", "line 2: \"127.0.0.1\" is not a value (strings need quotes)"),
            ("[ipmi]\nhost = \"unterminated\n", "line 2: unterminated string"),
            ("[ipmi]\n[ipmi]\n", "line 2: table [ipmi] appears twice"),
            ("[ipmi]\nx = {a = 1}\n", "line 2: inline tables are not supported; use a [table]"),
            ("[ipmi]\nx = 1 2\n", "line 2: unexpected \"2\" after the value"),
            ("[ipmi\n", "line 1: expected ] to close the table name"),
        ])
    func tomlErrors(_ c: (String, String)) {
        #expect(throws: TOMLError.self) { try TOMLDocument(parsing: c.0) }
        do { _ = try TOMLDocument(parsing: c.0) } catch { #expect(error.description == c.1) }
    }

    @Test("the agent's configuration: every [ipmi] and [inventory] key")
    func agentKeys() throws {
        let secrets = try TemporaryDirectory()
        let passwordFile = try secrets.write("bmc.password", "from-file\n", mode: 0o600)
        let config = try AgentConfiguration.parse(
            """
            [ipmi]
            driver = "lan-2.0"
            host = "10.0.0.5"
            port = 9623
            username = "admin"
            password-file = "\(passwordFile)"
            privilege = "operator"
            cipher-suite = 17
            timeout-ms = 2500
            sdr-cache-dir = "/var/cache/exup/sdr"
            workarounds = ["opensesspriv"]

            [inventory]
            root = "/srv/fake-root"
            package-system = "rpm"
            rpm-dbpath = "/srv/rpmdb"
            packages = ["openssl", "exup-agent"]
            sensors = false
            """)
        #expect(config.ipmi.driver == .lan20 && config.ipmi.host == "10.0.0.5" && config.ipmi.port == 9623)
        #expect(config.ipmi.password == "from-file")
        #expect(config.ipmi.privilege == .operator && config.ipmi.cipherSuite == 17 && config.ipmi.timeoutMilliseconds == 2500)
        #expect(config.ipmi.workarounds == ["opensesspriv"])
        #expect(config.inventory.ipmi == config.ipmi)
        #expect(config.inventory.root == "/srv/fake-root")
        #expect(config.inventory.packages.system == .rpm && config.inventory.packages.rpmDatabasePath == "/srv/rpmdb")
        #expect(config.inventory.packageNames == ["openssl", "exup-agent"])
        #expect(!config.inventory.readSensors)
    }

    @Test("defaults: in-band IPMI, explicit 5 s timeout, dpkg/rpm auto-detected")
    func defaults() throws {
        let config = try AgentConfiguration.parse("")
        #expect(config.ipmi.driver == .inband)
        #expect(config.ipmi.timeoutMilliseconds == 5000)
        #expect(config.inventory.packages.system == .auto)
        #expect(config.inventory.packageNames == [])
    }

    @Test(
        "configuration mistakes name the key and the line",
        arguments: [
            ("[ipmi]\npasword = \"x\"\n", "line 2: unknown key pasword in [ipmi]; did you mean password?"),
            ("[ipmmi]\n", "line 1: unknown table [ipmmi]; did you mean [ipmi]?"),
            ("driver = \"lan\"\n", "line 1: key driver must be inside a table such as [ipmi]"),
            ("[ipmi]\ndriver = \"serial\"\n", "line 2: [ipmi] driver must be one of \"lan\", \"lan-2.0\", \"inband\", \"none\""),
            ("[ipmi]\nport = \"623\"\n", "line 2: [ipmi] port must be an integer"),
            ("[ipmi]\nport = 70000\n", "line 2: [ipmi] port must be between 1 and 65535"),
            ("[ipmi]\ndriver = \"lan\"\n", "line 1: [ipmi] driver \"lan\" needs host"),
            ("[ipmi]\npassword = \"a\"\npassword-file = \"/x\"\n", "line 3: [ipmi] sets both password and password-file; keep one"),
        ])
    func mistakes(_ c: (String, String)) {
        do {
            _ = try AgentConfiguration.parse(c.0)
            Issue.record("accepted: \(c.0)")
        } catch {
            #expect(error.description == c.1)
        }
    }
}

/// A secret named in the configuration (token, password file) that others can change is refused; one
/// anyone can read is used, with a warning the daemon logs at every start.
@Suite struct SecretFileConfigurationTests {
    func configuration(tokenMode: Int) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let token = try dir.write("enrolment.token", "exupe_secret\n", mode: tokenMode)
        let config = try dir.write("agent.toml", "[manager]\nurl = \"http://127.0.0.1:9\"\nenrolment-token-file = \"\(token)\"\n")
        return (dir, config)
    }

    @Test("group- or world-writable: refused, naming the file and the fix", arguments: [0o620, 0o602, 0o666])
    func writableRefused(_ mode: Int) throws {
        let (dir, config) = try configuration(tokenMode: mode)
        do {
            _ = try AgentConfiguration.load(path: config)
            Issue.record("a token file of mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.description.contains("\(dir.file("enrolment.token")) holds a secret but others can change it"), "\(error)")
            #expect(error.description.contains("chmod 600 \(dir.file("enrolment.token"))"))
        }
    }

    @Test("world-readable: used, with a warning; 0600: no warning")
    func readableWarned() throws {
        let (dir, config) = try configuration(tokenMode: 0o644)
        let loaded = try AgentConfiguration.load(path: config)
        #expect(loaded.manager.enrolmentToken == "exupe_secret")
        #expect(
            loaded.warnings == [
                "\(dir.file("enrolment.token")) holds a secret and anyone on this host can read it (mode 0644); run chmod 600 \(dir.file("enrolment.token"))"
            ])
        let (kept, quiet) = try configuration(tokenMode: 0o600)
        defer { withExtendedLifetime(kept) {} }
        #expect(try AgentConfiguration.load(path: quiet).warnings.isEmpty)
    }
}
