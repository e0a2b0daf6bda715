import ArgumentParser
import ExupCommandLine
import FoundationEssentials
import ManagerAPIModel

#if canImport(Glibc)
    import Glibc
#endif

typealias SyncStatus = Components.Schemas.SyncStatus

/// `exup repo sync`: fetch new packages from the upstream now, following the progress until it ends
/// (Ctrl-C leaves it running; `--cancel` from another shell stops it).
struct RepoSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch the packages published upstream since the last sync that this repository's servers need.")
    @Flag(help: "Cancel the running sync.") var cancel = false
    @Flag(help: "Show the current or last sync and exit.") var status = false
    @Flag(help: "Start it and return at once.") var noWait = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let client = try server.client()
        if cancel {
            _ = try await client.call { try await $0.cancelSync().ok.body.json }
            if !output.json { print("cancelling the running sync") }
            return try await follow(client, quiet: false)
        }
        if status { return try show(try await client.call { try await $0.getSyncStatus().ok.body.json }) }
        let started = try await client.call { try await $0.startSync().accepted.body.json }
        if noWait { return try show(started) }
        try await follow(client, quiet: output.json)
    }

    /// Polls the status, printing a line whenever it moves, until the sync ends; fails when it failed.
    func follow(_ client: ManagerClient, quiet: Bool) async throws {
        let progress = quiet ? nil : ProgressLine()
        while true {
            let current = try await client.call { try await $0.getSyncStatus().ok.body.json }
            progress?.update(Self.progressLine(current))
            if current.state != .running {
                progress?.close()
                try show(current)
                if current.state == .failed { throw ExitCode(1) }
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    static func progressLine(_ s: SyncStatus) -> String {
        var line = "[\(s.state.rawValue)] \(s.phase)"
        if s.packagesTotal > 0 {
            line += "  \(s.packagesDone)/\(s.packagesTotal) packages"
            if s.bytesTotal > 0 { line += ", \(s.bytesDone * 100 / max(1, s.bytesTotal))% of \(s.bytesTotal / 1024) KiB" }
        }
        return line
    }

    func show(_ s: SyncStatus) throws {
        if output.json { return try JSONOutput.print(s) }
        print("sync: \(s.state.rawValue)" + (s.upstream.map { " from \($0)" } ?? "") + (s.since.map { ", packages published since \($0.utc)" } ?? ""))
        if !s.added.isEmpty { print("added: " + s.added.joined(separator: ", ")) }
        for refusal in s.refused { print("refused: \(refusal)") }
        if let error = s.error { print("error: \(error)") }
        if let last = s.lastSuccess { print("last successful sync: \(last.utc)") }
        if let next = s.nextScheduled { print("next scheduled sync: \(next.utc)") }
    }
}

/// `exup repo settings [--check]`: the upstream, schedule and proxy; `--check` tests them as saving does.
struct RepoSettings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show the repository's settings; --check tests the connection and password; --sync-interval, --proxy… change them.",
        discussion: """
            Changes are checked before they are saved (the proxy, the upstream through \
            it, its password): a problem refuses them (and is logged) unless --keep-unchecked. Saved changes are in \
            force at once and kept over manager.toml's values. The upstream's address and password stay manager.toml's.
            """)
    @Flag(help: "Check the proxy, the upstream and its password now (logged).") var check = false
    @Option(help: "Sync every this many hours (0: by hand only).") var syncInterval: Int?
    @Option(help: "Align the syncs on this time of day, HH:MM UTC.") var syncTime: String?
    @Option(help: "The proxy, HOST:PORT.") var proxy: String?
    @Flag(help: "Use no proxy.") var noProxy = false
    @Option(help: "The proxy's user name.") var proxyUser: String?
    @Option(help: "A file holding the proxy's password (kept as it is when not given).") var proxyPasswordFile: String?
    @Option(help: "The proxy's authentication: any, basic or digest.") var proxyAuth: String?
    @Option(help: "The initial status icon of download-only modules: latest, update-available or no-package.") var initialStatusIcon: String?
    @Flag(help: "Save even when the check finds a problem.") var keepUnchecked = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    typealias View = Components.Schemas.RepositorySettings
    typealias Change = Components.Schemas.SaveSettingsRequest

    var changes: Bool {
        syncInterval != nil || syncTime != nil || proxy != nil || noProxy || proxyUser != nil || proxyPasswordFile != nil || proxyAuth != nil
            || initialStatusIcon != nil
    }

    func validate() throws {
        if proxy != nil && noProxy { throw ValidationError("--proxy and --no-proxy contradict each other") }
        if check && changes { throw ValidationError("--check tests the settings in force; change them without it (a change is checked anyway)") }
        if let proxyAuth, Components.Schemas.ProxyAuthentication(rawValue: proxyAuth) == nil {
            throw ValidationError("--proxy-auth must be any, basic or digest, not \(proxyAuth)")
        }
        if let initialStatusIcon, Components.Schemas.ManualIcon(rawValue: initialStatusIcon) == nil {
            throw ValidationError("--initial-status-icon must be latest, update-available or no-package, not \(initialStatusIcon)")
        }
    }

    /// The settings in force with this command's changes.
    func change(of view: View) throws -> Change {
        var proxySetting = view.proxy.map {
            Components.Schemas.ProxySettingsInput(host: $0.host, port: $0.port, username: $0.username, password: nil, auth: $0.auth)
        }
        if noProxy { proxySetting = nil }
        if let proxy {
            guard let colon = proxy.lastIndex(of: ":"), let port = Int(proxy[proxy.index(after: colon)...]) else {
                throw ValidationError("--proxy must be HOST:PORT, not \(proxy)")
            }
            proxySetting = Components.Schemas.ProxySettingsInput(
                host: String(proxy[..<colon]).trimmingScalars(in: "[]"), port: port,
                username: proxySetting?.username, password: nil, auth: proxySetting?.auth ?? .any)
        }
        if proxySetting == nil && (proxyUser != nil || proxyPasswordFile != nil || proxyAuth != nil) {
            throw ValidationError("--proxy-user, --proxy-password-file and --proxy-auth need a proxy (--proxy HOST:PORT)")
        }
        if let proxyUser { proxySetting?.username = proxyUser.isEmpty ? nil : proxyUser }
        if let proxyAuth, let auth = Components.Schemas.ProxyAuthentication(rawValue: proxyAuth) { proxySetting?.auth = auth }
        if let proxyPasswordFile {
            guard let bytes = readFile(proxyPasswordFile, limit: 4096) else { throw CommandFailure("cannot read \(proxyPasswordFile)") }
            proxySetting?.password = String(decoding: bytes, as: UTF8.self).trimmingScalars(in: "\r\n")
        }
        return Change(
            syncIntervalHours: syncInterval ?? view.syncIntervalHours ?? 0, syncTime: syncTime ?? view.syncTime ?? "03:00",
            proxy: proxySetting,
            initialStatusIcon: initialStatusIcon.flatMap(Components.Schemas.ManualIcon.init(rawValue:)) ?? view.initialStatusIcon,
            keepUnchecked: keepUnchecked)
    }

    func run() async throws {
        let client = try server.client()
        if changes {
            let current = try await client.call { try await $0.getRepositorySettings().ok.body.json }
            let body = try change(of: current)
            let saved = try await client.call { try await $0.saveRepositorySettings(body: .json(body)).ok.body.json }
            if output.json { return try JSONOutput.print(saved) }
            print(saved.problem.map { "saved, although the check found a problem: \($0)" } ?? "saved and in force")
            return
        }
        if check {
            let outcome = try await client.call { try await $0.checkRepositorySettings().ok.body.json }
            if output.json { try JSONOutput.print(outcome) } else { print(outcome.ok ? "settings ok" : "problem: \(outcome.problem ?? "?")") }
            if !outcome.ok { throw ExitCode(1) }
            return
        }
        let view = try await client.call { try await $0.getRepositorySettings().ok.body.json }
        if output.json { return try JSONOutput.print(view) }
        print("upstream: \(view.upstream ?? "none (a repository filled by hand)")")
        if let inUse = view.upstreamInUse, inUse != view.upstream { print("  in use after a permanent redirect: \(inUse)") }
        if let hours = view.syncIntervalHours, let time = view.syncTime { print("sync: every \(hours) h, aligned on \(time) UTC") }
        if let proxy = view.proxy {
            print("proxy: \(proxy.host):\(proxy.port) (\(proxy.auth.rawValue)\(proxy.username.map { ", user \($0)" } ?? ""))")
        }
        if let last = view.lastSuccess { print("last successful sync: \(last.utc)") }
        if let next = view.nextScheduled { print("next scheduled sync: \(next.utc)") }
        print("initial status icon: \(view.initialStatusIcon.rawValue)")
        if let by = view.savedBy, let at = view.savedAt { print("saved by \(by) at \(at.utc) (over manager.toml's values)") }
    }
}

struct RepoPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "The repository password other managers use.",
        subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the repository password (in force at once; printed once). Managers using this repository need the new one.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await server.client().call { try await $0.rotateRepositoryPassword().ok.body.json }
            if output.json { return try JSONOutput.print(answer) }
            print(answer.password)
        }
    }
}
