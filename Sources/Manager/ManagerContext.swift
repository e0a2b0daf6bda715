import ApplicationLog
import ExupCore
import ExupSystem
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

    /// Writes an application-log entry (the catalog's SQLite call runs on the blocking pool).
    func log(
        _ event: AppLogEvent, actor: String, server: String? = nil, module: String? = nil, versions: String? = nil, cause: String? = nil
    ) async throws {
        let entry = AppLogEntry(time: clock(), event: event, actor: actor, server: server, module: module, versions: versions, cause: cause)
        let catalog = repository.catalog
        try await BlockingPool.shared.run { try catalog.log(entry) }
    }

    /// Every package the source offers (read on the blocking pool).
    func allPackages() async throws -> [PackageInfo] {
        let source = self.source
        return try await BlockingPool.shared.run { try source.allPackages() }
    }

    func packages(for platform: Platform) async throws -> [PackageInfo] { try await allPackages().filter { $0.concerns(platform) } }
}
