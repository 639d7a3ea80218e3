/// A team's budgeted routing table (`docs/budget.md`): which tier each model is, how each workflow is
/// meant to route and what it may cost, the limits to audit, the monthly budget, and the thresholds
/// that decide when a difference is drift rather than noise.
public struct Budget: Sendable, Equatable {
    public var currency = "USD"
    /// Tiers in file order, each with its model patterns (`*` and `?` globs). The first tier whose
    /// pattern matches a model wins; a log's own `tier` field wins over the map.
    public var tiers: [TierPatterns] = []
    /// Routes in file order, one per workflow.
    public var routes: [Route] = []
    public var limits = Limits()
    public var spend: SpendBudget?
    public var thresholds = Thresholds()

    public init() {}

    public struct TierPatterns: Sendable, Equatable {
        public var tier: String
        public var patterns: [String]
    }

    /// How one workflow is meant to route, and its budgeted figures (all optional).
    public struct Route: Sendable, Equatable {
        public var workflow: String
        /// A model or a tier name.
        public var primary: String?
        /// The allowed fallback chain, in order (models or tiers).
        public var fallback: [String] = []
        /// Expected user-level requests (actions) per month.
        public var monthlyRequests: Double?
        public var avgInputTokens: Double?
        public var avgOutputTokens: Double?
        /// Share of actions that used a fallback.
        public var fallbackRate: Double?
        /// Share of actions that needed a retry.
        public var retryRate: Double?
        public var costPerCompletedAction: Money?
        /// Context-size limit for one call.
        public var maxInputTokens: Int64?
        /// Share of actions that touched a premium model (else the limits' default).
        public var maxPremiumShare: Double?

        public init(workflow: String) { self.workflow = workflow }
    }

    public struct Limits: Sendable, Equatable {
        public var maxFallbackAttemptsPerAction: Int?
        /// The default premium-share limit for routes that set none.
        public var maxPremiumShare: Double?
        public var dailySpendPerTier: [String: Money] = [:]
        /// Per team; the key `default` applies to teams not listed.
        public var dailySpendPerTeam: [String: Money] = [:]
        public var perUserPerMinute: Int?
        public var perUserDailyUSD: Money?
        /// Which tiers each user segment may be served by.
        public var segments: [String: [String]] = [:]

        public init() {}
    }

    /// The monthly budget and its allocation.
    public struct SpendBudget: Sendable, Equatable {
        public var monthly: Money
        public var categories: [Category] = []
        /// Month-to-date shares of the budget that raise an alert, ascending (e.g. 0.7, 0.9, 1.0).
        public var alerts: [Double] = [0.7, 0.9, 1.0]

        public struct Category: Sendable, Equatable {
            public var name: String
            /// Share of the monthly budget, 0–1.
            public var share: Double
            public var routes: [String]
        }
    }

    /// When a difference is reported as drift. Every value has a documented default and can be set in
    /// the budget file under `thresholds:`.
    public struct Thresholds: Sendable, Equatable {
        /// Significance level after Benjamini–Hochberg correction over all tests of one report.
        public var alpha = 0.05
        /// A test with p below this (but not significant) is shown as "watch".
        public var watchAlpha = 0.10
        /// A rate is material when it exceeds the budget by this relative amount …
        public var rateTolerance = 0.25
        /// … or when its excess costs at least this much per month.
        public var materialMonthlyUSD = Money(dollars: 50)
        /// Tests need at least this many expected events (n·p₀).
        public var minExpectedCount = 5.0
        /// Average tokens may exceed the budget by this relative amount before the t-test applies.
        public var tokenTolerance = 0.10
        /// Cost per completed action may exceed the budget by this relative amount.
        public var costTolerance = 0.10
        /// Volume is flagged when actions differ from the prorated budget by more than this share.
        public var volumeTolerance = 0.30
        /// Modified z-score above which a day's spend is an anomaly.
        public var anomalyZ = 3.5
        /// … and only when it is at least this far from the median.
        public var anomalyMinUSD = Money(dollars: 10)
        /// Tiers counted as premium (for premium share).
        public var premiumTiers = ["premium"]
        /// Minimum number of actions in a workflow before any of its rates or averages is judged.
        public var minActions = 30

        public init() {}
    }

    /// The route of a workflow.
    public func route(_ workflow: String) -> Route? { routes.first { $0.workflow == workflow } }

    /// The tier of a model by the tier map (nil when no pattern matches). `canonical` is the price
    /// book's name for the model (without provider prefix or snapshot date), tried after the name itself.
    public func tier(ofModel model: String, canonical: String? = nil) -> String? {
        for name in [model, canonical].compactMap({ $0 }) {
            for t in tiers where t.patterns.contains(where: { Glob.matches($0, name) }) { return t.tier }
        }
        return nil
    }

    /// Whether `name` (a route's primary or fallback entry) names a tier rather than a model.
    public func isTier(_ name: String) -> Bool { tiers.contains { $0.tier == name } }

    /// Whether `model` is allowed on a route: its primary or a fallback, by name (or the price book's
    /// `canonical` name) or by tier.
    public func allows(model: String, canonical: String? = nil, tier: String?, on route: Route) -> Bool {
        let allowed = (route.primary.map { [$0] } ?? []) + route.fallback
        let names = [model, canonical].compactMap { $0 }
        return allowed.contains { entry in
            names.contains { entry == $0 || Glob.matches(entry, $0) } || (isTier(entry) && entry == tier)
        }
    }

    /// The premium-share limit of a route.
    public func maxPremiumShare(for route: Route) -> Double? { route.maxPremiumShare ?? limits.maxPremiumShare }

    /// The daily cap of a team: its own, else `default`.
    public func dailyCap(team: String) -> Money? { limits.dailySpendPerTeam[team] ?? limits.dailySpendPerTeam["default"] }
}

/// Shell-style patterns: `*` matches any run of characters, `?` one character; everything else
/// literally.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
