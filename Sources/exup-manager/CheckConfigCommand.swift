import ArgumentParser
import ExupCommandLine
import ExupSystem
import ManagerServer
import TOML

/// `exup-manager check-config`: reads the configuration as `serve` would and reports every problem with
/// its line; exits 0 only when the manager would start with it.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration file: every problem with its line; exit status 0 only when the manager would start with it.")
    @Option(help: "The configuration file.") var config: String = "/etc/exup/manager.toml"
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Report: Encodable {
        var file: String
        var ok: Bool
        var problems: [String]
        var warnings: [String]
        var notes: [String]
    }

    func run() throws {
        guard let text = LocalFile.readText(config, limit: 1 << 20) else {
            throw CommandFailure("\(config): " + LocalFile.unreadableReason(config, limit: 1 << 20), code: "configuration")
        }
        var problems = TOMLProblems.collect(text) { text throws(TOMLError) in _ = try ManagerConfiguration.parse(text) }
            .sorted { $0.line < $1.line }.map { "\(config): \($0)" }
        var warnings: [String] = [], notes: [String] = []
        if problems.isEmpty, let configuration = try? ManagerConfiguration.parse(text) {
            warnings = configuration.warnings
            let checks = Self.startChecks(configuration)
            problems += checks.problems.map { "\(config): \($0)" }
            notes = checks.notes
        }
        if json {
            try JSONOutput.print(Report(file: config, ok: problems.isEmpty, problems: problems, warnings: warnings, notes: notes))
        } else {
            for problem in problems { say(problem) }
            for warning in warnings { say("\(config): warning: \(warning)") }
            for note in notes { say("\(config): note: \(note)") }
            if problems.isEmpty { say("\(config): OK, the manager would start with it") }
        }
        if !problems.isEmpty { throw ExitCode(ExitStatus.failure.rawValue) }
    }

    /// What the file says correctly but would still stop `serve`; notes for what may be fine.
    static func startChecks(_ configuration: ManagerConfiguration) -> (problems: [String], notes: [String]) {
        var problems: [String] = [], notes: [String] = []
        let data = configuration.dataDirectory
        let parent = data.lastIndex(of: "/").map { String(data[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        if !LocalFile.isDirectory(data) && !LocalFile.isDirectory(parent) {
            problems.append("[repository] data-dir \(data) does not exist and neither does its parent \(parent)")
        }
        if let keys = configuration.trustedKeys, !LocalFile.isDirectory(keys) {
            problems.append("[repository] trusted-keys \(keys) does not exist: create it and put the vendors' public keys (*.pem) in it")
        }
        if LocalFile.exists(data) && !LocalFile.isDirectory(data) { problems.append("[repository] data-dir \(data) is a file, not a directory") }
        do { _ = try ManagerApplication.tlsConfiguration(configuration) } catch { problems.append("\(error)") }
        if let problem = ListenProbe.problem(host: configuration.listenHost, port: configuration.listenPort) {
            notes.append(
                "\(configuration.listenHost):\(configuration.listenPort) cannot be listened on now (\(problem)): fine if this manager is running")
        }
        return (problems, notes)
    }
}
