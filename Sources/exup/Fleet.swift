import ArgumentParser
import ExupCommandLine
import ExupCore
import ExupFormats
import ExupSystem
import FoundationEssentials
import ManagerAPIModel
import TUF

/// `exup servers`: the fleet and each server's status (seed Table 10).
struct Servers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "servers", abstract: "List the managed servers and their update status.")
    @Option(
        help:
            "Only these servers: latest or apply-failed (the server's status), update-available, reboot-required, applying or uninstalling (at least one module so), communication-failure, unknown."
    )
    var filter: String?
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let filter, ServerFilter(filter) == nil {
            let hint = ClosestName.suggest(filter, among: ServerFilter.names).map { " (did you mean \($0)?)" } ?? ""
            throw ValidationError("--filter must be one of: \(ServerFilter.names.joined(separator: ", "))\(hint)")
        }
    }

    func run() async throws {
        let query = Operations.ListServers.Input.Query(filter: filter.flatMap(Components.Schemas.ServerFilter.init(rawValue:)))
        let servers = try await server.client().call { try await $0.listServers(query: query).ok.body.json }
        if output.json { return try JSONOutput.print(servers) }
        guard !servers.isEmpty else {
            return print(filter.map { "no server matches \($0)" } ?? "no servers yet: enrol an agent with a token from `exup agents token create`")
        }
        let rows = servers.map { [$0.name, $0.statusText, $0.model ?? "-", $0.os ?? "-", $0.lastSeen.utc] }
        print(TextTable.render(["SERVER", "STATUS", "MODEL", "OS", "LAST SEEN"], rows))
    }
}

/// `exup server show NAME`: modules, versions, statuses (Tables 8–9) and the current run.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Show one managed server.",
        subcommands: [Show.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A server's modules, their versions and statuses, and its current run.")
        @Argument(help: "The server (agent) name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let detail = try await server.client().call { try await $0.getServer(path: .init(name: name)).ok.body.json }
            if output.json { return try JSONOutput.print(detail) }
            print(
                "\(detail.name): \(detail.statusText)" + (detail.reason.map { " (\($0))" } ?? "")
                    + "   model \(detail.model ?? "-")   OS \(detail.os ?? "-")   last seen \(detail.lastSeen.utc)")
            let rows = detail.modules.map { module in
                [
                    module.id, module.name, (module.current ?? "-") + (module.previous.map { " (was \($0))" } ?? ""), module.available ?? "-",
                    module.statusText,
                    module.choicesAllVersions.isEmpty ? "-" : module.choicesAllVersions.joined(separator: ", "),
                ]
            }
            print(TextTable.render(["MODULE", "NAME", "CURRENT", "AVAILABLE", "STATUS", "CAN APPROVE (--no-latest-only)"], rows))
            if !detail.run.items.isEmpty {
                print("\nrun: \(detail.run.percent)%")
                for item in detail.run.items {
                    print(
                        "  #\(item.id) \(item.kind.rawValue) \(item.module) \(item.version ?? "newest"): \(item.state.rawValue)"
                            + (item.percent.map { " \($0)%" } ?? "") + (item.message.map { " — \($0)" } ?? ""))
                }
            }
        }
    }
}

/// `exup approve NAME`: central approval of pending updates (seed §2.1.2, §2.1.8).
struct Approve: AsyncParsableCommand {
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
    @Flag(help: "Follow the run with per-item progress until it ends; the exit status is the run's (0 all succeeded, 1 failed, 2 some failed).")
    var wait = false
    @Option(help: "With --wait: give up waiting after this long (30m, 2h; the run goes on).") var waitTimeout: String = "2h"
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard ["stop", "continue"].contains(onLostContact) else { throw ValidationError("--on-lost-contact must be stop or continue") }
        guard TokenLifetime.seconds(waitTimeout) != nil else {
            throw ValidationError("--wait-timeout takes a number and a unit (s, m, h, d), like 2h")
        }
    }

    func run() async throws {
        let choices = try modules.map { text -> Components.Schemas.ModuleChoice in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard let id = parts.first, !id.isEmpty else { throw ValidationError("--module takes MODULE or MODULE=VERSION, not \"\(text)\"") }
            return Components.Schemas.ModuleChoice(id: id, version: parts.count == 2 ? parts[1] : nil)
        }
        var start: Int64?
        if let notBefore {
            guard let seconds = UTCTime(notBefore)?.seconds else { throw ValidationError("--not-before must look like 2026-12-01T02:00:00Z") }
            start = seconds
        }
        let body = Components.Schemas.ApproveRequest(
            modules: choices.isEmpty ? nil : choices, allowReboot: allowReboot, latestOnly: !noLatestOnly, notBefore: start,
            downloadFirst: downloadFirst, onLostContact: Components.Schemas.OnLostContact(rawValue: onLostContact),
            overrideHealthGate: overrideHealthGate, latestAtRunTime: latestAtRunTime)
        let client = try server.client()
        let items = try await client.call { try await $0.approveServerUpdates(path: .init(name: name), body: .json(body)).created.body.json }
        if !output.json { for item in items { print("approved #\(item.id): \(item.module) → \(item.version ?? "newest at run time")") } }
        guard wait else { return output.json ? try JSONOutput.print(items) : () }
        let final = try await RunFollower(
            client: client, server: name, items: Set(items.map(\.id)), live: !output.json,
            timeoutSeconds: TokenLifetime.seconds(waitTimeout) ?? 7200
        ).follow()
        if output.json { try JSONOutput.print(final) }
        let failed = final.filter { $0.state == .failed || $0.state == .cancelled }
        guard !failed.isEmpty else { return }
        let summary =
            "\(failed.count) of \(final.count) item(s) did not succeed: "
            + failed.map { "#\($0.id) \($0.module) \($0.state.rawValue)" }.joined(separator: ", ")
        if output.json { throw ExitCode(failed.count == final.count ? ExitStatus.failure.rawValue : ExitStatus.partial.rawValue) }
        throw failed.count == final.count ? CommandFailure(summary, code: "item-failed") : CommandFailure.partial(summary)
    }
}

