import ApplicationLog
import ExupCore
import ExupSystem
import Repository
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// Checks the repository settings the way the seed does when they are saved (R006, R008, R106): the
/// proxy answers, the upstream answers through it, and takes the password. Logged as "Repository
/// information set" or "Failed to set repository information (cause)".
package struct RepositorySettingsCheck: Sendable {
    package struct Outcome: Codable, Sendable {
        package var ok: Bool
        package var problem: String?

        package init(ok: Bool, problem: String?) {
            self.ok = ok
            self.problem = problem
        }
    }

    package let sync: UpstreamSync
    package let catalog: Catalog

    package func run(actor: String) async -> Outcome {
        let settings = sync.settings
        let problem: String? = await OffPool.compute("exup.settings-check") { Self.problem(settings) }
        let now = Int64(time(nil))
        if let problem {
            try? catalog.log(AppLogEntry(time: now, event: .repositorySettingsFailed, actor: actor, cause: problem))
        } else {
            try? catalog.log(AppLogEntry(time: now, event: .repositorySettingsSet, actor: actor, cause: settings.url))
        }
        return Outcome(ok: problem == nil, problem: problem)
    }

    package static func problem(_ settings: UpstreamSettings) -> String? {
        var options = HTTPClient.Options()
        options.bearerToken = settings.password
        options.proxy = settings.proxy
        options.connectTimeoutMilliseconds = 5000
        options.totalTimeoutSeconds = 30
        do {
            let response = try HTTPClient(options: options).get(settings.url + "/repo/v1/metadata/timestamp.json", maxBytes: 64 << 10)
            switch response.status {
            case 200, 301, 308: return nil
            case 401, 403: return "the upstream \(settings.url) refused the repository password"
            default: return "the upstream \(settings.url) answered HTTP \(response.status): is it an exup repository?"
            }
        } catch {
            if case .proxyUnreachable = error { return "could not connect to the proxy server \(settings.proxy?.description ?? "")" }
            if case .proxyAuthentication = error { return "\(error)" }
            return "could not connect to the upstream \(settings.url): \(error)"
        }
    }

    package init(sync: UpstreamSync, catalog: Catalog) {
        self.sync = sync
        self.catalog = catalog
    }
}

/// Syncs at the configured interval and time of day (R145), and checks the settings once at start.
package struct SyncScheduler: Sendable {
    package let sync: UpstreamSync
    package let check: RepositorySettingsCheck

    package func run() async {
        _ = await check.run(actor: "exup-manager")
        var last = Int64(time(nil))
        while !Task.isCancelled {
            // The schedule can change on the settings page: it is read again at every wake-up.
            guard let schedule = sync.settings.schedule else {
                sync.setNextScheduled(nil)
                try? await Task.sleep(for: .seconds(30))
                continue
            }
            let next = schedule.next(after: last)
            sync.setNextScheduled(next)
            while !Task.isCancelled && Int64(time(nil)) < next && sync.settings.schedule == schedule {
                try? await Task.sleep(for: .seconds(min(30, max(1, next - Int64(time(nil))))))
            }
            if Task.isCancelled { return }
            guard sync.settings.schedule == schedule else { continue }
            _ = sync.start(actor: "schedule")
            last = next
        }
    }

    package init(sync: UpstreamSync, check: RepositorySettingsCheck) {
        self.sync = sync
        self.check = check
    }
}
