#if canImport(Glibc)
    import Glibc
#endif

/// An update program that outlives the agent (package-format.md, "Running a package"): started in its own
/// session and process group, with no parent-death signal, stdin from /dev/null and its output appended
/// to a log file. Identified by pid *and* start time, so a restarted agent never mistakes a recycled pid
/// for the program it started.
public struct DetachedProgram: Sendable, Hashable, Codable {
    public var pid: Int32
    /// Field 22 of /proc/PID/stat (clock ticks since boot).
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// How a program ended, as far as the watcher can know.
    public enum Ending: Sendable, Hashable {
        /// Exit status (128 + signal number when killed by a signal).
        case exited(Int32)
        /// Killed after its time limit.
        case timedOut
        /// Ended while another process was its parent: the status is lost; the module's version decides.
        case unknown
        /// Still running: the waiter stopped waiting (the agent is stopping; its next start judges it).
        case abandoned
    }

    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// glibc's posix_spawn_file_actions_addchdir_np (2.29+), looked up at run time: Swift's Glibc module
    /// hides the GNU extensions.
    static let addChdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    /// Starts `arguments` in `directory` with exactly `environment`.
    public static func start(
        _ arguments: [String], directory: String, environment: [String],
        logPath: String
    ) throws(CommandRunner.Failure) -> DetachedProgram {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard let addChdir = DetachedProgram.addChdir, addChdir(&actions, directory) == 0 else {
            throw CommandRunner.Failure(description: "this C library cannot set a spawned program's working directory (glibc 2.29 or later needed)")
        }
        var pid: pid_t = 0
        let spawned = CommandRunner.spawn(&pid, arguments, environment, actions: &actions, newSession: true)
        guard spawned == 0 else {
            throw CommandRunner.Failure(description: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        return DetachedProgram(pid: pid, startTime: startTime(of: pid) ?? 0)
    }

    /// The start time of a live (not zombie) process, or nil.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let text = LocalFile.readText("/proc/\(pid)/stat", limit: 4096), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); the start time is field 22.
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }

    /// Whether the program this identity names still runs.
    public var isRunning: Bool {
        guard let now = DetachedProgram.startTime(of: pid) else { return false }
        return startTime == 0 || now == startTime
    }

    /// Waits for the program to end. As its parent, reaps it and returns its exit status; otherwise (after
    /// an agent restart) watches /proc until it is gone. At `deadline` (monotonic ms) the group gets SIGTERM,
    /// then SIGKILL 10 s later. `tick` is called about once a second while it runs; once `abandon` says
    /// so, the wait ends with the program left running.
    public func wait(deadline: Int, tick: () -> Void = {}, abandon: () -> Bool = { false }) -> Ending {
        var terminatedAt: Int?
        var lastTick = CommandRunner.monotonicMilliseconds()
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                if terminatedAt != nil { return .timedOut }
                return .exited((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
            }
            if reaped < 0 && errno == ECHILD && !isRunning { return terminatedAt != nil ? .timedOut : .unknown }
            let now = CommandRunner.monotonicMilliseconds()
            if let at = terminatedAt {
                if now - at >= 10_000 { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
            } else if now >= deadline {
                terminatedAt = now
                kill(-pid, SIGTERM)
                kill(pid, SIGTERM)
            }
            if now - lastTick >= 1000 { tick(); lastTick = now }
            if terminatedAt == nil && abandon() { return .abandoned }
            usleep(50_000)
        }
    }

    /// The pid of a live process whose working directory is `directory` (how a restarted agent finds a
    /// program it started but had not recorded yet).
    public static func find(workingDirectory directory: String) -> Int32? {
        guard let entries = try? LocalDirectory.list("/proc") else { return nil }
        for name in entries {
            guard let pid = Int32(name) else { continue }
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = readlink("/proc/\(pid)/cwd", &buffer, buffer.count - 1)
            guard n > 0 else { continue }
            let cwd = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if cwd == directory, startTime(of: pid) != nil { return pid }
        }
        return nil
    }
}
