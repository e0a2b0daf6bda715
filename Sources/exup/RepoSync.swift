import ArgumentParser
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
        var last = ""
        while true {
            let current = try client.call("GET", "/api/v1/repository/sync", as: SyncStatusBody.self)
            let line = Self.progressLine(current)
            if !quiet && line != last { print(line); last = line }
            if current.state != "running" {
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
        abstract: "Show the repository's upstream, sync schedule and proxy; --check tests the connection and password.")
    @Flag(help: "Check the proxy, the upstream and its password now (logged).") var check = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    struct View: Codable {
        struct Proxy: Codable { var host: String; var port: Int; var username: String?; var auth: String }
        var upstream: String?; var upstreamInUse: String?; var syncIntervalHours: Int?; var syncTime: String?
        var proxy: Proxy?; var lastSuccess: String?; var nextScheduled: String?
    }
    struct Check: Codable { var ok: Bool; var problem: String? }

    func run() throws {
        let client = try server.client()
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
    }
}
