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

/// Expected rates are the catalogue's dollars per token × 10¹², read off `fixtures/prices/litellm-sample.json`
/// (an unedited extract of litellm 1.109.1): `2.5e-06` → 2,500,000 pico per token.
@Suite struct LiteLLMCatalogSampleTests {
    static func sample() throws -> LiteLLMImport {
        try LiteLLMCatalog.load(path: PricingFixtures.litellmSample.path, effectiveFrom: day("2026-11-23"),
                                source: "litellm 1.109.1")
    }

    static func entry(_ result: LiteLLMImport, _ model: String) throws -> PriceEntry {
        try #require(result.entries.first { $0.model == model }, "\(model) not imported")
    }

    @Test func countsWhatWasImportedAndWhy() throws {
        let r = try Self.sample()
        #expect(r.totalModels == 18)
        #expect(r.entries.count == 15)
        #expect(r.skipped.count == 3)
        #expect(r.skipCounts == [
            .documentation: 1,
            .unsupportedMode("(none)"): 1,
            .incompleteTokenPrices(missing: "input_cost_per_token"): 1,
        ])
        #expect(r.skipped.first { $0.model == "twelvelabs.pegasus-1-2-v1:0" }?.reason == .incompleteTokenPrices(missing: "input_cost_per_token"))
        #expect(r.entries.map(\.model) == r.entries.map(\.model).sorted())
        #expect(r.entries.allSatisfy { $0.effectiveFrom == day("2026-11-23") && $0.source == "litellm 1.109.1" })
    }

    @Test func standardBatchAndPriorityCards() throws {
        let e = try Self.entry(Self.sample(), "gpt-4o")
        #expect(e.provider == "openai")
        #expect(e.standard == RateCard(input: Rate(picosPerToken: 2_500_000), cachedInput: Rate(picosPerToken: 1_250_000),
                                       output: Rate(picosPerToken: 10_000_000)))
        #expect(e.cards[RateCardKey(.batch)] == RateCard(input: Rate(picosPerToken: 1_250_000), output: Rate(picosPerToken: 5_000_000)))
        #expect(e.cards[RateCardKey(.priority)] == RateCard(input: Rate(picosPerToken: 4_250_000), cachedInput: Rate(picosPerToken: 2_125_000),
                                                            output: Rate(picosPerToken: 17_000_000)))
        #expect(e.cards[RateCardKey(.flex)] == nil)
        #expect(e.longContextThreshold == nil)
    }

    @Test func flexCardsAndTheirCachedInput() throws {
        let r = try Self.sample()
        let gpt5 = try Self.entry(r, "gpt-5")
        // cache_read_input_token_cost_flex 6.25e-08
        #expect(gpt5.cards[RateCardKey(.flex)] == RateCard(input: Rate(picosPerToken: 625_000), cachedInput: Rate(picosPerToken: 62_500),
                                                           output: Rate(picosPerToken: 5_000_000)))
        // o4-mini's flex cached input is 1.38e-07 in this catalogue.
        #expect(try Self.entry(r, "o4-mini").cards[RateCardKey(.flex)]?.cachedInput == Rate(picosPerToken: 138_000))
    }

    @Test func longContextAbove272kWithBatchAndFlex() throws {
        let e = try Self.entry(Self.sample(), "gpt-5.4")
        #expect(e.longContextThreshold == 272_000)
        #expect(e.cards[RateCardKey(.standard, longContext: true)] ==
            RateCard(input: Rate(picosPerToken: 5_000_000), cachedInput: Rate(picosPerToken: 500_000), output: Rate(picosPerToken: 22_500_000)))
        let longBatch = RateCard(input: Rate(picosPerToken: 2_500_000), cachedInput: Rate(picosPerToken: 250_000),
                                 output: Rate(picosPerToken: 11_250_000))
        #expect(e.cards[RateCardKey(.batch, longContext: true)] == longBatch)
        #expect(e.cards[RateCardKey(.flex, longContext: true)] == longBatch)
        // A batch call above 272K: uncached 200,000 × 2,500,000 + cached 100,000 × 250,000 + output 10,000 × 11,250,000
        // = 500,000,000,000 + 25,000,000,000 + 112,500,000,000
        let c = call(input: 300_000, output: 10_000, cached: 100_000, batch: true)
        #expect(e.cost(of: c) == 637_500_000_000)
        // Priority has no long-context fields: the standard long card at the priority markup
        // (5e-06 / 2.5e-06 on input, 3e-05 / 1.5e-05 on output): input 10,000,000, output 45,000,000.
        let priorityLong = e.card(tier: .priority, longContext: true)
        #expect(priorityLong?.input == Rate(picosPerToken: 10_000_000))
        #expect(priorityLong?.output == Rate(picosPerToken: 45_000_000))
    }

    @Test func cacheWritesFiveMinutesAndOneHour() throws {
        let r = try Self.sample()
        let sonnet = try Self.entry(r, "claude-sonnet-4-5")
        #expect(sonnet.standard == RateCard(input: Rate(picosPerToken: 3_000_000), cachedInput: Rate(picosPerToken: 300_000),
                                            cacheWrite5m: Rate(picosPerToken: 3_750_000), cacheWrite1h: Rate(picosPerToken: 6_000_000),
                                            output: Rate(picosPerToken: 15_000_000)))
        #expect(sonnet.cards[RateCardKey(.batch)] == RateCard(input: Rate(picosPerToken: 1_500_000), cachedInput: Rate(picosPerToken: 150_000),
                                                              cacheWrite5m: Rate(picosPerToken: 1_875_000), output: Rate(picosPerToken: 7_500_000)))
        // The batch 1-hour write is not listed: 6,000,000 × 1.5e-06 / 3e-06.
        #expect(sonnet.card(tier: .batch, longContext: false)?.cacheWrite1h == Rate(picosPerToken: 3_000_000))
        let haiku = try Self.entry(r, "claude-haiku-4-5")
        #expect(haiku.standard?.cacheWrite1h == Rate(picosPerToken: 2_000_000))
        #expect(haiku.cards[RateCardKey(.batch)]?.cacheWrite5m == Rate(picosPerToken: 625_000))
    }

    @Test func oneHourCacheWriteAbove200k() throws {
        let e = try Self.entry(Self.sample(), "vertex_ai/claude-sonnet-4-5")
        #expect(e.provider == "vertex_ai-anthropic_models")
        #expect(e.longContextThreshold == 200_000)
        #expect(e.cards[RateCardKey(.standard, longContext: true)] ==
            RateCard(input: Rate(picosPerToken: 6_000_000), cachedInput: Rate(picosPerToken: 600_000), cacheWrite5m: Rate(picosPerToken: 7_500_000),
                     cacheWrite1h: Rate(picosPerToken: 12_000_000), output: Rate(picosPerToken: 22_500_000)))
        #expect(e.cards[RateCardKey(.batch)]?.cacheWrite5m == Rate(picosPerToken: 1_880_000))
    }

    @Test func longContextTierCardsAbove200k() throws {
        let e = try Self.entry(Self.sample(), "gemini-2.5-pro")
        #expect(e.longContextThreshold == 200_000)
        #expect(e.cards[RateCardKey(.standard, longContext: true)] ==
            RateCard(input: Rate(picosPerToken: 2_500_000), cachedInput: Rate(picosPerToken: 250_000),
                     cacheWrite5m: Rate(picosPerToken: 250_000), output: Rate(picosPerToken: 15_000_000)))
        #expect(e.cards[RateCardKey(.batch, longContext: true)] == RateCard(input: Rate(picosPerToken: 1_250_000), output: Rate(picosPerToken: 7_500_000)))
        #expect(e.cards[RateCardKey(.priority, longContext: true)] ==
            RateCard(input: Rate(picosPerToken: 4_500_000), cachedInput: Rate(picosPerToken: 450_000), output: Rate(picosPerToken: 27_000_000)))
    }

    @Test func reasoningAudioAndSearchPrices() throws {
        let r = try Self.sample()
        let e = try Self.entry(r, "gemini/gemini-2.5-flash")
        #expect(e.provider == "gemini")
        #expect(e.standard?.reasoning == Rate(picosPerToken: 2_500_000))
        // input_cost_per_audio_token 1e-06, cache_read_input_audio_token_cost 1e-07.
        #expect(e.standard?.audioInput == Rate(picosPerToken: 1_000_000))
        #expect(e.standard?.cachedAudioInput == Rate(picosPerToken: 100_000))
        #expect(e.cards[RateCardKey(.priority)] == RateCard(input: Rate(picosPerToken: 540_000), cachedInput: Rate(picosPerToken: 54_000),
                                                            output: Rate(picosPerToken: 4_500_000),
                                                            audioInput: Rate(picosPerToken: 1_800_000),
                                                            cachedAudioInput: Rate(picosPerToken: 180_000)))
        // search_context_cost_per_query {medium: 0.035}: one grounded search is $0.035.
        #expect(e.toolFees == ["web_search": Rate(picosPerToken: 35_000_000_000)])
        #expect(r.ignoredFields["input_cost_per_audio_token"] == nil && r.ignoredFields["search_context_cost_per_query"] == nil)
        #expect((r.ignoredFields["google_maps_grounding_cost_per_query"] ?? 0) >= 1)
    }

    @Test func embeddingAndImageModels() throws {
        let r = try Self.sample()
        let embedding = try Self.entry(r, "text-embedding-3-small")
        #expect(embedding.standard == RateCard(input: Rate(picosPerToken: 20_000), output: .zero))
        // gpt-image-1: text input 5e-06, image input tokens 1e-05, image output tokens 4e-05, no text output price.
        let image = try Self.entry(r, "gpt-image-1")
        #expect(image.standard?.imageInput == Rate(picosPerToken: 10_000_000))
        #expect(image.standard?.imageOutput == Rate(picosPerToken: 40_000_000))
        #expect(image.standard?.output == .zero)
        // A 1024×1024 high-quality image is 4,160 output image tokens (OpenAI's image generation guide):
        // 4,160 × $40 per 1M = $0.1664, plus a 50-token prompt at $5 per 1M.
        var call = CallRecord(requestID: "r", timestamp: instant("2026-11-24T00:00:00Z"), model: "gpt-image-1", inputTokens: 50,
                              outputTokens: 4_160)
        var extras = CallExtras()
        extras.imageOutputTokens = 4_160
        call.extras = extras
        #expect(image.cost(of: call) == Int64(50 * 5_000_000 + 4_160 * 40_000_000))
    }

    @Test func zeroCacheWriteAndProviderPrefixedKeys() throws {
        let r = try Self.sample()
        let deepseek = try Self.entry(r, "deepseek/deepseek-chat")
        #expect(deepseek.standard == RateCard(input: Rate(picosPerToken: 280_000), cachedInput: Rate(picosPerToken: 28_000),
                                              cacheWrite5m: .zero, output: Rate(picosPerToken: 420_000)))
        let mistral = try Self.entry(r, "mistral/mistral-large-latest")
        #expect(mistral.provider == "mistral")
        #expect(mistral.standard == RateCard(input: Rate(picosPerToken: 500_000), cachedInput: Rate(picosPerToken: 50_000),
                                             output: Rate(picosPerToken: 1_500_000)))
        // A log that names the model without the prefix finds it.
        #expect(r.book.match("mistral-large-latest") == ModelMatch(model: "mistral/mistral-large-latest", kind: .providerPrefix))
    }

    @Test func theLowestOfTwoThresholdsIsImported() throws {
        let r = try Self.sample()
        let e = try Self.entry(r, "kyma/qwen3.7-flash")
        #expect(e.longContextThreshold == 32_000)
        #expect(e.cards[RateCardKey(.standard, longContext: true)] == RateCard(input: Rate(picosPerToken: 135_000), output: Rate(picosPerToken: 540_000)))
        #expect(r.ignoredFields["input_cost_per_token_above_256k_tokens"] == 1)
        #expect(r.ignoredFields["output_cost_per_token_above_256k_tokens"] == 1)
    }

    @Test func finerThanAPicodollarIsRoundedHalfToEvenAndReported() throws {
        let r = try Self.sample()
        let e = try Self.entry(r, "databricks/databricks-claude-sonnet-4-1")
        // 2.9999900000000002e-06 × 10¹² = 2,999,990.0000000002 → 2,999,990
        #expect(e.standard?.input == Rate(picosPerToken: 2_999_990))
        // 1.5000020000000002e-05 × 10¹² = 15,000,020.000000002 → 15,000,020
        #expect(e.standard?.output == Rate(picosPerToken: 15_000_020))
        #expect(r.roundedValues.map(\.field).sorted() == ["input_cost_per_token", "output_cost_per_token"])
        #expect(r.roundedValues.allSatisfy { $0.model == "databricks/databricks-claude-sonnet-4-1" })
        #expect(r.roundedValues.contains { $0.text == "2.9999900000000002e-06" })
    }
}

