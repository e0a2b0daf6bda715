import ExupCore
import Foundation
import Transport

/// A manager process on loopback with a test vendor whose key it trusts: where most manager-level tests
/// start. Stopped when the value goes away.
public final class VendorManager: @unchecked Sendable {
    public let manager: ManagerProcess
    public let work: TemporaryDirectory
    public let vendor: TestVendor

    public init(extraArguments: [String] = []) throws {
        manager = try ManagerProcess(extraArguments: extraArguments)
        work = try TemporaryDirectory()
        vendor = try TestVendor(in: work)
        try manager.trust(vendor)
    }

    deinit { manager.stop() }
}

extension VendorManager {
    /// A server `name` whose scripted agent enrolled and reported BMC `current`, with bmc-2.31 in the
    /// repository (so there is something to approve). Returns the agent's credential.
    @discardableResult
    public func serverWithUpdate(_ name: String = "web01", current: String = "2.15", extraModules: [ModuleReading] = []) throws -> String {
        if try manager.admin.get(manager.url + "/api/v1/repository/packages/bmc-2.31", maxBytes: 1 << 20).status == 404 {
            var info = InfoXML()
            info.id = "bmc-2.31"
            let file = try HandPackage(info: info.bytes).write(to: work, name: "bmc-2.31.zip", signedWith: vendor.key)
            let added = try manager.admin.post(manager.url + "/api/v1/repository/packages?mode=all&name=bmc-2.31.zip", file: file)
            guard added.status == 201 else { throw TestFailure("adding bmc-2.31: \(String(decoding: added.body, as: UTF8.self))") }
        }
        let tokenBody = try manager.admin.send("POST", manager.url + "/api/v1/agents/tokens", body: Array("{}".utf8)).body
        let token = (try JSONSerialization.jsonObject(with: Data(tokenBody)) as! [String: Any])["token"] as! String
        let enrol = Array(try JSONSerialization.data(withJSONObject: ["token": token, "name": name, "hostname": name]))
        let enrolled = try JSONSerialization.jsonObject(with: Data(try HTTPClient().send("POST", manager.url + "/api/v1/enrol", body: enrol).body))
        let credential = (enrolled as! [String: Any])["credential"] as! String
        let report = AgentReport(
            sequence: 1,
            identity: .init(
                model: "Express5800/R120h-1M", os: OSIdentity(id: "debian", versionID: "12"),
                hostname: name, bootID: "b1", agentVersion: "test"),
            modules: [ModuleReading(id: "bmc-firmware", name: "BMC firmware", version: current, source: "ipmi")] + extraModules)
        let sent = try HTTPClient.bearer(credential).send("POST", manager.url + "/api/v1/agent/report", body: Array(try JSONEncoder().encode(report)))
        guard sent.status == 200 else { throw TestFailure("report from \(name): HTTP \(sent.status)") }
        return credential
    }
}
