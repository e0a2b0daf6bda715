/// Every problem of a configuration file, not only the first: the file is parsed, the line of each
/// problem found is set aside (a table header with its keys), and it is parsed again, until it passes or
/// a problem has no line. Line numbers stay those of the file.
public enum TOMLProblems {
    public static func collect(_ text: String, limit: Int = 50, parse: (String) throws(TOMLError) -> Void) -> [TOMLError] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var problems: [TOMLError] = []
        while problems.count < limit {
            do throws(TOMLError) {
                try parse(lines.joined(separator: "\n"))
                return problems
            } catch {
                problems.append(error)
                guard error.line >= 1, error.line <= lines.count else { return problems }
                let index = error.line - 1
                let isHeader = lines[index].trimmingPrefixSpaces().hasPrefix("[")
                lines[index] = ""
                // A table that cannot be read takes its keys along (they would be misread as the previous table's).
                var next = index + 1
                while isHeader, next < lines.count, !lines[next].trimmingPrefixSpaces().hasPrefix("[") {
                    lines[next] = ""
                    next += 1
                }
            }
        }
        return problems
    }
}

extension String {
    fileprivate func trimmingPrefixSpaces() -> Substring { drop { $0 == " " || $0 == "\t" } }
}
