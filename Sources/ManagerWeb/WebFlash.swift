import ManagerHTTP
import Synchronization

/// Messages for the next page a session sees (after a form's redirect): what an action did, or why it
/// was refused. Kept in memory per session token, a few per session, for a few minutes at most.
package final class WebFlash: Sendable {
    struct Message: Sendable {
        var text: String
        var isError: Bool
    }

    private struct Entry { var messages: [Message]; var at: Int64 }
    private let entries = Mutex<[String: Entry]>([:])
    private let clock: @Sendable () -> Int64

    package init(clock: @escaping @Sendable () -> Int64) { self.clock = clock }

    func add(_ text: String, error: Bool = false, for token: String) {
        let now = clock()
        entries.withLock { entries in
            entries = entries.filter { now - $0.value.at < 300 }
            var entry = entries[token] ?? Entry(messages: [], at: now)
            entry.messages = Array((entry.messages + [Message(text: text, isError: error)]).suffix(20))
            entry.at = now
            entries[token] = entry
        }
    }

    func take(for token: String) -> [Message] {
        entries.withLock { $0.removeValue(forKey: token)?.messages ?? [] }
    }
}
