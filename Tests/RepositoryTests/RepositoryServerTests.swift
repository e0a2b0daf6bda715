import ExupCore
import ExupCrypto
import ExupTesting
import Foundation
import Repository
import Testing
import Transport

/// The repository inside a live `exup-manager` on loopback: real SQLite catalog, real pool, packages
/// signed by the tests' own vendor key (HandPackage, not exup's builder).
@Suite(.serialized) final class RepositoryServerTests {
    let manager: ManagerProcess
    let vendor: TestVendor
    let work: TemporaryDirectory
    let r120h = "Express5800/R120h-1M"

    init() throws {
        manager = try ManagerProcess()
        work = try TemporaryDirectory()
        vendor = try TestVendor(in: work)
        try manager.trust(vendor)
    }

    deinit { manager.stop() }

    // MARK: - Helpers

    func client(_ token: String?) -> HTTPClient { .bearer(token) }

    var admin: HTTPClient { manager.admin }

    func json(_ response: HTTPClient.Response) throws -> Any { try JSONSerialization.jsonObject(with: Data(response.body)) }

    /// A package built by hand and signed with the tests' vendor key.
    func package(
        _ id: String, module: String = "bmc-firmware", version: String, date: String = "2026-01-01",
        targets: [(String, String)]? = nil, schema: String = "1", tamper: Bool = false
    ) throws -> String {
        var info = InfoXML()
        info.id = id
        info.module = module
        info.version = version
        info.releaseDate = date
        info.targets = targets ?? [(r120h, "linux")]
        info.schemaVersion = schema
        var hand = HandPackage(info: info.bytes)
        if tamper { hand.editEntries = { entries in entries[1].data[0] ^= 1 } }
        return try hand.write(to: work, name: "\(id).zip", signedWith: vendor.key)
    }

    func upload(_ path: String, mode: String = "needed") throws -> (status: Int, code: String, result: String) {
        let response = try admin.post(manager.url + "/api/v1/repository/packages?mode=\(mode)&name=x.zip", file: path)
        let body = try json(response) as! [String: Any]
        return (response.status, body["code"] as? String ?? "", body["result"] as? String ?? "")
    }

