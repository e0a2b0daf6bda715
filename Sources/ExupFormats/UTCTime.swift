import ExupCore

/// Seconds since 1970-01-01T00:00:00Z, parsed from and printed as TUF's `YYYY-MM-DDTHH:MM:SSZ`.
public struct UTCTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func num(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for c in b[r] { guard c >= 0x30, c <= 0x39 else { return nil }; v = v * 10 + Int64(c - 0x30) }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
            let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        let days = UTCTime.daysFromCivil(year: y, month: mo, day: d)
        guard UTCTime.civil(fromDays: days) == (y, mo, d) else { return nil }
        seconds = days * 86_400 + h * 3_600 + mi * 60 + s
    }

    public static func < (a: UTCTime, b: UTCTime) -> Bool { a.seconds < b.seconds }

    public func adding(seconds delta: Int64) -> UTCTime { UTCTime(seconds: seconds + delta) }

    public var description: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = UTCTime.civil(fromDays: days)
        func p(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(rest / 3600, 2)):\(p(rest / 60 % 60, 2)):\(p(rest % 60, 2))Z"
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 { CivilDays.days(year: year, month: month, day: day) }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let c = CivilDays.civil(fromDays: days)
        return (c.year, c.month, c.day)
    }
}
