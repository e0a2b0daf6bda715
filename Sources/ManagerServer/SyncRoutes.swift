import ExupCore
import FoundationEssentials
import Hummingbird
import Repository
import Transport

/// `/api/v1/repository/sync` and `/api/v1/repository/settings`: the upstream sync (seed §3.4.2 "Download
/// update packages", R093–R106) and the repository settings it reads.
struct SyncRoutes: Sendable {
    let sync: UpstreamSync?
    let settings: RepositorySettingsCheck?
    let authenticator: Authenticator

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/v1/repository/sync") { request, _ in
            let principal = try self.require(request)
            let sync = try self.configured()
            guard let status = sync.start(actor: principal.name) else {
                throw APIError(.conflict, "sync-running", "a repository update is already running; follow it with GET /api/v1/repository/sync")
            }
            return try Response.json(status, status: .accepted)
        }
        router.get("/api/v1/repository/sync") { request, _ in
            try self.require(request)
            return try Response.json(self.sync?.status ?? SyncStatus())
        }
        router.post("/api/v1/repository/sync/cancel") { request, _ in
            let principal = try self.require(request)
            guard try self.configured().cancel(actor: principal.name) else {
                throw APIError(.conflict, "sync-not-running", "no repository update is running")
            }
            return try Response.json(["cancelling": true])
        }
        router.get("/api/v1/repository/settings") { request, _ in
            try self.require(request)
            return try Response.json(RepositorySettingsView(sync?.settings, status: sync?.status))
        }
        router.post("/api/v1/repository/settings/check") { request, _ in
            let principal = try self.require(request)
            guard let settings else { throw APIError(.conflict, "no-upstream", "no [repository.upstream] url is configured") }
            return try Response.json(await settings.run(actor: principal.name))
        }
    }

    @discardableResult
    func require(_ request: Request) throws -> Principal {
        guard let principal = authenticator.principal(authorization: request.headers[.authorization]) else { throw APIError.unauthenticated }
        guard principal == .administrator else { throw APIError.forbidden("this endpoint") }
        return principal
    }

    func configured() throws -> UpstreamSync {
        guard let sync else {
            throw APIError(.conflict, "no-upstream", "this repository has no upstream: set url in [repository.upstream] of manager.toml")
        }
        return sync
    }
}

/// The settings as `GET /api/v1/repository/settings` shows them: passwords never leave the server.
struct RepositorySettingsView: Codable {
    struct Proxy: Codable {
        var host: String
        var port: Int
        var username: String?
        var auth: String
    }

    var upstream: String?
    /// The address in use when a permanent redirect moved it (R099; shown, not edited: R146).
    var upstreamInUse: String?
    var syncIntervalHours: Int?
    var syncTime: String?
    var proxy: Proxy?
    var lastSuccess: String?
    var nextScheduled: String?

    init(_ settings: UpstreamSettings?, status: SyncStatus?) {
        upstream = settings?.url
        upstreamInUse = status?.upstream
        if let schedule = settings?.schedule {
            syncIntervalHours = schedule.intervalHours
            syncTime = String(format2: schedule.minuteOfDay / 60) + ":" + String(format2: schedule.minuteOfDay % 60)
        }
        proxy = settings?.proxy.map { Proxy(host: $0.host, port: $0.port, username: $0.username, auth: $0.authentication.rawValue) }
        lastSuccess = status?.lastSuccess
        nextScheduled = status?.nextScheduled
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
