import ArgumentParser
import FoundationEssentials
import TUF

// Mirrors of the manager's fleet JSON (ServerSummary, ServerDetail, AgentSummary in the Manager module).
struct ServerSummaryBody: Codable { var name: String; var status: String; var statusText: String; var model: String?; var os: String?; var lastSeen: String }
struct ModuleBody: Codable {
    var id: String; var name: String; var current: String?; var available: String?; var status: String; var statusText: String
    var source: String; var previous: String?; var choices: [String]; var choicesAllVersions: [String]
}
struct RunItemBody: Codable {
    var id: Int64; var kind: String; var module: String; var packageID: String?; var version: String?; var state: String
    var percent: Int?; var message: String?
}
struct RunBody: Codable { var items: [RunItemBody]; var percent: Int }
struct ServerDetailBody: Codable {
    var name: String; var status: String; var statusText: String; var model: String?; var os: String?; var lastSeen: String
    var modules: [ModuleBody]; var run: RunBody
}
struct AgentSummaryBody: Codable { var name: String; var enrolledAt: String; var lastSeen: String; var revoked: Bool; var reportSequence: Int64 }

/// `exup servers`: the fleet and each server's status (seed Table 10).
struct Servers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "servers", abstract: "List the managed servers and their update status.")
    @Option(help: "Only servers with this status: communication-failure, unknown, applying, uninstalling, update-available, apply-failed, reboot-required, latest.")
    var filter: String?
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    static let statuses: Set<String> = ["communication-failure", "unknown", "applying", "uninstalling", "update-available", "apply-failed",
                                        "reboot-required", "latest"]

    func validate() throws {
        if let filter, !Servers.statuses.contains(filter) {
            throw ValidationError("--filter must be one of: \(Servers.statuses.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        let servers = try server.client().call("GET", "/api/v1/servers", as: [ServerSummaryBody].self).filter { filter == nil || $0.status == filter }
        if output.json { return try JSONOutput.print(servers) }
        guard !servers.isEmpty else { return print("no servers yet: enrol an agent with a token from `exup agents token create`") }
        let rows = servers.map { [$0.name, $0.statusText, $0.model ?? "-", $0.os ?? "-", $0.lastSeen] }
        print(TextTable.render(["SERVER", "STATUS", "MODEL", "OS", "LAST SEEN"], rows))
    }
}

/// `exup server show NAME`: modules, versions, statuses (Tables 8–9) and the current run.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "server", abstract: "Show one managed server.",
                                                    subcommands: [Show.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A server's modules, their versions and statuses, and its current run.")
        @Argument(help: "The server (agent) name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let detail = try server.client().call("GET", "/api/v1/servers/\(FleetPath.escape(name))", as: ServerDetailBody.self)
            if output.json { return try JSONOutput.print(detail) }
            print("\(detail.name): \(detail.statusText)   model \(detail.model ?? "-")   OS \(detail.os ?? "-")   last seen \(detail.lastSeen)")
            let rows = detail.modules.map { module in
                [module.id, module.name, (module.current ?? "-") + (module.previous.map { " (was \($0))" } ?? ""), module.available ?? "-", module.statusText,
                 module.choicesAllVersions.isEmpty ? "-" : module.choicesAllVersions.joined(separator: ", ")]
            }
            print(TextTable.render(["MODULE", "NAME", "CURRENT", "AVAILABLE", "STATUS", "CAN APPROVE (--no-latest-only)"], rows))
            if !detail.run.items.isEmpty {
                print("\nrun: \(detail.run.percent)%")
                for item in detail.run.items {
                    print("  #\(item.id) \(item.kind) \(item.module) \(item.version ?? "newest"): \(item.state)"
                          + (item.percent.map { " \($0)%" } ?? "") + (item.message.map { " — \($0)" } ?? ""))
                }
            }
        }
    }
}

/// `exup approve NAME`: central approval of pending updates (seed §2.1.2, §2.1.8).
struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve updates for a server; its agent applies them at its next poll.",
        discussion: "Without --module, every module whose status is \"update available\" is approved for its newest package. "
            + "Each pick is checked first (downgrades, model/OS, running work); one refusal refuses the whole approval."
    )
    @Argument(help: "The server (agent) name.") var name: String
    @Option(name: .customLong("module"), help: "MODULE or MODULE=VERSION; repeat for several.") var modules: [String] = []
    @Flag(help: "Allow the agent to reboot the server when a package needs it.") var allowReboot = false
    @Flag(help: "Allow picking a version that is not the newest (still never a downgrade unless the package allows it).") var noLatestOnly = false
    @Flag(help: "Pick the newest package when the run starts rather than now.") var latestAtRunTime = false
    @Flag(help: "Download every package before applying the first.") var downloadFirst = false
    @Option(help: "Start no earlier than this UTC time (YYYY-MM-DDTHH:MM:SSZ).") var notBefore: String?
    @Option(help: "When the agent loses the manager mid-run: stop (finish the running item, cancel the rest) or continue.")
    var onLostContact: String = "stop"
    @Flag(help: "Start firmware items even when the BMC reports a critical sensor.") var overrideHealthGate = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    struct Body: Encodable {
        struct Choice: Encodable { var id: String; var version: String? }
        var modules: [Choice]?
        var allowReboot: Bool; var latestOnly: Bool; var latestAtRunTime: Bool; var downloadFirst: Bool; var onLostContact: String
        var notBefore: Int64?; var overrideHealthGate: Bool
    }

    func run() throws {
        let choices = try modules.map { text -> Body.Choice in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard let id = parts.first, !id.isEmpty else { throw ValidationError("--module takes MODULE or MODULE=VERSION, not \"\(text)\"") }
            return Body.Choice(id: id, version: parts.count == 2 ? parts[1] : nil)
        }
        var start: Int64?
        if let notBefore {
            guard let seconds = UTCTime(notBefore)?.seconds else { throw ValidationError("--not-before must look like 2026-12-01T02:00:00Z") }
            start = seconds
        }
        let body = Body(modules: choices.isEmpty ? nil : choices, allowReboot: allowReboot, latestOnly: !noLatestOnly,
                        latestAtRunTime: latestAtRunTime, downloadFirst: downloadFirst, onLostContact: onLostContact, notBefore: start,
                        overrideHealthGate: overrideHealthGate)
        let items = try server.client().call("POST", "/api/v1/servers/\(FleetPath.escape(name))/approve", body: body, as: [RunItemBody].self)
        if output.json { return try JSONOutput.print(items) }
        for item in items { print("approved #\(item.id): \(item.module) → \(item.version ?? "newest at run time")") }
    }
}

