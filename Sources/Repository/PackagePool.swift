import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Package files by content: `pool/ab/<sha256>.zip`. A file enters the pool only after it was verified,
/// by rename from the incoming directory on the same file system, after an fsync.
public struct PackagePool: Sendable {
    public let paths: RepositoryPaths

    public init(paths: RepositoryPaths) throws {
        self.paths = paths
        try LocalFile.makeDirectories(paths.pool, mode: 0o750)
        try LocalFile.makeDirectories(paths.incoming, mode: 0o700)
    }

    /// Removes what uploads interrupted by a stop left in the incoming directory (the server calls this
    /// at start, before it listens). Returns how many files went.
    @discardableResult
    public func removeLeftovers() -> Int {
        let names = (try? LocalDirectory.list(paths.incoming)) ?? []
        for name in names { unlink(paths.incoming + "/" + name) }
        return names.count
    }

    /// A fresh path in the incoming directory for an upload or download.
    public func incomingPath() -> String {
        paths.incoming + "/" + Secrets.token(bytes: 12) + ".part"
    }

    /// Moves a verified file into the pool under its digest (a file already there is kept).
    public func store(_ path: String, sha256: String) throws(FileError) {
        let target = paths.poolFile(sha256: sha256)
        let directory = String(target[..<target.lastIndex(of: "/")!])
        try LocalFile.makeDirectories(directory, mode: 0o750)
        let fd = open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        if LocalFile.exists(target) { unlink(path); return }
        guard rename(path, target) == 0 else { throw FileError(path: target, reason: String(cString: strerror(errno))) }
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }

    /// Removes a package file the catalog no longer lists. A shared pool (`[storage] pool-dir`) keeps it:
    /// another manager's catalog may still list it, and the catalogs are not shared yet, so no one manager
    /// can tell when the last reference went (the files are content-addressed; a kept one costs disk only).
    public func remove(sha256: String) {
        guard paths.sharedPool == nil else { return }
        unlink(paths.poolFile(sha256: sha256))
    }

    public func file(sha256: String) -> String? {
        let path = paths.poolFile(sha256: sha256)
        return LocalFile.exists(path) ? path : nil
    }
}
