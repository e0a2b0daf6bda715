#if canImport(Glibc)
    import Glibc
#endif

/// A short, blocking, exclusive lock (flock) around "create it if it is missing", so processes that
/// start at once on a shared directory create each file once. Released explicitly, or by the kernel if
/// the process dies holding it.
public final class CreationLock: @unchecked Sendable {
    private var fd: Int32

    public init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot open the lock file: " + String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw FileError(path: path, reason: "cannot lock: \(reason)")
            }
        }
    }

    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
