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

@Suite struct DefaultPriceBookTests {
    static let expectedModels = [
        "gpt-4o", "gpt-4o-mini", "o1", "o3", "o3-mini", "o4-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
        "gpt-5", "gpt-5.1", "gpt-5-mini", "gpt-5-nano", "gpt-5.2", "gpt-5.4",
        "claude-3-5-haiku", "claude-3-7-sonnet", "claude-sonnet-4", "claude-sonnet-4-5", "claude-opus-4", "claude-opus-4-1",
        "claude-opus-4-5", "claude-opus-4-6", "claude-haiku-4-5",
        "gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro",
        "mistral-large-latest", "mistral-medium-latest", "mistral-small-latest", "deepseek-chat", "deepseek-reasoner",
    ]

    @Test func theShippedResourceIsFoundBesideTheBuild() throws {
        let url = try PriceBook.defaultBookURL()
        // The copy SwiftPM places beside the build products, not the source-tree fallback.
        #expect(url.path.contains("TokenLedger_LedgerPricing."))
        #expect(!url.path.contains("/Sources/"))
    }

    @Test func loadsWithEveryListedModel() throws {
        let book = try PriceBook.defaultBook()
        for m in Self.expectedModels {
            #expect(book.match(m) == ModelMatch(model: m, kind: .exact), "\(m)")
        }
        #expect(book.ambiguousNames.isEmpty)
    }

    @Test func everyEntryHasAStandardCardASourceAndAPastDate() throws {
        let book = try PriceBook.defaultBook()
        let bookPath = try PriceBook.defaultBookURL().path
        for e in book.entries {
            #expect(e.standard != nil, "\(e.model)")
            #expect(e.source.hasPrefix("litellm ") || e.source.hasPrefix("https://"), "\(e.model): \(e.source)")
            #expect(e.source != bookPath)
            #expect(e.effectiveFrom <= day("2026-11-23"), "\(e.model)")
            #expect(e.currency == "USD")
            #expect(["openai", "anthropic", "google", "mistral", "deepseek"].contains(e.provider), "\(e.model)")
        }
    }

    @Test func writingAndReadingTheBookKeepsEveryEntry() throws {
        let entries = try PriceBook.defaultBook().entries
        let text = PriceBookFile(entries: entries).yamlText()
        #expect(try PriceBookFile.parse(text: text, path: "copy.yaml").entries == entries)
    }

    @Test func logNamesResolve() throws {
        let book = try PriceBook.defaultBook()
        #expect(book.match("claude-sonnet-4-5-20250929") == ModelMatch(model: "claude-sonnet-4-5", kind: .snapshot))
        #expect(book.match("claude-3-5-haiku-20241022") == ModelMatch(model: "claude-3-5-haiku", kind: .snapshot))
        #expect(book.match("claude-4-sonnet-20250514") == ModelMatch(model: "claude-sonnet-4", kind: .snapshot))
        #expect(book.match("vertex_ai/claude-opus-4-5@20251101") == ModelMatch(model: "claude-opus-4-5", kind: .snapshot))
        #expect(book.match("gpt-4.1-mini-2025-04-14") == ModelMatch(model: "gpt-4.1-mini", kind: .snapshot))
        #expect(book.match("gpt-4o-2024-05-13") == ModelMatch(model: "gpt-4o-2024-05-13", kind: .exact))
        #expect(book.match("gemini/gemini-2.5-flash") == ModelMatch(model: "gemini-2.5-flash", kind: .providerPrefix))
        #expect(book.match("mistral/mistral-large-latest") == ModelMatch(model: "mistral-large-latest", kind: .providerPrefix))
        #expect(book.match("claude-3-7-sonnet-latest") == ModelMatch(model: "claude-3-7-sonnet", kind: .alias))
    }

    @Test func longContextCallThroughTheBook() throws {
        let book = try PriceBook.defaultBook()
        let c = call(model: "claude-sonnet-4-5-20250929", at: "2026-01-15T09:30:00Z", input: 250_000, output: 2_000, cached: 50_000)
        let entry = try #require(book.entry(for: c.model, at: c.timestamp))
        // Above 200K: uncached 200,000 × 6,000,000 + cached 50,000 × 600,000 + output 2,000 × 22,500,000
        // = 1,200,000,000,000 + 30,000,000,000 + 45,000,000,000 = $1.275
        #expect(entry.cost(of: c) == 1_275_000_000_000)
    }

