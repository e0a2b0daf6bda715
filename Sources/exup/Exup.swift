import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupSystem

/// The administrator's CLI. Today: the package tool (`exup pkg`).
@main
struct Exup: ParsableCommand {
    /// Refuses to start without /proc, then parses, runs and exits with the status of ExitStatus.
    static func main() { CommandMain.runAsync(Self.self, program: "exup") }

    static let configuration = CommandConfiguration(
        commandName: "exup",
        abstract: "Drive an exup manager and build and verify update packages.",
        version: ExupVersion.string,
        subcommands: [
            Pkg.self, Repo.self, Servers.self, ServerCommand.self, Approve.self, Cancel.self, Uninstall.self, Agents.self, AgentLogs.self,
            LogCommand.self,
            Login.self, Users.self, Groups.self, Schedules.self,
        ]
    )
}

/// Flags every command shares.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false
}
