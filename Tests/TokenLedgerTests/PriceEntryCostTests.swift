import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// The cost of one call, with expected values worked out by hand. Rates are picodollars per token:
/// $3 per 1M tokens = 3,000,000 pico/token, so N tokens at $3/1M cost N × 3,000,000 pico.
@Suite struct PriceEntryCostTests {
    /// A Sonnet-like price: standard {in 3, read 0.30, write5m 3.75, write1h 6, out 15}; batch lists only
    /// {in 1.50, out 7.50}; flex {in 1.50, read 0.15, out 7.50}; priority {in 6, out 30}; above 200,000
    /// input tokens {in 6, read 0.60, write5m 7.50, out 22.50}.
    static let entry = PriceEntry(
        provider: "test", model: "m", effectiveFrom: day("2025-01-01"), source: "test",
        cards: [
            RateCardKey(.standard): RateCard(input: perMillion("3"), cachedInput: perMillion("0.30"),
                                             cacheWrite5m: perMillion("3.75"), cacheWrite1h: perMillion("6"),
                                             output: perMillion("15")),
            RateCardKey(.batch): RateCard(input: perMillion("1.50"), output: perMillion("7.50")),
            RateCardKey(.flex): RateCard(input: perMillion("1.50"), cachedInput: perMillion("0.15"), output: perMillion("7.50")),
            RateCardKey(.priority): RateCard(input: perMillion("6"), output: perMillion("30")),
            RateCardKey(.standard, longContext: true): RateCard(input: perMillion("6"), cachedInput: perMillion("0.60"),
                                                                cacheWrite5m: perMillion("7.50"), output: perMillion("22.50")),
        ],
        longContextThreshold: 200_000)

    @Test func plainCall() {
        // 1,000 in × 3,000,000 + 500 out × 15,000,000 = 3,000,000,000 + 7,500,000,000
        #expect(Self.entry.cost(of: call(input: 1_000, output: 500)) == 10_500_000_000)
    }

    @Test func cachedReadsAreBilledAtTheReadRate() {
        // uncached 2,000 × 3,000,000 = 6,000,000,000
        // cached   8,000 ×   300,000 = 2,400,000,000
        // output     100 × 15,000,000 = 1,500,000,000
        #expect(Self.entry.cost(of: call(input: 10_000, output: 100, cached: 8_000)) == 9_900_000_000)
    }

    @Test func fiveMinuteAndOneHourCacheWrites() {
        // uncached 10,000 − 1,000 − 4,000 − 2,000 = 3,000 × 3,000,000 = 9,000,000,000
        // cached   1,000 × 300,000   =    300,000,000
        // write5m  4,000 × 3,750,000 = 15,000,000,000
        // write1h  2,000 × 6,000,000 = 12,000,000,000
        let c = call(input: 10_000, output: 0, cached: 1_000, write5m: 4_000, write1h: 2_000)
        #expect(Self.entry.cost(of: c) == 36_300_000_000)
    }

    @Test func batchCardWithoutCachePricesGetsScaledStandardOnes() {
        // The batch card halves input (1.50 / 3), so read = 0.30 / 2 = 0.15, write5m = 3.75 / 2 = 1.875,
        // write1h = 6 / 2 = 3.
        let card = Self.entry.card(tier: .batch, longContext: false)
        #expect(card?.cachedInput == perMillion("0.15"))
        #expect(card?.cacheWrite5m == perMillion("1.875"))
        #expect(card?.cacheWrite1h == perMillion("3"))
        // uncached 10,000 − 4,000 − 1,000 = 5,000 × 1,500,000 = 7,500,000,000
        // cached   4,000 × 150,000   =    600,000,000
        // write5m  1,000 × 1,875,000 =  1,875,000,000
        // output   2,000 × 7,500,000 = 15,000,000,000
        let c = call(input: 10_000, output: 2_000, cached: 4_000, write5m: 1_000, batch: true)
        #expect(Self.entry.cost(of: c) == 24_975_000_000)
    }

    @Test func flexAndPriorityTiers() {
        // Flex: 500 × 1,500,000 + 500 × 150,000 + 100 × 7,500,000 = 750,000,000 + 75,000,000 + 750,000,000
        #expect(Self.entry.cost(of: call(input: 1_000, output: 100, cached: 500, tier: .flex)) == 1_575_000_000)
        // Priority lists no read rate: 0.30 × 6 / 3 = 0.60.
        // 500 × 6,000,000 + 500 × 600,000 + 100 × 30,000,000 = 3,000,000,000 + 300,000,000 + 3,000,000,000
        #expect(Self.entry.cost(of: call(input: 1_000, output: 100, cached: 500, tier: .priority)) == 6_300_000_000)
        // Batch wins over the service tier: 1,000 × 1,500,000 + 100 × 7,500,000
        #expect(Self.entry.cost(of: call(input: 1_000, output: 100, batch: true, tier: .priority)) == 2_250_000_000)
    }

