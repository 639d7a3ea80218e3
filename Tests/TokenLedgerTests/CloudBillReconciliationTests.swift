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

/// Bedrock's invocation log against AWS's FOCUS bill of the same day (`fixtures/cloud`), reconciled as the
/// OpenAI and Anthropic exports are: per UTC day × provider × model, to the picodollar.
///
/// Expected money from the shipped price book's entries (claude-sonnet-4-5: $3 / $0.30 / $3.75 / $15 per
/// million input, cache-read, cache-write and output tokens; claude-haiku-4-5: $1 / $5 per million input and
/// output; both with source https://platform.claude.com/docs/en/about-claude/pricing, as recorded in
/// default-prices.yaml), which are also Bedrock's global cross-region prices for these models
/// (https://aws.amazon.com/bedrock/pricing/).
@Suite struct CloudBillReconciliationTests {
    static let day5 = Period(first: day("2026-01-05"), last: day("2026-01-05"))
    static let asOf = instant("2026-01-20T00:00:00Z")

    static func reconcile(_ files: [String]) throws -> (ReconciliationResult, ImportSummary, Database, URL) {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        let summary = try CloudFixtures.importFiles(files, into: db)
        let book = try PriceStore(db: db).loadBook()
        let input = try ReconciliationInput.load(db: db, period: day5, book: book)
        return (Reconciliation.run(input, asOf: asOf), summary, db, dir)
    }

    @Test func theBillAtListPriceMeetsTheLogToThePicodollar() throws {
        let (r, summary, db, dir) = try Self.reconcile(["bedrock-invocation-2026-01-05.jsonl", "aws-focus-1.0-2026-01-05.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(summary.files.map(\.format) == ["bedrock-invocation-log", "focus"])
        #expect(summary.files[0].rows == 5 && summary.files[0].rejected == 2)
        #expect(summary.files[1].providerRows == 7)
        #expect(summary.files[1].skippedByReason.values.reduce(0, +) == 3)
        #expect(try db.scalarInt("SELECT count(*) FROM provider_costs WHERE provider = 'bedrock' AND sku_id IS NOT NULL") == 6)
        #expect(try db.scalarInt("SELECT count(*) FROM provider_costs WHERE model_key = 'claude-sonnet-4-5'") == 5)

        let sonnet = try #require(r.cells.first { $0.provider == "bedrock" && $0.model == "claude-sonnet-4-5" })
        // 5,200 × 3 + 10,000 × 0.30 + 2,000 × 3.75 + 1,400 × 15 = 47,100 µ$ on each side.
        #expect(sonnet.billed == usd("0.0471"))
        #expect(sonnet.loggedCost == usd("0.0471"))
        #expect(sonnet.gap == .zero)
        #expect(sonnet.logged.requests == 3)  // the throttled call is left out
        let haiku = try #require(r.cells.first { $0.provider == "bedrock" && $0.model == "claude-haiku-4-5" })
        // 5,000 × 1 + 1,000 × 5 = 10,000 µ$.
        #expect(haiku.billed == usd("0.01") && haiku.loggedCost == usd("0.01") && haiku.gap == .zero)
        #expect(r.totals.billedUsage == usd("0.0571"))
        #expect(r.totals.nonUsage == usd("0.004"))  // the tax line
        #expect(r.nonUsage.map(\.category) == [.tax])
        #expect(r.totals.byClass == GapAmounts([.nonUsage: usd("0.004")]))
        #expect(r.coversPeriod)
    }

    @Test func anEDPDiscountWithoutTermsIsPriceDrift() throws {
        let (r, _, _, dir) = try Self.reconcile(["bedrock-invocation-2026-01-05.jsonl", "aws-focus-1.0-2026-01-05-edp.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let sonnet = try #require(r.cells.first { $0.provider == "bedrock" && $0.model == "claude-sonnet-4-5" })
        // 10 % off list: 0.0471 × 0.9 = 0.04239.
        #expect(sonnet.billed == usd("0.04239"))
        #expect(sonnet.gap == usd("-0.00471"))
        #expect(sonnet.classes == GapAmounts([.priceDrift: usd("-0.00471")]))
        let haiku = try #require(r.cells.first { $0.provider == "bedrock" && $0.model == "claude-haiku-4-5" })
        #expect(haiku.classes == GapAmounts([.priceDrift: usd("-0.001")]))
        // The drift is named per token kind: the billed rate is 90 % of the book's.
        let input = try #require(r.priceDrift.first { $0.model == "claude-sonnet-4-5" && $0.kind == .uncachedInput })
        #expect(input.billed == usd("0.01404"))
    }

    @Test func aLaterDownloadOfTheSameBillReplacesTheEarlierOne() throws {
        let (r, summary, db, dir) = try Self.reconcile(["bedrock-invocation-2026-01-05.jsonl", "aws-focus-1.0-2026-01-05.csv",
                                                         "aws-focus-1.0-2026-01-05-edp.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(summary.files[2].providerRowsReplacing == 7)
        #expect(try db.scalarInt("SELECT count(*) FROM provider_costs") == 7)
        #expect(r.totals.billedUsage == usd("0.05139"))
    }

    @Test func aGzippedBillIsTheSameBill() throws {
        let (r, summary, _, dir) = try Self.reconcile(["bedrock-invocation-2026-01-05.jsonl", "aws-focus-1.0-2026-01-05.csv.gz"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(summary.files[1].format == "focus" && summary.files[1].providerRows == 7)
        #expect(r.totals.billedUsage == usd("0.0571"))
    }
}
