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

@Suite struct PricingPathTests {
    /// Prices a user adds: a model the default book does not know, and a new price for a known one from
    /// the middle of the sample's timeline (2026-10-05 to 2026-10-09).
    static var userPrices: String {
        get throws { try ImportFixtures.text("prices/user-prices.yaml") }
    }

    @Test func unknownModelsAreStoredUnpricedNeverAtZero() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.write("log.jsonl", LogLine.file([
            // gpt-4o-mini lists $0.15 input and $0.60 output per 1M tokens:
            // 1000 × 0.15 + 100 × 0.60 = 210 micro-dollars = 210,000,000 picodollars.
            LogLine.call("priced", input: 1000, output: 100, #","action_id":"mixed""#),
            LogLine.call("free", input: 0, output: 0),
            LogLine.call("unknown-1", at: "2026-10-05T10:00:01Z", model: "totally-unknown-model", #","action_id":"mixed""#),
            LogLine.call("unknown-2", at: "2026-10-05T10:00:02Z", model: "totally-unknown-model"),
            LogLine.call("finetune", at: "2026-10-05T10:00:03Z", model: "my-finetune-v2"),
            // gpt-4o's listed price starts on 2024-10-02: an older call has no price.
            LogLine.call("too-early", at: "2024-09-01T00:00:00Z", model: "gpt-4o"),
        ]))
        let summary = try ledger.importPaths([path])
        #expect(summary.rowsImported == 6)
        #expect(summary.unpricedModels == ["totally-unknown-model": 2, "my-finetune-v2": 1, "gpt-4o": 1])

        #expect(try ledger.int("SELECT cost FROM requests WHERE request_id = 'priced'") == 210_000_000)
        #expect(try ledger.optionalInt("SELECT cost FROM requests WHERE request_id = 'free'") == 0)
        #expect(try ledger.optionalInt("SELECT price_id FROM requests WHERE request_id = 'free'") != nil)
        for id in ["unknown-1", "unknown-2", "finetune", "too-early"] {
            #expect(try ledger.int("SELECT count(*) FROM requests WHERE request_id = '\(id)' AND cost IS NULL AND price_id IS NULL") == 1, "\(id)")
        }
        // The action with a priced and an unpriced call: the known cost, one unpriced call.
        #expect(try ledger.rows("SELECT cost, unpriced_calls, calls FROM actions WHERE action_id = 'mixed'")
                == [[.integer(210_000_000), .integer(1), .integer(2)]])

        let unpriced = try UnpricedModels.read(db: ledger.db, book: try PriceStore(db: ledger.db).loadBook())
        #expect(unpriced.map(\.model) == ["totally-unknown-model", "gpt-4o", "my-finetune-v2"])
        #expect(unpriced.allSatisfy { $0.missing == ["no price for the model on that day"] })
        #expect(unpriced.map(\.requests) == [2, 1, 1])
        #expect(unpriced.first?.inputTokens == 2000)

        var builder = UsageSummary.Builder(dimensions: [.model], labels: SummaryLabels(names: try NameDirectory(db: ledger.db)), zone: TimeZone(identifier: "UTC")!)
        try RequestScan(db: ledger.db).forEach { builder.add($0) }
        let report = builder.build(period: nil)
        #expect(report.total.requests == 6)
        #expect(report.total.unpricedRequests == 4)
        #expect(report.total.unpricedTokens == 4 * 1100)
        #expect(report.total.cost == Money(picos: Int64(210_000_000)))
        let unknownGroup = try #require(report.groups.first { $0.name == "totally-unknown-model" })
        #expect(unknownGroup.totals.cost == .zero && unknownGroup.totals.unpricedRequests == 2)
        // Shown apart in the text report, not as $0 spend.
        #expect(SummaryReport.text(report).contains("4 request(s) are unpriced"))
    }