@Suite struct LiteLLMCatalogEdgeTests {
    static func importing(_ json: String) throws(LiteLLMCatalogError) -> LiteLLMImport {
        try LiteLLMCatalog.parse(Array(json.utf8), file: "inline.json", effectiveFrom: day("2025-01-01"), source: "inline")
    }

    @Test func cacheHitFieldStandsInForCacheRead() throws {
        let r = try Self.importing(#"{"r": {"mode": "chat", "input_cost_per_token": 5.5e-07, "output_cost_per_token": 2.19e-06, "input_cost_per_token_cache_hit": 1.4e-07}}"#)
        #expect(r.entries.first?.standard?.cachedInput == Rate(picosPerToken: 140_000))
    }

    @Test func tierCardsMissingInputOrOutputFallBack() throws {
        let r = try Self.importing("""
            {"m": {"mode": "responses", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
                   "cache_read_input_token_cost_flex": 2.5e-07,
                   "input_cost_per_token_above_200k_tokens": 4e-06, "output_cost_per_token_above_200k_tokens": 1.2e-05,
                   "input_cost_per_token_above_200k_tokens_priority": 7e-06,
                   "output_cost_per_token_priority": 1.6e-05}}
            """)
        let e = try #require(r.entries.first)
        // Flex lists only cached input: input and output are the standard ones.
        #expect(e.cards[RateCardKey(.flex)] == RateCard(input: Rate(picosPerToken: 2_000_000), cachedInput: Rate(picosPerToken: 250_000),
                                                        output: Rate(picosPerToken: 8_000_000)))
        // Priority has no input of its own: standard input, its own output.
        #expect(e.cards[RateCardKey(.priority)] == RateCard(input: Rate(picosPerToken: 2_000_000), output: Rate(picosPerToken: 16_000_000)))
        // Priority above 200K lists only input: output is what the entry charged without that card,
        // the long output 12,000,000 × priority markup 16 / 8 = 24,000,000.
        #expect(e.cards[RateCardKey(.priority, longContext: true)] ==
            RateCard(input: Rate(picosPerToken: 7_000_000), output: Rate(picosPerToken: 24_000_000)))
    }

    @Test func badPricesSkipTheModelOnly() throws {
        let r = try Self.importing("""
            {"neg": {"mode": "chat", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06},
             "text": {"mode": "chat", "input_cost_per_token": "abc", "output_cost_per_token": 1e-06},
             "bool": {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": true},
             "huge": {"mode": "chat", "input_cost_per_token": 1e300, "output_cost_per_token": 1e-06},
             "five": 5,
             "none": {"mode": "chat", "max_tokens": 10},
             "nulls": {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "cache_read_input_token_cost": null},
             "string": {"mode": "completion", "input_cost_per_token": "1e-06", "output_cost_per_token": 2e-06}}
            """)
        #expect(r.entries.map(\.model) == ["nulls", "string"])
        #expect(r.entries.first?.standard?.cachedInput == nil)
        #expect(r.entries.last?.standard?.input == Rate(picosPerToken: 1_000_000))
        let reasons = Dictionary(uniqueKeysWithValues: r.skipped.map { ($0.model, $0.reason) })
        #expect(reasons["neg"] == .invalidPrice(field: "input_cost_per_token", text: "-1e-06"))
        #expect(reasons["text"] == .invalidPrice(field: "input_cost_per_token", text: "abc"))
        #expect(reasons["bool"] == .invalidPrice(field: "output_cost_per_token", text: "true"))
        #expect(reasons["huge"] == .invalidPrice(field: "input_cost_per_token", text: "1e300"))
        #expect(reasons["five"] == .notAnObject)
        #expect(reasons["none"] == .noTokenPrices)
        #expect(r.skipCounts[.invalidPrice(field: "input_cost_per_token", text: "")] == 3)
    }

    @Test func unsupportedFieldsAreCountedNotImported() throws {
        let r = try Self.importing("""
            {"m": {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                   "cache_creation_input_token_cost_above_12hr": 3e-06, "input_cost_per_token_ultrafast": 9e-06,
                   "input_cost_per_token_above_1000k_tokens_decisions": 1e-05}}
            """)
        let e = try #require(r.entries.first)
        #expect(e.cards.count == 1)
        #expect(e.longContextThreshold == nil)
        #expect(r.ignoredFields == ["cache_creation_input_token_cost_above_12hr": 1, "input_cost_per_token_ultrafast": 1,
                                    "input_cost_per_token_above_1000k_tokens_decisions": 1])
    }

    @Test func truncatedCataloguesAreErrorsNotCrashes() throws {
        let bytes = try Array(Data(contentsOf: PricingFixtures.litellmSample))
        for n in stride(from: 0, to: bytes.count, by: 211) {
            #expect(throws: LiteLLMCatalogError.self) {
                try LiteLLMCatalog.parse(Array(bytes.prefix(n)), file: "cut.json", effectiveFrom: day("2025-01-01"), source: "x")
            }
        }
        #expect(try LiteLLMCatalog.parse(bytes, file: "whole.json", effectiveFrom: day("2025-01-01"), source: "x").entries.count == 15)
    }

    @Test func unreadableCatalogues() throws {
        do {
            _ = try Self.importing("{\n\"a\": {\n\"mode\": chat}}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.hasPrefix("not valid JSON"))
        }
        do {
            _ = try Self.importing("[1, 2]")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("object"))
        }
        do {
            _ = try LiteLLMCatalog.load(path: "/nonexistent/catalogue.json", effectiveFrom: day("2025-01-01"), source: "x")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/catalogue.json")
        }
    }
}

