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

/// A model is one model in every source: after LiteLLM's catalogue is imported, which lists dated snapshots
/// (`gpt-4.1-mini-2025-04-14`, `claude-sonnet-4-5-20250929`) as entries of their own, an export that names the
/// snapshot still meets the logs that name the base model.
@Suite struct ModelIdentityTests {
    static var snapshots: URL { PricingFixtures.packageRoot.appendingPathComponent("fixtures/prices/litellm-dated-snapshots.json") }

    static func catalogueBook() throws -> PriceBook {
        let imported = try LiteLLMCatalog.load(path: snapshots.path, effectiveFrom: day("2025-01-01"), source: "litellm 1.109.1")
        return try PriceBook.defaultBook().merging(imported.book)
    }

    @Test func aSnapshotListedApartStandsForItsBaseButKeepsItsOwnPrice() throws {
        let book = try Self.catalogueBook()
        #expect(book.match("gpt-4o-mini-2024-07-18")?.model == "gpt-4o-mini-2024-07-18")  // its own entry
        #expect(book.identity(of: "gpt-4o-mini-2024-07-18") == "gpt-4o-mini")
        #expect(book.identity(of: "gpt-5-2025-08-07") == "gpt-5")
        #expect(book.identity(of: "claude-sonnet-4-5-20250929") == "claude-sonnet-4-5")
        #expect(book.identity(of: "openai/gpt-4.1-mini-2025-04-14") == "gpt-4.1-mini")
        #expect(book.comparisonKey(for: "gpt-4o-2024-05-13") == "gpt-4o")
        // gpt-4o-2024-05-13 has a price of its own in the catalogue ($5 / $15 per 1M, against gpt-4o's $2.50 / $10).
        let t = instant("2026-01-01T12:00:00Z")
        let call = CallRecord(requestID: "r", timestamp: t, model: "gpt-4o-2024-05-13", inputTokens: 1_000_000, outputTokens: 100_000)
        #expect(book.entry(for: call.model, at: t)?.cost(of: call) == 6_500_000_000_000)  // $5 + $1.50
        #expect(book.identity(of: "no-such-model") == nil)
        #expect(book.identity(of: "gpt-4o") == "gpt-4o")
    }

    @Test func aSnapshotIsPricedAtItsBaseBeforeItsOwnFirstEntry() throws {
        let imported = try LiteLLMCatalog.load(path: Self.snapshots.path, effectiveFrom: day("2026-11-01"), source: "litellm 1.109.1")
        let book = try PriceBook.defaultBook().merging(imported.book)
        let before = instant("2026-10-15T12:00:00Z"), after = instant("2026-11-15T12:00:00Z")
        // The catalogue's own entry holds from 2026-11-01; before it the shipped book's claude-sonnet-4-5 prices the call.
        #expect(book.entry(for: "claude-sonnet-4-5-20250929", at: before)?.model == "claude-sonnet-4-5")
        #expect(book.entry(for: "claude-sonnet-4-5-20250929", at: after)?.model == "claude-sonnet-4-5-20250929")
        var resolver = PriceBook.Resolver(book)
        #expect(resolver.entry(for: "gpt-4o-mini-2024-07-18", at: before)?.model == "gpt-4o-mini")
        #expect(book.entry(for: "gpt-4o-mini-2024-07-18", on: day("2026-10-15"))?.model == "gpt-4o-mini")
    }

    @Test func reconciliationAfterTheCatalogueImportMatchesTheSameAsBefore() throws {
        let (baseline, _) = try ReconciliationEndToEndTests.reconcile()

        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = PriceStore(db: db)
        _ = try store.loadBook()
        let imported = try LiteLLMCatalog.load(path: Self.snapshots.path, effectiveFrom: day("2025-01-01"), source: "litellm 1.109.1")
        try db.transaction { _ = try store.save(imported.entries, origin: .user) }
        try ProviderFixtures.importFiles(ProviderFixtures.scenario, into: db)
        let book = try store.loadBook()
        #expect(book.match("gpt-4.1-mini-2025-04-14")?.model == "gpt-4.1-mini-2025-04-14")
        let r = Reconciliation.run(try ReconciliationInput.load(db: db, period: ReconciliationEndToEndTests.january, book: book),
                                   asOf: ReconciliationEndToEndTests.asOf)

        // The same cells, classes and coverage as with the shipped book alone.
        #expect(r.cells.map { "\($0.day) \($0.provider) \($0.model ?? "-")" } == baseline.cells.map { "\($0.day) \($0.provider) \($0.model ?? "-")" })
        #expect(r.cells.map(\.classes) == baseline.cells.map(\.classes))
        #expect(r.totals.byClass == baseline.totals.byClass)
        #expect(r.totals.explained == baseline.totals.explained)
        // No day and model shows usage the logs lack beside logged calls the provider lacks.
        for c in r.cells {
            #expect(!(c.classes[.unloggedAttempts] != .zero && c.classes[.loggedNotBilled] != .zero), "\(c.day) \(c.model ?? "")")
            let byModel = Dictionary(grouping: c.comparisons, by: { $0.model ?? "" })
            for (_, comparisons) in byModel {
                let signs = Set(comparisons.flatMap { $0.classes.sorted.filter { $0.0 != .boundary }.map { $0.1.picos.signum() } })
                #expect(!(signs.contains(1) && signs.contains(-1)))
            }
        }
        let openai = try #require(r.providers.first { $0.provider == "openai" })
        #expect(openai.totals.explained == usd("10.112"))
    }

    /// Over the whole catalogue: every dated snapshot whose base is also listed stands for the base.
    @Test(.enabled(if: PricingFixtures.hasSharedCatalogues, "needs ../shared/data/litellm-model-prices-*.json"))
    func everyListedSnapshotOfTheWholeCatalogueStandsForItsBase() throws {
        let path = PricingFixtures.sharedData.appendingPathComponent("litellm-model-prices-1.109.1.json").path
        let book = try LiteLLMCatalog.load(path: path, effectiveFrom: day("2025-01-01"), source: "litellm 1.109.1").book
        var pairs = 0
        for model in book.models {
            guard let base = ModelNameIndex.snapshotBase(model), book.match(base) != nil, book.match(base)?.model != model else { continue }
            pairs += 1
            #expect(book.identity(of: model) == book.identity(of: base), "\(model)")
        }
        #expect(pairs > 50)
        #expect(book.identity(of: "gpt-4o-mini-2024-07-18") == "gpt-4o-mini")
        #expect(book.identity(of: "claude-sonnet-4-5-20250929") == "claude-sonnet-4-5")
    }
}
