import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Expected values are METHODS.md §B's worked examples and scipy's documented test vector.
@Suite struct StatisticsTests {
    @Test func exactBinomialTailMatchesScipy() {
        // scipy: binom_test(3, 15, 0.1, 'greater') = 0.18406106910639114
        #expect(abs(Statistics.binomialUpperTail(3, 15, 0.1) - 0.18406106910639114) < 1e-12)
    }

    @Test func nineOfAHundredAndTwentyIsSignificantAtFivePercentOnly() {
        // 11 of 120 against p0 = 0.05: p = 0.038450, significant at 5%, not at 1%.
        let p11 = Statistics.binomialUpperTail(11, 120, 0.05)
        #expect(abs(p11 - 0.038450) < 5e-7)
        #expect(p11 < 0.05 && p11 > 0.01)
        // 10 of 120: p = 0.078630, not significant.
        #expect(abs(Statistics.binomialUpperTail(10, 120, 0.05) - 0.078630) < 5e-7)
        // Critical counts: 11 at α = .05, 13 at α = .01.
        #expect(Statistics.binomialUpperTail(10, 120, 0.05) >= 0.05)
        #expect(Statistics.binomialUpperTail(12, 120, 0.05) >= 0.01)
        #expect(Statistics.binomialUpperTail(13, 120, 0.05) < 0.01)
        // The same 9% at n = 1200 (108 of 1200): p ≈ 5.7e−9.
        let big = Statistics.binomialUpperTail(108, 1200, 0.05)
        #expect(big > 5.0e-9 && big < 6.5e-9)
    }

    @Test func wilsonLowerBoundOfTheWorkedExample() {
        // 11/120, one-sided z = 1.645: lower bound 0.056887 > 0.05.
        #expect(abs(Statistics.wilsonLowerBound(11, 120) - 0.056887) < 5e-6)
    }

    @Test func benjaminiHochbergAdjustsByRank() {
        let q = Statistics.benjaminiHochberg([0.01, 0.04, 0.03, 0.5])
        // Sorted: 0.01 (×4/1 = 0.04), 0.03 (×4/2 = 0.06), 0.04 (×4/3 = 0.0533), 0.5 (×1): monotone from the top.
        #expect(abs(q[0] - 0.04) < 1e-12)
        #expect(abs(q[2] - 0.0533333333) < 1e-9)
        #expect(abs(q[1] - 0.0533333333) < 1e-9)
        #expect(q[3] == 0.5)
    }

    @Test func studentTOfTheTokenExample() {
        // n = 120, mean 620, s = 300, budget 500 with 10% tolerance: t = 2.556, p = 0.0059.
        let t = (620.0 - 500 * 1.1) / (300 / Double(120).squareRoot())
        #expect(abs(t - 2.556) < 5e-4)
        #expect(abs(Statistics.studentTUpperTail(t, df: 119) - 0.0059) < 5e-5)
        #expect(abs(Statistics.studentTUpperTail(0, df: 10) - 0.5) < 1e-12)
    }

    @Test func modifiedZScoreOfTheAnomalyExample() {
        let history: [Double] = [10, 11, 9, 10, 12, 10, 11]
        #expect(Statistics.median(history) == 10)
        #expect(Statistics.mad(history) == 1)
        #expect(abs(Statistics.modifiedZ(18, history: history) - 5.396) < 1e-3)
        #expect(abs(Statistics.modifiedZ(13, history: history) - 2.0235) < 1e-3)
        // MAD 0: the mean absolute deviation stands in.
        #expect(Statistics.modifiedZ(20, history: [10, 10, 10, 10, 11]) > 3.5)
    }

    @Test func dayOfWeekForecastOfTheBurnExample() {
        // Cap $3,000, a 30-day month starting on a Monday, $1,150 spent by day 10; weekday weight 1.2, weekend 0.5.
        let weights: [Double] = [1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5]
        let spentPerDay = 1150.0 / 10
        let linear = BurnForecast.make(dailySpend: Array(repeating: spentPerDay, count: 10), firstWeekday: 1,
                                       daysInMonth: 30, weights: nil, cap: 3000)
        #expect(abs(linear.forecast - 3450) < 1e-9)
        #expect(abs(linear.capDay! - 26.087) < 1e-3)
        let weighted = BurnForecast.make(dailySpend: Array(repeating: spentPerDay, count: 10), firstWeekday: 1,
                                         daysInMonth: 30, weights: weights, cap: 3000)
        // Σw elapsed 10.6, remaining 19.8; base 108.4906; F = 3298.11.
        #expect(abs(weighted.forecast - 3298.113) < 1e-2)
    }

    @Test func weekdayWeightsAddUpToSeven() throws {
        var history: [(weekday: Int, spend: Double)] = []
        for week in 0..<4 { for g in 1...7 { history.append((g, g <= 5 ? 120 + Double(week) : 50)) } }
        let w = try #require(BurnForecast.weekdayWeights(history: history))
        #expect(abs(w.reduce(0, +) - 7) < 1e-9)
        #expect(w[0] > w[6])
    }
}
