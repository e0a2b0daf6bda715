import ApplicationLog
import Dispatch
import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import FoundationEssentials
import Synchronization
import TUF
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Where this repository gets new packages from (seed §2.2.1, §2.2.7; spec 8.2–8.3): another exup
/// repository, read as a TUF client (its root pinned at the first contact, or checked against a
/// configured hash), optionally through a proxy.
public struct UpstreamSettings: Sendable, Hashable {
    public var url: String
    public var password: String
    /// SHA-256 of the upstream's `1.root.json`; when set, a first contact with any other root is refused.
    public var rootSHA256: String?
    public var proxy: ProxySettings?
    public var schedule: SyncSchedule?

    public init(url: String, password: String, rootSHA256: String? = nil, proxy: ProxySettings? = nil, schedule: SyncSchedule? = nil) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.password = password
        self.rootSHA256 = rootSHA256
        self.proxy = proxy
        self.schedule = schedule
    }
}

/// A sync's progress and outcome, as `GET /api/v1/repository/sync` shows it.
public struct SyncStatus: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable { case idle, running, succeeded, failed, cancelled }

    public var state: State = .idle
    public var actor: String?
    public var startedAt: String?
    public var finishedAt: String?
    /// What it is doing now, in words.
    public var phase: String = ""
    public var packagesTotal = 0
    public var packagesDone = 0
    public var bytesTotal: Int64 = 0
    public var bytesDone: Int64 = 0
    public var added: [String] = []
    /// Packages refused, with the reason ("bmc-2.31: signature: no trusted key").
    public var refused: [String] = []
    public var error: String?
    /// Packages published since this time were considered (the last successful sync; 1970 at first).
    public var since: String?
    public var upstream: String?
    public var lastSuccess: String?
    public var nextScheduled: String?

    public init() {}
}

/// Runs syncs one at a time: refresh the upstream's TUF metadata, pick the packages published since the
/// last successful sync that this repository's servers (its own and other managers') need and that are
/// not in the deletion history, download each (resumable, checked against the upstream's metadata while
/// it is kept), add it (which checks the vendor signature and re-publishes it under this repository's
/// keys). A failed or cancelled sync does not advance the "since" time.
public final class UpstreamSync: Sendable {
    /// The settings in force: the schedule and the proxy can change while it runs (the settings page).
    public var settings: UpstreamSettings { current.withLock { $0 } }
    let current: Mutex<UpstreamSettings>
    let repository: RepositoryService
    let directory: String
    let clock: @Sendable () -> Int64
    let state = Mutex(SyncStatus())
    let cancelRequested = Mutex(false)
    /// Runs since start, by result (for /metrics).
    let runs = Mutex([String: Int]())

    public var runCounts: [String: Int] { runs.withLock { $0 } }

    public init(settings: UpstreamSettings, repository: RepositoryService, clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) throws {
        current = Mutex(settings)
        self.repository = repository
        directory = repository.paths.root + "/upstream"
        self.clock = clock
        try LocalFile.makeDirectories(directory + "/metadata", mode: 0o700)
        try LocalFile.makeDirectories(directory + "/incoming", mode: 0o700)
        let catalog = repository.catalog
        if try catalog.syncValue("configured-url") != settings.url {
            // A different upstream: forget the old one's trust and position.
            try? LocalDirectory.removeTree(directory + "/metadata")
            try LocalFile.makeDirectories(directory + "/metadata", mode: 0o700)
            for key in ["upstream-url", "last-success", "synced-platforms"] { try catalog.setSyncValue(key, nil) }
            try catalog.setSyncValue("configured-url", settings.url)
        }
        let last = try catalog.syncValue("last-success")
        state.withLock { status in
            status.lastSuccess = last.flatMap(Int64.init).map { UTCTime(seconds: $0).description }
            status.upstream = settings.url
        }
    }

    public var status: SyncStatus { state.withLock { $0 } }

    /// New schedule and proxy (the upstream's address and password stay the configuration's, R146);
    /// requests from then on go through the new proxy.
    public func update(schedule: SyncSchedule?, proxy: ProxySettings?) {
        current.withLock {
            $0.schedule = schedule; $0.proxy = proxy
        }
    }

