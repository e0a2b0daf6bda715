import Dispatch
import ExupCore
import ExupFormats
import Hummingbird
import Manager
import ManagerHTTP
import Repository
import Synchronization
import TUF

/// Request counts and latencies per route, kept in memory since start (Prometheus counters and a
/// histogram). Routes are the router's templates (`/api/v1/servers/{name}`), so ids never multiply series.
package final class RequestMetrics: Sendable {
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Key: Hashable { var route: String; var method: String; var status: Int }
    struct Timing { var counts = [Int](repeating: 0, count: RequestMetrics.buckets.count); var sum = 0.0; var count = 0 }

    let requests = Mutex([Key: Int]())
    let timings = Mutex([String: Timing]())

    package init() {}

    func record(route: String, method: String, status: Int, seconds: Double) {
        requests.withLock { $0[Key(route: route, method: method, status: status), default: 0] += 1 }
        timings.withLock { all in
            var timing = all[route] ?? Timing()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { timing.counts[index] += 1 }
            timing.sum += seconds
            timing.count += 1
            all[route] = timing
        }
    }

    func text() -> String {
        var out = "# HELP exup_http_requests_total HTTP requests answered, by route template, method and status.\n"
        out += "# TYPE exup_http_requests_total counter\n"
        for (key, count) in requests.withLock({ $0 }).sorted(by: {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }) {
            out += "exup_http_requests_total{route=\"\(Self.escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP exup_http_request_duration_seconds Time to answer, by route template.\n"
        out += "# TYPE exup_http_request_duration_seconds histogram\n"
        for (route, timing) in timings.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            let label = "route=\"\(Self.escape(route))\""
            for (index, bound) in Self.buckets.enumerated() {
                out += "exup_http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(timing.counts[index])\n"
            }
            out += "exup_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(timing.count)\n"
            out += "exup_http_request_duration_seconds_sum{\(label)} \(timing.sum)\n"
            out += "exup_http_request_duration_seconds_count{\(label)} \(timing.count)\n"
        }
        return out
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Times every request and records it under its route template.
package struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RequestMetrics

    package init(metrics: RequestMetrics) { self.metrics = metrics }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        func done(_ status: Int) {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            metrics.record(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status, seconds: seconds)
        }
        do {
            let response = try await next(request, context)
            done(Int(response.status.code))
            return response
        } catch {
            done(Int((error as? any HTTPResponseError)?.status.code ?? 500))
            throw error
        }
    }
}

/// `GET /metrics` (Prometheus text format 0.0.4): the fleet, approvals, applies, syncs and the HTTP
/// server itself. Protected like the rest of the API (a user session or the administrator token).
package struct MetricsRoute: Sendable {
    let manager: ManagerService
    let sync: UpstreamSync?
    let requests: RequestMetrics
    let authenticator: Authenticator

    package func register(on router: Router<ManagerRequestContext>) {
        router.get("/metrics") { request, _ in
            try self.authenticator.require(request, .read)
            let body = try await self.text()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    func text() async throws -> String {
        var out = "# HELP exup_servers Managed servers by status.\n# TYPE exup_servers gauge\n"
        var byStatus: [String: Int] = Dictionary(uniqueKeysWithValues: ServerStatus.allCases.map { ($0.rawValue, 0) })
        for server in try await manager.statuses.servers() { byStatus[server.status.rawValue, default: 0] += 1 }
        for (status, count) in byStatus.sorted(by: { $0.key < $1.key }) { out += "exup_servers{status=\"\(status)\"} \(count)\n" }
        let items = try await manager.statuses.itemCounts()
        out += "# HELP exup_approvals_pending Approved items not finished (pending, downloading or started).\n# TYPE exup_approvals_pending gauge\n"
        out += "exup_approvals_pending \(items.filter { ["pending", "downloading", "started"].contains($0.key) }.values.reduce(0, +))\n"
        out += "# HELP exup_apply_items_total Approved items that ended, by result.\n# TYPE exup_apply_items_total counter\n"
        for result in ["succeeded", "failed", "cancelled", "reboot-required"] {
            out += "exup_apply_items_total{result=\"\(result)\"} \(items[result] ?? 0)\n"
        }
        if let sync {
            let runs = sync.runCounts
            out += "# HELP exup_sync_runs_total Upstream syncs since the manager started, by result.\n# TYPE exup_sync_runs_total counter\n"
            for result in ["succeeded", "failed", "cancelled"] { out += "exup_sync_runs_total{result=\"\(result)\"} \(runs[result] ?? 0)\n" }
            if let last = sync.status.lastSuccess.flatMap({ UTCTime($0)?.seconds }) {
                out +=
                    "# HELP exup_sync_last_success_timestamp_seconds When the last sync succeeded.\n# TYPE exup_sync_last_success_timestamp_seconds gauge\n"
                out += "exup_sync_last_success_timestamp_seconds \(last)\n"
            }
        }
        return out + requests.text()
    }

    package init(manager: ManagerService, sync: UpstreamSync?, requests: RequestMetrics, authenticator: Authenticator) {
        self.manager = manager
        self.sync = sync
        self.requests = requests
        self.authenticator = authenticator
    }
}