    @Test func repriceAfterAPriceImportEqualsAFreshImportWithTheNewBook() throws {
        let scratch = try Scratch()
        let path = try scratch.write("sample.jsonl", bytes: sampleLog(calls: 5_000, seed: 31, days: 5, duplicateShare: 0.01))

        let repriced = try scratch.ledger("repriced.sqlite")
        try repriced.importPaths([path])
        let before = try repriced.totals
        let unpricedBefore = try repriced.int("SELECT count(*) FROM requests r JOIN models m ON m.id = r.model_id WHERE m.name = 'my-finetune-v2'")
        #expect(unpricedBefore > 0)
        #expect(before.unpricedRequests >= unpricedBefore)
        try repriced.addPrices(yaml: try Self.userPrices)
        let result = try Repricer(db: repriced.db, book: repriced.book).run(rowsPerTransaction: 700)
        #expect(result.examined == before.requests)
        #expect(result.newlyPriced == unpricedBefore)
        #expect(result.newlyUnpriced == 0)
        #expect(result.changed > unpricedBefore)  // the later gpt-4o-mini calls changed too
        #expect(result.before == Money(picos: before.cost))

        let fresh = try scratch.ledger("fresh.sqlite")
        try fresh.addPrices(yaml: try Self.userPrices)
        try fresh.importPaths([path])

        #expect(try repriced.requestRows() == fresh.requestRows())
        #expect(try repriced.actionFacts() == fresh.actionFacts())
        let totals = try repriced.totals
        #expect(totals == (try fresh.totals))
        #expect(result.after == Money(picos: totals.cost))
        #expect(totals.cost == totals.actionCost)
        #expect(totals.unpricedRequests == before.unpricedRequests - unpricedBefore)

        // Nothing left to change.
        let second = try Repricer(db: repriced.db, book: repriced.book).run()
        #expect(second.changed == 0)
        #expect(try repriced.totals == totals)
    }

    @Test func repricingAPeriodChangesOnlyThatPeriod() throws {
        let scratch = try Scratch()
        let path = try scratch.write("sample.jsonl", bytes: sampleLog(calls: 4_000, seed: 37, days: 5))
        let ledger = try scratch.ledger("ledger.sqlite")
        try ledger.importPaths([path])
        let old = try ledger.rows("SELECT id, price_id, cost FROM requests ORDER BY id")

        let fresh = try scratch.ledger("fresh.sqlite")
        try fresh.addPrices(yaml: try Self.userPrices)
        try fresh.importPaths([path])
        let new = try fresh.rows("SELECT id, price_id, cost FROM requests ORDER BY id")
        #expect(old.count == new.count)

        try ledger.addPrices(yaml: try Self.userPrices)
        // 2026-10-08, a whole UTC day.
        let start: Int64 = 1_791_417_600_000
        let end = start + 86_400_000
        _ = try Repricer(db: ledger.db, book: ledger.book).run(in: Timestamp(milliseconds: start)..<Timestamp(milliseconds: end))
        let after = try ledger.rows("SELECT id, price_id, cost FROM requests ORDER BY id")
        var inside = 0, changedInside = 0
        for i in after.indices {
            guard case .integer(let id) = after[i][0] else { continue }
            let ms = id >> 20
            if ms >= start && ms < end {
                inside += 1
                if after[i] != old[i] { changedInside += 1 }
                #expect(after[i] == new[i])
            } else {
                #expect(after[i] == old[i])
            }
        }
        #expect(inside > 0 && changedInside > 0)
        let totals = try ledger.totals
        #expect(totals.cost == totals.actionCost)
        #expect(totals.unpricedRequests == totals.actionUnpriced)
        #expect(try ledger.int("""
            SELECT count(*) FROM actions a LEFT JOIN (SELECT ax.action, coalesce(sum(cost), 0) AS cost,
                coalesce(sum(CASE WHEN status != 1 THEN cost END), 0) AS failed
                FROM requests JOIN action_keys ax ON ax.key = requests.action_key GROUP BY ax.action) r
            ON r.action = a.id WHERE r.action IS NULL OR a.cost != r.cost OR a.failed_cost != r.failed
            """) == 0)
    }
}
