import ExupCore

/// `exup-agent status`: the seed's apply screen for this server, from the agent's own state — the last
/// inventory, what the trusted metadata offers, and the approved work — computed with the domain core.
public struct LocalStatus: Sendable, Codable, Hashable {
    public struct Module: Sendable, Codable, Hashable {
        public var id: String
        public var name: String
        public var current: String?
        public var available: String?
        public var status: String
        public var statusText: String
    }

    public var status: String
    public var statusText: String
    /// Why the status is "unknown" (the model could not be read), as the manager shows it too.
    public var reason: String?
    public var modules: [Module]

    /// `activities` come from the journal (applying, reboot required, apply failed) and win over the
    /// approved-but-waiting marks of the directives.
    public init(state: AgentState, activities: [String: ModuleActivity] = [:]) {
        guard let platform = state.platform else {
            self.status = ServerStatus.unknown.rawValue
            self.statusText = ServerStatus.unknown.label
            let problems = state.inventory?.problems ?? []
            self.reason = "the agent could not read this server's model" + (problems.isEmpty ? "" : ": " + problems.joined(separator: "; "))
            self.modules = []
            return
        }
        let offered = (state.offered ?? []).map(\.info).filter { $0.concerns(platform) }
        let open = state.directives?.items ?? []
        var modules: [Module] = []
        var statuses: [ModuleStatus] = []
        for reading in state.modules ?? [] {
            var activity = ModuleActivity.idle
            if let item = open.last(where: { $0.moduleID == reading.id }) {
                activity = item.kind == .uninstall ? .waitingUninstall : .waitingApply
            }
            if let journaled = activities[reading.id] { activity = journaled }
            let facts = ModuleFacts(
                current: reading.version, scheme: VersionScheme.forModule(reading.id, on: platform.os),
                packages: offered.filter { $0.moduleID == reading.id }, activity: activity)
            let status = facts.status(agentReachable: true)
            statuses.append(status)
            modules.append(
                Module(
                    id: reading.id, name: reading.name, current: reading.version, available: facts.available,
                    status: status.rawValue, statusText: status.label))
        }
        let server = ServerStatus.aggregate(
            agentReachable: true, hasIncompatiblePackage: offered.contains { $0.isIncompatible },
            modules: statuses)
        self.status = server.rawValue
        self.statusText = server.label
        self.modules = modules
    }
}
