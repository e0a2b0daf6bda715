import ExupCore
import Testing

@Suite struct SyncScheduleTests {
    let day: Int64 = 1_795_651_200  // 2026-11-26T00:00:00Z

    @Test("daily at 03:00: before 03:00 today runs today, after it runs tomorrow, never at the same instant twice")
    func daily() {
        let schedule = SyncSchedule(intervalHours: 24, minuteOfDay: 180)
        #expect(schedule.next(after: day) == day + 3 * 3600)
        #expect(schedule.next(after: day + 3 * 3600) == day + 27 * 3600, "strictly after")
        #expect(schedule.next(after: day + 5 * 3600) == day + 27 * 3600)
    }

    @Test("every 6 hours aligned on 00:30: 00:30, 06:30, 12:30, 18:30")
    func sixHourly() {
        let schedule = SyncSchedule(intervalHours: 6, minuteOfDay: 30)
        #expect(schedule.next(after: day) == day + 1800)
        #expect(schedule.next(after: day + 7 * 3600) == day + 12 * 3600 + 1800)
        #expect(schedule.next(after: day + 23 * 3600) == day + 24 * 3600 + 1800)
    }

    @Test("an interval longer than a day keeps its rhythm from the anchor; HH:MM is checked")
    func parsing() {
        #expect(SyncSchedule.minuteOfDay("03:00") == 180 && SyncSchedule.minuteOfDay("23:59") == 1439)
        for bad in ["3:00", "24:00", "12:60", "12", "ab:cd", ""] { #expect(SyncSchedule.minuteOfDay(bad) == nil, "\(bad)") }
        let weekly = SyncSchedule(intervalHours: 168, minuteOfDay: 60)
        let first = weekly.next(after: day)
        #expect(first > day && first <= day + 168 * 3600 && (first - day) % 3600 == 0)
        #expect(weekly.next(after: first) == first + 168 * 3600)
    }
}
