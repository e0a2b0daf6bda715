import ApplicationLog
import ExupCore
import ExupSystem
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Manager
import ManagerAPI
import ManagerHTTP
import ManagerPostgres
import ManagerSQLite
import ManagerWeb
import Repository
import ServiceLifecycle
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the manager's server: the repository (and, in later issues, the manager) behind one router.
public struct ManagerApplication {
    public let configuration: ManagerConfiguration
    public let repository: RepositoryService
    public let manager: ManagerService
    public let secrets: Secrets
    /// The upstream sync, when `[repository.upstream]` names one.
    public let sync: UpstreamSync?
    /// The other manager's repository this one uses, when `[repository.remote]` names one.
    public let remote: RemoteRepository?

    let logger: Logger
    /// Held while this process uses the data directory: a second manager on it would corrupt nothing
    /// visibly and everything slowly (two writers of the pool, two schedulers, two TUF key users).
    let dataLock: ProcessLock

    /// Loads or creates the data directory and its secrets (written 0600 before anything listens).
    public init(configuration: ManagerConfiguration, logger: Logger) async throws {
        // Settings saved from the settings page take the place of the file's schedule, proxy and icon.
        var configuration = configuration
        try LocalFile.makeDirectories(configuration.dataDirectory, mode: 0o700)
        do { dataLock = try ProcessLock(path: configuration.dataDirectory + "/manager.lock") } catch let held as ProcessLock.Held {
            throw ManagerStartError(
                "another exup-manager (pid \(held.pid.map(String.init) ?? "?")) is using the data directory \(configuration.dataDirectory); "
                    + "stop it first, or give this one a data directory of its own")
        }
        try SavedRepositorySettings.load(dataDirectory: configuration.dataDirectory)?.apply(to: &configuration)
        self.configuration = configuration
        self.logger = logger
        let paths = configuration.repositoryPaths
        secrets = try Secrets.loadOrCreate(paths)
        for warning in configuration.warnings + secrets.warnings { logger.warning("\(warning)") }
        repository = try RepositoryService(paths: paths, keys: secrets.keys, trustedKeysDirectory: configuration.trustedKeys, logger: logger)
        let leftovers = repository.pool.removeLeftovers()
        if leftovers > 0 { logger.info("removed \(leftovers) interrupted upload(s) from \(paths.incoming)") }
        var settings = ManagerService.Settings()
        settings.pollIntervalSeconds = configuration.pollIntervalSeconds
        settings.communicationFailureAfterPolls = configuration.communicationFailureAfterPolls
        settings.initialStatusIcon = configuration.initialStatusIcon
        let repository = repository
        remote = try configuration.remote.map {
            try RemoteRepository(settings: $0, dataDirectory: configuration.dataDirectory, catalog: repository.catalog)
        }
        if let remote { try Self.checkRemote(remote, catalog: repository.catalog, logger: logger) }
        let store: any ManagerDatabase
        if configuration.database == nil, let target = DatabaseMigration.movedTo(configuration.dataDirectory) {
            throw ManagerStartError(
                "the manager's data was moved to \(target) (\(DatabaseMigration.marker(configuration.dataDirectory))): set [database] url in "
                    + "the configuration; to go back to manager.sqlite as it was before the move (losing every change since), remove that file",
                code: "database-moved")
        }
        if let database = configuration.database {
            logger.info("the manager's data is in PostgreSQL at \(database.displayURL) (TLS: \(database.tls.rawValue))")
            store = try await PostgresManagerStore(settings: database, logger: logger)
        } else {
            store = try SQLiteManagerStore(path: configuration.dataDirectory + "/manager.sqlite")
        }
        manager = try await ManagerService.open(
            dataDirectory: configuration.dataDirectory, credentialKey: paths.credentialKey, store: store, repository: repository, source: remote,
            settings: settings)
        for warning in manager.startWarnings { logger.warning("\(warning)") }
        sync = try configuration.upstream.map { try UpstreamSync(settings: $0, repository: repository) }
    }

