import ExupTesting
import Foundation
import Testing

/// The man pages the packages ship (scripts/manpages.py, as `make packages` runs it): one per command at
/// every depth and one per configuration file, each with every section an administrator looks for, clean
/// under `man --warnings`; and shell completions for bash, zsh and fish.
@Suite struct ManPageTests {
    static let sections = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO"]

    func commandPaths(_ program: String) throws -> [(String, String)] {
        let dump = try Subprocess.run([BuiltProducts.path(program), "--experimental-dump-help"])
        var out: [(String, String)] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            out.append((path.joined(separator: "-"), command["abstract"] as? String ?? ""))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, path + [sub["commandName"] as! String])
            }
        }
        walk((try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])?["command"] as? [String: Any] ?? [:], [program])
        return out
    }

    @Test("a page for every command at every depth and for both configuration files, every section present, NAME not cut, man --warnings clean")
    func pages() throws {
        let man = try requireTool("man")
        let out = try TemporaryDirectory()
        let root = PythonTools.repositoryRoot(from: #filePath)
        let made = try Subprocess.run(["python3", root + "/scripts/manpages.py", BuiltProducts.directory, out.path, "0.0.0-test"])
        #expect(made.status == 0, "\(made.stderr)")
        for (program, section) in [("exup", "1"), ("exup-agent", "8"), ("exup-manager", "8")] {
            let paths = try commandPaths(program)
            #expect(paths.count >= 4, "\(program)")
            for (name, abstract) in paths {
                let file = out.file("\(name).\(section)")
                let text = try #require(try? String(contentsOfFile: file, encoding: .utf8), "no page for \(name)")
                for heading in Self.sections { #expect(text.contains(".SH \(heading)\n"), "\(name): no \(heading)") }
                let nameLine = text.components(separatedBy: ".SH NAME\n").last?.split(separator: "\n").first.map(String.init) ?? ""
                #expect(
                    nameLine.replacingOccurrences(of: "\\-", with: "-").hasSuffix(String(abstract.dropLast(abstract.hasSuffix(".") ? 1 : 0))),
                    "\(name): NAME carries the whole summary: \(nameLine)")
                let check = try Subprocess.run([
                    "/bin/sh", "-c", "LC_ALL=C.UTF-8 MANWIDTH=80 '\(man)' --warnings -E UTF-8 -l '\(file)' 2>&1 >/dev/null",
                ])
                #expect(check.stdout.isEmpty, "\(name): \(check.stdout)")
            }
        }
        for conffile in ["exup-agent.toml", "exup-manager.toml"] {
            let text = try String(contentsOfFile: out.file("\(conffile).5"), encoding: .utf8)
            #expect(text.contains(".SH NAME\n") && text.contains(".SH FILES\n") && text.contains("check\\-config"), "\(conffile)")
        }
    }

    @Test("bash, zsh and fish completions name every subcommand")
    func completions() throws {
        for program in ["exup", "exup-agent", "exup-manager"] {
            for shell in ["bash", "zsh", "fish"] {
                let script = try Subprocess.run([BuiltProducts.path(program), "--generate-completion-script", shell])
                #expect(script.status == 0 && script.stdout.count > 200, "\(program) \(shell)")
                for sub in [
                    "exup": ["repo", "servers", "approve", "agents"], "exup-agent": ["apply", "status", "check-config"],
                    "exup-manager": ["serve", "backup", "check-config"],
                ][program]! {
                    #expect(script.stdout.contains(sub), "\(program) \(shell) completes \(sub)")
                }
            }
        }
    }
}
