/// What an update package is and where it applies: the contents of its `ExUpInfo.xml`
/// (package-format.md). Parsing lives in PackageFormat; this is the value the rules work on.
public struct PackageInfo: Sendable, Hashable, Codable {
    /// The highest `schemaVersion` this build understands. Higher = incompatible (seed §2.1.4).
    public static let supportedSchemaVersion = 1

    public var schemaVersion: Int
    public var id: String
    public var name: String
    public var releaseDate: CalendarDate
    public var moduleID: String
    public var moduleName: String
    /// The module's version after a successful apply.
    public var version: String
    public var targets: [PackageTarget]
    /// `false`: download only; stored, listed and saved, never run by the agent.
    public var autoUpdate: Bool
    public var rebootRequired: Bool
    /// May be applied over a newer or equal installed version.
    public var downgrade: Bool
    public var apply: Command?
    public var uninstall: Command?
    public var description: String

    /// A program inside the package (`Apply` or `Uninstall`).
    public struct Command: Sendable, Hashable, Codable {
        /// Member path of the program.
        public var path: String
        public var timeoutSeconds: Int
        /// For `Uninstall` only: whether the removal needs a reboot.
        public var rebootRequired: Bool

        public static let defaultTimeoutSeconds = 3600

        public init(path: String, timeoutSeconds: Int = Command.defaultTimeoutSeconds, rebootRequired: Bool = false) {
            self.path = path
            self.timeoutSeconds = timeoutSeconds
            self.rebootRequired = rebootRequired
        }
    }

    public init(
        schemaVersion: Int = PackageInfo.supportedSchemaVersion, id: String, name: String,
        releaseDate: CalendarDate, moduleID: String, moduleName: String, version: String,
        targets: [PackageTarget], autoUpdate: Bool = true, rebootRequired: Bool = false,
        downgrade: Bool = false, apply: Command?, uninstall: Command? = nil, description: String = ""
    ) {
        self.schemaVersion = schemaVersion
        self.id = id
        self.name = name
        self.releaseDate = releaseDate
        self.moduleID = moduleID
        self.moduleName = moduleName
        self.version = version
        self.targets = targets
        self.autoUpdate = autoUpdate
        self.rebootRequired = rebootRequired
        self.downgrade = downgrade
        self.apply = apply
        self.uninstall = uninstall
        self.description = description
    }

    /// Newer schema than this build reads: kept and listed, never applied, and its servers show "unknown".
    public var isIncompatible: Bool { schemaVersion > PackageInfo.supportedSchemaVersion }

    /// Several models named in Targets (Table 20's multi-model indicator).
    public var isMultiModel: Bool { Set(targets.map(\.model)).count > 1 }

    /// The agent may run it: auto-update, compatible, and not an offline (boot media) package.
    public var isAgentApplicable: Bool {
        autoUpdate && !isIncompatible && apply != nil && !targets.isEmpty && !targets.allSatisfy { $0.os.isDownloadOnly }
    }

    public func applies(to platform: Platform) -> Bool {
        targets.contains { $0.applies(to: platform) }
    }

    /// What a server's statuses are computed from: packages that apply to it, and incompatible packages
    /// for its model (which make the server "unknown", R054–R056).
    public func concerns(_ platform: Platform) -> Bool {
        applies(to: platform) || (isIncompatible && targets.contains { $0.model == platform.model })
    }

    /// Package ids are `[A-Za-z0-9._+-]{1,128}`.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = id.utf8
        return (1...128).contains(bytes.count)
            && bytes.allSatisfy {
                isDigit($0) || isAlpha($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2B || $0 == 0x2D
            }
    }
}
