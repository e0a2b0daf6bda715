import ExupCore
import ExupTesting
import Foundation
import Synchronization
import Testing
import Transport

/// No one exhausts the manager: login guessing is throttled per source and per (source, user) and logged
/// sparingly, a login flood is refused by the bounded hashing pool instead of queueing without end, token
/// guessing is throttled, slow clients are cut off, and one address holds a bounded number of connections.
/// Sources other than 127.0.0.1 are X-Forwarded-For values from a configured trusted proxy (this host):
/// headers only, no traffic goes anywhere but loopback.
@Suite(.serialized) final class AbuseTests {
    let configDirectory: TemporaryDirectory
    var managers: [ManagerProcess] = []

    init() throws { configDirectory = try TemporaryDirectory() }

    deinit { for manager in managers { manager.stop() } }

    func start(_ config: String) throws -> ManagerProcess {
        let file = try configDirectory.write("manager-\(managers.count).toml", config)
        let manager = try ManagerProcess(extraArguments: ["--config", file])
        managers.append(manager)
        return manager
    }

    func adminPassword(_ manager: ManagerProcess) throws -> String {
        try String(contentsOfFile: manager.data.file("admin.password"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func login(_ manager: ManagerProcess, _ user: String, _ password: String, from source: String? = nil) throws -> HTTPClient.Response {
        try Self.login(manager, user, password, from: source)
    }

    static func login(_ manager: ManagerProcess, _ user: String, _ password: String, from source: String? = nil) throws -> HTTPClient.Response {
        try HTTPClient().send(
            "POST", manager.url + "/api/v1/login", body: Array(try JSONSerialization.data(withJSONObject: ["username": user, "password": password])),
            headers: source.map { ["X-Forwarded-For": $0] } ?? [:])
    }

    func log(_ manager: ManagerProcess, _ grep: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + "/api/v1/log?grep=\(grep)", maxBytes: 16 << 20).body))
            as? [[String: Any]] ?? []
    }

