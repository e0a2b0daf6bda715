import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The shipped nginx cache example (etc/nginx/exup-cache.conf) run for real: its server block with the
/// test's upstream, loopback port and temporary directories, inside a minimal nginx.conf; nginx in the
/// foreground as one process. `accessLog` shows each request's cache status.
public final class NginxCache: @unchecked Sendable {
    public let port: UInt16
    public let directory: TemporaryDirectory
    private var process: BackgroundProcess?

    public var url: String { "http://127.0.0.1:\(port)" }
    public var accessLog: String { (try? String(contentsOfFile: directory.file("access.log"), encoding: .utf8)) ?? "" }

    /// `example` is the shipped file; `upstream` the manager's loopback port.
    public init(example: String, upstream: UInt16) throws {
        let nginx = try requireTool("nginx")
        directory = try TemporaryDirectory(prefix: "exup-nginx")
        port = try ManagerProcess.freeTCPPort()
        var site = try String(contentsOfFile: example, encoding: .utf8)
        let replacements = [
            ("/var/cache/nginx/exup", directory.file("cache")), ("server 127.0.0.1:8080;", "server 127.0.0.1:\(upstream);"),
            ("listen 80;", "listen 127.0.0.1:\(port);"),
        ]
        for (from, to) in replacements {
            guard site.contains(from) else { throw TestFailure("\(example) no longer has \(from)") }
            site = site.replacingOccurrences(of: from, with: to)
        }
        try directory.write("exup-cache.conf", site)
        try directory.write(
            "nginx.conf",
            """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory.file("nginx.pid"));
            error_log \(directory.file("error.log")) info;
            events { worker_connections 256; }
            http {
                log_format cache '$request_uri $status $upstream_cache_status';
                access_log \(directory.file("access.log")) cache;
                client_body_temp_path \(directory.file("body"));
                proxy_temp_path \(directory.file("proxy"));
                fastcgi_temp_path \(directory.file("fastcgi"));
                uwsgi_temp_path \(directory.file("uwsgi"));
                scgi_temp_path \(directory.file("scgi"));
                include \(directory.file("exup-cache.conf"));
            }
            """)
        process = try BackgroundProcess([nginx, "-c", directory.file("nginx.conf"), "-p", directory.path])
        if SquidProxy.waitUntilAccepting(port) { return }
        throw TestFailure(
            "nginx did not listen on \(port): \(process?.output ?? "")\((try? String(contentsOfFile: directory.file("error.log"), encoding: .utf8)) ?? "")"
        )
    }

    deinit { stop() }

    public func stop() {
        process?.stop()
        process = nil
    }
}