    /// R006–R008: the remote repository answers and takes the password; otherwise the setting is kept
    /// (logged, retried) or refused, as `on-check-failure` says.
    static func checkRemote(_ remote: RemoteRepository, catalog: Catalog, logger: Logger) throws {
        let now = Int64(time(nil))
        guard let problem = remote.check() else {
            try catalog.log(
                AppLogEntry(time: now, event: .repositorySettingsSet, actor: "exup-manager", cause: "remote repository \(remote.settings.url)"))
            return
        }
        try catalog.log(AppLogEntry(time: now, event: .repositorySettingsFailed, actor: "exup-manager", cause: problem))
        guard remote.settings.keepUnchecked else {
            throw RemoteError("\(problem); not starting (on-check-failure = \"refuse\" in [repository.remote])")
        }
        logger.warning("\(problem); keeping the setting and retrying (on-check-failure = \"keep\")")
    }

    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router(context: ManagerRequestContext.self)
        let requestMetrics = RequestMetrics()
        router.add(middleware: RequestMetricsMiddleware(metrics: requestMetrics))
        router.get("/healthz") { _, _ in "ok\n" }
        let manager = manager
        let readiness = Readiness(store: manager.store, repository: repository, logger: logger)
        router.get("/readyz") { _, _ in await readiness.response() }
        let authenticator = Authenticator(
            adminToken: secrets.adminToken, repositoryPassword: secrets.repositoryPassword,
            agentLookup: { manager.enrolment.agent(credential: $0) },
            sessionLookup: { manager.users.session(token: $0).map { ($0.user, $0.role) } },
            clientSource: ClientSource(trustedProxies: configuration.trustedProxies))
        let exports = try ExportJobs(repository: repository, limits: configuration.exportLimits)
        let routes = RepositoryRoutes(
            repository: repository, exports: exports,
            authenticator: authenticator, maxUploadBytes: configuration.maxUploadBytes, mirror: remote)
        routes.register(on: router)
        let fleet = ManagerRoutes(manager: manager, authenticator: authenticator)
        fleet.register(on: router)
        MetricsRoute(manager: manager, sync: sync, requests: requestMetrics, authenticator: authenticator).register(on: router)
        let check = sync.map { RepositorySettingsCheck(sync: $0, catalog: repository.catalog) }
        let editor = RepositorySettingsEditor(
            dataDirectory: configuration.dataDirectory, paths: repository.paths, sync: sync, manager: manager,
            authenticator: authenticator, catalog: repository.catalog)
        let syncServices = SyncServices(sync: sync, settings: check, remote: remote, editor: editor)
        try GeneratedAPI(fleet: fleet, repository: routes, sync: syncServices).register(on: router)
        let web = WebRoutes(
            manager: manager, repository: repository, exports: exports, sync: sync, remote: remote, editor: editor,
            session: WebSession(authenticator: authenticator, secure: configuration.tlsCertificate != nil),
            flash: WebFlash(clock: { Int64(time(nil)) }), maxUploadBytes: configuration.maxUploadBytes)
        web.register(on: router)
        router.add(middleware: WebNotFoundMiddleware(web: web))
        router.add(middleware: MethodNotAllowedMiddleware())  // inside the 404 page: a known path's wrong method is 405
        var services: [any Service] = [
            MetadataRenewal(
                repository: repository, interval: configuration.renewIntervalSeconds,
                logRetention: (
                    Int64(configuration.logRetentionDays) * 86_400, configuration.logMaxEntries,
                    configuration.logMaxBytes
                ), logger: logger),
            HeartbeatFlush(manager: manager, logger: logger),
        ]
        if let sync, let check { services.append(SyncService(scheduler: SyncScheduler(sync: sync, check: check))) }
        services.append(OperationsTicker(manager: manager, sync: sync, remote: remote, logger: logger))
        if let remote {
            services.append(
                RemotePresenceService(
                    remote: remote, catalog: repository.catalog, presenceInterval: .seconds(configuration.presenceIntervalHours * 3600),
                    logger: logger))
        }
        // Slow clients: a request's headers (or a stalled body, or an idle keep-alive connection) get
        // request-timeout-seconds, then the connection is closed; one address holds a bounded number.
        let counter = ConnectionCounter(limit: configuration.connectionsPerSource, exempt: configuration.trustedProxies)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionLimitHandler(counter: counter)],
            idleTimeout: .seconds(Int64(configuration.requestTimeoutSeconds)))
        let server: HTTPServerBuilder
        if let tls = try Self.tlsConfiguration(configuration, warn: { logger.warning("\($0)") }) {
            server = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
        } else {
            server = .http1(configuration: http1)
        }
        return Application(
            router: router, server: server,
            configuration: .init(
                address: .hostname(configuration.listenHost, port: configuration.listenPort),
                serverName: "exup-manager"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// Renews metadata before it expires (timestamp daily), as a long-running service.
struct MetadataRenewal: Service {
    let repository: RepositoryService
    let interval: Int
    /// (maximum age in seconds, maximum entries, maximum bytes) of the application log.
    let logRetention: (seconds: Int64, entries: Int, bytes: Int64)
    let logger: Logger

    /// Ends as soon as the server shuts down gracefully (SIGTERM), even mid-sleep.
    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try repository.catalog.pruneLog(
                        olderThan: Int64(time(nil)) - logRetention.seconds, keep: logRetention.entries,
                        maxBytes: logRetention.bytes)
                    if pruned > 0 { logger.info("application log retention", metadata: ["exup.removed": "\(pruned)"]) }
                    let changed = try await repository.checkTrust()
                    if !changed.isEmpty { logger.notice("trusted keys changed: \(changed.count) package(s) withdrawn or restored") }
                    let retired = try await repository.retireSilentManagers()
                    if !retired.isEmpty { logger.info("managers retired after two silent months", metadata: ["exup.managers": "\(retired)"]) }
                    let renewed = try await repository.renewExpiring()
                    if !renewed.isEmpty { logger.info("metadata renewed", metadata: ["exup.roles": "\(renewed.joined(separator: ","))"]) }
                } catch {
                    logger.error("metadata renewal failed: \(error)")
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }
}

/// Writes the heartbeats polls recorded in memory, every few seconds and once more at shutdown, so a
/// poll never costs a database commit and no heartbeat is lost on a graceful stop.
struct HeartbeatFlush: Service {
    let manager: ManagerService
    let logger: Logger
    var interval: Duration = .seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { await flush() }
            }
        }
        // The last flush must not see the shutdown's cancellation (the store's async writes honour it).
        let final = self
        await Task.detached { await final.flush() }.value
    }

    func flush() async {
        do { try await manager.reports.flushHeartbeats() } catch { logger.error("heartbeat flush failed: \(error)") }
    }
}

