import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// A vendor key removed from the manager's trusted keys is revoked everywhere: packages it alone signed are
/// marked, logged, withdrawn from what agents are offered and from approval; putting the key back restores them.
@Suite(.serialized) final class KeyRevocationTests {
    let configDirectory: TemporaryDirectory
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }

    init() throws {
        configDirectory = try TemporaryDirectory()
        let config = try configDirectory.write("manager.toml", "[repository]\nrenew-interval-seconds = 1\n")
        fixture = try VendorManager(extraArguments: ["--config", config])
    }

    func listing() throws -> [String: Any] {
        try JSONSerialization.jsonObject(
            with: Data(try manager.admin.get(manager.url + "/api/v1/repository/packages/bmc-2.31", maxBytes: 1 << 20).body)) as? [String: Any] ?? [:]
    }

    func untrusted() throws -> Bool { (try listing()["indicators"] as? [String: Any])?["untrustedSigner"] as? Bool ?? false }

    func status() throws -> String? {
        let server =
            try JSONSerialization.jsonObject(with: Data(try manager.admin.get(manager.url + "/api/v1/servers/web01", maxBytes: 1 << 20).body))
            as? [String: Any]
        return ((server?["modules"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == "bmc-firmware" }?["status"] as? String
    }

    @Test("key removed: marked, logged, not offered, not approvable; key back: offered again")
    func revokedAndRestored() throws {
        try fixture.serverWithUpdate("web01")
        #expect(try status() == "update-available")
        let keys = try FileManager.default.contentsOfDirectory(atPath: manager.trustedKeys)
        let saved = try TemporaryDirectory()
        for name in keys { try FileManager.default.moveItem(atPath: manager.trustedKeys + "/" + name, toPath: saved.file(name)) }
        try eventually("the manager notices the removed key") { try self.untrusted() }
        #expect(try status() != "update-available", "no longer offered to the server")
        let approve = try manager.admin.send(
            "POST", manager.url + "/api/v1/servers/web01/approve", body: Array(#"{"modules": [{"id": "bmc-firmware"}]}"#.utf8))
        #expect(approve.status >= 400, "nothing to approve: \(String(decoding: approve.body, as: UTF8.self))")
        let log = String(decoding: try manager.admin.get(manager.url + "/api/v1/log?grep=bmc-2.31", maxBytes: 1 << 20).body, as: UTF8.self)
        #expect(log.contains("X31") && log.contains("no trusted key"), "\(log)")
        // The metadata agents read no longer lists it.
        let slug = ModelSlug.role(for: "Express5800/R120h-1M")
        let role = String(
            decoding: try manager.admin.get(
                manager.url + "/repo/v1/metadata/" + slug.replacingOccurrences(of: "/", with: "%2F") + ".json", maxBytes: 1 << 20
            ).body, as: UTF8.self)
        #expect(!role.contains("bmc-2.31"), "\(role)")

        for name in keys { try FileManager.default.moveItem(atPath: saved.file(name), toPath: manager.trustedKeys + "/" + name) }
        try eventually("the manager notices the key is back") { try !self.untrusted() }
        #expect(try status() == "update-available")
    }
}
