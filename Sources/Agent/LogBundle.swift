import ExupSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's log bundle (R168): a tar.gz of what explains its behaviour — the state (without the
/// credential), the journal, each item's program output, the reports still waiting — never the
/// credential, the configuration (it may hold a BMC password) or the cached packages.
public enum LogBundle {
    static let members = ["state.json", "journal.json", "logs", "outbox"]

    /// Writes the bundle to `out`; members that do not exist yet are left out.
    public static func write(stateDirectory: String, to out: String) throws {
        let present = members.filter { LocalFile.exists(stateDirectory + "/" + $0) }
        guard !present.isEmpty else { throw AgentError("nothing to bundle in \(stateDirectory): the agent has not run yet") }
        let tar = ["/usr/bin/tar", "/bin/tar"].first(where: LocalFile.exists) ?? "/bin/tar"
        // The bundle holds the agent's state: 0600 from the first byte, never over an existing file.
        do { try SecretFile.create(out, []) } catch { throw AgentError("cannot write the log bundle \(out): \(error.reason)") }
        let result: CommandRunner.Result
        do {
            result = try CommandRunner.run(
                [tar, "--create", "--gzip", "--file", out, "--directory", stateDirectory, "--"] + present,
                timeoutMilliseconds: 120_000)
        } catch {
            unlink(out)
            throw AgentError("cannot run tar for the log bundle: \(error)")
        }
        guard result.status == 0 else {
            unlink(out)
            throw AgentError("tar could not write the log bundle \(out): \(result.stderrText.trimmingScalars(in: " \n"))")
        }
    }
}
