import ExupSystem
import Hummingbird
import Logging
import Manager
import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// `/readyz`: whether this manager can serve now: its database answers, the repository's catalog answers,
/// and the package pool can be read (a shared file system that went away shows here). A load balancer
/// checks it every few seconds, so each check is one trivial query and one directory open.
struct Readiness: Sendable {
    let store: any ManagerDatabase
    let repository: RepositoryService
    let logger: Logger

    /// What is not ready, in short words for anyone who asks (no credential is needed); the details go to
    /// the log. Each check gets 3 s (a hung shared file system must not hold the probe).
    func problems() async -> [String] {
        var problems: [String] = []
        do { try await Self.within(seconds: 3) { [store] in try await store.checkReachable() } } catch {
            logger.warning("not ready: the database: \(error)")
            problems.append("the database does not answer")
        }
        let catalog = repository.catalog
        do { try await Self.within(seconds: 3) { _ = try await OffPool.run { try catalog.syncValue("readiness-probe") } } } catch {
            logger.warning("not ready: the catalog: \(error)")
            problems.append("the catalog does not answer")
        }
        let pool = repository.paths.pool
        do {
            try await Self.within(seconds: 3) {
                try await OffPool.run {
                    guard let directory = opendir(pool) else { throw FileError(path: pool, reason: String(cString: strerror(errno))) }
                    closedir(directory)
                }
            }
        } catch {
            logger.warning("not ready: the package pool: \(error)")
            problems.append("the package pool cannot be read")
        }
        return problems
    }

    /// The check, or an error once `seconds` pass (a database that does not answer at all must not hold
    /// the load balancer's probe until it gives up).
    static func within(seconds: Int, _ check: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await check() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw NoAnswer(seconds: seconds)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    struct NoAnswer: Error, CustomStringConvertible {
        var seconds: Int
        var description: String { "no answer within \(seconds) s" }
    }

    func response() async -> Response {
        let problems = await problems()
        let text = problems.isEmpty ? "ready\n" : "not ready: " + problems.joined(separator: "; ") + "\n"
        return Response(
            status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
