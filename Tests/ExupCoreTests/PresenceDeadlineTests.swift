import ExupCore
import Testing

@Suite struct PresenceDeadlineTests {
    /// Seconds since 1970 of a UTC date and time.
    func at(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0) -> Int64 { PresenceDeadline.days(year: y, month: m, day: d) * 86_400 + Int64(h) * 3600 }

    @Test("two calendar months later, same time of day; a missing day is the month's last")
    func calendarMonths() {
        #expect(at(1970, 1, 1) == 0 && at(2026, 11, 26) == 1_795_651_200, "day numbers match the Unix epoch")
        #expect(PresenceDeadline.deadline(after: at(2026, 11, 26, 14)) == at(2027, 1, 26, 14))
        #expect(PresenceDeadline.deadline(after: at(2026, 12, 31, 1)) == at(2027, 2, 28, 1))
        #expect(PresenceDeadline.deadline(after: at(2027, 12, 31)) == at(2028, 2, 29), "leap year")
        #expect(PresenceDeadline.deadline(after: at(2026, 3, 15)) == at(2026, 5, 15))
    }
}
