import ExupSystem
import Hummingbird
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

    func problems() async -> [String] {
        var problems: [String] = []
        do { try await Self.within(seconds: 3) { [store] in try await store.checkReachable() } } catch {
            problems.append("database: \(error)")
        }
        do { _ = try repository.catalog.syncValue("readiness-probe") } catch {
            problems.append("catalog: \(error)")
        }
        let pool = repository.paths.pool
        if let directory = opendir(pool) {
            closedir(directory)
        } else {
            problems.append("package pool \(pool): \(String(cString: strerror(errno)))")
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