    @Test func tierWithoutACardIsBilledAtStandard() {
        let noTiers = PriceEntry(provider: "t", model: "m", effectiveFrom: day("2025-01-01"),
                                 cards: [RateCardKey(.standard): RateCard(input: perMillion("2"), output: perMillion("8"))])
        // 1,000 × 2,000,000 + 1,000 × 8,000,000, whatever the tier.
        for c in [call(input: 1_000, output: 1_000, batch: true), call(input: 1_000, output: 1_000, tier: .flex)] {
            #expect(noTiers.cost(of: c) == 10_000_000_000)
        }
    }

    @Test func longContextAtAndJustAboveTheThreshold() {
        // Exactly 200,000 input tokens is not above the threshold:
        // 200,000 × 3,000,000 + 1,000 × 15,000,000 = 600,000,000,000 + 15,000,000,000
        #expect(Self.entry.cost(of: call(input: 200_000, output: 1_000)) == 615_000_000_000)
        // 200,001: the whole call at long-context rates, output too:
        // 200,001 × 6,000,000 + 1,000 × 22,500,000 = 1,200,006,000,000 + 22,500,000,000
        #expect(Self.entry.cost(of: call(input: 200_001, output: 1_000)) == 1_222_506_000_000)
    }

    @Test func cachedTokensCountTowardTheThreshold() {
        // 200,001 input of which 150,000 cached: long context.
        // uncached 50,001 × 6,000,000 = 300,006,000,000
        // cached  150,000 ×   600,000 =  90,000,000,000
        // output    1,000 × 22,500,000 = 22,500,000,000
        #expect(Self.entry.cost(of: call(input: 200_001, output: 1_000, cached: 150_000)) == 412_506_000_000)
        // The long card lacks a 1-hour write rate: 6 × (6 / 3) = 12 per 1M.
        #expect(Self.entry.card(tier: .standard, longContext: true)?.cacheWrite1h == perMillion("12"))
    }

    @Test func batchAtLongContextScalesTheLongCard() {
        // No batch long-context card: the standard long card at the batch discount (1.50 / 3, 7.50 / 15):
        // input 6 / 2 = 3, output 22.50 / 2 = 11.25.
        // 300,000 × 3,000,000 + 1,000 × 11,250,000 = 900,000,000,000 + 11,250,000,000
        #expect(Self.entry.cost(of: call(input: 300_000, output: 1_000, batch: true)) == 911_250_000_000)
    }

    @Test func reasoningPricedApartFromOutput() {
        let reasoner = PriceEntry(
            provider: "t", model: "r", effectiveFrom: day("2025-01-01"),
            cards: [RateCardKey(.standard): RateCard(input: perMillion("1"), output: perMillion("4"), reasoning: perMillion("3.50")),
                    RateCardKey(.batch): RateCard(input: perMillion("0.50"), output: perMillion("2"))])
        // 400 visible × 4,000,000 + 600 reasoning × 3,500,000 = 1,600,000,000 + 2,100,000,000
        #expect(reasoner.cost(of: call(input: 0, output: 1_000, reasoning: 600)) == 3_700_000_000)
        // Batch reasoning: 3.50 × (2 / 4) = 1.75. 400 × 2,000,000 + 600 × 1,750,000 = 800,000,000 + 1,050,000,000
        #expect(reasoner.cost(of: call(input: 0, output: 1_000, reasoning: 600, batch: true)) == 1_850_000_000)
        // Without a reasoning rate, reasoning is output: 1,000 × 15,000,000.
        #expect(Self.entry.cost(of: call(input: 0, output: 1_000, reasoning: 600)) == 15_000_000_000)
    }

    @Test func contradictoryTokenCountsHaveNoPrice() {
        #expect(Self.entry.cost(of: call(input: 100, output: 10, cached: 101)) == nil)
        #expect(Self.entry.cost(of: call(input: 100, output: 10, cached: 50, write5m: 30, write1h: 30)) == nil)
        #expect(Self.entry.cost(of: call(input: 100, output: 10, reasoning: 11)) == nil)
        #expect(Self.entry.cost(of: call(input: -1, output: 10)) == nil)
    }

    @Test func overflowHasNoPrice() {
        // 4 × 10¹² tokens × 3,000,000 pico > Int64.max (≈ 9.22 × 10¹⁸).
        #expect(Self.entry.cost(of: call(input: 4_000_000_000_000, output: 0)) == nil)
    }

    @Test func entryWithoutStandardCardHasNoPrice() {
        let e = PriceEntry(provider: "t", model: "x", effectiveFrom: day("2025-01-01"),
                           cards: [RateCardKey(.batch): RateCard(input: perMillion("1"), output: perMillion("2"))])
        #expect(e.card(tier: .batch, longContext: false) == nil)
        #expect(e.cost(of: call(input: 1, output: 1)) == nil)
    }

    @Test func cardsSortStandardFirstAndShortBeforeLong() {
        let keys = [RateCardKey(.priority, longContext: true), RateCardKey(.batch), RateCardKey(.standard, longContext: true),
                    RateCardKey(.standard)]
        #expect(keys.sorted() == [RateCardKey(.standard), RateCardKey(.standard, longContext: true), RateCardKey(.batch),
                                  RateCardKey(.priority, longContext: true)])
    }
}
