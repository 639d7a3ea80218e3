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

@Suite struct PriceBookFileTests {
    static let sample = """
        currency: USD
        prices:
          - model: claude-sonnet-4-5
            provider: anthropic
            aliases: [claude-sonnet-4-5-latest]
            effective_from: 2025-09-29
            source: https://platform.claude.com/docs/en/about-claude/pricing
            per_million_tokens: {input: 3, cached_input: 0.30, cache_write_5m: 3.75, cache_write_1h: 6, output: 15}
            batch: {input: 1.50, output: 7.50}
            long_context:
              above_input_tokens: 200_000
              input: 6
              cached_input: 0.60
              output: 22.50
              batch: {input: 3, output: 11.25}
          - model: gpt-5
            provider: openai
            per_million_tokens: {input: "1.25", cached_input: 0.125, output: 10, reasoning: 10}
            flex: {input: 0.625, output: 5}
            priority: {input: 2.50, output: 20}

        """

    @Test func readsEveryField() throws {
        let file = try PriceBookFile.parse(text: Self.sample, path: "prices.yaml", defaultEffectiveFrom: day("2025-08-07"))
        #expect(file.currency == "USD")
        #expect(file.entries.count == 2)
        let sonnet = file.entries[0]
        #expect(sonnet.model == "claude-sonnet-4-5")
        #expect(sonnet.provider == "anthropic")
        #expect(sonnet.aliases == ["claude-sonnet-4-5-latest"])
        #expect(sonnet.effectiveFrom == day("2025-09-29"))
        #expect(sonnet.source == "https://platform.claude.com/docs/en/about-claude/pricing")
        #expect(sonnet.longContextThreshold == 200_000)
        // $3.75 per 1M = 3,750,000 pico per token.
        #expect(sonnet.standard?.cacheWrite5m?.picosPerToken == 3_750_000)
        #expect(sonnet.standard?.cacheWrite1h?.picosPerToken == 6_000_000)
        #expect(sonnet.cards[RateCardKey(.batch)] == RateCard(input: Rate(picosPerToken: 1_500_000), output: Rate(picosPerToken: 7_500_000)))
        #expect(sonnet.cards[RateCardKey(.standard, longContext: true)]?.output.picosPerToken == 22_500_000)
        #expect(sonnet.cards[RateCardKey(.batch, longContext: true)]?.output.picosPerToken == 11_250_000)
        let gpt5 = file.entries[1]
        // No effective_from: the default applies. No source: the file.
        #expect(gpt5.effectiveFrom == day("2025-08-07"))
        #expect(gpt5.source == "prices.yaml")
        // A quoted number is read from its text too.
        #expect(gpt5.standard?.input.picosPerToken == 1_250_000)
        #expect(gpt5.standard?.reasoning?.picosPerToken == 10_000_000)
        #expect(gpt5.cards[RateCardKey(.flex)]?.input.picosPerToken == 625_000)
        #expect(gpt5.longContextThreshold == nil)
    }

