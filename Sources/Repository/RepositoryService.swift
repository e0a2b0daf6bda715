import ApplicationLog
import ExupCore
import ExupCrypto
import ExupFormats
import ExupSystem
import ExupZip
import FoundationEssentials
import Logging
import PackageFormat
import Synchronization
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// The repository's operations (seed §2.2, §3.4.3, §3.6, §3.7.2). One actor, so changes to the pool,
/// the catalog and the published metadata happen one at a time; reads of published metadata and pool
/// files go straight to the catalog and never wait for it.
public actor RepositoryService {
    public nonisolated let paths: RepositoryPaths
    public nonisolated let catalog: Catalog
    public nonisolated let pool: PackagePool
    let publisher: Publisher
    let trustedKeysDirectory: String
    let limits: ZipLimits
    let clock: @Sendable () -> UTCTime
    let logger: Logger
    /// The decoded catalog, loaded once: this actor is the only writer of packages, so it stays exact
    /// (decoding 10,000 rows on every change would dominate an add).
    private var packageCache: [String: Catalog.StoredPackageRow]?
    private var warnedRootOffline = false
    /// Packages whose signer is not among the trusted keys now (id → why): kept, listed and marked, never
    /// published to agents or offered for approval.
    public nonisolated let untrusted = Mutex([String: String]())
    /// What the trusted keys directory held at the last check (names and contents), and the packages
    /// checked against it.
    private var trustFingerprint: String?
    private var checkedUnderFingerprint = Set<String>()

    public init(
        paths: RepositoryPaths, keys: RepositoryKeys, trustedKeysDirectory: String? = nil, limits: ZipLimits = ZipLimits(),
        clock: @escaping @Sendable () -> UTCTime = { .now }, logger: Logger = Logger(label: "exup.repository")
    ) throws {
        self.paths = paths
        catalog = try Catalog(path: paths.catalog)
        pool = try PackagePool(paths: paths)
        publisher = Publisher(keys: keys, catalog: catalog)
        self.trustedKeysDirectory = trustedKeysDirectory ?? paths.trustedKeys
        try LocalFile.makeDirectories(self.trustedKeysDirectory, mode: 0o755)
        self.limits = limits
        self.clock = clock
        self.logger = logger
        try publisher.initialiseIfNeeded(now: clock())
    }

    /// The current root.json, as agents pin it at enrolment.
    public nonisolated func currentRootBytes() throws -> [UInt8] {
        guard let root = try catalog.role("root"), let bytes = try catalog.metadataFile("\(root.version).root.json") else {
            throw PublishError("no root.json has been published")
        }
        return bytes
    }

    /// What an agent reports feeds the repository: its (model, OS) is served, and each module's previous
    /// version is kept by generation management (R108).
    /// What an agent reported: its (model, OS) is served and its previous generations kept, as long as it
    /// claims them (a later report replaces them; a revoke drops them). A platform that no agent claims
    /// any more, and that was served only because one reported it, is no longer served.
    public func serveReportedPlatform(_ platform: Platform, previous: [String: String], agent: String) throws {
        let known = try catalog.platforms().contains { $0.platform == platform }
        let released = try catalog.claim(agent: agent, platform: platform, previous: previous)
        if !known { try addPlatform(platform, origin: "agent", actor: agent) }
        if let released { _ = try removePlatform(released, actor: agent) }
    }

    /// A revoked agent's claims go; see `serveReportedPlatform`.
    public func releaseAgent(_ agent: String, actor: String) throws {
        if let released = try catalog.dropClaims(agent: agent) {
            _ = try removePlatform(released, actor: actor)
        } else {
            try enforceRetention(actor: actor, alsoChanged: [])
        }
    }

    // MARK: - Managers that use this repository (R141–R144)

    /// Records a presence notification: the manager's needs replace its earlier ones, its two-month
    /// deadline restarts, and generation management follows the new union of needs.
    public func receivePresence(_ presence: Presence) throws -> PresenceAnswer {
        let now = clock().seconds
        let known = try catalog.remoteManagers().contains { $0.manager == presence.manager }
        try catalog.recordPresence(presence, at: now)
        if !known {
            try catalog.log(
                AppLogEntry(
                    time: now, event: .remoteManagerRegistered, actor: presence.manager,
                    cause: "exup \(presence.version), \(presence.platforms.count) (model, OS) pairs"))
        }
        try enforceRetention(actor: presence.manager, alsoChanged: [])
        return PresenceAnswer(
            repositoryVersion: ExupVersion.string,
            retiredAfter: UTCTime(seconds: PresenceDeadline.deadline(after: now)).description)
    }

    /// Retires managers silent for two calendar months; packages only they needed go (R142–R143).
    @discardableResult
    public func retireSilentManagers() throws -> [String] {
        let now = clock().seconds
        let silent = try catalog.remoteManagers().filter { PresenceDeadline.deadline(after: $0.lastSeen) <= now }
        for manager in silent {
            try catalog.forgetManager(manager.manager)
            try catalog.log(AppLogEntry(time: now, event: .remoteManagerRetired, actor: "exup-manager", cause: manager.manager))
        }
        if !silent.isEmpty { try enforceRetention(actor: "exup-manager", alsoChanged: []) }
        return silent.map(\.manager)
    }

    // MARK: - Served platforms

    public func platforms() throws -> [ServedPlatform] {
        try catalog.platforms().map { ServedPlatform(model: $0.platform.model, os: $0.platform.os.description, origin: $0.origin) }
    }

    /// Adds a (model, OS) pair to serve, then applies retention (a new platform can make packages needed).
    public func addPlatform(_ platform: Platform, origin: String = "manual", actor: String) throws {
        try catalog.servePlatform(
            platform, origin: origin, logging: AppLogEntry(time: clock().seconds, event: .platformAdded, actor: actor, cause: platform.description))
        try enforceRetention(actor: actor, alsoChanged: [])
    }

    /// Stops serving a pair; packages only it needed go at once (generation management).
    public func removePlatform(_ platform: Platform, actor: String) throws -> Bool {
        let removed = try catalog.stopServing(
            platform, logging: AppLogEntry(time: clock().seconds, event: .platformRemoved, actor: actor, cause: platform.description))
        if removed { try enforceRetention(actor: actor, alsoChanged: []) }
        return removed
    }

    /// Every platform whose servers this repository serves: its own and other managers' (R010).
    func storedPackages() throws -> [Catalog.StoredPackageRow] {
        if packageCache == nil {
            packageCache = Dictionary(uniqueKeysWithValues: try catalog.packages().map { ($0.info.id, $0) })
        }
        return packageCache!.values.sorted { $0.info.id < $1.info.id }
    }

    func servedPlatforms() throws -> Set<Platform> {
        Set(try catalog.platforms().map(\.platform)).union(try catalog.remotePlatforms().map(\.platform))
    }

    // MARK: - Add (Tables 13 and 14)

    /// Adds one uploaded file (already in the incoming directory). The file is consumed either way.
    public func add(file: String, name: String, mode: AddMode, actor: String) -> AddResult {
        defer { unlink(file) }
        let now = clock()
        func refuse(_ result: AddResult.Result, _ code: AddResult.Code, _ message: String, id: String? = nil, cause: String) -> AddResult {
            try? catalog.log(AppLogEntry(time: now.seconds, event: .addFailed, actor: actor, module: id, cause: "\(name): \(cause)"))
            return AddResult(file: name, packageID: id, result: result, code: code, message: message)
        }
        let verified: VerifiedPackage
        do {
            let keys = try TrustedKeys.load(directory: trustedKeysDirectory)
            verified = try PackageVerifier(trustedKeys: keys, limits: limits).verify(path: file)
        } catch let error as PackageError {
            if error == .noTrustedKey {
                return refuse(
                    .error, .hashInvalid,
                    "The update package is signed by no trusted key: put the vendor's public key (*.pem) in "
                        + "\(trustedKeysDirectory) if you trust it", cause: "signature: no trusted key (the signer is not in the trusted keys)")
            }
            if error.isHashInvalid {
                return refuse(.error, .hashInvalid, "The update package's hash value is invalid: \(error)", cause: "hash value invalid: \(error)")
            }
            return refuse(.error, .invalid, "The update package is not valid: \(error)", cause: "\(error)")
        } catch {
            return refuse(.error, .invalid, "The update package could not be checked: \(error)", cause: "\(error)")
        }
        let info = verified.info
        do {
            if try storedPackages().contains(where: { $0.info.id == info.id }) {
                return refuse(
                    .warning, .alreadyExists, "The same update package already exists in the repository", id: info.id,
                    cause: "already exists")
            }
            let stored = try storedPackages()
            if mode == .needed {
                let verdict = Retention.verdict(
                    adding: info, to: stored.map(\.stored), platforms: try servedPlatforms(),
                    previous: try catalog.previousGenerations())
                guard verdict == .needed else {
                    return refuse(
                        .warning, .notNeeded, "No applicable device is registered, or the package is old", id: info.id,
                        cause: verdict == .tooOld ? "older than the generations kept" : "no applicable device")
                }
            }
            let (size, digest) = try FileDigest.sha256(path: file)
            try pool.store(file, sha256: digest.hex)
            let row = Catalog.StoredPackageRow(
                info: info, sha256: digest.hex, size: Int64(size), pinned: mode == .all, addedAt: now.seconds,
                origin: "upload")
            try catalog.add(
                row,
                logging: AppLogEntry(
                    time: now.seconds, event: .packageAdded, actor: actor, module: info.moduleID, versions: info.version,
                    cause: "\(info.id)\(mode == .all ? ", pinned (add all)" : "")")
            ) { packageCache?[info.id] = row }
            try enforceRetention(actor: actor, alsoChanged: Set(info.targets.map(\.model)))
            logger.info("package added", metadata: ["exup.package": "\(info.id)", "exup.actor": "\(actor)"])
            return AddResult(
                file: name, packageID: info.id, result: .normal, code: .added,
                message: info.isIncompatible ? "Added (incompatible: schemaVersion \(info.schemaVersion) is newer than this exup reads)" : "Added")
        } catch {
            return refuse(.error, .invalid, "The update package could not be stored: \(error)", id: info.id, cause: "\(error)")
        }
    }

    // MARK: - Delete (Tables 15 and 16)

    public func delete(ids: [String], force: Bool, actor: String) throws -> [DeleteResult] {
        let now = clock()
        let remote = try catalog.remotePlatforms().map(\.platform)
        var results: [DeleteResult] = []
        var changedModels = Set<String>()
        for id in ids {
            guard let row = try storedPackages().first(where: { $0.info.id == id }) else {
                try catalog.log(
                    AppLogEntry(time: now.seconds, event: .deleteFailed, actor: actor, cause: "\(id): The specified package does not exist"))
                results.append(DeleteResult(packageID: id, result: .error, code: .notFound, message: "The specified package does not exist"))
                continue
            }
            if !force && remote.contains(where: row.info.applies(to:)) {
                try catalog.log(
                    AppLogEntry(
                        time: now.seconds, event: .deleteFailed, actor: actor, module: row.info.moduleID,
                        versions: row.info.version, cause: "\(id): Cannot delete because another manager is using it"))
                results.append(
                    DeleteResult(
                        packageID: id, result: .error, code: .inUseByOtherManager,
                        message: "Cannot delete because another manager is using it (use force delete)"))
                continue
            }
            try remove(row, event: .packageDeleted, actor: actor, cause: force ? "\(id), forced" : id, history: true)
            changedModels.formUnion(row.info.targets.map(\.model))
            results.append(DeleteResult(packageID: id, result: .normal, code: .deleted, message: "Deleted"))
        }
        // Retention runs after every change (seed §2.2.2); it republishes whatever changed.
        try enforceRetention(actor: actor, alsoChanged: changedModels)
        return results
    }

    /// Removes a package from the catalog (and its file, when no other package shares it).
    private func remove(_ row: Catalog.StoredPackageRow, event: AppLogEvent, actor: String, cause: String, history: Bool) throws {
        let now = clock()
        let fileStillUsed = try catalog.remove(
            id: row.info.id, sha256: row.sha256, deletedAt: history ? now.seconds : nil,
            logging: AppLogEntry(time: now.seconds, event: event, actor: actor, module: row.info.moduleID, versions: row.info.version, cause: cause))
        packageCache?[row.info.id] = nil
        if !fileStillUsed { pool.remove(sha256: row.sha256) }
    }

    /// R128: erases the whole deletion history at once.
    public func clearDeletionHistory(actor: String) throws -> Int {
        try catalog.clearDeletionHistory { count in
            AppLogEntry(time: clock().seconds, event: .deletionHistoryCleared, actor: actor, cause: "\(count) records")
        }
    }

    public func deletionHistory() throws -> [String] { try catalog.deletionHistory().packageIDs.sorted() }

    // MARK: - Retention (seed §2.2.2)

    /// Removes what generation management no longer keeps, logs each removal, and republishes.
    func enforceRetention(actor: String, alsoChanged: Set<String>) throws {
        let stored = try storedPackages()
        let kept = Retention.kept(stored.map(\.stored), platforms: try servedPlatforms(), previous: try catalog.previousGenerations())
        var changed = alsoChanged
        for row in stored where kept[row.info.id] == nil {
            try remove(
                row, event: .packageRemovedByRetention, actor: actor,
                cause: "\(row.info.id): not among the 3 newest generations of any served model and OS, nor a previous generation",
                history: false)
            changed.formUnion(row.info.targets.map(\.model))
            logger.info("package removed by generation management", metadata: ["exup.package": "\(row.info.id)"])
        }
        if !changed.isEmpty { try publish(changedModels: changed) }
    }

    func publish(changedModels: Set<String>?) throws {
        try publisher.publish(packages: try publishable(), changedModels: changedModels, now: clock())
    }

    /// The stored packages agents may be offered: those whose signer is trusted now.
    func publishable() throws -> [Catalog.StoredPackageRow] {
        let refused = untrusted.withLock { $0 }
        return try storedPackages().filter { refused[$0.info.id] == nil }
    }

    /// Checks stored packages' signatures against the trusted keys: all of them when the keys directory
    /// changed, else those not yet checked against it. A vendor key removed there is revoked everywhere, so
    /// packages signed only by it are marked, logged and withdrawn from the metadata agents read; a key put
    /// back restores them. Returns the ids whose state changed.
    @discardableResult
    public func checkTrust(actor: String = "repository") throws -> [String] {
        let fingerprint = Self.fingerprint(of: trustedKeysDirectory)
        if fingerprint != trustFingerprint { checkedUnderFingerprint = [] }
        let rows = try storedPackages()
        let unchecked = rows.filter { !checkedUnderFingerprint.contains($0.info.id) }
        guard !unchecked.isEmpty else { trustFingerprint = fingerprint; return [] }
        let verifier = PackageVerifier(trustedKeys: try TrustedKeys.load(directory: trustedKeysDirectory), limits: limits)
        let before = untrusted.withLock { $0 }
        var now = before.filter { id, _ in rows.contains { $0.info.id == id } && checkedUnderFingerprint.contains(id) }
        for row in unchecked {
            if let file = pool.file(sha256: row.sha256) {
                do { _ = try verifier.signer(path: file); now[row.info.id] = nil } catch { now[row.info.id] = "\(error)" }
            }
            checkedUnderFingerprint.insert(row.info.id)
        }
        untrusted.withLock { $0 = now }
        trustFingerprint = fingerprint
        let revoked = now.keys.filter { before[$0] == nil }.sorted(), restored = before.keys.filter { now[$0] == nil }.sorted()
        let time = clock().seconds
        for id in revoked { try catalog.log(AppLogEntry(time: time, event: .packageSignerUntrusted, actor: actor, cause: "\(id): \(now[id]!)")) }
        for id in restored { try catalog.log(AppLogEntry(time: time, event: .packageSignerTrusted, actor: actor, cause: id)) }
        let changed = revoked + restored
        if !changed.isEmpty {
            try publish(changedModels: Set(rows.filter { changed.contains($0.info.id) }.flatMap { $0.info.targets.map(\.model) }))
        }
        return changed
    }

    /// Names, sizes and contents of the `*.pem` files in a directory, hashed: changes when a key is added,
    /// removed or replaced.
    static func fingerprint(of directory: String) -> String {
        let hasher = SHA256Hasher()
        for name in ((try? LocalDirectory.list(directory)) ?? []).sorted() where name.hasSuffix(".pem") {
            hasher.update(Array(name.utf8) + [0])
            hasher.update(LocalFile.read(directory + "/" + name, limit: 64 << 10) ?? [])
        }
        return hasher.finalize().hex
    }

    /// Re-publishes every model's role; returns how long it took in milliseconds (seeding, benchmarks).
    public func republishAll() throws -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        try publish(changedModels: nil)
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
    }

    /// Renews metadata close to expiry (called periodically by the server).
    public func renewExpiring() throws -> [String] {
        if publisher.keys.root == nil, !warnedRootOffline, let root = try catalog.role("root"), root.expires - clock().seconds < 30 * 86_400 {
            warnedRootOffline = true
            logger.warning(
                "root.json expires at \(UTCTime(seconds: root.expires)) and the root key is offline: put keys/root.pem back and restart to renew it")
        }
        let renewed = try publisher.renewExpiring(packages: try publishable(), now: clock())
        if !renewed.isEmpty {
            try catalog.log(AppLogEntry(time: clock().seconds, event: .metadataResigned, actor: "repository", cause: renewed.joined(separator: ", ")))
        }
        return renewed
    }

    // MARK: - Listing (Table 20)

    public func list(actor: String) throws -> [PackageListing] {
        let remote = try catalog.remotePlatforms().map(\.platform)
        let refused = untrusted.withLock { $0 }
        let listings = try storedPackages().map { RepositoryService.listing($0, remote: remote, untrusted: refused[$0.info.id] != nil) }
        try catalog.log(AppLogEntry(time: clock().seconds, event: .packageListRetrieved, actor: actor, cause: "\(listings.count) packages"))
        return listings
    }

    public func package(id: String, actor: String) throws -> PackageListing? {
        guard let row = try catalog.package(id: id) else { return nil }
        try catalog.log(
            AppLogEntry(
                time: clock().seconds, event: .packageInformationRetrieved, actor: actor, module: row.info.moduleID,
                versions: row.info.version, cause: id))
        return RepositoryService.listing(row, remote: try catalog.remotePlatforms().map(\.platform), untrusted: untrusted.withLock { $0[id] != nil })
    }

    static func listing(_ row: Catalog.StoredPackageRow, remote: [Platform], untrusted: Bool = false) -> PackageListing {
        let info = row.info
        return PackageListing(
            id: info.id, name: info.name, module: info.moduleID, moduleName: info.moduleName, version: info.version,
            releaseDate: info.releaseDate.description, targets: info.targets, size: row.size, sha256: row.sha256,
            addedAt: UTCTime(seconds: row.addedAt).description, description: info.description,
            indicators: .init(
                autoUpdate: info.autoUpdate && !info.targets.allSatisfy { $0.os.isDownloadOnly }, noDowngrade: !info.downgrade,
                multiModel: info.isMultiModel, inUseByAnotherManager: remote.contains(where: info.applies(to:)),
                incompatible: info.isIncompatible, pinned: row.pinned, untrustedSigner: untrusted))
    }

    // MARK: - Serving (no actor hop: the catalog is safe to read concurrently)

    /// A published metadata file by its name under /repo/v1/metadata/ (percent-decoded).
    public nonisolated func metadataFile(_ name: String) throws -> [UInt8]? { try catalog.metadataFile(name) }

    /// The pool file for a target path `models/<slug>/<sha256>.<id>.zip` (consistent snapshot names).
    public nonisolated func targetFile(_ path: String) throws -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let name = path[path.index(after: slash)...]
        guard let dot = name.firstIndex(of: "."), name.distance(from: name.startIndex, to: dot) == 64 else { return nil }
        let digest = String(name[..<dot])
        guard digest.allSatisfy(\.isHexDigit), try catalog.hasPackage(sha256: digest.lowercased()) else { return nil }
        return pool.file(sha256: digest.lowercased())
    }
}
