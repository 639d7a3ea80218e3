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

/// Builds a summary the way the `summary` command does.
private func summarize(_ ledger: TestLedger, by dimensions: [SummaryDimension], zone: String = "UTC", period: Period? = nil) throws -> UsageSummary {
    let tz = try TimeZone.named(zone)
    let labels = try SummaryLabelQuery(db: ledger.db).labels(for: dimensions)
    var builder = UsageSummary.Builder(dimensions: dimensions, labels: labels, zone: tz, zoneName: zone)
    try RequestScan(db: ledger.db).forEach(in: period?.interval(in: tz)) { builder.add($0) }
    return builder.build(period: period)
}

/// The first instant of a calendar day in a zone, worked out with Foundation's calendar.
private func startOfDay(_ day: String, in zone: String) throws -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: zone))
    let parts = day.split(separator: "-").compactMap { Int($0) }
    let date = try #require(calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])))
    return Int64((date.timeIntervalSince1970 * 1000).rounded())
}

/// The calendar day of an instant in a zone, worked out with Foundation's calendar.
private func calendarDay(_ ms: Int64, in zone: String) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(ms) / 1000))
    return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
}

@Suite struct MoneyIdentityTests {
    @Test func requestCostsEqualActionCostsEqualSummaryTotalsToThePicodollar() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let half = splitLines(sampleLog(calls: 8_000, seed: 43, days: 4, duplicateShare: 0.02, malformedShare: 0.01))
        let a = try scratch.write("a.jsonl", bytes: joinLines(half.prefix(half.count / 2)))
        let b = try scratch.write("b.jsonl", bytes: joinLines(half.suffix(half.count - half.count / 2)))
        try ledger.importPaths([a, b])

        let requestCost = try ledger.int("SELECT sum(cost) FROM requests")
        let actionCost = try ledger.int("SELECT sum(cost) FROM actions")
        #expect(requestCost > 0)
        #expect(actionCost == requestCost)
        // Unpriced requests add nothing: a sum over the priced rows alone is the same.
        #expect(try ledger.int("SELECT count(*) FROM requests WHERE cost IS NULL") > 0)
        #expect(try ledger.int("SELECT sum(cost) FROM requests WHERE cost IS NOT NULL") == requestCost)

