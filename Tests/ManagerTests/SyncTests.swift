import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Upstream sync for real (seed §2.2.1, §2.2.7): an upstream "vendor feed" manager, a DMZ repository
/// syncing from it through a real squid (Basic and Digest), refusals, wrong passwords, an unreachable
/// proxy, a download cancelled midway and resumed, and a permanent redirect.
@Suite(.serialized) final class SyncTests {
    let upstream: ManagerProcess
    let dir: TemporaryDirectory
    let vendor: TestVendor
    var downstream: [ManagerProcess] = []
    let model = "Express5800/R120h-1M"

    init() throws {
        upstream = try ManagerProcess()
        dir = try TemporaryDirectory()
        vendor = try TestVendor(in: dir)
        try upstream.trust(vendor)
    }

    deinit {
        upstream.stop()
        for manager in downstream { manager.stop() }
    }

    // MARK: - Fixtures

    /// A package published upstream (mode all, so the upstream keeps it whatever it serves).
    @discardableResult
    func publish(
        _ id: String, module: String = "bmc-firmware", version: String, model: String? = nil, payload: Int = 0,
        signedBy key: TestVendor? = nil, on manager: ManagerProcess? = nil
    ) throws -> String {
        var info = InfoXML()
        info.id = id
        info.module = module
        info.version = version
        info.targets = [(model ?? self.model, "linux")]
        var files: [(String, [UInt8])] = [("payload/apply.sh", Array("#!/bin/sh\nexit 0\n".utf8))]
        if payload > 0 {
            var rng = SeededRandom(seed: UInt64(payload))
            files.append(("payload/image.bin", (0..<payload).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        }
        let file = try HandPackage(info: info.bytes, payload: files).write(to: dir, name: "\(id).zip", signedWith: (key ?? vendor).key)
        let target = manager ?? upstream
        let response = try target.admin.post(target.url + "/api/v1/repository/packages?mode=all&name=\(id).zip", file: file)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return file
    }

    /// A DMZ repository whose upstream is `url` (default: the upstream), serving the test model.
    func dmz(
        url: String? = nil, password: String? = nil, proxy: SquidProxy? = nil, proxyAuth: String = "any", proxyPort: UInt16? = nil,
        trust: Bool = true
    ) throws -> ManagerProcess {
        var text = """
            [repository.upstream]
            url = "\(url ?? upstream.url)"
            password = "\(password ?? upstream.repositoryPassword)"
            sync-interval = 0

            """
        if let proxy {
            text += """
                [repository.proxy]
                host = "127.0.0.1"
                port = \(proxy.port)
                username = "\(proxy.username)"
                password = "\(proxy.password)"
                auth = "\(proxyAuth)"

                """
        } else if let proxyPort {
            text += "[repository.proxy]\nhost = \"127.0.0.1\"\nport = \(proxyPort)\n"
        }
        let config = try dir.write("dmz-\(downstream.count).toml", text)
        let manager = try ManagerProcess(extraArguments: ["--config", config])
        downstream.append(manager)
        if trust { try manager.trust(vendor) }
        let body = Array(try JSONSerialization.data(withJSONObject: ["model": model, "os": "debian:12"]))
        #expect(try manager.admin.send("POST", manager.url + "/api/v1/repository/platforms", body: body).status == 201)
        return manager
    }

    func json(_ manager: ManagerProcess, _ method: String, _ path: String) throws -> (Int, [String: Any]) {
        let response =
            method == "GET"
            ? try manager.admin.get(manager.url + path, maxBytes: 4 << 20)
            : try manager.admin.send(method, manager.url + path, body: [])
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:])
    }

    /// Starts a sync and waits for its end; returns the final status.
    func sync(_ manager: ManagerProcess) throws -> [String: Any] {
        let (status, started) = try json(manager, "POST", "/api/v1/repository/sync")
        #expect(status == 202, "\(started)")
        return try waitForEnd(manager)
    }

