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

/// What the generated `/api/v1/repository/sync` and `/api/v1/repository/settings` operations share
/// (GeneratedAPI+Sync.swift): the upstream sync (seed §3.4.2, R093–R106), its settings check, remote mode
/// and the settings editor.
package struct SyncServices: Sendable {
    let sync: UpstreamSync?
    let settings: RepositorySettingsCheck?
    /// In remote mode, "download now" and its status are the remote repository's (R098).
    let remote: RemoteRepository?
    let editor: RepositorySettingsEditor

    func configured() throws -> UpstreamSync {
        if let remote {
            throw APIError(.conflict, "remote-repository", "the repository is \(remote.settings.url): cancel or configure its sync there")
        }
        guard let sync else {
            throw APIError(.conflict, "no-upstream", "this repository has no upstream: set url in [repository.upstream] of manager.toml")
        }
        return sync
    }

    package init(sync: UpstreamSync?, settings: RepositorySettingsCheck?, remote: RemoteRepository?, editor: RepositorySettingsEditor) {
        self.sync = sync
        self.settings = settings
        self.remote = remote
        self.editor = editor
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
