import ArgumentParser
import FoundationEssentials

/// `exup log`: the manager's application log (Tables 18 and 19).
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Show the manager's application log.")

    @Option(help: "Show entries after this entry id.")
    var after: Int64 = 0

    @Option(help: "At most this many entries.")
    var limit = 200

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    struct Entry: Codable {
        var id: Int64; var time: Int64; var level: String; var code: String; var message: String; var actor: String
        var server: String?; var module: String?; var versions: String?; var cause: String?
    }

    func run() throws {
        let entries = try server.client().call("GET", "/api/v1/log?after=\(after)&limit=\(limit)", as: [Entry].self)
        if output.json { try JSONOutput.print(entries); return }
        for e in entries {
            let time = Date(timeIntervalSince1970: TimeInterval(e.time)).formatted(.iso8601)
            let text = e.cause.map { "\(e.message). (\($0))" } ?? e.message
            print("\(e.id)  \(time)  \(e.level.uppercased().padding(5))  \(e.code)  \(e.actor)  \(text)")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
