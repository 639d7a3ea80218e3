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

@Suite struct SummaryDimensionTests {
    @Test func namesParseAndPrintAsTheCommandLineSpellsThem() {
        for d in SummaryDimension.named { #expect(SummaryDimension(name: d.name) == d) }
        #expect(SummaryDimension(name: "api-key") == .apiKey)
        #expect(SummaryDimension(name: "tag:team alias") == .tag("team alias"))
        #expect(SummaryDimension.tag("tags").name == "tag:tags")
        for bad in ["apiKey", "tag:", "tag: x", "tag:a\"b", "Model", ""] { #expect(SummaryDimension(name: bad) == nil, "\(bad)") }
        #expect(SummaryDimension.list(parsing: "day, model") == [.day, .model])
        #expect(SummaryDimension.list(parsing: "day,day") == nil)
        #expect(SummaryDimension.list(parsing: "day,") == nil)
    }

    @Test func nestedGroupsAddUpToTheirParentAtEveryLevel() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        _ = try ledger.importPaths([try scratch.write("s.jsonl", bytes: sampleLog(calls: 3_000, seed: 5, days: 3))])
        let dimensions: [SummaryDimension] = [.day, .workflow, .model]
        var builder = UsageSummary.Builder(dimensions: dimensions, labels: try SummaryLabelQuery(db: ledger.db).labels(for: dimensions),
                                           zone: TimeZone(identifier: "UTC")!)
        try RequestScan(db: ledger.db).forEach { builder.add($0) }
        let s = builder.build(period: nil)
        func check(_ groups: [UsageSummary.Group], parent: UsageTotals, depth: Int) {
            #expect(groups.map(\.totals.cost).reduce(Money.zero, +) == parent.cost)
            #expect(groups.map(\.totals.requests).reduce(0, +) == parent.requests)
            #expect(groups.map(\.totals.unpricedTokens).reduce(0, +) == parent.unpricedTokens)
            for g in groups {
                #expect(g.groups.isEmpty == (depth == dimensions.count - 1))
                #expect(g.totals.actions <= parent.actions)
                if !g.groups.isEmpty { check(g.groups, parent: g.totals, depth: depth + 1) }
            }
        }
        check(s.groups, parent: s.total, depth: 0)
        #expect(s.groups.map(\.name) == s.groups.map(\.name).sorted())
        // Below the days, by spend.
        let costs = s.groups[0].groups.map(\.totals.cost)
        #expect(costs == costs.sorted(by: >))
    }

    @Test func tagValuesComeFromTheMetadataOrLiteLLMsCallerMetadata() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let lines = [
            #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"a","model":"gpt-4o-mini","input_tokens":1,"output_tokens":1,"metadata":{"env":"prod","n":3,"flag":true,"tags":["x","y"],"none":null,"empty":[]}}"#,
            #"{"timestamp":"2026-10-05T10:01:00Z","request_id":"b","model":"gpt-4o-mini","input_tokens":1,"output_tokens":1,"metadata":{"spend_logs_metadata":{"env":"dev"}}}"#,
            #"{"timestamp":"2026-10-05T10:02:00Z","request_id":"c","model":"gpt-4o-mini","input_tokens":1,"output_tokens":1}"#,
        ]
        _ = try ledger.importPaths([try scratch.write("m.jsonl", lines.joined(separator: "\n") + "\n")])
        let query = SummaryLabelQuery(db: ledger.db)
        #expect(Set(try query.tagValues("env").values) == ["prod", "dev"])
        #expect(Array(try query.tagValues("n").values) == ["3"])
        #expect(Array(try query.tagValues("flag").values) == ["true"])
        #expect(Array(try query.tagValues("tags").values) == ["x, y"])
        #expect(try query.tagValues("none").isEmpty)
        #expect(try query.tagValues("empty").isEmpty)
        #expect(try query.tagValues("missing").isEmpty)
    }
}
