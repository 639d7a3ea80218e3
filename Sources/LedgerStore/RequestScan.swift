import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

public struct RequestScan {
    let db: Database

    public init(db: Database) { self.db = db }

    static let columns = """
        id, action_key, model_id, workflow_id, team_id, user_id, segment_id, tier_id, project_id, api_key_id,
        provider_id, kind, status, attempt, fallback_reason_id, input_tokens, output_tokens, cached_input_tokens,
        cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier, latency_ms, quality_score,
        gateway_cost, price_id, cost, extras, source_id, metadata_id
        """

    /// How many columns ``columns`` names: the index of the first column a query selects after them.
    static let columnCount = Int32(columns.split(separator: ",").count)


    /// Calls every stored call in the interval (all when nil), in time order.
    public func forEach(in interval: Range<Timestamp>? = nil, _ body: (StoredCall) throws -> Void) throws {
        let range = interval.map(RowID.range) ?? (Int64.min...Int64.max)
        let s = try db.prepare("SELECT \(Self.columns) FROM requests WHERE id BETWEEN ? AND ? ORDER BY id")
        s.bind(range.lowerBound, at: 1)
        s.bind(range.upperBound, at: 2)
        while try s.step() {
            try body(Self.read(s))
        }
    }

    static func read(_ s: Statement) -> StoredCall {
        StoredCall(
            rowID: s.int64(0), actionKey: s.int64(1), modelID: s.int64(2), workflowID: s.optionalInt64(3),
            teamID: s.optionalInt64(4), userID: s.optionalInt64(5), segmentID: s.optionalInt64(6),
            tierID: s.optionalInt64(7), projectID: s.optionalInt64(8), apiKeyID: s.optionalInt64(9),
            providerID: s.optionalInt64(10), kind: CallKind(rawValue: Int(s.int64(11))) ?? .primary,
            status: CallStatus(rawValue: Int(s.int64(12))) ?? .ok, attempt: s.optionalInt64(13),
            fallbackReasonID: s.optionalInt64(14), inputTokens: s.int64(15), outputTokens: s.int64(16),
            cachedInputTokens: s.int64(17), cacheWriteTokens: s.int64(18), cacheWrite1hTokens: s.int64(19),
            reasoningTokens: s.int64(20), batch: s.int64(21) != 0,
            serviceTier: ServiceTier(rawValue: Int(s.int64(22))) ?? .standard, latencyMs: s.optionalInt64(23),
            qualityScore: s.optionalInt64(24).map(QualityScore.read), gatewayCost: s.optionalInt64(25),
            priceID: s.optionalInt64(26), cost: s.optionalInt64(27), extras: s.text(28).flatMap(CallExtras.init(storedText:)),
            sourceID: s.int64(29), metadataID: s.optionalInt64(30))
    }

    /// The first and last day (UTC) with stored calls.
    public func dataSpan() throws -> ClosedRange<Timestamp>? {
        guard let lo = try db.scalarInt("SELECT min(id) FROM requests"),
              let hi = try db.scalarInt("SELECT max(id) FROM requests") else { return nil }
        return RowID.timestamp(lo)...RowID.timestamp(hi)
    }
}

