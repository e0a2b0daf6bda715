import ExupCore

/// A server in the fleet list.
public struct ServerSummary: Sendable, Codable, Hashable {
    public var name: String
    public var status: ServerStatus
    public var statusText: String
    public var model: String?
    public var os: String?
    public var lastSeen: String
}

/// `exup server show NAME --json`: `{"name", "status", "model", "os", "lastSeen", "modules": [...], "run": {...}}`.
public struct ServerDetail: Sendable, Codable, Hashable {
    public struct Module: Sendable, Codable, Hashable {
        public var id: String
        public var name: String
        public var current: String?
        /// The newest version the repository offers for this module on this server.
        public var available: String?
        public var status: ModuleStatus
        public var statusText: String
        public var source: String
        /// The version before the last apply (shown `[*]` in the picker).
        public var previous: String?
        /// The picker (seed §3.5.1 step 6): versions an approval may name with latest-only on, and with it
        /// off (downgrades only where the package allows them); the previous generation is marked `[*]`.
        public var choices: [String]
        public var choicesAllVersions: [String]
        /// A package in the repository can uninstall the installed version (the Uninstall tab offers it).
        public var uninstallable: Bool
    }

    public struct RunItem: Sendable, Codable, Hashable {
        public var id: Int64
        public var kind: String
        public var module: String
        public var packageID: String?
        public var version: String?
        public var state: ItemLifecycle
        public var percent: Int?
        public var message: String?

        public init(_ item: ApprovalItemRecord) {
            id = item.id
            kind = item.kind.rawValue
            module = item.moduleID
            packageID = item.packageID
            version = item.version
            state = item.state
            percent = item.percent
            message = item.message
        }
    }

    public struct Run: Sendable, Codable, Hashable {
        public var items: [RunItem]
        /// Overall progress of the open and recent items, 0–100.
        public var percent: Int

        static func percent(_ items: [ApprovalItemRecord]) -> Int {
            guard !items.isEmpty else { return 100 }
            let total = items.reduce(0) { sum, item in
                sum + (item.state.isOpen ? (item.percent ?? 0) : 100)
            }
            return total / items.count
        }
    }

    public var name: String
    public var status: ServerStatus
    public var statusText: String
    /// Why the status is what it is when the modules cannot say (no model read, no report yet).
    public var reason: String? = nil
    public var model: String?
    public var os: String?
    public var lastSeen: String
    public var modules: [Module]
    public var run: Run

    static func platform(of report: AgentReport) -> Platform? {
        guard let model = report.identity.model.map(Platform.normalizedModel), !model.isEmpty, let os = report.identity.os else { return nil }
        return Platform(model: model, os: os)
    }
}

public struct AgentSummary: Sendable, Codable, Hashable {
    public var name: String
    public var enrolledAt: String
    public var lastSeen: String
    public var revoked: Bool
    public var reportSequence: Int64
}
