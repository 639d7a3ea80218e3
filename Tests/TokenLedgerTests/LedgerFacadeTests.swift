import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerStore
@testable import LedgerAnalysis
@testable import TokenLedger

/// The use cases' own choices: default periods, open ends, and what an empty database says.
@Suite struct LedgerFacadeTests {
    let utc = TimeZone(identifier: "UTC")!

    @Test func aPeriodRequestKeepsAGivenPeriodAndFillsOpenEndsFromTheDefault() throws {
        let week = try Period(parsing: "2026-W42")
        let fallback = try Period(parsing: "2026-10")
        #expect(try PeriodRequest.exactly(week).resolve { fallback } == week)
        #expect(try PeriodRequest.default.resolve { fallback } == fallback)
        let from = try PeriodRequest.days(first: CivilDate(year: 2026, month: 10, day: 20), last: nil).resolve { fallback }
        #expect(from.first == CivilDate(year: 2026, month: 10, day: 20) && from.last == fallback.last)
        #expect(throws: PeriodRequestError.self) {
            try PeriodRequest.days(first: CivilDate(year: 2026, month: 11, day: 5), last: nil).resolve { fallback }
        }
    }

    @Test func theDefaultAuditIsTheLastCompleteWeekOfTheData() throws {
        let db = try AuditTests.shared.get().db
        let r = try Ledger(db: db).audit(AuditRequest(zone: utc, zoneName: "UTC"))
        let end = try #require(try RequestScan(db: db).dataSpan()).upperBound
        #expect(r.period == ReportPeriods.lastCompleteWeek(dataEnd: end, zone: utc))
    }

    @Test func anEmptyDatabaseSaysSoForEveryUseCaseThatNeedsRequests() throws {
        let scratch = try Scratch()
        let ledger = Ledger(db: try scratch.ledger().db)
        #expect(throws: Ledger.Failure.noRequests) { try ledger.audit(AuditRequest(zone: utc, zoneName: "UTC")) }
        #expect(throws: Ledger.Failure.noRequests) { try ledger.explain(ExplainRequest(zone: utc, zoneName: "UTC")) }
        #expect(throws: Ledger.Failure.noRequests) {
            try ledger.whatIf(WhatIfRequest(zone: utc, zoneName: "UTC", scenarios: [WhatIfScenario(name: "nothing")]))
        }
        #expect(throws: Ledger.Failure.noProviderExports(providers: ["openai"])) {
            try ledger.reconcile(ReconcileRequest(providers: ["openai"]))
        }
        #expect(try ledger.summary(SummaryRequest(dimensions: [.model], zone: utc, zoneName: "UTC")).total.requests == 0)
    }
}
