#if canImport(Glibc)
    import Glibc
#endif

/// One agent at a time per state directory: an exclusive flock on `STATE/lock`, held for a cycle. The
/// descriptor is close-on-exec, so an update program that outlives the agent never keeps the lock, and
/// the kernel drops it when the agent dies (kill -9 included).
public final class AgentLock {
    let fd: Int32

    /// Takes the lock, or says who holds it.
    public init(stateDirectory: String) throws {
        let path = stateDirectory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AgentError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingScalars(in: " \n") : "?"
            close(fd)
            throw AgentError("another exup-agent (pid \(holder)) is working on \(stateDirectory); try again when it is done")
        }
        let pid = Array("\(getpid())\n".utf8)
        var current = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &current, current.count, 0)
        if n != pid.count || Array(current.prefix(max(0, n))) != pid {  // the daemon's pid is written once, not every poll
            _ = ftruncate(fd, 0)
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
