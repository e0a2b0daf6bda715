/// The group view's filters, exactly Table 21 (R074–R076): "latest" and "apply failed" match the
/// server status; "update available" and "reboot required" match a server with at least one module in
/// that state; "applying" and "uninstalling" one module being applied or uninstalled.
public enum GroupFilter: String, Sendable, Hashable, Codable, CaseIterable {
    case all
    case latest
    case updateAvailable = "update-available"
    case applying
    case rebootRequired = "reboot-required"
    case applyFailed = "apply-failed"
    case uninstalling

    public func matches(server: ServerStatus, modules: [ModuleStatus]) -> Bool {
        switch self {
        case .all: true
        case .latest: server == .latest
        case .applyFailed: server == .applyFailed
        case .updateAvailable: modules.contains { $0 == .updateAvailable || $0 == .manualUpdateAvailable }
        case .rebootRequired: modules.contains(.rebootRequired)
        case .applying: modules.contains { $0 == .applying || $0 == .waitingApply }
        case .uninstalling: modules.contains { $0 == .uninstalling || $0 == .waitingUninstall }
        }
    }
}

/// The server list's filter: the group view's (GroupFilter, for servers whose agent answers), plus the two
/// server statuses no module shows, "communication failure" and "unknown".
public enum ServerFilter: Sendable, Hashable {
    case table(GroupFilter)
    case status(ServerStatus)

    public init?(_ text: String) {
        if let filter = GroupFilter(rawValue: text), filter != .all {
            self = .table(filter)
        } else if text == ServerStatus.communicationFailure.rawValue {
            self = .status(.communicationFailure)
        } else if text == ServerStatus.unknown.rawValue {
            self = .status(.unknown)
        } else {
            return nil
        }
    }

    public static let names =
        GroupFilter.allCases.filter { $0 != .all }.map(\.rawValue) + [ServerStatus.communicationFailure.rawValue, ServerStatus.unknown.rawValue]

    public func matches(server: ServerStatus, modules: [ModuleStatus]) -> Bool {
        switch self {
        case .status(let status): server == status
        case .table(let filter): server != .communicationFailure && filter.matches(server: server, modules: modules)
        }
    }
}
