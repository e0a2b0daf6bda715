import ExupSystem

/// One agent at a time per state directory: an exclusive flock on `STATE/lock`, held for a cycle. The
/// descriptor is close-on-exec, so an update program that outlives the agent never keeps the lock, and
/// the kernel drops it when the agent dies (kill -9 included).
public final class AgentLock {
    let lock: ProcessLock

    /// Takes the lock, or says who holds it.
    public init(stateDirectory: String) throws {
        do { lock = try ProcessLock(path: stateDirectory + "/lock") } catch let held as ProcessLock.Held {
            throw AgentError(
                "another exup-agent (pid \(held.pid.map(String.init) ?? "?")) is working on \(stateDirectory); try again when it is done")
        } catch {
            throw AgentError("cannot open \(stateDirectory)/lock: \(error)")
        }
    }
}