/// The whole catalogues of `../shared/data`, when present. Expected counts come from an independent
/// count of the same rules over the files (mode chat, completion, responses, realtime, embedding or image_generation;
/// both per-token prices present, an embedding's output and an image model's text prices taken as $0 where the
/// catalogue prices them per image).
@Suite(.enabled(if: PricingFixtures.hasSharedCatalogues, "needs ../shared/data/litellm-model-prices-*.json"))
struct LiteLLMCatalogFullFileTests {
    static func load(_ url: URL, _ version: String) throws -> LiteLLMImport {
        try LiteLLMCatalog.load(path: url.path, effectiveFrom: day("2026-11-23"), source: "litellm \(version)")
    }

    @Test func newestCatalogueCounts() throws {
        let r = try Self.load(PricingFixtures.catalogue1_109_1, "1.109.1")
        #expect(r.totalModels == 4_553)
        #expect(r.entries.count == 3_844)
        #expect(r.skipped.count == 4_553 - 3_844)
        let counts = r.skipCounts
        #expect(counts[.documentation] == 1)
        #expect(counts[.unsupportedMode("image_generation")] == nil)
        #expect(counts[.unsupportedMode("embedding")] == nil)
        #expect(counts[.unsupportedMode("audio_transcription")] == 106)
        #expect(counts[.unsupportedMode("(none)")] == 11)
        #expect(counts[.noTokenPrices] == 258)
        #expect(counts[.incompleteTokenPrices(missing: "input_cost_per_token")] == 20)
        #expect(r.entries.filter { $0.longContextThreshold != nil }.count == 291)
        #expect(r.entries.filter { $0.toolFees["web_search"] != nil }.count > 400)
        #expect(r.entries.filter { $0.perImage != nil }.count > 200)
        #expect(r.roundedValues.count == 55)
    }

