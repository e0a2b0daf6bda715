/// "Two months" (spec 8.9): two calendar months after the last notification, at the same time of day; a
/// day that does not exist in the target month is the month's last day (31 Dec + 2 months = 28/29 Feb).
public enum PresenceDeadline {
    public static let months = 2

    public static func deadline(after lastSeen: Int64) -> Int64 {
        let days = lastSeen >= 0 ? lastSeen / 86_400 : (lastSeen - 86_399) / 86_400
        let secondOfDay = lastSeen - days * 86_400
        var (year, month, day) = civil(fromDays: days)
        month += months
        while month > 12 { month -= 12; year += 1 }
        day = min(day, CalendarDate.daysIn(month: month, year: year))
        return Self.days(year: year, month: month, day: day) * 86_400 + secondOfDay
    }

    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        CivilDays.days(year: Int64(year), month: Int64(month), day: Int64(day))
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let c = CivilDays.civil(fromDays: days)
        return (Int(c.year), Int(c.month), Int(c.day))
    }
}
