import LedgerPricing
import LedgerValues

/// Token counts and requests on one side of a comparison, in TokenLedger's convention (input counts cache
/// reads and writes; output counts reasoning).
public struct UsageFigures: Sendable, Equatable {
    /// Requests; nil when the provider's export has no request count (Anthropic).
    public var requests: Int64?
    /// All input, cache reads and writes included.
    public var inputTokens: Int64 = 0
    /// Input read from a cache.
    public var cachedInputTokens: Int64 = 0
    /// Input written to a 5-minute cache.
    public var cacheWrite5mTokens: Int64 = 0
    /// Input written to a 1-hour cache.
    public var cacheWrite1hTokens: Int64 = 0
    /// Output, reasoning included.
    public var outputTokens: Int64 = 0
    /// Reasoning (part of output).
    public var reasoningTokens: Int64 = 0

    /// Figures with no tokens and `requests` requests (nil: not counted).
    public init(requests: Int64? = 0) { self.requests = requests }

    /// Input neither read from nor written to a cache.
    public var uncachedInputTokens: Int64 { inputTokens &- cachedInputTokens &- cacheWrite5mTokens &- cacheWrite1hTokens }

    /// The counts of the disjoint kinds, in a fixed order, for comparisons.
    var kinds: [(ProviderTokenKind, Int64)] {
        [(.uncachedInput, uncachedInputTokens), (.cachedInput, cachedInputTokens), (.cacheWrite5m, cacheWrite5mTokens),
         (.cacheWrite1h, cacheWrite1hTokens), (.output, outputTokens)]
    }

    /// The count of one kind.
    public func tokens(_ kind: ProviderTokenKind) -> Int64 {
        switch kind {
        case .uncachedInput: uncachedInputTokens
        case .cachedInput: cachedInputTokens
        case .cacheWrite5m: cacheWrite5mTokens
        case .cacheWrite1h: cacheWrite1hTokens
        case .output: outputTokens
        }
    }

    mutating func add(_ o: UsageFigures) {
        requests = o.requests == nil ? nil : Self.sum(requests ?? 0, o.requests ?? 0)
        inputTokens = Self.sum(inputTokens, o.inputTokens)
        cachedInputTokens = Self.sum(cachedInputTokens, o.cachedInputTokens)
        cacheWrite5mTokens = Self.sum(cacheWrite5mTokens, o.cacheWrite5mTokens)
        cacheWrite1hTokens = Self.sum(cacheWrite1hTokens, o.cacheWrite1hTokens)
        outputTokens = Self.sum(outputTokens, o.outputTokens)
        reasoningTokens = Self.sum(reasoningTokens, o.reasoningTokens)
    }

    /// `a + b`, held at the bounds of `Int64` instead of trapping: no input, however large, stops a report.
    static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (v, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : v
    }
}

/// The provider's usage and the logged calls of one UTC day, provider and model, refined by project, API
/// key and tier where both sides carry them: the cell where requests and tokens are compared.
public struct UsageComparison: Sendable, Equatable {
    /// The UTC day.
    public var day: CivilDate
    /// The provider (`openai`, `anthropic`, `openrouter`).
    public var provider: String
    /// The model's comparison key (see ``PriceBook/comparisonKey(for:)``); nil when the usage export does
    /// not split the day by model.
    public var model: String?
    /// The project (OpenAI) or workspace (Anthropic), when the comparison is refined by it or bypasses.
    public var project: String?
    /// The API key, when the comparison is refined by it or bypasses.
    public var apiKey: String?
    /// The billing tier, when the comparison is refined by it.
    public var tier: PricingTier?
    /// Usage from a key or project the logs never carry.
    public var bypass: Bool
    /// The provider's usage.
    public var provided: UsageFigures
    /// The logged calls.
    public var logged: UsageFigures
    /// The price-book value of the provider's usage; nil when the book cannot price it.
    public var providerBookCost: Money?
    /// The price-book cost of the logged calls; nil when some of them are unpriced.
    public var loggedCost: Money?
    /// The gap's parts by class (book dollars): boundary effects and the residual's class.
    public var classes: GapAmounts
}

