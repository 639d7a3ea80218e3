import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// `report` and `explain` say first when a period is empty, partly covered by the data, or of another
/// length than the one it is compared with; `explain --base` alone compares with the period after it.
@Suite struct PeriodNoteTests {
    let utc = TimeZone(identifier: "UTC")!

    /// The sample's data: 2026-10-05 to 2026-10-18.
    func explain(base: String?, compare: String?, perDay: Bool = false) throws -> BillChangeReport {
        let db = try AuditTests.shared.get().db
        let span = try #require(try RequestScan(db: db).dataSpan())
        let (bp, cp, chosen) = try BillChangeAnalysis.periods(base: base.map { try Period(parsing: $0) },
                                                              compare: compare.map { try Period(parsing: $0) },
                                                              defaultCompare: { ReportPeriods.lastCompleteWeek(dataEnd: span.upperBound, zone: utc) })
        let loader = BillChangeLoader(db: db)
        var b = try loader.load(bp, zone: utc), c = try loader.load(cp, zone: utc)
        let prepared = BillChangeAnalysis.prepare(base: &b, compare: &c, basePeriod: bp, comparePeriod: cp,
                                                  dataFirst: span.lowerBound.day(in: utc), dataLast: span.upperBound.day(in: utc), perDay: perDay)
        let d = BillChangeAnalysis.decompose(base: b, compare: c, perDay: prepared.perDay)
        return BillChangeReport.make(d, base: bp, compare: cp, zoneName: "UTC", dimension: .workflow, names: try NameDirectory(db: db),
                                     modelTiers: [:], periodNotes: chosen + prepared.notes)
    }

    @Test func aBaseAloneIsComparedWithThePeriodRightAfterIt() throws {
        let r = try explain(base: "2026-W41", compare: nil)
        #expect(r.compare.label == "2026-W42")
        let text = ExplainReportText.render(r)
        #expect(text.contains("Only --base was given: 2026-W41 is compared with the period right after it, 2026-W42."))
        #expect(try Period(parsing: "2026-09").next == Period(parsing: "2026-10"))
        #expect(try Period(parsing: "2026-12").next == Period(parsing: "2027-01"))
    }

    @Test func aPartialPeriodOfAnotherLengthIsStatedAndComparedPerDay() throws {
        let r = try explain(base: "2026-W41", compare: "2026-10")
        #expect(r.perDay)
        let text = ExplainReportText.render(r)
        let top = String(text.prefix(upTo: try #require(text.range(of: "WATERFALL")).lowerBound))
        #expect(top.contains("2026-10: data covers 2026-10-05 to 2026-10-18 only: 14 of 31 days."))
        #expect(top.contains("Comparing 7 days with 14: per-day figures used."))
        // Per day over the days with data: W41's daily spend against the first half of October's.
        let w41 = try explain(base: "2026-W41", compare: "2026-W42", perDay: true)
        #expect(r.baseTotal == w41.baseTotal)
        let json = ExplainReportJSON.render(r)
        #expect(json.contains("\"period_notes\": ["))
    }

    @Test func anEmptyPeriodIsStated() throws {
        let r = try explain(base: "2026-W42", compare: nil)
        #expect(r.compare.label == "2026-W43")
        #expect(ExplainReportText.render(r).contains("NOTE: 2026-W43 holds no calls."))
        #expect(ExplainReportMarkdown.render(r).contains("2026-W43 holds no calls."))
    }

    @Test func theReportStatesItsPeriodsAtTheTop() throws {
        let db = try AuditTests.shared.get().db
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-10")), zone: utc, zoneName: "UTC", budget: nil))
        #expect(r.periodNotes.contains(.empty(try Period(parsing: "2026-09"))))
        let text = AuditReportText.render(r, budgetName: nil)
        let top = text.split(separator: "\n").prefix(6).joined(separator: "\n")
        #expect(top.contains("NOTE: 2026-10: data covers 2026-10-05 to 2026-10-18 only: 14 of 31 days."))
        #expect(top.contains("NOTE: 2026-09 holds no calls."))
        // A full week beside a full week: nothing to say.
        let week = try Ledger(db: db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-W42")), zone: utc, zoneName: "UTC", budget: nil))
        #expect(week.periodNotes.isEmpty)
    }
}

@Suite struct ReportPerDayChangeTests {
    @Test func periodsOfDifferentLengthsCompareDailyRatesInTheReport() throws {
        let db = try AuditTests.shared.get().db
        let utc = TimeZone(identifier: "UTC")!
        let week = try Ledger(db: db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-W42")), zone: utc, zoneName: "UTC", budget: nil))
        #expect(week.previousScale == 1)
        // Ten full days against the ten before, of which the data (from 2026-10-05) covers four.
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-10-09..2026-10-18")), zone: utc,
                                                       zoneName: "UTC", budget: nil))
        #expect(r.previousScale == 2.5)
        let notes = PeriodNoteText.lines(r.periodNotes)
        #expect(notes.contains("2026-09-29..2026-10-08: data starts 2026-10-05: 4 of 10 days."))
        #expect(notes.contains("Comparing 4 days with 10: changes (Δ) are per day; amounts are totals."))
        let c = r.total.current.spend, p = r.total.previous.spend
        let perDay = (Double(c.picos) - Double(p.picos) * 2.5) / (Double(p.picos) * 2.5)
        let text = AuditReportText.render(r, budgetName: nil)
        #expect(text.contains("(\(perDay >= 0 ? "+" : "")\(NumberText.percent(perDay)) vs \(p.display()))"))
    }
}
