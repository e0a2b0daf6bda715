import ArgumentParser
import Dispatch
import ExupCore
import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The one entry point of every exup executable: parse, run, and end with the status of `ExitStatus`.
/// Usage mistakes (and only they) print the usage, with "did you mean" for a mistyped subcommand;
/// everything else that fails prints one line, `PROGRAM: what happened`, or under `--json` the JSON
/// error `{"error": {"code": …, "message": …}}` on standard output.
public enum CommandMain {
    public static func run(_ root: any ParsableCommand.Type, program: String) -> Never {
        ProcMount.requireMounted(program: program)
        var command = parse(root, program: program)
        do { try command.run() } catch { fail(root, type(of: command), program: program, error) }
        exit(ExitStatus.success.rawValue)
    }

    /// The entry of an executable whose commands are async: /proc is checked on the main thread before the
    /// concurrency runtime (and libdispatch's worker monitor, which traps without /proc) starts; then the
    /// command runs as a task while the main thread serves the main queue.
    public static func runAsync(_ root: any ParsableCommand.Type, program: String) -> Never {
        ProcMount.requireMounted(program: program)
        Task { await run(root, program: program) }
        dispatchMain()
    }

    public static func run(_ root: any ParsableCommand.Type, program: String) async -> Never {
        ProcMount.requireMounted(program: program)
        var command = parse(root, program: program)
        do {
            if var asynchronous = command as? any AsyncParsableCommand { try await asynchronous.run() } else { try command.run() }
        } catch { fail(root, type(of: command), program: program, error) }
        exit(ExitStatus.success.rawValue)
    }

    /// True when the command line asked for JSON (errors are JSON then too).
    public static var wantsJSON: Bool { CommandLine.arguments.dropFirst().contains("--json") }

    static func parse(_ root: any ParsableCommand.Type, program: String) -> any ParsableCommand {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do { return try root.parseAsRoot(arguments) } catch {
            let code = root.exitCode(for: error)
            if code == .success { root.exit(withError: error) }  // --help, --version, completion scripts
            if let hint = suggestion(root, arguments) {
                printError(program: program, code: "usage", message: "\(hint.typed) is not a command; did you mean '\(hint.suggested)'?")
                if !wantsJSON {
                    let name = ([program] + commandPath(root, hint.parent)).joined(separator: " ")
                    writeStandardError(
                        "Usage: " + root.usageString(for: hint.parent).trimmingPrefix("Usage: ") + "\n  See '\(name) --help' for more information.")
                }
                exit(ExitStatus.usage.rawValue)
            }
            if wantsJSON {
                printJSONError(code: "usage", message: root.message(for: error))
            } else {
                writeStandardError(Self.ours(root.fullMessage(for: error), program: program))
            }
            exit(ExitStatus.usage.rawValue)
        }
    }

    static func fail(_ root: any ParsableCommand.Type, _ command: any ParsableCommand.Type, program: String, _ error: any Error) -> Never {
        switch error {
        case let code as ExitCode:
            exit(code.rawValue)
        case let failure as CommandFailure:
            printError(program: program, code: failure.code, message: failure.message)
            exit(failure.status.rawValue)
        case let validation as ValidationError:
            // An argument found wrong while running: the usage of the command that was run, not the root's.
            printError(program: program, code: "usage", message: validation.message)
            if !wantsJSON {
                let name = ([program] + commandPath(root, command)).joined(separator: " ")
                writeStandardError(
                    "Usage: " + root.usageString(for: command).trimmingPrefix("Usage: ") + "\n  See '\(name) --help' for more information.")
            }
            exit(ExitStatus.usage.rawValue)
        case is CleanExit:
            root.exit(withError: error)
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."):
            // The parser's own (--help answered by a help command, a completion script): its behaviour.
            if root.exitCode(for: error) != .success {
                if wantsJSON {
                    printJSONError(code: "usage", message: root.message(for: error))
                } else {
                    writeStandardError(Self.ours(root.fullMessage(for: error), program: program))
                }
                exit(ExitStatus.usage.rawValue)
            }
            root.exit(withError: error)
        default:
            if getenv("EXUP_DEBUG") != nil { writeStandardError("\(program): \(String(reflecting: error))") }
            printError(program: program, code: "failed", message: ErrorWording.describe(error))
            exit(ExitStatus.failure.rawValue)
        }
    }

    /// The subcommand names from the root down to `command` (as typed on the command line).
    static func commandPath(_ root: any ParsableCommand.Type, _ command: any ParsableCommand.Type) -> [String] {
        func search(_ node: any ParsableCommand.Type, _ path: [String]) -> [String]? {
            if node == command { return path }
            for child in node.configuration.subcommands {
                if let found = search(child, path + [child._commandName]) { return found }
            }
            return nil
        }
        return search(root, []) ?? []
    }

    /// The mistyped subcommand and its closest name, walking the subcommands the arguments name.
    /// The parser's "Error: …" in our own form, "PROGRAM: …", so every error line starts the same way.
    static func ours(_ text: String, program: String) -> String {
        text.hasPrefix("Error: ") ? program + ": " + text.dropFirst(7) : text
    }

    static func suggestion(
        _ root: any ParsableCommand.Type, _ arguments: [String]
    ) -> (typed: String, suggested: String, parent: any ParsableCommand.Type)? {
        var current = root
        for argument in arguments where !argument.hasPrefix("-") {
            let children = current.configuration.subcommands
            guard !children.isEmpty else { return nil }
            if let child = children.first(where: { $0._commandName == argument || $0.configuration.aliases.contains(argument) }) {
                current = child
                continue
            }
            let names = children.map { $0._commandName } + ["help"]
            return ClosestName.suggest(argument, among: names).map { (argument, $0, current) }
        }
        return nil
    }

    static func printError(program: String, code: String, message: String) {
        if wantsJSON { return printJSONError(code: code, message: message) }
        writeStandardError("\(program): \(message)")
    }

    static func printJSONError(code: String, message: String) {
        let line = #"{"error": {"code": "\#(JSONText.escape(code))", "message": "\#(JSONText.escape(message))"}}"#
        _ = (line + "\n").withCString { write(1, $0, strlen($0)) }
    }
}

/// A line on standard error, unbuffered.
public func writeStandardError(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

/// JSON string escaping without Foundation.
public enum JSONText {
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