/// Where a cell's billed amount comes from.
public enum BilledBasis: String, Sendable {
    /// The provider's cost export.
    case costExport = "cost_export"
    /// No cost export covers the day: the provider's usage valued at the price book.
    case estimated
    /// Neither: the bill is not known.
    case unknown
}

/// One UTC day, provider and model (or, where the cost export is not by model, all models of the
/// day): billed amount, logged cost, the gap and its classes.
public struct ReconciliationCell: Sendable, Equatable {
    /// The UTC day.
    public var day: CivilDate
    /// The provider.
    public var provider: String
    /// The model's comparison key; nil when the cost export does not split the day by model.
    public var model: String?
    /// The provider's bill for the cell; nil when unknown.
    public var billed: Money?
    /// Where ``billed`` comes from.
    public var billedBasis: BilledBasis
    /// The price-book value of the provider's usage; nil when unknown.
    public var providerBookCost: Money?
    /// The price-book cost of the logged calls (priced ones).
    public var loggedCost: Money
    /// Logged calls the book could not price.
    public var loggedUnpriced: Int64
    /// The provider's usage (requests nil when not counted or without a usage export).
    public var provided: UsageFigures
    /// The logged calls.
    public var logged: UsageFigures
    /// `billed − loggedCost`; nil when the bill is unknown.
    public var gap: Money?
    /// The gap by class; they add up to ``gap``.
    public var classes: GapAmounts
    /// What the unpriced logged calls of the cell may cost, at the lowest, median and highest rates of their
    /// provider's priced models; ``classes``' unpriced amount lies between `low` and `high`. Nil when no call
    /// is unpriced, or when they could not be valued (then the whole gap is unpriced).
    public var unpricedRange: CostRange?
    /// Whether the gap is within the cell tolerance (then it counts as matched).
    public var withinTolerance: Bool
    /// Whether the day may still change at the provider (ended less than the open window before "now").
    public var provisional: Bool
    /// The part of the bill the logs explain: all of it within tolerance, else `min(billed, logged + boundary)`.
    public var explained: Money
    /// The request and token comparisons behind the cell.
    public var comparisons: [UsageComparison]
}

/// A billed token kind whose implied unit price (billed ÷ tokens) differs from the price book's.
public struct PriceDriftLine: Sendable, Equatable {
    /// The UTC day.
    public var day: CivilDate
    /// The provider.
    public var provider: String
    /// The model's comparison key.
    public var model: String
    /// The token kind the lines bill.
    public var kind: ProviderTokenKind
    /// The billing tier of the lines.
    public var tier: PricingTier
    /// Whether the lines are for the long-context band.
    public var longContext: Bool
    /// The amount billed for the kind.
    public var billed: Money
    /// The tokens billed: the lines' quantity, else the usage export's count of the kind.
    public var tokens: Int64
    /// Dollars per 1M tokens implied by the bill, rounded half to even at the picodollar.
    public var impliedPerMillion: Money
    /// The price book's dollars per 1M tokens; nil when the book has no price.
    public var bookPerMillion: Money?
    /// The tokens at the book's price.
    public var bookCost: Money?
    /// `billed − bookCost`.
    public var difference: Money?
    /// Whether the difference exceeds the cell tolerance.
    public var outsideTolerance: Bool
}

/// The gateway's own cost (`cost_usd` in the routing log) beside the price book's, for one day, provider
/// and model.
public struct GatewayCostComparison: Sendable, Equatable {
    /// The UTC day.
    public var day: CivilDate
    /// The provider.
    public var provider: String
    /// The model's comparison key.
    public var model: String
    /// Calls that carry the gateway's cost.
    public var calls: Int64
    /// The gateway's cost of those calls.
    public var gatewayCost: Money
    /// The price book's cost of the same calls; nil when some are unpriced.
    public var bookCost: Money?
    /// The provider's bill for the cell, when known (for context).
    public var billed: Money?
    /// Whether gateway and book disagree beyond the cell tolerance.
    public var disagrees: Bool
}