    func serve(_ model: String, _ os: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["model": model, "os": os])
        #expect(try admin.send("POST", manager.url + "/api/v1/repository/platforms", body: Array(body)).status == 201)
    }

    func listedIDs() throws -> Set<String> {
        let listings = try json(try admin.get(manager.url + "/api/v1/repository/packages", maxBytes: 1 << 24)) as! [[String: Any]]
        return Set(listings.map { $0["id"] as! String })
    }

    func logCodes() throws -> [String] {
        let entries = try json(try admin.get(manager.url + "/api/v1/log?limit=5000", maxBytes: 1 << 24)) as! [[String: Any]]
        return entries.map { $0["code"] as! String }
    }

    // MARK: - First start

    @Test("first start: secrets and keys exist with mode 0600, are named (never printed into a log), and survive a restart")
    func firstStart() throws {
        let token = manager.adminToken, password = manager.repositoryPassword
        #expect(token.count >= 40 && password.count >= 20)
        for file in [
            "admin.token", "repository.password", "keys/root.pem", "keys/targets.pem", "keys/snapshot.pem", "keys/timestamp.pem", "keys/models.pem",
        ] {
            let mode = try FileManager.default.attributesOfItem(atPath: manager.data.file(file))[.posixPermissions] as! Int
            #expect(mode == 0o600, "\(file) is \(String(mode, radix: 8))")
        }
        #expect(!manager.process!.output.contains(token) && !manager.process!.output.contains(password), "not a terminal: no secret in the output")
        #expect(manager.process!.output.contains("admin.token") && manager.process!.output.contains("repository.password"))
        try manager.restart()
        #expect(manager.adminToken == token && manager.repositoryPassword == password)
        #expect(!manager.process!.output.contains("first start"), "said only on first start")
    }

    // MARK: - Table 14

    @Test("Table 14: normal, hash invalid, not needed, already exists; add-all pins")
    func addResults() throws {
        let p231 = try package("bmc-2.31", version: "2.31")
        var r = try upload(p231)
        #expect(r.status == 200 && r.code == "not-needed" && r.result == "warning", "no served model yet")
        try serve(r120h, "debian:12")
        r = try upload(p231)
        #expect(r.status == 201 && r.code == "added" && r.result == "normal")
        r = try upload(p231)
        #expect(r.status == 200 && r.code == "already-exists" && r.result == "warning")
        r = try upload(try package("bmc-2.32", version: "2.32", tamper: true))
        #expect(r.status == 200 && r.code == "hash-invalid" && r.result == "error", "a refused file is a result")
        r = try upload(try package("other-model", version: "1.0", targets: [("T120h", "linux")]), mode: "all")
        #expect(r.status == 201 && r.code == "added")
        #expect(try listedIDs() == ["bmc-2.31", "other-model"])
        let listing = try json(try admin.get(manager.url + "/api/v1/repository/packages/other-model", maxBytes: 1 << 20)) as! [String: Any]
        #expect((listing["indicators"] as! [String: Any])["pinned"] as? Bool == true)
        let codes = try logCodes()
        #expect(codes.filter { $0 == "N18" }.count == 2 && codes.filter { $0 == "E15" }.count == 3)
        #expect(!FileManager.default.fileExists(atPath: manager.data.file("pool/") + "none"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: manager.data.file("incoming")).isEmpty, "uploads never linger")
    }

    @Test("an incompatible (newer schema) package is kept, listed and published as incompatible")
    func incompatible() throws {
        try serve(r120h, "debian:12")
        let r = try upload(try package("future-pkg", version: "9.0", schema: "2"))
        #expect(r.code == "added")
        let listing = try json(try admin.get(manager.url + "/api/v1/repository/packages/future-pkg", maxBytes: 1 << 20)) as! [String: Any]
        #expect((listing["indicators"] as! [String: Any])["incompatible"] as? Bool == true)
    }

    // MARK: - Table 16 and the deletion history

    @Test("Table 16: deleted, in use by another manager (force deletes it), does not exist; history cleared at once")
    func deleteResults() throws {
        try serve(r120h, "debian:12")
        #expect(try upload(try package("a", version: "1")).code == "added")
        #expect(try upload(try package("b", module: "system-bios", version: "1", targets: [("T120h", "linux")]), mode: "all").code == "added")
        try Catalog(path: manager.data.file("catalog.sqlite")).recordRemotePlatform(
            manager: "branch-office",
            platform: Platform(model: "T120h", os: OSIdentity(id: "rhel", versionID: "9")))
        func delete(_ ids: [String], force: Bool = false) throws -> [String: String] {
            let body = try JSONSerialization.data(withJSONObject: ["ids": ids, "force": force])
            let results = try json(try admin.send("POST", manager.url + "/api/v1/repository/packages/delete", body: Array(body))) as! [[String: Any]]
            return Dictionary(uniqueKeysWithValues: results.map { ($0["packageID"] as! String, $0["code"] as! String) })
        }
        #expect(try delete(["a", "b", "nope"]) == ["a": "deleted", "b": "in-use-by-another-manager", "nope": "not-found"])
        #expect(try delete(["b"], force: true) == ["b": "deleted"])
        let history = try json(try admin.get(manager.url + "/api/v1/repository/deletion-history", maxBytes: 1 << 20)) as! [String]
        #expect(Set(history) == ["a", "b"])
        let cleared = try json(try admin.send("POST", manager.url + "/api/v1/repository/deletion-history/clear", body: [])) as! [String: Int]
        #expect(cleared["cleared"] == 2)
        #expect((try json(try admin.get(manager.url + "/api/v1/repository/deletion-history", maxBytes: 1 << 20)) as! [String]).isEmpty)
        let codes = try logCodes()
        #expect(codes.filter { $0 == "N14" }.count == 2 && codes.filter { $0 == "E17" }.count == 2 && codes.contains("N08"))
        #expect(try listedIDs().isEmpty)
    }

    // MARK: - Retention

    @Test("retention: 3 generations per (model, OS, module); two OSes on one model kept apart; removals logged")
    func retention() throws {
        try serve(r120h, "debian:12")
        try serve(r120h, "rhel:9")
        for v in 1...4 {
            #expect(try upload(try package("deb-\(v)", version: "\(v).0", targets: [(r120h, "debian")])).code == "added")
            #expect(try upload(try package("rhel-\(v)", version: "1\(v).0", targets: [(r120h, "rhel:9")])).code == "added")
        }
        #expect(try listedIDs() == ["deb-2", "deb-3", "deb-4", "rhel-2", "rhel-3", "rhel-4"], "more than 3 for one model: R110")
        #expect(try logCodes().filter { $0 == "X01" }.count == 2)
        #expect(try upload(try package("deb-old", version: "0.5", targets: [(r120h, "debian")])).code == "not-needed", "too old: R116")
        #expect(try poolFiles() == 6, "removed packages leave the pool")
    }

    @Test("retention keeps a server's previous generation beyond the 3 newest (R108)")
    func previousGeneration() throws {
        try serve(r120h, "debian:12")
        try Catalog(path: manager.data.file("catalog.sqlite")).recordPreviousGeneration(
            PreviousGeneration(
                platform: Platform(model: r120h, os: OSIdentity(id: "debian", versionID: "12")), moduleID: "bmc-firmware", version: "1.0"))
        for v in 1...5 { #expect(try upload(try package("fw-\(v)", version: "\(v).0")).code == "added") }
        #expect(try listedIDs() == ["fw-1", "fw-3", "fw-4", "fw-5"])
    }

    @Test("HTTPS: with a certificate and key configured, the manager serves TLS")
    func https() throws {
        let openssl = try requireTool("openssl")
        let pki = try TemporaryDirectory()
        let made = try Subprocess.run([
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", pki.file("key.pem"), "-out", pki.file("cert.pem"), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        #expect(made.status == 0)
        let config = try pki.write("manager.toml", "[server]\ntls-certificate = \"\(pki.file("cert.pem"))\"\ntls-key = \"\(pki.file("key.pem"))\"\n")
        let secure = try ManagerProcess(extraArguments: ["--config", config])
        defer { secure.stop() }
        #expect(secure.process!.output.contains("listening on https://"))
        var options = HTTPClient.Options()
        options.caFile = pki.file("cert.pem")
        options.bearerToken = secure.repositoryPassword
        let response = try HTTPClient(options: options).get("https://127.0.0.1:\(secure.port)/repo/v1/metadata/timestamp.json", maxBytes: 1 << 20)
        #expect(response.status == 200)
        let login = try HTTPClient(options: options).get("https://127.0.0.1:\(secure.port)/login", maxBytes: 1 << 20)
        #expect(
            login.status == 200 && (login.headers["set-cookie"] ?? "").hasSuffix("; Secure"),
            "under HTTPS the pages' cookies are Secure: \(login.headers)")
        #expect(throws: HTTPError.self) { _ = try HTTPClient().get("https://127.0.0.1:\(secure.port)/healthz", maxBytes: 100) }
        #expect(throws: HTTPError.self) { _ = try HTTPClient().get("http://127.0.0.1:\(secure.port)/healthz", maxBytes: 100) }
    }

    func poolFiles() throws -> Int {
        let pool = manager.data.file("pool")
        return try FileManager.default.subpathsOfDirectory(atPath: pool).filter { $0.hasSuffix(".zip") }.count
    }

    // MARK: - TUF through the server

    @Test("python-tuf's ngclient refreshes and downloads before and after add, delete and a restart")
    func pythonTUF() throws {
        try serve(r120h, "debian:12")
        let root = PythonTools.repositoryRoot(from: #filePath)
        let python = try PythonTools.python(root: root)
        let rootFile = try work.write("root.json", try admin.get(manager.url + "/api/v1/repository/root", maxBytes: 1 << 20).body)
        let clientDir = work.file("ngclient")
        let target = ModelSlug.targetPath(model: r120h, packageID: "bmc-2.31")
        func refresh(_ targets: [String]) throws -> [String: Any] {
            let result = try Subprocess.run(
                [
                    python, root + "/Tests/TUFTests/python/tuf_scenarios.py", "ngclient-remote",
                    manager.url + "/repo/v1/metadata/", manager.url + "/repo/v1/targets/", manager.repositoryPassword,
                    rootFile, clientDir,
                ] + targets)
            guard result.status == 0 else { throw TestFailure(result.stderr) }
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        }
        var report = try refresh([target])
        #expect((report["targets"] as! [String: Any])[target] is NSNull)
        let path = try package("bmc-2.31", version: "2.31")
        #expect(try upload(path).code == "added")
        report = try refresh([target])
        let digest = try #require((report["targets"] as! [String: Any])[target] as? String)
        #expect(digest == SHA256Hasher.hash(try Data(contentsOf: URL(fileURLWithPath: path)).map { $0 }).hex)
        let custom = ((report["custom"] as! [String: Any])[target] as! [String: Any])["exup"] as! [String: Any]
        #expect((custom["info"] as! [String: Any])["version"] as? String == "2.31")
        let before = report["timestamp_version"] as! Int
        try manager.restart()
        report = try refresh([target])
        #expect((report["targets"] as! [String: Any])[target] as? String == digest)
        let body = try JSONSerialization.data(withJSONObject: ["ids": ["bmc-2.31"]])
        _ = try admin.send("POST", manager.url + "/api/v1/repository/packages/delete", body: Array(body))
        report = try refresh([target])
        #expect((report["targets"] as! [String: Any])[target] is NSNull)
        #expect(report["timestamp_version"] as! Int > before, "versions only go up, across restarts")
    }

    @Test("an unchanged timestamp.json costs one 304 with no body; a change gives a new ETag")
    func conditional() throws {
        let reader = client(manager.repositoryPassword)
        let url = manager.url + "/repo/v1/metadata/timestamp.json"
        let first = try reader.get(url, maxBytes: 1 << 20)
        let etag = try #require(first.etag)
        let again = try reader.get(url, headers: ["If-None-Match": etag], maxBytes: 1 << 20)
        #expect(again.status == 304 && again.body.isEmpty)
        try serve(r120h, "debian:12")
        #expect(try upload(try package("bmc-2.31", version: "2.31")).code == "added")
        let changed = try reader.get(url, headers: ["If-None-Match": etag], maxBytes: 1 << 20)
        #expect(changed.status == 200 && changed.etag != etag)
    }

    @Test("targets support Range requests (resumed downloads) and refuse unsatisfiable ranges")
    func ranges() throws {
        try serve(r120h, "debian:12")
        let path = try package("bmc-2.31", version: "2.31")
        #expect(try upload(path).code == "added")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path)).map { $0 }
        let url = manager.url + "/repo/v1/targets/models/\(ModelSlug.make(r120h))/\(SHA256Hasher.hash(bytes).hex).bmc-2.31.zip"
        let reader = client(manager.repositoryPassword)
        #expect(try reader.get(url, maxBytes: 1 << 20).body == bytes)
        let tail = try reader.get(url, headers: ["Range": "bytes=100-"], maxBytes: 1 << 20)
        #expect(tail.status == 206 && tail.body == Array(bytes[100...]))
        #expect(tail.headers["content-range"] == "bytes 100-\(bytes.count - 1)/\(bytes.count)")
        #expect(try reader.get(url, headers: ["Range": "bytes=999999-"], maxBytes: 1 << 20).status == 416)
        #expect(try reader.get(manager.url + "/repo/v1/targets/models/x/\(String(repeating: "0", count: 64)).y.zip", maxBytes: 1 << 20).status == 404)
    }

    // MARK: - Refusals

    @Test("missing or wrong credentials, wrong role, unknown ids and malformed bodies get clear 4xx, never 5xx")
    func refusals() throws {
        var statuses: [Int] = []
        func status(_ client: HTTPClient, _ method: String, _ path: String, _ body: String? = nil) throws -> (Int, String) {
            let response =
                body == nil && method == "GET"
                ? try client.get(manager.url + path, maxBytes: 1 << 20)
                : try client.send(method, manager.url + path, body: Array((body ?? "").utf8))
            statuses.append(response.status)
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        #expect(try status(client(nil), "GET", "/repo/v1/metadata/timestamp.json").0 == 401)
        #expect(try status(client("wrong"), "GET", "/api/v1/repository/packages").0 == 401)
        #expect(try status(client(nil), "POST", "/api/v1/repository/packages/delete", "{\"ids\":[\"x\"]}").0 == 401)
        let reader = client(manager.repositoryPassword)
        #expect(try status(reader, "GET", "/repo/v1/metadata/timestamp.json").0 == 200)
        let forbidden = try status(reader, "POST", "/api/v1/repository/deletion-history/clear", "")
        #expect(forbidden.0 == 403 && forbidden.1.contains("administrator token"))
        #expect(try status(admin, "GET", "/api/v1/repository/packages/no-such-package").0 == 404)
        #expect(try status(admin, "GET", "/repo/v1/metadata/99.snapshot.json").0 == 404)
        let badJSON = try status(admin, "POST", "/api/v1/repository/platforms", "{\"model\": ")
        #expect(badJSON.0 == 400 && badJSON.1.contains("not valid JSON"))
        let unknown = try status(admin, "POST", "/api/v1/repository/platforms", "{\"model\":\"m\",\"os\":\"debian\",\"colour\":1}")
        #expect(unknown.0 == 400 && unknown.1.contains("unknown field \\\"colour\\\""))
        let wrongType = try status(admin, "POST", "/api/v1/repository/packages/delete", "{\"ids\": \"a\"}")
        #expect(wrongType.0 == 400 && wrongType.1.contains("ids"))
        #expect(try status(admin, "POST", "/api/v1/repository/platforms", "{\"model\":\"m\",\"os\":\"Not An OS\"}").0 == 400)
        #expect(try status(admin, "POST", "/api/v1/repository/packages?mode=sometimes", "x").0 == 400)
        #expect(try status(admin, "POST", "/api/v1/repository/packages", "").0 == 400)
        #expect(try status(admin, "POST", "/api/v1/repository/exports", "{\"ids\":[\"nope\"]}").0 == 404)
        #expect(statuses.allSatisfy { $0 < 500 }, "\(statuses)")
        // X20: the first administrator user, created at first start before any request.
        #expect(try listedIDs().isEmpty && (try logCodes()).allSatisfy { $0 == "N11" || $0 == "N10" || $0 == "X20" }, "refusals changed nothing")
    }

    @Test("an upload over the configured limit is refused with 413 and leaves nothing behind")
    func oversized() throws {
        let limited = try TemporaryDirectory()
        let config = try limited.write("manager.toml", "[server]\nmax-upload-mib = 1\n")
        let small = try ManagerProcess(extraArguments: ["--config", config])
        let big = try work.write("big.zip", [UInt8](repeating: 7, count: 3 << 20))
        let response = try client(small.adminToken).post(small.url + "/api/v1/repository/packages", file: big)
        #expect(response.status == 413)
        #expect(try FileManager.default.contentsOfDirectory(atPath: small.data.file("incoming")).isEmpty)
        small.stop()
    }

    // MARK: - Restart and export

    @Test("a restart keeps packages, platforms, the log, the root and the pool")
    func restart() throws {
        try serve(r120h, "debian:12")
        #expect(try upload(try package("bmc-2.31", version: "2.31")).code == "added")
        let root = try admin.get(manager.url + "/api/v1/repository/root", maxBytes: 1 << 20).body
        let logCount = try logCodes().count
        try manager.restart()
        #expect(try listedIDs() == ["bmc-2.31"])
        #expect(try admin.get(manager.url + "/api/v1/repository/root", maxBytes: 1 << 20).body == root)
        #expect(try logCodes().count == logCount + 1, "only the list just made was added")
        #expect(try poolFiles() == 1)
    }

    @Test("export: an archive with packages/, css/ and an index.html listing packages and target components")
    func export() throws {
        try serve(r120h, "debian:12")
        for v in 1...3 { #expect(try upload(try package("bmc-\(v)", version: "2.\(v)", date: "2026-0\(v)-01")).code == "added") }
        let cli = BuiltProducts.path("exup")
        let environment = ProcessInfo.processInfo.environment.merging(["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken]) { $1 }
        var result = try Subprocess.run([cli, "repo", "export", "--out", work.file("one.zip"), "bmc-2"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        result = try Subprocess.run([cli, "repo", "export", "--all-versions", "--out", work.file("all.zip"), "bmc-2"], environment: environment)
        #expect(result.status == 0)
        let listing = try Subprocess.run(["unzip", "-Z1", work.file("all.zip")]).stdout.split(separator: "\n").map(String.init)
        #expect(
            Set(listing) == ["packages/", "css/", "css/exup.css", "packages/bmc-1.zip", "packages/bmc-2.zip", "packages/bmc-3.zip", "index.html"])
        #expect(try Subprocess.run(["unzip", "-Z1", work.file("one.zip")]).stdout.contains("packages/bmc-2.zip"))
        let index = try Subprocess.run(["unzip", "-p", work.file("all.zip"), "index.html"]).stdout
        #expect(index.contains("bmc-3") && index.contains(r120h) && index.contains("<!DOCTYPE html>"))
        let stored = try Subprocess.run(["unzip", "-p", work.file("one.zip"), "packages/bmc-2.zip"])
        #expect(stored.status == 0)
        #expect(try logCodes().filter { $0 == "N23" }.count == 2)
    }

    @Test("exup repo add prints one line per file with exit status 0, 2 or 1")
    func cliAdd() throws {
        try serve(r120h, "debian:12")
        let cli = BuiltProducts.path("exup")
        let environment = ProcessInfo.processInfo.environment.merging(["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken]) { $1 }
        let good = try package("bmc-2.31", version: "2.31"), unneeded = try package("x", version: "1", targets: [("T120h", "linux")])
        let tampered = try package("bad", version: "3", tamper: true)
        #expect(try Subprocess.run([cli, "repo", "add", good], environment: environment).status == 0)
        let warning = try Subprocess.run([cli, "repo", "add", good, unneeded], environment: environment)
        #expect(warning.status == 2)
        #expect(warning.stdout.contains("warning: The same update package already exists"))
        #expect(warning.stdout.contains("warning: No applicable device is registered, or the package is old"))
        let alone = try Subprocess.run([cli, "repo", "add", unneeded], environment: environment)
        #expect(
            alone.status == 1 && alone.stdout.contains("add it with --mode all"), "one file, not added: exit 1 with the next step: \(alone.stdout)")
        let error = try Subprocess.run([cli, "repo", "add", tampered], environment: environment)
        #expect(error.status == 1 && error.stdout.contains("error: The update package's hash value is invalid"))
        let noToken = try Subprocess.run([cli, "repo", "list", "--server", manager.url], environment: ["PATH": "/usr/bin:/bin"])
        #expect(noToken.status != 0 && noToken.stderr.contains("EXUP_TOKEN"))
    }
}
