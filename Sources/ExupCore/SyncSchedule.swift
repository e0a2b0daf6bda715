/// When the repository syncs from its upstream on its own (seed §3.3, §3.4.1, R145): every
/// `intervalHours`, aligned on a time of day (UTC) — "every 24 hours at 03:00", "every 6 hours from 00:30".
public struct SyncSchedule: Sendable, Hashable {
    public var intervalHours: Int
    /// Minutes after midnight UTC the runs are aligned on.
    public var minuteOfDay: Int

    public init(intervalHours: Int, minuteOfDay: Int) {
        self.intervalHours = intervalHours
        self.minuteOfDay = minuteOfDay
    }

    /// Parses `HH:MM` (24-hour clock).
    public static func minuteOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    /// The first run strictly after `now` (seconds since 1970): the aligned time of day, plus whole intervals.
    public func next(after now: Int64) -> Int64 {
        let interval = Int64(max(1, intervalHours)) * 3600
        let day = now - ((now % 86_400) + 86_400) % 86_400
        var anchor = day + Int64(minuteOfDay) * 60
        if anchor > now { anchor -= ((anchor - now + interval - 1) / interval) * interval }  // the latest aligned time ≤ now
        let steps = (now - anchor) / interval + 1
        return anchor + steps * interval
    }
}
