import Agent
import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupSystem
import FoundationEssentials
import TUF

/// `exup-agent run`: the agent's daemon (a poll now, then every poll interval with jitter; systemd
/// notify and watchdog; graceful on SIGTERM). `--once` runs one poll and exits.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll the manager: enrol on first start, report the inventory when it changed, fetch the directives.")

    @OptionGroup var options: ConfigOptions
    @Flag(help: "Run one poll and exit.") var once = false

    func run() async throws {
        guard once else { return try await AgentDaemon.run(try options.load(warn: false)) }
        let outcome: AgentCycle.Outcome
        do { outcome = try AgentCycle(configuration: try options.load()).runOnce() } catch let error as AgentError {
            throw CommandFailure(error.description)
        }
        try AgentText.printOutcome(outcome, json: options.json)
        try AgentText.judge(outcome, json: options.json)
    }
}

/// `exup-agent status`: the local state, without asking the manager anything.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show this agent's local state.")
    @OptionGroup var options: ConfigOptions

    func run() throws {
        let configuration = try options.load()
        let store = AgentStateStore(directory: configuration.agent.stateDirectory)
        let state: AgentState?
        do { state = try store.load() } catch let error as AgentError { throw CommandFailure(error.description) }
        guard let state else {
            if options.json { return print(#"{"status": "not-enrolled", "modules": []}"#) }
            print("not enrolled (state directory \(configuration.agent.stateDirectory)); run exup-agent run --once with an enrolment token")
            return
        }
        let journal: ApplyJournal
        do { journal = try ApplyJournalStore(stateDirectory: store.directory).load() } catch let error as AgentError {
            throw CommandFailure(error.description)
        }
        let bootID = LocalFile.readText(configuration.agent.bootIDFile, limit: 256)?.trimmingScalars(in: " \n")
        let local = LocalStatus(state: state, activities: journal.activities(bootID: bootID))
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(local), as: UTF8.self))
            return
        }
        print("\(state.name): \(local.statusText)   (manager \(state.managerURL))")
        let daemon = (try? ControlSocket.request(configuration.agent.socketPath, #"{"command":"ping"}"#)).flatMap { $0 }
            .flatMap { try? JSONDecoder().decode([String: JSONScalar].self, from: Data($0.utf8)) }
        if let pid = daemon?["pid"]?.number {
            print("daemon: running (pid \(pid))" + (daemon?["busy"]?.bool == true ? ", working" : ", idle"))
        } else {
            print("daemon: not running (state read from \(configuration.agent.stateDirectory))")
        }
        print("last report #\(state.sequence)" + (state.lastPoll.map { ", last poll \(UTCTime(seconds: $0).description)" } ?? ""))
        if let refusal = state.metadataRefusal { print(refusal) }
        let rows = local.modules.map { [$0.statusText, $0.name, $0.current ?? "-", $0.available ?? "-"] }
        print(InventoryText.table(["STATUS", "MODULE", "CURRENT", "AVAILABLE"], rows))
        AgentText.printDirectives(state.directives, changed: false)
        AgentText.printItems(journal.entries.compactMap(\.reported))
    }
}

enum AgentText {
    /// The exit status of a cycle: 1 when an item of it failed or was refused and none succeeded, 2 when
    /// some did and some did not (the output above already says which).
    static func judge(_ outcome: AgentCycle.Outcome, json: Bool) throws {
        let failed = outcome.items.filter { $0.state == .failed }
        guard !failed.isEmpty else { return }
        let succeeded = outcome.items.contains { $0.state == .succeeded || $0.state == .rebootRequired }
        if json { throw ExitCode(succeeded ? ExitStatus.partial.rawValue : ExitStatus.failure.rawValue) }
        let list = failed.map { "#\($0.itemID)" }.joined(separator: ", ")
        let summary = "\(failed.count) of \(outcome.items.count) item(s) failed or were refused (\(list))"
        throw succeeded ? CommandFailure.partial(summary) : CommandFailure(summary, code: "item-failed")
    }

    static func printOutcome(_ outcome: AgentCycle.Outcome, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(outcome), as: UTF8.self))
            return
        }
        if outcome.enrolled { print("enrolled as \(outcome.name); root.json pinned") }
        print(outcome.reported.map { "report #\($0) sent" } ?? "nothing changed: no new report")
        for problem in outcome.problems { print("  could not read: \(problem)") }
        if let refusal = outcome.metadataRefusal { print(refusal + " (the last trusted metadata is kept)") }
        print(outcome.offered.isEmpty ? "the repository offers nothing for this model"
              : "the repository offers (TUF-verified): " + outcome.offered.joined(separator: ", "))
        printDirectives(outcome.directives, changed: outcome.directivesChanged)
        printItems(outcome.items)
        if outcome.waitingReports > 0 { print("\(outcome.waitingReports) report(s) wait in the outbox for the manager") }
    }

    static func printDirectives(_ directives: Directives?, changed: Bool) {
        guard let directives else { return }
        let items = directives.items
        print(items.isEmpty ? "no approved work left" + (changed ? " (directives updated)" : "")
              : "approved work" + (changed ? " (new)" : "") + ":")
        for item in items {
            print("  #\(item.id) \(item.kind.rawValue) \(item.moduleID) → \(item.version ?? "newest at run time")"
                  + (item.options.allowReboot ? " (reboot allowed)" : ""))
        }
        if directives.uploadLogBundle { print("  the manager asked for a log bundle") }
    }

    static func printItems(_ items: [AgentReport.ItemState]) {
        for item in items {
            print("  item #\(item.itemID): \(item.state.rawValue)" + (item.percent.map { " \($0)%" } ?? "") + (item.message.map { " — \($0)" } ?? ""))
        }
    }
}

/// A JSON number or boolean, for the daemon's ping answer.
enum JSONScalar: Decodable {
    case number(Int), bool(Bool), other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .number(value) } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else { self = .other }
    }

    var number: Int? { if case .number(let n) = self { n } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
}
