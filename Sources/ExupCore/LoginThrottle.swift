/// Failed logins slow a password guesser down without locking the owner out for long: after `free`
/// failures in a row a user name must wait before the next attempt, from `base` seconds doubling up to
/// `maximum`; a success forgets the failures. Pure: the caller passes the time.
public struct LoginThrottle: Sendable {
    public var free = 5
    public var base: Int64 = 2
    public var maximum: Int64 = 900
    /// Most user names remembered (guesses at unknown names must not grow memory without bound).
    public var capacity = 10_000

    struct Entry: Sendable {
        var failures: Int
        var lastFailure: Int64
    }

    var entries: [String: Entry] = [:]

    public init() {}

    /// Seconds `user` must still wait before an attempt is even checked (0: go ahead).
    public func wait(user: String, now: Int64) -> Int64 {
        guard let entry = entries[user], entry.failures >= free else { return 0 }
        return max(0, penalty(entry.failures) - (now - entry.lastFailure))
    }

    public mutating func failed(user: String, now: Int64) {
        if entries[user] == nil, entries.count >= capacity {
            // Forget the names whose wait is over, else the oldest failure.
            entries = entries.filter { penalty($0.value.failures) > now - $0.value.lastFailure && $0.value.failures >= free }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key {
                entries[oldest] = nil
            }
        }
        entries[user, default: Entry(failures: 0, lastFailure: now)].failures += 1
        entries[user]?.lastFailure = now
    }

    public mutating func succeeded(user: String) { entries[user] = nil }

    func penalty(_ failures: Int) -> Int64 {
        guard failures >= free else { return 0 }
        let doublings = min(failures - free, 20)
        return min(maximum, base << Int64(doublings))
    }
}
