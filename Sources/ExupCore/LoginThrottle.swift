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

    public init(free: Int = 5) { self.free = free }

    /// Seconds `user` must still wait before an attempt is even checked (0: go ahead).
    public func wait(user: String, now: Int64) -> Int64 {
        guard let entry = entries[user], entry.failures >= free else { return 0 }
        return max(0, penalty(entry.failures) - (now - entry.lastFailure))
    }

    /// Counts a failure; returns how many there are now in a row.
    @discardableResult
    public mutating func failed(user: String, now: Int64) -> Int {
        if entries[user] == nil, entries.count >= capacity {
            // Forget the names whose wait is over, else the oldest failure.
            entries = entries.filter { penalty($0.value.failures) > now - $0.value.lastFailure && $0.value.failures >= free }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key {
                entries[oldest] = nil
            }
        }
        entries[user, default: Entry(failures: 0, lastFailure: now)].failures += 1
        entries[user]?.lastFailure = now
        return entries[user]?.failures ?? 0
    }

    public mutating func succeeded(user: String) { entries[user] = nil }

    /// Takes back one counted failure (an attempt reserved in advance that turned out not to be one).
    public mutating func forgetOne(user: String) {
        guard let entry = entries[user] else { return }
        if entry.failures <= 1 { entries[user] = nil } else { entries[user]?.failures -= 1 }
    }

    func penalty(_ failures: Int) -> Int64 {
        guard failures >= free else { return 0 }
        let doublings = min(failures - free, 20)
        return min(maximum, base << Int64(doublings))
    }
}

/// Failed logins counted per (source, user name) and per source: a guesser is slowed down where it guesses
/// from, and cannot lock a user out of logins from elsewhere. One source guessing many names is slowed by
/// the per-source count. Rows in the application log are written only for the failures `worthLogging`
/// picks, so a flood costs a few rows, not one per attempt.
public struct LoginGuard: Sendable {
    public var perSourceAndUser = LoginThrottle(free: 5)
    public var perSource = LoginThrottle(free: 20)

    public init() {}

    static func pair(_ source: String, _ user: String) -> String { source + "\u{0}" + user }

    /// Seconds a login of `user` from `source` must still wait (0: go ahead).
    public func wait(source: String, user: String, now: Int64) -> Int64 {
        max(perSourceAndUser.wait(user: Self.pair(source, user), now: now), perSource.wait(user: source, now: now))
    }

    /// Counts a failure; returns the failures in a row for this user from this source.
    @discardableResult
    public mutating func failed(source: String, user: String, now: Int64) -> Int {
        perSource.failed(user: source, now: now)
        return perSourceAndUser.failed(user: Self.pair(source, user), now: now)
    }

    public mutating func succeeded(source: String, user: String) {
        perSourceAndUser.succeeded(user: Self.pair(source, user))
    }

    /// Reserves an attempt before the password is checked: it counts as a failure at once, so a burst of
    /// parallel guesses cannot all pass `wait` before the first of them is counted. Returns the wait
    /// (attempt refused, nothing counted) or the failures in a row including this one.
    public mutating func begin(source: String, user: String, now: Int64) -> (wait: Int64, failures: Int) {
        let wait = self.wait(source: source, user: user, now: now)
        guard wait == 0 else { return (wait, 0) }
        return (0, failed(source: source, user: user, now: now))
    }

    /// The reserved attempt succeeded: this user's failures from this source are forgotten, and the
    /// source's count loses this attempt only (one valid account must not wash a guesser's record clean).
    public mutating func verified(source: String, user: String) {
        perSourceAndUser.succeeded(user: Self.pair(source, user))
        perSource.forgetOne(user: source)
    }

    /// The reserved attempt was never checked (the hashing pool was full): it does not count.
    public mutating func abandoned(source: String, user: String) {
        perSourceAndUser.forgetOne(user: Self.pair(source, user))
        perSource.forgetOne(user: source)
    }

    /// The first failure, the one that starts the wait, and then every power of two.
    public func worthLogging(_ failures: Int) -> Bool {
        failures == 1 || failures == perSourceAndUser.free || (failures > 0 && failures & (failures - 1) == 0)
    }
}
