import ArgumentParser
import ExupCommandLine
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The manager's view of a sync (mirrors `SyncStatus`).
struct SyncStatusBody: Codable {
    var state: String
    var actor: String?
    var startedAt: String?
    var finishedAt: String?
    var phase: String
    var packagesTotal: Int
    var packagesDone: Int
    var bytesTotal: Int64
    var bytesDone: Int64
    var added: [String]
    var refused: [String]
    var error: String?
    var since: String?
    var upstream: String?
    var lastSuccess: String?
    var nextScheduled: String?
}

/// `exup repo sync`: fetch new packages from the upstream now, following the progress until it ends
/// (Ctrl-C leaves it running; `--cancel` from another shell stops it).
struct RepoSync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch the packages published upstream since the last sync that this repository's servers need.")
    @Flag(help: "Cancel the running sync.") var cancel = false
    @Flag(help: "Show the current or last sync and exit.") var status = false
    @Flag(help: "Start it and return at once.") var noWait = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let client = try server.client()
        if cancel {
            _ = try client.call("POST", "/api/v1/repository/sync/cancel", as: [String: Bool].self)
            if !output.json { print("cancelling the running sync") }
            return try follow(client, quiet: false)
        }
        if status { return try show(try client.call("GET", "/api/v1/repository/sync", as: SyncStatusBody.self)) }
        let started = try client.call("POST", "/api/v1/repository/sync", as: SyncStatusBody.self)
        if noWait { return try show(started) }
        try follow(client, quiet: output.json)
    }

    /// Polls the status, printing a line whenever it moves, until the sync ends; fails when it failed.
    func follow(_ client: ManagerClient, quiet: Bool) throws {
        let progress = quiet ? nil : ProgressLine()
        while true {
            let current = try client.call("GET", "/api/v1/repository/sync", as: SyncStatusBody.self)
            progress?.update(Self.progressLine(current))
            if current.state != "running" {
                progress?.close()
                try show(current)
                if current.state == "failed" { throw ExitCode(1) }
                return
            }
            usleep(250_000)
        }
    }

    static func progressLine(_ s: SyncStatusBody) -> String {
        var line = "[\(s.state)] \(s.phase)"
        if s.packagesTotal > 0 {
            line += "  \(s.packagesDone)/\(s.packagesTotal) packages"
            if s.bytesTotal > 0 { line += ", \(s.bytesDone * 100 / max(1, s.bytesTotal))% of \(s.bytesTotal / 1024) KiB" }
        }
        return line
    }

    func show(_ s: SyncStatusBody) throws {
        if output.json { return try JSONOutput.print(s) }
        print("sync: \(s.state)" + (s.upstream.map { " from \($0)" } ?? "") + (s.since.map { ", packages published since \($0)" } ?? ""))
        if !s.added.isEmpty { print("added: " + s.added.joined(separator: ", ")) }
        for refusal in s.refused { print("refused: \(refusal)") }
        if let error = s.error { print("error: \(error)") }
        if let last = s.lastSuccess { print("last successful sync: \(last)") }
        if let next = s.nextScheduled { print("next scheduled sync: \(next)") }
    }
}

/// `exup repo settings [--check]`: the upstream, schedule and proxy; `--check` tests them as saving does.
struct RepoSettings: ParsableCommand {
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

    struct View: Codable {
        struct Proxy: Codable { var host: String; var port: Int; var username: String?; var auth: String }
        var upstream: String?; var upstreamInUse: String?; var syncIntervalHours: Int?; var syncTime: String?
        var proxy: Proxy?; var lastSuccess: String?; var nextScheduled: String?
        var initialStatusIcon: String?; var savedBy: String?; var savedAt: String?
    }
    struct Check: Codable { var ok: Bool; var problem: String? }
    struct Change: Encodable {
        struct Proxy: Encodable { var host: String; var port: Int; var username: String?; var password: String?; var auth: String }
        var syncIntervalHours: Int; var syncTime: String; var proxy: Proxy?; var initialStatusIcon: String; var keepUnchecked: Bool
    }
    struct Saved: Codable { var saved: Bool; var problem: String? }

    var changes: Bool {
        syncInterval != nil || syncTime != nil || proxy != nil || noProxy || proxyUser != nil || proxyPasswordFile != nil || proxyAuth != nil
            || initialStatusIcon != nil
    }

