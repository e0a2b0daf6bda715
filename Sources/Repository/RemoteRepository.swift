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

/// A manager that uses another manager's repository (seed §1.3, §3.3 "Remote"; R004–R009, R098, R126,
/// R151–R154).
public struct RemoteSettings: Sendable, Hashable {
    public var url: String
    /// The remote's repository password (its DATA/repository.password).
    public var password: String
    /// This manager's name in the remote's presence records.
    public var managerName: String
    /// Keep running when the remote cannot be checked at start (R007's "keep"); false refuses to start.
    public var keepUnchecked: Bool

    public init(url: String, password: String, managerName: String, keepUnchecked: Bool = true) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.password = password
        self.managerName = managerName
        self.keepUnchecked = keepUnchecked
    }
}

/// The remote repository as this manager uses it: a caching TUF mirror for its agents (metadata and
/// packages fetched through from the remote and kept, so agents need only their manager's address; they
/// pin and verify the *remote's* root), a TUF client of its own for the packages behind server statuses,
/// and the presence notifications that make the remote keep what this manager's servers need.
public final class RemoteRepository: Sendable {
    public let settings: RemoteSettings
    let directory: String
    let catalog: Catalog
    let clock: @Sendable () -> Int64

    struct State {
        var packages: [PackageInfo] = []
        /// Consistent target paths (`models/<slug>/<sha256>.<id>.zip`) the verified metadata lists: the
        /// only package names this mirror ever asks the remote for.
        var trustedTargetPaths: Set<String> = []
        var platforms: Set<Platform> = []
        var previous: Set<PreviousGeneration> = []
        var lastRefresh: Int64 = 0
        /// When a name the metadata did not list last made this mirror refresh (at most one per 30 s).
        var lastLookupRefresh: Int64 = 0
        var remoteVersion: String?
        var problem: String?
        var presenceSent = false
    }
    let state = Mutex(State())

    public init(
        settings: RemoteSettings, dataDirectory: String, catalog: Catalog, clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) throws {
        self.settings = settings
        directory = dataDirectory + "/remote"
        self.catalog = catalog
        self.clock = clock
        for sub in ["metadata", "mirror/metadata", "mirror/targets"] { try LocalFile.makeDirectories(directory + "/" + sub, mode: 0o700) }
        // The platforms this manager's agents reported survive a restart (presence needs them).
        let saved = (try catalog.platforms()).map(\.platform)
        state.withLock { $0.platforms = Set(saved) }
    }

    func client(timeout: Int = 60) -> HTTPClient {
        var options = HTTPClient.Options()
        options.bearerToken = settings.password
        options.userAgent = "exup-manager/\(ExupVersion.string) remote"
        options.totalTimeoutSeconds = timeout
        return HTTPClient(options: options)
    }

    // MARK: - Checks and status

    /// Connection and password, as when the setting is saved (R006–R008); nil when both are fine.
    public func check() -> String? {
        do {
            let response = try client(timeout: 15).get(settings.url + "/repo/v1/metadata/timestamp.json", maxBytes: 64 << 10)
            switch response.status {
            case 200: return nil
            case 401, 403: return "the remote repository \(settings.url) refused the repository password"
            default: return "the remote repository \(settings.url) answered HTTP \(response.status): is it an exup manager?"
            }
        } catch {
            return "could not connect to the remote repository \(settings.url): \(error)"
        }
    }

    /// The remote's exup version (from the last presence answer) and whether it is older than this one.
    public var remoteVersion: (version: String?, older: Bool) {
        let version = state.withLock { $0.remoteVersion }
        guard let version else { return (nil, false) }
        return (version, Self.isOlder(version, than: ExupVersion.string))
    }

    /// R009: versions compare as Debian package versions (what the packages carry).
    public static func isOlder(_ remote: String, than local: String) -> Bool { VersionScheme.debian.compare(remote, local) < 0 }

    public var problem: String? { state.withLock { $0.problem } }

