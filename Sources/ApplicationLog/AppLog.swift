import FoundationEssentials

/// The application log's events (spec §11, Tables 18 and 19), with the manual's wording.
public enum AppLogEvent: Sendable, Hashable {
    case packageAdded, packageDeleted, deletionHistoryCleared, packageListRetrieved, packageInformationRetrieved
    case archiveRetrieved, archiveCancelled
    case addFailed, deleteFailed, clearDeletionHistoryFailed, archiveFailed, archiveCancelFailed
    /// exup's own: generation management removed a package (seed §2.2.2: deleted automatically).
    case packageRemovedByRetention
    /// exup's own: the served (model, OS) list changed.
    case platformAdded, platformRemoved
    /// exup's own: metadata re-signed before it expired.
    case metadataResigned
    /// Manager events: agents, approvals and the apply runs agents report (Tables 18/19 where the seed has them).
    case applyStarted, applyCompleted, applyFailed, updateCancelled, cancelFailed
    case tokenCreated, tokenRevoked, agentEnrolled, agentRevoked, agentCredentialRotated, agentReenrolmentAllowed, updatesApproved, uninstallRequested
    case logBundleRequested, logBundleReceived, logBundleFailed
    /// Upstream sync (Tables 18/19: "Download update packages").
    case repositoryUpdated, repositoryUpdateFailed, repositoryUpdateCancelled, repositoryUpdateCancelFailed
    case repositoryUpdateStarted, repositoryUpdateCompleted, sourceAddressChanged
    case repositorySettingsSet, repositorySettingsFailed
    /// exup's own alert (R147): new packages arrived; the cause lists the components they concern.
    case newPackagesDownloaded
    /// exup's own: a manager started using this repository; one was retired after two silent months.
    case remoteManagerRegistered, remoteManagerRetired
    /// E21: the remote repository this manager uses failed (unreachable, refused, bad metadata).
    case remoteRepositoryError
    /// exup's own: users.
    case userAdded, userRemoved, userPasswordChanged, loginFailed
    /// exup's own: an enrolment with an unknown, expired or used-up token.
    case enrolmentFailed
    /// exup's own: a package's signer left (or came back to) the trusted keys.
    case packageSignerUntrusted, packageSignerTrusted
    /// exup's own: groups, remote batches, policies.
    case groupChanged, scheduleChanged, scheduleFired, policyApproved, policyPaused, policyResumed
    /// N25/E25: a download-only module's status icon set by hand.
    case manualStatusChanged, manualStatusFailed

    public var code: String {
        switch self {
        case .packageAdded: "N18"
        case .packageDeleted: "N14"
        case .deletionHistoryCleared: "N08"
        case .packageListRetrieved: "N11"
        case .packageInformationRetrieved: "N10"
        case .archiveRetrieved: "N23"
        case .archiveCancelled: "N24"
        case .addFailed: "E15"
        case .deleteFailed: "E17"
        case .clearDeletionHistoryFailed: "E18"
        case .archiveFailed: "E23"
        case .archiveCancelFailed: "E24"
        case .packageRemovedByRetention: "X01"
        case .platformAdded: "X02"
        case .platformRemoved: "X03"
        case .metadataResigned: "X04"
        case .applyStarted: "N06"
        case .applyCompleted: "N07"
        case .applyFailed: "E06"
        case .updateCancelled: "N15"
        case .cancelFailed: "E11"
        case .tokenCreated: "X10"
        case .agentEnrolled: "X11"
        case .agentRevoked: "X12"
        case .agentCredentialRotated: "X13"
        case .agentReenrolmentAllowed: "X14"
        case .updatesApproved: "X15"
        case .uninstallRequested: "X16"
        case .logBundleRequested: "X17"
        case .logBundleReceived: "X18"
        case .logBundleFailed: "X19"
        case .repositoryUpdated: "N17"
        case .repositoryUpdateFailed: "E14"
        case .repositoryUpdateCancelled: "N22"
        case .repositoryUpdateCancelFailed: "E22"
        case .repositoryUpdateStarted: "N20"
        case .repositoryUpdateCompleted: "N21"
        case .sourceAddressChanged: "N19"
        case .repositorySettingsSet: "N16"
        case .repositorySettingsFailed: "E13"
        case .newPackagesDownloaded: "X05"
        case .remoteManagerRegistered: "X06"
        case .remoteManagerRetired: "X07"
        case .remoteRepositoryError: "E21"
        case .userAdded: "X20"
        case .userRemoved: "X21"
        case .userPasswordChanged: "X22"
        case .loginFailed: "X23"
        case .groupChanged: "X24"
        case .scheduleChanged: "X25"
        case .scheduleFired: "X26"
        case .policyApproved: "X27"
        case .policyPaused: "X28"
        case .policyResumed: "X29"
        case .enrolmentFailed: "X30"
        case .packageSignerUntrusted: "X31"
        case .packageSignerTrusted: "X32"
        case .tokenRevoked: "X33"
        case .manualStatusChanged: "N25"
        case .manualStatusFailed: "E25"
        }
    }

