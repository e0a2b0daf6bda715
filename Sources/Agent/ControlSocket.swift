#if canImport(Glibc)
    import Glibc
#endif

/// The local CLI's way to a running daemon: a Unix stream socket (0600 in a 0700-or-root directory),
/// one JSON line each way. Only root, or the daemon's own user, is answered (SO_PEERCRED).
public final class ControlSocket: @unchecked Sendable {
    public let path: String
    let fd: Int32

    /// Listens on `path`, replacing a stale socket left by a daemon that died.
    public init(listeningAt path: String) throws {
        guard path.utf8.count < 108 else { throw AgentError("socket path \(path) is too long (at most 107 bytes)") }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if !directory.isEmpty { mkdir(directory, 0o755) }
        if ControlSocket.connect(path) == nil {
            unlink(path)
        } else {
            throw AgentError("another exup-agent daemon answers on \(path)")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AgentError("socket: \(String(cString: strerror(errno)))") }
        let previous = umask(0o177)
        defer { umask(previous) }
        guard ControlSocket.withAddress(path, { bind(fd, $0, $1) }) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw AgentError("cannot listen on \(path): \(reason)")
        }
        chmod(path, 0o600)
        self.path = path
        self.fd = fd
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next client; blocks until one connects. Nil once `shutdown()` was called.
    public func accept() -> Int32? {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                return client
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return nil
        }
    }

    /// Wakes a blocked `accept()` for good (the daemon is stopping).
    public func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Whether the peer of `client` is root or this process's user.
    public static func peerIsTrusted(_ client: Int32) -> Bool {
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(client, SOL_SOCKET, PeerCredentials.option, &credentials, &length) == 0 else { return false }
        return credentials.uid == 0 || credentials.uid == getuid()
    }

    /// One request and its answer from a client. Nil when no daemon listens there.
    public static func request(_ path: String, _ line: String) throws -> String? {
        guard let fd = connect(path) else { return nil }
        defer { close(fd) }
        guard writeLine(fd, line) else { throw AgentError("the daemon on \(path) closed the connection") }
        guard let answer = readLine(fd, limit: 16 << 20) else { throw AgentError("the daemon on \(path) did not answer") }
        return answer
    }

    /// Reads one line (without its newline).
    public static func readLine(_ fd: Int32, limit: Int) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if let newline = buffer[0..<n].firstIndex(of: 0x0A) {
                bytes += buffer[0..<newline]
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes += buffer[0..<n]
        }
        return nil
    }

    @discardableResult
    public static func writeLine(_ fd: Int32, _ line: String) -> Bool {
        let bytes = Array((line + "\n").utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; return false }
            done += n
        }
        return true
    }

    static func connect(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        guard withAddress(path, { Glibc.connect(fd, $0, $1) }) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)))
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}

/// Linux's `struct ucred` and SO_PEERCRED, which Swift's Glibc module hides behind _GNU_SOURCE.
struct PeerCredentials {
    static let option: Int32 = 17
    var pid: pid_t = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
}
