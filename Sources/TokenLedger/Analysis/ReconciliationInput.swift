/// A stored provider usage row, with the input it came from.
public struct ProviderUsageRecord: Sendable, Equatable {
    public var row: ProviderUsageRow
    /// The `sources` id of the import that stored it last.
    public var sourceID: Int64

    public init(_ row: ProviderUsageRow, sourceID: Int64 = 0) {
        self.row = row
        self.sourceID = sourceID
    }
}

/// A stored provider cost line, with the input it came from.
public struct ProviderCostRecord: Sendable, Equatable {
    public var row: ProviderCostRow
    /// The `sources` id of the import that stored it last.
    public var sourceID: Int64

    public init(_ row: ProviderCostRow, sourceID: Int64 = 0) {
        self.row = row
        self.sourceID = sourceID
    }
}

/// The logged calls of one UTC day and one combination of provider, model, project, API key, batch and
/// service tier, added up (calls that were rate-limited are left out: providers do not count them).
public struct LoggedUsageGroup: Sendable, Equatable {
    public var day: CivilDate
    /// The provider as logged; nil when the log does not say (the price book's provider is used).
    public var provider: String?
    /// The model as logged.
    public var model: String
    public var project: String?
    public var apiKey: String?
    public var batch: Bool = false
    public var serviceTier: ServiceTier = .standard
    public var requests: Int64 = 0
    /// All input, cache reads and writes included.
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheWrite5mTokens: Int64 = 0
    public var cacheWrite1hTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    /// The price-book cost of the priced calls.
    public var cost: Money = .zero
    /// Calls the price book could not price.
    public var unpricedRequests: Int64 = 0
    /// Calls that carry the gateway's own cost (`cost_usd`).
    public var gatewayRequests: Int64 = 0
    /// The gateway's cost of those calls.
    public var gatewayCost: Money = .zero
    /// The price-book cost of those same calls (the priced ones).
    public var gatewayBookCost: Money = .zero
    /// Those calls the price book could not price.
    public var gatewayUnpriced: Int64 = 0

    public init(day: CivilDate, provider: String?, model: String) {
        self.day = day
        self.provider = provider
        self.model = model
    }
}

/// Everything reconciliation compares for a period: the providers' rows, the logged calls added up, and
/// the price book. Reading it from the database is ``ReconciliationInput/load(db:period:book:)``; the
/// analysis itself (``Reconciliation/run(_:providers:tolerances:asOf:)``) does no I/O.
public struct ReconciliationInput: Sendable {
    /// The UTC days compared.
    public var period: Period
    public var usage: [ProviderUsageRecord]
    public var costs: [ProviderCostRecord]
    public var logged: [LoggedUsageGroup]
    /// The price book that values usage (the one stored calls were priced with).
    public var book: PriceBook
    /// The path of each source id, for notes.
    public var sourcePaths: [Int64: String]

    public init(period: Period, usage: [ProviderUsageRecord], costs: [ProviderCostRecord], logged: [LoggedUsageGroup],
                book: PriceBook, sourcePaths: [Int64: String] = [:]) {
        self.period = period
        self.usage = usage
        self.costs = costs
        self.logged = logged
        self.book = book
        self.sourcePaths = sourcePaths
    }
}
