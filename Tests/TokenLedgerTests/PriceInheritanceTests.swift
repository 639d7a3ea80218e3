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

/// An import keeps what the entry before it priced and it does not state (`PriceEntry.inheriting(from:)`,
/// `PriceBook.changes(importing:)`), and says what it changed.
@Suite struct PriceInheritanceTests {
    static var longContextFixture: URL {
        PricingFixtures.packageRoot.appendingPathComponent("fixtures/prices/litellm-long-context.json")
    }

    static func card(_ input: String, _ output: String, cached: String? = nil, write5m: String? = nil,
                     write1h: String? = nil, reasoning: String? = nil) -> RateCard {
        RateCard(input: perMillion(input), cachedInput: cached.map(perMillion), cacheWrite5m: write5m.map(perMillion),
                 cacheWrite1h: write1h.map(perMillion), output: perMillion(output), reasoning: reasoning.map(perMillion))
    }

    /// A model with every kind of card: standard (no 1-hour write stated), batch, flex, and long context
    /// above 100K with a batch long-context card.
    static let old = PriceEntry(
        provider: "acme", model: "m", effectiveFrom: day("2025-01-01"), source: "old",
        cards: [
            RateCardKey(.standard): card("2", "8", cached: "0.20", write5m: "2.50"),
            RateCardKey(.batch): card("1", "4", cached: "0.10"),
            RateCardKey(.flex): card("1.20", "4.80"),
            RateCardKey(.standard, longContext: true): card("4", "12", cached: "0.40"),
            RateCardKey(.batch, longContext: true): card("2", "6"),
        ],
        longContextThreshold: 100_000)

    // MARK: The regression

