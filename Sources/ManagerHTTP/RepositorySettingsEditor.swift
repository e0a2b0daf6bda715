import ApplicationLog
import ExupCore
import ExupFormats
import ExupSystem
import Manager
import Repository
import TUF

#if canImport(Glibc)
    import Glibc
#endif

/// Changes the repository settings while the manager runs (seed §3.3, §8.12, R152): checks what is
/// proposed as saving does in the seed (R106: the proxy and the upstream through it), saves it, puts it in
/// force (the sync's schedule and proxy, the initial status icon), and logs N16 or E13. Also rotates the
/// repository password other managers use.
package struct RepositorySettingsEditor: Sendable {
    package struct Outcome: Codable, Sendable {
        package var saved: Bool
        package var problem: String?

        package init(saved: Bool, problem: String?) {
            self.saved = saved
            self.problem = problem
        }
    }

    package let dataDirectory: String
    package let sync: UpstreamSync?
    package let manager: ManagerService
    package let authenticator: Authenticator
    package let catalog: Catalog

    package var saved: SavedRepositorySettings? { try? SavedRepositorySettings.load(dataDirectory: dataDirectory) }

    /// Saves `proposed` after the check; with a problem it is refused (E13) unless `keepUnchecked`.
    package func save(_ proposed: SavedRepositorySettings, keepUnchecked: Bool, actor: String) async throws -> Outcome {
        var proposed = proposed
        // The proxy's password is never shown: unsent, the one in force is kept for the same user.
        if var proxy = proposed.proxy, proxy.password == nil, let current = sync?.settings.proxy, current.username == proxy.username {
            proxy.password = current.password
            proposed.proxy = proxy
        }
        proposed.savedBy = actor
        proposed.savedAt = UTCTime(seconds: Int64(time(nil))).description
        let (schedule, proxy, icon) = try proposed.validated()
        var problem: String?
        if let sync {
            var candidate = sync.settings
            candidate.schedule = schedule
            candidate.proxy = proxy
            let checked = candidate
            problem = await OffPool.compute("exup.settings-check") { RepositorySettingsCheck.problem(checked) }
        }
        if let problem, !keepUnchecked {
            log(.repositorySettingsFailed, actor: actor, cause: problem + "; not saved")
            return Outcome(saved: false, problem: problem)
        }
        do { try proposed.save(dataDirectory: dataDirectory) } catch {
            log(.repositorySettingsFailed, actor: actor, cause: "cannot write \(SavedRepositorySettings.path(dataDirectory)): \(error)")
            throw RepositorySettingsError("cannot write \(SavedRepositorySettings.path(dataDirectory)): \(error)")
        }
        sync?.update(schedule: schedule, proxy: proxy)
        manager.statuses.setInitialStatusIcon(icon)
        log(
            .repositorySettingsSet, actor: actor,
            cause: problem.map { "saved with a problem the check found: \($0)" } ?? "schedule, proxy and initial status icon")
        return Outcome(saved: true, problem: problem)
    }

    /// A new repository password, in force at once; the old one is refused from now on.
    package func rotatePassword(actor: String) throws -> String {
        let password = try Secrets.rotateRepositoryPassword(paths)
        authenticator.repositoryPassword.replace(password)
        log(.repositorySettingsSet, actor: actor, cause: "repository password changed: managers that use this repository need the new one")
        return password
    }

    package func log(_ event: AppLogEvent, actor: String, cause: String) {
        try? catalog.log(AppLogEntry(time: Int64(time(nil)), event: event, actor: actor, cause: cause))
    }

    /// Where the repository password lives (the data directory, or the shared keys directory).
    let paths: RepositoryPaths

    package init(
        dataDirectory: String, paths: RepositoryPaths, sync: UpstreamSync?, manager: ManagerService, authenticator: Authenticator, catalog: Catalog
    ) {
        self.dataDirectory = dataDirectory
        self.paths = paths
        self.sync = sync
        self.manager = manager
        self.authenticator = authenticator
        self.catalog = catalog
    }
}
