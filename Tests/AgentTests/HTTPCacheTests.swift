import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// Packages through an ordinary HTTP cache: the shipped nginx example in front of the manager. The
/// second agent's download of the same package is a cache hit, and both agents verify and apply it.
@Suite(.serialized) final class HTTPCacheTests {
    let fleet: TestFleet
    var manager: ManagerProcess { fleet.manager }

    init() throws { fleet = try TestFleet() }

    @Test("two agents behind nginx: the first download fills the cache, the second is a hit; both verify and apply; no credential, no package")
    func twoAgentsOneDownload() throws {
        try manager.add(try fleet.packages.bmcFirmware("2.31"))
        let example = PythonTools.repositoryRoot(from: #filePath) + "/etc/nginx/exup-cache.conf"
        let cache = try NginxCache(example: example, upstream: manager.port)
        defer { cache.stop() }
        let servers = try ["web01", "web02"].map {
            try ManagedServer(name: $0, manager: manager, vendor: fleet.vendor, managerURL: cache.url)
        }
        for server in servers { try server.runOnce() }
        for server in servers {
            let items = try manager.approve(server.name, ["bmc-firmware"])
            let outcome = try server.runOnce()
            let state = (outcome["items"] as? [[String: Any]] ?? []).first { ($0["itemID"] as? NSNumber)?.int64Value == items["bmc-firmware"] }
            #expect(state?["state"] as? String == "succeeded", "\(server.name): \(outcome)")
            #expect(try manager.module(server.name, "bmc-firmware")["current"] as? String == "2.31")
        }
        let downloads = cache.accessLog.split(separator: "\n").filter { $0.hasPrefix("/repo/v1/targets/") && $0.contains(" 200 ") }
        #expect(downloads.map { $0.split(separator: " ").last.map(String.init) } == ["MISS", "HIT"], "\(cache.accessLog)")

        let path = String(try #require(downloads.first?.split(separator: " ").first))
        let anonymous = try HTTPClient().get(cache.url + path, maxBytes: 1 << 20)
        #expect(anonymous.status == 401, "the cache asks the manager about the credential first")
        let direct = try manager.admin.get(manager.url + path, maxBytes: 64 << 20)
        #expect(direct.headers["cache-control"] == "public, max-age=31536000, immutable")
        let etag = try #require(direct.headers["etag"])
        #expect(etag.count == 66 && path.contains(etag.dropFirst().dropLast()), "the SHA-256 the name starts with: \(etag)")
        let again = try manager.admin.get(manager.url + path, headers: ["If-None-Match": etag], maxBytes: 1 << 20)
        #expect(again.status == 304 && again.body.isEmpty)
    }
}
