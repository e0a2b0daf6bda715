import Agent
import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupSystem

/// The agent: the daemon (`run`) and its local CLI.
/// The entry: /proc is checked before the concurrency runtime starts (see CommandMain.runAsync).
@main
enum ExupAgentMain {
    static func main() { CommandMain.runAsync(ExupAgent.self, program: "exup-agent") }
}

struct ExupAgent: AsyncParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "exup-agent",
        abstract: "Keep this server's firmware and software up to date (exup agent).",
        version: ExupVersion.string,
        subcommands: [
            InventoryCommand.self, RunCommand.self, StatusCommand.self, CheckCommand.self, ApplyCommand.self,
            CancelCommand.self, LogBundleCommand.self, CheckConfigCommand.self,
        ]
    )
}

struct ConfigOptions: ParsableArguments {
    @Option(help: "The agent's configuration file.")
    var config: String = AgentConfiguration.defaultPath

    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false

    /// The configuration; with no file at the default path, the defaults (in-band IPMI). Its warnings (a
    /// secret file anyone can read) go to standard error, except for the daemon, which logs them.
    func load(warn: Bool = true) throws -> AgentConfiguration {
        let configuration: AgentConfiguration
        do { configuration = try AgentConfiguration.load(path: config) } catch {
            if config == AgentConfiguration.defaultPath, !LocalFileExists.check(config) {
                var defaults = AgentConfiguration()
                defaults.fileMissing = true
                return defaults
            }
            throw CommandFailure(error.description, code: "configuration")
        }
        if warn { for warning in configuration.warnings { writeStandardError("exup-agent: warning: \(warning)") } }
        return configuration
    }
}
