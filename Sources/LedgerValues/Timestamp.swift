import Foundation

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    /// The UTC calendar day that contains this instant.
    public var utcDay: CivilDate { CivilDate(daysSinceEpoch: Int(milliseconds.floorDiv(86_400_000))) }

    /// The calendar day that contains this instant in `zone`.
    public func day(in zone: TimeZone) -> CivilDate {
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000)))
        return Timestamp(milliseconds: milliseconds + offset * 1000).utcDay
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-02T10:15:02.123Z`.
    public var iso8601: String {
        let day = utcDay
        let msOfDay = milliseconds - Int64(day.daysSinceEpoch) * 86_400_000
        let h = msOfDay / 3_600_000, m = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, ms = msOfDay % 1000
        return "\(day)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
    }

    public var description: String { iso8601 }

    /// Earliest and latest instants TokenLedger accepts (years 1970 through 9999).
    public static let validRange: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Parses RFC 3339 / ISO 8601 date-times from bytes: `2026-11-02T10:15:02Z`,
    /// `2026-11-02T10:15:02.123456+02:00`, `2026-11-02 10:15:02` (no zone: UTC), `2026-11-02`.
    /// Fractions beyond milliseconds are truncated.
    public static func parse<C: Collection>(iso bytes: C) -> Timestamp? where C.Element == UInt8 {
        var p = ByteCursor(bytes)
        guard let year = p.digits(4), p.expect(0x2D), let month = p.digits(2), p.expect(0x2D),
              let day = p.digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        var ms: Int64 = 0
        var offsetMinutes: Int64 = 0
        if !p.atEnd {
            guard p.expect(0x54) || p.expect(0x74) || p.expect(0x20) else { return nil }
            guard let hh = p.digits(2), p.expect(0x3A), let mm = p.digits(2) else { return nil }
            var ss = 0
            if p.expect(0x3A) { guard let s = p.digits(2) else { return nil }; ss = s }
            guard hh < 24, mm < 60, ss < 61 else { return nil }
            ms = Int64(hh) * 3_600_000 + Int64(mm) * 60_000 + Int64(min(ss, 59)) * 1000
            if p.expect(0x2E) || p.expect(0x2C) {
                var scale: Int64 = 100
                var any = false
                while let d = p.digit() {
                    any = true
                    ms += Int64(d) * scale
                    scale /= 10
                }
                guard any else { return nil }
            }
            if p.expect(0x5A) || p.expect(0x7A) {
                // UTC
            } else if let sign = p.peek(), sign == 0x2B || sign == 0x2D {
                p.advance()
                guard let oh = p.digits(2) else { return nil }
                _ = p.expect(0x3A)
                guard let om = p.digits(2), oh < 24, om < 60 else { return nil }
                offsetMinutes = Int64(oh * 60 + om) * (sign == 0x2D ? -1 : 1)
            }
        }
        guard p.atEnd else { return nil }
        let days = Int64(CivilDate(year: year, month: month, day: day).daysSinceEpoch)
        let value = days * 86_400_000 + ms - offsetMinutes * 60_000
        guard validRange.contains(value) else { return nil }
        return Timestamp(milliseconds: value)
    }

    public static func parse(iso text: String) -> Timestamp? { parse(iso: Array(text.utf8)) }

    /// Interprets an epoch number: seconds, milliseconds, microseconds or nanoseconds, told apart by
    /// magnitude (values below 10¹¹ are seconds, i.e. before year 5138 in seconds and after 1973 in ms).
    public static func fromEpoch(_ value: Int64) -> Timestamp? {
        guard value >= 0 else { return nil }
        let ms: Int64
        switch value {
        case ..<100_000_000_000: ms = value * 1000
        case ..<100_000_000_000_000: ms = value
        case ..<100_000_000_000_000_000: ms = value / 1000
        default: ms = value / 1_000_000
        }
        guard validRange.contains(ms) else { return nil }
        return Timestamp(milliseconds: ms)
    }
}

/// A calendar date without a time zone (proleptic Gregorian).
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// Howard Hinnant's `civil_from_days`.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Howard Hinnant's `days_from_civil`.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public func adding(days n: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + n) }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let w = (daysSinceEpoch + 3).floorMod(7)  // 1970-01-01 was a Thursday (3 when Monday = 0)
        return w + 1
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `YYYY-MM-DD`.
    public init?(parsing text: some StringProtocol) {
        var p = ByteCursor(Array(text.utf8))
        guard let y = p.digits(4), p.expect(0x2D), let m = p.digits(2), p.expect(0x2D), let d = p.digits(2),
              p.atEnd, (1...12).contains(m), d >= 1, d <= CivilDate.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The first instant of this day in `zone`.
    public func start(in zone: TimeZone) -> Timestamp {
        let utcMidnight = Int64(daysSinceEpoch) * 86_400_000
        // The offset at local midnight; evaluate twice to settle across a DST change.
        var guess = utcMidnight - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcMidnight) / 1000))) * 1000
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess) / 1000)))
        guess = utcMidnight - offset * 1000
        return Timestamp(milliseconds: guess)
    }

    public var description: String { "\(pad(Int64(year), 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))" }
}

func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension Int64 {
    @inlinable package func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

extension Int {
    @inlinable func floorMod(_ d: Int) -> Int {
        let r = self % d
        return r < 0 ? r + d : r
    }
}

/// A forward-only reader over bytes for small fixed grammars (dates, numbers).
struct ByteCursor<C: Collection> where C.Element == UInt8 {
    let bytes: C
    var index: C.Index

    init(_ bytes: C) { self.bytes = bytes; self.index = bytes.startIndex }

    var atEnd: Bool { index == bytes.endIndex }
    func peek() -> UInt8? { atEnd ? nil : bytes[index] }
    mutating func advance() { index = bytes.index(after: index) }

    mutating func expect(_ b: UInt8) -> Bool {
        if peek() == b { advance(); return true }
        return false
    }

    mutating func digit() -> Int? {
        guard let c = peek(), c >= 0x30, c <= 0x39 else { return nil }
        advance()
        return Int(c - 0x30)
    }

    mutating func digits(_ n: Int) -> Int? {
        var v = 0
        for _ in 0..<n {
            guard let d = digit() else { return nil }
            v = v * 10 + d
        }
        return v
    }
}
