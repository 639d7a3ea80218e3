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

/// TokenLedger's price of calls with tool uses, audio and image tokens and an inference geography, against
/// LiteLLM's own `completion_cost` of the same calls over the same catalogue entries
/// (`fixtures/litellm-cost/`, written by `scripts/litellm-cost-fixture.py`; LiteLLM's version is in the
/// fixture). The catalogue is imported the way `prices import` does, over the shipped book.
@Suite struct LiteLLMCompletionCostTests {
    static let folder = PricingFixtures.packageRoot.appendingPathComponent("fixtures/litellm-cost")

    /// LiteLLM's cost of each call: the repr of a float, rounded here to the picodollar.
    static func litellmCosts() throws -> (version: String, picos: [String: Int64]) {
        let data = try Data(contentsOf: folder.appendingPathComponent("litellm-costs.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let costs = try #require(object["completion_cost_usd"] as? [String: String])
        var out: [String: Int64] = [:]
        for (id, text) in costs { out[id] = try #require(roundedToPicos(text), "\(id): \(text)") }
        return (try #require(object["litellm"] as? String), out)
    }

    /// A float's decimal text (`0.17740000000000003`) rounded half up to 12 decimals.
    static func roundedToPicos(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        let fraction = parts.count == 2 ? Array(parts[1]) : []
        guard fraction.allSatisfy(\.isNumber) else { return nil }
        let kept = String(fraction.prefix(12)) + String(repeating: "0", count: max(0, 12 - fraction.count))
        guard var picos = Int64(kept) else { return nil }
        if fraction.count > 12, let next = fraction[12].wholeNumberValue, next >= 5 { picos += 1 }
        return whole * 1_000_000_000_000 + picos
    }

    /// The calls imported into a ledger whose book is the shipped one with the catalogue imported over it.
    static func pricedCalls() throws -> (costs: [String: Int64?], changes: PriceBookChanges, scratch: Scratch) {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let catalogue = try LiteLLMCatalog.load(path: folder.appendingPathComponent("catalogue.json").path,
                                                effectiveFrom: day("2026-11-01"), source: "litellm catalogue")
        let changes = ledger.book.changes(importing: catalogue.entries)
        try ledger.db.transaction { _ = try PriceStore(db: ledger.db).save(changes.entries, origin: .user) }
        let priced = try TestLedger(path: scratch.path("ledger.sqlite"))
        let summary = try priced.importPaths([folder.appendingPathComponent("calls.jsonl").path])
        #expect(summary.rowsImported == 9 && summary.rejected == 0)
        var costs: [String: Int64?] = [:]
        for row in try priced.rows("SELECT request_id, cost FROM requests") {
            guard case .text(let id) = row[0] else { continue }
            if case .integer(let c) = row[1] { costs[id] = c } else { costs[id] = .some(nil) }
        }
        return (costs, changes, scratch)
    }

    @Test func everyCallCostsWhatLiteLLMCharges() throws {
        let (version, expected) = try Self.litellmCosts()
        #expect(!version.isEmpty)
        let (costs, _, _) = try Self.pricedCalls()
        #expect(costs.count == 9)
        // ll-07 is where LiteLLM and Google disagree (below).
        for id in expected.keys.sorted() where id != "ll-07" {
            #expect(costs[id] == .some(expected[id]), "\(id)")
        }
        // Hand-checked against the providers' pages (read 2026-12-07):
        // ll-01 Sonnet 4.5: 10,000 × $3/M + 2,000 × $15/M + 2 web searches × $10/1,000 = $0.08
        //   (https://platform.claude.com/docs/en/about-claude/pricing, "Web search tool").
        #expect(costs["ll-01"] == .some(80_000_000_000))
        // ll-09 Opus 4.6 with inference_geo us: ($0.05 + $0.05) × 1.1 = $0.11 ("Data residency pricing");
        // ll-08 adds one web search at $0.01, to which the multiplier does not apply: $0.12.
        #expect(costs["ll-09"] == .some(110_000_000_000))
        #expect(costs["ll-08"] == .some(120_000_000_000))
        // ll-04 gpt-realtime: 1,000 text in × $4/M + 2,000 audio in × $32/M + 500 text out × $16/M
        //   + 1,000 audio out × $64/M = $0.004 + $0.064 + $0.008 + $0.064 = $0.14
        //   (https://platform.openai.com/docs/pricing, "Audio tokens").
        #expect(costs["ll-04"] == .some(140_000_000_000))
    }

    /// LiteLLM lists `input_cost_per_audio_token_above_200k_tokens` (0.3/M, below the base audio rate) for
    /// `gemini-2.5-flash` and no text rate above 200K, and prices ll-07 at $0.095. Google bills 2.5 Flash
    /// flat at every context length (https://ai.google.dev/gemini-api/docs/pricing, "Gemini 2.5 Flash",
    /// read 2026-12-07: input $0.30/M text, $1.00/M audio; output $2.50/M): 200,000 × $0.30/M
    /// + 100,000 × $1.00/M + 2,000 × $2.50/M = $0.06 + $0.10 + $0.005 = $0.165. TokenLedger follows Google:
    /// an audio-only rate above a threshold forms no long-context card and is reported as ignored.
    @Test func audioAboveAThresholdAloneIsNoLongContextTier() throws {
        let (_, expected) = try Self.litellmCosts()
        #expect(expected["ll-07"] == 95_000_000_000)
        let (costs, _, _) = try Self.pricedCalls()
        #expect(costs["ll-07"] == .some(165_000_000_000))

        let catalogue = try LiteLLMCatalog.load(path: Self.folder.appendingPathComponent("catalogue.json").path,
                                                effectiveFrom: day("2026-11-01"), source: "litellm catalogue")
        let flash = try #require(catalogue.entries.first { $0.model == "gemini-2.5-flash" })
        #expect(flash.longContextThreshold == nil)
        #expect(!flash.cards.keys.contains { $0.longContext })
        #expect(catalogue.ignoredFields["input_cost_per_audio_token_above_200k_tokens"] == 1)
    }

    /// `provider_specific_entry: {"us": 1.1}` is the US-only inference multiplier; the shipped book's fast
    /// mode (6×, https://platform.claude.com/docs/en/build-with-claude/fast-mode, read 2026-12-07), which
    /// the catalogue does not state, is kept by the import and said so.
    @Test func multipliersComeFromTheCatalogueAndTheBookKeepsFastMode() throws {
        let catalogue = try LiteLLMCatalog.load(path: Self.folder.appendingPathComponent("catalogue.json").path,
                                                effectiveFrom: day("2026-11-01"), source: "litellm catalogue")
        let opus = try #require(catalogue.entries.first { $0.model == "claude-opus-4-6" })
        #expect(opus.modifiers == [PriceModifier(.inferenceGeo, "us", numerator: 11, denominator: 10)])

        let (_, changes, _) = try Self.pricedCalls()
        let change = try #require(changes.models.first { $0.entry.model == "claude-opus-4-6" })
        #expect(change.kept.contains(.modifiers([PriceModifier(.speed, "fast", numerator: 6, denominator: 1)])))
        #expect(change.entry.modifiers.count == 2)
        var fast = call(model: "claude-opus-4-6", at: "2026-11-02T10:00:00Z", input: 10_000, output: 2_000)
        var extras = CallExtras()
        extras.speed = "fast"
        fast.extras = extras
        // ($0.05 + $0.05) × 6 = $0.60
        #expect(change.entry.cost(of: fast) == 600_000_000_000)
        #expect(PriceChangeReport.keptText(.modifiers([PriceModifier(.speed, "fast", numerator: 6, denominator: 1)]))
            == "multipliers speed fast ×6")

        // gpt-4o's catalogue entry prices no tools: the book's fees per web and file search stay.
        let gpt = try #require(changes.models.first { $0.entry.model == "gpt-4o" })
        #expect(gpt.kept.contains(.toolFees(["file_search", "web_search"])))
    }
}
