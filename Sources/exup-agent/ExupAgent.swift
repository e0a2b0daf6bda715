import Agent
import ArgumentParser
import ExupCore
import ExupSystem

/// The agent: the daemon (`run`) and its local CLI.
@main
struct ExupAgent: AsyncParsableCommand {
    /// Refuses to start without /proc (see ProcMount) before the arguments are read.
    static func main() async {
        ProcMount.requireMounted(program: "exup-agent")
        await main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "exup-agent",
        abstract: "Keep this server's firmware and software up to date (exup agent).",
        version: ExupVersion.string,
        subcommands: [InventoryCommand.self, RunCommand.self, StatusCommand.self, CheckCommand.self, ApplyCommand.self,
                      CancelCommand.self, LogBundleCommand.self]
    )
}

struct ConfigOptions: ParsableArguments {
    @Option(help: "The agent's configuration file.")
    var config: String = AgentConfiguration.defaultPath

    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false

    /// The configuration; with no file at the default path, the defaults (in-band IPMI).
    func load() throws -> AgentConfiguration {
        do { return try AgentConfiguration.load(path: config) } catch {
            if config == AgentConfiguration.defaultPath, !LocalFileExists.check(config) { return AgentConfiguration() }
            throw ValidationError(error.description)
        }
    }
}
