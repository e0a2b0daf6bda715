import ArgumentParser
import ExupCommandLine
import ExupSystem
import FoundationEssentials
import ManagerAPIModel

#if canImport(Glibc)
    import Glibc
#endif

/// The session `exup login` keeps: `~/.config/exup/session.json` (0600 in a 0700 directory), one server.
struct SavedSession: Codable {
    var server: String
    var user: String
    var token: String
    var expiresAt: String

    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/root") + "/.config")
        return base + "/exup/session.json"
    }

    static func load() -> SavedSession? {
        guard let bytes = LocalFile.read(path, limit: 64 << 10) else { return nil }
        return try? JSONDecoder().decode(SavedSession.self, from: Data(bytes))
    }

    func save() throws {
        let directory = String(Self.path[..<Self.path.lastIndex(of: "/")!])
        try LocalFile.makeDirectories(directory, mode: 0o700)
        try LocalFile.writeAtomically(Array(try JSONEncoder().encode(self)), to: Self.path, mode: 0o600)
    }
}

/// A password from the option, else asked on the terminal without echo, else one line of standard input.
func readPassword(_ given: String?, prompt: String) throws -> String {
    if let given { return given }
    if isatty(0) == 1 {
        var old = termios()
        tcgetattr(0, &old)
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &quiet)
        defer { tcsetattr(0, TCSANOW, &old); print("") }
        print(prompt, terminator: "")
    }
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("no password given: type it when asked on a terminal, or give it with --password or on standard input")
    }
    return line
}

/// `exup login`: opens a session and keeps it for the next commands.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in as a user; the session is kept in ~/.config/exup/session.json (0600).")
    @Option(help: "Your user name on the manager.") var username: String
    @Option(help: "The password (default: asked, or one line of standard input).") var password: String?
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let secret = try readPassword(password, prompt: "password for \(username): ")
        let client = try ManagerClient(base: server.baseURL, token: "", caFile: server.caFile)
        let body = Components.Schemas.LoginRequest(username: username, password: secret)
        let result = try await client.call { try await $0.login(body: .json(body)).ok.body.json }
        try SavedSession(server: server.baseURL, user: result.user, token: result.token, expiresAt: result.expiresAt.utc).save()
        if output.json {
            var shown = result
            shown.token = "(saved)"
            return try JSONOutput.print(shown)
        }
        print("logged in to \(server.baseURL) as \(result.user) (\(result.role.rawValue)) until \(result.expiresAt.utc)")
        for notice in result.notices { print("new update packages since your last login (\(notice.time.utc)): \(notice.components)") }
    }
}

/// `exup users`: the administrator's user management.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage users: administrator, operator (may apply), viewer (reads only).",
        subcommands: [List.self, Add.self, Remove.self, Passwd.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and roles.")
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws { try Users.show(try await server.client().call { try await $0.listUsers().ok.body.json }, json: output.json) }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a role.")
        @Argument(help: "The user name.") var name: String
        @Option(help: "administrator, operator or viewer.") var role: String
        @Option(help: "The password (default: asked, or one line of standard input).") var password: String?
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard Components.Schemas.UserRole(rawValue: role) != nil else {
                throw ValidationError("--role must be administrator, operator or viewer, not \(role)")
            }
        }

        func run() async throws {
            let secret = try readPassword(password, prompt: "password for \(name): ")
            let body = Components.Schemas.CreateUserRequest(
                name: name, role: Components.Schemas.UserRole(rawValue: role) ?? .viewer, password: secret)
            let users = try await server.client().call { try await $0.createUser(body: .json(body)).created.body.json }
            try Users.show(users, json: output.json)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (their sessions end at once).")
        @Argument(help: "The user name.") var name: String
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try Users.show(try await server.client().call { try await $0.removeUser(path: .init(name: name)).ok.body.json }, json: output.json)
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (yours, or anyone's as administrator).")
        @Argument(help: "The user name.") var name: String
        @Option(help: "The new password (default: asked, or one line of standard input).") var password: String?
        @Option(help: "Your current password, needed to change your own (default: asked, or the next line of standard input).")
        var currentPassword: String?
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            // Your own password, through your session: the manager asks for the current one.
            let own = SavedSession.load()?.user == name && server.token == nil && ProcessInfo.processInfo.environment["EXUP_TOKEN"] == nil
            let current = own ? try readPassword(currentPassword, prompt: "current password for \(name): ") : currentPassword
            let secret = try readPassword(password, prompt: "new password for \(name): ")
            let body = Components.Schemas.SetPasswordRequest(password: secret, currentPassword: current)
            let answer = try await server.client().call { try await $0.setUserPassword(path: .init(name: name), body: .json(body)).ok.body.json }
            if output.json { try JSONOutput.print(answer) } else { print("password changed for \(name); their other sessions ended") }
        }
    }

    static func show(_ users: [Components.Schemas.UserSummary], json: Bool) throws {
        if json { return try JSONOutput.print(users) }
        print(
            TextTable.render(
                ["USER", "ROLE", "CREATED", "LAST LOGIN"], users.map { [$0.name, $0.role.rawValue, $0.created.utc, $0.lastLogin?.utc ?? "-"] }))
    }
}
