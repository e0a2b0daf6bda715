import ExupTesting
import Foundation
import Testing

/// Every command line in the README's code blocks exists: its subcommands and options are the programs'
/// own (checked against their structured help), `--help` works for each, and the read-only ones run
/// against a live manager on loopback and succeed.
@Suite(.serialized) final class ReadmeCommandsTests {
    let fixture: VendorManager
    init() throws { fixture = try VendorManager() }

    struct Line { var text: String; var words: [String] }

    /// The command lines of the README's `sh` blocks: comments dropped, `·`-separated commands split,
    /// continuation lines joined.
    static func commandLines() throws -> [Line] {
        let readme = try String(contentsOfFile: PythonTools.repositoryRoot(from: #filePath) + "/README.md", encoding: .utf8)
        var lines: [Line] = []
        for block in readme.components(separatedBy: "```sh\n").dropFirst() {
            let body = block.components(separatedBy: "\n```").first ?? ""
            var pending = ""
            for raw in body.split(separator: "\n").map(String.init) {
                var line = raw.components(separatedBy: "   #").first ?? raw
                if let hash = line.range(of: "  # ") { line = String(line[..<hash.lowerBound]) }
                line = line.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("[") || line.hasPrefix("--") { pending += " " + line; continue }  // continuation of the previous command
                if !pending.isEmpty { lines.append(contentsOf: split(pending)) }
                pending = ["exup ", "exup-agent ", "exup-manager "].contains { line.hasPrefix($0) } ? line : ""
            }
            if !pending.isEmpty { lines.append(contentsOf: split(pending)) }
        }
        return lines
    }

    static func split(_ text: String) -> [Line] {
        text.components(separatedBy: " · ").map { command in
            Line(text: command, words: command.split(separator: " ").map(String.init))
        }
    }

    /// The structured help of a program: command path → the option names it takes.
    static func tree(_ program: String) throws -> [String: Set<String>] {
        let dump = try Subprocess.run([BuiltProducts.path(program), "--experimental-dump-help"])
        let root = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any] ?? [:]
        var out: [String: Set<String>] = [:]
        func walk(_ command: [String: Any], _ path: [String]) {
            let options = (command["arguments"] as? [[String: Any]] ?? []).flatMap {
                ($0["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            out[path.joined(separator: " ")] = Set(options + ["help"])
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path + [sub["commandName"] as! String]) }
        }
        walk(root["command"] as? [String: Any] ?? [:], [])
        return out
    }

    @Test("each command line of the README names real subcommands and options, and its --help works")
    func everyLineExists() throws {
        let lines = try Self.commandLines()
        #expect(lines.count > 40, "the README's commands were found: \(lines.count)")
        var trees: [String: [String: Set<String>]] = [:]
        for line in lines {
            let program = line.words[0]
            if trees[program] == nil { trees[program] = try Self.tree(program) }
            let tree = trees[program]!
            // The longest run of words that is a command path.
            var path: [String] = []
            for word in line.words.dropFirst() where !word.hasPrefix("-") && !word.hasPrefix("[") {
                guard tree[(path + [word]).joined(separator: " ")] != nil else { break }
                path.append(word)
            }
            let key = path.joined(separator: " ")
            #expect(
                !path.isEmpty || line.words.count == 1 || line.words[1].hasPrefix("-"),
                "README: `\(line.text)`: \(line.words[1]) is not a \(program) command")
            let options = tree[key] ?? []
            for word in line.words where word.contains("--") {
                for piece in word.components(separatedBy: CharacterSet(charactersIn: "[]|…")) where piece.hasPrefix("--") {
                    let name = String(piece.dropFirst(2).prefix { $0.isLetter || $0.isNumber || $0 == "-" })
                    #expect(options.contains(name), "README: `\(line.text)`: \(program) \(key) has no --\(name)")
                }
            }
            let help = try Subprocess.run([BuiltProducts.path(program)] + path + ["--help"])
            #expect(help.status == 0, "README: `\(line.text)`: \(program) \(key) --help exits \(help.status)")
        }
    }

    @Test("the README's read-only commands run against a live manager and succeed")
    func readOnlyLinesRun() throws {
        let manager = fixture.manager
        try fixture.serverWithUpdate("web01")
        let readOnly: Set<String> = [
            "servers", "server show", "repo list", "repo targets list", "agents list", "agents token list",
            "log", "users list", "groups list", "schedules list", "repo show",
        ]
        let environment = ["EXUP_SERVER": manager.url, "EXUP_TOKEN": manager.adminToken, "PATH": "/usr/bin:/bin", "HOME": fixture.work.path]
        var ran = 0
        for line in try Self.commandLines() where line.words[0] == "exup" {
            // Optional parts dropped; placeholders (NAME, ID, FILE…) filled in.
            let words = line.words.dropFirst().filter { !$0.hasPrefix("[") && !$0.hasSuffix("]") && !$0.contains("…") }
                .map { $0 == "NAME" ? "web01" : $0 }
            guard let path = readOnly.filter({ words.starts(with: $0.split(separator: " ").map(String.init)) }).max(by: { $0.count < $1.count }),
                !words.contains(where: { $0.uppercased() == $0 && $0.contains(where: \.isLetter) })
            else { continue }
            let result = try Subprocess.run([BuiltProducts.path("exup")] + words, environment: environment)
            #expect(result.status == 0, "README: `\(line.text)` (as `exup \(words.joined(separator: " "))`, \(path)): \(result.stderr)")
            ran += 1
        }
        #expect(ran >= 3, "some read-only README lines ran: \(ran)")
    }
}
