import LedgerPricing
import LedgerValues

/// One finding of the audit, as figures: the rule, what it is about, and the numbers that decided it.
/// The report layer words it (`AuditFlagWording`); nothing here is prose.
public struct AuditFlag: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        case info, warning, critical
        var rank: Int { Severity.allCases.firstIndex(of: self)! }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// How a statistical test came out.
    public enum Verdict: String, Sendable {
        /// Significant and material: a flag.
        case drift
        /// Not significant after correction, but p below the watch level.
        case watch
        /// Too few actions or expected events to judge.
        case notEnoughData = "not_enough_data"
        /// A rule that is not a test (a limit, a policy): it holds or it does not.
        case breach
    }

    public var rule: AuditRule
    public var severity: Severity
    public var verdict: Verdict
    /// What the flag is about: a workflow, a team, a user, a model, "total".
    public var subject: AuditSubject
    /// The rule's own figures: what it expected, what it found, and what backs it.
    public var figures: AuditFigures
    /// The money at stake per month, when it can be estimated.
    public var impact: Money?
    /// The test's p-value and its Benjamini–Hochberg q-value, when a test decided.
    public var pValue: Double?
    public var qValue: Double?
    /// How many tests the Benjamini–Hochberg correction ran over (tests only).
    public var testCount: Int?

    public init(rule: AuditRule, severity: Severity, verdict: Verdict, subject: AuditSubject, figures: AuditFigures,
                impact: Money? = nil, pValue: Double? = nil, qValue: Double? = nil, testCount: Int? = nil) {
        self.rule = rule
        self.severity = severity
        self.verdict = verdict
        self.subject = subject
        self.figures = figures
        self.impact = impact
        self.pValue = pValue
        self.qValue = qValue
        self.testCount = testCount
    }
}

/// What a flag is about.
public enum AuditSubject: Sendable, Equatable {
    case workflow(String)
    /// A line of the monthly budget: "total" or a category.
    case budgetLine(String)
    /// A workflow's calls to a model its route does not allow.
    case workflowModel(workflow: String, model: String)
    case segment(String)
    case tier(String)
    case team(String)
    /// Users in general (a per-user limit).
    case users
    /// A model (the name it was logged under).
    case model(String)
    /// A workflow's spend on a run of consecutive days.
    case workflowDays(workflow: String, first: CivilDate, last: CivilDate)

    /// The workflow, budget line, model, segment, tier or team named (nil: users).
    public var name: String? {
        switch self {
        case let .workflow(n), let .budgetLine(n), let .segment(n), let .tier(n), let .team(n), let .model(n): n
        case let .workflowModel(w, _), let .workflowDays(w, _, _): w
        case .users: nil
        }
    }
}

extension AuditSubject: Comparable {
    /// Subjects of one rule in name order; of the daily caps, teams before tiers before users.
    public static func < (a: AuditSubject, b: AuditSubject) -> Bool {
        let x = a.order, y = b.order
        return (x.kind, x.name, x.detail, x.last) < (y.kind, y.name, y.detail, y.last)
    }

    var order: (kind: Int, name: String, detail: String, last: Int) {
        switch self {
        case let .workflowModel(w, m): (0, w, m, 0)
        case let .workflowDays(w, first, last): (0, w, first.description, last.daysSinceEpoch)
        case .team: (1, name ?? "", "", 0)
        case .tier: (2, name ?? "", "", 0)
        case .users: (3, "", "", 0)
        default: (0, name ?? "", "", 0)
        }
    }
}