    @Test func priceChangesAreDated() throws {
        let book = try PriceBook.defaultBook()
        func input(_ model: String, _ d: String) -> Rate? { book.entry(for: model, on: day(d))?.standard?.input }
        // deepseek-chat: unpriced before 2025-02-09; $0.27, $0.56 from 2025-09-06, $0.28 from 2025-09-30.
        #expect(input("deepseek-chat", "2025-02-08") == nil)
        #expect(input("deepseek-chat", "2025-09-05") == perMillion("0.27"))
        #expect(input("deepseek-chat", "2025-09-06") == perMillion("0.56"))
        #expect(input("deepseek-chat", "2025-09-29") == perMillion("0.56"))
        #expect(input("deepseek-chat", "2025-09-30") == perMillion("0.28"))
        #expect(input("mistral-large-latest", "2025-11-30") == perMillion("2"))
        #expect(input("mistral-large-latest", "2025-12-01") == perMillion("0.50"))
        #expect(input("gpt-4o", "2024-10-01") == nil)
        #expect(input("gpt-4o", "2024-10-02") == perMillion("2.50"))
    }

    @Test func claude35HaikuUsesTheOfficialOneHourWritePrice() throws {
        let haiku = try #require(try PriceBook.defaultBook().entry(for: "claude-3-5-haiku", on: day("2025-06-01")))
        // Anthropic: 1-hour writes at 2 × input = 2 × $0.80 = $1.60 per 1M.
        #expect(haiku.standard?.cacheWrite1h == perMillion("1.60"))
    }
}

/// The default book against the catalogues it was taken from, when `../shared/data` is present.
@Suite(.enabled(if: PricingFixtures.hasSharedCatalogues, "needs ../shared/data/litellm-model-prices-*.json"))
struct DefaultPriceBookCatalogueTests {
    /// The catalogue key that holds each default model's price, where it is not the model key itself.
    static let catalogueKey: [String: String] = [
        "gemini-2.0-flash": "gemini/gemini-2.0-flash", "gemini-2.5-flash": "gemini/gemini-2.5-flash",
        "gemini-2.5-pro": "gemini/gemini-2.5-pro",
        "mistral-large-latest": "mistral/mistral-large-latest", "mistral-medium-latest": "mistral/mistral-medium-latest",
        "mistral-small-latest": "mistral/mistral-small-latest",
        "deepseek-chat": "deepseek/deepseek-chat", "deepseek-reasoner": "deepseek/deepseek-reasoner",
        "claude-3-5-haiku": "claude-3-5-haiku-20241022", "claude-3-7-sonnet": "claude-3-7-sonnet-20250219",
        "claude-sonnet-4": "claude-sonnet-4-20250514", "claude-opus-4": "claude-opus-4-20250514",
    ]

    /// Components where the book deliberately differs from the catalogue it cites (docs/price-book.md).
    struct Correction: Hashable {
        var model: String
        var card: RateCardKey
        var component: String
    }

    static let corrections: Set<Correction> = [
        // Rounded in 1.109.1; half of the standard cached input, as 1.80.0 had it.
        Correction(model: "o4-mini", card: RateCardKey(.flex), component: "cachedInput"),
        Correction(model: "gpt-5.4", card: RateCardKey(.batch), component: "cachedInput"),
        Correction(model: "gpt-5.4", card: RateCardKey(.flex), component: "cachedInput"),
        // 1.80.0 lists $6.00; Anthropic $1.60.
        Correction(model: "claude-3-5-haiku", card: RateCardKey(.standard), component: "cacheWrite1h"),
    ]

    static func components(_ c: RateCard.Resolved) -> [String: Rate] {
        ["input": c.input, "cachedInput": c.cachedInput, "cacheWrite5m": c.cacheWrite5m, "cacheWrite1h": c.cacheWrite1h,
         "output": c.output, "reasoning": c.reasoning]
    }

    static func components(_ c: RateCard) -> [String: Rate] {
        var out = ["input": c.input, "output": c.output]
        if let r = c.cachedInput { out["cachedInput"] = r }
        if let r = c.cacheWrite5m { out["cacheWrite5m"] = r }
        if let r = c.cacheWrite1h { out["cacheWrite1h"] = r }
        if let r = c.reasoning { out["reasoning"] = r }
        return out
    }

