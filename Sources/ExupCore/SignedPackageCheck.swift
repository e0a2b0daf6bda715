/// What the vendor signed binds the agent (architecture: two independent layers). The repository's TUF
/// metadata says which file to fetch; only the package's own signed `ExUpInfo.xml` says where it may
/// run, what it installs and how. A manager or repository that edits its catalog (even one holding every
/// online TUF key) therefore cannot make a server run another model's program, roll a module back past
/// `downgrade="false"`, or change the reboot flag, the time limit or the program.
public enum SignedPackageCheck {
    /// What the operator approved for this server, as the agent's journal holds it.
    public struct Approved: Sendable, Hashable {
        public var moduleID: String
        /// The version the approval aims at (nil for an uninstall).
        public var version: String?
        public var isUninstall: Bool

        public init(moduleID: String, version: String?, isUninstall: Bool) {
            self.moduleID = moduleID
            self.version = version
            self.isUninstall = isUninstall
        }
    }

    /// Why the signed package may not run here, in one sentence ending in "refused"; nil when it may.
    /// `installed` is the module's version on this server now (nil: not installed).
    public static func refusal(
        signed: PackageInfo, approved: Approved, platform: Platform,
        installed: String?, scheme: VersionScheme
    ) -> String? {
        if signed.isIncompatible {
            return "\(signed.id) has a newer package schema (\(signed.schemaVersion)) than this agent reads: refused"
        }
        let runnable = signed.targets.filter { $0.applies(to: platform) && !$0.os.isDownloadOnly }
        if runnable.isEmpty {
            if signed.targets.contains(where: { $0.applies(to: platform) }) {
                return "\(signed.id) is signed as an offline (boot media) update for \(platform.model): refused"
            }
            if !signed.targets.contains(where: { $0.model == platform.model }) {
                let models = orderedUnique(signed.targets.map(\.model)).joined(separator: ", ")
                return "package targets \(models), this server is \(platform.model): refused"
            }
            let rules = orderedUnique(signed.targets.filter { $0.model == platform.model }.map(\.os.description)).joined(separator: ", ")
            return "package targets \(platform.model) on \(rules), this server runs \(platform.os): refused"
        }
        if signed.moduleID != approved.moduleID {
            return "package \(signed.id) is signed for module \(signed.moduleID), the approval is for \(approved.moduleID): refused"
        }
        if approved.isUninstall {
            return signed.uninstall == nil ? "\(signed.id) is signed without an Uninstall program: refused" : nil
        }
        if !signed.autoUpdate {
            return "\(signed.id) is signed as download-only (autoUpdate=\"false\"): refused"
        }
        if signed.apply == nil {
            return "\(signed.id) is signed without an Apply program: refused"
        }
        if let version = approved.version, signed.version != version {
            return "package \(signed.id) is signed as version \(signed.version), the approval is for \(version): refused"
        }
        if let installed, scheme.compare(signed.version, installed) <= 0, !signed.downgrade {
            return "\(signed.id) (\(signed.version)) is not newer than the installed \(installed) and is not signed to allow a downgrade: refused"
        }
        return nil
    }

    private static func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
