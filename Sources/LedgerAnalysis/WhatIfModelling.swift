import Foundation
import LedgerPricing
import LedgerValues

/// The three estimates of a modelled quantity: every uncertain input at its low end, its best value,
/// its high end. Exact quantities have `low == base == high`.
public struct WhatIfBand: Sendable, Equatable, Hashable {
    public var low: Double
    public var base: Double
    public var high: Double

    public init(low: Double, base: Double, high: Double) {
        self.low = low
        self.base = base
        self.high = high
    }

    public static func exactly(_ v: Double) -> WhatIfBand { WhatIfBand(low: v, base: v, high: v) }

    /// The value for band index 0 (low), 1 (base) or 2 (high).
    public subscript(_ i: Int) -> Double { i == 0 ? low : (i == 1 ? base : high) }
}

/// A non-negative ratio of integers that scales modelled money without floating point: an observed rate
/// is exactly `events / actions`; a rate from a budget or a measured band is held in parts per million.
public struct WhatIfRatio: Sendable, Equatable, Hashable {
    public var numerator: Int64
    public var denominator: Int64

    /// `numerator / denominator`; a zero or negative denominator gives zero, a negative numerator zero.
    public init(_ numerator: Int64, _ denominator: Int64) {
        if denominator <= 0 || numerator <= 0 {
            self.numerator = 0
            self.denominator = 1
        } else {
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    /// A measured number, rounded to parts per million (non-finite or negative values give zero; values
    /// above a million are capped there).
    public init(approximately v: Double) {
        guard v.isFinite, v > 0 else { self.init(0, 1); return }
        self.init(Int64((min(v, 1e6) * 1e6).rounded()), 1_000_000)
    }

    public static let zero = WhatIfRatio(0, 1)
    public static let one = WhatIfRatio(1, 1)

    public var value: Double { Double(numerator) / Double(denominator) }

    /// `amount × ratio`, rounded half to even to the picodollar.
    public func scale(_ amount: Money) -> Money {
        let n = amount.picos * Int128(numerator)
        let d = Int128(denominator)
        var q = n / d
        let r = n % d
        let twice = (r < 0 ? -r : r) * 2
        if twice > d || (twice == d && q % 2 != 0) { q += n < 0 ? -1 : 1 }
        return Money(picos: q)
    }
}

/// The tokenizer families the ratio table tells apart.
public enum WhatIfVendor: String, Sendable, CaseIterable {
    case openai, anthropic, google, other

    /// The family of a model: by its name (`gpt-`, `o1`–`o4`, `claude`, `gemini`, `gemma`), else by the
    /// provider of its price-book entry.
    public static func of(model: String, provider: String?) -> WhatIfVendor {
        let m = model.lowercased()
        let bare = m.split(separator: "/").last.map(String.init) ?? m
        if bare.hasPrefix("gpt-") || bare.hasPrefix("chatgpt") || ["o1", "o3", "o4"].contains(where: { bare == $0 || bare.hasPrefix($0 + "-") }) {
            return .openai
        }
        if bare.hasPrefix("claude") { return .anthropic }
        if bare.hasPrefix("gemini") || bare.hasPrefix("gemma") { return .google }
        switch provider?.lowercased() {
        case "openai", "azure", "azure_ai": return .openai
        case "anthropic": return .anthropic
        case "google", "gemini", "vertex_ai", "vertex_ai-language-models": return .google
        default: return .other
        }
    }
}

/// The documented constants of the what-if model (`docs/whatif.md`).
public enum WhatIfModel {
    /// Observations a model needs in a workflow (generation calls for its tokens, actions it started for
    /// its retry and fallback rates) before they are used; the budget's `thresholds.min_actions`
    /// replaces it when a routing table is given.
    public static let defaultMinObservations = 30

    /// z for the 95% intervals of observed means and rates.
    public static let z = 1.96

    /// Input tokens the target model uses per logged token for the same text (low, base, high).
    ///
    /// | from → to | low | base | high |
    /// |---|---|---|---|
    /// | the same model | 1 | 1 | 1 |
    /// | the same family | 0.95 | 1 | 1.05 |
    /// | OpenAI or Google → Anthropic | 1.1 | 1.2 | 1.3 |
    /// | Anthropic → OpenAI or Google | 1/1.3 | 1/1.2 | 1/1.1 |
    /// | OpenAI ↔ Google | 0.9 | 1 | 1.1 |
    /// | either unknown | 0.8 | 1 | 1.25 |
    ///
    /// Anthropic's tokenizers give about 10–30% more tokens than OpenAI's for the same English text
    /// (Anthropic's token-counting documentation notes up to 30% more for its newer tokenizer);
    /// measuring the ratio on a re-tokenised sample of the team's own prompts replaces the table.
    public static func tokenizerRatio(from a: WhatIfVendor, to b: WhatIfVendor, sameModel: Bool) -> WhatIfBand {
        if sameModel { return .exactly(1) }
        switch (a, b) {
        case (.other, _), (_, .other): return WhatIfBand(low: 0.8, base: 1, high: 1.25)
        case _ where a == b: return WhatIfBand(low: 0.95, base: 1, high: 1.05)
        case (_, .anthropic): return WhatIfBand(low: 1.1, base: 1.2, high: 1.3)
        case (.anthropic, _): return WhatIfBand(low: 1 / 1.3, base: 1 / 1.2, high: 1 / 1.1)
        default: return WhatIfBand(low: 0.9, base: 1, high: 1.1)
        }
    }

    /// How far another model's answer length may differ from the logged one when the target's own
    /// output is not observed: the output band is the tokenizer band widened by these factors.
    public static let outputVerbosity = (low: 0.8, high: 1.25)

    /// The relative band around a budgeted rate when it stands in for an observed one: the budget's
    /// `thresholds.rate_tolerance` (0.25 by default).
    public static func budgetRateBand(_ rate: Double, tolerance: Double) -> WhatIfBand {
        WhatIfBand(low: max(0, rate * (1 - tolerance)), base: rate, high: rate * (1 + tolerance))
    }

    /// A 95% interval for a count of events (retry or fallback calls), by the square-root approximation
    /// of a Poisson count: `(√x ∓ z/2)²`, floored at 0.
    public static func countBand(_ x: Int64) -> WhatIfBand {
        let r = Double(x).squareRoot(), h = z / 2
        return WhatIfBand(low: r > h ? (r - h) * (r - h) : 0, base: Double(x), high: (r + h) * (r + h))
    }

    /// The Wilson 95% interval of a share `x / n`.
    public static func shareBand(_ x: Int64, _ n: Int64) -> WhatIfBand {
        guard n > 0 else { return .exactly(0) }
        let p = Double(x) / Double(n), nd = Double(n), z2 = z * z
        let centre = (p + z2 / (2 * nd)) / (1 + z2 / nd)
        let half = z * (p * (1 - p) / nd + z2 / (4 * nd * nd)).squareRoot() / (1 + z2 / nd)
        return WhatIfBand(low: max(0, centre - half), base: p, high: min(1, centre + half))
    }

    /// The order of tiers from the most capable down, for `--segment SEGMENT=TIER`: when every tier named
    /// is one of premium, balanced, standard, economy, that order (balanced and standard rank the same);
    /// otherwise the order of the routing table's `tiers:` map, first the highest.
    public static func tierRanks(budgetTiers: [String], named: [String]) -> [String: Int] {
        let builtIn = ["premium": 3, "balanced": 2, "standard": 2, "economy": 1]
        let all = Set(budgetTiers + named)
        if all.allSatisfy({ builtIn[$0] != nil }) { return builtIn }
        var out: [String: Int] = [:]
        for (i, t) in budgetTiers.enumerated() where out[t] == nil { out[t] = budgetTiers.count - i }
        return out
    }
}
