import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Log lines for journald and for people, on standard error. Under systemd (`JOURNAL_STREAM` names our
/// stderr) each line is `<PRIORITY>message key=value …` (sd-daemon(3)): journald stamps the time and keeps
/// the priority, so we add neither timestamp nor level word. On a terminal or in a file: `TIME LEVEL
/// message key=value …`. The message always comes first and the fields after it; a field's `exup.`
/// prefix and a library's `[Label]` are dropped.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let journal: Bool

    public init(level: Logger.Level = .info, journal: Bool = JournalLogHandler.stderrIsJournal) {
        logLevel = level
        self.journal = journal
    }

    /// Installs the handler for every logger of the process (libraries included).
    public static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { _ in JournalLogHandler(level: level) }
    }

    /// True when systemd connected stderr to the journal: JOURNAL_STREAM is "DEVICE:INODE" of that stream.
    public static var stderrIsJournal: Bool {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = value.split(separator: ":")
        var info = stat()
        guard parts.count == 2, fstat(2, &info) == 0 else { return false }
        return UInt64(parts[0]) == UInt64(info.st_dev) && UInt64(parts[1]) == UInt64(info.st_ino)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        writeStandardError(
            Self.line(
                level: event.level, message: "\(event.message)",
                fields: metadata.merging(event.metadata ?? [:]) { $1 }, journal: journal, now: time(nil)))
    }

    /// One line, pure (the tests check it): priority or time and level, the message, the fields sorted.
    public static func line(level: Logger.Level, message: String, fields: Logger.Metadata, journal: Bool, now: Int) -> String {
        var text = message
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { text = String(text[text.index(after: close)...].drop { $0 == " " }) }
        text = text.replacingAll("\n", with: " ").replacingAll("\r", with: " ")
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            let name = key.hasPrefix("exup.") ? String(key.dropFirst(5)) : key
            let rendered = "\(value)".replacingAll("\n", with: " ").replacingAll("\r", with: " ")  // one record per line, always
            text += " \(name)=" + (rendered.contains(" ") || rendered.isEmpty ? "\"\(rendered.replacingAll("\"", with: "\\\""))\"" : rendered)
        }
        if journal { return "<\(priority(level))>" + text }
        return "\(timestamp(now)) \(word(level)) \(text)"
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func word(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    static func timestamp(_ seconds: Int) -> String {
        var t = time_t(seconds), parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation here).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