    public var message: String {
        switch self {
        case .packageAdded: "Update package added"
        case .packageDeleted: "Update package deleted"
        case .deletionHistoryCleared: "Update package deletion information cleared"
        case .packageListRetrieved: "Update package list retrieved"
        case .packageInformationRetrieved: "Update package information retrieved"
        case .archiveRetrieved: "Update package archive retrieved"
        case .archiveCancelled: "Update package archive retrieval cancelled"
        case .addFailed: "Failed to add update package"
        case .deleteFailed: "Failed to delete update package"
        case .clearDeletionHistoryFailed: "Failed to clear update package deletion information"
        case .archiveFailed: "Failed to retrieve update package archive"
        case .archiveCancelFailed: "Failed to cancel update package archive retrieval"
        case .packageRemovedByRetention: "Update package removed by generation management"
        case .platformAdded: "Served model and OS added"
        case .platformRemoved: "Served model and OS removed"
        case .metadataResigned: "Repository metadata re-signed"
        case .applyStarted: "Update package apply started"
        case .applyCompleted: "Update package apply completed"
        case .applyFailed: "Failed to apply update package"
        case .updateCancelled: "Update processing cancelled"
        case .cancelFailed: "Failed to cancel update processing"
        case .tokenCreated: "Enrolment token created"
        case .agentEnrolled: "Agent enrolled"
        case .agentRevoked: "Agent credential revoked"
        case .agentCredentialRotated: "Agent credential rotated"
        case .agentReenrolmentAllowed: "Agent re-enrolment allowed"
        case .updatesApproved: "Update approved"
        case .uninstallRequested: "Uninstall approved"
        case .logBundleRequested: "Agent log bundle requested"
        case .logBundleReceived: "Agent log bundle received"
        case .logBundleFailed: "Agent log bundle failed"
        case .repositoryUpdated: "Repository updated"
        case .repositoryUpdateFailed: "Failed to update repository"
        case .repositoryUpdateCancelled: "Repository update cancelled"
        case .repositoryUpdateCancelFailed: "Failed to cancel repository update"
        case .repositoryUpdateStarted: "Repository update started"
        case .repositoryUpdateCompleted: "Repository update completed"
        case .sourceAddressChanged: "Package source site address changed"
        case .repositorySettingsSet: "Repository information set"
        case .repositorySettingsFailed: "Failed to set repository information"
        case .newPackagesDownloaded: "New update packages downloaded"
        case .remoteManagerRegistered: "Manager using this repository registered"
        case .remoteManagerRetired: "Manager using this repository retired (no presence notification for two months)"
        case .remoteRepositoryError: "An error occurred while processing in the repository"
        case .userAdded: "User added"
        case .userRemoved: "User removed"
        case .userPasswordChanged: "User password changed"
        case .loginFailed: "Login failed"
        case .groupChanged: "Group changed"
        case .scheduleChanged: "Remote batch registered or changed"
        case .scheduleFired: "Remote batch run"
        case .policyApproved: "Update approved by policy"
        case .policyPaused: "Automatic approval paused"
        case .policyResumed: "Automatic approval resumed"
        case .enrolmentFailed: "Enrolment refused"
        case .packageSignerUntrusted: "Update package no longer offered: its signer is not a trusted key"
        case .packageSignerTrusted: "Update package offered again: its signer is a trusted key"
        case .tokenRevoked: "Enrolment token revoked"
        case .manualStatusChanged: "ExpressUpdate status changed"
        case .manualStatusFailed: "Failed to change ExpressUpdate status"
        }
    }

    public var level: AppLogLevel { code.hasPrefix("E") || self == .logBundleFailed ? .error : .info }
}

public enum AppLogLevel: String, Sendable, Codable { case info, error }

/// One entry to record: what happened, who did it, to what, and (for errors) the cause in parentheses.
public struct AppLogEntry: Sendable {
    public var time: Int64
    public var event: AppLogEvent
    public var actor: String
    public var server: String?
    public var module: String?
    public var versions: String?
    public var cause: String?

    public var level: AppLogLevel { event.level }

    public init(
        time: Int64, event: AppLogEvent, actor: String, server: String? = nil, module: String? = nil,
        versions: String? = nil, cause: String? = nil
    ) {
        self.time = time
        self.event = event
        self.actor = actor
        self.server = server
        self.module = module
        self.versions = versions
        self.cause = cause
    }
}

/// A stored entry, as the API returns it.
public struct AppLogRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var time: Int64
    public var level: String
    public var code: String
    public var message: String
    public var actor: String
    public var server: String?
    public var module: String?
    public var versions: String?
    public var cause: String?

    public init(
        id: Int64, time: Int64, level: String, code: String, message: String, actor: String, server: String?, module: String?,
        versions: String?, cause: String?
    ) {
        (self.id, self.time, self.level, self.code, self.message, self.actor) = (id, time, level, code, message, actor)
        (self.server, self.module, self.versions, self.cause) = (server, module, versions, cause)
    }

    /// "Failed to add update package. (hash invalid)" — the manual's form for errors.
    public var text: String { cause.map { "\(message). (\($0))" } ?? message }
}

/// What `GET /api/v1/log` and `exup log` filter on; entries come oldest first, a page at a time.
public struct AppLogQuery: Sendable, Hashable {
    public var afterID: Int64
    public var limit: Int
    /// Seconds since 1970.
    public var since: Int64?
    public var server: String?
    public var level: AppLogLevel?
    /// Text in the message, cause, actor, module or versions (or exactly the code).
    public var grep: String?
    /// Exactly this code.
    public var code: String?

    public init(afterID: Int64 = 0, limit: Int = 1000, since: Int64? = nil, server: String? = nil, level: AppLogLevel? = nil, grep: String? = nil) {
        self.afterID = afterID
        self.limit = limit
        self.since = since
        self.server = server
        self.level = level
        self.grep = grep
    }
}
