import LedgerPricing
import LedgerValues

/// The weekly audit: metrics for the period beside the previous period of the same length, and the
/// flags that fired. Built by ``Audit/run(_:)``; rendered by the report formats.
public struct AuditResult: Sendable {
    public var period: Period
    public var previous: Period
    public var zoneName: String
    public var hasBudget: Bool
    public var dataEnd: Timestamp

    /// Everything in the period, calls counted by when they were made.
    public var total: Compared<SpendFigures>
    public var workflows: [WorkflowReport]
    public var teams: [GroupReport]
    public var segments: [GroupReport]
    public var tiers: [Compared<SpendLine>]
    public var models: [Compared<SpendLine>]
    public var topUsers: [Compared<SpendLine>]
    public var burn: BurnReport?
    public var flags: [AuditFlag]
    public var unpriced: [UnpricedModel]
    /// Tests of rates and averages that did not fire: "watch" and "not enough data".
    public var watches: [AuditFlag]
    /// Spend per day of the period and of the previous one, by tier (for charts).
    public var daily: [DaySpend] = []
    /// Per workflow and model that have any: the charges beyond text tokens (tool fees, audio and image
    /// tokens and images, attribute multipliers), beside the previous period. Sorted by workflow, model.
    public var charges: [Compared<ChargeLine>] = []
    /// The providers' bills against the logs, when provider exports cover the period (UTC days).
    public var reconciliation: ReconciliationResult?
    /// What to say first about the two periods: empty, covered in part by the data, of different lengths.
    public var periodNotes: [PeriodNote] = []

    /// When the periods' days with data differ: the current period's days over the previous period's,
    /// so that a change compares the same daily rate (1 otherwise).
    public var previousScale: Double {
        for n in periodNotes {
            if case let .lengthsDiffer(previousDays, currentDays, _) = n, previousDays > 0 { return Double(currentDays) / Double(previousDays) }
        }
        return 1
    }
}

/// One day's spend, split by tier.
public struct DaySpend: Sendable, Equatable {
    public var day: CivilDate
    /// In the report's period (false: the previous period).
    public var inPeriod: Bool
    public var byTier: [(tier: String, spend: Money)]
    public var total: Money { byTier.reduce(Money.zero) { $0 + $1.spend } }

    public static func == (a: DaySpend, b: DaySpend) -> Bool {
        a.day == b.day && a.inPeriod == b.inPeriod && a.byTier.map(\.tier) == b.byTier.map(\.tier)
            && a.byTier.map(\.spend) == b.byTier.map(\.spend)
    }
}

/// A figure for the period and for the previous period.
public struct Compared<T: Sendable & Equatable>: Sendable, Equatable {
    public var current: T
    public var previous: T
}

/// Spend and volume of calls made in a period.
public struct SpendFigures: Sendable, Equatable {
    public var calls: Int64 = 0
    public var actions: Int64 = 0
    public var spend = Money.zero
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var unpricedCalls: Int64 = 0
}

/// One line of a spend table (a tier, a model, a user).
/// What one workflow's calls to one model were charged beyond their text tokens (parts of their spend).
public struct ChargeLine: Sendable, Equatable {
    public var workflow: String
    public var model: String
    /// Billed server-side tool uses.
    public var toolCalls: Int64 = 0
    /// Their fees.
    public var toolFees = Money.zero
    /// Audio and image tokens at their rates, and images generated.
    public var modality = Money.zero
    /// What attribute multipliers (fast mode, data residency) added.
    public var uplift = Money.zero

    public init(workflow: String, model: String) {
        self.workflow = workflow
        self.model = model
    }

    /// The three charges added up.
    public var total: Money { toolFees + modality + uplift }

    mutating func add(_ s: UsageSums) {
        toolCalls += s.toolCalls
        toolFees = toolFees + Money(picos: s.components.toolFees)
        modality = modality + Money(picos: s.components.modality)
        uplift = uplift + Money(picos: s.components.uplift)
    }
}

public struct SpendLine: Sendable, Equatable {
    public var name: String
    public var calls: Int64 = 0
    /// Calls with no price: their cost is not in `spend`.
    public var unpricedCalls: Int64 = 0
    public var spend = Money.zero
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    /// For a model grouped by the price book's identity: the names it was logged under, when more than one.
    public var loggedNames: [String] = []

    /// The spend for a table: "unpriced" when no call was priced, a mark when some were not.
    public var spendText: String {
        if calls > 0 && unpricedCalls == calls { return "unpriced" }
        return spend.display() + (unpricedCalls > 0 ? " +\(unpricedCalls) unpriced" : "")
    }
}

/// What one workflow (or team, or segment) did in one period.
public struct WorkflowFigures: Sendable, Equatable {
    /// Actions whose first call is in the period.
    public var actions: Int64 = 0
    public var completed: Int64 = 0
    public var failed: Int64 = 0
    public var abandoned: Int64 = 0
    /// Calls of those actions.
    public var actionCalls: Int64 = 0
    /// Cost of the period's actions, by outcome. `completedUseful + wasteInCompleted + failedCost +
    /// abandonedCost = actionCost` exactly.
    public var completedUseful = Money.zero
    public var wasteInCompleted = Money.zero
    public var failedCost = Money.zero
    public var abandonedCost = Money.zero
    public var actionsWithFallback: Int64 = 0
    public var actionsWithRetry: Int64 = 0
    public var premiumActions: Int64 = 0
    public var unpricedActions: Int64 = 0
    /// Calls made in the period (call view) and what they cost.
    public var calls: Int64 = 0
    public var spend = Money.zero
    public var unpricedCalls: Int64 = 0
    /// Generation calls (primary, retry, fallback; not classifier or validation): for token averages.
    public var generationCalls: Int64 = 0
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var generationInput: Int64 = 0
    public var generationOutput: Int64 = 0
    public var generationInputSquares: Double = 0
    public var generationOutputSquares: Double = 0
    public var fallbackCalls: Int64 = 0
    public var retryCalls: Int64 = 0
    /// Latency of interactive (not batch) calls.
    public var latencyP50: Double?
    public var latencyP95: Double?
    /// Latency of batch calls.
    public var batchLatencyP50: Double?
    public var batchLatencyP95: Double?

