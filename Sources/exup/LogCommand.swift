import ArgumentParser
import ExupCommandLine
import FoundationEssentials
import ManagerAPIModel

/// `exup log`: the manager's application log (Tables 18 and 19), filtered and a page at a time.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Show the manager's application log (oldest first; --after pages on).")

    @Option(help: "Entries at or after this time: 2026-11-26T03:00:00Z, or 30m, 24h, 7d ago.")
    var since: String?
    @Option(help: "Only entries about this server.") var server: String?
    @Option(help: "info or error.") var level: String?
    @Option(help: "Text in the message, cause, actor, module or versions (or exactly the code, e.g. E06).") var grep: String?
    @Option(help: "Show entries after this entry id (the next page).") var after: Int64 = 0
    @Option(help: "At most this many entries (1-5000).") var limit = 200

    // `--server` filters here, so the manager's URL is `--manager` (or $EXUP_SERVER, or the saved session).
    @Option(help: "The manager's URL (default: $EXUP_SERVER, else the logged-in session's).") var manager: String?
    @Option(help: "The API token (default: $EXUP_TOKEN, else the logged-in session).") var token: String?
    @Option(help: "PEM CA bundle to trust for an HTTPS manager.") var caFile: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let level, Components.Schemas.AppLogLevel(rawValue: level) == nil { throw ValidationError("--level must be info or error, not \(level)") }
    }

    func run() async throws {
        let query = Operations.GetLog.Input.Query(
            after: after, since: try since.map { try Self.parseSince($0, now: Int64(Date().timeIntervalSince1970)) }, server: server,
            level: level.flatMap(Components.Schemas.AppLogLevel.init(rawValue:)), grep: grep, limit: Int64(limit))
        let client = try ServerOptions.client(server: manager, token: token, caFile: caFile)
        let entries = try await client.call { try await $0.getLog(query: query).ok.body.json }
        if output.json { try JSONOutput.print(entries); return }
        for e in entries {
            let time = Date(timeIntervalSince1970: TimeInterval(e.time)).formatted(.iso8601)
            let text = e.cause.map { "\(e.message). (\($0))" } ?? e.message
            let subject = [e.server, e.module, e.versions].compactMap { $0 }.joined(separator: " ")
            print(
                "\(e.id)  \(time)  \(e.level.rawValue.uppercased().padding(5))  \(e.code)  \(e.actor)  \(subject.isEmpty ? "" : subject + "  ")\(text)"
            )
        }
        if entries.count == limit, let last = entries.last {
            print("(more: exup log --after \(last.id)\(since.map { " --since \($0)" } ?? "")\(server.map { " --server \($0)" } ?? "")…)")
        }
    }

    /// An ISO 8601 time, or a duration back from `now` (`90s`, `30m`, `24h`, `7d`).
    static func parseSince(_ text: String, now: Int64) throws -> Int64 {
        if let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
            switch unit {
            case "s": return now - amount
            case "m": return now - amount * 60
            case "h": return now - amount * 3600
            case "d": return now - amount * 86_400
            default: break
            }
        }
        if let date = try? Date(text, strategy: .iso8601) { return Int64(date.timeIntervalSince1970) }
        throw ValidationError("--since must be a time like 2026-11-26T03:00:00Z or a duration like 24h, not \(text)")
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
