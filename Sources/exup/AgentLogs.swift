import ArgumentParser
import ExupCommandLine
import ExupSystem
import FoundationEssentials
import ManagerAPIModel

/// `exup logs`: an agent's log bundle (R168), requested now and uploaded at the agent's next poll.
struct AgentLogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Collect a managed server's agent log bundle.",
        subcommands: [Request.self, Get.self])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask the server's agent for its log bundle (sent at its next poll).")
        @Argument(help: "The server (agent) name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await server.client().call { try await $0.requestServerLogs(path: .init(name: name)).accepted.body.json }
            if output.json { return try JSONOutput.print(answer) }
            print("requested: \(name) uploads its log bundle at its next poll; then run exup logs get \(name) --out FILE")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download the last log bundle the server's agent uploaded.")
        @Argument(help: "The server (agent) name.") var name: String
        @Option(help: "Where to write the bundle (.tar.gz); never overwritten.") var out: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        struct Written: Encodable { var file: String; var bytes: Int }

        func run() async throws {
            let client = try server.client()
            // Hand-routed (a binary file streamed from disk): fetched with the libcurl client itself.
            let response = try client.send("GET", "/api/v1/servers/\(FleetPath.escape(name))/logs")
            try client.check(response, accept: [200])
            let bundle = response.body
            guard !FileManager.default.fileExists(atPath: out) else { throw CommandFailure("\(out) already exists; choose another --out") }
            try LocalFile.writeAtomically(bundle, to: out, mode: 0o600)
            if output.json { return try JSONOutput.print(Written(file: out, bytes: bundle.count)) }
            print("wrote \(out) (\(bundle.count) bytes)")
        }
    }
}
