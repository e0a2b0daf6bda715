import ApplicationLog
import ExupCore
import Repository

/// What every manager service shares: the store, the application log, where packages come from, the
/// settings and the clock. A value: services hold their own copy.
public struct ManagerContext: Sendable {
    public struct Settings: Sendable {
        public var pollIntervalSeconds = 300
        /// An agent silent for longer than this many poll intervals is in "communication failure".
        public var communicationFailureAfterPolls = 3
        /// The icon a download-only module shows until someone sets it (the repository's initial status icon).
        public var initialStatusIcon = ModuleFacts.defaultInitialIcon
        public init() {}
    }

    public let store: any ManagerDatabase
    /// The local repository: the application log lives in its catalog.
    let repository: RepositoryService
    /// Where packages and the root come from: the local repository, or a remote one.
    let source: any PackageSource
    let settings: Settings
    let clock: @Sendable () -> Int64
    /// The key behind every agent credential and user session.
    let credentialKey: [UInt8]
    let dataDirectory: String

    func log(
        _ event: AppLogEvent, actor: String, server: String? = nil, module: String? = nil, versions: String? = nil, cause: String? = nil
    ) throws {
        try repository.catalog.log(
            AppLogEntry(time: clock(), event: event, actor: actor, server: server, module: module, versions: versions, cause: cause))
    }

    func allPackages() throws -> [PackageInfo] { try source.allPackages() }

    func packages(for platform: Platform) throws -> [PackageInfo] { try allPackages().filter { $0.concerns(platform) } }
}