    /// Starts a sync in the background; nil when one is already running.
    public func start(actor: String, remote: Bool = false) -> SyncStatus? {
        let started = state.withLock { status -> Bool in
            guard status.state != .running else { return false }
            var fresh = SyncStatus()
            fresh.state = .running
            fresh.actor = actor
            fresh.startedAt = UTCTime(seconds: clock()).description
            fresh.phase = "starting"
            fresh.lastSuccess = status.lastSuccess
            fresh.upstream = status.upstream
            fresh.nextScheduled = status.nextScheduled
            status = fresh
            return true
        }
        guard started else { return nil }
        cancelRequested.withLock { $0 = false }
        Task.detached { await self.run(actor: actor, remote: remote) }
        return status
    }

    /// Asks the running sync to stop (between packages, or mid-download, keeping the partial file).
    public func cancel(actor: String) throws -> Bool {
        guard status.state == .running else {
            try repository.catalog.log(
                AppLogEntry(time: clock(), event: .repositoryUpdateCancelFailed, actor: actor, cause: "no repository update is running"))
            return false
        }
        cancelRequested.withLock { $0 = true }
        return true
    }

    public func setNextScheduled(_ seconds: Int64?) {
        state.withLock { $0.nextScheduled = seconds.map { UTCTime(seconds: $0).description } }
    }

    var isCancelled: Bool { cancelRequested.withLock { $0 } }

    func update(_ change: (inout SyncStatus) -> Void) { state.withLock { change(&$0) } }

    // MARK: - The run

    func run(actor: String, remote: Bool) async {
        let started = clock()
        let catalog = repository.catalog
        if remote { try? catalog.log(AppLogEntry(time: started, event: .repositoryUpdateStarted, actor: actor)) }
        do {
            let outcome = try await sync(startedAt: started)
            let now = clock()
            if outcome.cancelled {
                try? catalog.log(AppLogEntry(time: now, event: .repositoryUpdateCancelled, actor: actor))
                update {
                    $0.state = .cancelled; $0.phase = "cancelled"; $0.finishedAt = UTCTime(seconds: now).description
                }
                runs.withLock { $0["cancelled", default: 0] += 1 }
                return
            }
            try catalog.setSyncValue("last-success", String(started))
            try catalog.setSyncValue("synced-platforms", outcome.platforms.joined(separator: "\n"))
            let summary = "\(outcome.added.count) added, \(outcome.refused.count) refused, \(outcome.considered) considered"
            try? catalog.log(AppLogEntry(time: now, event: .repositoryUpdated, actor: actor, cause: summary))
            if !outcome.added.isEmpty {
                try? catalog.log(
                    AppLogEntry(
                        time: now, event: .newPackagesDownloaded, actor: actor,
                        cause: outcome.components.sorted().joined(separator: ", ")))
            }
            if remote { try? catalog.log(AppLogEntry(time: now, event: .repositoryUpdateCompleted, actor: actor)) }
            runs.withLock { $0["succeeded", default: 0] += 1 }
            update {
                $0.state = .succeeded
                $0.phase = "done: " + summary
                $0.finishedAt = UTCTime(seconds: now).description
                $0.lastSuccess = UTCTime(seconds: started).description
            }
        } catch {
            let now = clock()
            try? catalog.log(AppLogEntry(time: now, event: .repositoryUpdateFailed, actor: actor, cause: "\(error)"))
            runs.withLock { $0["failed", default: 0] += 1 }
            update {
                $0.state = .failed; $0.error = "\(error)"; $0.phase = "failed"; $0.finishedAt = UTCTime(seconds: now).description
            }
        }
    }

    struct Outcome {
        var cancelled = false
        var added: [String] = []
        var refused: [String] = []
        var considered = 0
        var components: Set<String> = []
        var platforms: [String] = []
    }