/// `exup cancel NAME`: cancels approved items the agent has not started (R061–R063).
struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a server's approved items that have not started.")
    @Argument(help: "The server (agent) name.") var name: String
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    struct Outcome: Codable {
        struct Refused: Codable { var id: Int64; var module: String; var reason: String }
        var cancelled: [Int64]; var refused: [Refused]
    }

    func run() throws {
        let outcome = try server.client().call("POST", "/api/v1/servers/\(FleetPath.escape(name))/cancel", as: Outcome.self)
        if output.json { return try JSONOutput.print(outcome) }
        print(outcome.cancelled.isEmpty ? "nothing to cancel" : "cancelled " + outcome.cancelled.map { "#\($0)" }.joined(separator: ", "))
        for refused in outcome.refused { print("not cancelled #\(refused.id) \(refused.module): \(refused.reason)") }
        if !outcome.refused.isEmpty { throw ExitCode(3) }
    }
}

/// `exup uninstall NAME --module ID`: removes a module whose package ships an uninstaller (seed §3.9).
struct Uninstall: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Uninstall a software module from a server.")
    @Argument(help: "The server (agent) name.") var name: String
    @Option(help: "The module to remove.") var module: String
    @Flag(help: "Allow the agent to reboot the server when the uninstaller needs it.") var allowReboot = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    struct Body: Encodable { var module: String; var allowReboot: Bool }

    func run() throws {
        let item = try server.client().call("POST", "/api/v1/servers/\(FleetPath.escape(name))/uninstall",
                                            body: Body(module: module, allowReboot: allowReboot), as: RunItemBody.self)
        if output.json { return try JSONOutput.print(item) }
        print("queued #\(item.id): uninstall \(item.module) \(item.version ?? "")")
    }
}

/// `exup agents`: enrolment tokens and agent credentials.
struct Agents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "Enrol, list, revoke and rotate agents.",
        subcommands: [Token.self, List.self, Revoke.self, Rotate.self, AllowReenrol.self], defaultSubcommand: List.self)

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enrolment tokens.", subcommands: [Create.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create an enrolment token (give it to `exup-agent enrol`).",
                discussion: "The token carries the SHA-256 of the repository's root.json, so the agent checks the root it is given.")
            @Option(help: "How long the token is valid: 30m, 24h, 7d (at most 90d).") var expires: String = "24h"
            @Option(help: "How many agents may enrol with it.") var uses: Int = 1
            @OptionGroup var server: ServerOptions
            @OptionGroup var output: OutputOptions

            struct Body: Encodable { var expiresInSeconds: Int64; var uses: Int }

            func run() throws {
                guard let seconds = TokenLifetime.seconds(expires) else { throw ValidationError("--expires takes a number and a unit (s, m, h, d), like 24h") }
                let answer = try server.client().call("POST", "/api/v1/agents/tokens", body: Body(expiresInSeconds: seconds, uses: uses),
                                                      as: [String: String].self)
                if output.json { return try JSONOutput.print(answer) }
                print(answer["token"] ?? "")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled agents.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let agents = try server.client().call("GET", "/api/v1/agents", as: [AgentSummaryBody].self)
            if output.json { return try JSONOutput.print(agents) }
            let rows = agents.map { [$0.name, $0.enrolledAt, $0.lastSeen, $0.revoked ? "revoked" : "active", String($0.reportSequence)] }
            print(TextTable.render(["AGENT", "ENROLLED", "LAST SEEN", "STATE", "REPORTS"], rows))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an agent's credential at once.")
        @Argument var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let answer = try server.client().call("POST", "/api/v1/agents/\(FleetPath.escape(name))/revoke", as: [String: String].self)
            if output.json { return try JSONOutput.print(answer) }
            print("revoked \(name)")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new credential for an agent (the old one stops working).")
        @Argument var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let answer = try server.client().call("POST", "/api/v1/agents/\(FleetPath.escape(name))/rotate", as: [String: String].self)
            if output.json { return try JSONOutput.print(answer) }
            print(answer["credential"] ?? "")
        }
    }

    struct AllowReenrol: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allow-reenrol", abstract: "Let a reinstalled server enrol again under its name.")
        @Argument var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let answer = try server.client().call("POST", "/api/v1/agents/\(FleetPath.escape(name))/allow-reenrolment", as: [String: String].self)
            if output.json { return try JSONOutput.print(answer) }
            print("\(name) may enrol again with a new token")
        }
    }
}

enum TokenLifetime {
    /// `90s`, `30m`, `24h`, `7d` → seconds.
    static func seconds(_ text: String) -> Int64? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86_400
        default: return nil
        }
    }
}

enum FleetPath {
    /// Agent names are letters, digits and -_.@; anything else is percent-encoded.
    static func escape(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isLetter && byte < 0x80 || c.isNumber && byte < 0x80 || "-_.@".contains(c) { out.append(c) } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