    @Test("guessing from one source slows that source only: the owner logs in from elsewhere; failures are logged a few rows, not one each")
    func perSourceThrottle() throws {
        let manager = try start("[server]\ntrusted-proxies = [\"127.0.0.1\"]\n")
        let password = try adminPassword(manager)
        var statuses: [Int] = []
        for _ in 0..<12 { statuses.append(try login(manager, "admin", "a wrong guess", from: "198.51.100.7").status) }
        #expect(statuses.prefix(5).allSatisfy { $0 == 401 } && statuses.dropFirst(5).allSatisfy { $0 == 429 }, "\(statuses)")
        #expect(try login(manager, "admin", password, from: "198.51.100.7").status == 429, "the guessing source waits, even with the right password")
        #expect(try login(manager, "admin", password, from: "203.0.113.9").status == 200, "the owner, elsewhere, is not locked out")
        #expect(
            try login(manager, "admin", password, from: "198.51.100.7, 203.0.113.9").status == 200,
            "the nearest untrusted hop is the source, so an attacker cannot pick one by prepending addresses")
        let rows = try log(manager, "198.51.100.7")
        #expect(rows.count == 4, "12 attempts, 4 rows (failures 1, 2, 4 and the fifth, which starts the wait): \(rows.map { $0["cause"] ?? "" })")
        #expect(rows.contains { ($0["cause"] as? String ?? "").contains("too many failed logins: logins of admin from 198.51.100.7 wait") })
    }

    @Test("a burst of parallel guesses is counted before any is checked: at most five passwords are tried, the rest wait or are refused")
    func parallelGuesses() throws {
        let manager = try start("[server]\ntrusted-proxies = [\"127.0.0.1\"]\n")
        let codes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let response = try? Self.login(manager, "admin", "guess number \(index)", from: "198.51.100.44")
            let code =
                response.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }
                .flatMap { ($0["error"] as? [String: Any])?["code"] as? String } ?? "no answer"
            codes.withLock { $0.append(code) }
        }
        let all = codes.withLock { $0 }
        let checked = all.filter { $0 == "wrong-credentials" }.count
        #expect(checked <= 5, "\(checked) passwords were checked in a burst of 40: \(all)")
        #expect(all.allSatisfy { ["wrong-credentials", "too-many-failures", "busy"].contains($0) }, "\(all)")
        #expect(try login(manager, "admin", try adminPassword(manager), from: "198.51.100.44").status == 429, "the burst's source waits")
    }

    @Test("without trusted proxies X-Forwarded-For is ignored: a client cannot pick its source")
    func forwardedForIgnored() throws {
        let manager = try start("")
        for index in 0..<5 { #expect(try login(manager, "admin", "a wrong guess", from: "192.0.2.\(index)").status == 401) }
        #expect(try login(manager, "admin", try adminPassword(manager), from: "192.0.2.200").status == 429)
    }

    @Test(
        "unauthenticated input is small: a 16 KiB login body, a 1,025-character password and a 200-byte user name are refused before anything is hashed or logged"
    )
    func smallLogins() throws {
        let manager = try start("")
        let big = try HTTPClient().send(
            "POST", manager.url + "/api/v1/login",
            body: Array(try JSONSerialization.data(withJSONObject: ["username": "admin", "password": String(repeating: "p", count: 16384)])))
        #expect(big.status == 413)
        #expect(
            try login(manager, "admin", String(repeating: "é", count: 1025)).status == 400, "characters are counted, as the API document counts them")
        let longName = String(repeating: "n", count: 200)
        #expect(try login(manager, longName, "whatever-password").status == 400)
        #expect(try log(manager, "nnnnnnnnnn").isEmpty, "nothing logged for it")
    }

    @Test("a login flood: the bounded hashing pool refuses what it cannot queue (429 busy); credentialed requests answer throughout")
    func loginFlood() throws {
        let manager = try start("[server]\ntrusted-proxies = [\"127.0.0.1\"]\n")
        let statuses = Mutex([Int]())
        let adminAnswers = Mutex([Int]())
        // 160 clients at once, each on a thread of its own.
        let group = DispatchGroup()
        for index in 0..<160 {
            group.enter()
            Thread {
                defer { group.leave() }
                if index % 20 == 0 {
                    let answer = (try? manager.admin.get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).status) ?? -1
                    adminAnswers.withLock { $0.append(answer) }
                }
                // Each attempt from its own source, so no throttle applies: only the pool's bound.
                let status = (try? Self.login(manager, "user\(index)", "a wrong guess", from: "198.18.\(index / 200).\(index % 200)").status) ?? -1
                statuses.withLock { $0.append(status) }
            }.start()
        }
        group.wait()
        let all = statuses.withLock { $0 }
        #expect(all.allSatisfy { $0 == 401 || $0 == 429 }, "\(Set(all))")
        #expect(all.contains(429), "more than the pool queues: some were refused as busy")
        #expect(adminAnswers.withLock { $0 }.allSatisfy { $0 == 200 })
        #expect(try manager.admin.get(manager.url + "/api/v1/servers", maxBytes: 1 << 20).status == 200)
    }

    @Test("guessing enrolment tokens: a source is slowed after ten refused tokens, another source enrols")
    func tokenGuessing() throws {
        let manager = try start("[server]\ntrusted-proxies = [\"127.0.0.1\"]\n")
        let tokenBody = try manager.admin.send("POST", manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8)).body
        let token = (try JSONSerialization.jsonObject(with: Data(tokenBody)) as! [String: Any])["token"] as! String
        func enrol(_ token: String, _ name: String, from source: String) throws -> Int {
            try HTTPClient().send(
                "POST", manager.url + "/api/v1/enrol",
                body: Array(try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "hostname": name])),
                headers: ["X-Forwarded-For": source]
            ).status
        }
        var parts = token.split(separator: ".").map(String.init)  // exup1.SECRET.ROOT-SHA256
        parts[1] = String(repeating: "A", count: parts[1].count)
        let forged = parts.joined(separator: ".")
        for _ in 0..<10 { #expect(try enrol(forged, "intruder", from: "198.51.100.8") == 401) }
        #expect(try enrol(token, "web01", from: "198.51.100.8") == 429, "the guessing source waits")
        #expect(try enrol(token, "web01", from: "203.0.113.10") == 201)
    }

    @Test("a client that never finishes its headers is disconnected after request-timeout-seconds")
    func slowHeaders() throws {
        let manager = try start("[server]\nrequest-timeout-seconds = 2\n")
        let connection = try RawConnection(port: manager.port, timeoutSeconds: 20)
        try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        let (text, closed) = connection.receive()
        #expect(closed, "still open after 20 s: \(text)")
        #expect(try HTTPClient().get(manager.url + "/healthz", maxBytes: 1024).status == 200)
    }

    @Test("one address holds at most connections-per-source connections; the next is closed at once, and admitted again once one ends")
    func connectionLimit() throws {
        let manager = try start("[server]\nconnections-per-source = 3\n")
        // One after the other, each served before the next opens (the server admits them in that order).
        var held: [RawConnection] = []
        for _ in 0..<3 {
            let connection = try RawConnection(port: manager.port, timeoutSeconds: 5)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(connection.receive(headersOnly: true).text.hasPrefix("HTTP/1.1 200"))
            held.append(connection)
        }
        let extra = try RawConnection(port: manager.port, timeoutSeconds: 5)
        try? extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let refused = extra.receive()
        #expect(refused.closed && !refused.text.contains("200 OK"), "\(refused.text)")
        try held[0].send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(held[0].receive(headersOnly: true).text.hasPrefix("HTTP/1.1 200"), "the admitted ones are still served")
        held.removeFirst()
        try eventually("a connection is admitted again once one closed") {
            (try? HTTPClient().get(manager.url + "/healthz", maxBytes: 1024).status) == 200
        }
        withExtendedLifetime(held) {}
    }
}
