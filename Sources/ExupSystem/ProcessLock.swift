#if canImport(Glibc)
    import Glibc
#endif

/// "One process of this kind here": an exclusive flock on a file that holds the owner's pid, kept for the
/// life of the process. The kernel drops it when the process ends, kill -9 included, so it never goes
/// stale; the descriptor is close-on-exec, so a child never inherits it.
public final class ProcessLock: @unchecked Sendable {
    public struct Held: Error, Sendable, CustomStringConvertible {
        public var path: String
        /// The holder's pid as its lock file says, when it could be read.
        public var pid: Int32?
        public var description: String { "\(path) is locked by process \(pid.map(String.init) ?? "?")" }
    }

    let fd: Int32
    public let path: String

    /// Takes the lock or throws `Held` naming the holder; other failures are `FileError`s.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot open the lock file: " + String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).filter(\.isNumber) : ""
            throw Held(path: path, pid: Int32(text))
        }
        // The pid is written only when it is not there already: a lock taken every cycle writes nothing.
        let pid = Array("\(getpid())\n".utf8)
        var current = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &current, current.count, 0)
        if n != pid.count || Array(current.prefix(max(0, n))) != pid {
            _ = ftruncate(fd, 0)
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }
}