    @Test func olderCatalogueCounts() throws {
        let r = try Self.load(PricingFixtures.catalogue1_80_0, "1.80.0")
        #expect(r.totalModels == 1_759)
        #expect(r.entries.count == 1_487)
        #expect(r.entries.filter { $0.longContextThreshold != nil }.count == 75)
        #expect(r.roundedValues.count == 2)
    }

    @Test func sampleOfPricesInTheNewestCatalogue() throws {
        let book = try Self.load(PricingFixtures.catalogue1_109_1, "1.109.1").book
        let on = day("2026-11-23")
        // claude-haiku-4-5: the example of FORMATS.md §3.
        #expect(book.entry(for: "claude-haiku-4-5", on: on)?.standard ==
            RateCard(input: Rate(picosPerToken: 1_000_000), cachedInput: Rate(picosPerToken: 100_000), cacheWrite5m: Rate(picosPerToken: 1_250_000),
                     cacheWrite1h: Rate(picosPerToken: 2_000_000), output: Rate(picosPerToken: 5_000_000)))
        #expect(book.entry(for: "gpt-5.4", on: on)?.longContextThreshold == 272_000)
        #expect(book.entry(for: "gemini-2.5-pro", on: on)?.cards[RateCardKey(.standard, longContext: true)]?.output == Rate(picosPerToken: 15_000_000))
        // Dated names in logs resolve in the full catalogue.
        #expect(book.match("gpt-4.1-mini-2025-04-14")?.kind == .exact)
        #expect(book.match("openai/gpt-4.1-mini")?.model == "gpt-4.1-mini")
        #expect(book.match("claude-sonnet-4-5-20250929")?.model == "claude-sonnet-4-5-20250929")
    }

    @Test func theTwoSnapshotsDisagreeOnMistralAndDeepSeek() throws {
        let old = try Self.load(PricingFixtures.catalogue1_80_0, "1.80.0").book
        let new = try Self.load(PricingFixtures.catalogue1_109_1, "1.109.1").book
        let on = day("2026-11-23")
        func std(_ book: PriceBook, _ model: String) -> RateCard? { book.entry(for: model, on: on)?.standard }
        // mistral-large-latest: $2 / $6 → $0.50 / $1.50 (cached $0.05)
        #expect(std(old, "mistral/mistral-large-latest") == RateCard(input: Rate(picosPerToken: 2_000_000), output: Rate(picosPerToken: 6_000_000)))
        #expect(std(new, "mistral/mistral-large-latest") ==
            RateCard(input: Rate(picosPerToken: 500_000), cachedInput: Rate(picosPerToken: 50_000), output: Rate(picosPerToken: 1_500_000)))
        // mistral-medium-latest: $0.40 / $2 → $1.50 / $7.50; mistral-small-latest: $0.10 / $0.30 → $0.15 / $0.60
        #expect(std(old, "mistral/mistral-medium-latest")?.input == Rate(picosPerToken: 400_000))
        #expect(std(new, "mistral/mistral-medium-latest")?.output == Rate(picosPerToken: 7_500_000))
        #expect(std(old, "mistral/mistral-small-latest")?.output == Rate(picosPerToken: 300_000))
        #expect(std(new, "mistral/mistral-small-latest")?.output == Rate(picosPerToken: 600_000))
        // deepseek-chat: $0.27 / $0.07 / $1.10 → $0.28 / $0.028 / $0.42
        #expect(std(old, "deepseek/deepseek-chat") == RateCard(input: Rate(picosPerToken: 270_000), cachedInput: Rate(picosPerToken: 70_000),
                                                               cacheWrite5m: .zero, output: Rate(picosPerToken: 1_100_000)))
        #expect(std(new, "deepseek/deepseek-chat") == RateCard(input: Rate(picosPerToken: 280_000), cachedInput: Rate(picosPerToken: 28_000),
                                                               cacheWrite5m: .zero, output: Rate(picosPerToken: 420_000)))
        // deepseek-reasoner: 1.80.0 gives its cache-hit price only as input_cost_per_token_cache_hit (1.4e-07).
        #expect(std(old, "deepseek/deepseek-reasoner") == RateCard(input: Rate(picosPerToken: 550_000), cachedInput: Rate(picosPerToken: 140_000),
                                                                   output: Rate(picosPerToken: 2_190_000)))
        #expect(std(new, "deepseek/deepseek-reasoner")?.output == Rate(picosPerToken: 420_000))
    }

    @Test func theKnownDefectOfTheOlderCatalogue() throws {
        let old = try Self.load(PricingFixtures.catalogue1_80_0, "1.80.0").book
        // claude-3-5-haiku's 1-hour cache write is listed at $6.00 per 1M (Anthropic: $1.60).
        #expect(old.entry(for: "claude-3-5-haiku-20241022", on: day("2026-11-23"))?.standard?.cacheWrite1h == Rate(picosPerToken: 6_000_000))
    }
}
