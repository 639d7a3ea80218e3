import Foundation
import LedgerPricing
import LedgerValues

/// One logged call as the what-if reads it: what prices it, what it cost, and what it says about quality.
public struct WhatIfCall: Sendable, Equatable {
    /// The stored row id (it orders calls by time; `rowID >> 20` is the time in milliseconds).
    public var rowID: Int64
    public var modelID: Int64
    public var workflowID: Int64?
    /// The tier the log itself named, if any.
    public var tierID: Int64?
    public var kind: CallKind
    public var status: CallStatus
    /// All input, cached reads and cache writes included.
    public var inputTokens: Int64
    /// All output, reasoning included.
    public var outputTokens: Int64
    public var cachedInputTokens: Int64 = 0
    public var cacheWriteTokens: Int64 = 0
    public var cacheWrite1hTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    public var batch = false
    public var serviceTier = ServiceTier.standard
    /// What the call was billed at, in picodollars; nil when unpriced.
    public var cost: Int64?
    /// The call's `quality_score` (0–1), from the log's own field or its `metadata`.
    public var qualityScore: Double?
    /// Whether the answer had to be corrected (`metadata.corrected`), when the log says.
    public var corrected: Bool?
    /// Audio and image tokens, tool uses and price-changing attributes; re-priced with the tokens.
    public var extras: CallExtras?

    public init(rowID: Int64, modelID: Int64, workflowID: Int64? = nil, tierID: Int64? = nil, kind: CallKind = .primary,
                status: CallStatus = .ok, inputTokens: Int64, outputTokens: Int64, cost: Int64?) {
        self.rowID = rowID
        self.modelID = modelID
        self.workflowID = workflowID
        self.tierID = tierID
        self.kind = kind
        self.status = status
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
    }

    /// The call as stored.
    public init(_ c: StoredCall, corrected: Bool? = nil) {
        self.init(rowID: c.rowID, modelID: c.modelID, workflowID: c.workflowID, tierID: c.tierID, kind: c.kind,
                  status: c.status, inputTokens: c.inputTokens, outputTokens: c.outputTokens, cost: c.cost)
        cachedInputTokens = c.cachedInputTokens
        cacheWriteTokens = c.cacheWriteTokens
        cacheWrite1hTokens = c.cacheWrite1hTokens
        reasoningTokens = c.reasoningTokens
        batch = c.batch
        serviceTier = c.serviceTier
        qualityScore = c.qualityScore
        extras = c.extras
        self.corrected = corrected
    }

    public var timestamp: Timestamp { RowID.timestamp(rowID) }

    /// Primary, retry and fallback calls: the ones a scenario moves. Classifier and validation calls stay.
    public var isGeneration: Bool { kind == .primary || kind == .retry || kind == .fallback }

    /// What pricing reads of this call, for `model`.
    func record(model: String) -> CallRecord {
        var r = CallRecord(requestID: "", timestamp: timestamp, model: model, inputTokens: inputTokens, outputTokens: outputTokens)
        r.cachedInputTokens = cachedInputTokens
        r.cacheWriteTokens = cacheWriteTokens
        r.cacheWrite1hTokens = cacheWrite1hTokens
        r.reasoningTokens = reasoningTokens
        r.batch = batch
        r.serviceTier = serviceTier
        r.extras = extras
        return r
    }
}

/// One action (the calls behind one user-level request) with its calls in the period, in time order.
public struct WhatIfAction: Sendable, Equatable {
    public var key: Int64
    /// The action's workflow (that of its first call); nil: unassigned.
    public var workflowID: Int64?
    public var segmentID: Int64?
    /// Whether the action's first call falls in the period: only then is it one of the period's actions
    /// (its calls in the period count towards the bill either way).
    public var startsInPeriod: Bool
    public var outcome: ActionOutcome
    public var calls: [WhatIfCall]

    public init(key: Int64, workflowID: Int64?, segmentID: Int64? = nil, startsInPeriod: Bool = true,
                outcome: ActionOutcome = .completed, calls: [WhatIfCall]) {
        self.key = key
        self.workflowID = workflowID
        self.segmentID = segmentID
        self.startsInPeriod = startsInPeriod
        self.outcome = outcome
        self.calls = calls
    }

    /// The first generation call: the primary attempt (else the first retry or fallback logged).
    public var firstGeneration: WhatIfCall? {
        calls.first { $0.kind == .primary } ?? calls.first { $0.isGeneration }
    }
}

/// What a what-if needs besides the actions: the period, the names behind ids, the book the calls were
/// billed with and the routing table in force.
public struct WhatIfContext: Sendable {
    public var period: Period
    public var zoneName: String
    public var names: NameDirectory
    /// The price book in use (the stored one); it names models and prices the calls a scenario moves.
    public var book: PriceBook
    /// The routing table in force, for its tier map, premium tiers, budgeted rates and routes.
    public var baseline: Budget?
    /// The price book's name for each model id (`openai/gpt-4o-mini` → `gpt-4o-mini`).
    public var canonical: [Int64: String]

    public init(period: Period, zoneName: String, names: NameDirectory, book: PriceBook, baseline: Budget? = nil) {
        self.period = period
        self.zoneName = zoneName
        self.names = names
        self.book = book
        self.baseline = baseline
        var canonical: [Int64: String] = [:]
        for (id, name) in names.all(.model) { canonical[id] = book.match(name)?.model ?? name }
        self.canonical = canonical
    }

    /// The name of a workflow id; `unassigned` for none.
    public func workflowName(_ id: Int64?) -> String { names.name(.workflow, id) ?? WhatIfContext.unassigned }

    /// The price book's name for a model id.
    public func model(_ id: Int64) -> String { canonical[id] ?? names.name(.model, id) ?? "model #\(id)" }

    /// The price book's name for a model named in a scenario (`openai/gpt-4o-mini` → `gpt-4o-mini`).
    public func canonicalName(_ model: String, prices: PriceBook?) -> String {
        book.match(model)?.model ?? prices?.match(model)?.model ?? model
    }

    /// The workflow name of calls and actions without one.
    public static let unassigned = "unassigned"
}