/// The sync schedule as a service: ends with the server.
struct SyncService: Service {
    let scheduler: SyncScheduler

    func run() async throws {
        // A service that returns ends the server: without a schedule, this one waits for the shutdown.
        await cancelWhenGracefulShutdown {
            await scheduler.run()
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
    }
}

/// Keeps a remote-mode manager in step with its repository: presence notifications (at start, when its
/// servers' needs change, and every presence interval; R141, R144) and the offer re-read every minute.
struct RemotePresenceService: Service {
    let remote: RemoteRepository
    let catalog: Catalog
    let presenceInterval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPresence: ContinuousClock.Instant?
            var lastProblem: String?
            while !Task.isCancelled {
                let due = lastPresence.map { ContinuousClock.now - $0 >= presenceInterval } ?? true
                let remote = remote
                do {
                    try await OffPool.run {
                        if due { try remote.sendPresence() }
                        try remote.refresh()
                    }
                    if due { lastPresence = .now }
                    if lastProblem != nil { logger.info("remote repository \(remote.settings.url) reachable again") }
                    lastProblem = nil
                    if remote.remoteVersion.older, due {
                        logger.warning(
                            "the remote repository runs exup \(remote.remoteVersion.version ?? "?"), older than this manager's \(ExupVersion.string): upgrade it"
                        )
                    }
                } catch {
                    let text = "\(error)"
                    if text != lastProblem {
                        try? catalog.log(AppLogEntry(time: Int64(time(nil)), event: .remoteRepositoryError, actor: "exup-manager", cause: text))
                        logger.error("remote repository: \(text)")
                    }
                    lastProblem = text
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }
}

/// Every 30 s: remote batches whose time has come (with their download first), then group policies.
struct OperationsTicker: Service {
    let manager: ManagerService
    let sync: UpstreamSync?
    let remote: RemoteRepository?
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var leading = false
            while !Task.isCancelled {
                // A stop cuts a batch's download short and puts the batch back to wait; approvals that
                // began finish (runDueSchedules), so a batch is never left fired for some servers only.
                await tick(leading: &leading)
                try? await Task.sleep(for: .seconds(30))
            }
        }
    }

