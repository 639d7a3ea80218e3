import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The words for a ``PeriodNote``, stated at the top of `report` and `explain`.
public enum PeriodNoteText {
    /// "2026-11: data ends 2026-11-01: 1 of 30 days."
    public static func line(_ n: PeriodNote) -> String {
        switch n {
        case let .empty(p):
            return "\(p.label) holds no calls."
        case let .partial(p, first, last, days):
            let of = "\(days) of \(p.dayCount) days"
            if first > p.first && last < p.last { return "\(p.label): data covers \(first) to \(last) only: \(of)." }
            if first > p.first { return "\(p.label): data starts \(first): \(of)." }
            return "\(p.label): data ends \(last): \(of)."
        case let .lengthsDiffer(a, b, perDay):
            return "Comparing \(a) days with \(b): " + (perDay ? "per-day figures used." : "changes (Δ) are per day; amounts are totals.")
        case let .compareFollowsBase(base, compare):
            return "Only --base was given: \(base.label) is compared with the period right after it, \(compare.label)."
        }
    }

    /// Every note, one line each.
    public static func lines(_ notes: [PeriodNote]) -> [String] { notes.map(line) }
}
