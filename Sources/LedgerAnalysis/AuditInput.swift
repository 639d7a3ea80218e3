import Foundation
import LedgerPricing
import LedgerValues

/// Actions as the audit reads them: the facts kept at import (see `actions`), for ``count`` actions
/// that are alike in everything the audit tells apart — the period of their first call, workflow, team,
/// segment, outcome, models used, fallbacks, retries and whether a call was unpriced. `calls`, `cost`,
/// `failedCost` and `unpricedCalls` are sums over them.
public struct ActionRow: Sendable, Equatable {
    /// The row id of the first of the actions (that of its first request); ``AuditInput/extraModels`` is
    /// keyed by it (an action that used a model above id 61 is always a row of its own).
    public var key: Int64
    public var firstRequest: Int64
    /// How many actions the row stands for.
    public var count: Int64
    public var workflowID: Int64?
    public var teamID: Int64?
    public var segmentID: Int64?
    public var calls: Int64
    public var retries: Int64
    public var fallbacks: Int64
    /// Bit m set when the action used the model with id m (1…61); bit 62 stands for larger ids.
    public var modelMask: Int64
    public var cost: Int64
    public var failedCost: Int64
    public var unpricedCalls: Int64
    public var outcome: ActionOutcome

    public var firstCall: Timestamp { RowID.timestamp(firstRequest) }

    public init(key: Int64, firstRequest: Int64, workflowID: Int64?, teamID: Int64?, segmentID: Int64?,
                calls: Int64, retries: Int64, fallbacks: Int64, modelMask: Int64,
                cost: Int64, failedCost: Int64, unpricedCalls: Int64, outcome: ActionOutcome, count: Int64 = 1) {
        self.key = key
        self.firstRequest = firstRequest
        self.count = count
        self.workflowID = workflowID
        self.teamID = teamID
        self.segmentID = segmentID
        self.calls = calls
        self.retries = retries
        self.fallbacks = fallbacks
        self.modelMask = modelMask
        self.cost = cost
        self.failedCost = failedCost
        self.unpricedCalls = unpricedCalls
        self.outcome = outcome
    }
}

/// Everything one audit report reads, gathered by ``AuditLoader``; the analysis (``Audit``) is a pure
/// function of it.
public struct AuditInput: Sendable {
    public var period: Period
    public var previous: Period
    public var zone: TimeZone
    public var zoneName: String
    public var names: NameDirectory
    public var budget: Budget?
    /// The last call stored (the report's "now"); bounds month-to-date figures.
    public var dataEnd: Timestamp
    /// Usage per local day, from the start of the history window (28 days before the previous period,
    /// and the weeks that weight the burn forecast) to the end of the period.
    public var usage: [(key: UsageDayKey, sums: UsageSums)]
    /// Latency histograms of the period's and the previous period's days.
    public var latency: [(key: LatencyCellKey, calls: Int64)]
    /// Spend per user and local day, for the period and the previous one.
    public var userDays: [(user: Int64, day: CivilDate, sums: UserDaySums)]
    /// Actions whose first call falls in the period or in the previous one, alike ones added up.
    public var actions: [ActionRow]
    /// For actions that used a model with an id above 61: the models they used.
    public var extraModels: [Int64: Set<Int64>]
    /// Calls above each route's `max_input_tokens`, per workflow id (0: unassigned).
    public var callsOverInputLimit: [Int64: Int64]
    /// Users whose calls in one minute exceeded `per_user_per_minute`: (user, minute start, calls).
    public var rateLimitBreaches: [(user: Int64, minute: Timestamp, calls: Int64)]
    /// Unpriced models of the period.
    public var unpriced: [UnpricedModel]
    /// The price book's name for each logged model (`anthropic/claude-haiku-4-5` → `claude-haiku-4-5`),
    /// so that the budget's tier patterns and route chains match every spelling of a model.
    public var canonicalModels: [Int64: String] = [:]
    /// The logged models grouped by the price book's identity, for the tables and flags by model (nil:
    /// every logged name a model of its own).
    public var modelGroups: ModelGrouping? = nil
    /// The part of ``latency`` that is batch calls (hours by design): reported apart, so that interactive
    /// latency is not their mix.
    public var batchLatency: [(key: LatencyCellKey, calls: Int64)] = []

    /// Every stored property, as the memberwise initializer takes them.
    public init(period: Period, previous: Period, zone: TimeZone, zoneName: String, names: NameDirectory, budget: Budget? = nil, dataEnd: Timestamp, usage: [(key: UsageDayKey, sums: UsageSums)], latency: [(key: LatencyCellKey, calls: Int64)], userDays: [(user: Int64, day: CivilDate, sums: UserDaySums)], actions: [ActionRow], extraModels: [Int64: Set<Int64>], callsOverInputLimit: [Int64: Int64], rateLimitBreaches: [(user: Int64, minute: Timestamp, calls: Int64)], unpriced: [UnpricedModel], canonicalModels: [Int64: String] = [:], modelGroups: ModelGrouping? = nil, batchLatency: [(key: LatencyCellKey, calls: Int64)] = []) {
        self.period = period
        self.previous = previous
        self.zone = zone
        self.zoneName = zoneName
        self.names = names
        self.budget = budget
        self.dataEnd = dataEnd
        self.usage = usage
        self.latency = latency
        self.userDays = userDays
        self.actions = actions
        self.extraModels = extraModels
        self.callsOverInputLimit = callsOverInputLimit
        self.rateLimitBreaches = rateLimitBreaches
        self.unpriced = unpriced
        self.canonicalModels = canonicalModels
        self.modelGroups = modelGroups
        self.batchLatency = batchLatency
    }
}
