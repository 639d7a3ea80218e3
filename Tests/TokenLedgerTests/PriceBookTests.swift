import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

@Suite struct PriceBookDateTests {
    /// `m` costs $1/$2 per 1M from 2025-01-01 and $0.50/$1 from 2025-06-01.
    static let book = PriceBook(entries: [
        PriceEntry(provider: "p", model: "m", effectiveFrom: day("2025-06-01"), source: "new",
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("0.50"), output: perMillion("1"))]),
        PriceEntry(provider: "p", model: "m", effectiveFrom: day("2025-01-01"), source: "old",
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("1"), output: perMillion("2"))]),
    ])

    @Test func beforeTheFirstEntryIsUnpriced() {
        #expect(Self.book.entry(for: "m", at: instant("2024-12-31T23:59:59.999Z")) == nil)
        #expect(Self.book.entry(for: "m", at: instant("1970-01-01T00:00:00Z")) == nil)
        #expect(Self.book.entry(for: "m", on: day("2024-12-31")) == nil)
    }

    @Test func onTheEffectiveDay() {
        #expect(Self.book.entry(for: "m", at: instant("2025-01-01T00:00:00Z"))?.source == "old")
        #expect(Self.book.entry(for: "m", at: instant("2025-06-01T00:00:00Z"))?.source == "new")
        #expect(Self.book.entry(for: "m", on: day("2025-06-01"))?.source == "new")
    }

    @Test func betweenAndAfterTheEntries() {
        #expect(Self.book.entry(for: "m", at: instant("2025-03-15T08:00:00Z"))?.source == "old")
        #expect(Self.book.entry(for: "m", at: instant("2025-05-31T23:59:59.999Z"))?.source == "old")
        #expect(Self.book.entry(for: "m", at: instant("2031-01-01T00:00:00Z"))?.source == "new")
    }

    @Test func theDayIsTheUTCDay() {
        // 2025-06-01T01:00+02:00 is 2025-05-31T23:00Z: still the old price.
        #expect(Self.book.entry(for: "m", at: instant("2025-06-01T01:00:00+02:00"))?.source == "old")
    }

    @Test func historyIsRepricedWithThePriceInForceThen() {
        // The same call (1M in, 1M out) before and after the change:
        // old: 1,000,000 × 1,000,000 + 1,000,000 × 2,000,000 = 3,000,000,000,000 ($3)
        // new: 1,000,000 ×   500,000 + 1,000,000 × 1,000,000 = 1,500,000,000,000 ($1.50)
        let times = ["2025-05-30T10:00:00Z", "2025-05-31T23:59:00Z", "2025-06-01T00:01:00Z", "2025-07-01T00:00:00Z"]
        let costs = times.map { t in
            Self.book.entry(for: "m", at: instant(t))?.cost(of: call(at: t, input: 1_000_000, output: 1_000_000))
        }
        #expect(costs == [3_000_000_000_000, 3_000_000_000_000, 1_500_000_000_000, 1_500_000_000_000])
    }

    @Test func entriesAreSortedAndTheHistoryIsOldestFirst() {
        #expect(Self.book.entries.map(\.source) == ["old", "new"])
        #expect(Self.book.history(of: "m").map(\.effectiveFrom) == [day("2025-01-01"), day("2025-06-01")])
        #expect(Self.book.history(of: "unknown").isEmpty)
    }

    @Test func aLaterEntryForTheSameDayReplacesTheEarlierOne() {
        let override = PriceBook(entries: [
            PriceEntry(provider: "p", model: "m", effectiveFrom: day("2025-06-01"), source: "override",
                       cards: [RateCardKey(.standard): RateCard(input: perMillion("9"), output: perMillion("9"))]),
        ])
        let merged = Self.book.merging(override)
        #expect(merged.entries.map(\.source) == ["old", "override"])
        #expect(merged.entry(for: "m", on: day("2025-07-01"))?.source == "override")
        #expect(merged.entry(for: "m", on: day("2025-02-01"))?.source == "old")
    }

    @Test func emptyBookPricesNothing() {
        #expect(PriceBook.empty.entry(for: "m", at: instant("2025-06-01T00:00:00Z")) == nil)
        #expect(PriceBook.empty.match("m") == nil)
    }
}