    func sync(startedAt: Int64) async throws -> Outcome {
        var outcome = Outcome()
        let catalog = repository.catalog
        let configured = try catalog.syncValue("upstream-url") ?? settings.url
        update {
            $0.phase = "contacting the upstream"; $0.upstream = configured
        }
        let base = try await OffPool.run("exup.upstream-sync") { try self.followPermanentRedirect(configured) }
        update { $0.upstream = base }
        try await OffPool.run("exup.upstream-sync") { try self.pinRoot(base) }

        // What this repository's servers need, and since when.
        let platforms = try catalog.platforms().map(\.platform) + (try catalog.remotePlatforms().map(\.platform))
        let platformKeys = Set(platforms.map(\.description))
        outcome.platforms = platformKeys.sorted()
        let syncedBefore = Set((try catalog.syncValue("synced-platforms") ?? "").split(separator: "\n").map(String.init))
        let since = Int64(try catalog.syncValue("last-success") ?? "0") ?? 0
        update {
            $0.since = UTCTime(seconds: since).description; $0.phase = "refreshing the upstream's metadata"
        }
        let deleted = Set(try catalog.deletionHistory().packageIDs)
        let stored = Set(try catalog.packages().map(\.info.id))

        let offered = try await OffPool.run("exup.upstream-sync") { try self.offeredTargets(base: base, models: Set(platforms.map(\.model))) }
        var wanted: [(TargetFile, PackageInfo)] = []
        for (target, info, published) in offered {
            let concerned = platforms.filter { info.concerns($0) }
            guard !concerned.isEmpty else { continue }
            // A platform served since the last sync sees everything; the others see what is new (R094–R096).
            let newPlatform = concerned.contains { !syncedBefore.contains($0.description) }
            guard newPlatform || published >= since else { continue }
            outcome.considered += 1
            guard !deleted.contains(info.id), !stored.contains(info.id) else { continue }
            wanted.append((target, info))
        }
        let total = wanted.reduce(Int64(0)) { $0 + Int64($1.0.length) }
        update {
            $0.packagesTotal = wanted.count; $0.bytesTotal = total
        }

        var doneBytes: Int64 = 0
        for (index, (target, info)) in wanted.enumerated() {
            if isCancelled { outcome.cancelled = true; return outcome }
            update { $0.phase = "downloading \(info.id) (\(index + 1) of \(wanted.count))" }
            let file: String
            do {
                let done = doneBytes
                file = try await OffPool.run("exup.upstream-sync") { try self.download(target, base: base, alreadyDone: done) }
            } catch is SyncCancelled {
                outcome.cancelled = true
                return outcome
            } catch let error as SyncRefusal {
                outcome.refused.append("\(info.id): \(error)")
                update { $0.refused = outcome.refused }
                doneBytes += Int64(target.length)
                continue
            }
            doneBytes += Int64(target.length)
            let result = await repository.add(file: file, name: info.id + ".zip", mode: .needed, actor: "upstream sync")
            switch result.code {
            case .added:
                outcome.added.append(info.id)
                outcome.components.insert(info.moduleName)
            case .hashInvalid, .invalid:
                outcome.refused.append("\(info.id): \(result.message)")
            case .notNeeded, .alreadyExists:
                break
            }
            update {
                $0.packagesDone = index + 1; $0.bytesDone = doneBytes; $0.added = outcome.added; $0.refused = outcome.refused
            }
        }
        return outcome
    }

    // MARK: - Blocking steps (on a thread of their own: libcurl and file I/O never stall the server)

    func client() -> HTTPClient {
        var options = HTTPClient.Options()
        options.bearerToken = settings.password
        options.proxy = settings.proxy
        options.userAgent = "exup-manager/\(ExupVersion.string) sync"
        return HTTPClient(options: options)
    }

    /// A 301/308 for the upstream's timestamp moves the upstream for good: logged once (R099), then used.
    func followPermanentRedirect(_ base: String) throws -> String {
        let probe = base + "/repo/v1/metadata/timestamp.json"
        let response: HTTPClient.Response
        do { response = try client().get(probe, maxBytes: 64 << 10) } catch { throw SyncFailure("cannot reach the upstream \(base): \(error)") }
        try Self.checkAuthorised(response, base: base)
        guard response.status == 301 || response.status == 308, let location = response.headers["location"],
            location.hasSuffix("/repo/v1/metadata/timestamp.json")
        else { return base }
        let moved = String(location.dropLast("/repo/v1/metadata/timestamp.json".count))
        try repository.catalog.setSyncValue("upstream-url", moved)
        try repository.catalog.log(AppLogEntry(time: clock(), event: .sourceAddressChanged, actor: "upstream sync", cause: "\(base) → \(moved)"))
        return moved
    }

