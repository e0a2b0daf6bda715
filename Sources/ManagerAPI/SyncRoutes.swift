import ExupCore
import ExupSystem
import FoundationEssentials
import HTTPTypes
import Hummingbird
import ManagerHTTP
import Repository
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// `/api/v1/repository/sync` and `/api/v1/repository/settings`: the upstream sync (seed §3.4.2 "Download
/// update packages", R093–R106) and the repository settings it reads.
package struct SyncRoutes: Sendable {
    let sync: UpstreamSync?
    let settings: RepositorySettingsCheck?
    /// In remote mode, "download now" and its status are the remote repository's (R098).
    let remote: RemoteRepository?
    let editor: RepositorySettingsEditor
    let authenticator: Authenticator

    package func register(on router: Router<ManagerRequestContext>) {
        router.post("/api/v1/repository/sync") { request, _ in
            let principal = try self.require(request, .apply, allowingOtherManagers: true)
            if let remote = self.remote {
                let body = try await OffPool.run { try remote.requestSync() }
                Task.detached { await remote.followRemoteSync() }
                return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            let sync = try self.configured()
            // Another manager asking (R098): its name is logged with "started"/"completed" (R100).
            let otherManager = principal == .repositoryReader
            let actor = otherManager ? String((request.headers[HTTPField.Name("X-Exup-Manager")!] ?? "another manager").prefix(100)) : principal.name
            guard let status = sync.start(actor: actor, remote: otherManager) else {
                throw APIError(.conflict, "sync-running", "a repository update is already running; follow it with GET /api/v1/repository/sync")
            }
            return try Response.json(status, status: .accepted)
        }
        router.get("/api/v1/repository/sync") { request, _ in
            try self.require(request, .read, allowingOtherManagers: true)
            if let remote = self.remote {
                let body = try await OffPool.run { try remote.syncStatus() }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            return try Response.json(self.sync?.status ?? SyncStatus())
        }
        router.post("/api/v1/repository/sync/cancel") { request, _ in
            let principal = try self.require(request, .apply)
            guard try self.configured().cancel(actor: principal.name) else {
                throw APIError(.conflict, "sync-not-running", "no repository update is running")
            }
            return try Response.json(["cancelling": true])
        }
        router.get("/api/v1/repository/settings") { request, _ in
            try self.require(request, .read)
            var view = RepositorySettingsView(sync?.settings, status: sync?.status)
            view.initialStatusIcon = editor.manager.statuses.initialStatusIcon.rawValue
            view.savedBy = editor.saved?.savedBy
            view.savedAt = editor.saved?.savedAt
            if let remote = self.remote {
                view.remote = remote.settings.url
                view.remoteVersion = remote.remoteVersion.version
                if remote.remoteVersion.older {
                    view.warning =
                        "the remote repository runs exup \(remote.remoteVersion.version ?? "?"), older than this manager's: upgrade it; until then packages newer schema versions need may be missing"
                }
                view.remoteProblem = remote.problem
            }
            return try Response.json(view)
        }
        router.post("/api/v1/repository/settings") { request, _ in
            let principal = try self.require(request, .administer)
            let body = try await StrictJSON.decode(
                SettingsBody.self, from: request,
                allowed: ["syncIntervalHours", "syncTime", "proxy", "initialStatusIcon", "keepUnchecked"])
            let proposed = SavedRepositorySettings(
                syncIntervalHours: body.syncIntervalHours, syncTime: body.syncTime, proxy: body.proxy,
                initialStatusIcon: body.initialStatusIcon, savedBy: "", savedAt: "")
            let outcome: RepositorySettingsEditor.Outcome
            do { outcome = try await self.editor.save(proposed, keepUnchecked: body.keepUnchecked ?? false, actor: principal.name) } catch let error
                as RepositorySettingsError
            {
                throw APIError.badRequest(error.description)
            }
            guard outcome.saved else {
                throw APIError(.conflict, "check-failed", "\(outcome.problem ?? "the check failed"); not saved (send keepUnchecked to save anyway)")
            }
            return try Response.json(outcome)
        }
        router.post("/api/v1/repository/password/rotate") { request, _ in
            let principal = try self.require(request, .administer)
            return try Response.json(["password": try self.editor.rotatePassword(actor: principal.name)])
        }
        router.post("/api/v1/repository/settings/check") { request, _ in
            let principal = try self.require(request, .administer)
            if let remote = self.remote {
                let problem = try await OffPool.run { remote.check() }
                let now = Int64(time(nil))
                try remote.logCheck(problem, actor: principal.name, at: now)
                return try Response.json(RepositorySettingsCheck.Outcome(ok: problem == nil, problem: problem))
            }
            guard let settings else { throw APIError(.conflict, "no-upstream", "no [repository.upstream] url is configured") }
            return try Response.json(await settings.run(actor: principal.name))
        }
    }

    /// The administrator; for "download now" and its status also another manager using this repository
    /// (by the repository password).
    @discardableResult
    func require(_ request: Request, _ permission: Permission, allowingOtherManagers: Bool = false) throws -> Principal {
        if allowingOtherManagers, authenticator.principal(authorization: request.headers[.authorization]) == .repositoryReader {
            return .repositoryReader
        }
        return try authenticator.require(request, permission)
    }

    func configured() throws -> UpstreamSync {
        if let remote {
            throw APIError(.conflict, "remote-repository", "the repository is \(remote.settings.url): cancel or configure its sync there")
        }
        guard let sync else {
            throw APIError(.conflict, "no-upstream", "this repository has no upstream: set url in [repository.upstream] of manager.toml")
        }
        return sync
    }

    package init(
        sync: UpstreamSync?, settings: RepositorySettingsCheck?, remote: RemoteRepository?, editor: RepositorySettingsEditor,
        authenticator: Authenticator
    ) {
        self.sync = sync
        self.settings = settings
        self.remote = remote
        self.editor = editor
        self.authenticator = authenticator
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
    /// Remote mode: the repository this manager uses, its exup version, and R009's warning.
    var remote: String?
    var remoteVersion: String?
    var warning: String?
    var remoteProblem: String?
    var initialStatusIcon: String?
    /// Who saved the settings from the settings page, and when (nil: manager.toml's apply).
    var savedBy: String?
    var savedAt: String?

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

/// `POST /api/v1/repository/settings`: what the settings page edits.
struct SettingsBody: Decodable {
    var syncIntervalHours: Int
    var syncTime: String
    var proxy: SavedRepositorySettings.Proxy?
    var initialStatusIcon: String
    var keepUnchecked: Bool?
}
