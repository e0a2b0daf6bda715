import ArgumentParser
import ExupCommandLine
import ExupFormats
import FoundationEssentials
import ManagerAPIModel
import TUF

typealias GroupView = Components.Schemas.GroupView

extension Components.Schemas.GroupPolicy {
    var summary: String {
        "automatic approval \(autoApprove ? "on" : "off"): \(delayDays) day(s) after release"
            + (canaryGroup.map { ", paused while \($0) fails \(maxCanaryFailurePercent)% or more over \(canaryWindowDays) days" } ?? "")
            + (allowReboot ? ", reboots allowed" : "")
    }
}

extension Components.Schemas.GroupFilter {
    /// `--filter`'s value, or a usage error that lists the filters.
    static func parse(_ text: String) throws -> Self {
        guard let filter = Self(rawValue: text) else {
            throw ValidationError("--filter must be one of: \(allCases.map(\.rawValue).joined(separator: ", ")), not \(text)")
        }
        return filter
    }
}

/// `exup groups`: groups of servers, their Table 21 view, bulk approval and automatic-approval policies.
struct Groups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Groups of servers: create, list, show (with filters), members, approve, uninstall, policy.",
        subcommands: [List.self, Create.self, Delete.self, Show.self, Add.self, Remove.self, GroupApprove.self, GroupUninstall.self, Policy.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups with their members' statuses.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let groups = try await server.client().call { try await $0.listGroups().ok.body.json }
            if output.json { return try JSONOutput.print(groups) }
            print(
                TextTable.render(
                    ["GROUP", "SERVERS", "STATUSES", "PROGRESS"],
                    groups.map { g in
                        [
                            g.name, "\(g.counts.additionalProperties.values.reduce(0, +))",
                            g.counts.additionalProperties.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                            g.percent.map { "\($0)%" } ?? "-",
                        ]
                    }))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group.")
        @Argument(help: "The group name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let names = try await server.client().call { try await $0.createGroup(body: .json(.init(name: name))).created.body.json }
            if output.json { try JSONOutput.print(names) } else { print("groups: " + names.joined(separator: ", ")) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group (its servers stay).")
        @Argument(help: "The group name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let names = try await server.client().call { try await $0.deleteGroup(path: .init(name: name)).ok.body.json }
            if output.json { try JSONOutput.print(names) } else { print("groups: " + (names.isEmpty ? "none" : names.joined(separator: ", "))) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A group's servers whose agents answer: latest and apply-failed by server status, the others by any module in that state.")
        @Argument(help: "The group name.") var name: String
        @Option(help: "all, latest, update-available, applying, reboot-required, apply-failed or uninstalling.") var filter = "all"
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func validate() throws { _ = try Components.Schemas.GroupFilter.parse(filter) }
        func run() async throws {
            let query = Operations.GetGroup.Input.Query(filter: try .parse(filter))
            let group = try await server.client().call { try await $0.getGroup(path: .init(name: name), query: query).ok.body.json }
            try Groups.show(group, json: output.json)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put servers in a group.")
        @Argument(help: "The group name.") var name: String
        @Argument(help: "The servers to add.") var servers: [String]
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let body = Components.Schemas.GroupMembersRequest(add: servers)
            let group = try await server.client().call { try await $0.changeGroupMembers(path: .init(name: name), body: .json(body)).ok.body.json }
            try Groups.show(group, json: output.json)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take servers out of a group.")
        @Argument(help: "The group name.") var name: String
        @Argument(help: "The servers to remove.") var servers: [String]
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let body = Components.Schemas.GroupMembersRequest(remove: servers)
            let group = try await server.client().call { try await $0.changeGroupMembers(path: .init(name: name), body: .json(body)).ok.body.json }
            try Groups.show(group, json: output.json)
        }
    }

    struct GroupApprove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve", abstract: "Approve updates for the group's servers, each with its own rules.")
        @Argument(help: "The group name.") var name: String
        @Option(
            help:
                "Which servers: update-available (the default), reboot-required, applying, uninstalling (any module so), latest, apply-failed (server status) or all."
        ) var filter = "update-available"
        @Flag(help: "Allow a reboot after the updates that need one.") var allowReboot = false
        @Flag(help: "Let each agent take the newest package when it runs.") var latestAtRunTime = false
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func validate() throws { _ = try Components.Schemas.GroupFilter.parse(filter) }
        func run() async throws {
            let body = Components.Schemas.GroupApproveRequest(allowReboot: allowReboot, latestAtRunTime: latestAtRunTime, filter: try .parse(filter))
            let results = try await server.client().call {
                try await $0.approveGroupUpdates(path: .init(name: name), body: .json(body)).created.body.json
            }
            if output.json { return try JSONOutput.print(results) }
            for result in results {
                if let refused = result.refused { print("\(result.server): refused: \(refused)"); continue }
                print(
                    "\(result.server): "
                        + result.items.map { "#\($0.id) \($0.module) → \($0.version ?? "newest at run time")" }.joined(separator: ", "))
            }
            if results.isEmpty { print("no server of \(name) matches \(filter)") }
        }
    }

    struct GroupUninstall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall", abstract: "Uninstall a module on every server of the group that has it with an Uninstall program.")
        @Argument(help: "The group name.") var name: String
        @Option(help: "The module to uninstall (its id, as exup server show lists it).") var module: String
        @Flag(help: "Allow a reboot after the uninstall when it needs one.") var allowReboot = false
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            let body = Components.Schemas.UninstallRequest(module: module, allowReboot: allowReboot)
            let results = try await server.client().call {
                try await $0.uninstallGroupModule(path: .init(name: name), body: .json(body)).created.body.json
            }
            if output.json { return try JSONOutput.print(results) }
            for result in results {
                if let refused = result.refused { print("\(result.server): refused: \(refused)"); continue }
                print("\(result.server): " + result.items.map { "#\($0.id) uninstall \($0.module) \($0.version ?? "")" }.joined(separator: ", "))
            }
            if results.isEmpty { print("no server in \(name)") }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the group's automatic approval; with --on or any setting, approve new packages automatically (--off removes it).")
        @Argument(help: "The group name.") var name: String
        @Flag(help: "Turn automatic approval on with the settings given (the others take their defaults).") var on = false
        @Flag(help: "Remove the policy.") var off = false
        @Option(help: "Wait this many days after a package's release (default 0).") var delayDays: Int?
        @Option(help: "Pause while this group's failure rate is at or over the limit.") var canary: String?
        @Option(help: "The canary failure limit, percent (default 10).") var maxFailurePercent: Int?
        @Flag(help: "Allow reboots for the approvals it makes.") var allowReboot = false
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if on && off { throw ValidationError("--on and --off together: choose one") }
            if off && (delayDays != nil || canary != nil || maxFailurePercent != nil || allowReboot) {
                throw ValidationError("--off removes the policy: it takes no settings")
            }
        }

        func run() async throws {
            let client = try server.client()
            // Nothing to set: show what is in force (a bare command never changes a policy).
            guard on || off || delayDays != nil || canary != nil || maxFailurePercent != nil || allowReboot else {
                let group = try await client.call { try await $0.getGroup(path: .init(name: name)).ok.body.json }
                if output.json { return try JSONOutput.print(group.policy) }
                return print("\(name): " + (group.policy?.summary ?? "no automatic approval (set one with --on or a setting)"))
            }
            let body = Components.Schemas.GroupPolicyRequest(
                autoApprove: !off, delayDays: delayDays ?? 0, canaryGroup: canary, maxCanaryFailurePercent: maxFailurePercent ?? 10,
                canaryWindowDays: 14, allowReboot: allowReboot)
            let group = try await client.call { try await $0.setGroupPolicy(path: .init(name: name), body: .json(body)).ok.body.json }
            if output.json {
                try JSONOutput.print(group)
            } else {
                print(off ? "automatic approval off for \(name)" : "policy set for \(name)")
            }
        }
    }

    static func show(_ group: GroupView, json: Bool) throws {
        if json { return try JSONOutput.print(group) }
        print("\(group.name) (\(group.filter.rawValue))" + (group.percent.map { ", overall progress \($0)%" } ?? ""))
        if let policy = group.policy { print(policy.summary) }
        guard !group.servers.isEmpty else {
            return print(
                group.filter == .all
                    ? "no server in \(group.name) yet (exup groups add \(group.name) SERVER…)"
                    : "no server of \(group.name) matches \(group.filter.rawValue)")
        }
        print(
            TextTable.render(["SERVER", "STATUS", "PROGRESS"], group.servers.map { [$0.name, $0.statusText, $0.percent.map { "\($0)%" } ?? "-"] }))
    }
}

