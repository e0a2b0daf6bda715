#if canImport(Glibc)
    import Glibc
#endif

/// Whether a TCP address can be listened on, asked before a server does anything it would have to undo
/// (a first start generates secrets): a bind with SO_REUSEADDR, closed at once.
public enum ListenProbe {
    /// nil when HOST:PORT can be bound (or HOST is a name, left to the server), else why not, in words.
    public static func problem(host: String, port: Int) -> String? {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let isV4 = inet_pton(AF_INET, host, &v4.sin_addr) == 1
        let isV6 = !isV4 && inet_pton(AF_INET6, host, &v6.sin6_addr) == 1
        guard isV4 || isV6 else { return nil }
        let fd = socket(isV4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isV4 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard result != 0 else { return nil }
        return String(cString: strerror(errno)).lowercased()
    }
}
