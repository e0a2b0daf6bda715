import Synchronization

/// The queue of a group commit: callers add their work, the first one into an idle queue drains it, batch
/// by batch, until it is empty (so many small writes share one commit).
public final class BatchQueue<Entry: Sendable>: Sendable {
    private let state = Mutex<(queue: [Entry], draining: Bool)>(([], false))

    public init() {}

    /// Queues `entry`; true when the caller found the queue idle and must start draining it.
    public func add(_ entry: Entry) -> Bool {
        state.withLock { state -> Bool in
            state.queue.append(entry)
            defer { state.draining = true }
            return !state.draining
        }
    }

    /// Everything queued since the last call; empty when nothing was, and then the queue is idle again.
    public func next() -> [Entry] {
        state.withLock { state -> [Entry] in
            let batch = state.queue
            state.queue = []
            if batch.isEmpty { state.draining = false }
            return batch
        }
    }
}