/// A day's billed tool use at one provider beside the fees of the logged calls' tool uses.
public struct ToolFeeComparison: Sendable, Equatable {
    /// The UTC day.
    public var day: CivilDate
    /// The provider.
    public var provider: String
    /// The provider's tool lines of the day, added up.
    public var billed: Money
    /// The price-book fees of the logged (priced) calls' tool uses.
    public var logged: Money
    /// Those tool uses, by tool.
    public var toolCalls: [String: Int64]
    /// Whether the gap is within the cell tolerance.
    public var withinTolerance: Bool
    /// `billed − logged`.
    public var gap: Money { billed - logged }
}

/// A cost line that is not token usage.
public struct NonUsageLine: Sendable, Equatable {
    /// The UTC day.
    public var day: CivilDate
    /// The provider.
    public var provider: String
    /// What the line is.
    public var category: ChargeCategory
    /// The line as the provider names it.
    public var lineItem: String?
    /// The model's comparison key, when the line names one.
    public var model: String?
    /// The amount, signed (credits are negative).
    public var amount: Money
}

/// Bill, logs and gap added up over a set of cells.
public struct ReconciliationTotals: Sendable, Equatable {
    /// Billed token usage (cost exports, or usage at book prices where no cost export covers the day).
    public var billedUsage: Money = .zero
    /// Lines that are not token usage (tools, credits, tax, adjustments), signed.
    public var nonUsage: Money = .zero
    /// Price-book cost of the logged calls' tokens (their tool fees apart, in ``loggedToolFees``).
    public var logged: Money = .zero
    /// Price-book fees of the logged calls' tool uses on days with a cost export, compared with the
    /// providers' tool lines (``ToolFeeComparison``).
    public var loggedToolFees: Money = .zero
    /// The providers' tool lines on those days (part of ``nonUsage``, compared with ``loggedToolFees``).
    public var billedTools: Money = .zero
    /// The part of the billed usage the logs explain.
    public var explained: Money = .zero
    /// The gap by class over cells outside tolerance, and non-usage lines.
    public var byClass = GapAmounts()
    /// What the unpriced logged calls of cells outside tolerance may cost (their estimate is in
    /// ``byClass``' unpriced amount); nil when no such cell has unpriced calls valued at stand-in rates.
    public var unpricedRange: CostRange?
    /// The gaps of cells within tolerance, added up (a part of ``gap``, counted as matched).
    public var withinTolerance: Money = .zero
    /// The gap: billed token usage minus the logged cost, over the cells with a known bill, and billed
    /// tool use minus the logged tool fees (``ToolFeeComparison``). It is the one gap total of the report
    /// and its parts are the classes of ``byClass`` (every class but non-usage) and ``withinTolerance``.
    /// Other lines that are not token usage (credits, tax) are in the bill, not in the gap.
    public var gap: Money = .zero
    /// Boundary effects: the amount counted on a neighbouring day (the positive halves of boundary pairs;
    /// boundary amounts net to zero over a period that holds both days).
    public var boundaryShifted: Money = .zero
    /// Cells whose bill was estimated from usage.
    public var estimatedCells = 0
    /// Cells whose bill is unknown.
    public var unknownCells = 0

    /// All zero.
    public init() {}

