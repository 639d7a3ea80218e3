import Foundation
import LedgerPricing
import LedgerValues

/// An amount at its low, base and high estimate. Exact amounts have all three equal.
public struct WhatIfAmount: Sendable, Equatable, Hashable {
    /// Every uncertain input at its low end.
    public var low: Money
    /// The best estimate.
    public var base: Money
    /// Every uncertain input at its high end.
    public var high: Money

    /// The three estimates.
    public init(low: Money, base: Money, high: Money) {
        self.low = low
        self.base = base
        self.high = high
    }

    public static let zero = WhatIfAmount(low: .zero, base: .zero, high: .zero)

    /// An exact amount: all three estimates equal.
    public static func exactly(_ m: Money) -> WhatIfAmount { WhatIfAmount(low: m, base: m, high: m) }

    /// The estimate of index 0 (low), 1 (base) or 2 (high).
    public subscript(_ i: Int) -> Money {
        get { i == 0 ? low : (i == 1 ? base : high) }
        set {
            switch i {
            case 0: low = newValue
            case 1: base = newValue
            default: high = newValue
            }
        }
    }

    /// Estimate by estimate.
    public static func + (a: WhatIfAmount, b: WhatIfAmount) -> WhatIfAmount {
        WhatIfAmount(low: a.low + b.low, base: a.base + b.base, high: a.high + b.high)
    }

    /// Each estimate minus an exact amount (a difference against the actual bill).
    public static func - (a: WhatIfAmount, b: Money) -> WhatIfAmount {
        WhatIfAmount(low: a.low - b, base: a.base - b, high: a.high - b)
    }

    /// Each estimate divided by `n`, to the picodollar (a per-action figure).
    public func divided(by n: Int64) -> WhatIfAmount {
        WhatIfAmount(low: low.divided(by: n), base: base.divided(by: n), high: high.divided(by: n))
    }

    /// Whether the three estimates are equal.
    public var isExact: Bool { low == base && base == high }
}

/// What a modelled figure rests on. Each figure lists the assumptions of the replayed actions in it.
public enum WhatIfAssumption: String, Sendable, CaseIterable, Comparable {
    /// Output tokens per call: the target model's own mean in the workflow (enough calls observed); low
    /// and high are the 95% interval of the mean.
    case observedTokens = "observed_tokens"
    /// Tokens per call: the action's logged tokens times the tokenizer ratio of the two models' families
    /// (input always; output when the target's own was not observed enough, widened by the verbosity band).
    case tokenizerRatio = "tokenizer_ratio"
    /// Tokens per call: the action's own logged tokens (the replayed calls stay on the logged model).
    case loggedTokens = "logged_tokens"
    /// Retry and fallback calls per action: the target's own in the workflow (enough actions observed);
    /// low and high are the 95% interval of the counts.
    case observedRates = "observed_rates"
    /// Retry and fallback calls per action: the routing table's `retry_rate` and `fallback_rate` (one call
    /// per action that needed one), ± the table's rate tolerance.
    case budgetRates = "budget_rates"
    /// Retry and fallback calls per action: the workflow's own over all its models (the target was not
    /// observed enough and no routing table gives rates).
    case workflowRates = "workflow_rates"
    /// Cache reads and writes keep the share of input the action logged.
    case cacheUnchanged = "cache_unchanged"

    public static func < (a: WhatIfAssumption, b: WhatIfAssumption) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// A short label for tables.
    public var label: String {
        switch self {
        case .observedTokens: "observed tokens"
        case .tokenizerRatio: "tokenizer ratio"
        case .loggedTokens: "logged tokens"
        case .observedRates: "observed rates"
        case .budgetRates: "budget rates"
        case .workflowRates: "workflow rates"
        case .cacheUnchanged: "cache unchanged"
        }
    }

    /// What the assumption says, for the report's legend.
    public var explanation: String {
        switch self {
        case .observedTokens:
            "output tokens per call are the target model's own mean output in the workflow (at least the minimum of observed calls); low and high are the 95% interval of that mean"
        case .tokenizerRatio:
            "input tokens are the action's logged input times the tokenizer ratio between the two models' families (low to high from the ratio table); output likewise, widened by the verbosity band, where the target's own output was not observed enough"
        case .loggedTokens:
            "tokens per call are the action's own logged tokens (the replayed calls stay on the logged model)"
        case .observedRates:
            "retry and fallback calls per action are those of actions that started on the target model in the workflow (at least the minimum of observed actions); low and high are the 95% interval of the counts"
        case .budgetRates:
            "retry and fallback calls per action are the routing table's retry_rate and fallback_rate (one call per action that needed one), plus or minus its rate tolerance"
        case .workflowRates:
            "retry and fallback calls per action are the workflow's own over all its models (the target was not observed enough and no routing table gives rates)"
        case .cacheUnchanged:
            "cache reads and writes keep the share of input the action logged; the target's own caching is not modelled"
        }
    }
}

/// One figure of a scenario: the exact part (calls that keep their model, priced exactly) plus the
/// modelled part (actions replayed on another model), with what the modelled part assumes.
public struct WhatIfFigure: Sendable, Equatable {
    public var exact = Money.zero
    public var modelled = WhatIfAmount.zero
    /// Sorted; empty for an exact figure.
    public var assumptions: [WhatIfAssumption] = []
    /// Whether some calls in it were priced with the scenario's price book (exactly).
    public var repriced = false
    /// Calls without a price, left out of the amount: logged calls that stay unpriced, and replayed
    /// calls whose target has no price.
    public var unpricedCalls: Int64 = 0

    /// An empty, exact figure.
    public init() {}