/// Follows a server's run on the manager until the given items end: one line per item, live on a
/// terminal (state and percent), plain otherwise.
struct RunFollower {
    let client: ManagerClient
    let server: String
    let items: Set<Int64>
    let live: Bool
    let timeoutSeconds: Int64

    static let finished: Set<Components.Schemas.ItemLifecycle> = [.succeeded, .failed, .cancelled, .rebootRequired]

    func follow() async throws -> [Components.Schemas.RunItem] {
        let line = live ? ProgressLine() : nil
        defer { line?.close() }
        var shown: [Int64: String] = [:]
        let deadline = Int64(time(nil)) + timeoutSeconds
        while true {
            let detail = try await client.call { try await $0.getServer(path: .init(name: server)).ok.body.json }
            let mine = detail.run.items.filter { items.contains($0.id) }
            for item in mine.sorted(by: { $0.id < $1.id }) {
                let text =
                    "#\(item.id) \(item.module) → \(item.version ?? "newest"): \(item.state.rawValue)" + (item.percent.map { " \($0)%" } ?? "")
                    + (item.message.map { " — \($0)" } ?? "")
                guard shown[item.id] != text else { continue }
                shown[item.id] = text
                if Self.finished.contains(item.state) { line?.finish(text) } else { line?.update(text) }
            }
            if mine.count == items.count, mine.allSatisfy({ Self.finished.contains($0.state) }) { return mine }
            if Int64(time(nil)) > deadline {
                throw CommandFailure(
                    "stopped waiting after \(timeoutSeconds / 60) min; the run goes on (exup server show \(server))", code: "timeout")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}

/// `exup cancel NAME`: cancels approved items the agent has not started (R061–R063).
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a server's approved items that have not started.")
    @Argument(help: "The server (agent) name.") var name: String
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let outcome = try await server.client().call { try await $0.cancelServerItems(path: .init(name: name)).ok.body.json }
        if output.json { return try JSONOutput.print(outcome) }
        print(outcome.cancelled.isEmpty ? "nothing to cancel" : "cancelled " + outcome.cancelled.map { "#\($0)" }.joined(separator: ", "))
        for refused in outcome.refused { print("not cancelled #\(refused.id) \(refused.module): \(refused.reason)") }
        if !outcome.refused.isEmpty { throw ExitCode(3) }
    }
}

/// `exup uninstall NAME --module ID`: removes a module whose package ships an uninstaller (seed §3.9).
struct Uninstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Uninstall a software module from a server.")
    @Argument(help: "The server (agent) name.") var name: String
    @Option(help: "The module to remove.") var module: String
    @Flag(help: "Allow the agent to reboot the server when the uninstaller needs it.") var allowReboot = false
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let body = Components.Schemas.UninstallRequest(module: module, allowReboot: allowReboot)
        let item = try await server.client().call {
            try await $0.uninstallServerModule(path: .init(name: name), body: .json(body)).created.body.json
        }
        if output.json { return try JSONOutput.print(item) }
        print("queued #\(item.id): uninstall \(item.module) \(item.version ?? "")")
    }
}

