import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Export archives hold whole packages: they need the apply permission, are bounded by a quota, expire,
/// and are found again (or removed) after a restart; interrupted uploads and exports are cleaned at start.
@Suite(.serialized) final class ExportLimitsTests {
    let fixture: VendorManager
    let configDirectory: TemporaryDirectory
    var manager: ManagerProcess { fixture.manager }

    init() throws {
        configDirectory = try TemporaryDirectory()
        let config = try configDirectory.write("manager.toml", "[server]\nexport-quota-mib = 3\nexport-expiry-hours = 1\n")
        fixture = try VendorManager(extraArguments: ["--config", config])
    }

    /// A package of about `mib` MiB (random, so it does not shrink).
    func add(_ id: String, mib: Int) throws {
        var info = InfoXML()
        info.id = id
        info.version = String(id.split(separator: "-").last!)
        let payload = (0..<(mib << 20)).map { _ in UInt8.random(in: 0...255) }
        let file = try HandPackage(
            info: info.bytes, payload: [("payload/apply.sh", Array("#!/bin/sh\nexit 0\n".utf8)), ("payload/image.bin", payload)]
        )
        .write(to: fixture.work, name: "\(id).zip", signedWith: fixture.vendor.key)
        let added = try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=\(id).zip", file: file)
        try #require(added.status == 201, "\(String(decoding: added.body, as: UTF8.self))")
    }

    func call(_ client: HTTPClient, _ method: String, _ path: String, _ body: Any? = nil) throws -> (Int, [String: Any]) {
        let response =
            method == "GET"
            ? try client.get(manager.url + path, maxBytes: 1 << 20)
            : try client.send(method, manager.url + path, body: try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? [])
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:])
    }

    func waitDone(_ id: String) throws {
        try eventually("export \(id) finishes") {
            let state = try call(manager.admin, "GET", "/api/v1/repository/exports/\(id)").1
            if state["state"] as? String == "failed" { throw TestFailure("export failed: \(state)") }
            return state["state"] as? String == "done"
        }
    }

    @Test("a viewer cannot export, save, read or remove archives; an operator can")
    func applyPermission() throws {
        try add("bmc-2.31", mib: 0)
        func session(_ name: String, _ role: String) throws -> HTTPClient {
            #expect(try call(manager.admin, "POST", "/api/v1/users", ["name": name, "role": role, "password": "\(name)-password"]).0 == 201)
            let login = try call(HTTPClient(), "POST", "/api/v1/login", ["username": name, "password": "\(name)-password"])
            return HTTPClient.bearer(login.1["token"] as! String)
        }
        let viewer = try session("vic", "viewer"), operatorClient = try session("otto", "operator")
        let (started, job) = try call(operatorClient, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.31"]])
        #expect(started == 202)
        let id = try #require(job["id"] as? String)
        try waitDone(id)
        #expect(try call(viewer, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.31"]]).0 == 403)
        #expect(try call(viewer, "GET", "/api/v1/repository/exports/\(id)").0 == 403)
        #expect(try viewer.get(manager.url + "/api/v1/repository/exports/\(id)/archive", maxBytes: 1 << 20).status == 403)
        #expect(try call(viewer, "DELETE", "/api/v1/repository/exports/\(id)").0 == 403)
        #expect(try call(viewer, "POST", "/api/v1/servers/web01/save", ["modules": ["sdr"]]).0 == 403)
        #expect(try operatorClient.get(manager.url + "/api/v1/repository/exports/\(id)/archive", maxBytes: 1 << 20).status == 200)
    }

    @Test("the quota: an archive that would not fit is refused before it starts, and fits once a finished one is removed")
    func quota() throws {
        try add("bmc-2.31", mib: 2)
        try add("bmc-2.40", mib: 2)
        let (first, job) = try call(manager.admin, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.31"]])
        #expect(first == 202)
        let id = try #require(job["id"] as? String)
        try waitDone(id)
        let (refused, answer) = try call(manager.admin, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.40"]])
        #expect(refused == 409)
        let error = answer["error"] as? [String: Any]
        #expect(error?["code"] as? String == "export-quota" && (error?["message"] as? String ?? "").contains("3-MiB export quota"), "\(answer)")
        #expect(try call(manager.admin, "DELETE", "/api/v1/repository/exports/\(id)").0 == 200)
        #expect(try call(manager.admin, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.40"]]).0 == 202)
    }

    @Test("after a restart: a finished archive is served until it expires, an expired one and leftovers are removed")
    func restart() throws {
        try add("bmc-2.31", mib: 0)
        let (_, job) = try call(manager.admin, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.31"]])
        let id = try #require(job["id"] as? String)
        try waitDone(id)
        let (_, second) = try call(manager.admin, "POST", "/api/v1/repository/exports", ["ids": ["bmc-2.31"]])
        let old = try #require(second["id"] as? String)
        try waitDone(old)
        manager.stop()
        let exports = manager.data.file("exports")
        // The second archive was finished two hours ago (the expiry is one hour); a stop left a partial one
        // and an upload half received.
        let twoHoursAgo = timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)
        #expect(utimensat(AT_FDCWD, exports + "/\(old).zip", [twoHoursAgo, twoHoursAgo], 0) == 0)
        _ = try manager.data.write("exports/abandoned.zip.partial", "half an archive")
        _ = try manager.data.write("incoming/upload.part", "half an upload")
        try manager.start()
        let (status, found) = try call(manager.admin, "GET", "/api/v1/repository/exports/\(id)")
        #expect(status == 200 && found["state"] as? String == "done" && found["expiresAt"] is String, "\(found)")
        #expect(try manager.admin.get(manager.url + "/api/v1/repository/exports/\(id)/archive", maxBytes: 1 << 20).status == 200)
        #expect(try call(manager.admin, "GET", "/api/v1/repository/exports/\(old)").0 == 404, "expired while the manager was down")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: exports)) == ["\(id).zip"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: manager.data.file("incoming")).isEmpty)
    }
}
