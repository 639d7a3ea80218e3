import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerAnalysis
@testable import LedgerReport

/// Flags carry figures; the JSON report gives them as numbers that agree with the words beside them.
@Suite struct AuditFlagFiguresTests {
    func reportJSON() throws -> (AuditResult, [[String: Any]]) {
        let r = try AuditGoldenTests.result.get()
        let data = Data(AuditReportJSON.render(r, budgetName: "budget.yaml").utf8)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["schema"] as? String == "tokenledger.report/2")
        let flags = try #require(root["flags"] as? [[String: Any]]) + (try #require(root["watch"] as? [[String: Any]]))
        #expect(flags.count == r.flags.count + r.watches.count)
        return (r, flags)
    }

    @Test func everyFlagHasAUnitAndItsNumbersMatchTheTypedFigures() throws {
        let (r, json) = try reportJSON()
        #expect(!json.isEmpty)
        for (f, j) in zip(r.flags + r.watches, json) {
            let s = f.figures.summary
            #expect(j["unit"] as? String == s.unit.rawValue, "\(f.rule)")
            #expect(j["rule"] as? String == f.rule.rawValue)
            // Money is an exact decimal string, counts are integers, other figures are numbers.
            for (key, value) in [("threshold", s.threshold), ("observed", s.observed)] {
                switch value {
                case let .money(m): #expect(j[key] as? String == m.exactString, "\(f.rule) \(key)")
                case let .count(n): #expect((j[key] as? NSNumber)?.int64Value == n, "\(f.rule) \(key)")
                case let .number(x): #expect(abs(((j[key] as? NSNumber)?.doubleValue ?? .nan) - x) < 1e-6, "\(f.rule) \(key)")
                case nil: #expect(j[key] is NSNull, "\(f.rule) \(key)")
                }
            }
            #expect((j["count"] as? NSNumber)?.int64Value == s.count)
            #expect(j["details"] is [String: Any])
            if let p = f.pValue { #expect(abs(((j["p_value"] as? NSNumber)?.doubleValue ?? -1) - p) <= p * 1e-5) }
        }
    }

    @Test func aRateFlagsCountsAreItsEvidenceAndItsShareIsTheirRatio() throws {
        let (r, json) = try reportJSON()
        let i = try #require(r.flags.firstIndex { $0.rule == .fallbackRate && $0.subject == .workflow("faq") })
        let j = json[i]
        let count = try #require((j["count"] as? NSNumber)?.int64Value)
        let outOf = try #require((j["out_of"] as? NSNumber)?.int64Value)
        let observed = try #require((j["observed"] as? NSNumber)?.doubleValue)
        #expect(abs(observed - Double(count) / Double(outOf)) < 1e-6)
        #expect(j["count_unit"] as? String == "actions")
        #expect((j["threshold"] as? NSNumber)?.doubleValue ?? 0 < observed)
        #expect((j["evidence"] as? String)?.hasPrefix("\(count) of \(outOf) actions") == true)
        // The p-value keeps its size instead of rounding to zero.
        let p = try #require((j["p_value"] as? NSNumber)?.doubleValue)
        #expect(p > 0 && p < 1e-6)
        #expect((j["tests"] as? NSNumber)?.intValue == r.flags.compactMap(\.testCount).first)
    }

    @Test func wordsAreComposedFromTheFigures() {
        // A hand-made flag: what the report says comes only from its figures.
        var flag = AuditFlag(rule: .dailySpendCap, severity: .warning, verdict: .breach, subject: .tier("premium"),
                             figures: .dailySpendCap(cap: Money(dollars: 50), daysOver: [
                                 .init(day: CivilDate(year: 2026, month: 10, day: 12), spend: Money(parsing: "61.5")!),
                                 .init(day: CivilDate(year: 2026, month: 10, day: 14), spend: Money(parsing: "80")!),
                             ]))
        var w = AuditFlagWording(flag)
        #expect(w.subject == "tier premium")
        #expect(w.expected == "≤ $50.00 a day")
        #expect(w.actual == "2 day(s) over, worst +$30.00")
        #expect(w.evidence == "2026-10-12 $61.50, 2026-10-14 $80.00")
        #expect(w.check == "the day's top workflows and users; caps in the gateway")
        #expect(flag.figures.summary.observed == .money(Money(dollars: 80)))
        #expect(flag.figures.summary.count == 2)
        flag.subject = .users
        flag.figures = .userDailySpendCap(cap: Money(dollars: 5), users: 1, daysOver: [
            .init(user: "ann", day: CivilDate(year: 2026, month: 10, day: 12), spend: Money(dollars: 7)),
        ])
        w = AuditFlagWording(flag)
        #expect(w.expected == "≤ $5.00 per user a day" && w.actual == "1 user(s) on 1 user-day(s) over")
        #expect(w.check == "per-user quotas; automated clients using a person's key")
    }

    @Test func subjectsSortTeamsBeforeTiersBeforeUsersAndRunsByTheirFirstDay() {
        let d = { (day: Int) in CivilDate(year: 2026, month: 10, day: day) }
        let subjects: [AuditSubject] = [.users, .tier("a"), .team("z"), .workflowDays(workflow: "w", first: d(14), last: d(14)),
                                        .workflowDays(workflow: "w", first: d(12), last: d(13))]
        #expect(subjects.sorted() == [.workflowDays(workflow: "w", first: d(12), last: d(13)),
                                      .workflowDays(workflow: "w", first: d(14), last: d(14)), .team("z"), .tier("a"), .users])
    }
}