    /// LiteLLM 1.109.1 lists no rates above 200K for `claude-sonnet-4-5` (only `vertex_ai/claude-sonnet-4-5`
    /// has them). Anthropic's pricing page (https://platform.claude.com/docs/en/about-claude/pricing,
    /// "Long context pricing", read 2026-12-07): a Sonnet 4/4.5 request over 200K input tokens is billed
    /// entirely at $6 per 1M input and $22.50 per 1M output.
    @Test func sonnetLongContextSurvivesACatalogueImport() throws {
        let book = try PriceBook.defaultBook()
        let catalogue = try LiteLLMCatalog.load(path: Self.longContextFixture.path, effectiveFrom: day("2026-11-01"),
                                                source: "litellm 1.109.1")
        let changes = book.changes(importing: catalogue.entries)
        let after = book.merging(PriceBook(entries: changes.entries))

        // 250,000 input × 6,000,000 pico + 10,000 output × 22,500,000 pico
        // = 1,500,000,000,000 + 225,000,000,000 = 1,725,000,000,000 pico ($1.725).
        let c = call(model: "claude-sonnet-4-5", at: "2026-12-07T10:00:00Z", input: 250_000, output: 10_000)
        let entry = try #require(after.entry(for: "claude-sonnet-4-5", at: c.timestamp))
        #expect(entry.effectiveFrom == day("2026-11-01"))
        #expect(entry.source == "litellm 1.109.1")
        #expect(entry.cost(of: c) == 1_725_000_000_000)
        // The dated name is its own key in the catalogue; it keeps the long-context price too.
        let snapshot = try #require(after.entry(for: "claude-sonnet-4-5-20250929", at: c.timestamp))
        #expect(snapshot.model == "claude-sonnet-4-5-20250929")
        #expect(snapshot.cost(of: c) == 1_725_000_000_000)
        // Below the threshold, the catalogue's base rates: 200,000 × 3,000,000 + 10,000 × 15,000,000.
        let short = call(model: "claude-sonnet-4-5", at: "2026-12-07T10:00:00Z", input: 200_000, output: 10_000)
        #expect(entry.cost(of: short) == 750_000_000_000)

        // The catalogue alone would bill the long call at base rates, half the real cost:
        // 250,000 × 3,000,000 + 10,000 × 15,000,000 = 900,000,000,000.
        let naive = book.merging(catalogue.book)
        #expect(naive.entry(for: "claude-sonnet-4-5", at: c.timestamp)?.cost(of: c) == 900_000_000_000)

        let sonnet = try #require(changes.models.first { $0.entry.model == "claude-sonnet-4-5" })
        // The catalogue prices web search but not web fetch: the book's web fetch fee stays.
        #expect(sonnet.kept == [.longContext(threshold: 200_000, cards: [RateCardKey(.standard, longContext: true)]),
                                .toolFees(["web_fetch"])])
        #expect(sonnet.inheritedFrom?.effectiveFrom == day("2025-09-29"))
        #expect(sonnet.rateChanges.isEmpty)
    }

    @Test func anotherProvidersEntryKeepsNothing() throws {
        let book = try PriceBook.defaultBook()
        let catalogue = try LiteLLMCatalog.load(path: Self.longContextFixture.path, effectiveFrom: day("2026-11-01"),
                                                source: "litellm 1.109.1")
        let changes = book.changes(importing: catalogue.entries)
        // `vertex_ai/claude-sonnet-4-5` resolves to the book's `claude-sonnet-4-5` by its prefix, but Vertex
        // bills it: compared with what priced that name, and completed from nothing.
        let vertex = try #require(changes.models.first { $0.entry.model == "vertex_ai/claude-sonnet-4-5" })
        #expect(vertex.bookModel == "claude-sonnet-4-5")
        #expect(vertex.kept.isEmpty)
        #expect(vertex.inheritedFrom == nil)
        #expect(vertex.otherProvider?.model == "claude-sonnet-4-5")
        #expect(vertex.entry == catalogue.entries.first { $0.model == "vertex_ai/claude-sonnet-4-5" })
        // batch cache_creation_input_token_cost_batches 1.88e-06 against the book's 1.875.
        #expect(vertex.rateChanges == [RateChange(model: "vertex_ai/claude-sonnet-4-5", card: RateCardKey(.batch),
                                                  component: .cacheWrite5m, old: perMillion("1.875"), new: perMillion("1.88"))])
        // A model the book does not know takes nothing.
        let new = try #require(changes.models.first { $0.entry.model == "claude-sonnet-4-6" })
        #expect(new.bookModel == nil && new.previous == nil && new.kept.isEmpty)
        #expect(new.entry == catalogue.entries.first { $0.model == "claude-sonnet-4-6" })
        #expect(changes.newModels.map(\.entry.model) == ["claude-sonnet-4-6"])
    }

    // MARK: The mechanism

    @Test func keepsComponentsTierCardsAndLongContext() {
        // The new entry: a standard card without cache prices, no tier cards, no long context.
        let new = PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2026-01-01"), source: "new",
                             cards: [RateCardKey(.standard): Self.card("3", "9")])
        let (e, kept) = new.inheriting(from: Self.old)
        #expect(kept == [
            .longContext(threshold: 100_000, cards: [RateCardKey(.standard, longContext: true), RateCardKey(.batch, longContext: true)]),
            .card(RateCardKey(.batch)),
            .card(RateCardKey(.flex)),
            .components(RateCardKey(.standard), [.cachedInput, .cacheWrite5m]),
        ])
        // Stated input and output win; the cache rates the old card stated are kept; the 1-hour write and
        // reasoning, which the old card derived, stay derived.
        #expect(e.standard == Self.card("3", "9", cached: "0.20", write5m: "2.50"))
        #expect(e.cards[RateCardKey(.batch)] == Self.old.cards[RateCardKey(.batch)])
        #expect(e.cards[RateCardKey(.flex)] == Self.old.cards[RateCardKey(.flex)])
        #expect(e.longContextThreshold == 100_000)
        #expect(e.cards[RateCardKey(.batch, longContext: true)] == Self.card("2", "6"))
        #expect(e.source == "new" && e.effectiveFrom == day("2026-01-01"))
        // 150,000 input tokens are above the kept threshold: the kept long-context input rate,
        // 150,000 × 4,000,000 pico = 600,000,000,000.
        #expect(e.cost(of: call(input: 150_000, output: 0)) == 600_000_000_000)
    }

    @Test func aStatedCardOrComponentWins() {
        let new = PriceEntry(
            provider: "acme", model: "m", effectiveFrom: day("2026-01-01"),
            cards: [
                RateCardKey(.standard): Self.card("3", "9", cached: "0.30", write1h: "6", reasoning: "10"),
                RateCardKey(.batch): Self.card("1.50", "4.50", write5m: "1.90"),
                RateCardKey(.standard, longContext: true): Self.card("5", "15"),
            ],
            longContextThreshold: 200_000)
        let (e, kept) = new.inheriting(from: Self.old)
        // The threshold is stated: the new long-context cards win entirely (no batch long card, no cached
        // rate taken from the old long card).
        #expect(e.longContextThreshold == 200_000)
        #expect(e.cards[RateCardKey(.standard, longContext: true)] == Self.card("5", "15"))
        #expect(e.cards[RateCardKey(.batch, longContext: true)] == nil)
        // Stated components win; only what the new card leaves out is taken.
        #expect(e.standard == Self.card("3", "9", cached: "0.30", write5m: "2.50", write1h: "6", reasoning: "10"))
        #expect(e.cards[RateCardKey(.batch)] == Self.card("1.50", "4.50", cached: "0.10", write5m: "1.90"))
        #expect(kept == [
            .card(RateCardKey(.flex)),
            .components(RateCardKey(.standard), [.cacheWrite5m]),
            .components(RateCardKey(.batch), [.cachedInput]),
        ])
    }

    @Test func nothingToKeepWhenTheNewEntryStatesEverything() {
        let (e, kept) = Self.old.inheriting(from: Self.old)
        #expect(kept.isEmpty)
        #expect(e == Self.old)
    }

    @Test func onlyTheSameModelIsInherited() throws {
        // Two models, one with long context; an entry for the other never takes it.
        let other = PriceEntry(provider: "acme", model: "m-mini", effectiveFrom: day("2025-01-01"),
                               cards: [RateCardKey(.standard): Self.card("0.50", "2")])
        let book = PriceBook(entries: [Self.old, other])
        let incoming = [
            PriceEntry(provider: "acme", model: "m-mini", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("0.40", "1.60")]),
            // A dated name of `m`, resolved by the book's snapshot rule, at the same provider: inherits.
            PriceEntry(provider: "acme", model: "m-20260101", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("2", "8")]),
            // `m` at another provider, resolved by the provider-prefix rule: nothing.
            PriceEntry(provider: "azure", model: "azure/m", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("2", "8")]),
        ]
        let changes = book.changes(importing: incoming)
        let mini = try #require(changes.models.first { $0.entry.model == "m-mini" })
        #expect(mini.kept.isEmpty)
        #expect(mini.entry.longContextThreshold == nil)
        #expect(mini.entry.cards.count == 1)
        #expect(mini.rateChanges.map(\.component) == [.input, .cachedInput, .cacheWrite5m, .cacheWrite1h, .output, .reasoning])
        #expect(mini.rateChanges.allSatisfy { !$0.isRaise })

        let snapshot = try #require(changes.models.first { $0.entry.model == "m-20260101" })
        #expect(snapshot.bookModel == "m")
        #expect(snapshot.entry.longContextThreshold == 100_000)
        #expect(snapshot.inheritedFrom == Self.old)

        let foreign = try #require(changes.models.first { $0.entry.model == "azure/m" })
        #expect(foreign.bookModel == "m")
        #expect(foreign.kept.isEmpty && foreign.otherProvider == Self.old)
        #expect(foreign.removedCards == [RateCardKey(.standard, longContext: true), RateCardKey(.batch),
                                         RateCardKey(.batch, longContext: true), RateCardKey(.flex)])
    }

    @Test func inheritsFromTheEntryInForceTheDayBefore() {
        let later = PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2025-06-01"), source: "later",
                               cards: [RateCardKey(.standard): Self.card("2", "8", write1h: "4")])
        let book = PriceBook(entries: [Self.old, later])
        // Between the two: from the old entry (which has long context); after both: from the later one
        // (which has none, so none is kept).
        let between = book.changes(importing: [PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2025-03-01"),
                                                          cards: [RateCardKey(.standard): Self.card("2", "8")])])
        #expect(between.models[0].inheritedFrom?.source == "old")
        #expect(between.models[0].entry.longContextThreshold == 100_000)
        let after = book.changes(importing: [PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2025-07-01"),
                                                        cards: [RateCardKey(.standard): Self.card("2", "8")])])
        #expect(after.models[0].inheritedFrom?.source == "later")
        #expect(after.models[0].kept == [.components(RateCardKey(.standard), [.cacheWrite1h])])
        #expect(after.models[0].entry.longContextThreshold == nil)
        // Before the model's first entry: nothing to keep, nothing to compare.
        let before = book.changes(importing: [PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2024-06-01"),
                                                         cards: [RateCardKey(.standard): Self.card("2", "8")])])
        #expect(before.firstPrices.count == 1 && before.models[0].kept.isEmpty && before.newModels.isEmpty)
    }

    @Test func aFilesEarlierEntryCountsForItsLaterOne() {
        let book = PriceBook(entries: [Self.old])
        let changes = book.changes(importing: [
            PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2026-06-01"),
                       cards: [RateCardKey(.standard): Self.card("3", "9")]),
            PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("2.50", "9", cached: "0.25")]),
        ])
        #expect(changes.models.map(\.entry.effectiveFrom) == [day("2026-01-01"), day("2026-06-01")])
        // The June entry takes the January entry's cached rate, and through it the old long context.
        let june = changes.models[1]
        #expect(june.inheritedFrom?.effectiveFrom == day("2026-01-01"))
        #expect(june.entry.standard?.cachedInput == perMillion("0.25"))
        #expect(june.entry.longContextThreshold == 100_000)
        // On the standard card only the input moved (derived tier rates follow it).
        #expect(june.rateChanges.filter { $0.card == RateCardKey(.standard) }
            .map { "\($0.component.rawValue) \($0.old.perMillionString) → \($0.new.perMillionString)" } == ["input 2.50 → 3.00"])
    }

    @Test func importingTheSameEntriesAgainChangesNothing() throws {
        let book = try PriceBook.defaultBook()
        let catalogue = try LiteLLMCatalog.load(path: Self.longContextFixture.path, effectiveFrom: day("2026-11-01"),
                                                source: "litellm 1.109.1")
        let first = book.changes(importing: catalogue.entries)
        let again = book.merging(PriceBook(entries: first.entries)).changes(importing: catalogue.entries)
        #expect(again.entries == first.entries)
        #expect(again.changed.isEmpty)
        #expect(again.newModels.isEmpty)
        #expect(again.unchanged.count == catalogue.entries.count)
        // gpt-5.4's catalogue entry prices no tools: it keeps the book's fees per web and file search.
        #expect(again.keeping.map(\.entry.model) == ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "gpt-5.4"])
        #expect(again.keeping.last?.kept == [.toolFees(["file_search", "web_search"])])
    }

    // MARK: The report

    @Test func theTextReportNamesEveryChange() throws {
        let book = PriceBook(entries: [Self.old])
        let changes = book.changes(importing: [
            PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("2", "9", cached: "0.15", write5m: "2.50"),
                               RateCardKey(.priority): Self.card("4", "16")]),
            PriceEntry(provider: "acme", model: "n", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("1", "2")]),
        ])
        // The kept flex card states no cached rate: it is derived, standard cached × flex input ÷ standard
        // input, 0.20 × 1.20 ÷ 2 = 0.12 before and 0.15 × 1.20 ÷ 2 = 0.09 after.
        let text = PriceChangeReport.text(changes)
        #expect(text == """
            Against the book in force: 2 entries; 1 new to the book; 1 replaces a price: 1 with changed rates (2 rates raised, 2 lowered, 1 card added); 1 keeps parts of the earlier entry.
            Changed (USD per 1M tokens):
              m  standard cached_input 0.20 → 0.15
              m  standard output 8.00 → 9.00
              m  standard reasoning 8.00 → 9.00
              m  flex cached_input 0.12 → 0.09
              m  priority card added: input 4.00, output 16.00
            Kept from the earlier entry:
              m: kept long-context cards (above 100,000 input tokens, with batch) from the entry of 2025-01-01
              m: kept batch card from the entry of 2025-01-01
              m: kept flex card from the entry of 2025-01-01
            New to the book (1): n

            """)
        let capped = PriceChangeReport.text(changes, limit: 2)
        #expect(capped.contains("  … 3 more (use `tokenledger prices diff` for all)\n"))
        #expect(capped.contains("  … 1 more (use `tokenledger prices diff` for all)\n"))
        let json = try JSONValue.parse(PriceChangeReport.json(changes))
        #expect(json["summary"]?["rates_raised"]?.int64 == 2)
        #expect(json["summary"]?["new_models"]?.int64 == 1)
        #expect(json["models"]?.array?.map { $0["status"]?.string } == ["changed", "new"])
    }

    @Test func namesAreShownWithoutControlCharacters() {
        let changes = PriceBook.empty.changes(importing: [
            PriceEntry(provider: "p", model: "evil\u{1B}[2J", effectiveFrom: day("2026-01-01"),
                       cards: [RateCardKey(.standard): Self.card("1", "2")]),
        ])
        #expect(PriceChangeReport.text(changes).contains("New to the book (1): evil\\u{1b}[2J\n"))
    }
}

/// The whole catalogue of `../shared/data`, when present.
@Suite(.enabled(if: PricingFixtures.hasSharedCatalogues, "needs ../shared/data/litellm-model-prices-*.json"))
struct PriceInheritanceFullCatalogueTests {
    @Test func sonnetLongContextSurvivesTheWholeCatalogue() throws {
        let book = try PriceBook.defaultBook()
        let catalogue = try LiteLLMCatalog.load(path: PricingFixtures.catalogue1_109_1.path, effectiveFrom: day("2026-11-01"),
                                                source: "litellm 1.109.1")
        let changes = book.changes(importing: catalogue.entries)
        #expect(changes.models.count == 3_844)
        let after = book.merging(PriceBook(entries: changes.entries))
        // As above: 250,000 × 6,000,000 + 10,000 × 22,500,000 pico (Anthropic's long-context rates).
        let c = call(model: "claude-sonnet-4-5", at: "2026-12-07T10:00:00Z", input: 250_000, output: 10_000)
        let entry = try #require(after.entry(for: "claude-sonnet-4-5", at: c.timestamp))
        #expect(entry.effectiveFrom == day("2026-11-01"))
        #expect(entry.cost(of: c) == 1_725_000_000_000)
        #expect(changes.keeping.map(\.entry.model).contains("claude-sonnet-4-5"))
        // No entry takes anything from another provider's entry.
        for m in changes.keeping {
            #expect(PriceBook.sameProvider(m.entry.provider, m.inheritedFrom?.provider ?? ""), "\(m.entry.model)")
        }
    }
}