/// `exup agents`: enrolment tokens and agent credentials.
struct Agents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "Enrol, list, revoke and rotate agents.",
        subcommands: [Token.self, List.self, Revoke.self, Rotate.self, AllowReenrol.self], defaultSubcommand: List.self)

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrolment tokens: create, list, revoke.",
            subcommands: [Create.self, TokenList.self, TokenRevoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create an enrolment token for new agents (enrolment-token-file in agent.toml).",
                discussion: "The token carries the SHA-256 of the repository's root.json, so the agent checks the root it is given.")
            @Option(help: "How long the token is valid: 30m, 24h, 7d (at most 90d).") var expires: String = "24h"
            @Option(help: "How many agents may enrol with it.") var uses: Int = 1
            @Option(help: "The servers that enrol with it join this group.") var group: String?
            @Option(help: "Write the token to this file (created 0600) instead of printing it.") var out: String?
            @OptionGroup var server: ServerOptions
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard let seconds = TokenLifetime.seconds(expires) else {
                    throw ValidationError("--expires takes a number and a unit (s, m, h, d), like 24h")
                }
                guard seconds <= 90 * 86_400 else { throw ValidationError("--expires is at most 90d, not \(expires)") }
                guard (1...10_000).contains(uses) else { throw ValidationError("--uses must be 1 to 10000") }
            }

            func run() async throws {
                // The file is made first (0600, never over another): a token is created only when it can be kept.
                if let out {
                    do { try SecretFile.create(out, []) } catch { throw CommandFailure("cannot write the token to \(out): \(error.reason)") }
                }
                let seconds = TokenLifetime.seconds(expires) ?? 86_400
                let answer: Components.Schemas.CreatedToken
                do {
                    let body = Components.Schemas.CreateTokenRequest(expiresInSeconds: seconds, uses: uses, group: group)
                    answer = try await server.client().call { try await $0.createToken(body: .json(body)).created.body.json }
                } catch {
                    if let out { unlink(out) }
                    throw error
                }
                let token = answer.token
                if let out {
                    let fd = open(out, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
                    let bytes = Array((token + "\n").utf8)
                    guard fd >= 0, bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
                        if fd >= 0 { close(fd) }
                        throw CommandFailure(
                            "cannot write the token to \(out): \(String(cString: strerror(errno))); revoke it with exup agents token list / revoke")
                    }
                    close(fd)
                    if output.json { return try JSONOutput.print(["written": out]) }
                    return print("token written to \(out) (0600); valid \(expires), \(uses) use(s)" + (group.map { ", joins group \($0)" } ?? ""))
                }
                if output.json { return try JSONOutput.print(answer) }
                print(token)
            }
        }

        struct TokenList: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the enrolment tokens that can still be used.")
            @OptionGroup var server: ServerOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let tokens = try await server.client().call { try await $0.listTokens().ok.body.json }
                if output.json { return try JSONOutput.print(tokens) }
                guard !tokens.isEmpty else { return print("no enrolment token can be used now (exup agents token create makes one)") }
                print(
                    TextTable.render(
                        ["ID", "CREATED", "EXPIRES", "USES LEFT", "GROUP"],
                        tokens.map { [$0.id, $0.created.utc, $0.expires.utc, String($0.usesLeft), $0.group ?? "-"] }))
            }
        }

        struct TokenRevoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revoke", abstract: "Revoke an enrolment token: no agent enrols with it any more.")
            @Argument(help: "The token's id, as exup agents token list shows it.") var id: String
            @OptionGroup var server: ServerOptions
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard (8...64).contains(id.count), id.allSatisfy(\.isHexDigit) else {
                    throw ValidationError("a token id is 8 to 64 hex digits, as exup agents token list shows it, not \(id)")
                }
            }

            func run() async throws {
                let answer = try await server.client().call { try await $0.revokeToken(path: .init(id: id)).ok.body.json }
                if output.json { return try JSONOutput.print(answer) }
                print("revoked enrolment token \(id)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled agents.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let agents = try await server.client().call { try await $0.listAgents().ok.body.json }
            if output.json { return try JSONOutput.print(agents) }
            let rows = agents.map { [$0.name, $0.enrolledAt.utc, $0.lastSeen.utc, $0.revoked ? "revoked" : "active", String($0.reportSequence)] }
            print(TextTable.render(["AGENT", "ENROLLED", "LAST SEEN", "STATE", "REPORTS"], rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an agent's credential at once.")
        @Argument(help: "The agent (server) name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await server.client().call { try await $0.revokeAgent(path: .init(name: name)).ok.body.json }
            if output.json { return try JSONOutput.print(answer) }
            print("revoked \(name)")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new credential for an agent (the old one stops working).")
        @Argument(help: "The agent (server) name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await server.client().call { try await $0.rotateAgentCredential(path: .init(name: name)).ok.body.json }
            if output.json { return try JSONOutput.print(answer) }
            print(answer.credential)
        }
    }

    struct AllowReenrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allow-reenrol", abstract: "Let a reinstalled server enrol again under its name.")
        @Argument(help: "The agent (server) name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await server.client().call { try await $0.allowAgentReenrolment(path: .init(name: name)).ok.body.json }
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
            if c.isLetter && byte < 0x80 || c.isNumber && byte < 0x80 || "-_.@".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
#if canImport(Glibc)
    import Glibc
#endif
