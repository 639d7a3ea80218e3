import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// `--week` reads a week and only a week, and a week its year does not have is named as such.
@Suite struct PeriodWeekTests {
    @Test func aWeekIsRead() throws {
        let w = try Period(parsingWeek: "2026-W46")
        #expect(w.first == CivilDate(year: 2026, month: 11, day: 9) && w.last == CivilDate(year: 2026, month: 11, day: 15))
        #expect(try Period(parsingWeek: "2026-w1").label == "2026-W01")
        #expect(try Period(parsingWeek: "2026-W53").last == CivilDate(year: 2027, month: 1, day: 3))
    }

    @Test func aMonthOrADayIsNotAWeek() throws {
        #expect(throws: PeriodError.notAWeek("2026-10")) { try Period(parsingWeek: "2026-10") }
        #expect(String(describing: PeriodError.notAWeek("2026-10")).contains("is a month, not a week"))
        #expect(throws: PeriodError.notAWeek("2026-10-05")) { try Period(parsingWeek: "2026-10-05") }
        #expect(throws: PeriodError.notAWeek("2026-W4x")) { try Period(parsingWeek: "2026-W4x") }
        #expect(throws: PeriodError.notAWeek("2026-W460")) { try Period(parsingWeek: "2026-W460") }
    }

    @Test func aWeekTheYearDoesNotHaveSaysSo() throws {
        #expect(throws: PeriodError.noSuchWeek("2026-W99", year: 2026, week: 99, weeks: 53)) { try Period(parsingWeek: "2026-W99") }
        #expect(throws: PeriodError.noSuchWeek("2027-W53", year: 2027, week: 53, weeks: 52)) { try Period(parsingWeek: "2027-W53") }
        #expect(throws: PeriodError.noSuchWeek("2026-W00", year: 2026, week: 0, weeks: 53)) { try Period(parsingWeek: "2026-W00") }
        let message = String(describing: PeriodError.noSuchWeek("2026-W99", year: 2026, week: 99, weeks: 53))
        #expect(message == "week `2026-W99` does not exist: 2026 has ISO weeks W01 to W53, not W99")
        // The general period reader says the same of a week-shaped period.
        #expect(throws: PeriodError.noSuchWeek("2026-W99", year: 2026, week: 99, weeks: 53)) { try Period(parsing: "2026-W99") }
        #expect(try Period(parsing: "2026-10").label == "2026-10")
    }
}
