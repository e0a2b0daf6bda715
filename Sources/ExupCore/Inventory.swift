/// What a server is and what runs on it (seed §1.2.5, §2.3.1): the agent reads it, reports it, and
/// the rules compute statuses from it.
public struct Inventory: Sendable, Hashable, Codable {
    /// The model name packages are matched against (FRU product name, FRU board product name, or SMBIOS).
    public var model: String?
    /// Where the model came from (`ipmi:fru-product-name`, `ipmi:fru-board-product-name`, `smbios:product_name`).
    public var modelSource: String?
    public var os: OSIdentity?
    /// os-release `PRETTY_NAME`, for people.
    public var osName: String?
    public var packageSystem: PackageSystem
    public var modules: [ModuleReading]
    /// Empty when the BMC has no sensors; nil when they could not be read.
    public var sensors: [SensorReading]?
    /// One line per part that could not be read, naming what and why.
    public var problems: [String]

    public init(
        model: String? = nil, modelSource: String? = nil, os: OSIdentity? = nil, osName: String? = nil,
        packageSystem: PackageSystem = .none, modules: [ModuleReading] = [], sensors: [SensorReading]? = nil,
        problems: [String] = []
    ) {
        self.model = model
        self.modelSource = modelSource
        self.os = os
        self.osName = osName
        self.packageSystem = packageSystem
        self.modules = modules
        self.sensors = sensors
        self.problems = problems
    }

    /// Some part could not be read (exit status 2 of `exup-agent inventory`).
    public var isPartial: Bool { !problems.isEmpty }

    public func module(_ id: String) -> ModuleReading? { modules.first { $0.id == id } }

    /// The platform packages are matched against, when both halves are known.
    public var platform: Platform? {
        guard let model, let os else { return nil }
        return Platform(model: model, os: os)
    }
}

/// One module's current version and where it was read from.
public struct ModuleReading: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// Nil when the module is not installed or could not be read (then `error` says which).
    public var version: String?
    /// `ipmi:get-device-id`, `ipmi:get-system-info`, `ipmi:sdr-oem-record`, `smbios:bios_version`, `dpkg`, `rpm`, `agent`.
    public var source: String
    /// Extra facts, e.g. the BMC's auxiliary firmware revision.
    public var detail: String?
    /// Why the version is missing: "unavailable: …" for a read that failed.
    public var error: String?

    public init(id: String, name: String, version: String?, source: String, detail: String? = nil, error: String? = nil) {
        self.id = id
        self.name = name
        self.version = version
        self.source = source
        self.detail = detail
        self.error = error
    }
}

public enum PackageSystem: String, Sendable, Hashable, Codable {
    case dpkg, rpm, none
}

public enum SensorState: String, Sendable, Hashable, Codable {
    case nominal, warning, critical, unknown
}

/// One BMC sensor: what the pre-flight health gate looks at.
public struct SensorReading: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    public var reading: Double?
    public var unit: String
    public var state: SensorState

    public init(name: String, type: String, reading: Double?, unit: String, state: SensorState) {
        self.name = name
        self.type = type
        self.reading = reading
        self.unit = unit
        self.state = state
    }
}

/// `/etc/os-release` (os-release(5)): `KEY=value` lines, values optionally quoted with shell escapes.
public enum OSRelease {
    public static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            guard !line.isEmpty, line.first != "#", let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { continue }
            var value = Substring(line[line.index(after: equals)...])
            while let last = value.last, last == " " || last == "\t" { value.removeLast() }
            if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
                value = value.dropFirst().dropLast()
                if quote == "\"" {
                    var out = ""
                    var escaped = false
                    for c in value {
                        if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
                    }
                    fields[key] = out
                    continue
                }
            }
            fields[key] = String(value)
        }
        return fields
    }

    public static func identity(_ fields: [String: String]) -> OSIdentity? {
        guard let id = fields["ID"], !id.isEmpty else { return nil }
        return OSIdentity(id: id, versionID: fields["VERSION_ID"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// FreeIPMI's formatting of BMC firmware revisions: `bmc-info` prints major, then the BCD minor as two
/// hex digits (`2.15`), so the agent's `bmc-firmware` version is comparable to what operators see.
public enum FirmwareRevision {
    public static func format(major: UInt8, minorBCD: UInt8) -> String {
        let hex = String(minorBCD, radix: 16, uppercase: true)
        return "\(major & 0x7F)." + (hex.count < 2 ? "0" + hex : hex)
    }

    /// The 4 auxiliary bytes as `bmc-info` prints them (a little-endian 32-bit number, `04030201h`).
    public static func formatAuxiliary(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 4 else { return nil }
        let value = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex + "h"
    }
}