    /// Entries that use every feature of the format, including names that need quoting.
    static let roundTripEntries: [PriceEntry] = [
        PriceEntry(provider: "anthropic", model: "claude-sonnet-4-5", aliases: ["claude-sonnet-4-5-latest", "sonnet"],
                   effectiveFrom: day("2025-09-29"), source: "https://platform.claude.com/docs/en/about-claude/pricing",
                   cards: [
                       RateCardKey(.standard): RateCard(input: perMillion("3"), cachedInput: perMillion("0.3"), cacheWrite5m: perMillion("3.75"),
                                                        cacheWrite1h: perMillion("6"), output: perMillion("15"), reasoning: perMillion("15")),
                       RateCardKey(.batch): RateCard(input: perMillion("1.5"), cachedInput: perMillion("0.15"), output: perMillion("7.5")),
                       RateCardKey(.flex): RateCard(input: perMillion("1.5"), output: perMillion("7.5")),
                       RateCardKey(.priority): RateCard(input: perMillion("6"), cacheWrite1h: perMillion("12"), output: perMillion("30")),
                       RateCardKey(.standard, longContext: true): RateCard(input: perMillion("6"), cachedInput: perMillion("0.6"),
                                                                           cacheWrite5m: perMillion("7.5"), output: perMillion("22.5")),
                       RateCardKey(.batch, longContext: true): RateCard(input: perMillion("3"), output: perMillion("11.25")),
                       RateCardKey(.flex, longContext: true): RateCard(input: perMillion("3"), output: perMillion("11.25")),
                       RateCardKey(.priority, longContext: true): RateCard(input: perMillion("12"), output: perMillion("45")),
                   ],
                   longContextThreshold: 200_000),
        PriceEntry(provider: "bedrock", model: "us.anthropic.claude-x-v1:0", aliases: ["yes", "1.5", "a: b", "#hash", "tab\there", "quote\"d"],
                   effectiveFrom: day("2024-02-29"), source: "litellm 1.109.1 # not a comment",
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("0.000001"), output: perMillion("123456.789012"))]),
        PriceEntry(provider: "free", model: "zero", effectiveFrom: day("1999-12-31"), source: "s",
                   cards: [RateCardKey(.standard): RateCard(input: .zero, output: .zero)]),
    ]

    @Test func writeThenReadGivesEqualEntries() throws {
        let text = PriceBookFile(entries: Self.roundTripEntries).yamlText()
        let back = try PriceBookFile.parse(text: text, path: "round-trip.yaml")
        #expect(back.entries == Self.roundTripEntries)
        // Writing is deterministic.
        #expect(back.yamlText() == text)
    }

    @Test func theWrittenFormIsReadable() {
        let text = PriceBookFile(entries: [Self.roundTripEntries[0]]).yamlText()
        #expect(text.contains("  - model: claude-sonnet-4-5\n"))
        #expect(text.contains("    effective_from: 2025-09-29\n"))
        #expect(text.contains("    per_million_tokens: {input: 3.00, cached_input: 0.30, cache_write_5m: 3.75, cache_write_1h: 6.00, output: 15.00, reasoning: 15.00}\n"))
        #expect(text.contains("      above_input_tokens: 200000\n"))
        #expect(PriceBookFile(entries: []).yamlText().hasSuffix("prices: []\n"))
    }

    @Test func emptyListParses() throws {
        #expect(try PriceBookFile.parse(text: "currency: USD\nprices: []\n", path: "p.yaml").entries.isEmpty)
    }

    // MARK: Errors

    static func error(_ text: String, defaultEffectiveFrom: CivilDate? = nil) -> PriceBookFileError? {
        do {
            _ = try PriceBookFile.parse(text: text, path: "prices.yaml", defaultEffectiveFrom: defaultEffectiveFrom)
            return nil
        } catch {
            return error
        }
    }

    static let header = "currency: USD\nprices:\n"
    static let good = "  - model: a\n    provider: p\n    effective_from: 2025-01-01\n    per_million_tokens: {input: 1, output: 2}\n"

    @Test func notANumberNamesLineAndKey() throws {
        let text = Self.header + Self.good + """
              - model: b
                provider: p
                effective_from: 2025-01-01
                per_million_tokens: {input: 1, output: abc}

            """
        let e = try #require(Self.error(text))
        #expect(e.file == "prices.yaml")
        #expect(e.line == 10)
        #expect(e.key == "prices[1].per_million_tokens.output")
        #expect(e.description == #"prices.yaml:10: prices[1].per_million_tokens.output: expected a non-negative number of dollars per 1M tokens, got "abc""#)
    }

    @Test func negativeAndTooPreciseNumbers() throws {
        let negative = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: "input: 1,", with: "input: -1,")))
        #expect(negative.line == 6)
        #expect(negative.key == "prices[0].per_million_tokens.input")
        #expect(negative.message.contains("non-negative"))

        let fine = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: "output: 2", with: "output: 0.0000005")))
        #expect(fine.key == "prices[0].per_million_tokens.output")
        #expect(fine.message.contains("finer than one picodollar per token"))

        let special = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: "output: 2", with: "output: .nan")))
        #expect(special.key == "prices[0].per_million_tokens.output")
    }

    @Test func missingEffectiveDateWithoutDefault() throws {
        let text = Self.header + Self.good.replacingOccurrences(of: "    effective_from: 2025-01-01\n", with: "")
        let e = try #require(Self.error(text))
        #expect(e.line == 3)
        #expect(e.key == "prices[0]")
        #expect(e.message.contains("effective_from"))
        let withDefault = try PriceBookFile.parse(text: text, path: "prices.yaml", defaultEffectiveFrom: day("2026-01-01"))
        #expect(withDefault.entries.first?.effectiveFrom == day("2026-01-01"))
    }

    @Test func unknownKeyIsATypo() throws {
        let e = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: "output: 2", with: "ouput: 2")))
        #expect(e.line == 6)
        #expect(e.key == "prices[0].per_million_tokens.ouput")
        #expect(e.message.contains("unknown key"))
        let top = try #require(Self.error("currency: USD\nprice: []\n"))
        #expect(top.line == 2)
        #expect(top.key == "price")
    }

    @Test func missingRequiredKeys() throws {
        let noCard = try #require(Self.error(Self.header + "  - model: a\n    provider: p\n    effective_from: 2025-01-01\n"))
        #expect(noCard.key == "prices[0]")
        #expect(noCard.message.contains("per_million_tokens"))
        let noOutput = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: ", output: 2", with: "")))
        #expect(noOutput.key == "prices[0].per_million_tokens")
        #expect(noOutput.message.contains("`output`"))
        let noModel = try #require(Self.error(Self.header + "  - model:\n    provider: p\n    effective_from: 2025-01-01\n    per_million_tokens: {input: 1, output: 2}\n"))
        #expect(noModel.line == 3)
        #expect(noModel.key == "prices[0].model")
        let noThreshold = try #require(Self.error(Self.header + Self.good + "    long_context: {input: 2, output: 4}\n"))
        #expect(noThreshold.line == 7)
        #expect(noThreshold.message.contains("above_input_tokens"))
        let badThreshold = try #require(Self.error(Self.header + Self.good + "    long_context: {above_input_tokens: 0, input: 2, output: 4}\n"))
        #expect(badThreshold.key == "prices[0].long_context.above_input_tokens")
    }

    @Test func invalidDate() throws {
        let e = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: "2025-01-01", with: "2025-02-30")))
        #expect(e.line == 5)
        #expect(e.key == "prices[0].effective_from")
        #expect(e.message == #"expected a UTC day as YYYY-MM-DD, got "2025-02-30""#)
    }

    @Test func wrongShapes() throws {
        let notList = try #require(Self.error("currency: USD\nprices: {a: 1}\n"))
        #expect(notList.key == "prices")
        #expect(notList.line == 2)
        let notMapping = try #require(Self.error(Self.header + "  - just a string\n"))
        #expect(notMapping.key == "prices[0]")
        let aliasesNotList = try #require(Self.error(Self.header + Self.good + "    aliases: b\n"))
        #expect(aliasesNotList.key == "prices[0].aliases")
        let empty = try #require(Self.error(""))
        #expect(empty.message.contains("empty"))
        let euro = try #require(Self.error("currency: EUR\nprices: []\n"))
        #expect(euro.key == "currency")
        #expect(euro.message.contains("USD"))
    }

    @Test func yamlSyntaxErrorsHaveALine() throws {
        let unclosed = try #require(Self.error(Self.header + Self.good.replacingOccurrences(of: "output: 2}", with: "output: 2")))
        #expect(unclosed.line != nil)
        #expect(unclosed.message.hasPrefix("invalid YAML"))
        let duplicateKey = try #require(Self.error(Self.header + Self.good + "    provider: q\n"))
        #expect(duplicateKey.message.contains("provider"))
        #expect(duplicateKey.line != nil)
    }

    @Test func duplicateEntriesAndConflictingNames() throws {
        let twice = try #require(Self.error(Self.header + Self.good + Self.good))
        #expect(twice.line == 7)
        #expect(twice.key == "prices[1]")
        #expect(twice.message.contains("2025-01-01"))
        #expect(twice.message.contains("line 3"))

        let second = Self.good.replacingOccurrences(of: "model: a", with: "model: b").replacingOccurrences(of: "    provider: p\n", with: "    provider: p\n    aliases: [a]\n")
        let aliasIsModel = try #require(Self.error(Self.header + Self.good + second))
        #expect(aliasIsModel.key == "prices[1].aliases")
        #expect(aliasIsModel.message.contains("`a`"))

        let caseTwin = try #require(Self.error(Self.header + Self.good + Self.good.replacingOccurrences(of: "model: a", with: "model: A")))
        #expect(caseTwin.key == "prices[1].model")
    }

    @Test func anyTruncationOrGarbageIsAnErrorNotACrash() {
        // Every prefix of a valid file, and some texts that are not price books at all: each parses or
        // throws a located error.
        var texts = (0...Self.sample.count).map { String(Self.sample.prefix($0)) }
        texts += ["\u{0}", "prices: [", "- - -", "{{{{", "currency: [USD]", "prices: [{model: [a]}]", ":\n  :", "&a [*a]",
                  "prices:\n  - model: a\n    provider: p\n    effective_from: 2025-01-01\n    per_million_tokens: {input: 1e999999, output: 1}\n",
                  "prices: " + String(repeating: "[", count: 5_000)]
        for text in texts {
            do {
                _ = try PriceBookFile.parse(text: text, path: "t.yaml", defaultEffectiveFrom: day("2025-01-01"))
            } catch {
                #expect(error.file == "t.yaml")
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func loadReportsAMissingFile() throws {
        do {
            _ = try PriceBookFile.load(path: "/nonexistent/prices.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/prices.yaml")
            #expect(error.message.contains("cannot read"))
        }
    }
}