        for grouping in SummaryDimension.named.map({ [$0] }) + [[.day, .model], [.tag("sidechain")]] {
            let s = try summarize(ledger, by: grouping)
            #expect(s.total.cost.picos == Int128(requestCost), "\(grouping)")
            #expect(s.groups.map(\.totals.cost).reduce(Money.zero, +) == s.total.cost, "\(grouping)")
            #expect(s.groups.map(\.totals.requests).reduce(0, +) == s.total.requests, "\(grouping)")

            // The JSON report: decimal strings that add up exactly.
            let json = try JSONValue.parse(SummaryReport.json(s))
            let total = try #require(json["total_cost_usd"]?.string.flatMap(picos(fromDollars:)))
            #expect(total == Int128(requestCost))
            #expect(json["total"]?["cost_usd"]?.string.flatMap(picos(fromDollars:)) == total)
            let groups = try #require(json["groups"]?.array)
            #expect(groups.compactMap { $0["cost_usd"]?.string.flatMap(picos(fromDollars:)) }.reduce(0, +) == total)
            #expect(groups.count == s.groups.count)

            // The CSV report's total row.
            let csv = SummaryReport.csv(s).split(whereSeparator: \.isNewline)
            let header = csv[0].split(separator: ",", omittingEmptySubsequences: false)
            let totalRow = csv.last!.split(separator: ",", omittingEmptySubsequences: false)
            let column = try #require(header.firstIndex(of: "cost_usd"))
            #expect(totalRow.first == "total")
            #expect(picos(fromDollars: String(totalRow[column])) == total)
        }
    }

    @Test func summaryTotalsEqualTheRawRows() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        try ledger.importPaths([try scratch.write("s.jsonl", bytes: sampleLog(calls: 5_000, seed: 47, days: 4))])
        let s = try summarize(ledger, by: [.workflow])
        let raw = try ledger.rows("""
            SELECT count(*), count(DISTINCT action_key), sum(input_tokens), sum(cached_input_tokens),
                   sum(cache_write_tokens + cache_write_1h_tokens), sum(output_tokens), sum(reasoning_tokens),
                   sum(cost), sum(cost IS NULL), coalesce(sum(CASE WHEN cost IS NULL THEN input_tokens + output_tokens END), 0)
            FROM requests
            """)
        let t = s.total
        #expect(raw == [[.integer(t.requests), .integer(t.actions), .integer(t.inputTokens), .integer(t.cachedInputTokens),
                         .integer(t.cacheWriteTokens), .integer(t.outputTokens), .integer(t.reasoningTokens),
                         .integer(Int64(t.cost.picos)), .integer(t.unpricedRequests), .integer(t.unpricedTokens)]])
        // Per group as well.
        let perWorkflow = try ledger.rows("""
            SELECT coalesce(w.name, 'unassigned'), count(*), sum(r.input_tokens), sum(r.output_tokens), coalesce(sum(r.cost), 0)
            FROM requests r LEFT JOIN workflows w ON w.id = r.workflow_id GROUP BY 1 ORDER BY 1
            """)
        let fromSummary = s.groups.sorted { $0.name < $1.name }.map { g -> [SQLValue] in
            [.text(g.name), .integer(g.totals.requests), .integer(g.totals.inputTokens), .integer(g.totals.outputTokens),
             .integer(Int64(g.totals.cost.picos))]
        }
        #expect(perWorkflow == fromSummary)
        // The actions table holds one row per action the requests name.
        #expect(try ledger.int("SELECT count(*) FROM actions") == t.actions)
    }

    @Test(arguments: ["UTC", "Europe/Berlin", "America/Los_Angeles"])
    func aPeriodIsWholeCalendarDaysInTheZone(zone: String) throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        try ledger.importPaths([try scratch.write("s.jsonl", bytes: sampleLog(calls: 4_000, seed: 53, days: 5))])
        let period = Period(first: CivilDate(year: 2026, month: 10, day: 6), last: CivilDate(year: 2026, month: 10, day: 7))
        let lo = try startOfDay("2026-10-06", in: zone)
        let hi = try startOfDay("2026-10-08", in: zone)
        let interval = period.interval(in: try TimeZone.named(zone))
        #expect(interval.lowerBound.milliseconds == lo)
        #expect(interval.upperBound.milliseconds == hi)

        let s = try summarize(ledger, by: [.day], zone: zone, period: period)
        let raw = try ledger.rows("""
            SELECT count(*), sum(input_tokens), coalesce(sum(cost), 0) FROM requests WHERE (id >> 20) >= \(lo) AND (id >> 20) < \(hi)
            """)
        #expect(raw == [[.integer(s.total.requests), .integer(s.total.inputTokens), .integer(Int64(s.total.cost.picos))]])
        #expect(s.total.requests > 0)
        #expect(s.total.requests < (try ledger.int("SELECT count(*) FROM requests")))
        #expect(s.groups.map(\.name) == ["2026-10-06", "2026-10-07"])
    }

    /// Calls around local midnight in zones whose offsets are not whole hours.
    @Test(arguments: ["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Australia/Adelaide", "Europe/Berlin", "UTC"])
    func callsAreGroupedByTheirCalendarDayInTheZone(zone: String) throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        // Every 5 minutes for two days.
        var lines: [String] = []
        let start: Int64 = 1_791_158_400_000  // 2026-10-05T00:00:00Z
        for i in 0..<(2 * 24 * 12) {
            let ms = start + Int64(i) * 300_000
            lines.append(#"{"timestamp":\#(ms),"request_id":"t\#(i)","model":"gpt-4o-mini","input_tokens":\#(i + 1),"output_tokens":1}"#)
        }
        try ledger.importPaths([try scratch.write("t.jsonl", LogLine.file(lines))])

        var expected: [String: Int64] = [:]
        for i in 0..<(2 * 24 * 12) { expected[calendarDay(start + Int64(i) * 300_000, in: zone), default: 0] += 1 }
        let s = try summarize(ledger, by: [.day], zone: zone)
        #expect(Dictionary(uniqueKeysWithValues: s.groups.map { ($0.name, $0.totals.requests) }) == expected)
        #expect(s.groups.map(\.name) == expected.keys.sorted())

        // A one-day period holds the same calls as that day's group.
        for day in expected.keys {
            let d = try #require(CivilDate(parsing: day))
            let one = try summarize(ledger, by: [.model], zone: zone, period: Period(first: d, last: d))
            #expect(one.total.requests == expected[day], "\(day) in \(zone)")
        }
    }
}
