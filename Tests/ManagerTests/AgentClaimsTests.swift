import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// An agent's credential changes only what belongs to that agent: the platform it reports (one, replaced
/// at each report), the previous generations it pins (bounded), all dropped when it is revoked.
@Suite(.serialized) final class AgentClaimsTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }

    init() throws { fixture = try VendorManager() }

    func served() throws -> Set<String> {
        let body = try manager.admin.get(manager.url + "/api/v1/repository/platforms", maxBytes: 1 << 20).body
        let rows = try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] ?? []
        return Set(rows.map { "\($0["model"] as? String ?? "")/\($0["os"] as? String ?? "")" })
    }

    func report(_ credential: String, sequence: Int64, model: String, previous: [String: String] = [:]) throws -> Int {
        var report = AgentReport(
            sequence: sequence,
            identity: .init(
                model: model, os: OSIdentity(id: "debian", versionID: "12"),
                hostname: "web01", bootID: "b1", agentVersion: "test"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: "2.15", source: "ipmi")])
        report.previousVersions = previous
        return try HTTPClient.bearer(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report)))
            .status
    }

    @Test("a report replaces the agent's platform: one it no longer runs stops being served; revoking drops the rest")
    func platformFollowsTheAgent() throws {
        let credential = try fixture.serverWithUpdate("web01")
        #expect(try served().contains("Express5800/R120h-1M/debian:12"))
        // The same credential claims, one after the other, many models: only the last is served.
        for (index, model) in ["Fake/One", "Fake/Two", "Fake/Three"].enumerated() {
            #expect(try report(credential, sequence: Int64(2 + index), model: model) == 200)
        }
        let now = try served()
        #expect(
            now.contains("Fake/Three/debian:12") && !now.contains("Fake/One/debian:12") && !now.contains("Fake/Two/debian:12")
                && !now.contains("Express5800/R120h-1M/debian:12"), "\(now)")
        #expect(try manager.admin.send("POST", manager.url + "/api/v1/agents/web01/revoke", body: Array("{}".utf8)).status == 200)
        #expect(!(try served().contains("Fake/Three/debian:12")), "a revoked agent's platform is no longer served")
    }

    @Test("pins are bounded and replaced: 10,000 previous versions pin at most 64; a platform added by hand stays when an agent leaves it")
    func pinsBounded() throws {
        #expect(
            try manager.admin.send(
                "POST", manager.url + "/api/v1/repository/platforms",
                body: Array(#"{"model": "Express5800/R120h-1M", "os": "debian:12"}"#.utf8)
            ).status < 300)
        let credential = try fixture.serverWithUpdate("web01")
        var previous: [String: String] = [:]
        for index in 0..<10_000 { previous["package:p\(index)"] = "1.\(index)" }
        #expect(try report(credential, sequence: 2, model: "Express5800/R120h-1M", previous: previous) == 200)
        let rows = try Subprocess.run([
            "python3", "-c",
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("select count(*) from agent_previous where agent = 'web01'").fetchone()[0])
            """, manager.data.file("catalog.sqlite"),
        ])
        #expect(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "64", "\(rows.stdout)\(rows.stderr)")
        #expect(try report(credential, sequence: 3, model: "Fake/Other") == 200)
        #expect(try served().contains("Express5800/R120h-1M/debian:12"), "added by hand: not the agent's to drop")
    }
}
