#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to a loopback server, for requests no ordinary client sends: a body announced
/// but never sent, headers that never end, many idle connections.
public final class RawConnection {
    public let fd: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeoutSeconds` without data.
    public init(port: UInt16, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestFailure("connect to 127.0.0.1:\(port): \(reason)")
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send: \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// What the server sent until it closed the connection, the read timeout passed, or `limit` bytes.
    /// `closed` is true when the server closed (or reset) the connection.
    /// `headersOnly`: stop once the response's header block has arrived.
    public func receive(limit: Int = 1 << 20, headersOnly: Bool = false) -> (text: String, closed: Bool) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while out.count < limit {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                out += buffer[0..<n]
                if headersOnly, String(decoding: out, as: UTF8.self).contains("\r\n\r\n") { break }
                continue
            }
            if n == 0 { return (String(decoding: out, as: UTF8.self), true) }
            if errno == EINTR { continue }
            return (String(decoding: out, as: UTF8.self), errno == ECONNRESET)
        }
        return (String(decoding: out, as: UTF8.self), false)
    }
}
