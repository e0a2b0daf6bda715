/// Which version order a module's versions follow (package-format.md, "Version order").
public enum VersionScheme: String, Sendable, Hashable, Codable, CaseIterable {
    /// Debian's algorithm: firmware, BIOS, the agent, and dpkg-managed software.
    case debian
    /// rpm's epoch-version-release comparison: software installed from rpm packages.
    case rpm

    /// Negative, zero or positive as `a` sorts before, equal to or after `b`.
    public func compare(_ a: String, _ b: String) -> Int {
        switch self {
        case .debian: DebianVersion.compare(a, b)
        case .rpm: RPMVersion.compare(a, b)
        }
    }

    public func isNewer(_ a: String, than b: String) -> Bool { compare(a, b) > 0 }

    /// The scheme of a module on a server: rpm only for OS packages on an rpm-based OS.
    public static func forModule(_ moduleID: String, on os: OSIdentity) -> VersionScheme {
        moduleID.hasPrefix(ModuleID.osPackagePrefix) && os.usesRPM ? .rpm : .debian
    }
}
