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

/// The budget forecast's range is a range or says why there is none; a spent budget says when it ran
/// out; consecutive anomaly days of one workflow are one flag.
@Suite struct BudgetForecastWordingTests {
    func audit(monthly: Money? = nil) throws -> AuditResult {
        let sample = try AuditTests.shared.get()
        var budget = try SampleDatabase.budget
        if let monthly { budget.spend?.monthly = monthly }
        return try Ledger(db: sample.db).audit(AuditRequest(
            period: .exactly(try Period(parsing: "2026-W42")), zone: TimeZone(identifier: "UTC")!, zoneName: "UTC", budget: budget))
    }

    @Test func aForecastWithoutHistoryHasNoRangeAndSaysSo() throws {
        // The sample starts on 2026-10-05: October has no history before it to weigh weekdays.
        let r = try audit()
        let total = try #require(r.burn?.lines.first)
        #expect(total.range == .tooLittleHistory(days: 0, needed: 14))
        let text = AuditReportText.render(r, budgetName: "budget.yaml")
        #expect(!text.contains("\(total.forecast.display())–\(total.forecast.display())"))
        #expect(text.contains("too little history (0 of 14 days)"))
        let json = AuditReportJSON.render(r, budgetName: "budget.yaml")
        #expect(json.contains("\"forecast_range\": \"too_little_history\""))
    }

    @Test func aBudgetSpentBeforeTheEndSaysWhenItRanOut() throws {
        let r = try audit(monthly: usd("100"))
        let total = try #require(r.burn?.lines.first)
        let day = try #require(total.ranOutOn)
        #expect(day <= r.burn!.asOf)
        #expect(total.runsOutOn == nil)
        let text = AuditReportText.render(r, budgetName: "budget.yaml")
        #expect(text.contains("ran out on \(day)"))
        let flag = try #require(r.flags.first { $0.rule == .budgetForecast && $0.subject == .budgetLine("total") })
        guard case let .budgetForecast(forecast) = flag.figures else { Issue.record("\(flag.figures)"); return }
        #expect(forecast.ranOutOn == day && forecast.runsOutOn == nil && forecast.forecast > forecast.budget)
        let evidence = AuditFlagWording(flag).evidence
        #expect(evidence.contains("ran out on \(day)") && !evidence.contains("runs out"))
        #expect(AuditReportHTML.render(r, budgetName: "budget.yaml").contains("ran out on \(day)"))
    }

    @Test func consecutiveAnomalyDaysAreOneFlag() throws {
        let r = try audit()
        let anomalies = r.flags.filter { $0.rule == .spendAnomaly && $0.subject.name == "summarize" }
        #expect(anomalies.count == 1)
        let first = try #require(anomalies.first)
        #expect(first.subject == .workflowDays(workflow: "summarize", first: CivilDate(year: 2026, month: 10, day: 12), last: CivilDate(year: 2026, month: 10, day: 14)))
        guard case let .spendAnomaly(days) = first.figures else { Issue.record("\(first.figures)"); return }
        #expect(days.map(\.day.description) == ["2026-10-12", "2026-10-13", "2026-10-14"])
        #expect(days.allSatisfy { $0.spend > $0.median })
        let words = AuditFlagWording(first)
        #expect(words.subject == "summarize on 2026-10-12 … 2026-10-14")
        #expect(words.actual.contains("over 3 days"))
    }
}

/// Latency percentiles of batch calls (hours by design) are reported apart from interactive ones.
@Suite struct BatchLatencyTests {
    @Test func interactiveLatencyLeavesBatchCallsOut() throws {
        let sample = try AuditTests.shared.get()
        let r = try AuditGoldenTests.result.get()
        let week = try Period(parsing: "2026-W42").interval(in: TimeZone(identifier: "UTC")!)
        var interactive: [Int64: [Int64: Int64]] = [:], batch: [Int64: [Int64: Int64]] = [:]
        try RequestScan(db: sample.db).forEach(in: week) { c in
            guard let ms = c.latencyMs else { return }
            let b = LatencyCellKey.bucket(ofMilliseconds: ms)
            if c.batch { batch[c.workflowID ?? 0, default: [:]][b, default: 0] += 1 } else { interactive[c.workflowID ?? 0, default: [:]][b, default: 0] += 1 }
        }
        let names = try NameDirectory(db: sample.db)
        var batchWorkflows = 0
        for w in r.workflows {
            let id = names.all(.workflow).first { $0.value == w.name }?.key ?? 0
            let c = w.figures.current
            #expect(c.latencyP95 == AuditContext.percentile(0.95, interactive[id] ?? [:]), "\(w.name)")
            #expect(c.batchLatencyP95 == AuditContext.percentile(0.95, batch[id] ?? [:]), "\(w.name)")
            if let b = c.batchLatencyP95, let i = c.latencyP95 {
                batchWorkflows += 1
                #expect(b > i, "\(w.name): batch p95 \(b) ms, interactive \(i) ms")
            }
        }
        #expect(batchWorkflows > 0)
        let text = AuditReportText.render(r, budgetName: "budget.yaml")
        #expect(text.contains("batch p95"))
    }
}