/// `exup schedules`: remote batches (seed §3.5.3).
struct Schedules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remote batches: apply updates to a server or a group at a time.",
        subcommands: [List.self, Create.self, Edit.self, Delete.self], defaultSubcommand: List.self)

    typealias View = Components.Schemas.Schedule

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List remote batches by start time.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            try Schedules.show(try await server.client().call { try await $0.listSchedules().ok.body.json }, json: output.json)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a remote batch.")
        @Option(name: .customLong("for-server"), help: "One server.") var forServer: String?
        @Option(help: "A group.") var group: String?
        @Option(help: "When, in UTC, e.g. 2030-01-01T02:00:00Z.") var at: String
        @Flag(help: "Allow a reboot after the updates that need one.") var allowReboot = false
        @Flag(help: "Download new packages into the repository first.") var downloadFirst = false
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard UTCTime(at) != nil else { throw ValidationError("--at must be a UTC time like 2030-01-01T02:00:00Z, not \(at)") }
            guard (forServer == nil) != (group == nil) else { throw ValidationError("give one of --for-server and --group") }
        }

        func run() async throws {
            let start = Date(utc: at)
            let body: Components.Schemas.CreateScheduleRequest =
                if let group {
                    .GroupScheduleRequest(.init(group: group, startAt: start, allowReboot: allowReboot, downloadFirst: downloadFirst))
                } else {
                    .ServerScheduleRequest(.init(server: forServer ?? "", startAt: start, allowReboot: allowReboot, downloadFirst: downloadFirst))
                }
            let created = try await server.client().call { try await $0.createSchedule(body: .json(body)).created.body.json }
            try Schedules.show([created], json: output.json)
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a batch that has not run (what is not given stays).")
        @Argument(help: "The remote batch id (exup schedules list shows it).") var id: Int64
        @Option(help: "The new start, in UTC, e.g. 2030-01-01T02:00:00Z.") var at: String?
        @Option(help: "Allow a reboot after the updates that need one (true or false).") var allowReboot: Bool?
        @Option(help: "Download new packages into the repository first (true or false).") var downloadFirst: Bool?
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let at, UTCTime(at) == nil { throw ValidationError("--at must be a UTC time like 2030-01-01T02:00:00Z, not \(at)") }
            guard at != nil || allowReboot != nil || downloadFirst != nil else {
                throw ValidationError("give what to change: --at, --allow-reboot true|false or --download-first true|false")
            }
        }

        func run() async throws {
            let body = Components.Schemas.EditScheduleRequest(
                startAt: at.map(Date.init(utc:)), allowReboot: allowReboot, downloadFirst: downloadFirst)
            let changed = try await server.client().call { try await $0.editSchedule(path: .init(id: id), body: .json(body)).ok.body.json }
            try Schedules.show([changed], json: output.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a batch that has not run.")
        @Argument(help: "The remote batch id (exup schedules list shows it).") var id: Int64
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() async throws {
            try Schedules.show(try await server.client().call { try await $0.deleteSchedule(path: .init(id: id)).ok.body.json }, json: output.json)
        }
    }

    static func show(_ schedules: [View], json: Bool) throws {
        if json { return try JSONOutput.print(schedules) }
        print(
            TextTable.render(
                ["ID", "START", "TARGET", "REBOOT", "DOWNLOAD", "STATE", "RESULT"],
                schedules.map {
                    [
                        "\($0.id)", $0.startAt.utc, "\($0.targetKind.rawValue) \($0.target)", $0.allowReboot ? "allowed" : "no",
                        $0.downloadFirst ? "first" : "no",
                        $0.state.rawValue, $0.result ?? "",
                    ]
                }))
    }
}