    /// Lines that are neither token usage nor compared tool use (credits, tax, adjustments): not in ``gap``.
    public var outsideGap: Money { nonUsage - billedTools }
    /// Billed usage and non-usage lines.
    public var billed: Money { billedUsage + nonUsage }
    /// The amount the logs leave unexplained: every class but boundary, non-usage included.
    public var unexplained: Money { byClass.unexplained }
    /// The parts of ``gap``: each usage class with an amount (boundary effects net), then the gaps
    /// within tolerance. They add up to ``gap`` exactly.
    public var gapParts: [(part: GapPart, amount: Money)] {
        var out = byClass.sorted.filter { $0.0 != .nonUsage }.map { (part: GapPart.gapClass($0.0), amount: $0.1) }
        if withinTolerance != .zero { out.append((part: .withinTolerance, amount: withinTolerance)) }
        return out
    }

    /// `explained / billedUsage`, for display; nil when nothing was billed.
    public var coverage: Double? {
        billedUsage.picos == 0 ? nil : Double(explained.picos) / Double(billedUsage.picos)
    }
}

/// A part of the reconciliation gap: a class, or the cells within tolerance.
public enum GapPart: Sendable, Equatable {
    case gapClass(GapClass)
    case withinTolerance
}

/// One provider's part of the result, with how it could be compared.
public struct ProviderReconciliation: Sendable, Equatable {
    /// The provider.
    public var provider: String
    /// The provider's totals.
    public var totals: ReconciliationTotals
    /// UTC days with the provider's usage or cost rows in the period.
    public var days: [CivilDate]
    /// Whether bypass could be judged by API key / by project (the logs carry the values the export uses).
    public var bypassByKey: Bool
    /// See ``bypassByKey``.
    public var bypassByProject: Bool
    /// The dimensions comparisons were refined by (`api_key`, `project`, `tier`).
    public var refinedBy: [String]
    /// Whether the period's gap is within the total tolerance.
    public var withinTolerance: Bool
}

/// A day or model where the unexplained amount is large.
public struct GapRanking: Sendable, Equatable {
    /// The day (`2026-01-02`) or the model key.
    public var name: String
    /// The bill of the day or model (usage and non-usage lines).
    public var billed: Money
    /// Its unexplained amount (every class but boundary; cells within tolerance left out).
    public var unexplained: Money
    /// That amount by class.
    public var byClass: GapAmounts
}

/// The reconciliation of the providers' bills with the routing logs over a period
/// (``Reconciliation/run(_:providers:tolerances:asOf:)``).
public struct ReconciliationResult: Sendable, Equatable {
    /// The UTC days asked for.
    public var period: Period
    /// The instant "now" was taken to be (open days are judged from it).
    public var asOf: Timestamp
    /// The tolerances applied.
    public var tolerances: ReconciliationTolerances
    /// Totals over every provider.
    public var totals: ReconciliationTotals
    /// Whether the total gap is within the total tolerance.
    public var withinTolerance: Bool
    /// Per provider, by name.
    public var providers: [ProviderReconciliation]
    /// Cells, by day, provider and model.
    public var cells: [ReconciliationCell]
    /// Every billed token kind with its implied and book unit prices.
    public var priceDrift: [PriceDriftLine]
    /// The gateway's own cost beside the book's, where the log carries it.
    public var gateway: [GatewayCostComparison]
    /// Cost lines that are not token usage.
    public var nonUsage: [NonUsageLine]
    /// Per day and provider with a cost export: billed tool use beside the logged calls' tool fees.
    public var toolFees: [ToolFeeComparison] = []
    /// Days where the unexplained amount is largest (at most ``ReconciliationTolerances/ranked``).
    public var topDays: [GapRanking]
    /// Models where the unexplained amount is largest.
    public var topModels: [GapRanking]
    /// UTC days of the period with provider data (any provider).
    public var coveredDays: [CivilDate]
    /// Things the reader should know: exports set aside as overlapping, checks that could not be made.
    public var notes: [String]

    /// Whether provider data covers every day of the period (the weekly report shows the section then).
    public var coversPeriod: Bool { coveredDays.count == period.dayCount }
    /// Whether there is any provider data in the period at all.
    public var hasProviderData: Bool { !coveredDays.isEmpty }
}
