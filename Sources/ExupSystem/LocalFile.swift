import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A file operation that failed, with the path and the system's reason.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }

    static func errno(_ path: String) -> FileError { FileError(path: path, reason: String(cString: strerror(Glibc.errno))) }
}

/// Small whole-file reads and durable replacement: temp file, fsync, rename, fsync of the directory.
/// Whatever is written is either all there under the final name or not there at all.
public enum LocalFile {
    private static let temporaryCounter = Atomic<Int>(0)

    /// The file's bytes, or nil when it is missing, unreadable or longer than `limit`.
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return out }
            out += buffer[0..<n]
            if out.count > limit { return nil }
        }
    }

    /// The file as UTF-8 text (invalid bytes replaced), or nil.
    public static func readText(_ path: String, limit: Int = 1 << 20) -> String? {
        read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Why `read` found nothing, in words: "no such file", "is a directory", "permission denied", "over 1 MiB".
    public static func unreadableReason(_ path: String, limit: Int) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot be read: " + String(cString: strerror(errno)).lowercased() }
        if (info.st_mode & S_IFMT) == S_IFDIR { return "is a directory, not a file" }
        if (info.st_mode & S_IFMT) != S_IFREG { return "is not a regular file" }
        if info.st_size > limit { return "is over \(limit >> 20 > 0 ? "\(limit >> 20) MiB" : "\(limit >> 10) KiB"), too big to be what was meant" }
        let fd = open(path, O_RDONLY)
        if fd < 0 { return "cannot be read: " + String(cString: strerror(errno)).lowercased() }
        close(fd)
        return "cannot be read"
    }

    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(FileError) {
        let failure: FileError? = bytes.withUnsafeBytes { raw in
            do throws(FileError) { try writeAtomically(raw, to: path, mode: mode); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// The same from memory the caller owns (a mapped upload): no copy on the heap.
    public static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String, mode: mode_t = 0o644) throws(FileError) {
        // A new file with its final mode from the first byte, under a name no other writer uses: a stale
        // temporary (or a link planted in its place) is removed, never followed or reused.
        let temporary = path + ".tmp-\(getpid())-\(temporaryCounter.add(1, ordering: .relaxed).newValue)"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .errno(path) }
        fchmod(fd, mode)
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let error = FileError.errno(path)
                close(fd); unlink(temporary)
                throw error
            }
            done += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let error = FileError.errno(path)
            unlink(temporary)
            throw error
        }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dirfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// True for a directory (or a link to one).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A file's size, or nil when it cannot be stat'ed.
    public static func size(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : nil
    }

    /// Creates a directory and its parents with `mode` (existing ones are left as they are).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST { throw .errno(current) }
        }
    }
}
