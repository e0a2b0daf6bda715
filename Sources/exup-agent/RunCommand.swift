import Agent
import AgentServices
import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupFormats
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

/// `exup-agent status`: the local state, without asking the manager anything. `--json` carries everything
/// the text shows: the status and modules at the top level (as before), the daemon, the last poll, the
/// manager, the approved work and the items.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show this agent's local state.")
    @OptionGroup var options: ConfigOptions

    struct Daemon: Codable {
        var running: Bool
        var pid: Int?
        var busy: Bool?
    }

    struct Report: Encodable {
        var enrolled: Bool
        var name: String?
        var manager: String?
        var status: String
        var statusText: String
        var reason: String?
        var modules: [LocalStatus.Module]
        var daemon: Daemon
        var lastPoll: String?
        var lastReport: Int64?
        var metadataRefusal: String?
        var approvedWork: [ApprovedItem]
        var items: [AgentReport.ItemState]
    }

    struct ApprovedItem: Encodable { var id: Int64; var kind: String; var module: String; var version: String?; var allowReboot: Bool }

    func run() throws {
        let configuration = try options.load()
        let store = AgentStateStore(directory: configuration.agent.stateDirectory)
        let state: AgentState?
        do { state = try store.load() } catch let error as AgentError { throw CommandFailure(error.description) }
        let daemon = Self.daemon(configuration.agent.socketPath)
        guard let state else {
            if options.json {
                return try JSONOutput.print(
                    Report(
                        enrolled: false, manager: configuration.manager.url, status: "not-enrolled", statusText: "Not enrolled",
                        modules: [], daemon: daemon.0, approvedWork: [], items: []))
            }
            print("not enrolled (state directory \(configuration.agent.stateDirectory)); run exup-agent run --once with an enrolment token")
            return
        }
        let journal: ApplyJournal
        do { journal = try ApplyJournalStore(stateDirectory: store.directory).load() } catch let error as AgentError {
            throw CommandFailure(error.description)
        }
        let bootID = LocalFile.readText(configuration.agent.bootIDFile, limit: 256)?.trimmingScalars(in: " \n")
        let local = LocalStatus(state: state, activities: journal.activities(bootID: bootID))
        // The running daemon knows its last poll to the second; the state on disk only to the quarter hour.
        let lastPoll = (daemon.lastPoll ?? state.lastPoll).map { UTCTime(seconds: $0).description }
        let approved = (state.directives?.items ?? []).map {
            ApprovedItem(id: $0.id, kind: $0.kind.rawValue, module: $0.moduleID, version: $0.version, allowReboot: $0.options.allowReboot)
        }
        let items = journal.entries.compactMap(\.reported)
        if options.json {
            return try JSONOutput.print(
                Report(
                    enrolled: true, name: state.name, manager: state.managerURL, status: local.status, statusText: local.statusText,
                    reason: local.reason, modules: local.modules, daemon: daemon.0, lastPoll: lastPoll,
                    lastReport: state.sequence, metadataRefusal: state.metadataRefusal, approvedWork: approved, items: items))
        }
        print("\(state.name): \(local.statusText)" + (local.reason.map { " (\($0))" } ?? "") + "   (manager \(state.managerURL))")
        if daemon.0.running {
            print("daemon: running (pid \(daemon.0.pid ?? 0))" + (daemon.0.busy == true ? ", working" : ", idle"))
        } else {
            print("daemon: not running (state read from \(configuration.agent.stateDirectory))")
        }
        let pollNote = daemon.lastPoll == nil ? " (as recorded on disk, to the quarter hour: an idle poll writes nothing)" : ""
        print("last report #\(state.sequence)" + (lastPoll.map { ", last poll \($0)\(pollNote)" } ?? ""))
        if let refusal = state.metadataRefusal { print(refusal) }
        let rows = local.modules.map { [$0.statusText, $0.name, $0.current ?? "-", $0.available ?? "-"] }
        if !rows.isEmpty { print(InventoryText.table(["STATUS", "MODULE", "CURRENT", "AVAILABLE"], rows)) }
        AgentText.printDirectives(state.directives, changed: false)
        AgentText.printItems(items)
    }

    /// The daemon's answer to ping: whether it runs, its pid, whether it is working, its last poll.
    static func daemon(_ socket: String) -> (Daemon, lastPoll: Int64?) {
        let answer = (try? ControlSocket.request(socket, #"{"command":"ping"}"#)).flatMap { $0 }
            .flatMap { try? JSONDecoder().decode([String: JSONScalar].self, from: Data($0.utf8)) }
        guard let pid = answer?["pid"]?.number else { return (Daemon(running: false), nil) }
        let last = answer?["lastPoll"]?.number.flatMap { $0 > 0 ? Int64($0) : nil }
        return (Daemon(running: true, pid: pid, busy: answer?["busy"]?.bool), last)
    }
}

enum AgentText {
    /// The exit status of a cycle: 1 when an item of it failed or was refused and none succeeded, 2 when
    /// some did and some did not (the output above already says which).
    static func judge(_ outcome: AgentCycle.Outcome, json: Bool) throws {
        let ran = outcome.items.filter { outcome.endedNow.contains($0.itemID) }  // earlier runs' results do not count
        let failed = ran.filter { $0.state == .failed }
        guard !failed.isEmpty else { return }
        let succeeded = ran.contains { $0.state == .succeeded || $0.state == .rebootRequired }
        if json { throw ExitCode(succeeded ? ExitStatus.partial.rawValue : ExitStatus.failure.rawValue) }
        let list = failed.map { "#\($0.itemID)" }.joined(separator: ", ")
        let summary = "\(failed.count) of \(ran.count) item(s) failed or were refused (\(list))"
        throw succeeded ? CommandFailure.partial(summary) : CommandFailure(summary, code: "item-failed")
    }

    static func printOutcome(_ outcome: AgentCycle.Outcome, json: Bool) throws {
        if json { return try JSONOutput.print(outcome) }
        if outcome.enrolledNow { print("enrolled as \(outcome.name); root.json pinned") }
        print(outcome.reported.map { "report #\($0) sent" } ?? "nothing changed: no new report")
        for problem in outcome.problems { print("  could not read: \(problem)") }
        if let refusal = outcome.metadataRefusal { print(refusal + " (the last trusted metadata is kept)") }
        print(
            outcome.offered.isEmpty
                ? "the repository offers nothing for this model"
                : "the repository offers (TUF-verified): " + outcome.offered.joined(separator: ", "))
        printDirectives(outcome.directives, changed: outcome.directivesChanged)
        printItems(outcome.items)
        if outcome.waitingReports > 0 { print("\(outcome.waitingReports) report(s) wait in the outbox for the manager") }
    }

    static func printDirectives(_ directives: Directives?, changed: Bool) {
        guard let directives else { return }
        let items = directives.items
        print(
            items.isEmpty
                ? "no approved work left" + (changed ? " (directives updated)" : "")
                : "approved work" + (changed ? " (new)" : "") + ":")
        for item in items {
            print(
                "  #\(item.id) \(item.kind.rawValue) \(item.moduleID) → \(item.version ?? "newest at run time")"
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
        if let value = try? container.decode(Int.self) {
            self = .number(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            self = .other
        }
    }

    var number: Int? { if case .number(let n) = self { n } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
}
