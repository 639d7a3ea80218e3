import Foundation

/// A span of whole calendar days, inclusive at both ends, read in a time zone.
///
///     try Period(parsing: "2026-W46")          // Mon 2026-11-09 … Sun 2026-11-15
///     try Period(parsing: "2026-10")           // 2026-10-01 … 2026-10-31
///     try Period(parsing: "2026-10-03..2026-10-09")
public struct Period: Sendable, Hashable, CustomStringConvertible {
    public var first: CivilDate
    public var last: CivilDate
    /// How the period was named, for headings (`2026-W46`, `2026-10`, `2026-10-03..2026-10-09`).
    public var label: String

    public init(first: CivilDate, last: CivilDate, label: String? = nil) {
        self.first = first
        self.last = last
        self.label = label ?? (first == last ? first.description : "\(first)..\(last)")
    }

    /// Parses an ISO week (`2026-W46`), a month (`2026-10`), a day, or `DATE..DATE`.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let range = t.range(of: "..") {
            guard let a = CivilDate(parsing: t[..<range.lowerBound]), let b = CivilDate(parsing: t[range.upperBound...]) else {
                throw PeriodError.invalid(text)
            }
            guard a <= b else { throw PeriodError.reversed(text) }
            self.init(first: a, last: b)
        } else if let week = Period.isoWeek(t) {
            self = week
        } else if let (year, week) = Period.weekParts(t) {
            throw PeriodError.noSuchWeek(text, year: year, week: week, weeks: Period.weeksIn(isoYear: year))
        } else if let month = Period.month(t) {
            self = month
        } else if let day = CivilDate(parsing: t) {
            self.init(first: day, last: day)
        } else {
            throw PeriodError.invalid(text)
        }
    }

    /// The ISO week `year-Www`: Monday to Sunday; week 1 holds the year's first Thursday.
    public static func isoWeek(year: Int, week: Int) -> Period? {
        guard week >= 1, week <= weeksIn(isoYear: year) else { return nil }
        let jan4 = CivilDate(year: year, month: 1, day: 4)
        let monday = jan4.adding(days: 1 - jan4.isoWeekday + (week - 1) * 7)
        return Period(first: monday, last: monday.adding(days: 6), label: "\(year)-W\(pad(Int64(week), 2))")
    }

    /// The ISO week containing `day`.
    public static func isoWeek(containing day: CivilDate) -> Period {
        let thursday = day.adding(days: 4 - day.isoWeekday)
        let year = thursday.year
        let week = (thursday.daysSinceEpoch - CivilDate(year: year, month: 1, day: 1).daysSinceEpoch) / 7 + 1
        return isoWeek(year: year, week: week)!
    }

    static func weeksIn(isoYear y: Int) -> Int {
        let dec28 = CivilDate(year: y, month: 12, day: 28)
        return isoWeek(containingNoLimit: dec28)
    }

    private static func isoWeek(containingNoLimit day: CivilDate) -> Int {
        let thursday = day.adding(days: 4 - day.isoWeekday)
        return (thursday.daysSinceEpoch - CivilDate(year: thursday.year, month: 1, day: 1).daysSinceEpoch) / 7 + 1
    }

    static func isoWeek(_ t: String) -> Period? {
        guard let (y, w) = weekParts(t) else { return nil }
        return isoWeek(year: y, week: w)
    }

    /// The year and week number of text shaped `YYYY-Www` (whether or not that week exists).
    static func weekParts(_ t: String) -> (year: Int, week: Int)? {
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].first == "W" || parts[1].first == "w", parts[0].count == 4,
              parts[0].allSatisfy(\.isASCII), let y = Int(parts[0]), (1...2).contains(parts[1].count - 1),
              parts[1].dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), let w = Int(parts[1].dropFirst()) else { return nil }
        return (y, w)
    }

    /// Parses an ISO week, and only a week: `2026-W46`. A month, a day or a week number the year does not
    /// have is an error that says so.
    public init(parsingWeek text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let (year, week) = Period.weekParts(t) else { throw PeriodError.notAWeek(text) }
        guard let p = Period.isoWeek(year: year, week: week) else {
            throw PeriodError.noSuchWeek(text, year: year, week: week, weeks: Period.weeksIn(isoYear: year))
        }
        self = p
    }

    /// The calendar month `year-mm`.
    public static func month(year: Int, month: Int) -> Period? {
        guard (1...12).contains(month) else { return nil }
        return Period(first: CivilDate(year: year, month: month, day: 1),
                      last: CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year)),
                      label: "\(year)-\(pad(Int64(month), 2))")
    }

    /// The month `YYYY-MM`, or nil.
    public static func month(_ t: String) -> Period? {
        let parts = t.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return month(year: y, month: m)
    }

    /// Number of days.
    public var dayCount: Int { last.daysSinceEpoch - first.daysSinceEpoch + 1 }

    /// Every day, in order.
    public var days: [CivilDate] { (0..<dayCount).map { first.adding(days: $0) } }

    /// The period of the same length just before this one (the comparison baseline).
    public var previous: Period {
        if label.contains("-W"), dayCount == 7 {
            return Period.isoWeek(containing: first.adding(days: -7))
        }
        if first.day == 1, last.day == CivilDate.daysIn(month: last.month, year: last.year), first.month == last.month,
           first.year == last.year {
            let m = first.month == 1 ? 12 : first.month - 1
            let y = first.month == 1 ? first.year - 1 : first.year
            return Period.month(year: y, month: m)!
        }
        return Period(first: first.adding(days: -dayCount), last: first.adding(days: -1))
    }

    /// The instants `[start, end)` this period covers in `zone`.
    public func interval(in zone: TimeZone) -> Range<Timestamp> {
        first.start(in: zone)..<last.adding(days: 1).start(in: zone)
    }

    public func contains(_ day: CivilDate) -> Bool { day >= first && day <= last }

    public var description: String { label }
}

/// A period given on the command line that cannot be read.
public enum PeriodError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case reversed(String)
    case unknownTimeZone(String)
    /// Not shaped as an ISO week `YYYY-Www`.
    case notAWeek(String)
    /// Shaped as a week, with a number its year does not have.
    case noSuchWeek(String, year: Int, week: Int, weeks: Int)

    public var description: String {
        switch self {
        case .notAWeek(let t):
            if Period.month(t.trimmingCharacters(in: .whitespaces)) != nil {
                "`\(t)` is a month, not a week: expected an ISO week YYYY-Www such as 2026-W46 (or use --month \(t))"
            } else {
                "cannot read week `\(t)`: expected an ISO week YYYY-Www such as 2026-W46"
            }
        case .noSuchWeek(let t, let year, let week, let weeks):
            "week `\(t)` does not exist: \(year) has ISO weeks W01 to W\(pad(Int64(weeks), 2)), not W\(pad(Int64(week), 2))"
        case .invalid(let t): "cannot read period `\(t)`: expected a week (2026-W46), a month (2026-10), a day (2026-10-03) or DATE..DATE"
        case .reversed(let t): "period `\(t)` ends before it starts"
        case .unknownTimeZone(let z): "unknown time zone `\(z)`: expected an IANA name such as UTC, Europe/Berlin or America/New_York"
        }
    }
}

extension TimeZone {
    /// An IANA zone by name, or an error naming it.
    public static func named(_ name: String) throws -> TimeZone {
        if name.uppercased() == "UTC" || name == "Z" { return TimeZone(identifier: "UTC")! }
        guard let z = TimeZone(identifier: name) else { throw PeriodError.unknownTimeZone(name) }
        return z
    }
}
