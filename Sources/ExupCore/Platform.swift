/// A server's operating system as `/etc/os-release` names it.
public struct OSIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// os-release `ID` (`debian`, `rhel`, …).
    public var id: String
    /// os-release `VERSION_ID` (`12`, `9.4`), when the file has one.
    public var versionID: String?

    public init(id: String, versionID: String? = nil) {
        self.id = id
        self.versionID = versionID
    }

    /// Parses `ID` or `ID:VERSION_ID`.
    public init(parsing text: String) {
        if let colon = text.firstIndex(of: ":") {
            id = String(text[..<colon])
            versionID = String(text[text.index(after: colon)...])
        } else {
            id = text
            versionID = nil
        }
    }

    /// os-release IDs whose OS packages are rpm packages (so `package:NAME` modules use rpm's order).
    public static let rpmBasedIDs: Set<String> = [
        "rhel", "centos", "fedora", "rocky", "almalinux", "ol", "sles", "sled", "opensuse-leap",
        "opensuse-tumbleweed", "amzn", "miraclelinux", "euleros", "openEuler",
    ]

    public var usesRPM: Bool { OSIdentity.rpmBasedIDs.contains(id) }

    public var description: String { versionID.map { "\(id):\($0)" } ?? id }
}

/// What the generation rules count per: one model running one OS (seed §2.2.2).
public struct Platform: Sendable, Hashable, Codable, CustomStringConvertible {
    public var model: String
    public var os: OSIdentity

    public init(model: String, os: OSIdentity) {
        self.model = model
        self.os = os
    }

    public var description: String { "\(model) / \(os)" }

    /// Trims what FRU fields pad with (trailing spaces and NULs), as package-format.md says to compare.
    public static func normalizedModel(_ raw: String) -> String {
        var scalars = Substring(raw).unicodeScalars
        while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
        return String(scalars)
    }
}

/// The OS half of a package `Target` (package-format.md, `Target/@os`).
public enum OSRule: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `linux`: any Linux.
    case anyLinux
    /// An os-release `ID`, any version.
    case id(String)
    /// `ID:VERSION_ID`, the version a prefix on dot boundaries (`rhel:9` matches 9.4, not 90).
    case idVersion(id: String, versionPrefix: String)
    /// `bmc`: applied through the management controller, whatever the OS.
    case bmc
    /// `offline`: a boot-media update, download only.
    case offline

    /// Parses the attribute; nil when it is not one of the forms above.
    public init?(_ text: String) {
        func isIDText(_ s: Substring) -> Bool {
            !s.isEmpty && s.utf8.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
        }
        switch text {
        case "linux": self = .anyLinux
        case "bmc": self = .bmc
        case "offline": self = .offline
        default:
            if let colon = text.firstIndex(of: ":") {
                let id = text[..<colon], version = text[text.index(after: colon)...]
                guard isIDText(id), isIDText(version) else { return nil }
                self = .idVersion(id: String(id), versionPrefix: String(version))
            } else {
                guard isIDText(Substring(text)) else { return nil }
                self = .id(text)
            }
        }
    }

    public var description: String {
        switch self {
        case .anyLinux: "linux"
        case .id(let id): id
        case .idVersion(let id, let version): "\(id):\(version)"
        case .bmc: "bmc"
        case .offline: "offline"
        }
    }

    /// Whether a server running `os` is covered by this rule.
    public func matches(_ os: OSIdentity) -> Bool {
        switch self {
        case .anyLinux, .bmc, .offline:
            return true
        case .id(let id):
            return os.id == id
        case .idVersion(let id, let prefix):
            guard os.id == id, let version = os.versionID else { return false }
            return version == prefix || version.hasPrefix(prefix + ".")
        }
    }

    /// Offline packages are stored and offered but never run by the agent.
    public var isDownloadOnly: Bool { self == .offline }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let rule = OSRule(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an OS rule: \(text)"))
        }
        self = rule
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One model+OS pair a package applies to.
public struct PackageTarget: Sendable, Hashable, Codable {
    public var model: String
    public var os: OSRule

    public init(model: String, os: OSRule) {
        self.model = model
        self.os = os
    }

    public func applies(to platform: Platform) -> Bool {
        model == platform.model && os.matches(platform.os)
    }
}
