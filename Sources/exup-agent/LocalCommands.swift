import Agent
import AgentServices
import ArgumentParser
import ExupCommandLine
import ExupCore
import FoundationEssentials

/// `exup-agent check|apply|cancel`: asks the running daemon over its socket and waits for the cycle
/// that answers; with no daemon, runs that cycle here (under the same lock, so never beside one).
protocol LocalCycleCommand: ParsableCommand {
    var options: ConfigOptions { get }
    static var mode: AgentCycle.Mode { get }
}

extension LocalCycleCommand {
    func run() throws {
        let configuration = try options.load()
        let outcome: AgentCycle.Outcome
        let progress = Self.mode == .apply && !options.json ? ApplyProgress(stateDirectory: configuration.agent.stateDirectory) : nil
        progress?.start()
        defer { progress?.stop() }
        do {
            if let line = try ControlSocket.request(configuration.agent.socketPath, #"{"command":"\#(Self.mode.rawValue)"}"#) {
                guard let answer = try? JSONDecoder().decode(ControlAnswer.self, from: Data(line.utf8)) else {
                    throw AgentError("the daemon's answer is not understood: \(line.prefix(200))")
                }
                guard answer.ok, let daemonOutcome = answer.outcome else { throw AgentError(answer.error ?? "the daemon refused") }
                outcome = daemonOutcome
            } else {
                outcome = try AgentCycle(configuration: configuration, mode: Self.mode).runOnce()
            }
        } catch let error as AgentError { throw CommandFailure(error.description) }
        progress?.stop(results: outcome.items)
        try AgentText.printOutcome(outcome, json: options.json)
        switch Self.mode {
        case .apply: try AgentText.judge(outcome, json: options.json)  // the run's result is the exit status
        case .cancel where !options.json:
            let cancelled = outcome.items.filter { outcome.endedNow.contains($0.itemID) && $0.state == .cancelled }.map { "#\($0.itemID)" }
            print(cancelled.isEmpty ? "nothing to cancel: no approved item was waiting" : "cancelled \(cancelled.joined(separator: ", "))")
        case .check, .cancel: break
        }
    }
}

struct CheckCommand: LocalCycleCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Poll now: read the inventory, refresh the repository's metadata, report; apply nothing.")
    static let mode = AgentCycle.Mode.check
    @OptionGroup var options: ConfigOptions
}

struct ApplyCommand: LocalCycleCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Poll now and run the approved items that are due, in order; waits until they are done.")
    static let mode = AgentCycle.Mode.apply
    @OptionGroup var options: ConfigOptions
}

struct CancelCommand: LocalCycleCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel every approved item that has not started (a running one finishes).")
    static let mode = AgentCycle.Mode.cancel
    @OptionGroup var options: ConfigOptions
}

/// `exup-agent log-bundle --out FILE`: what the manager gets when it asks for the agent's logs.
struct LogBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-bundle", abstract: "Write the agent's log bundle (state, journal, program output, waiting reports) as a tar.gz.")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Where to write the bundle.") var out: String

    func run() throws {
        let configuration = try options.load()
        do { try LogBundle.write(stateDirectory: configuration.agent.stateDirectory, to: out) } catch let error as AgentError {
            throw CommandFailure(error.description)
        }
        if options.json {
            print(String(decoding: try JSONEncoder().encode(["written": out]), as: UTF8.self))
        } else {
            print("log bundle written to \(out)")
        }
    }
}
