import ExupCore
import ExupSystem

/// SMBIOS values the kernel exposes under `/sys/class/dmi/id` (root configurable, so tests use a fixture tree).
public struct SMBIOS: Sendable {
    public let root: String

    public init(root: String = "/") { self.root = root.hasSuffix("/") ? String(root.dropLast()) : root }

    public var productName: String? { field("product_name") }
    public var biosVersion: String? { field("bios_version") }

    func field(_ name: String) -> String? {
        guard let text = LocalFile.readText(root + "/sys/class/dmi/id/" + name, limit: 4096) else { return nil }
        let value = Platform.normalizedModel(text.trimmingScalars(in: " \t\r\n\0"))
        return value.isEmpty ? nil : value
    }
}

/// `/etc/os-release`, else `/usr/lib/os-release` (os-release(5)), under a configurable root.
public struct OSReleaseFile: Sendable {
    public let root: String

    public init(root: String = "/") { self.root = root.hasSuffix("/") ? String(root.dropLast()) : root }

    public func fields() -> [String: String]? {
        for path in ["/etc/os-release", "/usr/lib/os-release"] {
            if let text = LocalFile.readText(root + path, limit: 64 << 10) { return OSRelease.parse(text) }
        }
        return nil
    }
}