    public var actionCost: Money { completedUseful + wasteInCompleted + failedCost + abandonedCost }
    public var costOfCompleted: Money { completedUseful + wasteInCompleted }
    public var waste: Money { wasteInCompleted + failedCost + abandonedCost }

    /// Cost of completed actions ÷ completed actions, to the picodollar.
    public var directCPCA: Money? { completed > 0 ? costOfCompleted.divided(by: completed) : nil }
    /// All the period's action cost ÷ completed actions: what one completed action really costs.
    public var loadedCPCA: Money? { completed > 0 ? actionCost.divided(by: completed) : nil }

    public var fallbackRate: Double? { ratio(actionsWithFallback, actions) }
    public var retryRate: Double? { ratio(actionsWithRetry, actions) }
    public var premiumShare: Double? { ratio(premiumActions, actions) }
    public var completionRate: Double? { ratio(completed, actions) }
    public var callsPerAction: Double? { actions > 0 ? Double(actionCalls) / Double(actions) : nil }
    public var avgInputTokens: Double? { generationCalls > 0 ? Double(generationInput) / Double(generationCalls) : nil }
    public var avgOutputTokens: Double? { generationCalls > 0 ? Double(generationOutput) / Double(generationCalls) : nil }
    public var avgCachedTokens: Double? { calls > 0 ? Double(cachedInputTokens) / Double(calls) : nil }
    public var cacheHitShare: Double? { inputTokens > 0 ? Double(cachedInputTokens) / Double(inputTokens) : nil }

    func ratio(_ a: Int64, _ b: Int64) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
}

/// A workflow's figures beside the previous period's, its fallback reasons and its budget.
public struct WorkflowReport: Sendable, Equatable {
    public var name: String
    public var figures: Compared<WorkflowFigures>
    /// Fallback calls of the period by reason (most first); "(none)" for fallbacks without one.
    public var fallbackReasons: [(reason: String, calls: Int64)]
    public var budgetedCPCA: Money?
    public var budgetedFallbackRate: Double?
    public var budgetedRetryRate: Double?
    /// Actions expected in the period (the route's monthly figure prorated by days).
    public var expectedActions: Double?

    public static func == (a: WorkflowReport, b: WorkflowReport) -> Bool {
        a.name == b.name && a.figures == b.figures && a.fallbackReasons.map(\.reason) == b.fallbackReasons.map(\.reason)
            && a.fallbackReasons.map(\.calls) == b.fallbackReasons.map(\.calls) && a.budgetedCPCA == b.budgetedCPCA
    }
}

/// A team's or user segment's figures beside the previous period's.
public struct GroupReport: Sendable, Equatable {
    public var name: String
    public var figures: Compared<WorkflowFigures>
}

/// Month-to-date spend against the monthly budget, and the month-end forecast.
public struct BurnReport: Sendable, Equatable {
    public var month: Period
    /// The last day counted (the period's end, or the last day with data).
    public var asOf: CivilDate
    public var lines: [BurnLine]
}

public struct BurnLine: Sendable, Equatable {
    /// "total" or a category name.
    public var name: String
    public var budget: Money
    public var spent: Money
    public var forecast: Money
    public var forecastLow: Money
    public var forecastHigh: Money
    /// The day the budget would be reached at the forecast pace (nil: not this month).
    public var capDay: CivilDate?
    /// The highest alert threshold crossed by month-to-date spend.
    public var crossed: Double?
    /// What ``forecastLow``–``forecastHigh`` is: a band, or why there is none.
    public var range: ForecastRange = .band
    /// The day the budget ran out, when it did by the day counted (``BurnReport/asOf``): ``capDay`` is
    /// then in the past, not a forecast.
    public var ranOutOn: CivilDate?

    /// Whether the forecast has a range, or why not.
    public enum ForecastRange: Sendable, Equatable {
        /// A ±1.645σ band from the spread of the history.
        case band
        /// Fewer days of history with spend than the forecast needs to weigh weekdays and measure spread.
        case tooLittleHistory(days: Int, needed: Int)
        /// The month is complete: the forecast is what was spent.
        case monthComplete
    }

    /// The day the budget runs out at the forecast pace, when it has not run out yet.
    public var runsOutOn: CivilDate? { ranOutOn == nil ? capDay : nil }

    public var share: Double { budget.picos > 0 ? Double(spent.picos) / Double(budget.picos) : 0 }
    public var forecastShare: Double { budget.picos > 0 ? Double(forecast.picos) / Double(budget.picos) : 0 }
}

extension Money {
    /// This amount divided by `n`, rounded half to even to the picodollar (a per-unit figure).
    public func divided(by n: Int64) -> Money {
        precondition(n > 0)
        let d = Int128(n)
        var q = picos / d
        let r = picos % d
        let twice = (r < 0 ? -r : r) * 2
        if twice > d || (twice == d && q % 2 != 0) { q += picos < 0 ? -1 : 1 }
        return Money(picos: q)
    }

    /// This amount times a ratio, rounded to the picodollar (an estimate such as a prorated budget).
    public func scaled(by factor: Double) -> Money {
        Money(picos: Int128((Double(picos) * factor).rounded()))
    }
}
