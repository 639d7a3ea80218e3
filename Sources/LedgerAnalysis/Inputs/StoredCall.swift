import LedgerPricing
import LedgerValues

/// One stored call as read for analysis: ids instead of names, money in picodollars.
public struct StoredCall: Sendable {
    public var rowID: Int64
    public var timestamp: Timestamp { RowID.timestamp(rowID) }
    public var actionKey: Int64
    public var modelID: Int64
    public var workflowID: Int64?
    public var teamID: Int64?
    public var userID: Int64?
    public var segmentID: Int64?
    public var tierID: Int64?
    public var projectID: Int64?
    public var apiKeyID: Int64?
    public var providerID: Int64?
    public var kind: CallKind
    public var status: CallStatus
    public var attempt: Int64?
    public var fallbackReasonID: Int64?
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var cachedInputTokens: Int64
    public var cacheWriteTokens: Int64
    public var cacheWrite1hTokens: Int64
    public var reasoningTokens: Int64
    public var batch: Bool
    public var serviceTier: ServiceTier
    public var latencyMs: Int64?
    public var qualityScore: Double?
    public var gatewayCost: Int64?
    public var priceID: Int64?
    /// Picodollars; nil when unpriced.
    public var cost: Int64?
    /// Audio and image tokens, images, tool uses and price-changing attributes; nil when none.
    public var extras: CallExtras? = nil
    /// The input the call was imported from (`sources.id`).
    public var sourceID: Int64 = 0
    /// The call's metadata (`metadata.id`); nil when it has none.
    public var metadataID: Int64? = nil

    /// What pricing reads of this call (model name aside): its time, tokens, batch and service tier.
    public var pricingRecord: CallRecord {
        var r = CallRecord(requestID: "", timestamp: timestamp, model: "", inputTokens: inputTokens, outputTokens: outputTokens)
        r.cachedInputTokens = cachedInputTokens
        r.cacheWriteTokens = cacheWriteTokens
        r.cacheWrite1hTokens = cacheWrite1hTokens
        r.reasoningTokens = reasoningTokens
        r.batch = batch
        r.serviceTier = serviceTier
        r.extras = extras
        return r
    }

    /// Every stored property, as the memberwise initializer takes them.
    public init(rowID: Int64, actionKey: Int64, modelID: Int64, workflowID: Int64? = nil, teamID: Int64? = nil, userID: Int64? = nil, segmentID: Int64? = nil, tierID: Int64? = nil, projectID: Int64? = nil, apiKeyID: Int64? = nil, providerID: Int64? = nil, kind: CallKind, status: CallStatus, attempt: Int64? = nil, fallbackReasonID: Int64? = nil, inputTokens: Int64, outputTokens: Int64, cachedInputTokens: Int64, cacheWriteTokens: Int64, cacheWrite1hTokens: Int64, reasoningTokens: Int64, batch: Bool, serviceTier: ServiceTier, latencyMs: Int64? = nil, qualityScore: Double? = nil, gatewayCost: Int64? = nil, priceID: Int64? = nil, cost: Int64? = nil, extras: CallExtras? = nil, sourceID: Int64 = 0, metadataID: Int64? = nil) {
        self.rowID = rowID
        self.actionKey = actionKey
        self.modelID = modelID
        self.workflowID = workflowID
        self.teamID = teamID
        self.userID = userID
        self.segmentID = segmentID
        self.tierID = tierID
        self.projectID = projectID
        self.apiKeyID = apiKeyID
        self.providerID = providerID
        self.kind = kind
        self.status = status
        self.attempt = attempt
        self.fallbackReasonID = fallbackReasonID
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheWrite1hTokens = cacheWrite1hTokens
        self.reasoningTokens = reasoningTokens
        self.batch = batch
        self.serviceTier = serviceTier
        self.latencyMs = latencyMs
        self.qualityScore = qualityScore
        self.gatewayCost = gatewayCost
        self.priceID = priceID
        self.cost = cost
        self.extras = extras
        self.sourceID = sourceID
        self.metadataID = metadataID
    }
}

/// Reads stored calls. Row ids order calls by time, so a period is one range of ids.
