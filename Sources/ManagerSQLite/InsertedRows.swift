import ExupCore
import GRDB
import Manager

// Rows as the store inserts them: GRDB writes each from its coding keys (nested values as JSON), so no
// INSERT lists its columns by hand. Columns left out take their defaults from the migrations.

struct AgentRow: Encodable, PersistableRecord {
    static let databaseTableName = "agent"
    var name: String
    var credentialID: String
    var credentialHMAC: String
    var enrolledAt: Int64
    var lastSeen: Int64

    enum CodingKeys: String, CodingKey {
        case name
        case credentialID = "credential_id"
        case credentialHMAC = "credential_hmac"
        case enrolledAt = "enrolled_at"
        case lastSeen = "last_seen"
    }
}

struct ApprovalItemRow: Encodable, MutablePersistableRecord {
    static let databaseTableName = "approval_item"
    var id: Int64?
    var agent: String
    var kind: ApplyItem.Kind
    var module: String
    var packageID: String?
    var version: String?
    var latestAtRunTime: Bool
    var options: ApprovalOptions
    var state: ItemLifecycle
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, agent, kind, module, version, options, state, created, updated
        case packageID = "package_id"
        case latestAtRunTime = "latest_at_run_time"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct GroupRow: Encodable, PersistableRecord {
    static let databaseTableName = "server_group"
    var name: String
    var created: Int64
}

struct SessionRow: Encodable, PersistableRecord {
    static let databaseTableName = "session"
    var id: String
    var hmac: String
    var user: String
    var created: Int64
    var expires: Int64
}

struct ScheduleRow: Encodable, MutablePersistableRecord {
    static let databaseTableName = "schedule"
    var id: Int64?
    var targetKind: Schedule.TargetKind
    var target: String
    var startAt: Int64
    var allowReboot: Bool
    var downloadFirst: Bool
    var state: Schedule.State
    var createdBy: String
    var created: Int64

    enum CodingKeys: String, CodingKey {
        case id, target, state, created
        case targetKind = "target_kind"
        case startAt = "start_at"
        case allowReboot = "allow_reboot"
        case downloadFirst = "download_first"
        case createdBy = "created_by"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
