import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real squid on a free loopback port for tests: Basic (`basic_ncsa_auth`, an htpasswd file) or Digest
/// (`digest_file_auth`, an htdigest-style file) authentication, or none. It forwards only to 127.0.0.1,
/// caches nothing, and logs every request to `accessLog`. Stopped when the value goes away.
public final class SquidProxy: @unchecked Sendable {
    public enum Authentication: String, Sendable { case none, basic, digest }

    public let port: UInt16
    public let username = "exup"
    public let password: String
    public let directory: TemporaryDirectory
    private var process: BackgroundProcess?

    public var accessLog: String { (try? String(contentsOfFile: directory.file("access.log"), encoding: .utf8)) ?? "" }

    /// `bytesPerSecond` throttles every transfer (squid's delay pools), so a test can stop one midway.
    public init(authentication: Authentication, password: String = "proxy-secret", bytesPerSecond: Int? = nil) throws {
        let squid = try requireTool("squid")
        self.password = password
        directory = try TemporaryDirectory(prefix: "exup-squid")
        chmod(directory.path, 0o777)  // squid drops to its own user for helpers and logs
        port = try ManagerProcess.freeTCPPort()
        let realm = "exup-test"
        var authLines = ""
        switch authentication {
        case .none:
            authLines = "http_access allow local_dst\n"
        case .basic:
            let htpasswd = try Subprocess.run([try requireTool("htpasswd"), "-b", "-c", directory.file("passwd"), username, password])
            guard htpasswd.status == 0 else { throw TestFailure("htpasswd: \(htpasswd.stderr)") }
            chmod(directory.file("passwd"), 0o644)
            authLines = """
                auth_param basic program \(try SquidProxy.helper("basic_ncsa_auth")) \(directory.file("passwd"))
                auth_param basic realm \(realm)
                acl authenticated proxy_auth REQUIRED
                http_access allow local_dst authenticated
                """
        case .digest:
            // htdigest's format: user:realm:md5(user:realm:password); -c tells the helper it is hashed.
            let digest = Insecure.md5Hex("\(username):\(realm):\(password)")
            try directory.write("digest", "\(username):\(realm):\(digest)\n")
            authLines = """
                auth_param digest program \(try SquidProxy.helper("digest_file_auth")) -c \(directory.file("digest"))
                auth_param digest realm \(realm)
                acl authenticated proxy_auth REQUIRED
                http_access allow local_dst authenticated
                """
        }
        try directory.write(
            "squid.conf",
            """
            http_port 127.0.0.1:\(port)
            pid_filename \(directory.file("squid.pid"))
            access_log \(directory.file("access.log"))
            cache_log \(directory.file("cache.log"))
            cache_store_log none
            coredump_dir \(directory.path)
            cache deny all
            pinger_enable off
            icp_port 0
            htcp_port 0
            dns_nameservers 127.0.0.1
            shutdown_lifetime 0 seconds
            acl local_dst dst 127.0.0.1
            acl CONNECT method CONNECT
            \(authLines)
            http_access deny all
            \(bytesPerSecond.map { "delay_pools 1\ndelay_class 1 1\ndelay_parameters 1 \($0)/\($0)\ndelay_access 1 allow all" } ?? "")
            """)
        process = try BackgroundProcess([squid, "-N", "-f", directory.file("squid.conf"), "-n", "exup\(port)"])
        if SquidProxy.waitUntilAccepting(port) { return }
        throw TestFailure(
            "squid did not listen on \(port): \(process?.output ?? "")\((try? String(contentsOfFile: directory.file("cache.log"), encoding: .utf8)) ?? "")"
        )
    }

    deinit { stop() }

    public func stop() {
        process?.stop()
        process = nil
    }

    static func helper(_ name: String) throws -> String {
        for directory in ["/usr/lib/squid", "/usr/lib64/squid", "/usr/libexec/squid"]
        where FileManager.default.isExecutableFile(atPath: directory + "/" + name) {
            return directory + "/" + name
        }
        throw TestFailure("squid helper \(name) not found (install squid)")
    }

    /// True when something accepts connections on the loopback port.
    /// Whether a loopback port accepts connections within `seconds` (a server just started).
    public static func waitUntilAccepting(_ port: UInt16, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if accepts(port) { return true }
            usleep(50_000)
        }
        return false
    }

    public static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// MD5 for the htdigest file only (a test fixture's format, not a security decision), through openssl.
enum Insecure {
    static func md5Hex(_ text: String) -> String {
        let result = try? Subprocess.run(["/bin/sh", "-c", "printf '%s' \"$1\" | openssl dgst -md5 -r", "sh", text])
        return String((result?.stdout ?? "").prefix(32))
    }
}
