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

/// `summary --by model` groups every logged spelling of a model as the price book does; `--by model-name`
/// keeps them apart.
@Suite struct SummaryModelIdentityTests {
    static func summary(_ dimension: SummaryDimension) throws -> UsageSummary {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let log = try scratch.write("calls.jsonl", LogLine.file([
            #"{"timestamp":"2026-03-01T10:00:00Z","request_id":"a","model":"claude-sonnet-4-5","input_tokens":1000,"output_tokens":100}"#,
            #"{"timestamp":"2026-03-01T11:00:00Z","request_id":"b","model":"anthropic/claude-sonnet-4-5","input_tokens":1000,"output_tokens":100}"#,
            #"{"timestamp":"2026-03-01T12:00:00Z","request_id":"c","model":"claude-sonnet-4-5-20250929","input_tokens":1000,"output_tokens":100}"#,
            #"{"timestamp":"2026-03-01T13:00:00Z","request_id":"d","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":100}"#,
        ]))
        #expect(try ledger.importPaths([log]).rowsImported == 4)
        let labels = try SummaryLabelQuery(db: ledger.db).labels(for: [dimension], book: ledger.book)
        var builder = UsageSummary.Builder(dimensions: [dimension], labels: labels, zone: TimeZone(identifier: "UTC")!)
        try RequestScan(db: ledger.db).forEach { builder.add($0) }
        return builder.build(period: nil)
    }

    @Test func spellingsOfOneModelAreOneGroup() throws {
        let byModel = try Self.summary(.model)
        #expect(byModel.groups.map(\.name).sorted() == ["claude-sonnet-4-5", "gpt-4o-mini"])
        #expect(byModel.groups.first { $0.name == "claude-sonnet-4-5" }?.totals.requests == 3)
        let byName = try Self.summary(.modelName)
        #expect(byName.groups.count == 4)
        #expect(byName.total == byModel.total)
        #expect(SummaryDimension(name: "model-name") == .modelName)
    }
}
