import ApplicationLog
import ExupCore

/// An agent as the manager stores it.
public struct AgentRecord: Sendable, Hashable, Codable {
    public var name: String
    public var credentialID: String
    public var credentialHMAC: String
    public var enrolledAt: Int64
    public var revoked: Bool
    public var allowReenrolment: Bool
    public var lastSeen: Int64
    /// The latest report (stored as its JSON).
    public var report: AgentReport?
    public var reportSequence: Int64
    public var directivesVersion: Int64
    public var uploadLogs: Bool

    public enum CodingKeys: String, CodingKey {
        case name, revoked, report
        case credentialID = "credential_id"
        case credentialHMAC = "credential_hmac"
        case enrolledAt = "enrolled_at"
        case allowReenrolment = "allow_reenrolment"
        case lastSeen = "last_seen"
        case reportSequence = "report_sequence"
        case directivesVersion = "directives_version"
        case uploadLogs = "upload_logs"
    }
}

/// An agent in a listing: no report.
public struct AgentListing: Sendable, Hashable, Codable {
    public var name: String
    public var enrolledAt: Int64
    public var lastSeen: Int64
    public var revoked: Bool
    public var reportSequence: Int64

    public enum CodingKeys: String, CodingKey {
        case name, revoked
        case enrolledAt = "enrolled_at"
        case lastSeen = "last_seen"
        case reportSequence = "report_sequence"
    }
}

/// An active agent's credential: the id it presents and the keyed hash of its secret.
public struct AgentCredential: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var hmac: String

    public enum CodingKeys: String, CodingKey {
        case name
        case id = "credential_id"
        case hmac = "credential_hmac"
    }
}

/// An enrolment as the store takes it: the token presented (its hash) and the credential issued.
public struct NewAgent: Sendable, Hashable {
    public var name: String
    public var tokenHash: String
    public var credentialID: String
    public var credentialHMAC: String
    public var now: Int64
}

/// What a directives poll needs from the store.
public struct PollState: Sendable, Hashable {
    public var directivesVersion: Int64
    public var uploadLogs: Bool

    public init(directivesVersion: Int64, uploadLogs: Bool) {
        self.directivesVersion = directivesVersion
        self.uploadLogs = uploadLogs
    }
}

/// One approved item and where it stands.
public struct ApprovalItemRecord: Sendable, Hashable, Codable {
    public typealias State = ItemLifecycle

    public var id: Int64
    public var agent: String
    public var kind: ApplyItem.Kind
    public var moduleID: String
    public var packageID: String?
    public var version: String?
    public var latestAtRunTime: Bool
    public var options: ApprovalOptions
    public var state: State
    public var message: String?
    public var percent: Int?
    public var created: Int64
    public var updated: Int64
    /// The agent's report sequence when the item last changed: a cancelled module shows "Cancelled"
    /// until the agent reports again.
    public var reportSequence: Int64

    public enum CodingKeys: String, CodingKey {
        case id, agent, kind, version, options, state, message, percent, created, updated
        case moduleID = "module"
        case packageID = "package_id"
        case latestAtRunTime = "latest_at_run_time"
        case reportSequence = "report_sequence"
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        id = try values.decode(Int64.self, forKey: .id)
        agent = try values.decode(String.self, forKey: .agent)
        kind = try values.decode(ApplyItem.Kind.self, forKey: .kind)
        moduleID = try values.decode(String.self, forKey: .moduleID)
        packageID = try values.decodeIfPresent(String.self, forKey: .packageID)
        version = try values.decodeIfPresent(String.self, forKey: .version)
        latestAtRunTime = try values.decode(Bool.self, forKey: .latestAtRunTime)
        options = try values.decode(ApprovalOptions.self, forKey: .options)
        // A state this release does not know is damage, not a failure to guess at.
        let stored = try values.decode(String.self, forKey: .state)
        guard let state = State(rawValue: stored) else {
            throw ManagerError(
                kind: .invalid, code: "unknown-item-state", message: "approval item \(id) has the unknown state \(stored): restore from a backup")
        }
        self.state = state
        message = try values.decodeIfPresent(String.self, forKey: .message)
        percent = try values.decodeIfPresent(Int.self, forKey: .percent)
        created = try values.decode(Int64.self, forKey: .created)
        updated = try values.decode(Int64.self, forKey: .updated)
        reportSequence = try values.decode(Int64.self, forKey: .reportSequence)
    }

    var directive: Directives.Item {
        Directives.Item(
            id: id, kind: kind, moduleID: moduleID, packageID: packageID, version: version, latestAtRunTime: latestAtRunTime,
            options: options)
    }
}

/// An item an approval or an uninstall request adds (pending until the agent takes it).
public struct NewApprovalItem: Sendable, Hashable {
    public var kind: ApplyItem.Kind
    public var moduleID: String
    public var packageID: String?
    public var version: String?
    public var latestAtRunTime: Bool
    public var options: ApprovalOptions
}

/// What a cancel did: the items it cancelled and the started ones it could not.
public struct CancelledItems: Sendable, Hashable {
    public var cancelled: [ApprovalItemRecord]
    public var running: [ApprovalItemRecord]

