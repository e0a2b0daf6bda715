import ExupCore
import ExupSystem
import Inventory
import TOML
import Transport

/// The agent's configuration: one TOML file (`/etc/exup/agent.toml`; `etc/exup/agent.toml` in the
/// repository documents every key). Every key, its type and its default are listed here, once.
public struct AgentConfiguration: Sendable {
    public var ipmi = IPMIConfiguration()
    public var inventory = InventorySources()
    public var manager = ManagerSettings()
    public var agent = AgentSettings()
    public var trust = TrustSettings()
    /// `[proxy]`: an HTTP proxy between the agent and its manager (none by default).
    public var proxy: ProxySettings?
    /// What the daemon logs at every start (a secret file anyone can read, …).
    public var warnings: [String] = []

    /// `[manager]`: where the manager is and how to enrol with it.
    public struct ManagerSettings: Sendable {
        /// The manager's base URL, e.g. https://manager.example:8080.
        public var url: String?
        /// The enrolment token (`exup agents token create`); used once, at the first start.
        public var enrolmentToken: String?
        /// The enrolment-token-file named in the configuration when it does not exist (fine once enrolled).
        public var enrolmentTokenFileMissing: String?
        /// PEM CA bundle for an HTTPS manager.
        public var caFile: String?
    }

    /// `[agent]`: this agent's name and where it keeps its state.
    public struct AgentSettings: Sendable {
        /// Default: the host name.
        public var name: String?
        public var pollIntervalSeconds = 300
        /// The credential, the pinned root.json and the report sequence live here (0700).
        public var stateDirectory = "/var/lib/exup/agent"
        public var bootIDFile = "/proc/sys/kernel/random/boot_id"
        /// Downloaded packages (verified against the TUF targets metadata before they are kept).
        public var cacheDirectory = "/var/cache/exup/agent"
        /// The command that reboots this server (argv, no shell); tests point it at a harmless program.
        public var rebootCommand = ["/usr/bin/systemctl", "reboot"]
        /// How long after the reboot command returned the agent waits for a new boot before it reports
        /// "the reboot did not happen" (it never runs the command twice in one boot).
        public var rebootGraceSeconds = 900
        /// The local CLI's Unix socket (root only, 0600).
        public var socketPath = "/run/exup/agent.sock"
        /// "normal": critical sensors stop firmware items; "strict": unreadable ones too; "off".
        public var healthGate = "normal"
        /// A download must leave at least this much free space in the cache's file system.
        public var cacheReserveBytes: UInt64 = 256 << 20
        /// How often an idle agent reads its inventory again (IPMI, packages); polls in between reuse it.
        public var inventoryIntervalSeconds = 3600
    }

    /// `[trust]`: the vendor keys packages must be signed by.
    public struct TrustSettings: Sendable {
        public var keysDirectory = "/etc/exup/trusted-keys"
    }

    public static let defaultPath = "/etc/exup/agent.toml"
    /// True when there was no file at the default path and these are the defaults (errors say so).
    public var fileMissing = false

    /// A secret from a file named in the configuration (see SecretFile): refused when others can change it.
    static func secret(_ path: String, key: String, line: Int, warnings: inout [String]) throws(TOMLError) -> String {
        let contents: SecretFile.Contents?
        do { contents = try SecretFile.read(path, limit: 16 << 10) } catch { throw TOMLError(line: line, reason: "\(key): \(error.description)") }
        guard let contents else { throw TOMLError(line: line, reason: "\(key) \(path) cannot be read: no such file") }
        if let warning = contents.warning { warnings.append(warning) }
        return contents.text
    }

    public init() {}

    /// Reads a configuration file; unknown tables and keys are refused with their line.
    public static func load(path: String) throws(ConfigurationError) -> AgentConfiguration {
        guard let text = LocalFile.readText(path, limit: 1 << 20) else {
            throw ConfigurationError(path: path, reason: LocalFile.unreadableReason(path, limit: 1 << 20))
        }
        do { return try parse(text, relativeTo: path) } catch {
            throw ConfigurationError(path: path, reason: error.description)
        }
    }

