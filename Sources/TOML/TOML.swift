import ExupCore

/// A strict reader for the TOML exup's configuration files use: tables, dotted table names, bare or
/// quoted keys, basic and literal strings, integers, floats, booleans and arrays (over several lines if
/// need be). Anything else (inline tables, dates, multi-line strings, duplicate keys) is refused with the
/// line number, so a mistake in a configuration file is never silently ignored.
public struct TOMLDocument: Sendable {
    public enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case array([Value])
    }

    public struct Entry: Sendable, Hashable {
        public var value: Value
        public var line: Int
    }

    /// Table name ("" for the top level) → key → entry.
    public private(set) var tables: [String: [String: Entry]] = [:]
    /// Line of each table header.
    public private(set) var tableLines: [String: Int] = [:]

    public init(parsing text: String) throws(TOMLError) {
        var parser = TOMLParser(Array(text.unicodeScalars))
        tables[""] = [:]
        var current = ""
        while let line = try parser.nextStatement() {
            switch line {
            case .table(let name, let number):
                guard tables[name] == nil || (name.isEmpty) else { throw TOMLError(line: number, reason: "table [\(name)] appears twice") }
                tables[name] = [:]
                tableLines[name] = number
                current = name
            case .pair(let key, let value, let number):
                guard tables[current]![key] == nil else {
                    throw TOMLError(line: number, reason: "key \(key) is set twice in \(current.isEmpty ? "the top level" : "[\(current)]")")
                }
                tables[current]![key] = Entry(value: value, line: number)
            }
        }
    }
}

public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

private struct TOMLParser {
    enum Statement {
        case table(String, Int)
        case pair(String, TOMLDocument.Value, Int)
    }

    let s: [Unicode.Scalar]
    var i = 0
    var line = 1

    init(_ s: [Unicode.Scalar]) { self.s = s }

    var current: Unicode.Scalar? { i < s.count ? s[i] : nil }

    func fail(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }

    mutating func skipSpaces() { while let c = current, c == " " || c == "\t" { i += 1 } }

    mutating func skipComment() {
        if current == "#" { while let c = current, c != "\n" { i += 1 } }
    }

