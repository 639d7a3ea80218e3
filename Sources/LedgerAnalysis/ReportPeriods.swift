import Foundation
import LedgerPricing
import LedgerValues

/// Default periods of the reports.
public enum ReportPeriods {
    /// The last ISO week that ended on or before the last day with data: the week of that day when it
    /// is a Sunday, else the week before.
    public static func lastCompleteWeek(dataEnd: Timestamp, zone: TimeZone) -> Period {
        let last = dataEnd.day(in: zone)
        let week = Period.isoWeek(containing: last)
        return last == week.last ? week : week.previous
    }
}

/// What a report should say first about the periods it compares: one that holds no calls, one the data
/// covers only in part, two of different lengths, or a period it chose itself. Figures only; the words
/// are the report layer's.
public enum PeriodNote: Sendable, Equatable {
    /// The period holds no calls.
    case empty(Period)
    /// The data starts or ends inside the period: it covers `days` of its days, `first` to `last`.
    case partial(Period, first: CivilDate, last: CivilDate, days: Int)
    /// The periods compared differ in length (days with data): every figure is per day when `perDay`
    /// (explain), else the changes are per day and the amounts totals (report).
    case lengthsDiffer(baseDays: Int, compareDays: Int, perDay: Bool)
    /// Only the base period was given: the period compared with it is the one right after it.
    case compareFollowsBase(base: Period, compare: Period)

    /// The notes on one period: empty, or partly covered by the data from `dataFirst` to `dataLast`
    /// (local days; nil: no data at all).
    public static func coverage(of p: Period, hasCalls: Bool, dataFirst: CivilDate?, dataLast: CivilDate?) -> [PeriodNote] {
        guard hasCalls, let dataFirst, let dataLast, dataLast >= p.first, dataFirst <= p.last else { return [.empty(p)] }
        let first = max(p.first, dataFirst), last = min(p.last, dataLast)
        guard first != p.first || last != p.last else { return [] }
        return [.partial(p, first: first, last: last, days: last.daysSinceEpoch - first.daysSinceEpoch + 1)]
    }

    /// The days of `p` the data covers (all of them when it is not partial).
    public static func coveredDays(of p: Period, in notes: [PeriodNote]) -> Int {
        for n in notes {
            if case let .partial(q, _, _, days) = n, q == p { return days }
        }
        return p.dayCount
    }
}

extension Period {
    /// The period of the same kind right after this one: the next ISO week, the next month, or the
    /// days of the same length that follow.
    public var next: Period {
        if label.contains("-W"), dayCount == 7 {
            return Period.isoWeek(containing: last.adding(days: 1))
        }
        if first.day == 1, last.day == CivilDate.daysIn(month: last.month, year: last.year), first.month == last.month,
           first.year == last.year {
            let m = last.month == 12 ? 1 : last.month + 1
            let y = last.month == 12 ? last.year + 1 : last.year
            return Period.month(year: y, month: m)!
        }
        return Period(first: last.adding(days: 1), last: last.adding(days: dayCount))
    }
}