    public init(cancelled: [ApprovalItemRecord], running: [ApprovalItemRecord]) {
        self.cancelled = cancelled
        self.running = running
    }
}

/// What storing a report did.
public struct RecordedReport: Sendable, Hashable {
    public var transitions: [ItemTransition]
    /// The agent's own uninstall succeeded: the agent is revoked (R195).
    public var revokedItself: Bool

    public init(transitions: [ItemTransition], revokedItself: Bool) {
        self.transitions = transitions
        self.revokedItself = revokedItself
    }
}

/// An item a report moved on, and what to log about it.
public struct ItemTransition: Sendable, Hashable {
    public var event: AppLogEvent
    public var item: ApprovalItemRecord
    public var cause: String?
}

/// Every server's approved items and hand-set icons, read in one query each (the fleet page and
/// `GET /api/v1/servers` show thousands of servers; a query per server cost most of their time).
public struct FleetRows: Sendable {
    public var items: [String: [ApprovalItemRecord]]
    public var icons: [String: [String: ManualIcon]]

    public init(items: [String: [ApprovalItemRecord]], icons: [String: [String: ManualIcon]]) {
        self.items = items
        self.icons = icons
    }
}

/// A user as stored (an unknown role is an error, not a guess).
public struct UserRecord: Sendable, Hashable, Codable {
    public var name: String
    public var role: UserRole
    public var passwordHash: String
    public var created: Int64
    public var lastLogin: Int64?
    public var noticesSeen: Int64

    public init(name: String, role: UserRole, passwordHash: String, created: Int64, lastLogin: Int64? = nil, noticesSeen: Int64 = 0) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.created = created
        self.lastLogin = lastLogin
        self.noticesSeen = noticesSeen
    }

    public enum CodingKeys: String, CodingKey {
        case name, role, created
        case passwordHash = "password_hash"
        case lastLogin = "last_login"
        case noticesSeen = "notices_seen"
    }
}

/// A user session as stored: the keyed hash of its secret, whose it is, until when.
public struct SessionRecord: Sendable, Hashable, Codable {
    public var id: String
    public var hmac: String
    public var user: String
    public var role: UserRole
    public var expires: Int64
}

/// An enrolment token as stored (only the hash of its secret is kept).
public struct EnrolmentTokenRecord: Sendable, Hashable, Codable {
    public var secretHash: String
    public var expires: Int64
    public var usesLeft: Int
    public var created: Int64
    public var groupName: String?

    public init(secretHash: String, expires: Int64, usesLeft: Int, created: Int64, groupName: String?) {
        self.secretHash = secretHash
        self.expires = expires
        self.usesLeft = usesLeft
        self.created = created
        self.groupName = groupName
    }

    public enum CodingKeys: String, CodingKey {
        case expires, created
        case secretHash = "secret_hash"
        case usesLeft = "uses_left"
        case groupName = "group_name"
    }
}

/// The enrolment rules every engine applies inside its transaction, so both refuse alike.
public enum EnrolmentRules {
    /// Refuses an unknown (nil), expired or used-up token.
    public static func checkToken(_ token: EnrolmentTokenRecord?, now: Int64) throws -> EnrolmentTokenRecord {
        guard let token else { throw ManagerError(kind: .unauthorised, code: "bad-token", message: "unknown enrolment token") }
        guard token.expires > now else {
            throw ManagerError(kind: .unauthorised, code: "token-expired", message: "the enrolment token has expired")
        }
        guard token.usesLeft > 0 else {
            throw ManagerError(kind: .unauthorised, code: "token-used", message: "the enrolment token has been used up")
        }
        return token
    }

    /// Refuses a name held by an agent that is neither revoked nor allowed to enrol again.
    public static func checkName(_ name: String, existing: AgentRecord?) throws {
        guard let existing, !existing.allowReenrolment, !existing.revoked else { return }
        throw ManagerError(
            kind: .conflict, code: "name-taken",
            message: "an agent named \(name) is already enrolled; an administrator must allow its re-enrolment")
    }
}

/// A remote batch as stored (an unknown kind or state is an error, not a guess).
public struct ScheduleRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var targetKind: Schedule.TargetKind
    public var target: String
    public var startAt: Int64
    public var allowReboot: Bool
    public var downloadFirst: Bool
    public var state: Schedule.State
    public var createdBy: String
    public var result: String?

    public enum CodingKeys: String, CodingKey {
        case id, target, state, result
        case targetKind = "target_kind"
        case startAt = "start_at"
        case allowReboot = "allow_reboot"
        case downloadFirst = "download_first"
        case createdBy = "created_by"
    }
}

/// A batch to register.
public struct NewSchedule: Sendable, Hashable {
    public var kind: Schedule.TargetKind
    public var target: String
    public var startAt: Int64
    public var allowReboot: Bool
    public var downloadFirst: Bool
    public var createdBy: String
    public var created: Int64
}

/// A change another manager process committed, for the caches this one keeps.
public enum StoreChange: Sendable, Hashable {
    /// The agent's credential changed (enrolled, rotated, revoked): read it again.
    case agent(String)
    /// The user's sessions changed (login, logout, new password, removal): read them again.
    case user(String)
    /// Changes may have been missed (the feed reconnected): read everything again.
    case everything
}
