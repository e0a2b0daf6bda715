import ExupCore
import GRDB
import Manager

// The stored values as GRDB records: rows map through their coding keys (snake_case columns), nested
// values (a report, approval options) through JSON, and an unknown enum value is an error, not a guess.

extension AgentRecord: FetchableRecord, TableRecord { public static let databaseTableName = "agent" }
extension AgentListing: FetchableRecord, TableRecord { public static let databaseTableName = "agent" }
extension AgentCredential: FetchableRecord, TableRecord { public static let databaseTableName = "agent" }
extension ApprovalItemRecord: FetchableRecord, TableRecord { public static let databaseTableName = "approval_item" }
extension UserRecord: FetchableRecord, PersistableRecord { public static let databaseTableName = "user" }
extension SessionRecord: FetchableRecord {}
extension EnrolmentTokenRecord: FetchableRecord, PersistableRecord { public static let databaseTableName = "enrolment_token" }
extension ScheduleRecord: FetchableRecord, TableRecord { public static let databaseTableName = "schedule" }

#if canImport(FoundationEssentials)
    import FoundationEssentials
#endif
