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

/// Imports the routing log and the provider exports of `fixtures/providers` into a new database and checks
/// the reconciliation to the picodollar (the scenario is described in `fixtures/providers/README.md`).
@Suite struct ReconciliationEndToEndTests {
    static let asOf = instant("2026-01-20T00:00:00Z")
    static let january = Period(first: day("2026-01-01"), last: day("2026-01-04"))

    static func reconcile() throws -> (ReconciliationResult, ImportSummary) {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try ProviderFixtures.importFiles(ProviderFixtures.scenario, into: db)
        let book = try PriceStore(db: db).loadBook()
        let input = try ReconciliationInput.load(db: db, period: january, book: book)
        return (Reconciliation.run(input, asOf: asOf), summary)
    }

    @Test func importsEveryFileAndCountsOverlapsOnce() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try ProviderFixtures.importFiles(ProviderFixtures.scenario, into: db)
        #expect(summary.allInputsRead)
        #expect(summary.rejected == 0)
        #expect(summary.files.map(\.format) == ["routing-log", "openai-usage", "openai-usage", "openai-costs", "anthropic-usage",
                                                "anthropic-costs", "openrouter-activity-csv", "openrouter-generations"])
        // The second OpenAI download repeats 2026-01-02; the generation file repeats gen-demoA (usage and cost).
        // Those rows replace the earlier download's; no provider row is a duplicate.
        #expect(summary.files.map(\.providerRowsReplacing) == [0, 0, 2, 0, 0, 0, 0, 2])
        #expect(summary.files.map(\.providerRowsAdded) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(summary.files.map(\.duplicates) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try db.scalarInt("SELECT count(*) FROM provider_usage") == 10)
        #expect(try db.scalarInt("SELECT count(*) FROM provider_costs") == 21)
        let day2 = "SELECT sum(requests) FROM provider_usage WHERE provider = 'openai' AND bucket_start_ms = 1767312000000"
        #expect(try db.scalarInt(day2) == 80)  // 60 + 20 from the later download, not 55 + 18 + 60 + 20
        #expect(try db.scalarInt("SELECT count(*) FROM provider_usage WHERE record_id = 'gen-demoA'") == 1)
        // Importing again changes nothing.
        let again = try ProviderFixtures.importFiles(ProviderFixtures.scenario, into: db)
        #expect(again.files.allSatisfy { $0.status == .unchanged })
        #expect(try db.scalarInt(day2) == 80)
    }

    @Test func theLastImportOfABucketWins() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ProviderFixtures.importFiles(["openai/usage-2026-01-02-download-2.json", "openai/usage-2026-01-01-download-1.json"], into: db)
        let day2 = "SELECT sum(requests) FROM provider_usage WHERE provider = 'openai' AND bucket_start_ms = 1767312000000"
        #expect(try db.scalarInt(day2) == 73)  // the earlier download, imported last
        #expect(try db.scalarInt("SELECT count(*) FROM provider_usage") == 5)
    }

    @Test func reconcilesToThePicodollar() throws {
        let (r, _) = try Self.reconcile()
        #expect(r.coversPeriod)
        #expect(r.totals.billedUsage == usd("23.83728"))
        #expect(r.totals.nonUsage == usd("0.02"))
        #expect(r.totals.logged == usd("21.37248"))
        #expect(r.totals.explained == usd("21.37728"))
        #expect(r.totals.byClass == GapAmounts([.bypass: usd("1.20"), .unloggedAttempts: usd("0.56"), .tokenMismatch: usd("0.15"),
                                                .priceDrift: usd("0.55"), .toolFees: usd("0.02")]))
        #expect(r.totals.unexplained == usd("2.48"))
        #expect(r.totals.withinTolerance == usd("0.0048"))
        #expect(r.totals.boundaryShifted == usd("0.112"))
        #expect(!r.withinTolerance)

        func cell(_ d: String, _ provider: String) throws -> ReconciliationCell {
            try #require(r.cells.first { $0.day == day(d) && $0.provider == provider })
        }
        #expect(try cell("2026-01-01", "openai").classes == GapAmounts([.priceDrift: usd("0.40")]))
        #expect(try cell("2026-01-02", "openai").classes == GapAmounts([.bypass: usd("1.20"), .unloggedAttempts: usd("0.56")]))
        #expect(try cell("2026-01-02", "openai").logged.requests == 50)  // the rate-limited call is left out
        #expect(try cell("2026-01-03", "openai").classes == GapAmounts([.boundary: usd("-0.112")]))
        #expect(try cell("2026-01-04", "openai").classes == GapAmounts([.boundary: usd("0.112")]))
        #expect(try cell("2026-01-01", "anthropic").classes == GapAmounts([.tokenMismatch: usd("0.15")]))
        #expect(try cell("2026-01-02", "anthropic").classes == GapAmounts([.priceDrift: usd("0.15")]))
        let router = try cell("2026-01-01", "openrouter")
        #expect(router.model == "gpt-4.1")
        #expect(router.billed == usd("0.01528") && router.loggedCost == usd("0.01048") && router.withinTolerance)

        let openai = try #require(r.providers.first { $0.provider == "openai" })
        #expect(openai.totals.billedUsage == usd("12.272"))
        #expect(openai.totals.explained == usd("10.112"))
        #expect(openai.refinedBy == ["project", "api_key", "tier"])
        #expect(openai.bypassByKey && openai.bypassByProject)

        #expect(r.priceDrift.filter(\.outsideTolerance).map { "\($0.provider) \($0.kind.rawValue) \($0.impliedPerMillion.exactString) \($0.bookPerMillion?.exactString ?? "")" }
                == ["openai output 2.00 1.60", "anthropic output 9.00 7.50"])
        #expect(r.gateway.map { "\($0.provider) \($0.calls) \($0.gatewayCost.exactString) \($0.bookCost?.exactString ?? "") \($0.disagrees)" }
                == ["openai 100 4.80 4.40 true"])
        #expect(r.nonUsage.map { "\($0.provider) \($0.category.rawValue) \($0.amount.exactString)" } == ["anthropic tool 0.02"])
        #expect(r.topDays.map(\.name) == ["2026-01-02", "2026-01-01"])
        #expect(r.topDays.map(\.unexplained) == [usd("1.91"), usd("0.57")])
        #expect(r.topModels.map(\.name) == ["gpt-4.1-mini", "claude-sonnet-4-5"])
    }

    @Test func onlyOneProvider() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ProviderFixtures.importFiles(ProviderFixtures.scenario, into: db)
        let input = try ReconciliationInput.load(db: db, period: Self.january, book: try PriceStore(db: db).loadBook())
        let r = Reconciliation.run(input, providers: ["anthropic"], asOf: Self.asOf)
        #expect(r.providers.map(\.provider) == ["anthropic"])
        #expect(r.totals.billedUsage == usd("11.55"))
        #expect(r.totals.byClass == GapAmounts([.tokenMismatch: usd("0.15"), .priceDrift: usd("0.15"), .toolFees: usd("0.02")]))
    }
}

