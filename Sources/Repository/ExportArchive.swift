import ExupCore
import ExupSystem
import ExupZip
import FoundationEssentials
import Synchronization
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
    public static func write(_ packages: [(listing: PackageListing, file: String)], to path: String, title: String,
                             isCancelled: () -> Bool, progress: (Progress) -> Void) throws -> Bool {
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

/// Export jobs: built in the background, polled, downloaded, or cancelled (R138).
public actor ExportJobs {
    public struct Status: Sendable, Codable {
        public enum State: String, Sendable, Codable { case running, done, failed, cancelled }
        public var id: String
        public var state: State
        public var done: Int
        public var total: Int
        public var error: String?
    }

    let repository: RepositoryService
    private var jobs: [String: Status] = [:]
    /// Set by `cancel`, read by the builder between packages (outside the actor).
    private nonisolated let cancelFlags = Mutex(Set<String>())

    public init(repository: RepositoryService) throws {
        self.repository = repository
        try LocalFile.makeDirectories(repository.paths.exports, mode: 0o700)
    }

    /// Starts building an archive of `ids` (with `allVersions`, every stored version of each one's module
    /// for the same models). Unknown ids are an error before anything starts.
    /// `onDone` runs once the archive is complete (not when it failed or was cancelled).
    public func start(ids: [String], allVersions: Bool, actor: String, onDone: (@Sendable () async -> Void)? = nil) async throws -> Status {
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
                let finished = try ExportArchive.write(inputs, to: path, title: "exup update package archive",
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

    public func status(_ id: String) -> Status? { jobs[id] }

    /// The finished archive's path.
    public func archive(_ id: String) -> String? {
        guard jobs[id]?.state == .done else { return nil }
        return repository.paths.exports + "/\(id).zip"
    }

    public func cancel(_ id: String) -> Status? {
        guard var status = jobs[id] else { return nil }
        if status.state == .running { cancelFlags.withLock { _ = $0.insert(id) } } else if status.state == .done {
            unlink(repository.paths.exports + "/\(id).zip")
            status.state = .cancelled
            jobs[id] = status
        }
        return jobs[id]
    }

    private func update(_ id: String, done: Int) {
        let current = jobs[id]?.done ?? 0
        jobs[id]?.done = max(current, done)
    }

    private func finish(_ id: String, state: Status.State, error: String?) {
        guard var job = jobs[id] else { return }
        job.state = state
        job.error = error
        if state == .done { job.done = job.total }
        jobs[id] = job
    }

    nonisolated func isCancelledSync(_ id: String) -> Bool {
        cancelFlags.withLock { $0.contains(id) }
    }
}

public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
