import ExupCore
import ExupTesting
import Foundation
import Testing
import Transport

/// `GET /metrics`: Prometheus text a scraper can read, protected like the API.
@Suite(.serialized) final class MetricsTests {
    let fixture: VendorManager
    var manager: ManagerProcess { fixture.manager }

    init() throws { fixture = try VendorManager() }

    func metrics() throws -> String {
        let response = try manager.admin.get(manager.url + "/metrics", maxBytes: 4 << 20)
        #expect(response.status == 200 && response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The value of one sample line, by its name and labels exactly as printed.
    func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test("servers by status, approvals pending and ended, requests by route template with a latency histogram")
    func exposition() throws {
        try fixture.serverWithUpdate("web01")
        try fixture.serverWithUpdate("web02", current: "2.31")
        var text = try metrics()
        #expect(value(text, "exup_servers{status=\"update-available\"}") == 1 && value(text, "exup_servers{status=\"latest\"}") == 1, "\(text)")
        #expect(value(text, "exup_approvals_pending") == 0)
        let approve = try manager.admin.send("POST", manager.url + "/api/v1/servers/web01/approve", body: Array("{}".utf8))
        #expect(approve.status == 201)
        _ = try manager.admin.send("POST", manager.url + "/api/v1/servers/web01/cancel", body: [])
        text = try metrics()
        #expect(value(text, "exup_apply_items_total{result=\"cancelled\"}") == 1, "\(text)")
        #expect(
            value(text, "exup_http_requests_total{route=\"/api/v1/servers/{name}/approve\",method=\"POST\",status=\"201\"}") == 1,
            "ids do not multiply series: \(text)")
        let count = value(text, "exup_http_request_duration_seconds_count{route=\"/api/v1/servers/{name}/approve\"}")
        let inf = value(text, "exup_http_request_duration_seconds_bucket{route=\"/api/v1/servers/{name}/approve\",le=\"+Inf\"}")
        #expect(count == 1 && inf == 1)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2 && Double(line.split(separator: " ")[1]) != nil, "every sample is NAME VALUE: \(line)")
        }
        #expect(try HTTPClient().get(manager.url + "/metrics", maxBytes: 1 << 20).status == 401, "protected like the API")
    }
}
