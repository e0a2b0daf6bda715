/// Why an update cannot be chosen for a module. Codes a caller can match, with a sentence for people.
public enum SelectionRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// R032/R033: download-only (or offline) packages are never applied by the agent.
    case downloadOnly(packageID: String)
    /// seed §2.1.4: a package newer than this build reads.
    case incompatible(packageID: String)
    /// The package does not name this server's model and OS.
    case notApplicable(packageID: String)
    /// R023: latest-only is on and this is not the newest newer version.
    case notNewest(packageID: String, newest: String)
    /// R022: latest-only is on and nothing is newer than the installed version.
    case nothingNewer(current: String)
    /// R025/R026: at or below the installed version without downgrade support.
    case downgradeNotSupported(packageID: String, version: String, current: String)
    /// R025: latest-only on forbids going to an equal or older version even where downgrade is allowed.
    case downgradeNeedsLatestOnlyOff(packageID: String)
    /// R039/R041/R043 and the derived blocking states of spec §7.5.
    case blocked(ModuleStatus)

    public var description: String {
        switch self {
        case .downloadOnly(let id): "\(id) is download-only: save it and apply it by hand"
        case .incompatible(let id): "\(id) has a newer package schema than this exup understands; upgrade exup to apply it"
        case .notApplicable(let id): "\(id) does not apply to this server's model and OS"
        case .notNewest(let id, let newest): "\(id) is not the newest update (\(newest)); turn latest-only off to apply it"
        case .nothingNewer(let current): "nothing newer than the installed version \(current)"
        case .downgradeNotSupported(let id, let version, let current):
            "\(id) (\(version)) is not newer than the installed \(current) and does not support downgrade"
        case .downgradeNeedsLatestOnlyOff(let id): "\(id) is a downgrade or reinstall; turn latest-only off to apply it"
        case .blocked(let status): "the module is \"\(status.label)\"; \(ApplyGate.advice(for: status))"
        }
    }
}

/// One version offered in the picker (seed §3.5.1 step 6).
public struct Choice: Sendable, Hashable {
    public var package: PackageInfo
    /// The version that ran just before the last apply: shown with `[*]` (R068).
    public var isPreviousGeneration: Bool
    /// At or below the installed version.
    public var isDowngrade: Bool

    public var pickerLabel: String { isPreviousGeneration ? "\(package.version) [*]" : package.version }
}

/// The latest-only and downgrade rules (seed §2.1.1, R022–R027, R032–R033, R067–R068).
public enum Selection {
    /// The packages a person may pick for one module, newest first. `packages` are those that apply
    /// to the server and module; download-only and incompatible ones never appear.
    public static func offered(
        current: String?, scheme: VersionScheme, packages: [PackageInfo],
        latestOnly: Bool, previousVersion: String? = nil
    ) -> [Choice] {
        let usable = sortedNewestFirst(packages.filter(\.isAgentApplicable), scheme: scheme)
        func choice(_ p: PackageInfo) -> Choice {
            Choice(
                package: p,
                isPreviousGeneration: previousVersion.map { scheme.compare($0, p.version) == 0 } ?? false,
                isDowngrade: current.map { scheme.compare(p.version, $0) <= 0 } ?? false)
        }
        let newer = usable.filter { p in current.map { scheme.isNewer(p.version, than: $0) } ?? true }
        if latestOnly {
            guard let top = newer.first else { return [] }
            return newer.filter { scheme.compare($0.version, top.version) == 0 }.map(choice)
        }
        return usable.filter { p in
            guard let current else { return true }
            return scheme.isNewer(p.version, than: current) || p.downgrade
        }.map(choice)
    }

    /// The newest package a "latest at run time" approval resolves to, if any is newer.
    public static func newest(current: String?, scheme: VersionScheme, packages: [PackageInfo]) -> PackageInfo? {
        offered(current: current, scheme: scheme, packages: packages, latestOnly: true).first?.package
    }

    /// Checks one pick against the rules; nil when it may be applied.
    public static func refusal(
        for package: PackageInfo, platform: Platform, current: String?,
        scheme: VersionScheme, packages: [PackageInfo], latestOnly: Bool,
        status: ModuleStatus
    ) -> SelectionRefusal? {
        if let blocked = ApplyGate.refusal(for: status) { return blocked }
        if package.isIncompatible { return .incompatible(packageID: package.id) }
        guard package.applies(to: platform) else { return .notApplicable(packageID: package.id) }
        guard package.isAgentApplicable else { return .downloadOnly(packageID: package.id) }
        if let current, scheme.compare(package.version, current) <= 0 {
            guard package.downgrade else {
                return .downgradeNotSupported(packageID: package.id, version: package.version, current: current)
            }
            if latestOnly { return .downgradeNeedsLatestOnlyOff(packageID: package.id) }
            return nil
        }
        if latestOnly {
            let allowed = offered(current: current, scheme: scheme, packages: packages + [package], latestOnly: true)
            guard let top = allowed.first else { return .nothingNewer(current: current ?? "") }
            if scheme.compare(package.version, top.package.version) != 0 {
                return .notNewest(packageID: package.id, newest: top.package.version)
            }
        }
        return nil
    }

    /// Newest version first; equal versions by newer release date, then package id.
    public static func sortedNewestFirst(_ packages: [PackageInfo], scheme: VersionScheme) -> [PackageInfo] {
        packages.sorted { a, b in
            let order = scheme.compare(a.version, b.version)
            if order != 0 { return order > 0 }
            if a.releaseDate != b.releaseDate { return a.releaseDate > b.releaseDate }
            return a.id < b.id
        }
    }
}

/// Which module states refuse new items (spec §7.5 "Blocking" statuses).
public enum ApplyGate {
    public static func refusal(for status: ModuleStatus) -> SelectionRefusal? {
        switch status {
        case .rebooting, .rebootRequired, .applyFailed, .applying, .uninstalling,
            .waitingApply, .waitingUninstall, .communicationFailure:
            return .blocked(status)
        default:
            return nil
        }
    }

    static func advice(for status: ModuleStatus) -> String {
        switch status {
        case .rebootRequired, .applyFailed: "only a reboot of the server clears it"
        case .rebooting: "wait for the server to come back"
        case .applying, .uninstalling: "wait for the running item to finish"
        case .waitingApply, .waitingUninstall: "an item is already queued; cancel it first"
        case .communicationFailure: "the agent cannot be reached"
        default: "no new item can be queued"
        }
    }
}
