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

@Suite struct ExplainTests {
    let utc = TimeZone(identifier: "UTC")!

    func report(_ base: String, _ compare: String, by: BillChangeDimension = .workflow, raw: Bool = false) throws -> BillChangeReport {
        var request = ExplainRequest(base: try Period(parsing: base), compare: try Period(parsing: compare), by: by, zone: utc,
                                     zoneName: "UTC", budget: try SampleDatabase.budget)
        request.readsRequestRows = raw
        return try Ledger(db: try AuditTests.shared.get().db).explain(request)
    }

    @Test func theJSONDriversAddUpToTheChangeExactly() throws {
        let json = try JSONValue.parse(ExplainReportJSON.render(try report("2026-W41", "2026-W42")))
        let base = try #require(json["base_total_usd"]?.string.flatMap { Money(parsing: $0) })
        let compare = try #require(json["compare_total_usd"]?.string.flatMap { Money(parsing: $0) })
        let change = try #require(json["change_usd"]?.string.flatMap { Money(parsing: $0) })
        #expect(compare - base == change)
        let drivers = try #require(json["drivers"]?.array)
        let sum = try drivers.reduce(Money.zero) { $0 + (try #require($1["amount_usd"]?.string.flatMap { Money(parsing: $0) })) }
        #expect(sum == change)
        let shown = try drivers.reduce(Money.zero) { $0 + (try #require($1["shown_usd"]?.string.flatMap { Money(parsing: $0) })) }
        #expect(shown == Money(parsing: try #require(json["shown_change_usd"]?.string)))
        #expect(compare.rounded(decimals: 2) - base.rounded(decimals: 2) == shown)
    }

    @Test func theTotalsAreTheStoredSpend() throws {
        let db = try AuditTests.shared.get().db
        let r = try report("2026-W41", "2026-W42")
        let ids = RowID.range(try Period(parsing: "2026-W42").interval(in: utc))
        let cost = try #require(try db.scalarInt("SELECT sum(cost) FROM requests WHERE id BETWEEN ? AND ?",
                                                 .integer(ids.lowerBound), .integer(ids.upperBound)))
        #expect(r.compareTotal == Money(picos: cost))
    }

    @Test func rollupsAndRawRowsGiveTheSameBreakdown() throws {
        let a = ExplainReportJSON.render(try report("2026-W41", "2026-W42"))
        let b = ExplainReportJSON.render(try report("2026-W41", "2026-W42", raw: true))
        #expect(a == b)
    }

    @Test func theDriftScenarioIsExplainedInWords() throws {
        let r = try report("2026-W41", "2026-W42")
        // In the sample's second week the agent workflow appears and summarize falls back far more often.
        #expect(r.explanation.contains("the new agent workflow"))
        #expect(r.explanation.contains("summarize"))
        let newTraffic = try #require(r.drivers.first { $0.driver == .newTraffic })
        #expect(newTraffic.breakdown.first?.name == "agent")
    }

    @Test func swappingThePeriodsNegatesTheChange() throws {
        let forward = try report("2026-W41", "2026-W42"), back = try report("2026-W42", "2026-W41")
        #expect(forward.change == -back.change)
        let volume = forward.drivers.first { $0.driver == .volume }!.amount
        let volumeBack = back.drivers.first { $0.driver == .volume }!.amount
        #expect(abs(volume.picos + volumeBack.picos) <= 10)
    }

    @Test func everyDimensionBreaksDownTheSameDrivers() throws {
        let byWorkflow = try report("2026-W41", "2026-W42")
        for dimension in BillChangeDimension.allCases {
            let r = try report("2026-W41", "2026-W42", by: dimension)
            // By logged name the spellings of one model are cells apart (so routing between them is a driver).
            if dimension == .modelName { #expect(r.change == byWorkflow.change) } else {
                for (a, b) in zip(byWorkflow.drivers, r.drivers) { #expect(a.amount == b.amount) }
            }
            // Each driver's parts add up to it (within the picodollars of rounding each part).
            for d in r.drivers where d.breakdown.count <= 10 {
                let parts = d.breakdown.reduce(Money.zero) { $0 + $1.amount }
                #expect(abs(parts.picos - d.amount.picos) <= Int128(d.breakdown.count + 10))
            }
        }
    }

    @Test(arguments: ["txt", "json"]) func matchesTheGoldenFile(_ ext: String) throws {
        let r = try report("2026-W41", "2026-W42")
        try Golden.check(ext == "json" ? ExplainReportJSON.render(r) : ExplainReportText.render(r), name: "explain-W41-W42.\(ext)")
    }
}

/// Charges beyond text tokens are drivers of their own: the same traffic with twice the web searches is
/// explained by tool uses, not by volume or price.
@Suite struct ExplainExtrasTests {
    @Test func webSearchesThatDoubledAreANamedCause() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines = ""
        for (week, searches) in [(0, 1), (1, 2)] {
            for i in 0..<70 {
                let day = 5 + week * 7 + i / 10
                lines += #"{"request_id":"w\#(week)-\#(i)","action_id":"a\#(week)-\#(i)","timestamp":"2026-10-\#(String(format: "%02d", day))T12:00:00Z","model":"claude-sonnet-4-5","workflow":"research","input_tokens":1000,"output_tokens":100,"web_search_calls":\#(searches)}"# + "\n"
            }
        }
        let file = dir.appendingPathComponent("searches.jsonl")
        try lines.write(to: file, atomically: true, encoding: .utf8)
        _ = try Importer(database: db, prices: try PriceStore(db: db).loadBook()).run(paths: [file.path])
        let utc = TimeZone(identifier: "UTC")!
        let b = try Period(parsing: "2026-W41"), c = try Period(parsing: "2026-W42")
        let loader = BillChangeLoader(db: db)
        func report(raw: Bool) throws -> BillChangeReport {
            let d = BillChangeAnalysis.decompose(base: try loader.load(b, zone: utc, forceRawRows: raw),
                                                 compare: try loader.load(c, zone: utc, forceRawRows: raw))
            return BillChangeReport.make(d, base: b, compare: c, zoneName: "UTC", dimension: .workflow, names: try NameDirectory(db: db),
                                         modelTiers: [:], fallbackReasons: [:])
        }
        let r = try report(raw: false)
        // 70 calls × one more search × $0.01 (Anthropic: $10 per 1,000 searches, pricing page read 2026-12-07).
        #expect(r.change == ProviderFixtures.usd("0.70"))
        let tools = try #require(r.drivers.first { $0.driver == .toolUse })
        #expect(tools.amount == ProviderFixtures.usd("0.70"))
        #expect(r.drivers.filter { $0.driver != .toolUse }.allSatisfy { $0.amount == .zero })
        #expect(r.explanation.contains("more tool uses"))
        #expect(ExplainReportJSON.render(r) == ExplainReportJSON.render(try report(raw: true)))
    }
}
