import ExupCore
import ExupSystem
import FoundationEssentials
import HTTPTypes
import ManagerAPIModel
import ManagerHTTP
import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// The upstream sync (seed §3.4.2 "Download update packages", R093–R106) and the repository settings.
extension GeneratedAPI {
    package func startSync(_ input: Operations.StartSync.Input) async throws -> Operations.StartSync.Output {
        let principal = try APIRequestScope.principal
        if let remote = sync.remote {
            let bytes = try await Self.fromRemote(remote) { try remote.requestSync() }
            // The remote's own refusal (409: a download already runs there, no upstream) is passed on as it is.
            if let refusal = try? Wire.decode(Components.Schemas._Error.self, bytes) {
                throw APIError(.conflict, refusal.error.code.rawValue, "the remote repository: \(refusal.error.message)")
            }
            let status = try Self.remoteStatus(bytes, from: remote)
            Task.detached { await remote.followRemoteSync() }
            return .accepted(.init(body: .json(status)))
        }
        let upstream = try sync.configured()
        // Another manager asking (R098): its name is logged with "started"/"completed" (R100).
        let otherManager = principal == .repositoryReader
        let named = APIRequestScope.current?.headers[HTTPField.Name("X-Exup-Manager")!] ?? "another manager"
        let actor = otherManager ? String(named.prefix(100)) : principal.name
        guard let status = upstream.start(actor: actor, remote: otherManager) else {
            throw APIError(.conflict, "sync-running", "a repository update is already running; follow it with GET /api/v1/repository/sync")
        }
        return .accepted(.init(body: .json(try Wire.convert(status))))
    }

    package func getSyncStatus(_ input: Operations.GetSyncStatus.Input) async throws -> Operations.GetSyncStatus.Output {
        if let remote = sync.remote {
            let bytes = try await Self.fromRemote(remote) { try remote.syncStatus() }
            return .ok(.init(body: .json(try Self.remoteStatus(bytes, from: remote))))
        }
        return .ok(.init(body: .json(try Wire.convert(sync.sync?.status ?? SyncStatus()))))
    }

    /// A call to the remote repository; its failure is a bad gateway (502), not this manager's own (500).
    static func fromRemote(_ remote: RemoteRepository, _ call: @escaping @Sendable () throws -> [UInt8]) async throws -> [UInt8] {
        do { return try await OffPool.run("exup.remote", call) } catch {
            throw APIError(.badGateway, "remote-repository", "the remote repository \(remote.settings.url): \(error)")
        }
    }

    /// The remote's sync status as this manager's document says it (another version's may not fit: 502).
    static func remoteStatus(_ bytes: [UInt8], from remote: RemoteRepository) throws -> Components.Schemas.SyncStatus {
        do { return try Wire.decode(Components.Schemas.SyncStatus.self, bytes) } catch {
            throw APIError(
                .badGateway, "remote-repository", "the remote repository \(remote.settings.url) answered a sync status this manager cannot read")
        }
    }

    package func cancelSync(_ input: Operations.CancelSync.Input) async throws -> Operations.CancelSync.Output {
        let actor = try APIRequestScope.principal.name
        guard try sync.configured().cancel(actor: actor) else { throw APIError(.conflict, "sync-not-running", "no repository update is running") }
        return .ok(.init(body: .json(.init(cancelling: true))))
    }

    package func getRepositorySettings(_ input: Operations.GetRepositorySettings.Input) async throws -> Operations.GetRepositorySettings.Output {
        var view = RepositorySettingsView(sync.sync?.settings, status: sync.sync?.status)
        view.initialStatusIcon = sync.editor.manager.statuses.initialStatusIcon.rawValue
        view.savedBy = sync.editor.saved?.savedBy
        view.savedAt = sync.editor.saved?.savedAt
        if let remote = sync.remote {
            view.remote = remote.settings.url
            view.remoteVersion = remote.remoteVersion.version
            if remote.remoteVersion.older {
                view.warning =
                    "the remote repository runs exup \(remote.remoteVersion.version ?? "?"), older than this manager's: upgrade it; until then packages newer schema versions need may be missing"
            }
            view.remoteProblem = remote.problem
        }
        return .ok(.init(body: .json(try Wire.convert(view))))
    }

    package func saveRepositorySettings(_ input: Operations.SaveRepositorySettings.Input) async throws -> Operations.SaveRepositorySettings.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let actor = try APIRequestScope.principal.name
        let proposed = SavedRepositorySettings(
            syncIntervalHours: body.syncIntervalHours, syncTime: body.syncTime,
            proxy: try body.proxy.map { try Wire.request($0, as: SavedRepositorySettings.Proxy.self) },
            initialStatusIcon: body.initialStatusIcon.rawValue, savedBy: "", savedAt: "")
        let outcome: RepositorySettingsEditor.Outcome
        do { outcome = try await sync.editor.save(proposed, keepUnchecked: body.keepUnchecked ?? false, actor: actor) } catch let error
            as RepositorySettingsError
        {
            throw APIError.badRequest(error.description)
        }
        guard outcome.saved else {
            throw APIError(.conflict, "check-failed", "\(outcome.problem ?? "the check failed"); not saved (send keepUnchecked to save anyway)")
        }
        return .ok(.init(body: .json(try Wire.convert(outcome))))
    }

    package func rotateRepositoryPassword(
        _ input: Operations.RotateRepositoryPassword.Input
    ) async throws -> Operations.RotateRepositoryPassword.Output {
        let actor = try APIRequestScope.principal.name
        return .ok(.init(body: .json(.init(password: try sync.editor.rotatePassword(actor: actor)))))
    }

    package func checkRepositorySettings(_ input: Operations.CheckRepositorySettings.Input) async throws -> Operations.CheckRepositorySettings.Output
    {
        let actor = try APIRequestScope.principal.name
        if let remote = sync.remote {
            let problem = try await OffPool.run { remote.check() }
            try remote.logCheck(problem, actor: actor, at: Int64(time(nil)))
            return .ok(.init(body: .json(.init(ok: problem == nil, problem: problem))))
        }
        guard let settings = sync.settings else { throw APIError(.conflict, "no-upstream", "no [repository.upstream] url is configured") }
        return .ok(.init(body: .json(try Wire.convert(await settings.run(actor: actor)))))
    }
}
