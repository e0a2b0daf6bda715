import ExupTesting
import Testing

/// Every executable refuses to start without /proc, with one line and a non-zero exit, instead of running
/// with its arguments lost or trapping in libdispatch at random (a chroot or container without /proc).
@Suite struct ExecutableStartupTests {
    /// Runs `binary --version` in a private mount namespace where /proc is an empty tmpfs.
    func runWithoutProc(_ binary: String) throws -> Subprocess.Result {
        let unshare = try requireTool("unshare")
        return try Subprocess.run([
            unshare, "--mount", "--propagation", "private", "/bin/sh", "-c",
            "mount -t tmpfs none /proc && exec \"$0\" --version", binary,
        ])
    }

    @Test("without /proc each executable says so in one line and exits 1", arguments: ["exup", "exup-agent", "exup-manager", "exup-tuf-client"])
    func refusesWithoutProc(_ name: String) throws {
        let result = try runWithoutProc(BuiltProducts.path(name))
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "/proc is not mounted: \(name) needs it (in a chroot or container, mount -t proc proc /proc first)\n")
    }

    @Test("with /proc the arguments arrive: --version prints the version", arguments: ["exup", "exup-agent", "exup-manager"])
    func runsWithProc(_ name: String) throws {
        let result = try Subprocess.run([BuiltProducts.path(name), "--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("0."))
    }
}
