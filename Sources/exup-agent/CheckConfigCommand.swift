import Agent
import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupSystem
import TOML

#if canImport(Glibc)
    import Glibc
#endif

/// `exup-agent check-config`: reads the configuration as the daemon would and reports every problem with
/// its line; exits 0 only when the daemon would start with it.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration file: every problem with its line; exit status 0 only when the agent would start with it.")
    @OptionGroup var options: ConfigOptions

    struct Report: Encodable {
        var file: String
        var ok: Bool
        var problems: [String]
        var warnings: [String]
    }

    func run() throws {
        let path = options.config
        guard let text = LocalFile.readText(path, limit: 1 << 20) else {
            throw CommandFailure("\(path): " + LocalFile.unreadableReason(path, limit: 1 << 20), code: "configuration")
        }
        var problems = TOMLProblems.collect(text) { text throws(TOMLError) in _ = try AgentConfiguration.parse(text, relativeTo: path) }
            .sorted { $0.line < $1.line }.map { "\(path): \($0)" }
        var warnings: [String] = []
        if problems.isEmpty, let configuration = try? AgentConfiguration.parse(text, relativeTo: path) {
            warnings = configuration.warnings
            problems += Self.startProblems(configuration).map { "\(path): \($0)" }
        }
        if options.json {
            try JSONOutput.print(Report(file: path, ok: problems.isEmpty, problems: problems, warnings: warnings))
        } else {
            for problem in problems { print(problem) }
            for warning in warnings { print("\(path): warning: \(warning)") }
            if problems.isEmpty { print("\(path): OK, the agent would start with it") }
        }
        if !problems.isEmpty { throw ExitCode(ExitStatus.failure.rawValue) }
    }

    /// What the file says correctly but would still stop the daemon.
    static func startProblems(_ configuration: AgentConfiguration) -> [String] {
        var problems: [String] = []
        if configuration.manager.url == nil { problems.append("[manager] url is not set: the agent has no manager to poll") }
        if !LocalFile.isDirectory(configuration.trust.keysDirectory) {
            problems.append("[trust] keys-dir \(configuration.trust.keysDirectory) does not exist: the agent could verify no package")
        }
        if let ca = configuration.manager.caFile, !LocalFile.exists(ca) { problems.append("[manager] ca-file \(ca) does not exist") }
        let state = configuration.agent.stateDirectory  // created at the first start when missing
        if configuration.agent.socketPath.utf8.count >= 108 {
            problems.append("[agent] socket \(configuration.agent.socketPath) is too long (at most 107 bytes)")
        }
        if access(configuration.agent.rebootCommand[0], X_OK) != 0 {
            problems.append("[agent] reboot-command \(configuration.agent.rebootCommand[0]) is not an executable file")
        }
        let enrolled = LocalFile.exists(state + "/credential")
        if !enrolled, let missing = configuration.manager.enrolmentTokenFileMissing {
            problems.append("not enrolled yet and [manager] enrolment-token-file \(missing) does not exist")
        } else if !enrolled, let token = configuration.manager.enrolmentToken, EnrolmentToken.parse(token) == nil {
            problems.append("the enrolment token is malformed (expected exup1.<secret>.<sha256>, as exup agents token create prints it)")
        } else if !enrolled && configuration.manager.enrolmentToken == nil {
            problems.append("not enrolled yet and no [manager] enrolment-token-file: the first poll could not enrol")
        }
        return problems
    }
}
