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

/// Rows of one provider export that share a bucket and every grouping value are separate usage and add up;
/// only a later download of the same bucket replaces them.
///
/// `fixtures/providers/openai/usage-dashboard-two-rows-2025-11-03.csv` holds two `gpt-5` rows of 2025-11-03 with
/// the same project, user, key, batch flag and tier, as OpenAI's dashboard export writes them; the day's cost
/// export (`costs-dashboard-2025-11-03.csv`, $0.161) is their sum at list price.
@Suite struct ProviderRowMergeTests {
    static let day3 = "bucket_start_ms = 1762128000000"

    static func gpt5(_ db: Database) throws -> (requests: Int64?, input: Int64?, cached: Int64?, output: Int64?) {
        let s = try db.prepare("""
            SELECT sum(requests), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), count(*)
            FROM provider_usage WHERE \(day3) AND model = 'gpt-5-2025-08-07'
            """)
        _ = try s.step()
        #expect(s.int64(4) == 1)  // one stored row holds both
        return (s.optionalInt64(0), s.optionalInt64(1), s.optionalInt64(2), s.optionalInt64(3))
    }

    @Test func twoRowsOfOneKeyInOneFileAddUp() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try ProviderFixtures.importFiles(["openai/usage-dashboard-two-rows-2025-11-03.csv"], into: db)
        #expect(summary.rejected == 0)
        #expect(summary.providerRowsImported == 3)
        #expect(summary.providerRowsAdded == 1)
        #expect(summary.providerRowsReplacing == 0)
        #expect(summary.duplicates == 0)
        let g = try Self.gpt5(db)
        #expect(g.requests == 15 && g.input == 54_000 && g.cached == 16_000 && g.output == 10_500)
        let text = ImportSummaryReport.text(summary, seconds: 0)
        #expect(text.contains("Added up 1 provider export row(s)"))
        #expect(!text.contains("duplicate"))
    }

    @Test func theDaysCostIsTheSumOfBothRowsAtListPrice() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ProviderFixtures.importFiles(["openai/usage-dashboard-two-rows-2025-11-03.csv", "openai/costs-dashboard-2025-11-03.csv"],
                                         into: db)
        let book = try PriceStore(db: db).loadBook()
        var listCost = Money.zero
        let s = try db.prepare("""
            SELECT model, input_tokens, cached_input_tokens, output_tokens FROM provider_usage WHERE \(Self.day3)
            """)
        while try s.step() {
            let entry = try #require(book.entry(for: s.text(0) ?? "", on: CivilDate(parsing: "2025-11-03")!))
            var call = CallRecord(requestID: "r", timestamp: Timestamp.parse(iso: "2025-11-03T12:00:00Z")!, model: s.text(0) ?? "",
                                  inputTokens: s.int64(1), outputTokens: s.int64(3))
            call.cachedInputTokens = s.int64(2)
            listCost += Money(picos: try #require(entry.cost(of: call)))
        }
        // gpt-5 (OpenAI pricing, https://platform.openai.com/docs/pricing, read 2026-12-07: $1.25 input,
        // $0.125 cached input, $10 output per 1M): 38,000 × 1.25 + 16,000 × 0.125 + 10,500 × 10 = $0.1545;
        // gpt-5-mini ($0.25 / $2): 10,000 × 0.25 + 2,000 × 2 = $0.0065. The cost export bills $0.161.
        #expect(listCost == ProviderFixtures.usd("0.161"))
        let billed = try #require(try db.scalarInt("SELECT sum(amount) FROM provider_costs WHERE \(Self.day3)"))
        #expect(Money(picos: billed) == listCost)
    }

    @Test func aLaterDownloadReplacesTheSumAndAddsItsOwnPairAgain() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ProviderFixtures.importFiles(["openai/usage-dashboard-two-rows-2025-11-03.csv"], into: db)
        // The next day's download holds 2025-11-03 again (the same two rows) and 2025-11-04.
        let again = try ProviderFixtures.importFiles(["openai/usage-dashboard-two-rows-2025-11-04.csv"], into: db)
        #expect(again.providerRowsImported == 4)
        #expect(again.providerRowsReplacing == 2)  // the gpt-5 pair's first row and the gpt-5-mini row
        #expect(again.providerRowsAdded == 1)  // the pair's second row, added to its first
        #expect(again.duplicates == 0)
        let g = try Self.gpt5(db)
        #expect(g.requests == 15 && g.input == 54_000 && g.output == 10_500)  // not 30 requests
        #expect(ImportSummaryReport.text(again, seconds: 0).contains("Replaced 2 provider export row(s) from an earlier download"))
        #expect(try db.scalarInt("SELECT count(*) FROM provider_usage") == 3)
    }

    @Test func costLinesOfOneKeyAddUpExactlyAndKeepBothTexts() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let header = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name\n"
        let row1 = "1762128000,1762214400,2025-11-03T00:00:00+00:00,2025-11-04T00:00:00+00:00,0.1000000000000001,usd,\"gpt-5-2025-08-07, input\",proj_demo3,org-demo,Demo Org\n"
        let row2 = "1762128000,1762214400,2025-11-03T00:00:00+00:00,2025-11-04T00:00:00+00:00,0.0545,usd,\"gpt-5-2025-08-07, input\",proj_demo3,org-demo,Demo Org\n"
        let file = dir.appendingPathComponent("costs.csv")
        try (header + row1 + row2).write(to: file, atomically: true, encoding: .utf8)
        let summary = try Importer(database: db, prices: try PriceStore(db: db).loadBook()).run(paths: [file.path])
        #expect(summary.providerRowsAdded == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM provider_costs") == 1)
        #expect(try db.scalarInt("SELECT amount FROM provider_costs") == 154_500_000_000)  // 0.1000000000000001 rounds to 0.1
        #expect(try db.scalarText("SELECT amount_text FROM provider_costs") == "0.1000000000000001 + 0.0545")
    }

    /// A real dashboard export (`usage-dashboard-real-2025-10.csv`, from a public repository; see
    /// fixtures/providers/README.md): two `gpt-5` rows of 2025-10-06 with every grouping value equal.
    @Test func aRealExportsPairOfRowsAddsUpAndTheOtherDaysMatchTheBillExactly() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try ProviderFixtures.importFiles(["openai/usage-dashboard-real-2025-10.csv", "openai/costs-dashboard-real-2025-10.csv"],
                                                       into: db)
        #expect(summary.rejected == 0)
        #expect(summary.files.map(\.providerRowsAdded) == [1, 0])
        let s = try db.prepare("""
            SELECT requests, input_tokens, cached_input_tokens, output_tokens FROM provider_usage
            WHERE bucket_start_ms = 1759708800000 AND model = 'gpt-5-2025-08-07'
            """)
        #expect(try s.step())
        // 8 + 1 requests, 46,264 + 5,783 input (8,192 cached), 60,000 + 16,000 output.
        #expect(s.int64(0) == 9 && s.int64(1) == 52_047 && s.int64(2) == 8_192 && s.int64(3) == 76_000)
        #expect(try !s.step())
        // gpt-5-mini days: the usage at list price ($0.25 input, $0.025 cached, $2 output per 1M, OpenAI pricing
        // page read 2026-12-07) equals the day's bill to the last digit: 10-07 $0.569788, 10-10 $0.3409,
        // 10-11 $0.072054.
        let book = try PriceStore(db: db).loadBook()
        for (start, bill) in [(Int64(1_759_795_200_000), "0.569788"), (1_760_054_400_000, "0.3409"), (1_760_140_800_000, "0.072054")] {
            let u = try db.prepare("SELECT model, input_tokens, cached_input_tokens, output_tokens FROM provider_usage WHERE bucket_start_ms = ?")
            u.bind(start, at: 1)
            #expect(try u.step())
            let entry = try #require(book.entry(for: u.text(0) ?? "", at: Timestamp(milliseconds: start)))
            var call = CallRecord(requestID: "r", timestamp: Timestamp(milliseconds: start), model: u.text(0) ?? "", inputTokens: u.int64(1),
                                  outputTokens: u.int64(3))
            call.cachedInputTokens = u.int64(2)
            let billed = try #require(try db.scalarInt("SELECT amount FROM provider_costs WHERE bucket_start_ms = ?", .integer(start)))
            #expect(Money(picos: try #require(entry.cost(of: call))) == ProviderFixtures.usd(bill))
            #expect(Money(picos: billed) == ProviderFixtures.usd(bill))
        }
    }
}