    static func checkAuthorised(_ response: HTTPClient.Response, base: String) throws {
        if response.status == 401 || response.status == 403 {
            throw SyncFailure("the upstream \(base) refused the repository password (HTTP \(response.status))")
        }
    }

    /// Pins the upstream's first root at the first contact (checked against `rootSHA256` when set).
    func pinRoot(_ base: String) throws {
        let pinned = directory + "/metadata/root.json"
        guard !LocalFile.exists(pinned) else { return }
        let response: HTTPClient.Response
        do { response = try client().get(base + "/repo/v1/metadata/1.root.json", maxBytes: 512 << 10) } catch {
            throw SyncFailure("cannot fetch the upstream's root.json: \(error)")
        }
        try Self.checkAuthorised(response, base: base)
        guard response.status == 200 else { throw SyncFailure("the upstream has no 1.root.json (HTTP \(response.status))") }
        let digest = SHA256Hasher.hash(response.body).hex
        if let expected = settings.rootSHA256, expected.lowercased() != digest {
            throw SyncFailure("the upstream's 1.root.json has SHA-256 \(digest), not the configured \(expected): refusing to trust it")
        }
        try LocalFile.writeAtomically(response.body, to: pinned, mode: 0o600)
    }

    /// The upstream's package targets for these models, through the TUF client workflow.
    func offeredTargets(base: String, models: Set<String>) throws -> [(TargetFile, PackageInfo, Int64)] {
        var updater: Updater
        do {
            updater = try Updater(
                metadataDirectory: directory + "/metadata", metadataURL: base + "/repo/v1/metadata/",
                fetcher: HTTPFetcher(client: client()), referenceTime: UTCTime(seconds: clock()))
            try updater.refresh()
        } catch { throw SyncFailure("the upstream's metadata was refused: \(error)") }
        var out: [(TargetFile, PackageInfo, Int64)] = []
        for model in models.sorted() {
            let role = ModelSlug.role(for: Platform.normalizedModel(model))
            let targets: Targets?
            do { targets = try updater.delegatedTargets(role) } catch { throw SyncFailure("the upstream's \(role) metadata was refused: \(error)") }
            for target in (targets?.targets.values.map { $0 } ?? []).sorted(by: { $0.path < $1.path }) {
                guard let exup = target.custom?["exup"], let infoJSON = exup["info"],
                    let info = try? JSONDecoder().decode(PackageInfo.self, from: Data(infoJSON.prettyBytes))
                else { continue }
                let published = exup["published"]?.string.flatMap { UTCTime($0) }?.seconds ?? 0
                out.append((target, info, published))
            }
        }
        return out
    }

    /// Downloads one target into `upstream/incoming/<sha256>.part` (resuming what is there), checks it
    /// against the upstream's metadata, and returns the file.
    func download(_ target: TargetFile, base: String, alreadyDone: Int64) throws -> String {
        guard let sha256 = target.hashes["sha256"] else { throw SyncRefusal("the upstream's metadata gives no sha256") }
        let path = directory + "/incoming/\(sha256).part"
        let name = target.path.split(separator: "/").last.map(String.init) ?? target.path
        let remote = (target.path.split(separator: "/").dropLast().joined(separator: "/")) + "/\(sha256).\(name)"
        var lastUpdate = 0
        do {
            let response = try client().download(base + "/repo/v1/targets/" + remote, to: path, maxBytes: UInt64(target.length)) { received in
                let now = CommandRunner.monotonicMilliseconds()
                if now - lastUpdate > 250 {
                    lastUpdate = now
                    self.update { $0.bytesDone = alreadyDone + Int64(received) }
                }
                return !self.isCancelled
            }
            try Self.checkAuthorised(response, base: base)
            guard response.status == 200 || response.status == 206 else {
                throw SyncFailure("the upstream answered \(response.status) for \(target.path)")
            }
        } catch let error as HTTPError {
            if case .stopped = error { throw SyncCancelled() }
            throw SyncFailure("download of \(target.path) stopped (it resumes at the next sync): \(error)")
        }
        do { try target.verifyFile(at: path) } catch {
            unlink(path)
            throw SyncRefusal("does not match the upstream's metadata (\(error))")
        }
        return path
    }
}

/// A sync that could not finish (network, password, metadata): logged, and the "since" time stays.
struct SyncFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One package refused; the sync goes on.
struct SyncRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct SyncCancelled: Error {}
