import ArgumentParser
import ExupCommandLine
import ExupFormats
import FoundationEssentials
import TUF

struct GroupMemberView: Codable { var name: String; var status: String; var statusText: String; var percent: Int? }
struct GroupPolicyView: Codable {
    var autoApprove: Bool; var delayDays: Int; var canaryGroup: String?; var maxCanaryFailurePercent: Int; var canaryWindowDays: Int
    var allowReboot: Bool

    var summary: String {
        "automatic approval \(autoApprove ? "on" : "off"): \(delayDays) day(s) after release"
            + (canaryGroup.map { ", paused while \($0) fails \(maxCanaryFailurePercent)% or more over \(canaryWindowDays) days" } ?? "")
            + (allowReboot ? ", reboots allowed" : "")
    }
}
struct GroupViewBody: Codable {
    var name: String; var filter: String; var servers: [GroupMemberView]; var counts: [String: Int]; var percent: Int?
    var policy: GroupPolicyView?
}
struct GroupApprovalView: Codable { var server: String; var items: [RunItemView]; var refused: String? }
struct RunItemView: Codable { var id: Int64; var kind: String; var module: String; var version: String?; var state: String }

/// `exup groups`: groups of servers, their Table 21 view, bulk approval and automatic-approval policies.
struct Groups: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Groups of servers: create, list, show (with filters), members, approve, uninstall, policy.",
        subcommands: [List.self, Create.self, Delete.self, Show.self, Add.self, Remove.self, GroupApprove.self, GroupUninstall.self, Policy.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups with their members' statuses.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let groups = try server.client().call("GET", "/api/v1/groups", as: [GroupViewBody].self)
            if output.json { return try JSONOutput.print(groups) }
            print(
                TextTable.render(
                    ["GROUP", "SERVERS", "STATUSES", "PROGRESS"],
                    groups.map { g in
                        [
                            g.name, "\(g.counts.values.reduce(0, +))",
                            g.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                            g.percent.map { "\($0)%" } ?? "-",
                        ]
                    }))
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group.")
        @Argument(help: "The group name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            let names = try server.client().call("POST", "/api/v1/groups", body: ["name": name], as: [String].self)
            if output.json { try JSONOutput.print(names) } else { print("groups: " + names.joined(separator: ", ")) }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group (its servers stay).")
        @Argument(help: "The group name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            let names = try server.client().call("POST", "/api/v1/groups/\(FleetPath.escape(name))/delete", as: [String].self)
            if output.json { try JSONOutput.print(names) } else { print("groups: " + (names.isEmpty ? "none" : names.joined(separator: ", "))) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A group's servers whose agents answer: latest and apply-failed by server status, the others by any module in that state.")
        @Argument(help: "The group name.") var name: String
        @Option(help: "all, latest, update-available, applying, reboot-required, apply-failed or uninstalling.") var filter = "all"
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            let group = try server.client().call(
                "GET", "/api/v1/groups/\(FleetPath.escape(name))?filter=\(ManagerClient.query(filter))", as: GroupViewBody.self)
            try Groups.show(group, json: output.json)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put servers in a group.")
        @Argument(help: "The group name.") var name: String
        @Argument(help: "The servers to add.") var servers: [String]
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            try Groups.show(
                try server.client().call("POST", "/api/v1/groups/\(FleetPath.escape(name))/members", body: ["add": servers], as: GroupViewBody.self),
                json: output.json)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take servers out of a group.")
        @Argument(help: "The group name.") var name: String
        @Argument(help: "The servers to remove.") var servers: [String]
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            try Groups.show(
                try server.client().call(
                    "POST", "/api/v1/groups/\(FleetPath.escape(name))/members", body: ["remove": servers], as: GroupViewBody.self), json: output.json)
        }
    }

    struct GroupApprove: ParsableCommand {
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
        func run() throws {
            struct Body: Encodable { var filter: String; var allowReboot: Bool; var latestAtRunTime: Bool }
            let results = try server.client().call(
                "POST", "/api/v1/groups/\(FleetPath.escape(name))/approve",
                body: Body(filter: filter, allowReboot: allowReboot, latestAtRunTime: latestAtRunTime),
                as: [GroupApprovalView].self)
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

    struct GroupUninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall", abstract: "Uninstall a module on every server of the group that has it with an Uninstall program.")
        @Argument(help: "The group name.") var name: String
        @Option(help: "The module to uninstall (its id, as exup server show lists it).") var module: String
        @Flag(help: "Allow a reboot after the uninstall when it needs one.") var allowReboot = false
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            struct Body: Encodable { var module: String; var allowReboot: Bool }
            let results = try server.client().call(
                "POST", "/api/v1/groups/\(FleetPath.escape(name))/uninstall", body: Body(module: module, allowReboot: allowReboot),
                as: [GroupApprovalView].self)
            if output.json { return try JSONOutput.print(results) }
            for result in results {
                if let refused = result.refused { print("\(result.server): refused: \(refused)"); continue }
                print("\(result.server): " + result.items.map { "#\($0.id) uninstall \($0.module) \($0.version ?? "")" }.joined(separator: ", "))
            }
            if results.isEmpty { print("no server in \(name)") }
        }
    }

    struct Policy: ParsableCommand {
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

        func run() throws {
            let client = try server.client()
            // Nothing to set: show what is in force (a bare command never changes a policy).
            guard on || off || delayDays != nil || canary != nil || maxFailurePercent != nil || allowReboot else {
                let group = try client.call("GET", "/api/v1/groups/\(FleetPath.escape(name))", as: GroupViewBody.self)
                if output.json { return try JSONOutput.print(group.policy) }
                return print("\(name): " + (group.policy?.summary ?? "no automatic approval (set one with --on or a setting)"))
            }
            struct Body: Encodable {
                var autoApprove: Bool; var delayDays: Int; var canaryGroup: String?; var maxCanaryFailurePercent: Int
                var canaryWindowDays = 14; var allowReboot: Bool
            }
            let response = try client.send(
                "POST", "/api/v1/groups/\(FleetPath.escape(name))/policy",
                body: Body(
                    autoApprove: !off, delayDays: delayDays ?? 0, canaryGroup: canary, maxCanaryFailurePercent: maxFailurePercent ?? 10,
                    allowReboot: allowReboot))
            try client.check(response, accept: [200])
            if output.json {
                print(String(decoding: response.body, as: UTF8.self))
            } else {
                print(off ? "automatic approval off for \(name)" : "policy set for \(name)")
            }
        }
    }

    static func show(_ group: GroupViewBody, json: Bool) throws {
        if json { return try JSONOutput.print(group) }
        print("\(group.name) (\(group.filter))" + (group.percent.map { ", overall progress \($0)%" } ?? ""))
        if let policy = group.policy { print(policy.summary) }
        guard !group.servers.isEmpty else {
            return print(
                group.filter == "all"
                    ? "no server in \(group.name) yet (exup groups add \(group.name) SERVER…)" : "no server of \(group.name) matches \(group.filter)")
        }
        print(
            TextTable.render(["SERVER", "STATUS", "PROGRESS"], group.servers.map { [$0.name, $0.statusText, $0.percent.map { "\($0)%" } ?? "-"] }))
    }
}

/// `exup schedules`: remote batches (seed §3.5.3).
struct Schedules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remote batches: apply updates to a server or a group at a time.",
        subcommands: [List.self, Create.self, Edit.self, Delete.self], defaultSubcommand: List.self)

    struct View: Codable {
        var id: Int64; var targetKind: String; var target: String; var startAt: String; var allowReboot: Bool; var downloadFirst: Bool
        var state: String; var createdBy: String; var result: String?
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List remote batches by start time.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws { try Schedules.show(try server.client().call("GET", "/api/v1/schedules", as: [View].self), json: output.json) }
    }

    struct Create: ParsableCommand {
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

        func run() throws {
            struct Body: Encodable { var server: String?; var group: String?; var startAt: String; var allowReboot: Bool; var downloadFirst: Bool }
            let created = try server.client().call(
                "POST", "/api/v1/schedules",
                body: Body(server: forServer, group: group, startAt: at, allowReboot: allowReboot, downloadFirst: downloadFirst),
                as: View.self)
            try Schedules.show([created], json: output.json)
        }
    }

    struct Edit: ParsableCommand {
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

        func run() throws {
            struct Body: Encodable { var startAt: String?; var allowReboot: Bool?; var downloadFirst: Bool? }
            let changed = try server.client().call(
                "POST", "/api/v1/schedules/\(id)", body: Body(startAt: at, allowReboot: allowReboot, downloadFirst: downloadFirst), as: View.self)
            try Schedules.show([changed], json: output.json)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a batch that has not run.")
        @Argument(help: "The remote batch id (exup schedules list shows it).") var id: Int64
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            try Schedules.show(try server.client().call("POST", "/api/v1/schedules/\(id)/delete", as: [View].self), json: output.json)
        }
    }

    static func show(_ schedules: [View], json: Bool) throws {
        if json { return try JSONOutput.print(schedules) }
        print(
            TextTable.render(
                ["ID", "START", "TARGET", "REBOOT", "DOWNLOAD", "STATE", "RESULT"],
                schedules.map {
                    [
                        "\($0.id)", $0.startAt, "\($0.targetKind) \($0.target)", $0.allowReboot ? "allowed" : "no", $0.downloadFirst ? "first" : "no",
                        $0.state, $0.result ?? "",
                    ]
                }))
    }
}