    public static func parse(_ text: String, relativeTo path: String = "") throws(TOMLError) -> AgentConfiguration {
        let document = try TOMLDocument(parsing: text)
        let known: Set<String> = ["", "ipmi", "inventory", "manager", "agent", "trust", "proxy"]
        if let (name, line) = document.tableLines.filter({ !known.contains($0.key) }).min(by: { $0.value < $1.value }) {
            let hint = ClosestName.suggest(name, among: known.filter { !$0.isEmpty }.sorted()).map { "; did you mean [\($0)]?" } ?? ""
            throw TOMLError(line: line, reason: "unknown table [\(name)]\(hint)")
        }
        if let (key, entry) = document.tables[""]!.min(by: { $0.value.line < $1.value.line }) {
            throw TOMLError(line: entry.line, reason: "key \(key) must be inside a table such as [ipmi]")
        }
        var config = AgentConfiguration()

        var ipmi = TOMLTable(document, "ipmi")
        config.ipmi.driver = try ipmi.choice("driver", IPMIConfiguration.Driver.self) ?? config.ipmi.driver
        config.ipmi.inbandDriver = try ipmi.choice("inband-driver", IPMIConfiguration.InbandDriver.self) ?? config.ipmi.inbandDriver
        config.ipmi.device = try ipmi.string("device")
        config.ipmi.host = try ipmi.string("host")
        config.ipmi.port = try ipmi.int("port", in: 1...65535) ?? config.ipmi.port
        config.ipmi.username = try ipmi.string("username") ?? config.ipmi.username
        let password = try ipmi.string("password")
        let passwordFile = try ipmi.string("password-file")
        config.ipmi.privilege = try ipmi.choice("privilege", IPMIConfiguration.Privilege.self) ?? config.ipmi.privilege
        config.ipmi.cipherSuite = try ipmi.int("cipher-suite", in: 0...17) ?? config.ipmi.cipherSuite
        config.ipmi.timeoutMilliseconds = try ipmi.int("timeout-ms", in: 100...120_000) ?? config.ipmi.timeoutMilliseconds
        config.ipmi.sdrCacheDirectory = try ipmi.string("sdr-cache-dir") ?? config.ipmi.sdrCacheDirectory
        config.ipmi.workarounds = try ipmi.strings("workarounds") ?? config.ipmi.workarounds
        try ipmi.rejectUnknownKeys()
        if password != nil && passwordFile != nil {
            throw TOMLError(line: ipmi.line("password-file"), reason: "[ipmi] sets both password and password-file; keep one")
        }
        if let password { config.ipmi.password = password }
        if let passwordFile {
            config.ipmi.password = try secret(passwordFile, key: "[ipmi] password-file", line: ipmi.line("password-file"), warnings: &config.warnings)
                .trimmingTrailingNewlines()
        }
        if (config.ipmi.driver == .lan || config.ipmi.driver == .lan20) && (config.ipmi.host ?? "").isEmpty {
            throw TOMLError(line: document.tableLines["ipmi"] ?? 0, reason: "[ipmi] driver \"\(config.ipmi.driver.rawValue)\" needs host")
        }
        config.inventory.ipmi = config.ipmi

        var inventory = TOMLTable(document, "inventory")
        config.inventory.root = try inventory.string("root") ?? config.inventory.root
        config.inventory.packages.system =
            try inventory.choice("package-system", PackageDatabaseConfiguration.System.self)
            ?? config.inventory.packages.system
        config.inventory.packages.dpkgAdminDirectory = try inventory.string("dpkg-admindir") ?? config.inventory.packages.dpkgAdminDirectory
        config.inventory.packages.rpmDatabasePath = try inventory.string("rpm-dbpath") ?? config.inventory.packages.rpmDatabasePath
        config.inventory.packageNames = try inventory.strings("packages") ?? config.inventory.packageNames
        config.inventory.readSensors = try inventory.bool("sensors") ?? config.inventory.readSensors
        try inventory.rejectUnknownKeys()

        var manager = TOMLTable(document, "manager")
        config.manager.url = try manager.string("url")
        let token = try manager.string("enrolment-token")
        let tokenFile = try manager.string("enrolment-token-file")
        config.manager.caFile = try manager.string("ca-file")
        try manager.rejectUnknownKeys()
        if token != nil && tokenFile != nil {
            throw TOMLError(
                line: manager.line("enrolment-token-file"), reason: "[manager] sets both enrolment-token and enrolment-token-file; keep one")
        }
        config.manager.enrolmentToken = token
        // Needed only until the agent is enrolled: a token file removed afterwards (as it should be) is fine.
        if let tokenFile, LocalFile.exists(tokenFile) {
            config.manager.enrolmentToken = try secret(
                tokenFile, key: "[manager] enrolment-token-file", line: manager.line("enrolment-token-file"), warnings: &config.warnings
            )
            .trimmingScalars(in: " \t\r\n")
        } else if let tokenFile {
            config.manager.enrolmentTokenFileMissing = tokenFile
        }
        if let url = config.manager.url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw TOMLError(line: manager.line("url"), reason: "[manager] url must start with http:// or https://, not \(url)")
        }

