import ApplicationLog
import ExupCore
import ExupCrypto
import ExupSystem
import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// Agent log bundles (R168): the administrator asks, the agent uploads at its next poll.
public struct LogBundleService: Sendable {
    let context: ManagerContext
    var store: any ManagerDatabase { context.store }

    /// Where an agent's last uploaded log bundle is kept.
    public func logBundlePath(_ name: String) -> String { logsDirectory + "/" + name + ".tar.gz" }
    var logsDirectory: String { context.dataDirectory + "/agent-logs" }

    /// Asks the agent for its log bundle at its next poll.
    public func requestLogs(_ name: String, actor: String) async throws {
        guard try await store.requestLogBundle(from: name) else { throw ManagerError.notFound("no server \(name)") }
        try await context.log(.logBundleRequested, actor: actor, server: name)
    }

    /// Keeps an uploaded bundle (moved from `file`, same file system) and clears the request.
    public func storeLogBundle(_ name: String, file: String, bytes: Int64) async throws {
        // The upload takes the request it answers (a request made meanwhile is not lost to it).
        guard try await store.clearLogBundleRequest(of: name) else {
            unlink(file)
            throw ManagerError.conflict("not-requested", "no log bundle was requested from \(name)")
        }
        do {
            try LocalFile.makeDirectories(logsDirectory, mode: 0o700)
            guard rename(file, logBundlePath(name)) == 0 else {
                throw ManagerError(kind: .invalid, code: "storage", message: "cannot keep the log bundle")
            }
        } catch {
            // The request it answered is asked again: the agent uploads at its next poll.
            unlink(file)
            _ = try? await store.requestLogBundle(from: name)
            try? await context.log(.logBundleFailed, actor: name, server: name, cause: "the manager could not keep it (\(error)); asked again")
            throw error
        }
        try await context.log(.logBundleReceived, actor: name, server: name, cause: "\(bytes) bytes")
    }

    /// The agent could not build or send its bundle: the request ends and the cause is logged.
    public func logBundleFailed(_ name: String, reason: String) async throws {
        try await store.clearLogBundleRequest(of: name)
        try await context.log(.logBundleFailed, actor: name, server: name, cause: String(reason.prefix(2000)))
    }

    /// A fresh path beside the bundles for an upload in progress.
    public func incomingLogPath() throws -> String {
        try LocalFile.makeDirectories(logsDirectory, mode: 0o700)
        return logsDirectory + "/." + Secrets.token(bytes: 9) + ".part"
    }
}