    @Test func everyCitedPriceEqualsItsCatalogue() throws {
        let book = try PriceBook.defaultBook()
        let catalogues = [
            "litellm 1.109.1": try LiteLLMCatalog.load(path: PricingFixtures.catalogue1_109_1.path, effectiveFrom: day("2026-11-23"), source: "").book,
            "litellm 1.80.0": try LiteLLMCatalog.load(path: PricingFixtures.catalogue1_80_0.path, effectiveFrom: day("2026-11-23"), source: "").book,
        ]
        var compared = 0
        var corrected: Set<Correction> = []
        for e in book.entries {
            // The catalogue the entry cites first; entries citing only a provider page are not in one.
            guard let cited = catalogues.first(where: { e.source.hasPrefix($0.key) }) else { continue }
            let (name, catalogue) = (cited.key, cited.value)
            let key = Self.catalogueKey[e.model] ?? e.model
            let theirs = try #require(catalogue.entry(for: key, on: day("2026-11-23")), "\(key) in \(name)")
            try #require(theirs.model == key)
            for (cardKey, card) in e.cards {
                // Long-context cards of claude-sonnet-4-5 come from 1.80.0 (1.109.1 dropped them), and
                // Anthropic batch cards the catalogue lacks come from Anthropic's batch table.
                guard theirs.cards[cardKey] != nil,
                      let theirCard = theirs.card(tier: cardKey.tier, longContext: cardKey.longContext) else {
                    #expect(e.provider == "anthropic", "\(e.model) \(cardKey) not in \(name)")
                    continue
                }
                if cardKey.longContext { #expect(theirs.longContextThreshold == e.longContextThreshold, "\(e.model)") }
                // Every component the book lists, against the catalogue's card as resolved (a component the
                // catalogue leaves out is derived the same way for both).
                let mine = Self.components(card), other = Self.components(theirCard)
                for (component, rate) in mine {
                    let fix = Correction(model: e.model, card: cardKey, component: component)
                    if Self.corrections.contains(fix) {
                        #expect(other[component] != rate, "\(fix) no longer differs")
                        corrected.insert(fix)
                    } else {
                        #expect(other[component] == rate, "\(e.model) \(e.effectiveFrom) \(cardKey) \(component): book \(rate), \(name) \(String(describing: other[component]))")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 150)
        #expect(corrected == Self.corrections)
    }

    @Test func correctionsFollowTheProvidersRules() throws {
        let book = try PriceBook.defaultBook()
        let on = day("2026-11-23")
        for (model, tier) in [("o4-mini", PricingTier.flex), ("gpt-5.4", .batch), ("gpt-5.4", .flex)] {
            let e = try #require(book.entry(for: model, on: on))
            let standardCached = try #require(e.standard?.cachedInput)
            // Half of the standard cached input, exactly.
            #expect(e.cards[RateCardKey(tier)]?.cachedInput == standardCached.scaled(1, 2), "\(model) \(tier)")
        }
    }

    @Test func mistralAndDeepSeekKeepBothCataloguePrices() throws {
        let book = try PriceBook.defaultBook()
        let old = try LiteLLMCatalog.load(path: PricingFixtures.catalogue1_80_0.path, effectiveFrom: day("2020-01-01"), source: "").book
        let new = try LiteLLMCatalog.load(path: PricingFixtures.catalogue1_109_1.path, effectiveFrom: day("2020-01-01"), source: "").book
        for model in ["mistral-large-latest", "mistral-medium-latest", "mistral-small-latest", "deepseek-chat", "deepseek-reasoner"] {
            let history = book.history(of: model)
            let first = try #require(history.first), last = try #require(history.last)
            let key = try #require(Self.catalogueKey[model])
            let o = try #require(old.entry(for: key, on: day("2026-01-01"))?.standard)
            let n = try #require(new.entry(for: key, on: day("2026-01-01"))?.standard)
            #expect(first.standard?.input == o.input && first.standard?.output == o.output, "\(model) first")
            #expect(last.standard?.input == n.input && last.standard?.output == n.output, "\(model) last")
            #expect(o.input != n.input || o.output != n.output, "\(model): the catalogues agree")
        }
    }
}