        var agent = TOMLTable(document, "agent")
        config.agent.name = try agent.string("name")
        config.agent.pollIntervalSeconds = try agent.int("poll-interval-seconds", in: 5...86_400) ?? config.agent.pollIntervalSeconds
        config.agent.stateDirectory = try agent.string("state-dir") ?? config.agent.stateDirectory
        config.agent.bootIDFile = try agent.string("boot-id-file") ?? config.agent.bootIDFile
        config.agent.cacheDirectory = try agent.string("cache-dir") ?? config.agent.cacheDirectory
        config.agent.rebootCommand = try agent.strings("reboot-command") ?? config.agent.rebootCommand
        config.agent.rebootGraceSeconds = try agent.int("reboot-grace-seconds", in: 0...604_800) ?? config.agent.rebootGraceSeconds
        config.agent.socketPath = try agent.string("socket") ?? config.agent.socketPath
        config.agent.healthGate = try agent.string("health-gate") ?? config.agent.healthGate
        guard ["normal", "strict", "off"].contains(config.agent.healthGate) else {
            throw TOMLError(
                line: agent.line("health-gate"),
                reason: "[agent] health-gate must be \"normal\", \"strict\" or \"off\", not \(config.agent.healthGate)")
        }
        if let reserve = try agent.int("cache-reserve-mib", in: 0...1_048_576) { config.agent.cacheReserveBytes = UInt64(reserve) << 20 }
        config.agent.inventoryIntervalSeconds = try agent.int("inventory-interval-seconds", in: 0...86_400) ?? config.agent.inventoryIntervalSeconds
        try agent.rejectUnknownKeys()
        if config.agent.rebootCommand.isEmpty || !config.agent.rebootCommand[0].hasPrefix("/") {
            throw TOMLError(
                line: agent.line("reboot-command"), reason: "[agent] reboot-command must be a list whose first element is an absolute path")
        }

        var proxy = TOMLTable(document, "proxy")
        if let host = try proxy.string("host") {
            let auth: ProxySettings.Authentication
            do { auth = try ProxySettings.authentication(try proxy.string("auth") ?? "any") } catch {
                throw TOMLError(line: document.tableLines["proxy"] ?? 0, reason: "[proxy] \(error)")
            }
            let password = try proxy.string("password")
            let passwordFile = try proxy.string("password-file")
            if password != nil && passwordFile != nil {
                throw TOMLError(line: proxy.line("password-file"), reason: "[proxy] sets both password and password-file; keep one")
            }
            var secret = password
            if let passwordFile {
                secret = try Self.secret(passwordFile, key: "[proxy] password-file", line: proxy.line("password-file"), warnings: &config.warnings)
                    .trimmingScalars(in: " \r\n")
            }
            config.proxy = ProxySettings(
                host: host, port: try proxy.int("port", in: 1...65535) ?? 8080, username: try proxy.string("username"),
                password: secret, authentication: auth)
        }
        try proxy.rejectUnknownKeys()

        var trust = TOMLTable(document, "trust")
        config.trust.keysDirectory = try trust.string("keys-dir") ?? config.trust.keysDirectory
        try trust.rejectUnknownKeys()
        return config
    }
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let l = s.last, l.isNewline { s.removeLast() }
        return String(s)
    }
}
