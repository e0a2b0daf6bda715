import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// The seed's DMZ layout for real (§1.3, Figs. 4–5): a vendor feed, a DMZ repository that alone reaches
/// it and manages no server of its own, and an internal manager using the DMZ's repository remotely,
/// whose agent knows only the internal manager's address.
@Suite(.serialized) final class RemoteRepositoryTests {
    let fleet: TestFleet
    var feed: ManagerProcess { fleet.manager }
    var managers: [ManagerProcess] = []

    init() throws { fleet = try TestFleet() }

    deinit { for manager in managers { manager.stop() } }

    func start(_ config: String) throws -> ManagerProcess {
        let file = try fleet.dir.write("manager-\(managers.count).toml", config)
        let manager = try ManagerProcess(extraArguments: ["--config", file])
        managers.append(manager)
        return manager
    }

    func logEntries(_ manager: ManagerProcess) throws -> [[String: Any]] {
        let body = try manager.admin.get(manager.url + "/api/v1/log", maxBytes: 16 << 20).body
        return (try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]]) ?? []
    }

    @Test("feed → DMZ (sync) → internal manager (remote mode): presence, download now forwarded, the agent applies through its manager")
    func dmzLayout() throws {
        try feed.add(try fleet.packages.bmcFirmware("2.31"))
        let dmz = try start(
            """
            [repository.upstream]
            url = "\(feed.url)"
            password = "\(feed.repositoryPassword)"
            sync-interval = 0
            """)
        try dmz.trust(fleet.vendor)
        let internalManager = try start(
            """
            [repository.remote]
            url = "\(dmz.url)"
            password = "\(dmz.repositoryPassword)"
            name = "internal-1"
            """)
        #expect(try logEntries(internalManager).contains { $0["code"] as? String == "N16" }, "the remote setting was checked at start")

        // The agent enrols with the internal manager; the root it pins is the DMZ repository's.
        let web01 = try ManagedServer(name: "web01", manager: internalManager, vendor: fleet.vendor)
        try web01.runOnce()
        let pinned = try Data(contentsOf: URL(fileURLWithPath: web01.dir.file("state/metadata/root.json")))
        let dmzRoot = try dmz.admin.get(dmz.url + "/api/v1/repository/root", maxBytes: 1 << 20).body
        #expect([UInt8](pinned) == dmzRoot, "the agent trusts the repository's keys, not the internal manager's")
        try eventually("the DMZ learns what the internal manager's servers need") {
            try logEntries(dmz).contains { $0["code"] as? String == "X06" && $0["actor"] as? String == "internal-1" }
        }

        // "Download now" on the internal manager makes the DMZ download, for the internal manager's model (R098, R011).
        let started = try internalManager.admin.send("POST", internalManager.url + "/api/v1/repository/sync", body: Array("{}".utf8))
        #expect(started.status == 202, "\(String(decoding: started.body, as: UTF8.self))")
        try eventually("the DMZ's sync ends") {
            (try? internalManager.json("/api/v1/repository/sync"))?["state"] as? String == "succeeded"
        }
        let dmzLog = try logEntries(dmz)
        #expect(
            dmzLog.contains { $0["code"] as? String == "N20" && $0["actor"] as? String == "internal-1" },
            "started on behalf of another manager (R100)")
        #expect(dmzLog.contains { $0["code"] as? String == "N21" })
        try eventually("the internal manager sees the package") {
            try internalManager.module("web01", "bmc-firmware")["status"] as? String == "update-available"
        }

        // Approve on the internal manager; the agent downloads through it (the package is fetched from the DMZ once).
        let items = try internalManager.approve("web01", ["bmc-firmware"])
        let outcome = try web01.runOnce()
        let state = (outcome["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == items["bmc-firmware"] }
        #expect(state?["state"] as? String == "succeeded", "\(outcome)")
        #expect(web01.runOrder == ["bmc-2.31"])
        let mirrored = try FileManager.default.contentsOfDirectory(atPath: internalManager.data.file("remote/mirror/targets"))
        #expect(mirrored.count == 1 && mirrored[0].hasSuffix(".zip"), "a copy is kept by the internal manager: \(mirrored)")

        // An agent's target path is never passed on as it is: only names the verified metadata lists are
        // fetched (or served), whatever digest they carry.
        let digest = String(mirrored[0].dropLast(4))
        let agent = HTTPClient.bearer(
            try String(contentsOfFile: web01.dir.file("state/credential"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        for path in [
            "\(ModelSlug.role(for: "Express5800/T110k-S"))/\(digest).bmc-2.31.zip", "models/../../api/v1/\(digest).bmc-2.31.zip",
            "models/x/\(digest).made-up.zip",
        ] {
            let answer = try agent.get(internalManager.url + "/repo/v1/targets/" + path, maxBytes: 1 << 20)
            #expect(answer.status == 404, "\(path): HTTP \(answer.status)")
        }
        let listed = try agent.get(
            internalManager.url + "/repo/v1/targets/\(ModelSlug.role(for: "Express5800/R120h-1M"))/\(digest).bmc-2.31.zip", maxBytes: 1 << 20)
        #expect(listed.status == 200, "the listed name is served: HTTP \(listed.status)")

        // Made-up names cost the remote at most one refresh per 30 s, and metadata names outside the
        // repository's roles are never passed on.
        func remoteMetadataRequests() throws -> Int {
            let text = String(decoding: try dmz.admin.get(dmz.url + "/metrics", maxBytes: 4 << 20).body, as: UTF8.self)
            return text.split(separator: "\n").filter { $0.hasPrefix("exup_http_requests_total{") && $0.contains("metadata") }
                .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        let before = try remoteMetadataRequests()
        for index in 0..<10 {
            let made = "models/x/\(String(repeating: String(index), count: 64)).made-up.zip"
            #expect(try agent.get(internalManager.url + "/repo/v1/targets/" + made, maxBytes: 1 << 20).status == 404)
        }
        for name in ["a1/b.json", "1.a1/b.json", "models/x/y.json", "api.json"] {
            #expect(try agent.get(internalManager.url + "/repo/v1/metadata/" + name, maxBytes: 1 << 20).status == 404, "\(name)")
        }
        let after = try remoteMetadataRequests()
        #expect(after - before <= 4, "ten made-up names and four made-up roles: \(after - before) metadata requests reached the remote")

        // Deleting: the DMZ refuses a package another manager uses (normal mode); the internal manager cannot delete at all (R126).
        let body = Array(try JSONSerialization.data(withJSONObject: ["ids": ["bmc-2.31"]]))
        let atDMZ = try JSONSerialization.jsonObject(
            with: Data(try dmz.admin.send("POST", dmz.url + "/api/v1/repository/packages/delete", body: body).body))
        #expect((atDMZ as? [[String: Any]])?.first?["code"] as? String == "in-use-by-another-manager")
        let atInternal = try JSONSerialization.jsonObject(
            with: Data(
                try internalManager.admin.send(
                    "POST", internalManager.url + "/api/v1/repository/packages/delete",
                    body: body
                ).body))
        #expect((atInternal as? [[String: Any]])?.first?["code"] as? String == "remote-repository")
        let settings = try internalManager.json("/api/v1/repository/settings")
        #expect(settings["remote"] as? String == dmz.url && settings["remoteVersion"] as? String != nil && settings["warning"] == nil, "\(settings)")
    }

    @Test("download now in remote mode: the remote's refusal is passed on (409), a remote that refuses this manager is a bad gateway (502)")
    func downloadNowRefusals() throws {
        let internalManager = try start(
            """
            [repository.remote]
            url = "\(feed.url)"
            password = "\(feed.repositoryPassword)"
            """)
        // The feed has no upstream of its own: its 409 no-upstream reaches the administrator, not a 500.
        let refused = try internalManager.admin.send("POST", internalManager.url + "/api/v1/repository/sync", body: Array("{}".utf8))
        #expect(refused.status == 409 && String(decoding: refused.body, as: UTF8.self).contains("no-upstream"), "\(refused.status)")
        let locked = try start(
            """
            [repository.remote]
            url = "\(feed.url)"
            password = "wrong"
            """)
        for (method, body) in [("POST", Array("{}".utf8)), ("GET", [])] {
            let answer =
                method == "GET"
                ? try locked.admin.get(locked.url + "/api/v1/repository/sync", maxBytes: 1 << 20)
                : try locked.admin.send(method, locked.url + "/api/v1/repository/sync", body: body)
            #expect(answer.status == 502 && String(decoding: answer.body, as: UTF8.self).contains("remote-repository"), "\(method) \(answer.status)")
        }
    }

    @Test("a wrong password for the remote repository: logged and kept, or refused at start when on-check-failure = refuse")
    func wrongPassword() throws {
        let kept = try start(
            """
            [repository.remote]
            url = "\(feed.url)"
            password = "wrong"
            """)
        #expect(
            try logEntries(kept).contains {
                $0["code"] as? String == "E13" && ($0["cause"] as? String ?? "").contains("refused the repository password")
            })
        let check = try kept.admin.send("POST", kept.url + "/api/v1/repository/settings/check", body: [])
        #expect(String(decoding: check.body, as: UTF8.self).contains("refused the repository password"))

        let config = try fleet.dir.write(
            "refuse.toml", "[repository.remote]\nurl = \"\(feed.url)\"\npassword = \"wrong\"\non-check-failure = \"refuse\"\n")
        let refused = try Subprocess.run([
            BuiltProducts.path("exup-manager"), "serve", "--config", config, "--data-dir", fleet.dir.file("refused-data"),
            "--listen", "127.0.0.1:0",
        ])
        #expect(
            refused.status != 0 && refused.stderr.contains("refused the repository password") && refused.stderr.contains("not starting"),
            "\(refused.stderr)")
    }
}
