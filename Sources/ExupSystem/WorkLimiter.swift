/// At most `permits` pieces of expensive blocking work (password hashing) at once, each on a thread of its
/// own, and at most `maxWaiting` more queued: beyond that a caller is refused at once instead of piling up.
/// What it guards can never slow down work that does not go through it.
public actor WorkLimiter {
    /// The queue is full.
    public struct Busy: Error, Sendable {}

    let permits: Int
    let maxWaiting: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(permits: Int, maxWaiting: Int) {
        self.permits = max(1, permits)
        self.maxWaiting = max(0, maxWaiting)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(Busy) -> T {
        if running >= permits {
            guard waiting.count < maxWaiting else { throw Busy() }
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer { release() }
        return await OffPool.compute("exup.limited", body)
    }

    /// Hands the permit to the next waiter, or gives it back.
    private func release() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}
