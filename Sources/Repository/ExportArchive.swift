import ApplicationLog
import ExupCore
import ExupFormats
import ExupSystem
import ExupZip
import FoundationEssentials
import Synchronization
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// The update package archive (seed §2.2.6.2, Fig. 27): one ZIP with `packages/` (the packages as stored),
/// `css/` and `index.html` listing each package and its target components, readable offline in a browser.
public enum ExportArchive {
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
    }

    /// Writes the archive; `isCancelled` is checked before each package. Returns false when cancelled
    /// (the partial file is removed).
    public static func write(
        _ packages: [(listing: PackageListing, file: String)], to path: String, title: String,
        isCancelled: () -> Bool, progress: (Progress) -> Void
    ) throws -> Bool {
        let temporary = path + ".partial"
        let writer = try ZipWriter(path: temporary)
        try writer.addDirectory(name: "packages/")
        try writer.addDirectory(name: "css/")
        try writer.add(name: "css/exup.css", bytes: Array(stylesheet.utf8))
        for (index, package) in packages.enumerated() {
            if isCancelled() { unlink(temporary); return false }
            try writer.addStored(name: "packages/\(package.listing.id).zip", fromFile: package.file)
            progress(Progress(done: index + 1, total: packages.count))
        }
        try writer.add(name: "index.html", bytes: Array(index(packages.map(\.listing), title: title).utf8))
        try writer.finish()
        guard rename(temporary, path) == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        return true
    }

    static func index(_ packages: [PackageListing], title: String) -> String {
        var rows = ""
        for p in packages.sorted(by: { ($0.module, $0.releaseDate, $0.id) < ($1.module, $1.releaseDate, $1.id) }) {
            let targets = p.targets.map { "\(escape($0.model)) (\(escape($0.os.description)))" }.joined(separator: "<br>")
            rows += """
                    <tr><td><a href="packages/\(escape(p.id)).zip">\(escape(p.id))</a></td><td>\(escape(p.name))</td>
                    <td>\(escape(p.moduleName))</td><td>\(escape(p.version))</td><td>\(escape(p.releaseDate))</td><td>\(targets)</td>
                    <td>\(p.indicators.autoUpdate ? "yes" : "no (apply by hand, see the package's readme)")</td>
                    <td class="digest">\(escape(p.sha256))</td></tr>

                """
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(escape(title))</title><link rel="stylesheet" href="css/exup.css"></head>
            <body>
            <h1>\(escape(title))</h1>
            <p>\(packages.count) update package\(packages.count == 1 ? "" : "s"). Each file in <code>packages/</code> is a signed exup
            update package; check one with <code>exup pkg verify --trusted-keys DIR FILE</code> before applying it by hand.</p>
            <table>
            <thead><tr><th>Package</th><th>Name</th><th>Module</th><th>Version</th><th>Released</th><th>Target components</th>
            <th>Auto-update</th><th>SHA-256</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>
            </body>
            </html>

            """
    }

    static let stylesheet = """
        body { font-family: sans-serif; margin: 2rem; color: #222; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid #ccc; padding: .4rem .6rem; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; }
        td.digest { font-family: monospace; font-size: .8em; word-break: break-all; }

        """

    static func escape(_ text: String) -> String { HTMLEscape.text(text) }
}

/// Export jobs: built in the background, polled, downloaded, or cancelled (R138). Archives are bounded:
/// at most `limits.running` at once, `limits.quotaBytes` kept on disk, each removed `limits.expirySeconds`
/// after it was finished. Finished archives are found again after a restart; partial ones are removed.
public actor ExportJobs {
    public struct Status: Sendable, Codable {
        public enum State: String, Sendable, Codable { case running, done, failed, cancelled }
        public var id: String
        public var state: State
        public var done: Int
        public var total: Int
        public var error: String?
        /// When a finished archive is removed (UTC, RFC 3339).
        public var expiresAt: String?
    }

    /// How much export work and disk the manager gives to archives.
    public struct Limits: Sendable {
        public var running = 2
        public var quotaBytes: Int64 = 16 << 30
        public var expirySeconds: Int64 = 24 * 3600
        public init() {}
    }

    let repository: RepositoryService
    let limits: Limits
    let clock: @Sendable () -> Int64
    private var jobs: [String: Status] = [:]
    /// When each archive was finished (seconds since 1970).
    private var finishedAt: [String: Int64] = [:]
    /// Set by `cancel`, read by the builder between packages (outside the actor).
    private nonisolated let cancelFlags = Mutex(Set<String>())

    public init(repository: RepositoryService, limits: Limits = Limits(), clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) throws {
        self.repository = repository
        self.limits = limits
        self.clock = clock
        let directory = repository.paths.exports
        try LocalFile.makeDirectories(directory, mode: 0o700)
        // What a previous run left: partial archives go; finished ones are served until they expire.
        let now = clock()
        for name in (try? LocalDirectory.list(directory)) ?? [] {
            let path = directory + "/" + name
            guard name.hasSuffix(".zip"), !name.hasPrefix(".") else { unlink(path); continue }
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { unlink(path); continue }
            let id = String(name.dropLast(4))
            let finished = Int64(info.st_mtim.tv_sec)
            if now - finished >= limits.expirySeconds { unlink(path); continue }
            finishedAt[id] = finished
            jobs[id] = Status(
                id: id, state: .done, done: 0, total: 0, error: nil,
                expiresAt: UTCTime(seconds: finished + limits.expirySeconds).description)
        }
    }

    /// Starts building an archive of `ids` (with `allVersions`, every stored version of each one's module
    /// for the same models). Unknown ids, too many exports at once, or an archive that would not fit the
    /// quota are errors before anything starts.
    /// `onDone` runs once the archive is complete (not when it failed or was cancelled).
    public func start(ids: [String], allVersions: Bool, actor: String, onDone: (@Sendable () async -> Void)? = nil) async throws -> Status {
        expire()
        let all = try repository.catalog.packages()
        var selected: [Catalog.StoredPackageRow] = []
        for id in ids {
            guard let row = all.first(where: { $0.info.id == id }) else { throw ExportError("unknown package \(id)") }
            if allVersions {
                let models = Set(row.info.targets.map(\.model))
                selected += all.filter { $0.info.moduleID == row.info.moduleID && !models.isDisjoint(with: $0.info.targets.map(\.model)) }
            } else {
                selected.append(row)
            }
        }
        var seen = Set<String>()
        selected = selected.filter { seen.insert($0.info.id).inserted }
        let running = jobs.values.filter { $0.state == .running }.count
        guard running < limits.running else {
            throw ExportError(.quota, "\(running) exports are being built (at most \(limits.running) at once): wait for one to finish")
        }
        let needed = selected.reduce(Int64(0)) { $0 + $1.size }
        let kept = keptBytes()
        guard kept + needed <= limits.quotaBytes else {
            throw ExportError(
                .quota,
                "this archive needs \(needed >> 20) MiB and finished exports hold \(kept >> 20) MiB, over the \(limits.quotaBytes >> 20)-MiB export quota: delete finished exports or raise export-quota-mib"
            )
        }
        let id = Secrets.token(bytes: 9)
        let status = Status(id: id, state: .running, done: 0, total: selected.count)
        jobs[id] = status
        let remote = try repository.catalog.remotePlatforms().map(\.platform)
        let inputs = selected.compactMap { row in
            repository.pool.file(sha256: row.sha256).map { (RepositoryService.listing(row, remote: remote), $0) }
        }
        let path = repository.paths.exports + "/\(id).zip"
        let catalog = repository.catalog
        Task.detached { [weak self] in
            do {
                let finished = try ExportArchive.write(
                    inputs, to: path, title: "exup update package archive",
                    isCancelled: { self?.isCancelledSync(id) ?? true },
                    progress: { p in Task { await self?.update(id, done: p.done) } })
                let now = Int64(time(nil))
                if finished {
                    try? catalog.log(AppLogEntry(time: now, event: .archiveRetrieved, actor: actor, cause: "\(inputs.count) packages"))
                    await self?.finish(id, state: .done, error: nil)
                    await onDone?()
                } else {
                    try? catalog.log(AppLogEntry(time: now, event: .archiveCancelled, actor: actor))
                    await self?.finish(id, state: .cancelled, error: nil)
                }
            } catch {
                try? catalog.log(AppLogEntry(time: Int64(time(nil)), event: .archiveFailed, actor: actor, cause: "\(error)"))
                await self?.finish(id, state: .failed, error: "\(error)")
            }
        }
        return status
    }

    public func status(_ id: String) -> Status? {
        expire()
        return jobs[id]
    }

    /// The finished archive's path.
    public func archive(_ id: String) -> String? {
        expire()
        guard jobs[id]?.state == .done else { return nil }
        return repository.paths.exports + "/\(id).zip"
    }

    public func cancel(_ id: String) -> Status? {
        guard var status = jobs[id] else { return nil }
        if status.state == .running {
            cancelFlags.withLock { _ = $0.insert(id) }
        } else if status.state == .done {
            unlink(repository.paths.exports + "/\(id).zip")
            status.state = .cancelled
            status.expiresAt = nil
            jobs[id] = status
            finishedAt[id] = nil
        }
        return jobs[id]
    }

    /// Removes finished archives past their expiry (their status says "cancelled" with the reason).
    /// Returns how many were removed.
    @discardableResult
    public func expire() -> Int {
        let now = clock()
        var removed = 0
        for (id, finished) in finishedAt where now - finished >= limits.expirySeconds {
            unlink(repository.paths.exports + "/\(id).zip")
            finishedAt[id] = nil
            jobs[id]?.state = .cancelled
            jobs[id]?.error = "expired \(limits.expirySeconds / 3600) h after it was finished; export again"
            jobs[id]?.expiresAt = nil
            removed += 1
        }
        return removed
    }

    /// Bytes the finished archives hold on disk.
    func keptBytes() -> Int64 {
        finishedAt.keys.reduce(Int64(0)) { total, id in
            var info = stat()
            return total + (stat(repository.paths.exports + "/\(id).zip", &info) == 0 ? Int64(info.st_size) : 0)
        }
    }

    private func update(_ id: String, done: Int) {
        let current = jobs[id]?.done ?? 0
        jobs[id]?.done = max(current, done)
    }

    private func finish(_ id: String, state: Status.State, error: String?) {
        guard var job = jobs[id] else { return }
        job.state = state
        job.error = error
        if state == .done {
            job.done = job.total
            let now = clock()
            finishedAt[id] = now
            job.expiresAt = UTCTime(seconds: now + limits.expirySeconds).description
        }
        jobs[id] = job
    }

    nonisolated func isCancelledSync(_ id: String) -> Bool {
        cancelFlags.withLock { $0.contains(id) }
    }
}

public struct ExportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case unknownPackage, quota }
    public var kind: Kind
    public var description: String
    public init(_ description: String) { self.init(.unknownPackage, description) }
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