/// The figures of one flag, by rule. Each case holds every number the rule decided on.
public enum AuditFigures: Sendable, Equatable {
    /// A share of actions against its budgeted ceiling (fallback rate, retry rate, premium share).
    case rate(RateTest)
    /// A mean token count per generation call against its budget.
    case tokens(TokenTest)
    /// The loaded cost per completed action against its budget.
    case costPerCompletedAction(CostPerAction)
    /// Actions against the route's monthly figure prorated to the period.
    case volume(expected: Double, monthly: Int64, actual: Int64, z: Double)
    /// Calls above the route's input token limit.
    case inputLimit(limit: Int64, callsOver: Int64, calls: Int64)
    /// Generation calls to a model the route does not name. `loggedAs`: the names the calls logged, when
    /// they are not just the model's.
    case modelOffRoute(allowed: [String], calls: Int64, spend: Money, loggedAs: [String])
    /// Actions with more fallbacks than the limit, and the most any had.
    case fallbackAttempts(limit: Int, actionsOver: Int64, most: Int64, actions: Int64)
    /// Calls of a workflow the routing table does not know.
    case unroutedWorkflow(calls: Int64, spend: Money)
    /// Actions of a segment served by tiers it may not use.
    case segmentTier(allowed: [String], actionsOver: Int64, actions: Int64, models: [String])
    /// Days (in order) whose spend was above a daily cap.
    case dailySpendCap(cap: Money, daysOver: [DaySpendOver])
    /// User-days above the per-user daily cap, most first.
    case userDailySpendCap(cap: Money, users: Int, daysOver: [UserDayOver])
    /// Users above the per-minute request limit: their peak minutes, most first.
    case userRateLimit(limit: Int, users: Int, peaks: [UserMinutePeak])
    /// Month-to-date spend past an alert threshold of the monthly budget.
    case budgetBurn(BudgetBurn)
    /// The month-end forecast above the monthly budget.
    case budgetForecast(BudgetForecast)
    /// Fallback calls logged without a reason.
    case fallbackWithoutReason(missing: Int64, fallbacks: Int64)
    /// Days of spend far above the workflow's recent median (consecutive days, in order).
    case spendAnomaly(days: [AnomalyDay])
    /// Requests to a model with no price.
    case unpricedModel(requests: Int64, inputTokens: Int64, outputTokens: Int64)

    public struct RateTest: Sendable, Equatable {
        /// Actions with the event, and all actions.
        public var events: Int64
        public var actions: Int64
        /// The budgeted ceiling.
        public var ceiling: Double
        /// The gate of a test that could not be run: the least actions and expected events it needs.
        public var needs: SampleGate?
        /// The Wilson lower bound of the observed share (when the test ran).
        public var lowerBound: Double?
        /// The observed share (nil: no actions).
        public var observed: Double? { actions > 0 ? Double(events) / Double(actions) : nil }
    }

    /// The least sample a test needs.
    public struct SampleGate: Sendable, Equatable {
        public var actions: Int
        public var expectedEvents: Double
    }

    public struct TokenTest: Sendable, Equatable {
        public enum Side: String, Sendable { case input, output }
        public var side: Side
        public var calls: Int64
        public var mean: Double
        public var deviation: Double
        /// The budgeted mean, and the tolerance above it the test allows.
        public var budget: Double
        public var tolerance: Double
        /// The one-sided t statistic (when the test ran).
        public var t: Double?
    }

    public struct CostPerAction: Sendable, Equatable {
        public var budget: Money
        public var tolerance: Double
        public var loaded: Money
        public var direct: Money?
        public var completed: Int64
        public var waste: Money
        public var actionCost: Money
    }

    public struct DaySpendOver: Sendable, Equatable {
        public var day: CivilDate
        public var spend: Money
    }

    public struct UserDayOver: Sendable, Equatable {
        public var user: String
        public var day: CivilDate
        public var spend: Money
    }

    public struct UserMinutePeak: Sendable, Equatable {
        public var user: String
        public var minute: Timestamp
        public var calls: Int64
    }

    public struct BudgetBurn: Sendable, Equatable {
        /// The highest alert threshold crossed, and all the budget's thresholds.
        public var crossed: Double
        public var alerts: [Double]
        public var budget: Money
        public var spent: Money
        public var share: Double
        public var month: Period
        public var asOf: CivilDate
        public var ranOutOn: CivilDate?
    }

    public struct BudgetForecast: Sendable, Equatable {
        public var budget: Money
        public var forecast: Money
        public var share: Double
        public var low: Money
        public var high: Money
        public var range: BurnLine.ForecastRange
        public var ranOutOn: CivilDate?
        public var runsOutOn: CivilDate?
    }

    public struct AnomalyDay: Sendable, Equatable {
        public var day: CivilDate
        public var spend: Money
        /// The median daily spend of the days before, to the micro-dollar, and how many days it is of.
        public var median: Money
        public var historyDays: Int
        /// The modified z-score (infinite when the history has no spread).
        public var z: Double
    }
}

/// The unit of a flag's threshold and observed value.
public enum AuditUnit: String, Sendable {
    case share, tokens, usd, actions, calls, requests, days
    case usdPerDay = "usd_per_day"
    case requestsPerMinute = "requests_per_minute"
    case fallbacksPerAction = "fallbacks_per_action"
    case userDays = "user_days"
    case users
}

/// A threshold or an observed value: money exact, counts whole, the rest a number.
public enum AuditValue: Sendable, Equatable {
    case money(Money)
    case count(Int64)
    case number(Double)
}

