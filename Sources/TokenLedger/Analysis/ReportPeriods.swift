import Foundation

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