    /// Spaces, comments and newlines (inside arrays).
    mutating func skipBlank() {
        while true {
            skipSpaces()
            skipComment()
            if current == "\n" { line += 1; i += 1; continue }
            if current == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1; continue }
            return
        }
    }

    mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        skipComment()
        if current == "\r" { i += 1 }
        if let c = current {
            guard c == "\n" else { throw fail("unexpected \"\(c)\" after the value") }
            i += 1
            line += 1
        }
    }

    mutating func nextStatement() throws(TOMLError) -> Statement? {
        skipBlank()
        guard let c = current else { return nil }
        let number = line
        if c == "[" {
            i += 1
            if current == "[" { throw fail("arrays of tables ([[…]]) are not supported") }
            skipSpaces()
            var parts: [String] = []
            while true {
                parts.append(try key())
                skipSpaces()
                if current == "." { i += 1; skipSpaces(); continue }
                guard current == "]" else { throw fail("expected ] to close the table name") }
                i += 1
                break
            }
            try endOfLine()
            return .table(parts.joined(separator: "."), number)
        }
        let name = try key()
        skipSpaces()
        if current == "." { throw fail("dotted keys are not supported; use a [table]") }
        guard current == "=" else { throw fail("expected = after the key \(name)") }
        i += 1
        skipSpaces()
        let v = try value()
        try endOfLine()
        return .pair(name, v, number)
    }

    mutating func key() throws(TOMLError) -> String {
        if current == "\"" { return try basicString() }
        if current == "'" { return try literalString() }
        var out = ""
        while let c = current, ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-" {
            out.unicodeScalars.append(c)
            i += 1
        }
        guard !out.isEmpty else { throw fail("expected a key") }
        return out
    }

    mutating func value() throws(TOMLError) -> TOMLDocument.Value {
        guard let c = current else { throw fail("expected a value") }
        switch c {
        case "\"":
            if i + 2 < s.count, s[i + 1] == "\"", s[i + 2] == "\"" { throw fail("multi-line strings are not supported") }
            return .string(try basicString())
        case "'":
            return .string(try literalString())
        case "[":
            i += 1
            var items: [TOMLDocument.Value] = []
            while true {
                skipBlank()
                if current == "]" { i += 1; return .array(items) }
                items.append(try value())
                skipBlank()
                if current == "," { i += 1; continue }
                guard current == "]" else { throw fail("expected , or ] in the array") }
                i += 1
                return .array(items)
            }
        case "{":
            throw fail("inline tables are not supported; use a [table]")
        case "t", "f":
            var word = ""
            while let l = current, ("a"..."z").contains(l) { word.unicodeScalars.append(l); i += 1 }
            guard word == "true" || word == "false" else { throw fail("unknown value \(word) (strings need quotes)") }
            return .boolean(word == "true")
        default:
            var text = ""
            while let l = current, !(l == " " || l == "\t" || l == "\n" || l == "\r" || l == "," || l == "]" || l == "#") {
                text.unicodeScalars.append(l)
                i += 1
            }
            let clean = text.replacingUnderscores()
            if let int = Int64(clean) { return .integer(int) }
            if let hex = clean.hasPrefix("0x") ? Int64(clean.dropFirst(2), radix: 16) : nil { return .integer(hex) }
            if clean.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let double = Double(clean) { return .float(double) }
            throw fail("\"\(text)\" is not a value (strings need quotes)")
        }
    }

    mutating func basicString() throws(TOMLError) -> String {
        i += 1
        var out = ""
        while true {
            guard let c = current, c != "\n" else { throw fail("unterminated string") }
            i += 1
            if c == "\"" { return out }
            if c == "\\" {
                guard let e = current else { throw fail("unterminated escape") }
                i += 1
                switch e {
                case "\"": out += "\""
                case "\\": out += "\\"
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "b": out += "\u{08}"
                case "f": out += "\u{0C}"
                case "u", "U":
                    let count = e == "u" ? 4 : 8
                    guard i + count <= s.count, let code = UInt32(String(String.UnicodeScalarView(s[i..<i + count])), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else { throw fail("invalid \\\(e) escape") }
                    out.unicodeScalars.append(scalar)
                    i += count
                default: throw fail("invalid escape \\\(e)")
                }
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }

    mutating func literalString() throws(TOMLError) -> String {
        i += 1
        var out = ""
        while true {
            guard let c = current, c != "\n" else { throw fail("unterminated string") }
            i += 1
            if c == "'" { return out }
            out.unicodeScalars.append(c)
        }
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

/// Typed access to one table, recording which keys were read so unknown ones can be refused.
public struct TOMLTable {
    public let name: String
    let entries: [String: TOMLDocument.Entry]
    private(set) var used = Set<String>()

    public init(_ document: TOMLDocument, _ name: String) {
        self.name = name
        entries = document.tables[name] ?? [:]
    }

    public var exists: Bool { !entries.isEmpty }

    func fail(_ key: String, _ expected: String) -> TOMLError {
        TOMLError(line: entries[key]?.line ?? 0, reason: "[\(name)] \(key) must be \(expected)")
    }

    public mutating func string(_ key: String) throws(TOMLError) -> String? {
        used.insert(key)
        guard let entry = entries[key] else { return nil }
        guard case .string(let s) = entry.value else { throw fail(key, "a string") }
        return s
    }

    public mutating func int(_ key: String, in range: ClosedRange<Int>? = nil) throws(TOMLError) -> Int? {
        used.insert(key)
        guard let entry = entries[key] else { return nil }
        guard case .integer(let v) = entry.value, let int = Int(exactly: v) else { throw fail(key, "an integer") }
        if let range, !range.contains(int) { throw fail(key, "between \(range.lowerBound) and \(range.upperBound)") }
        return int
    }

    public mutating func bool(_ key: String) throws(TOMLError) -> Bool? {
        used.insert(key)
        guard let entry = entries[key] else { return nil }
        guard case .boolean(let b) = entry.value else { throw fail(key, "true or false") }
        return b
    }

    public mutating func strings(_ key: String) throws(TOMLError) -> [String]? {
        used.insert(key)
        guard let entry = entries[key] else { return nil }
        guard case .array(let items) = entry.value else { throw fail(key, "an array of strings") }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw fail(key, "an array of strings") }
            out.append(s)
        }
        return out
    }

    /// One of `choices` (the raw values of an enum).
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(TOMLError) -> T?
    where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw fail(key, "one of " + T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return value
    }

    /// Refuses keys nobody asked for (typos), naming them, their line and the known key they resemble.
    public func rejectUnknownKeys() throws(TOMLError) {
        if let (key, entry) = entries.filter({ !used.contains($0.key) }).min(by: { $0.value.line < $1.value.line }) {
            let hint = ClosestName.suggest(key, among: used.sorted()).map { "; did you mean \($0)?" } ?? ""
            throw TOMLError(line: entry.line, reason: "unknown key \(key) in [\(name)]\(hint)")
        }
    }

    /// The line a key is set on (the table's first key when it is not set), for errors about its value.
    public func line(_ key: String) -> Int { entries[key]?.line ?? entries.values.map(\.line).min() ?? 0 }
}