    func waitForEnd(_ manager: ManagerProcess, seconds: Double = 60) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let (_, current) = try json(manager, "GET", "/api/v1/repository/sync")
            if current["state"] as? String != "running" { return current }
            usleep(100_000)
        }
        throw TestFailure("the sync did not end in \(seconds) s")
    }

    func packageIDs(_ manager: ManagerProcess) throws -> Set<String> {
        let body = try manager.admin.get(manager.url + "/api/v1/repository/packages", maxBytes: 16 << 20).body
        return Set(((try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
    }

    func logCodes(_ manager: ManagerProcess) throws -> [(code: String, cause: String)] {
        let body = try manager.admin.get(manager.url + "/api/v1/log", maxBytes: 16 << 20).body
        return ((try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]]) ?? []).map {
            ($0["code"] as? String ?? "", $0["cause"] as? String ?? "")
        }
    }

    // MARK: - Tests

    @Test(
        "sync through squid: only what the DMZ's servers need, re-published under its own keys; then only what is new",
        arguments: [SquidProxy.Authentication.basic, .digest])
    func throughProxy(_ scheme: SquidProxy.Authentication) throws {
        try publish("bmc-2.31", version: "2.31")
        try publish("t110-bmc-1.0", version: "1.0", model: "Express5800/T110k")
        let squid = try SquidProxy(authentication: scheme)
        defer { squid.stop() }
        let repository = try dmz(proxy: squid, proxyAuth: scheme.rawValue)

        var status = try sync(repository)
        #expect(status["state"] as? String == "succeeded", "\(status)")
        #expect(status["added"] as? [String] == ["bmc-2.31"], "only the served model's package: \(status)")
        #expect(try packageIDs(repository) == ["bmc-2.31"])
        try? eventually("squid logs the transfer", seconds: 15) { squid.accessLog.contains("/repo/v1/targets/") }
        #expect(squid.accessLog.contains("/repo/v1/targets/") && squid.accessLog.contains(squid.username), "through the proxy: \(squid.accessLog)")
        let codes = try logCodes(repository)
        #expect(codes.contains { $0.code == "N17" }, "Repository updated")
        #expect(codes.contains { $0.code == "X05" && $0.cause.contains("bmc-firmware") }, "new packages listed by component (R147): \(codes)")

        // Re-published: the DMZ's own TUF metadata lists it, signed by the DMZ's keys.
        var reader = HTTPClient.Options()
        reader.bearerToken = repository.repositoryPassword
        let timestamp = try HTTPClient(options: reader).get(repository.url + "/repo/v1/metadata/timestamp.json", maxBytes: 1 << 20)
        #expect(timestamp.status == 200)

        status = try sync(repository)
        #expect(status["state"] as? String == "succeeded" && (status["added"] as? [String] ?? []).isEmpty, "nothing new: \(status)")
        try publish("bmc-2.32", version: "2.32")
        status = try sync(repository)
        #expect(status["added"] as? [String] == ["bmc-2.32"], "only what was published since the last sync: \(status)")
    }

    @Test("refused packages: an untrusted vendor, a file altered upstream after publication; the deletion history is respected")
    func refusals() throws {
        let other = try TestVendor(in: dir, name: "other-vendor")
        try upstream.trust(other)
        try publish("bmc-2.31", version: "2.31")
        try publish("sdr-1.08", module: "sdr", version: "1.08", signedBy: other)
        try publish("bios-4.3", module: "system-bios", version: "4.3")
        // The upstream's stored copy of bios-4.3 is altered after its metadata was signed.
        let listing =
            try JSONSerialization.jsonObject(
                with: Data(
                    try upstream.admin.get(
                        upstream.url + "/api/v1/repository/packages/bios-4.3",
                        maxBytes: 1 << 20
                    ).body)) as! [String: Any]
        let sha = listing["sha256"] as! String
        let pooled = upstream.data.file("pool/\(sha.prefix(2))/\(sha).zip")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pooled)))
        bytes[bytes.count / 2] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: pooled))
        // The DMZ had bmc-2.30 and deleted it (deletion history); the upstream offers it too.
        let repository = try dmz()
        try publish("bmc-2.30", version: "2.30", on: repository)
        let deleteBody = Array(try JSONSerialization.data(withJSONObject: ["ids": ["bmc-2.30"]]))
        #expect(try repository.admin.send("POST", repository.url + "/api/v1/repository/packages/delete", body: deleteBody).status == 200)
        try publish("bmc-2.30", version: "2.30")

        let status = try sync(repository)
        #expect(status["state"] as? String == "succeeded", "a refused package does not fail the sync: \(status)")
        #expect(status["added"] as? [String] == ["bmc-2.31"], "\(status)")
        let refused = (status["refused"] as? [String] ?? []).joined(separator: "\n")
        #expect(refused.contains("sdr-1.08") && refused.contains("no trusted key"), "\(refused)")
        #expect(refused.contains("bios-4.3") && refused.contains("does not match the upstream's metadata"), "\(refused)")
        #expect(try packageIDs(repository) == ["bmc-2.31"], "nothing refused or deleted is stored")
        #expect(try logCodes(repository).contains { $0.code == "E15" && $0.cause.contains("no trusted key") }, "the refusal is logged")
    }

    @Test("a wrong password and an unreachable proxy: clear errors, logged, and the next sync still starts from the beginning")
    func failures() throws {
        try publish("bmc-2.31", version: "2.31")
        let wrong = try dmz(password: "not-the-password")
        let failed = try sync(wrong)
        #expect(failed["state"] as? String == "failed" && (failed["error"] as? String ?? "").contains("refused the repository password"), "\(failed)")
        #expect(try logCodes(wrong).contains { $0.code == "E14" && $0.cause.contains("password") })
        #expect(failed["lastSuccess"] == nil, "a failed sync does not advance")
        let (_, checked) = try json(wrong, "POST", "/api/v1/repository/settings/check")
        #expect(checked["ok"] as? Bool == false && (checked["problem"] as? String ?? "").contains("password"), "\(checked)")

        let closed = try ManagerProcess.freeTCPPort()
        let noProxy = try dmz(proxyPort: closed)
        let (_, proxyCheck) = try json(noProxy, "POST", "/api/v1/repository/settings/check")
        #expect((proxyCheck["problem"] as? String ?? "").contains("could not connect to the proxy server 127.0.0.1:\(closed)"), "\(proxyCheck)")
        #expect(
            try logCodes(noProxy).contains { $0.code == "E13" && $0.cause.contains("could not connect to the proxy server") },
            "R106, also at start")
        let viaDeadProxy = try sync(noProxy)
        #expect(viaDeadProxy["state"] as? String == "failed" && (viaDeadProxy["error"] as? String ?? "").contains("proxy"), "\(viaDeadProxy)")

        let (status, _) = try json(try dmz(), "POST", "/api/v1/repository/sync/cancel")
        #expect(status == 409, "nothing to cancel")
    }

    @Test("a sync cancelled mid-download keeps the partial file; the next one resumes it with a Range request")
    func cancelAndResume() throws {
        let size = 3_000_000
        try publish("bios-big", module: "system-bios", version: "9.0", payload: size)
        let squid = try SquidProxy(authentication: .basic, bytesPerSecond: 1_000_000)
        defer { squid.stop() }
        let repository = try dmz(proxy: squid)
        #expect(try json(repository, "POST", "/api/v1/repository/sync").0 == 202)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let (_, current) = try json(repository, "GET", "/api/v1/repository/sync")
            if (current["bytesDone"] as? Int ?? 0) > 200_000 { break }
            usleep(50_000)
        }
        #expect(try json(repository, "POST", "/api/v1/repository/sync/cancel").0 == 200)
        let cancelled = try waitForEnd(repository)
        #expect(cancelled["state"] as? String == "cancelled", "\(cancelled)")
        #expect(try logCodes(repository).contains { $0.code == "N22" })
        let incoming = repository.data.file("upstream/incoming")
        let partial = try FileManager.default.contentsOfDirectory(atPath: incoming).filter { $0.hasSuffix(".part") }
        #expect(partial.count == 1, "\(partial)")
        let kept = (try? FileManager.default.attributesOfItem(atPath: incoming + "/" + (partial.first ?? ""))[.size] as? Int) ?? 0
        #expect(kept > 0 && kept < size, "part of it is kept: \(kept)")

        let done = try sync(repository)
        #expect(done["state"] as? String == "succeeded" && done["added"] as? [String] == ["bios-big"], "\(done)")
        func targetTransfers() -> [Substring] {
            squid.accessLog.split(separator: "\n").filter { $0.contains("/repo/v1/targets/") && !$0.contains("TCP_DENIED/407") }
        }
        try? eventually("squid logs both transfers", seconds: 15) { targetTransfers().count >= 2 }
        let transfers = targetTransfers()
        let bytes = transfers.compactMap { line in line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).first.flatMap { Int($0) }
        }
        #expect(
            transfers.count == 2 && bytes.count == 2 && bytes[1] < size && transfers[1].contains("/206 "),
            "the second transfer sent only the rest: \(transfers)")
    }

    @Test("exup repo sync follows the progress to the end; --status and settings show it; --cancel with nothing running fails")
    func cli() throws {
        try publish("bmc-2.31", version: "2.31")
        let repository = try dmz()
        let environment = ["EXUP_SERVER": repository.url, "EXUP_TOKEN": repository.adminToken, "PATH": "/usr/bin:/bin"]
        func exup(_ arguments: String...) throws -> Subprocess.Result {
            try Subprocess.run([BuiltProducts.path("exup")] + arguments, environment: environment)
        }
        let synced = try exup("repo", "sync")
        #expect(
            synced.status == 0 && synced.stdout.contains("sync: succeeded") && synced.stdout.contains("added: bmc-2.31"),
            "\(synced.stdout)\(synced.stderr)")
        let status = try exup("repo", "sync", "--status", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["state"] as? String == "succeeded" && object?["lastSuccess"] != nil, "\(status.stdout)")
        let settings = try exup("repo", "settings")
        #expect(settings.stdout.contains("upstream: \(upstream.url)"), "\(settings.stdout)")
        #expect(!settings.stdout.contains(upstream.repositoryPassword), "the password is never shown")
        let check = try exup("repo", "settings", "--check")
        #expect(check.status == 0 && check.stdout.contains("settings ok"), "\(check.stdout)\(check.stderr)")
        let cancel = try exup("repo", "sync", "--cancel")
        #expect(cancel.status != 0 && cancel.stderr.contains("no repository update is running"), "\(cancel.stderr)")
    }

    @Test("configuration mistakes stop the manager with the line and the reason: NTLM, a bad time, a proxy without upstream")
    func configurationErrors() throws {
        let cases: [(String, String)] = [
            ("[repository.upstream]\nurl = \"http://127.0.0.1:1\"\n[repository.proxy]\nhost = \"p\"\nauth = \"ntlm\"\n", "ntlm is not supported"),
            ("[repository.upstream]\nurl = \"http://127.0.0.1:1\"\nsync-time = \"25:00\"\n", "sync-time must be HH:MM"),
            ("[repository.proxy]\nhost = \"p\"\n", "has no url"),
            ("[repository.upstream]\nurl = \"ftp://x\"\n", "must start with http"),
            ("[repository.upstream]\nurl = \"http://x\"\npassword = \"a\"\npassword-file = \"/nonexistent\"\n", "keep one"),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let config = try dir.write("bad-\(index).toml", text)
            let result = try Subprocess.run([
                BuiltProducts.path("exup-manager"), "serve", "--config", config, "--data-dir", dir.file("bad-data-\(index)"),
                "--listen", "127.0.0.1:0",
            ])
            #expect(result.status != 0 && result.stderr.contains(expected), "\(text): \(result.stderr)")
        }
    }

    @Test("new packages are announced once, at the next login, to users who may apply (R147-R150)")
    func noticesAtLogin() throws {
        try publish("bmc-2.31", version: "2.31")
        let repository = try dmz()
        let adminPassword = try String(contentsOfFile: repository.data.file("admin.password"), encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        func login(_ user: String, _ password: String) throws -> [[String: Any]] {
            let body = Array(try JSONSerialization.data(withJSONObject: ["username": user, "password": password]))
            let response = try HTTPClient().send("POST", repository.url + "/api/v1/login", body: body)
            #expect(response.status == 200)
            return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["notices"] as? [[String: Any]] ?? []
        }
        for (name, role) in [("olga", "operator"), ("vic", "viewer")] {
            let body = Array(try JSONSerialization.data(withJSONObject: ["name": name, "role": role, "password": "long-password"]))
            #expect(try repository.admin.send("POST", repository.url + "/api/v1/users", body: body).status == 201)
        }
        #expect(try login("olga", "long-password").isEmpty, "nothing new yet")
        #expect(try sync(repository)["state"] as? String == "succeeded")
        let notices = try login("olga", "long-password")
        #expect(notices.count == 1 && (notices.first?["components"] as? String ?? "").contains("bmc-firmware"), "\(notices)")
        #expect(try login("olga", "long-password").isEmpty, "shown once")
        #expect(try login("vic", "long-password").isEmpty, "only to users with the apply permission")
        #expect(try login("admin", adminPassword).count == 1, "each user sees it once at their own next login")
    }

    @Test("a permanent redirect of the upstream is followed, logged once, and kept")
    func permanentRedirect() throws {
        try publish("bmc-2.31", version: "2.31")
        let redirector = try BackgroundProcess([
            "python3", "-c",
            """
            import http.server, sys
            target = sys.argv[1]
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(308); self.send_header("Location", target + self.path); self.send_header("Content-Length", "0"); self.end_headers()
                def log_message(self, *a): pass
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            print("PORT", s.server_address[1], flush=True)
            s.serve_forever()
            """, upstream.url,
        ])
        defer { redirector.stop() }
        let old = "http://127.0.0.1:" + (try redirector.waitForLine(startingWith: "PORT"))
        let repository = try dmz(url: old)
        let status = try sync(repository)
        #expect(status["state"] as? String == "succeeded" && status["added"] as? [String] == ["bmc-2.31"], "\(status)")
        #expect(try logCodes(repository).filter { $0.code == "N19" }.map(\.cause) == ["\(old) → \(upstream.url)"])
        let (_, settings) = try json(repository, "GET", "/api/v1/repository/settings")
        #expect(settings["upstream"] as? String == old && settings["upstreamInUse"] as? String == upstream.url, "\(settings)")
        _ = try sync(repository)
        #expect(try logCodes(repository).filter { $0.code == "N19" }.count == 1, "the new address is kept")
    }

    // MARK: - Settings changed while the manager runs

    func saveSettings(_ manager: ManagerProcess, _ body: [String: Any]) throws -> (Int, [String: Any]) {
        let response = try manager.admin.send(
            "POST", manager.url + "/api/v1/repository/settings", body: Array(try JSONSerialization.data(withJSONObject: body)))
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:])
    }

    @Test(
        "settings saved through the API: checked first (E13, not saved), in force at once (the next sync goes through the new proxy), kept across a restart"
    )
    func settingsSaved() throws {
        try publish("bmc-2.31", version: "2.31")
        let repository = try dmz()
        let closed = try ManagerProcess.freeTCPPort()
        let unreachable: [String: Any] = [
            "syncIntervalHours": 6, "syncTime": "01:30", "initialStatusIcon": "latest",
            "proxy": ["host": "127.0.0.1", "port": Int(closed), "auth": "any"],
        ]
        let (refusedStatus, refused) = try saveSettings(repository, unreachable)
        #expect(
            refusedStatus == 409
                && ((refused["error"] as? [String: Any])?["message"] as? String ?? "").contains("could not connect to the proxy server"), "\(refused)"
        )
        #expect(try logCodes(repository).contains { $0.code == "E13" && $0.cause.contains("proxy") }, "R106: logged as failed")
        #expect(try json(repository, "GET", "/api/v1/repository/settings").1["proxy"] == nil, "nothing was saved")
        #expect(try saveSettings(repository, ["syncIntervalHours": 6, "syncTime": "25:00", "initialStatusIcon": "latest"]).0 == 400)
        #expect(
            try saveSettings(
                repository,
                [
                    "syncIntervalHours": 6, "syncTime": "01:30", "initialStatusIcon": "latest",
                    "proxy": ["host": "127.0.0.1", "port": 3128, "auth": "ntlm"],
                ]
            ).0 == 400, "NTLM is refused (R105)")

        let squid = try SquidProxy(authentication: .basic)
        defer { squid.stop() }
        let (savedStatus, saved) = try saveSettings(
            repository,
            [
                "syncIntervalHours": 6, "syncTime": "01:30", "initialStatusIcon": "latest",
                "proxy": [
                    "host": "127.0.0.1", "port": Int(squid.port), "username": squid.username,
                    "password": squid.password, "auth": "basic",
                ],
            ])
        #expect(savedStatus == 200 && saved["saved"] as? Bool == true, "\(saved)")
        #expect(try logCodes(repository).contains { $0.code == "N16" })
        let status = try sync(repository)
        #expect(status["state"] as? String == "succeeded" && status["added"] as? [String] == ["bmc-2.31"], "\(status)")
        try? eventually("squid logs the transfer", seconds: 15) { squid.accessLog.contains("/repo/v1/targets/") }
        #expect(squid.accessLog.contains("/repo/v1/targets/"), "the running manager took the new proxy: \(squid.accessLog)")

        try repository.restart()
        let settings = try json(repository, "GET", "/api/v1/repository/settings").1
        #expect(settings["syncIntervalHours"] as? Int == 6 && settings["syncTime"] as? String == "01:30", "\(settings)")
        #expect((settings["proxy"] as? [String: Any])?["port"] as? Int == Int(squid.port) && settings["initialStatusIcon"] as? String == "latest")
        #expect(
            settings["savedBy"] as? String == "admin" && (settings["proxy"] as? [String: Any])?["password"] == nil, "passwords never leave the server"
        )
        let file = repository.data.file("repository-settings.json")
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600, "it holds the proxy's password")

        let (keptStatus, kept) = try saveSettings(repository, unreachable.merging(["keepUnchecked": true]) { $1 })
        #expect(keptStatus == 200 && (kept["problem"] as? String ?? "").contains("proxy"), "kept on request, with the problem named: \(kept)")
    }

    @Test("rotating the repository password: the new one works at once, the old one is refused")
    func passwordRotation() throws {
        let repository = try dmz()
        let old = repository.repositoryPassword
        func timestamp(_ password: String) throws -> Int {
            var options = HTTPClient.Options()
            options.bearerToken = password
            return try HTTPClient(options: options).get(repository.url + "/repo/v1/metadata/timestamp.json", maxBytes: 1 << 20).status
        }
        #expect(try timestamp(old) == 200)
        let (status, body) = try json(repository, "POST", "/api/v1/repository/password/rotate")
        let new = try #require(body["password"] as? String)
        #expect(status == 200 && new != old && new == repository.repositoryPassword, "written to DATA/repository.password")
        #expect(try timestamp(new) == 200)
        #expect(try timestamp(old) == 401)
        try repository.restart()
        #expect(try timestamp(new) == 200, "kept across a restart")
    }

    @Test("exup repo settings changes the schedule, the proxy and the icon; an unsent proxy password is kept; exup repo password rotate")
    func settingsCLI() throws {
        try publish("bmc-2.31", version: "2.31")
        let repository = try dmz()
        let squid = try SquidProxy(authentication: .basic)
        defer { squid.stop() }
        let environment = ["EXUP_SERVER": repository.url, "EXUP_TOKEN": repository.adminToken, "PATH": "/usr/bin:/bin"]
        func exup(_ arguments: String...) throws -> Subprocess.Result {
            try Subprocess.run([BuiltProducts.path("exup")] + arguments, environment: environment)
        }
        let passwordFile = try dir.write("proxy.password", squid.password + "\n")
        let set = try exup(
            "repo", "settings", "--proxy", "127.0.0.1:\(squid.port)", "--proxy-user", squid.username,
            "--proxy-password-file", passwordFile, "--proxy-auth", "basic")
        #expect(set.status == 0 && set.stdout.contains("saved and in force"), "\(set.stdout)\(set.stderr)")
        let changed = try exup("repo", "settings", "--sync-interval", "8", "--sync-time", "02:00", "--initial-status-icon", "latest")
        #expect(changed.status == 0, "\(changed.stderr)")
        let shown = try JSONSerialization.jsonObject(with: Data(try exup("repo", "settings", "--json").stdout.utf8)) as? [String: Any] ?? [:]
        #expect(
            shown["syncIntervalHours"] as? Int == 8 && shown["syncTime"] as? String == "02:00" && shown["initialStatusIcon"] as? String == "latest")
        #expect((shown["proxy"] as? [String: Any])?["username"] as? String == squid.username, "the proxy stayed: \(shown)")
        #expect(try sync(repository)["state"] as? String == "succeeded", "the proxy's password was kept when only the schedule changed")
        try? eventually("squid logs the user", seconds: 15) { squid.accessLog.contains(squid.username) }
        #expect(squid.accessLog.contains(squid.username))

        let bad = try exup("repo", "settings", "--proxy", "127.0.0.1:\(try ManagerProcess.freeTCPPort())")
        #expect(bad.status != 0 && bad.stderr.contains("could not connect to the proxy server"), "\(bad.stderr)")
        let old = repository.repositoryPassword
        let rotated = try exup("repo", "password", "rotate")
        #expect(
            rotated.status == 0 && rotated.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == repository.repositoryPassword
                && repository.repositoryPassword != old)
    }
}