extension AuditFigures {
    /// What every flag has, whatever its rule: the threshold it was held to, the value observed (both in
    /// `unit`), and a count of what was judged (`count` of `outOf`, in `countUnit`).
    public struct Summary: Sendable, Equatable {
        public var unit: AuditUnit
        public var threshold: AuditValue?
        /// The relative tolerance allowed above the threshold before a flag, when the rule has one.
        public var tolerance: Double?
        public var observed: AuditValue?
        public var count: Int64?
        public var outOf: Int64?
        public var countUnit: AuditUnit?
    }

    public var summary: Summary {
        switch self {
        case let .rate(r):
            Summary(unit: .share, threshold: .number(r.ceiling), observed: r.observed.map { .number($0) },
                    count: r.events, outOf: r.actions, countUnit: .actions)
        case let .tokens(t):
            Summary(unit: .tokens, threshold: .number(t.budget), tolerance: t.tolerance,
                    observed: t.calls > 0 ? .number(t.mean) : nil, count: t.calls, countUnit: .calls)
        case let .costPerCompletedAction(c):
            Summary(unit: .usd, threshold: .money(c.budget), tolerance: c.tolerance, observed: .money(c.loaded),
                    count: c.completed, countUnit: .actions)
        case let .volume(expected, _, actual, _):
            Summary(unit: .actions, threshold: .number(expected), observed: .count(actual))
        case let .inputLimit(limit, over, calls):
            Summary(unit: .tokens, threshold: .count(limit), count: over, outOf: calls, countUnit: .calls)
        case let .modelOffRoute(_, calls, spend, _):
            Summary(unit: .usd, observed: .money(spend), count: calls, countUnit: .calls)
        case let .fallbackAttempts(limit, over, most, actions):
            Summary(unit: .fallbacksPerAction, threshold: .count(Int64(limit)), observed: .count(most),
                    count: over, outOf: actions, countUnit: .actions)
        case let .unroutedWorkflow(calls, spend):
            Summary(unit: .usd, observed: .money(spend), count: calls, countUnit: .calls)
        case let .segmentTier(_, over, actions, _):
            Summary(unit: .share, observed: actions > 0 ? .number(Double(over) / Double(actions)) : nil,
                    count: over, outOf: actions, countUnit: .actions)
        case let .dailySpendCap(cap, days):
            Summary(unit: .usdPerDay, threshold: .money(cap), observed: days.map(\.spend).max().map { .money($0) },
                    count: Int64(days.count), countUnit: .days)
        case let .userDailySpendCap(cap, _, days):
            Summary(unit: .usdPerDay, threshold: .money(cap), observed: days.map(\.spend).max().map { .money($0) },
                    count: Int64(days.count), countUnit: .userDays)
        case let .userRateLimit(limit, users, peaks):
            Summary(unit: .requestsPerMinute, threshold: .count(Int64(limit)), observed: peaks.map(\.calls).max().map { .count($0) },
                    count: Int64(users), countUnit: .users)
        case let .budgetBurn(b):
            Summary(unit: .share, threshold: .number(b.crossed), observed: .number(b.share))
        case let .budgetForecast(f):
            Summary(unit: .usd, threshold: .money(f.budget), observed: .money(f.forecast))
        case let .fallbackWithoutReason(missing, fallbacks):
            Summary(unit: .share, observed: fallbacks > 0 ? .number(Double(missing) / Double(fallbacks)) : nil,
                    count: missing, outOf: fallbacks, countUnit: .calls)
        case let .spendAnomaly(days):
            Summary(unit: .usd, threshold: days.first.map { .money($0.median) },
                    observed: .money(days.reduce(Money.zero) { $0 + $1.spend }), count: Int64(days.count), countUnit: .days)
        case let .unpricedModel(requests, _, _):
            Summary(unit: .requests, observed: .count(requests), count: requests, countUnit: .requests)
        }
    }
}

/// The audit's rules, each with a stable code.
public enum AuditRule: String, Sendable, CaseIterable {
    case fallbackRate = "fallback_rate"
    case retryRate = "retry_rate"
    case inputTokens = "avg_input_tokens"
    case outputTokens = "avg_output_tokens"
    case costPerCompletedAction = "cost_per_completed_action"
    case premiumShare = "premium_share"
    case fallbackAttempts = "fallback_attempts"
    case segmentTier = "segment_tier"
    case inputLimit = "max_input_tokens"
    case dailySpendCap = "daily_spend_cap"
    case userRateLimit = "user_rate_limit"
    case volume = "volume"
    case unroutedWorkflow = "unrouted_workflow"
    case modelOffRoute = "model_off_route"
    case fallbackWithoutReason = "fallback_without_reason"
    case budgetBurn = "budget_burn"
    case budgetForecast = "budget_forecast"
    case spendAnomaly = "spend_anomaly"
    case unpricedModel = "unpriced_model"
}
