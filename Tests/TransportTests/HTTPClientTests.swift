import ExupTesting
import Foundation
import Testing
import Transport

/// The libcurl client against a real server on loopback (Tests/TransportTests/python/httpd.py).
@Suite(.serialized) final class HTTPClientTests {
    let origin: OriginServer
    var files: TemporaryDirectory { origin.files }
    var base: String { origin.base }
    var content: [UInt8] { origin.content }

    init() throws { origin = try OriginServer(seed: 9, size: 300_000) }

    @Test("GET into memory; ETag and If-None-Match give a 304 with no body")
    func conditionalGet() throws {
        let client = HTTPClient()
        let first = try client.get(base + "/files/blob", maxBytes: 1 << 20)
        #expect(first.status == 200 && first.body == content)
        let etag = try #require(first.etag)
        let second = try client.get(base + "/files/blob", headers: ["If-None-Match": etag], maxBytes: 1 << 20)
        #expect(second.status == 304 && second.body.isEmpty)
        let changed = try client.get(base + "/files/blob", headers: ["If-None-Match": "\"other\""], maxBytes: 1 << 20)
        #expect(changed.status == 200)
    }

    @Test("a body over the cap is cut off with a clear error, even when the server promises endless data")
    func sizeCap() throws {
        let client = HTTPClient()
        #expect(throws: HTTPError.tooLarge(url: base + "/endless", limit: 100_000)) {
            _ = try client.get(base + "/endless", maxBytes: 100_000)
        }
        #expect(throws: HTTPError.tooLarge(url: base + "/files/blob", limit: 1_000)) {
            _ = try client.get(base + "/files/blob", maxBytes: 1_000)
        }
    }

    @Test("a download cut mid-file resumes with a Range request and ends byte-identical")
    func resume() throws {
        let client = HTTPClient()
        let target = files.file("download.part")
        #expect(throws: HTTPError.self) { _ = try client.download(base + "/cut/blob", to: target, maxBytes: 1 << 20) }
        let partial = try FileManager.default.attributesOfItem(atPath: target)[.size] as! Int
        #expect(partial > 0 && partial < content.count, "half the file arrived: \(partial)")
        let resumed = try client.download(base + "/files/blob", to: target, maxBytes: 1 << 20)
        #expect(resumed.status == 206)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).map { $0 } == content)
    }

    @Test("a download whose server ignores Range replaces the partial file instead of appending")
    func resumeWithoutRangeSupport() throws {
        try files.write("stale.part", Array(repeating: 0xEE, count: 1000))
        let client = HTTPClient()
        // /status/200 ignores Range: its whole body must replace the stale bytes.
        let response = try client.download(base + "/status/200", to: files.file("stale.part"), maxBytes: 1 << 20)
        #expect(response.status == 200)
        #expect(try String(contentsOfFile: files.file("stale.part"), encoding: .utf8) == "status body")
    }

    @Test("a stalled server fails the request after the stall timeout")
    func stall() throws {
        var options = HTTPClient.Options()
        options.stallTimeoutSeconds = 1
        let client = HTTPClient(options: options)
        #expect {
            _ = try client.get(base + "/stall", maxBytes: 1 << 20)
        } throws: { error in
            (error as? HTTPError)?.description.contains("Timeout") == true || (error as? HTTPError)?.description.contains("timed out") == true
        }
    }

    @Test("a closed port fails fast with the reason")
    func refused() throws {
        var options = HTTPClient.Options()
        options.connectTimeoutMilliseconds = 500
        let client = HTTPClient(options: options)
        #expect {
            _ = try client.get("http://127.0.0.1:1/", maxBytes: 10)
        } throws: { error in
            (error as? HTTPError)?.description.contains("127.0.0.1:1") == true
        }
    }

    @Test("bearer credentials are sent when configured")
    func bearer() throws {
        let anonymous = try HTTPClient().get(base + "/auth", maxBytes: 1000)
        #expect(anonymous.status == 401)
        var options = HTTPClient.Options()
        options.bearerToken = "secret"
        let authorised = try HTTPClient(options: options).get(base + "/auth", maxBytes: 1000)
        #expect(authorised.status == 200 && authorised.body == Array("welcome".utf8))
    }

    @Test("POST and PUT send their bodies")
    func send() throws {
        let client = HTTPClient()
        let body = Array("{\"a\":1}".utf8)
        let post = try client.send("POST", base + "/echo", body: body)
        #expect(post.status == 200 && post.body == body && post.headers["x-method"] == "POST")
        #expect(post.headers["content-type"] == "application/json")
        let put = try client.send("PUT", base + "/echo", body: [])
        #expect(put.headers["x-method"] == "PUT")
    }

    @Test("HTTPS with a configured CA file; an untrusted certificate is refused")
    func tls() throws {
        let openssl = try requireTool("openssl")
        let pki = try TemporaryDirectory()
        let made = try Subprocess.run([
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", pki.file("key.pem"), "-out", pki.file("cert.pem"), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        #expect(made.status == 0, "\(made.stderr)")
        let root = PythonTools.repositoryRoot(from: #filePath)
        let https = try BackgroundProcess([
            "python3", root + "/Tests/TransportTests/python/httpd.py", files.path,
            "--tls", pki.file("cert.pem"), pki.file("key.pem"),
        ])
        let url = "https://127.0.0.1:" + (try https.waitForLine(startingWith: "PORT")) + "/files/blob"
        #expect(throws: HTTPError.self) { _ = try HTTPClient().get(url, maxBytes: 1 << 20) }
        var options = HTTPClient.Options()
        options.caFile = pki.file("cert.pem")
        let response = try HTTPClient(options: options).get(url, maxBytes: 1 << 20)
        #expect(response.status == 200 && response.body == content)
        https.stop()
    }
}
