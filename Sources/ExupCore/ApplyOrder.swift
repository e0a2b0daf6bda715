/// One item of an apply run: install a package, or run its Uninstall program.
public struct ApplyItem: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case apply, uninstall }

    public var packageID: String
    public var moduleID: String
    public var kind: Kind
    public var rebootRequired: Bool
    public var releaseDate: CalendarDate

    public init(packageID: String, moduleID: String, kind: Kind = .apply, rebootRequired: Bool, releaseDate: CalendarDate) {
        self.packageID = packageID
        self.moduleID = moduleID
        self.kind = kind
        self.rebootRequired = rebootRequired
        self.releaseDate = releaseDate
    }

    public init(installing package: PackageInfo) {
        self.init(
            packageID: package.id, moduleID: package.moduleID, kind: .apply,
            rebootRequired: package.rebootRequired, releaseDate: package.releaseDate)
    }

    public init(uninstalling package: PackageInfo) {
        self.init(
            packageID: package.id, moduleID: package.moduleID, kind: .uninstall,
            rebootRequired: package.uninstall?.rebootRequired ?? false, releaseDate: package.releaseDate)
    }

    /// Removing the agent ends its ability to report, so it always runs last (R059).
    public var isAgentUninstall: Bool { kind == .uninstall && moduleID == ModuleID.agent }
}

/// The order of one server's run (seed §2.1.7, Tables 11/12, R057–R060): no-reboot items first, then
/// oldest release first, then package id; the agent's own uninstall last.
public enum ApplyOrder {
    public static func sorted(_ items: [ApplyItem]) -> [ApplyItem] {
        items.sorted { a, b in
            if a.isAgentUninstall != b.isAgentUninstall { return b.isAgentUninstall }
            if a.rebootRequired != b.rebootRequired { return b.rebootRequired }
            if a.releaseDate != b.releaseDate { return a.releaseDate < b.releaseDate }
            if a.packageID != b.packageID { return a.packageID < b.packageID }
            return a.kind == .apply && b.kind == .uninstall
        }
    }
}

/// Whether a finished run reboots the server (seed §2.1.2, §4.1; R028–R031, R088–R091).
public enum RebootRule {
    /// Reboot once, after the last item, only when allowed, when contact was not lost under the stop
    /// rule, when every item succeeded, and when at least one of them needs a reboot.
    public static func shouldReboot(
        allowReboot: Bool, stoppedForLostContact: Bool,
        results: [(item: ApplyItem, succeeded: Bool)]
    ) -> Bool {
        guard allowReboot, !stoppedForLostContact, !results.isEmpty else { return false }
        return results.allSatisfy(\.succeeded) && results.contains { $0.item.rebootRequired }
    }
}