    /// The figure's estimates.
    public var amount: WhatIfAmount { WhatIfAmount.exactly(exact) + modelled }

    /// Whether nothing in it is modelled.
    public var isExact: Bool { assumptions.isEmpty && modelled == .zero }

    /// The modelled share of the base estimate (0 when exact; nil when the base is zero).
    public var modelledShare: Double? {
        let total = amount.base
        guard total.picos != 0 else { return isExact ? 0 : nil }
        return Double(modelled.base.picos) / Double(total.picos)
    }
}

/// A row of a scenario's table: a tier, a workflow, or the total.
public struct WhatIfLine: Sendable, Equatable {
    /// The tier, the workflow, or `total`.
    public var name: String
    public var figure = WhatIfFigure()
    /// Actions whose first call is in the period (workflows and total; zero for tiers).
    public var actions: Int64 = 0
    public var completed: Int64 = 0
    /// Expected actions that touch a premium-tier model, at the low, base and high estimate.
    public var premiumActions = WhatIfBand.exactly(0)

    /// An empty line.
    public init(name: String) { self.name = name }

    /// Cost per completed action (loaded: the line's whole cost over its completed actions).
    public var costPerCompletedAction: WhatIfAmount? { completed > 0 ? figure.amount.divided(by: completed) : nil }

    /// Share of actions that touch a premium-tier model.
    public var premiumShare: WhatIfBand? {
        guard actions > 0 else { return nil }
        let n = Double(actions)
        return WhatIfBand(low: premiumActions.low / n, base: premiumActions.base / n, high: premiumActions.high / n)
    }
}

/// How the actions of one workflow that started on one model were replayed in a scenario.
public struct WhatIfMove: Sendable, Equatable {
    public var workflow: String
    /// The model the actions started on.
    public var from: String
    /// The model their first attempt and retries go to.
    public var to: String
    /// The model their fallback calls go to (the same as `to` when failures are retried on it).
    public var fallback: String
    public var actions: Int64
    /// The basis of `to`'s input tokens (`tokenizer_ratio` or `logged_tokens`) and the ratio applied.
    public var inputTokens: WhatIfAssumption
    public var inputRatio: Double
    /// The basis of `to`'s output tokens, and `to`'s generation calls observed in the workflow.
    public var outputTokens: WhatIfAssumption
    public var tokenObservations: Int64
    /// The basis of the fallback model's output tokens (nil when it is `to`).
    public var fallbackOutputTokens: WhatIfAssumption?
    public var rates: WhatIfAssumption
    /// Actions behind the rates (for observed or workflow rates).
    public var rateObservations: Int64
    /// Retry and fallback calls per action, base estimate.
    public var retriesPerAction: Double
    public var fallbacksPerAction: Double
    /// Replayed calls whose target has no price (left out of the amounts).
    public var unpriced: Bool
}

/// One scenario's figures, with the actual period's as the first scenario of a result.
public struct WhatIfScenarioResult: Sendable, Equatable {
    public var name: String
    public var summary: String
    /// Whether this is the logged period itself.
    public var isActual: Bool
    public var total: WhatIfLine
    /// Tiers in the result's tier order (missing ones are zero).
    public var tiers: [WhatIfLine]
    /// Workflows in the result's workflow order.
    public var workflows: [WhatIfLine]
    public var moves: [WhatIfMove]
    /// Actions whose generation was replayed on another model.
    public var replayedActions: Int64
    /// Notes that apply to this scenario only.
    public var caveats: [String]

    /// Each estimate minus the actual bill.
    public func difference(from actual: WhatIfScenarioResult) -> WhatIfAmount { total.figure.amount - actual.total.figure.amount.base }

    /// The change against the actual bill as a share of it (base estimate).
    public func relativeChange(from actual: WhatIfScenarioResult) -> Double? {
        let a = actual.total.figure.amount.base
        guard a.picos != 0 else { return nil }
        return Double((total.figure.amount.base - a).picos) / Double(a.picos)
    }

    /// The line of a tier.
    public func tier(_ name: String) -> WhatIfLine? { tiers.first { $0.name == name } }
    /// The line of a workflow.
    public func workflow(_ name: String) -> WhatIfLine? { workflows.first { $0.name == name } }
}

/// What the logs say about quality for one model in one workflow (or in all, `workflow == nil`). It is
/// not modelled for any scenario: a re-route's quality is not in the logs.
public struct WhatIfQualityLine: Sendable, Equatable {
    public var workflow: String?
    public var model: String
    public var tier: String?
    public var scoredCalls: Int64
    public var meanScore: Double?
    /// Calls whose log says whether the answer was corrected, and the share that was.
    public var correctionKnown: Int64
    public var correctedShare: Double?
    /// Mean billed cost of a priced scored call.
    public var costPerScoredCall: Money?
    /// Billed cost per quality point (a score of 1.0 is 100 points): cost of the priced scored calls
    /// over their points.
    public var costPerQualityPoint: Money?
}

/// The what-if: the actual period and each scenario, side by side.
public struct WhatIfResult: Sendable, Equatable {
    public var period: Period
    public var zoneName: String
    /// The actual period first, then the scenarios in the order given.
    public var scenarios: [WhatIfScenarioResult]
    /// Row orders shared by every scenario's tables.
    public var tierOrder: [String]
    public var workflowOrder: [String]
    public var quality: [WhatIfQualityLine]
    /// Notes that apply to the whole report.
    public var caveats: [String]
    /// The observations a model needs in a workflow before its own figures are used.
    public var minObservations: Int
    /// The assumptions used by some figure, for the legend.
    public var assumptionsUsed: [WhatIfAssumption]

    /// The logged period's column.
    public var actual: WhatIfScenarioResult { scenarios[0] }
}