    func validate() throws {
        if proxy != nil && noProxy { throw ValidationError("--proxy and --no-proxy contradict each other") }
        if check && changes { throw ValidationError("--check tests the settings in force; change them without it (a change is checked anyway)") }
    }

    /// The settings in force with this command's changes.
    func change(of view: View) throws -> Change {
        var proxySetting = view.proxy.map { Change.Proxy(host: $0.host, port: $0.port, username: $0.username, password: nil, auth: $0.auth) }
        if noProxy { proxySetting = nil }
        if let proxy {
            guard let colon = proxy.lastIndex(of: ":"), let port = Int(proxy[proxy.index(after: colon)...]) else {
                throw ValidationError("--proxy must be HOST:PORT, not \(proxy)")
            }
            proxySetting = Change.Proxy(
                host: String(proxy[..<colon]).trimmingScalars(in: "[]"), port: port,
                username: proxySetting?.username, password: nil, auth: proxySetting?.auth ?? "any")
        }
        if proxySetting == nil && (proxyUser != nil || proxyPasswordFile != nil || proxyAuth != nil) {
            throw ValidationError("--proxy-user, --proxy-password-file and --proxy-auth need a proxy (--proxy HOST:PORT)")
        }
        if let proxyUser { proxySetting?.username = proxyUser.isEmpty ? nil : proxyUser }
        if let proxyAuth { proxySetting?.auth = proxyAuth }
        if let proxyPasswordFile {
            guard let bytes = readFile(proxyPasswordFile, limit: 4096) else { throw CommandFailure("cannot read \(proxyPasswordFile)") }
            proxySetting?.password = String(decoding: bytes, as: UTF8.self).trimmingScalars(in: "\r\n")
        }
        return Change(
            syncIntervalHours: syncInterval ?? view.syncIntervalHours ?? 0, syncTime: syncTime ?? view.syncTime ?? "03:00",
            proxy: proxySetting, initialStatusIcon: initialStatusIcon ?? view.initialStatusIcon ?? "update-available",
            keepUnchecked: keepUnchecked)
    }

    func run() throws {
        let client = try server.client()
        if changes {
            let current = try client.call("GET", "/api/v1/repository/settings", as: View.self)
            let saved = try client.call("POST", "/api/v1/repository/settings", body: try change(of: current), as: Saved.self)
            if output.json { return try JSONOutput.print(saved) }
            print(saved.problem.map { "saved, although the check found a problem: \($0)" } ?? "saved and in force")
            return
        }
        if check {
            let outcome = try client.call("POST", "/api/v1/repository/settings/check", as: Check.self)
            if output.json { try JSONOutput.print(outcome) } else { print(outcome.ok ? "settings ok" : "problem: \(outcome.problem ?? "?")") }
            if !outcome.ok { throw ExitCode(1) }
            return
        }
        let view = try client.call("GET", "/api/v1/repository/settings", as: View.self)
        if output.json { return try JSONOutput.print(view) }
        print("upstream: \(view.upstream ?? "none (a repository filled by hand)")")
        if let inUse = view.upstreamInUse, inUse != view.upstream { print("  in use after a permanent redirect: \(inUse)") }
        if let hours = view.syncIntervalHours, let time = view.syncTime { print("sync: every \(hours) h, aligned on \(time) UTC") }
        if let proxy = view.proxy { print("proxy: \(proxy.host):\(proxy.port) (\(proxy.auth)\(proxy.username.map { ", user \($0)" } ?? ""))") }
        if let last = view.lastSuccess { print("last successful sync: \(last)") }
        if let next = view.nextScheduled { print("next scheduled sync: \(next)") }
        if let icon = view.initialStatusIcon { print("initial status icon: \(icon)") }
        if let by = view.savedBy, let at = view.savedAt { print("saved by \(by) at \(at) (over manager.toml's values)") }
    }
}

struct RepoPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "The repository password other managers use.",
        subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the repository password (in force at once; printed once). Managers using this repository need the new one.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let answer = try server.client().call("POST", "/api/v1/repository/password/rotate", as: [String: String].self)
            if output.json { return try JSONOutput.print(answer) }
            print(answer["password"] ?? "")
        }
    }
}
