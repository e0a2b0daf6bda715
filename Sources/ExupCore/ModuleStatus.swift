/// A module's status: Table 8 (auto-update modules) and Table 9 (download-only modules, whose text is "-").
public enum ModuleStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case updateAvailable = "update-available"
    case applying
    case uninstalling
    case rebooting
    case waitingApply = "waiting-apply"
    case waitingUninstall = "waiting-uninstall"
    case cancelled
    case rebootRequired = "reboot-required"
    case latest
    case applyFailed = "apply-failed"
    case communicationFailure = "communication-failure"
    case noPackage = "no-package"
    /// Table 9 icons of download-only modules, chosen by hand or by the repository's initial icon.
    case manualLatest = "manual-latest"
    case manualUpdateAvailable = "manual-update-available"
    case manualNoPackage = "manual-no-package"

    /// The words the seed's screens use.
    public var label: String {
        switch self {
        case .updateAvailable: "Update available"
        case .applying: "Applying"
        case .uninstalling: "Uninstalling"
        case .rebooting: "Rebooting"
        case .waitingApply: "Waiting to apply"
        case .waitingUninstall: "Waiting to uninstall"
        case .cancelled: "Cancelled"
        case .rebootRequired: "Reboot required"
        case .latest: "Latest"
        case .applyFailed: "Apply failed"
        case .communicationFailure: "Communication failure"
        case .noPackage: "No update package"
        case .manualLatest, .manualUpdateAvailable, .manualNoPackage: "-"
        }
    }

    /// What a Table 9 icon stands for, for aggregation (spec §7.6: treated like the equivalent status).
    public var autoEquivalent: ModuleStatus {
        switch self {
        case .manualLatest: .latest
        case .manualUpdateAvailable: .updateAvailable
        case .manualNoPackage: .noPackage
        default: self
        }
    }
}

/// The icon a person picks for a download-only module (Table 9).
public enum ManualIcon: String, Sendable, Hashable, Codable, CaseIterable {
    case latest, updateAvailable = "update-available", noPackage = "no-package"

    public var status: ModuleStatus {
        switch self {
        case .latest: .manualLatest
        case .updateAvailable: .manualUpdateAvailable
        case .noPackage: .manualNoPackage
        }
    }
}

/// What is happening to a module on its server, as the agent's journal and the approvals say.
public enum ModuleActivity: String, Sendable, Hashable, Codable {
    case idle
    case waitingApply = "waiting-apply"
    case applying
    case waitingUninstall = "waiting-uninstall"
    case uninstalling
    /// Rebooting after an allow-reboot run; cleared by the new boot.
    case rebooting
    /// A rebootRequired item succeeded and the server has not rebooted yet; cleared by a reboot.
    case rebootRequired = "reboot-required"
    /// The last apply failed; cleared by a reboot.
    case applyFailed = "apply-failed"
    /// The last queued item was cancelled before it started.
    case cancelled
}

/// Everything a module's status is computed from.
public struct ModuleFacts: Sendable, Hashable {
    /// The installed version; nil when the module is not installed (or could not be read).
    public var current: String?
    public var scheme: VersionScheme
    /// Compatible packages in the repository that apply to this server and this module.
    public var packages: [PackageInfo]
    public var activity: ModuleActivity
    /// For download-only modules: the icon chosen by hand, else the repository's initial icon.
    public var manualIcon: ManualIcon?

    public init(
        current: String?, scheme: VersionScheme = .debian, packages: [PackageInfo],
        activity: ModuleActivity = .idle, manualIcon: ManualIcon? = nil
    ) {
        self.current = current
        self.scheme = scheme
        self.packages = packages
        self.activity = activity
        self.manualIcon = manualIcon
    }

    /// The initial icon when the repository settings name none (spec §8.12's suggested default).
    public static let defaultInitialIcon = ManualIcon.updateAvailable

    /// The module status of Table 8 / Table 9 (seed §2.1.3.2).
    public func status(agentReachable: Bool) -> ModuleStatus {
        if !agentReachable { return .communicationFailure }
        switch activity {
        case .applying: return .applying
        case .uninstalling: return .uninstalling
        case .rebooting: return .rebooting
        case .waitingApply: return .waitingApply
        case .waitingUninstall: return .waitingUninstall
        case .applyFailed: return .applyFailed
        case .rebootRequired: return .rebootRequired
        case .cancelled: return .cancelled
        case .idle: break
        }
        let applicable = packages.filter { !$0.isIncompatible }
        let auto = applicable.filter(\.isAgentApplicable)
        if auto.isEmpty {
            if applicable.isEmpty { return .noPackage }
            return (manualIcon ?? ModuleFacts.defaultInitialIcon).status
        }
        guard let current else { return .updateAvailable }
        return auto.contains { scheme.isNewer($0.version, than: current) } ? .updateAvailable : .latest
    }
}

extension ModuleFacts {
    /// The version shown as "available": the newest package newer than the installed one, else the
    /// newest compatible package (so "latest" still says what the repository holds).
    public var available: String? {
        Selection.newest(current: current, scheme: scheme, packages: packages)?.version
            ?? Selection.sortedNewestFirst(packages.filter { !$0.isIncompatible }, scheme: scheme).first?.version
    }
}
