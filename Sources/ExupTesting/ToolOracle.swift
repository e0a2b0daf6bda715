import Foundation

/// Asks the real tools for the order of many version pairs in one process each.
public enum ToolOracle {
    /// -1, 0 or 1 per pair, from `dpkg --compare-versions`.
    public static func dpkg(_ pairs: [(String, String)]) throws -> [Int] {
        _ = try requireTool("dpkg")
        let dir = try TemporaryDirectory()
        let input = pairs.map { "\($0.0)\t\($0.1)" }.joined(separator: "\n") + "\n"
        try dir.write("pairs", input)
        let script = """
            while IFS="$(printf '\\t')" read -r a b; do
              dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?
              if [ $r -eq 0 ]; then echo -1
              elif [ $r -ne 1 ]; then echo "invalid $a $b"
              elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
              else echo 1; fi
            done < "\(dir.file("pairs"))"
            """
        let result = try withExtendedLifetime(dir) { try Subprocess.shell(script) }
        if let invalid = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("invalid") }) {
            throw TestFailure("dpkg refuses a generated pair as invalid: \(invalid)")
        }
        let answers = result.stdout.split(separator: "\n").compactMap { Int($0) }
        guard result.status == 0, answers.count == pairs.count else {
            throw TestFailure("dpkg oracle failed (\(result.status)): \(result.stderr)")
        }
        return answers
    }

    /// -1, 0 or 1 per pair, from `rpm.vercmp` in rpm's embedded Lua.
    public static func rpm(_ pairs: [(String, String)]) throws -> [Int] {
        let rpm = try requireTool("rpm")
        let dir = try TemporaryDirectory()
        func quote(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let lua = pairs.map { "io.write(rpm.vercmp(\(quote($0.0)), \(quote($0.1))), \"\\n\")" }.joined(separator: "\n")
        let path = try dir.write("pairs.lua", lua)
        let result = try withExtendedLifetime(dir) { try Subprocess.run([rpm, "--eval", "%{lua: dofile(\"\(path)\")}"]) }
        let answers = result.stdout.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard result.status == 0, answers.count == pairs.count else {
            throw TestFailure(
                "rpm oracle failed (\(result.status)): \(result.stderr.prefix(500)) got \(answers.count) of \(pairs.count): \(result.stdout.prefix(300)) from \(path)"
            )
        }
        return answers
    }
}