    /// Logs a settings check as the seed does: "Repository information set" or the failure and why.
    public func logCheck(_ problem: String?, actor: String, at now: Int64) throws {
        if let problem {
            try catalog.log(AppLogEntry(time: now, event: .repositorySettingsFailed, actor: actor, cause: problem))
        } else {
            try catalog.log(AppLogEntry(time: now, event: .repositorySettingsSet, actor: actor, cause: "remote repository \(settings.url)"))
        }
    }

    // MARK: - The mirror agents read

    /// A metadata file, as the remote signed it. `timestamp.json` (and unversioned names) are fetched
    /// fresh, with the cached copy as fallback when the remote is down; versioned files never change, so
    /// a cached copy is served as is.
    public func metadata(_ name: String) throws -> [UInt8]? {
        guard Self.isMetadataName(name) else { return nil }
        let cached = directory + "/mirror/metadata/" + URLQuoting.quote(name)
        let versioned = name.first?.isNumber == true
        if versioned, let bytes = LocalFile.read(cached, limit: 16 << 20) { return bytes }
        do {
            let response = try client().get(settings.url + "/repo/v1/metadata/" + URLQuoting.quote(name, keepingSlashes: true), maxBytes: 16 << 20)
            if response.status == 404 { return nil }
            guard response.status == 200 else { throw RemoteError("the remote repository answered HTTP \(response.status) for \(name)") }
            try LocalFile.writeAtomically(response.body, to: cached, mode: 0o600)
            return response.body
        } catch {
            // The agent's TUF client decides whether a stale timestamp is still acceptable.
            if let bytes = LocalFile.read(cached, limit: 16 << 20) { return bytes }
            throw RemoteError("the remote repository \(settings.url) cannot be reached: \(error)")
        }
    }

    /// A package, by its consistent name `…/<sha256>.<id>.zip`: served from the local copy, fetched
    /// through once (and checked against the digest its name carries) when there is none.
    public func targetFile(_ path: String) throws -> String? {
        // Only a name the verified metadata lists becomes a request to the remote (looked up again after a
        // refresh, for a package published since): never a path an agent made up.
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let name = path[path.index(after: slash)...]
        guard let dot = name.firstIndex(of: "."), name.distance(from: name.startIndex, to: dot) == 64 else { return nil }
        let digest = String(name[..<dot]).lowercased()
        guard digest.allSatisfy(\.isHexDigit) else { return nil }
        if !state.withLock({ $0.trustedTargetPaths.contains(path) }) {
            // A name not listed yet may be a package published since: one refresh per 30 s at most, so
            // made-up names cannot make this mirror hammer the remote.
            let now = clock()
            let due = state.withLock { state -> Bool in
                guard now - state.lastLookupRefresh >= 30 else { return false }
                state.lastLookupRefresh = now
                return true
            }
            if due { try? refresh() }
            guard state.withLock({ $0.trustedTargetPaths.contains(path) }) else { return nil }
        }
        let kept = directory + "/mirror/targets/\(digest).zip"
        if LocalFile.exists(kept) { return kept }
        let partial = kept + ".part"
        do {
            let response = try client(timeout: 0).download(
                settings.url + "/repo/v1/targets/" + URLQuoting.quote(path, keepingSlashes: true),
                to: partial, maxBytes: 8 << 30)
            if response.status == 404 { unlink(partial); return nil }
            guard response.status == 200 || response.status == 206 else {
                throw RemoteError("the remote repository answered HTTP \(response.status)")
            }
        } catch let error as RemoteError { throw error } catch {
            throw RemoteError("cannot fetch \(path) from the remote repository (it resumes next time): \(error)")
        }
        let (_, actual) = try FileDigest.sha256(path: partial)
        guard actual.hex == digest else {
            unlink(partial)
            throw RemoteError("\(path) from the remote repository does not match the digest in its name: refused")
        }
        guard rename(partial, kept) == 0 else { throw RemoteError("cannot keep \(kept): \(String(cString: strerror(errno)))") }
        return kept
    }