    func tick(leading: inout Bool) async {
        // With several managers on one PostgreSQL database, one of them runs batches and policies.
        guard await manager.store.holdsJobLock() else {
            leading = false
            return
        }
        do {
            if !leading && manager.store.changeFeed() != nil { try await manager.takeOverJobs() }
            leading = true
            let sync = sync, remote = remote
            let fired = try await manager.schedules.runDueSchedules(downloadNow: { await Self.downloadNow(sync: sync, remote: remote) })
            for schedule in fired { logger.info("remote batch #\(schedule.id) ran: \(schedule.result ?? "")") }
            for decision in try await manager.policies.evaluatePolicies() { logger.info("policy \(decision.group): \(decision.reason)") }
        } catch {
            logger.error("schedules and policies: \(error)")
        }
    }

    /// A batch's download first (R083): the local sync, or the remote repository's, waited for (an hour at most).
    static func downloadNow(sync: UpstreamSync?, remote: RemoteRepository?) async {
        if let remote {
            _ = try? await OffPool.run { try remote.requestSync() }
            await remote.followRemoteSync()
            return
        }
        guard let sync else { return }
        _ = sync.start(actor: "remote batch")
        for _ in 0..<3600 where sync.status.state == .running { try? await Task.sleep(for: .seconds(1)) }
    }
}

extension ManagerApplication {
    /// The TLS setup from `[server] tls-certificate` and `tls-key`, nil without them; checked before the first
    /// start generates anything (serve) and by check-config. The key is a secret like the others.
    public static func tlsConfiguration(_ configuration: ManagerConfiguration, warn: (String) -> Void = { _ in }) throws -> TLSConfiguration? {
        guard let certificate = configuration.tlsCertificate, let key = configuration.tlsKey else { return nil }
        let contents: SecretFile.Contents?
        do { contents = try SecretFile.read(key, limit: 1 << 20) } catch { throw ManagerStartError("[server] tls-key: \(error.description)") }
        guard let contents else { throw ManagerStartError("[server] tls-key \(key) does not exist") }
        if let warning = contents.warning { warn(warning) }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw ManagerStartError("[server] tls-certificate \(certificate) is not a PEM certificate chain that can be read")
        }
        guard !chain.isEmpty else { throw ManagerStartError("[server] tls-certificate \(certificate) holds no certificate") }
        let privateKey: NIOSSLPrivateKey
        do { privateKey = try NIOSSLPrivateKey(bytes: contents.bytes, format: .pem) } catch {
            throw ManagerStartError("[server] tls-key \(key) is not a PEM private key that can be read")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    }
}

/// Why the manager cannot start, in one line.
public struct ManagerStartError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The error code the command line reports.
    public var code: String
    public init(_ description: String, code: String = "data-directory-in-use") {
        self.description = description
        self.code = code
    }
}
