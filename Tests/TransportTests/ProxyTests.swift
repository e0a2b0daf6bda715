import ExupTesting
import Foundation
import Testing
import Transport

/// The libcurl client through a real squid on loopback (seed §2.2.7, R103–R106): Basic and Digest, wrong
/// credentials, an unreachable proxy, NTLM refused, and a download cut mid-file resumed through the proxy.
@Suite(.serialized) final class ProxyTests {
    let origin: OriginServer
    var files: TemporaryDirectory { origin.files }
    var base: String { origin.base }
    var content: [UInt8] { origin.content }

    init() throws { origin = try OriginServer(seed: 11, size: 400_000) }

    func client(_ proxy: ProxySettings?) -> HTTPClient {
        var options = HTTPClient.Options()
        options.proxy = proxy
        options.connectTimeoutMilliseconds = 2000
        return HTTPClient(options: options)
    }

    @Test(
        "Basic and Digest: the right credentials pass, the request is in squid's log; wrong ones are a clear 407 error",
        arguments: [SquidProxy.Authentication.basic, .digest])
    func authenticated(_ scheme: SquidProxy.Authentication) throws {
        let squid = try SquidProxy(authentication: scheme)
        defer { squid.stop() }
        let auth: ProxySettings.Authentication = scheme == .basic ? .basic : .digest
        let good = ProxySettings(host: "127.0.0.1", port: Int(squid.port), username: squid.username, password: squid.password, authentication: auth)
        let response = try client(good).get(base + "/files/blob", maxBytes: 1 << 20)
        #expect(response.status == 200 && response.body == content)
        // squid writes its access log a moment after it answers: wait for the line, never for a fixed time.
        try eventually("squid logs the request with the user", seconds: 15) {
            squid.accessLog.contains("/files/blob") && squid.accessLog.contains(squid.username)
        }

        var any = good
        any.authentication = .any
        #expect(try client(any).get(base + "/files/blob", maxBytes: 1 << 20).status == 200, "\"any\" negotiates \(scheme)")

        var wrong = good
        wrong.password = "not-the-password"
        let refused = failure { try client(wrong).get(base + "/files/blob", maxBytes: 1 << 20) }
        if case .proxyAuthentication? = refused {} else { Issue.record("a wrong proxy password: \(String(describing: refused))") }
        #expect(refused?.description.contains("refused the credentials") == true, "\(String(describing: refused))")
    }

    /// The error a request ends with, or nil when it succeeded.
    func failure(_ body: () throws -> HTTPClient.Response) -> HTTPError? {
        do { _ = try body(); return nil } catch { return error as? HTTPError }
    }

    @Test("a download cut mid-file resumes through the proxy with a Range request")
    func resumeThroughProxy() throws {
        let squid = try SquidProxy(authentication: .basic)
        defer { squid.stop() }
        let proxy = ProxySettings(host: "127.0.0.1", port: Int(squid.port), username: squid.username, password: squid.password)
        let path = files.file("download.part")
        // /cut/ sends half and drops the connection; the partial file stays.
        _ = try? client(proxy).download(base + "/cut/blob", to: path, maxBytes: UInt64(content.count))
        let partial = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        #expect(partial > 0 && partial < content.count, "half arrived: \(partial)")
        let response = try client(proxy).download(base + "/files/blob", to: path, maxBytes: UInt64(content.count))
        #expect(response.status == 206, "resumed with a Range request, not re-sent whole")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == content)
    }

    @Test("an unreachable proxy is named as such; NTLM is refused by name; no proxy means none, whatever http_proxy says")
    func failures() throws {
        let closed = Int(try ManagerProcess.freeTCPPort())
        let unreachable = failure { try client(ProxySettings(host: "127.0.0.1", port: closed)).get(base + "/files/blob", maxBytes: 1 << 20) }
        if case .proxyUnreachable? = unreachable {} else { Issue.record("a closed proxy port: \(String(describing: unreachable))") }
        #expect(unreachable?.description.contains("could not connect to the proxy server 127.0.0.1:\(closed)") == true)
        #expect(throws: ProxySettingError.self) { try ProxySettings.authentication("ntlm") }
        #expect((try? ProxySettings.authentication("Digest")) == .digest)

        setenv("http_proxy", "http://127.0.0.1:\(closed)", 1)
        defer { unsetenv("http_proxy") }
        #expect(try client(nil).get(base + "/files/blob", maxBytes: 1 << 20).status == 200, "the environment's proxy is not used")
    }
}