@Suite struct PriceBookMatchingTests {
    static func entry(_ model: String, provider: String, aliases: [String] = []) -> PriceEntry {
        PriceEntry(provider: provider, model: model, aliases: aliases, effectiveFrom: day("2025-01-01"),
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("1"), output: perMillion("1"))])
    }

    static let book = PriceBook(entries: [
        entry("gpt-4.1-mini", provider: "openai"),
        entry("gpt-4o", provider: "openai"),
        entry("gpt-4o-2024-05-13", provider: "openai"),
        entry("claude-sonnet-4-5", provider: "anthropic", aliases: ["claude-sonnet-4-5-latest"]),
        entry("claude-4-sonnet-base", provider: "anthropic", aliases: ["claude-4-sonnet"]),
        entry("gemini/gemini-2.5-flash", provider: "gemini"),
        entry("gemini/gemini-2.5-pro", provider: "gemini"),
        entry("vertex_ai/gemini-2.5-pro", provider: "vertex_ai-language-models"),
        entry("bedrock/us-east-1/anthropic.claude-x", provider: "bedrock"),
        entry("mistral-large", provider: "mistral"),
    ])

    static func expectMatch(_ name: String, _ model: String?, _ kind: ModelMatch.Kind?,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let m = book.match(name)
        #expect(m?.model == model, "\(name)", sourceLocation: sourceLocation)
        #expect(m?.kind == kind, "\(name)", sourceLocation: sourceLocation)
        // A resolver agrees with the book, on the first lookup and from its memo.
        var resolver = PriceBook.Resolver(book)
        #expect(resolver.match(name) == m, sourceLocation: sourceLocation)
        #expect(resolver.match(name) == m, sourceLocation: sourceLocation)
        let t = instant("2025-06-01T00:00:00Z")
        #expect(resolver.entry(for: name, at: t)?.model == model, sourceLocation: sourceLocation)
        #expect(book.entry(for: name, at: t)?.model == model, sourceLocation: sourceLocation)
    }

    @Test func exactNameAndAlias() {
        Self.expectMatch("gpt-4.1-mini", "gpt-4.1-mini", .exact)
        Self.expectMatch("claude-sonnet-4-5-latest", "claude-sonnet-4-5", .alias)
    }

    @Test func namesAreTrimmedAndCaseInsensitive() {
        Self.expectMatch("  GPT-4.1-Mini\n", "gpt-4.1-mini", .exact)
        Self.expectMatch("Claude-Sonnet-4-5-LATEST", "claude-sonnet-4-5", .alias)
        Self.expectMatch("   ", nil, nil)
    }

    @Test func providerPrefixInTheLog() {
        Self.expectMatch("openai/gpt-4.1-mini", "gpt-4.1-mini", .providerPrefix)
        Self.expectMatch("openrouter/openai/gpt-4.1-mini", "gpt-4.1-mini", .providerPrefix)
        Self.expectMatch("anthropic/claude-sonnet-4-5-latest", "claude-sonnet-4-5", .providerPrefix)
    }

    @Test func providerPrefixInTheBook() {
        Self.expectMatch("gemini-2.5-flash", "gemini/gemini-2.5-flash", .providerPrefix)
        // Another provider's prefix in the log: removed, then the book's prefixed key matches.
        Self.expectMatch("vertex_ai/gemini-2.5-flash", "gemini/gemini-2.5-flash", .providerPrefix)
        // The book's own prefixed key is exact.
        Self.expectMatch("vertex_ai/gemini-2.5-pro", "vertex_ai/gemini-2.5-pro", .exact)
    }

    @Test func onlyKnownProvidersAreRemoved() {
        Self.expectMatch("mycorp/gpt-4.1-mini", nil, nil)
        // bedrock is a provider, the region is not: the bare model id does not match.
        Self.expectMatch("anthropic.claude-x", nil, nil)
        Self.expectMatch("us-east-1/anthropic.claude-x", "bedrock/us-east-1/anthropic.claude-x", .providerPrefix)
    }

    @Test func ambiguousNamesMatchNothing() {
        // Two books keys lose their prefix to the same name.
        Self.expectMatch("gemini-2.5-pro", nil, nil)
        #expect(Self.book.ambiguousNames.contains("gemini-2.5-pro"))
    }

    @Test func datedSnapshots() {
        Self.expectMatch("claude-sonnet-4-5-20250929", "claude-sonnet-4-5", .snapshot)
        Self.expectMatch("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini", .snapshot)
        Self.expectMatch("claude-sonnet-4-5@20250929", "claude-sonnet-4-5", .snapshot)
        // The snapshot of an alias.
        Self.expectMatch("claude-4-sonnet-20250514", "claude-4-sonnet-base", .snapshot)
    }

    @Test func datedSnapshotsWithAProviderPrefix() {
        Self.expectMatch("vertex_ai/claude-sonnet-4-5@20250929", "claude-sonnet-4-5", .snapshot)
        Self.expectMatch("openai/gpt-4.1-mini-2025-04-14", "gpt-4.1-mini", .snapshot)
        Self.expectMatch("gemini-2.5-flash-20250617", "gemini/gemini-2.5-flash", .snapshot)
    }

    @Test func anEntryForTheSnapshotWinsOverItsBase() {
        Self.expectMatch("gpt-4o-2024-05-13", "gpt-4o-2024-05-13", .exact)
        Self.expectMatch("gpt-4o-2024-08-06", "gpt-4o", .snapshot)
        Self.expectMatch("openai/gpt-4o-2024-05-13", "gpt-4o-2024-05-13", .providerPrefix)
    }

    @Test func versionNumbersAndImpossibleDatesAreNotSnapshots() {
        Self.expectMatch("mistral-large-2411", nil, nil)
        Self.expectMatch("gpt-4o-0513", nil, nil)
        Self.expectMatch("gpt-4o-2024-13-45", nil, nil)
        Self.expectMatch("claude-sonnet-4-5-20250230", nil, nil)
        Self.expectMatch("-20250929", nil, nil)
    }

    @Test func unknownModel() {
        Self.expectMatch("llama-3.1-70b", nil, nil)
        Self.expectMatch("", nil, nil)
    }

    @Test func aKeyWinsOverAnotherModelsAlias() {
        let book = PriceBook(entries: [
            Self.entry("a", provider: "p", aliases: ["b"]),
            Self.entry("b", provider: "p"),
            Self.entry("c", provider: "p", aliases: ["shared"]),
            Self.entry("d", provider: "p", aliases: ["shared"]),
        ])
        #expect(book.match("b") == ModelMatch(model: "b", kind: .exact))
        #expect(book.match("shared") == nil)
        #expect(book.ambiguousNames == ["shared"])
    }

    @Test func resolverKeepsWorkingPastItsMemoLimit() {
        var resolver = PriceBook.Resolver(Self.book)
        for i in 0...PriceBook.Resolver.memoLimit { _ = resolver.match("unknown-\(i)") }
        #expect(resolver.match("openai/gpt-4.1-mini") == ModelMatch(model: "gpt-4.1-mini", kind: .providerPrefix))
    }
}
