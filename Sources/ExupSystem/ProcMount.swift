#if canImport(Glibc)
    import Glibc
#endif

/// The check every exup executable makes before anything else: `/proc` must be mounted.
///
/// Without it the Swift runtime on Linux cannot read the program's arguments (they come from
/// `/proc/self/cmdline`), so a command would silently run as if it had none, and libdispatch's worker
/// monitor (which reads `/proc/self/task`) traps at random. Failing at once with one line is the only
/// honest answer: in a chroot or container, mount /proc first.
public enum ProcMount {
    /// True when a procfs that shows this process is mounted on `/proc`.
    public static var isMounted: Bool {
        access("/proc/self/cmdline", R_OK) == 0 && access("/proc/self/task", X_OK) == 0
    }

    /// Exits with status 1 and one line on stderr when `/proc` is not mounted.
    /// `program` is passed in because without `/proc` the arguments (and so argv[0]) may be unreadable.
    public static func requireMounted(program: String) {
        guard !isMounted else { return }
        let line = "/proc is not mounted: \(program) needs it (in a chroot or container, mount -t proc proc /proc first)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(1)  // at once: no exit handlers, nothing that could wake libdispatch's monitor
    }
}
