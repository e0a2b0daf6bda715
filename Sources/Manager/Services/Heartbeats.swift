import Synchronization

/// Polls since the last flush, by agent: a poll costs no commit; `flush` writes them in one transaction.
public final class Heartbeats: Sendable {
    private let beats = Mutex([String: Int64]())

    func record(_ name: String, at time: Int64) { beats.withLock { $0[name] = time } }

    /// The stored last-seen time, or a newer heartbeat not yet flushed.
    func lastSeen(_ name: String, stored: Int64) -> Int64 { max(stored, beats.withLock { $0[name] } ?? 0) }

    /// Puts back heartbeats a flush could not write (a newer one recorded meanwhile wins).
    func restore(_ unwritten: [String: Int64]) {
        beats.withLock { beats in beats.merge(unwritten) { max($0, $1) } }
    }

    /// Takes what was recorded since the last call.
    func drain() -> [String: Int64] {
        beats.withLock { beats in
            defer { beats = [:] }
            return beats
        }
    }
}

/// The (agent, platform, previous generations) combinations already passed to the repository, so a report
/// tells it only what changed.
final class PlatformsServed: Sendable {
    private let seen = Mutex(Set<String>())

    func contains(_ key: String) -> Bool { seen.withLock { $0.contains(key) } }

    func insert(_ key: String) {
        seen.withLock { seen in
            if seen.count > 100_000 { seen.removeAll() }
            seen.insert(key)
        }
    }

    func forget(agent name: String) { seen.withLock { seen in seen = seen.filter { !$0.hasPrefix(name + "|") } } }
}
