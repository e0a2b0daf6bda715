/// The versioned JSON agents and the manager exchange (architecture.md, "Cheap polls, honest heartbeats").

/// What an agent tells the manager when something changed. `sequence` grows by one per report; a report
/// the manager already has is answered 200 and changes nothing, so an outbox resend never wedges.
public struct AgentReport: Sendable, Codable, Hashable {
    public static let schema = 1

    public struct Identity: Sendable, Codable, Hashable {
        public var model: String?
        public var os: OSIdentity?
        public var hostname: String
        public var bootID: String?
        public var agentVersion: String

        public init(model: String?, os: OSIdentity?, hostname: String, bootID: String?, agentVersion: String) {
            self.model = model
            self.os = os
            self.hostname = hostname
            self.bootID = bootID
            self.agentVersion = agentVersion
        }
    }

    /// An approved item's state as the agent's journal has it.
    public struct ItemState: Sendable, Codable, Hashable {
        /// The item's lifecycle state, as the manager records it.
        public typealias State = ItemLifecycle
        public var itemID: Int64
        public var state: State
        /// 0–100 while running.
        public var percent: Int?
        /// Failure cause (exit status, last output lines, timeout), or a note.
        public var message: String?

        public init(itemID: Int64, state: State, percent: Int? = nil, message: String? = nil) {
            self.itemID = itemID
            self.state = state
            self.percent = percent
            self.message = message
        }
    }

    public var schema = AgentReport.schema
    public var sequence: Int64
    public var identity: Identity
    public var modules: [ModuleReading]
    public var sensors: [SensorReading]?
    /// Module id → what is happening to it (reboot required, apply failed, rebooting…), from the journal.
    public var activities: [String: ModuleActivity]
    /// Module id → the version that ran before the last apply (the `[*]` mark, kept by retention).
    public var previousVersions: [String: String]
    public var items: [ItemState]
    /// Metadata or packages the agent refused, in words.
    public var refusals: [String]
    /// Why the server's model could not be read (only when it could not: its status is "unknown" then).
    public var problems: [String]?
    /// How often this agent polls: the manager judges communication failure from it.
    public var pollIntervalSeconds: Int?

    public init(
        sequence: Int64, identity: Identity, modules: [ModuleReading], sensors: [SensorReading]? = nil,
        activities: [String: ModuleActivity] = [:], previousVersions: [String: String] = [:], items: [ItemState] = [],
        refusals: [String] = []
    ) {
        self.sequence = sequence
        self.identity = identity
        self.modules = modules
        self.sensors = sensors
        self.activities = activities
        self.previousVersions = previousVersions
        self.items = items
        self.refusals = refusals
    }
}

/// How an approval runs (seed §2.1.2, §2.1.8, §4.1).
public struct ApprovalOptions: Sendable, Codable, Hashable {
    public enum OnLostContact: String, Sendable, Codable, CaseIterable {
        /// The seed's §4.1 rule: finish the running item, cancel the rest, no reboot.
        case stop
        case `continue`
    }

    public var allowReboot: Bool
    public var latestOnly: Bool
    /// Not before this time (the seed's remote batch), seconds since 1970.
    public var notBefore: Int64?
    public var downloadFirst: Bool
    public var onLostContact: OnLostContact
    public var overrideHealthGate: Bool

    public init(
        allowReboot: Bool = false, latestOnly: Bool = true, notBefore: Int64? = nil, downloadFirst: Bool = false,
        onLostContact: OnLostContact = .stop, overrideHealthGate: Bool = false
    ) {
        self.allowReboot = allowReboot
        self.latestOnly = latestOnly
        self.notBefore = notBefore
        self.downloadFirst = downloadFirst
        self.onLostContact = onLostContact
        self.overrideHealthGate = overrideHealthGate
    }
}

/// What the manager asks of an agent; fetched with a conditional GET (the heartbeat).
public struct Directives: Sendable, Codable, Hashable {
    public struct Item: Sendable, Codable, Hashable {
        public var id: Int64
        public var kind: ApplyItem.Kind
        public var moduleID: String
        /// Nil with `latestAtRunTime`: the agent picks the newest package when the run starts.
        public var packageID: String?
        public var version: String?
        public var latestAtRunTime: Bool
        public var options: ApprovalOptions

        public init(
            id: Int64, kind: ApplyItem.Kind, moduleID: String, packageID: String?, version: String?, latestAtRunTime: Bool,
            options: ApprovalOptions
        ) {
            self.id = id
            self.kind = kind
            self.moduleID = moduleID
            self.packageID = packageID
            self.version = version
            self.latestAtRunTime = latestAtRunTime
            self.options = options
        }
    }

    public var version: Int64
    public var pollIntervalSeconds: Int
    /// Items not yet finished; a cancelled item disappears from the list.
    public var items: [Item]
    public var uploadLogBundle: Bool

    public init(version: Int64, pollIntervalSeconds: Int, items: [Item], uploadLogBundle: Bool) {
        self.version = version
        self.pollIntervalSeconds = pollIntervalSeconds
        self.items = items
        self.uploadLogBundle = uploadLogBundle
    }
}

/// Enrolment: the request an agent sends with its token, and what it gets back.
public struct EnrolmentRequest: Sendable, Codable, Hashable {
    public var token: String
    public var name: String
    public var hostname: String

    public init(token: String, name: String, hostname: String) {
        self.token = token
        self.name = name
        self.hostname = hostname
    }
}

public struct EnrolmentResponse: Sendable, Codable, Hashable {
    public var name: String
    /// The agent's own credential: `Authorization: Bearer <credential>` on every later request.
    public var credential: String
    /// The repository's current root.json (base64), to pin; its SHA-256 is in the token.
    public var root: String
    public var pollIntervalSeconds: Int

    public init(name: String, credential: String, root: String, pollIntervalSeconds: Int) {
        self.name = name
        self.credential = credential
        self.root = root
        self.pollIntervalSeconds = pollIntervalSeconds
    }
}

/// Enrolment tokens: `exup1.<secret>.<sha256 of root.json>`, so an agent checks the root it is given
/// before trusting it (the first contact is not blind trust).
public enum EnrolmentToken {
    public static func make(secret: String, rootSHA256: String) -> String { "exup1.\(secret).\(rootSHA256)" }

    public static func parse(_ token: String) -> (secret: String, rootSHA256: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "exup1", !parts[1].isEmpty, parts[2].count == 64 else { return nil }
        return (String(parts[1]), String(parts[2]).lowercased())
    }
}
