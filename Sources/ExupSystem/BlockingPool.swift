import Dispatch
import Synchronization

/// A fixed set of threads for blocking work that has no async form (the catalog's SQLite calls): created
/// once, as many as the cores, so callers wait without holding a thread of Swift's cooperative pool and
/// no call creates a thread or queue of its own.
public final class BlockingPool: Sendable {
    public static let shared = BlockingPool(threads: max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    private let queues: [DispatchQueue]
    private let next = Atomic<UInt>(0)

    public init(threads: Int) {
        queues = (0..<max(1, threads)).map { DispatchQueue(label: "exup.blocking-pool.\($0)") }
    }

    /// Runs `body` on one of the pool's threads (in turn) and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let index = Int(next.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(queues.count))
        return try await withCheckedThrowingContinuation { continuation in
            queues[index].async { continuation.resume(with: Result { try body() }) }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
