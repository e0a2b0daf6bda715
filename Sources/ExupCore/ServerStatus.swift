/// A server's status: the highest-priority row of Table 10 that holds (seed §2.1.3.3, R051–R053).
public enum ServerStatus: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    // Declared in Table 10's priority order, highest first.
    case communicationFailure = "communication-failure"
    case unknown
    case applying
    case uninstalling
    case updateAvailable = "update-available"
    case applyFailed = "apply-failed"
    case rebootRequired = "reboot-required"
    case latest

    public var label: String {
        switch self {
        case .communicationFailure: "Communication failure"
        case .unknown: "Unknown"
        case .applying: "Applying"
        case .uninstalling: "Uninstalling"
        case .updateAvailable: "Update available"
        case .applyFailed: "Apply failed"
        case .rebootRequired: "Reboot required"
        case .latest: "Latest"
        }
    }

    /// Priority: a smaller rank wins.
    public var rank: Int { ServerStatus.allCases.firstIndex(of: self)! }

    public static func < (a: ServerStatus, b: ServerStatus) -> Bool { a.rank < b.rank }

    /// Aggregates module statuses. `hasIncompatiblePackage`: the repository holds a package newer than
    /// this build reads that names the server's model (seed §2.1.4). Module statuses without a row of
    /// their own (rebooting, waiting, cancelled, no package) fall through to "Latest" (spec §7.7).
    public static func aggregate(
        agentReachable: Bool, hasIncompatiblePackage: Bool,
        modules: [ModuleStatus]
    ) -> ServerStatus {
        if !agentReachable { return .communicationFailure }
        if hasIncompatiblePackage { return .unknown }
        let present = Set(modules.map(\.autoEquivalent))
        let rows: [(ModuleStatus, ServerStatus)] = [
            (.communicationFailure, .communicationFailure),
            (.applying, .applying),
            (.uninstalling, .uninstalling),
            (.updateAvailable, .updateAvailable),
            (.applyFailed, .applyFailed),
            (.rebootRequired, .rebootRequired),
        ]
        for (module, server) in rows where present.contains(module) { return server }
        return .latest
    }
}