/// The reconciliation reports of the end-to-end scenario against canned files in `Golden/`. Run with
/// `RECORD_SNAPSHOTS=1` to write them again after an intended change.
@Suite struct ReconciliationReportTests {
    static var goldenDirectory: URL {
        PricingFixtures.packageRoot.appendingPathComponent("Tests/TokenLedgerTests/Golden")
    }

    func check(_ text: String, _ name: String) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs; run with RECORD_SNAPSHOTS=1 to re-record after an intended change")
    }

    @Test func text() throws {
        try check(ReconciliationTextReport.render(try ReconciliationEndToEndTests.reconcile().0), "reconcile.txt")
    }

    @Test func markdown() throws {
        try check(ReconciliationMarkdownReport.render(try ReconciliationEndToEndTests.reconcile().0), "reconcile.md")
    }

    @Test func json() throws {
        let text = ReconciliationJSONReport.render(try ReconciliationEndToEndTests.reconcile().0)
        try check(text, "reconcile.json")
        let doc = try JSONValue.parse(text)
        #expect(doc["schema"]?.string == "tokenledger.reconcile/1")
        #expect(doc[path: "totals", "billed_usage_usd"]?.string == "23.83728")
        #expect(doc[path: "totals", "gaps_by_class_usd", "bypass"]?.string == "1.20")
    }

    @Test func withoutProviderDataTheReportSaysSo() {
        let empty = Reconciliation.run(ReconciliationInput(period: Period(first: day("2026-01-01"), last: day("2026-01-07")), usage: [],
                                                           costs: [], logged: [], book: .empty), asOf: ReconciliationEndToEndTests.asOf)
        #expect(!empty.hasProviderData)
        #expect(ReconciliationTextReport.render(empty).contains("No provider exports cover this period"))
        #expect(ReconciliationMarkdownReport.render(empty).contains("No provider exports cover this period"))
    }

    @Test func markdownEscapesTableCells() {
        #expect(ReconciliationMarkdownReport.escape("a|b*c\\d\ne") == "a\\|b\\*c\\\\d e")
    }
}
