import LedgerPricing
import LedgerValues

/// A stored provider usage row, with the input it came from.
public struct ProviderUsageRecord: Sendable, Equatable {
    /// The row as stored.
    public var row: ProviderUsageRow
    /// The `sources` id of the import that stored it last.
    public var sourceID: Int64

    /// A stored row of `sourceID`.
    public init(_ row: ProviderUsageRow, sourceID: Int64 = 0) {
        self.row = row
        self.sourceID = sourceID
    }
}

/// A stored provider cost line, with the input it came from.
public struct ProviderCostRecord: Sendable, Equatable {
    /// The line as stored.
    public var row: ProviderCostRow
    /// The `sources` id of the import that stored it last.
    public var sourceID: Int64

    /// A stored line of `sourceID`.
    public init(_ row: ProviderCostRow, sourceID: Int64 = 0) {
        self.row = row
        self.sourceID = sourceID
    }
}

/// The logged calls of one UTC day and one combination of provider, model, project, API key, batch and
/// service tier, added up (calls that were rate-limited are left out: providers do not count them).
public struct LoggedUsageGroup: Sendable, Equatable {
    /// The UTC day of the calls.
    public var day: CivilDate
    /// The provider as logged; nil when the log does not say (the price book's provider is used).
    public var provider: String?
    /// The model as logged.
    public var model: String
    /// The log's `project` (matched with OpenAI projects and Anthropic workspaces).
    public var project: String?
    /// The log's `api_key_id`.
    public var apiKey: String?
    /// Whether the calls went through a batch API.
    public var batch: Bool = false
    /// The service tier of the calls.
    public var serviceTier: ServiceTier = .standard
    /// Calls (rate-limited ones left out).
    public var requests: Int64 = 0
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
    /// Reasoning tokens (part of output).
    public var reasoningTokens: Int64 = 0
    /// The price-book cost of the priced calls, their tool fees included.
    public var cost: Money = .zero
    /// The billed tool uses of the priced calls, by tool (`web_search`: 12): their fees are part of ``cost``.
    public var toolCalls: [String: Int64] = [:]
    /// Calls the price book could not price.
    public var unpricedRequests: Int64 = 0
    /// The tokens of those calls (part of the counts above), to bound what they may cost.
    public var unpriced = UsageFigures(requests: 0)
    /// Calls that carry the gateway's own cost (`cost_usd`).
    public var gatewayRequests: Int64 = 0
    /// The gateway's cost of those calls.
    public var gatewayCost: Money = .zero
    /// The price-book cost of those same calls (the priced ones).
    public var gatewayBookCost: Money = .zero
    /// Those calls the price book could not price.
    public var gatewayUnpriced: Int64 = 0

    /// An empty group.
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
    /// Provider usage rows (any days; the analysis keeps those of the period).
    public var usage: [ProviderUsageRecord]
    /// Provider cost lines.
    public var costs: [ProviderCostRecord]
    /// The logged calls, added up.
    public var logged: [LoggedUsageGroup]
    /// The price book that values usage (the one stored calls were priced with).
    public var book: PriceBook
    /// The path of each source id, for notes.
    public var sourcePaths: [Int64: String]

    /// Everything to compare for `period`.
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
