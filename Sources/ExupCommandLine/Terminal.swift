#if canImport(Glibc)
    import Glibc
#endif

/// What standard output is: a terminal gets live lines (and colour unless NO_COLOR is set); a file, a pipe
/// or the journal gets one plain line per step.
public enum Terminal {
    public static var isInteractive: Bool { isInteractive(1) }

    /// Whether `fd` is a terminal that can rewrite lines (not TERM=dumb).
    public static func isInteractive(_ fd: Int32) -> Bool { isatty(fd) == 1 && (getenv("TERM").map { String(cString: $0) } ?? "") != "dumb" }

    /// Colour only on a terminal and never with NO_COLOR (https://no-color.org: any value turns it off).
    public static var colour: Bool { isInteractive && getenv("NO_COLOR") == nil }

    public static func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}

/// Progress of long work: on a terminal one line per thing rewritten in place (`\r`, erase line); elsewhere
/// one plain line per step, never the same line twice, so logs and pipes stay readable.
public final class ProgressLine {
    private let live: Bool
    private let fd: Int32
    private var shown = ""
    private var open = false

    /// `fd` 1 for a command whose progress is its output (exup-agent apply), 2 where standard output is a
    /// result scripts read (exup repo add).
    public init(fd: Int32 = 1) {
        self.fd = fd
        live = Terminal.isInteractive(fd)
    }

    /// Whether lines are rewritten in place (a terminal) or printed one per step.
    public var isLive: Bool { live }

    /// The current state of the thing being worked on; repeated text is not printed again.
    public func update(_ text: String) {
        guard text != shown else { return }
        shown = text
        if live {
            emit("\r\u{1B}[K" + text)
            open = true
        } else {
            emit(text + "\n")
        }
    }

    /// The final state of this thing: on a terminal the line is finished and the next one starts.
    public func finish(_ text: String) {
        if live {
            emit("\r\u{1B}[K" + text + "\n")
        } else if text != shown {
            emit(text + "\n")
        }
        shown = ""
        open = false
    }

    /// Ends a live line left open (before other output).
    public func close() {
        if open { emit("\n") }
        open = false
        shown = ""
    }

    private func emit(_ text: String) {
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }
}