    /// `dir/name` as served under consistent snapshots: `dir/<sha256>.name`.
    static func consistentPath(_ path: String, sha256: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return sha256 + "." + path }
        return String(path[...slash]) + sha256 + "." + String(path[path.index(after: slash)...])
    }

    /// A TUF metadata file name (`[VERSION.]ROLE.json`, roles such as `models/<slug>`): nothing else is
    /// passed on to the remote.
    static func isMetadataName(_ name: String) -> Bool {
        guard name.hasSuffix(".json"), !name.hasPrefix("/"), name.utf8.count <= 256 else { return false }
        let allowed = name.utf8.allSatisfy {
            isAlphanumericASCII($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "/")
        }
        guard allowed, !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            return false
        }
        // The roles this project's repositories have: the top-level four and one delegation per model.
        var role = Substring(name.dropLast(5))
        if let dot = role.firstIndex(of: "."), role[..<dot].allSatisfy(\.isNumber), dot != role.startIndex { role = role[role.index(after: dot)...] }
        if ["root", "timestamp", "snapshot", "targets"].contains(role) { return true }
        let parts = role.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0] == "models" && !parts[1].contains(".")
    }

    private static func isAlphanumericASCII(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// The remote's current root.json (what the enrolment token's hash pins).
    public func currentRootBytes() throws -> [UInt8] {
        let cached = directory + "/mirror/current-root.json"
        do {
            let response = try client(timeout: 15).get(settings.url + "/api/v1/repository/root", maxBytes: 512 << 10)
            guard response.status == 200 else { throw RemoteError("the remote repository answered HTTP \(response.status) for its root") }
            try LocalFile.writeAtomically(response.body, to: cached, mode: 0o600)
            return response.body
        } catch {
            if let bytes = LocalFile.read(cached, limit: 512 << 10) { return bytes }
            throw RemoteError("the remote repository's root.json cannot be fetched: \(error)")
        }
    }

    // MARK: - What the manager computes statuses from

    /// The packages the remote offers for this manager's platforms (from its verified TUF metadata).
    public func allPackages() -> [PackageInfo] { state.withLock { $0.packages } }

    /// Refreshes the remote's metadata through the TUF client workflow (the root pinned at first contact)
    /// and re-reads the packages for this manager's platforms.
    public func refresh() throws {
        let platforms = state.withLock { $0.platforms }
        do {
            try pinRoot()
            var updater = try Updater(
                metadataDirectory: directory + "/metadata", metadataURL: settings.url + "/repo/v1/metadata/",
                fetcher: HTTPFetcher(client: client()), referenceTime: UTCTime(seconds: clock()))
            try updater.refresh()
            var packages: [PackageInfo] = []
            var paths = Set<String>()
            for model in Set(platforms.map(\.model)).sorted() {
                guard let targets = try updater.delegatedTargets(ModelSlug.role(for: Platform.normalizedModel(model))) else { continue }
                for target in targets.targets.values {
                    if let sha256 = target.hashes["sha256"] { paths.insert(Self.consistentPath(target.path, sha256: sha256)) }
                    guard let infoJSON = target.custom?["exup"]?["info"],
                        let info = try? JSONDecoder().decode(PackageInfo.self, from: Data(infoJSON.prettyBytes))
                    else { continue }
                    packages.append(info)
                }
            }
            state.withLock {
                $0.packages = packages.sorted { $0.id < $1.id }
                $0.trustedTargetPaths = paths
                $0.lastRefresh = clock()
                $0.problem = nil
            }
        } catch {
            let text = "\(error)"
            state.withLock { $0.problem = text }
            throw RemoteError(text)
        }
    }

    func pinRoot() throws {
        let pinned = directory + "/metadata/root.json"
        guard !LocalFile.exists(pinned) else { return }
        let response = try client(timeout: 15).get(settings.url + "/repo/v1/metadata/1.root.json", maxBytes: 512 << 10)
        guard response.status == 200 else { throw RemoteError("the remote repository has no 1.root.json (HTTP \(response.status))") }
        try LocalFile.writeAtomically(response.body, to: pinned, mode: 0o600)
    }

    // MARK: - Presence (R141–R144)

    /// Notes what an agent reported; returns true when the needs changed (a presence is then due).
    /// The agent's claim replaces its earlier one (see Catalog.claim), so the needs follow what the
    /// agents report now, bounded per agent.
    public func note(agent: String, platform: Platform, previous: [String: String]) throws -> Bool {
        try catalog.recordPlatformIfNew(platform, origin: "agent")
        if let released = try catalog.claim(agent: agent, platform: platform, previous: previous) { try catalog.removePlatform(released) }
        return try reloadNeeds()
    }

    /// A revoked agent's claims go; returns true when the needs changed.
    public func forget(agent: String) throws -> Bool {
        if let released = try catalog.dropClaims(agent: agent) { try catalog.removePlatform(released) }
        return try reloadNeeds()
    }

    /// The platforms and previous generations from the catalog; true when they changed.
    func reloadNeeds() throws -> Bool {
        let platforms = Set(try catalog.platforms().map(\.platform))
        let previous = Set(try catalog.previousGenerations().filter { platforms.contains($0.platform) })
        return state.withLock { state in
            let changed = state.platforms != platforms || !previous.isSubset(of: state.previous) || !state.previous.isSubset(of: previous)
            state.platforms = platforms
            state.previous = previous
            return changed
        }
    }

    /// Tells the remote what this manager's servers need; remembers its version (R009).
    @discardableResult
    public func sendPresence() throws -> PresenceAnswer {
        let (platforms, previous) = state.withLock { (Array($0.platforms), Array($0.previous)) }
        let presence = Presence(
            manager: settings.managerName, version: ExupVersion.string,
            platforms: platforms.sorted { $0.description < $1.description }, previous: previous.sorted { $0.version < $1.version })
        let response = try client(timeout: 30).send(
            "POST", settings.url + "/api/v1/repository/presence", body: Array(try JSONEncoder().encode(presence)),
            headers: ["Content-Type": "application/json"])
        guard response.status == 200 else {
            throw RemoteError("the remote repository refused the presence notification (HTTP \(response.status))")
        }
        let answer = try JSONDecoder().decode(PresenceAnswer.self, from: Data(response.body))
        state.withLock {
            $0.remoteVersion = answer.repositoryVersion; $0.presenceSent = true
        }
        return answer
    }

    /// Asks the remote to download now (R098); its own log records who asked (N20/N21).
    public func requestSync() throws -> [UInt8] {
        let response = try client(timeout: 30).send(
            "POST", settings.url + "/api/v1/repository/sync", body: Array("{}".utf8),
            headers: ["Content-Type": "application/json", "X-Exup-Manager": settings.managerName])
        guard response.status == 202 || response.status == 409 else {
            throw RemoteError(
                "the remote repository refused the download request (HTTP \(response.status)): \(String(decoding: response.body.prefix(300), as: UTF8.self))"
            )
        }
        return response.body
    }

    /// Follows a download the remote runs for this manager and re-reads the offer once it ends, so the
    /// servers' statuses show the new packages without waiting for the next periodic refresh.
    public func followRemoteSync(poll: Duration = .seconds(2), limit: Duration = .seconds(7200)) async {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            try? await Task.sleep(for: poll)
            let answer = try? await OffPool.run { try self.syncStatus() }
            guard let body = answer,
                let status = try? JSONDecoder().decode(SyncStatus.self, from: Data(body))
            else { continue }
            if status.state != .running { break }
        }
        _ = try? await OffPool.run { try self.refresh() }
    }

    /// The remote's sync status, as it reports it.
    public func syncStatus() throws -> [UInt8] {
        let response = try client(timeout: 15).get(settings.url + "/api/v1/repository/sync", maxBytes: 1 << 20)
        guard response.status == 200 else { throw RemoteError("the remote repository answered HTTP \(response.status)") }
        return response.body
    }
}

public struct RemoteError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
