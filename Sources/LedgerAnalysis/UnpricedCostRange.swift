import LedgerPricing
import LedgerValues

/// What usage the price book cannot value may cost: a low, a central and a high figure, exact.
public struct CostRange: Sendable, Equatable, Hashable {
    /// At the lowest rate of each token kind.
    public var low: Money
    /// At the median rate of each token kind: the figure with which reconciliation classifies request and
    /// token differences.
    public var estimate: Money
    /// At the highest rate of each token kind.
    public var high: Money

    public init(low: Money, estimate: Money, high: Money) {
        self.low = low
        self.estimate = estimate
        self.high = high
    }

    public static let zero = CostRange(low: .zero, estimate: .zero, high: .zero)

    public static func + (a: CostRange, b: CostRange) -> CostRange {
        CostRange(low: a.low + b.low, estimate: a.estimate + b.estimate, high: a.high + b.high)
    }
}

/// Stand-in rates for a model the price book does not know: per token kind, the lowest, median and highest
/// rate among the models the book prices for the same provider, tier and day.
///
/// A model's price is unknown, but a provider's models span a known range: an unknown OpenAI model costs no
/// less per token than OpenAI's cheapest and no more than its dearest. The median is the figure used to
/// classify the rest of a gap "as if the calls were priced"; the low and high bound the amount that is
/// left unpriced.
struct StandInRates: Sendable, Equatable {
    var low: RateCard.Resolved
    var median: RateCard.Resolved
    var high: RateCard.Resolved

    /// The rates of the priced models of `provider` (compared lowercased) in force on `day`, at `tier`'s
    /// normal-size card; nil when the book prices none of that provider's models.
    init?(book: PriceBook, provider: String, day: CivilDate, tier: PricingTier) {
        let p = provider.lowercased()
        let cards = book.entriesInForce(on: day).filter { $0.provider.lowercased() == p }
            .compactMap { $0.card(tier: tier, longContext: false) }
        guard !cards.isEmpty else { return nil }
        func pick(_ component: KeyPath<RateCard.Resolved, Rate>) -> (Rate, Rate, Rate) {
            let rates = cards.map { $0[keyPath: component] }.sorted()
            return (rates[0], rates[rates.count / 2], rates[rates.count - 1])
        }
        let input = pick(\.input), cached = pick(\.cachedInput), w5 = pick(\.cacheWrite5m), w1 = pick(\.cacheWrite1h)
        let output = pick(\.output), reasoning = pick(\.reasoning)
        low = RateCard.Resolved(input: input.0, cachedInput: cached.0, cacheWrite5m: w5.0, cacheWrite1h: w1.0, output: output.0,
                                reasoning: reasoning.0)
        median = RateCard.Resolved(input: input.1, cachedInput: cached.1, cacheWrite5m: w5.1, cacheWrite1h: w1.1, output: output.1,
                                   reasoning: reasoning.1)
        high = RateCard.Resolved(input: input.2, cachedInput: cached.2, cacheWrite5m: w5.2, cacheWrite1h: w1.2, output: output.2,
                                 reasoning: reasoning.2)
    }

    /// The figures' tokens at the three cards; nil when the counts contradict each other or overflow.
    func value(_ f: UsageFigures) -> CostRange? {
        func at(_ c: RateCard.Resolved) -> Money? {
            PriceEntry.cost(card: c, input: f.inputTokens, cached: f.cachedInputTokens, write5m: f.cacheWrite5mTokens,
                            write1h: f.cacheWrite1hTokens, output: f.outputTokens, reasoning: f.reasoningTokens)
                .map { Money(picos: $0) }
        }
        guard let l = at(low), let m = at(median), let h = at(high) else { return nil }
        return CostRange(low: l, estimate: m, high: h)
    }
}

/// Stand-in rates looked up once per provider, day and tier.
struct StandInRatesMemo {
    let book: PriceBook
    private var memo: [Key: StandInRates?] = [:]

    private struct Key: Hashable {
        var provider: String
        var day: Int
        var tier: PricingTier
    }

    init(book: PriceBook) { self.book = book }

    /// The value of `figures` at the stand-in rates; nil when there are none (the provider has no priced
    /// model) or the counts cannot be priced.
    mutating func value(_ figures: UsageFigures, provider: String, day: Int, tier: PricingTier) -> CostRange? {
        let key = Key(provider: provider.lowercased(), day: day, tier: tier)
        let rates: StandInRates?
        if let known = memo[key] {
            rates = known
        } else {
            rates = StandInRates(book: book, provider: provider, day: CivilDate(daysSinceEpoch: day), tier: tier)
            memo[key] = rates
        }
        return rates?.value(figures)
    }
}
