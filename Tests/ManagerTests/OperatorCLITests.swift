import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// The commands as an administrator meets them at 3 a.m.: one exit-status convention, one line that says
/// what happened (never a Swift type or source location), usage only for usage mistakes, JSON errors under
/// --json, one manager per data directory, configurations checked before use, filters that find what they
/// name, tokens that match the README, and help in plain words.
@Suite(.serialized) final class OperatorCLITests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }
    let exup = BuiltProducts.path("exup"), managerBinary = BuiltProducts.path("exup-manager"), agentBinary = BuiltProducts.path("exup-agent")

    init() throws { fixture = try VendorManager() }

    var environment: [String: String] {
        ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin", "HOME": fixture.work.path]
    }

    func run(_ arguments: [String], environment extra: [String: String]? = nil) throws -> Subprocess.Result {
        try Subprocess.run(arguments, environment: extra ?? environment)
    }

    /// What no output of ours may contain: Swift type dumps, argument labels of calls, source locations.
    static let internals = [
        #"[A-Z][A-Za-z]+(Error|Failure)[(.]"#, #"\bfailedTo[A-Z]"#, #"\bfile: "#, #"\bline: \d"#, #"\.swift\b"#, #"_storage"#,
        #"\b[a-z]+\([a-z]+:([a-z]+:)*\)"#, #"Logging\.Logger"#, #"ArgumentParser\."#,
    ]

    func expectPlain(_ result: Subprocess.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for pattern in Self.internals {
            #expect(
                (result.stdout + result.stderr).range(of: pattern, options: .regularExpression) == nil,
                "\(what) shows Swift internals (\(pattern)): \(result.stderr)\(result.stdout)", sourceLocation: sourceLocation)
        }
    }

    @Test("exit statuses: 64 and the usage only for usage mistakes (with did-you-mean), 1 with one line for failures, 2 for partly done")
    func exitStatuses() throws {
        let unknownOption = try run([exup, "servers", "--fliter", "x"])
        #expect(unknownOption.status == 64 && unknownOption.stderr.contains("Usage: exup servers"), "\(unknownOption.stderr)")
        let mistyped = try run([exup, "servrs"])
        #expect(mistyped.status == 64 && mistyped.stderr.hasPrefix("exup: servrs is not a command; did you mean 'servers'?\n"), "\(mistyped.stderr)")
        let nested = try run([exup, "agents", "tokn", "list"])
        #expect(nested.status == 64 && nested.stderr.contains("did you mean 'token'?"), "\(nested.stderr)")
        let invalid = try run([exup, "servers", "--filter", "rebot-required"])
        #expect(invalid.status == 64 && invalid.stderr.contains("did you mean reboot-required?") && invalid.stderr.contains("Usage: exup servers"))

        let unknownServer = try run([exup, "server", "show", "nowhere"])
        #expect(unknownServer.status == 1 && unknownServer.stderr == "exup: no server nowhere\n", "\(unknownServer.stderr)")
        let decoded = try run([exup, "server", "show", "wéb01"])
        #expect(decoded.stderr == "exup: no server wéb01\n", "names are shown as given: \(decoded.stderr)")

        let good = try HandPackage(info: InfoXML().bytes).write(to: fixture.work, name: "good.zip", signedWith: fixture.vendor.key)
        try FileManager.default.createDirectory(atPath: fixture.work.file("adir"), withIntermediateDirectories: true)
        let some = try run([exup, "repo", "add", "--mode", "all", good, fixture.work.file("adir")])
        #expect(some.status == 2, "one added, one refused: partly done: \(some.stdout)")
        #expect(some.stdout.contains("adir: error: is a directory, not a package file"), "\(some.stdout)")
        let none = try run([exup, "repo", "add", fixture.work.file("adir"), fixture.work.file("missing.zip")])
        #expect(none.status == 1 && none.stdout.contains("missing.zip: error: no such file"), "\(none.stdout)")

        let json = try run([exup, "server", "show", "nowhere", "--json"])
        let error = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
        #expect(json.status == 1 && error?["message"] as? String == "no server nowhere" && error?["code"] as? String != nil, "\(json.stdout)")
        let jsonUsage = try run([exup, "servers", "--json", "--bogus"])
        #expect(jsonUsage.status == 64 && jsonUsage.stdout.contains(#""code": "usage""#), "\(jsonUsage.stdout)")
    }

    @Test("failing commands say what happened in one line, in the CLI's words, and never show Swift internals")
    func messagesInWords() throws {
        let work = fixture.work
        try fixture.manager.trust(fixture.vendor)
        let keys = work.file("keys")
        #expect(try run([exup, "pkg", "keygen", "--out", keys]).status == 0)
        try work.write("info.xml", InfoXML().text)
        try work.write("payload/apply.sh", "#!/bin/sh\nexit 0\n", mode: 0o755)
        try work.write("empty.zip", "")
        let port = try ManagerProcess.freeTCPPort()
        let listener = try BackgroundProcess([
            "python3", "-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', \(port))); s.listen(); time.sleep(60)",
        ])
        defer { listener.stop() }
        try eventually("the port is taken") { SquidProxy.accepts(port) }
        try work.write("bad.toml", "[server]\nlisten = \"127.0.0.1:1\"\nlisen = 3\n[repositry]\n")
        try work.write("cert.pem", "not a certificate\n")
        try work.write("key.pem", "not a key\n", mode: 0o600)
        try work.write(
            "tls.toml", "[server]\nlisten = \"127.0.0.1:0\"\ntls-certificate = \"\(work.file("cert.pem"))\"\ntls-key = \"\(work.file("key.pem"))\"\n")
        let cases: [(String, [String], [String: String]?, String)] = [
            (
                "public key as --key",
                [
                    exup, "pkg", "build", "--info", work.file("info.xml"), "--payload", work.file("payload"), "--key", keys + "/vendor.pub.pem",
                    "--out", work.file("x.zip"),
                ], nil, "is a public key: --key needs the private key"
            ),
            ("empty package", [exup, "pkg", "verify", "--trusted-keys", fixture.vendor.trustDirectory, work.file("empty.zip")], nil, "empty.zip"),
            ("missing trusted keys", [exup, "pkg", "verify", "--trusted-keys", work.file("nope"), work.file("empty.zip")], nil, "does not exist"),
            (
                "manager down", [exup, "servers"],
                ["EXUP_SERVER": "http://127.0.0.1:1", "EXUP_TOKEN": "x", "PATH": "/usr/bin:/bin", "HOME": work.path], "cannot reach the manager"
            ),
            (
                "wrong token", [exup, "servers"], ["EXUP_SERVER": manager.url, "EXUP_TOKEN": "wrong", "PATH": "/usr/bin:/bin", "HOME": work.path],
                "refused the credential"
            ),
            (
                "port in use", [managerBinary, "serve", "--data-dir", work.file("fresh"), "--listen", "127.0.0.1:\(port)"], nil,
                "cannot listen on 127.0.0.1:\(port): address already in use"
            ),
            (
                "missing config", [managerBinary, "serve", "--config", work.file("nope.toml")], nil,
                "nope.toml: cannot be read: no such file or directory"
            ),
            (
                "bad config", [managerBinary, "serve", "--config", work.file("bad.toml")], nil,
                "line 4: unknown table [repositry]; did you mean [repository]?"
            ),
            ("agent without config", [agentBinary, "status", "--config", work.file("nope.toml")], nil, "nope.toml: cannot be read"),
            ("uninstall unknown", [exup, "uninstall", "nowhere", "--module", "x"], nil, "no server nowhere"),
            ("mixed-case name", [exup, "server", "show", "dbServer01"], nil, "no server dbServer01"),
            (
                "bad TLS files", [managerBinary, "serve", "--config", work.file("tls.toml"), "--data-dir", work.file("tls-data")], nil,
                "is not a PEM certificate chain that can be read"
            ),
            ("bad TLS files, checked", [managerBinary, "check-config", "--config", work.file("tls.toml")], nil, "is not a PEM certificate chain"),
        ]
        for (what, arguments, environment, expected) in cases {
            let result = try run(arguments, environment: environment)
            let said = result.stderr.isEmpty ? result.stdout : result.stderr  // pkg verify reports per file on stdout
            #expect(result.status == 1, "\(what): exit \(result.status)")
            #expect(said.contains(expected), "\(what): \(said)")
            #expect(said.split(separator: "\n").count == 1 && !said.contains("Usage"), "\(what): one line, no usage: \(said)")
            expectPlain(result, what)
        }
        #expect(!FileManager.default.fileExists(atPath: work.file("fresh")), "a port in use is found before the first start creates anything")
        #expect(!FileManager.default.fileExists(atPath: work.file("tls-data")), "bad TLS files are found before the first start creates anything")
    }

    @Test("names are path segments, never paths: a group called ../users/olga/remove removes no user")
    func namesAreEscaped() throws {
        #expect(try run([exup, "users", "add", "olga", "--role", "viewer", "--password", "a-long-enough-password"]).status == 0)
        let result = try run([exup, "groups", "delete", "../users/olga/remove?x="])
        #expect(result.status == 1 && result.stderr.hasPrefix("exup: "), "\(result.stderr)")
        expectPlain(result, "a crafted group name")
        let users = try JSONSerialization.jsonObject(with: Data(try run([exup, "users", "list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        #expect(users.contains { $0["name"] as? String == "olga" }, "olga is still there")
    }

    @Test("one manager per data directory: a second one names the first's pid and starts nothing")
    func dataDirectoryLock() throws {
        let second = try run([managerBinary, "serve", "--data-dir", manager.data.path, "--listen", "127.0.0.1:0"])
        let pid = try #require(manager.process?.pid)
        #expect(second.status == 1)
        #expect(
            second.stderr == "exup-manager: another exup-manager (pid \(pid)) is using the data directory \(manager.data.path); "
                + "stop it first, or give this one a data directory of its own\n", "\(second.stderr)")
        #expect(try manager.admin.get(manager.url + "/healthz", maxBytes: 64).status == 200, "the first one runs on")
    }

    @Test("check-config: every problem with its line, exit 1; a good file exits 0; warnings for secrets anyone can read")
    func checkConfig() throws {
        let work = fixture.work
        let bad = try work.write(
            "manager.toml", "[server]\nlisen = \"x\"\nmax-upload-mib = \"big\"\n[repositry]\nurl = 1\n[manager]\npoll-interval-seconds = 1\n")
        let result = try run([managerBinary, "check-config", "--config", bad])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(bad): line 2: unknown key lisen in [server]; did you mean listen?"), "\(lines)")
        #expect(lines.contains("\(bad): line 3: [server] max-upload-mib must be an integer"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("\(bad): line 4: unknown table [repositry]; did you mean [repository]?") }, "\(lines)")
        #expect(lines.contains("\(bad): line 7: [manager] poll-interval-seconds must be between 5 and 86400"), "\(lines)")
        expectPlain(result, "check-config")

        try work.write("data/keep", "")
        let good = try work.write("good.toml", "[server]\nlisten = \"127.0.0.1:0\"\n[repository]\ndata-dir = \"\(work.file("data"))\"\n")
        let ok = try run([managerBinary, "check-config", "--config", good])
        #expect(ok.status == 0 && ok.stdout.contains("OK, the manager would start with it"), "\(ok.stdout)")

        let secret = try work.write("token", "exup1.c2VjcmV0.\(String(repeating: "ab", count: 32))\n", mode: 0o644)
        let agentConfig = try work.write(
            "agent.toml",
            """
            [manager]
            url = "\(manager.url)"
            enrolment-token-file = "\(secret)"
            [agent]
            state-dir = "\(work.file("state"))"
            reboot-command = ["/bin/true"]
            poll-interval-seconds = 2
            [trust]
            keys-dir = "\(work.file("no-keys"))"
            """)
        let agent = try run([agentBinary, "check-config", "--config", agentConfig])
        #expect(agent.status == 1, "\(agent.stdout)")
        #expect(agent.stdout.contains("\(agentConfig): line 7: [agent] poll-interval-seconds must be between 5 and 86400"), "\(agent.stdout)")
        try FileManager.default.createDirectory(atPath: work.file("no-keys"), withIntermediateDirectories: true)
        try work.write("agent.toml", try String(contentsOfFile: agentConfig, encoding: .utf8).replacingOccurrences(of: "= 2\n", with: "= 60\n"))
        let fixed = try run([agentBinary, "check-config", "--config", agentConfig])
        #expect(fixed.status == 0, "\(fixed.stdout)")
        #expect(fixed.stdout.contains("warning: \(secret) holds a secret and anyone on this host can read it"), "\(fixed.stdout)")
    }

    @Test("enrolment tokens: --group enrols into the group, --out writes 0600, list shows ids not secrets, revoke stops enrolment")
    func tokens() throws {
        #expect(try run([exup, "groups", "create", "racks"]).status == 0)
        let out = fixture.work.file("enrol.token")
        let created = try run([exup, "agents", "token", "create", "--group", "racks", "--out", out])
        #expect(created.status == 0 && created.stdout.contains("token written to \(out) (0600)"), "\(created.stdout)")
        var info = stat()
        #expect(stat(out, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let token = try String(contentsOfFile: out, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try run([exup, "agents", "token", "create", "--out", out]).stderr.contains("already exists"), "never over an existing file")

        let listed =
            try JSONSerialization.jsonObject(with: Data(try run([exup, "agents", "token", "list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        #expect(listed.count == 1 && listed[0]["group"] as? String == "racks" && listed[0]["usesLeft"] as? Int == 1)
        #expect(!(try run([exup, "agents", "token", "list"]).stdout.contains(String(token.suffix(20)))), "no secret in the list")

        let enrol = { (name: String) throws -> Int in
            let body = Array(try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "hostname": name]))
            return try HTTPClient().send("POST", self.manager.url + "/api/v1/enrol", body: body).status
        }
        #expect(try enrol("web07") == 201)
        let group =
            try JSONSerialization.jsonObject(with: Data(try run([exup, "groups", "show", "racks", "--filter", "all", "--json"]).stdout.utf8))
            as? [String: Any]
        #expect(((group?["servers"] as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "web07" }, "\(String(describing: group))")

        let second = try run([exup, "agents", "token", "create", "--uses", "5", "--json"])
        let secondToken = (try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])?["token"] as? String ?? ""
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(try run([exup, "agents", "token", "list", "--json"]).stdout.utf8)) as? [[String: Any]])?
                .first?["id"] as? String)
        let revoked = try run([exup, "agents", "token", "revoke", id])
        #expect(revoked.status == 0 && revoked.stdout == "revoked enrolment token \(id)\n")
        let body = Array(try JSONSerialization.data(withJSONObject: ["token": secondToken, "name": "web08", "hostname": "web08"]))
        #expect(try HTTPClient().send("POST", manager.url + "/api/v1/enrol", body: body).status == 401, "a revoked token enrols no one")
        #expect(try run([exup, "log", "--grep", "X33"]).stdout.contains(id), "the revocation is logged")
    }

    @Test("server filters follow the status tables: reboot-required by any module, latest by server status; an empty result names the filter")
    func filters() throws {
        try fixture.serverWithUpdate("web01")
        try fixture.serverWithUpdate("web02", current: "2.31")
        func names(_ filter: String) throws -> [String] {
            let result = try run([exup, "servers", "--filter", filter, "--json"])
            return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        #expect(try names("update-available") == ["web01"])
        #expect(try names("latest") == ["web02"])
        // The group view and the web page apply the same rules.
        #expect(try run([exup, "groups", "create", "racks"]).status == 0)
        #expect(try run([exup, "groups", "add", "racks", "web01", "web02"]).status == 0)
        let group =
            try JSONSerialization.jsonObject(with: Data(try run([exup, "groups", "show", "racks", "--filter", "latest", "--json"]).stdout.utf8))
            as? [String: Any]
        #expect((group?["servers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["web02"])
        #expect(
            try run([exup, "groups", "show", "racks", "--filter", "reboot-required"]).stdout.contains("no server of racks matches reboot-required"))
        let empty = try run([exup, "servers", "--filter", "reboot-required"])
        #expect(empty.status == 0 && empty.stdout == "no server matches reboot-required\n", "\(empty.stdout)")
    }

    @Test("help texts say what commands do: no table numbers, requirement ids, log codes or 'the seed'; every option is described")
    func plainHelp() throws {
        for program in [exup, agentBinary, managerBinary] {
            let dump = try JSONSerialization.jsonObject(with: Data(try run([program, "--experimental-dump-help"]).stdout.utf8)) as? [String: Any]
            var commands: [([String], [String: Any])] = []
            func walk(_ command: [String: Any], _ path: [String]) {
                commands.append((path, command))
                for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                    walk(sub, path + [sub["commandName"] as! String])
                }
            }
            walk(dump?["command"] as? [String: Any] ?? [:], [])
            #expect(commands.count > 3)
            for (path, command) in commands {
                let help = try run([program] + path + ["--help"])
                #expect(help.status == 0, "\(path) --help")
                for pattern in [#"Tables? \d"#, #"\bR\d{3}\b"#, #"logged [ENX]\d\d"#, #"\bseed\b"#] {
                    #expect(help.stdout.range(of: pattern, options: .regularExpression) == nil, "\(program) \(path): \(pattern) in its help")
                }
                for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool ?? true {
                    let name = (argument["preferredName"] as? [String: Any])?["name"] as? String ?? argument["valueName"] as? String ?? "?"
                    guard !["help", "version"].contains(name) else { continue }
                    #expect(
                        !((argument["abstract"] as? String) ?? "").isEmpty, "\(program) \(path.joined(separator: " ")): \(name) has no description")
                }
            }
        }
    }

    @Test("an unknown web page answers 404 with the navigation; the API keeps its JSON 404")
    func webNotFound() throws {
        let page = try HTTPClient().get(manager.url + "/no/such/page", maxBytes: 1 << 20)
        #expect(page.status == 404 && String(decoding: page.body, as: UTF8.self).contains("There is no page at /no/such/page"))
        #expect(try HTTPClient().get(manager.url + "/api/v1/no-such", maxBytes: 1 << 20).status == 404)
    }

    @Test("on a terminal the first start shows the secrets once; elsewhere it only says where they are")
    func firstStartSecrets() throws {
        _ = try requireTool("script")
        let data = fixture.work.file("tty-data")
        let port = try ManagerProcess.freeTCPPort()
        let shown = try Subprocess.run(
            ["script", "-qec", "timeout 5 \(managerBinary) serve --data-dir \(data) --listen 127.0.0.1:\(port)", "/dev/null"],
            environment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"])
        let token = try String(contentsOfFile: data + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(shown.stdout.contains("administrator token:  \(token)"), "\(shown.stdout)")
    }

    @Test("communication failure is judged from each agent's own poll interval, which it reports")
    func agentsOwnInterval() throws {
        let quick = try VendorManager(extraArguments: [
            "--config", try fixture.work.write("quick.toml", "[manager]\npoll-interval-seconds = 5\ncommunication-failure-after-polls = 1\n"),
        ])
        for (name, interval) in [("hourly", 3600), ("default", nil)] as [(String, Int?)] {
            let tokenBody = try quick.manager.admin.send("POST", quick.manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8)).body
            let token = (try JSONSerialization.jsonObject(with: Data(tokenBody)) as! [String: Any])["token"] as! String
            let enrol = Array(try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "hostname": name]))
            let credential =
                (try JSONSerialization.jsonObject(with: Data(try HTTPClient().send("POST", quick.manager.url + "/api/v1/enrol", body: enrol).body))
                as! [String: Any])["credential"] as! String
            var report = AgentReport(
                sequence: 1,
                identity: .init(
                    model: "Express5800/R120h-1M", os: OSIdentity(id: "debian", versionID: "12"),
                    hostname: name, bootID: "b1", agentVersion: "test"),
                modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: "2.15", source: "ipmi")])
            report.pollIntervalSeconds = interval
            #expect(
                try HTTPClient.bearer(credential).send(
                    "POST", quick.manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report))
                ).status == 200)
        }
        func status(_ name: String) throws -> String? {
            let body = try quick.manager.admin.get(quick.manager.url + "/api/v1/servers/\(name)", maxBytes: 1 << 20).body
            return (try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["status"] as? String
        }
        try eventually("the agent that did not say its interval misses the manager's default", seconds: 20, interval: 0.5) {
            try status("default") == "communication-failure"
        }
        #expect(try status("hourly") != "communication-failure", "an hourly agent is not flagged after seconds")
    }
}
