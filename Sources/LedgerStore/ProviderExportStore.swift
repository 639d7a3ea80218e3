import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Reads the stored provider usage rows and cost lines (`provider_usage`, `provider_costs`).
public struct ProviderExportStore {
    let db: Database

    /// A reader of `db`.
    public init(db: Database) { self.db = db }

    /// Whether any usage row or cost line has its bucket start in `interval`.
    public func hasRows(in interval: Range<Timestamp>) throws -> Bool {
        let s = try db.prepare("""
            SELECT EXISTS(SELECT 1 FROM provider_usage WHERE bucket_start_ms >= ?1 AND bucket_start_ms < ?2)
                OR EXISTS(SELECT 1 FROM provider_costs WHERE bucket_start_ms >= ?1 AND bucket_start_ms < ?2)
            """)
        s.bind(interval.lowerBound.milliseconds, at: 1)
        s.bind(interval.upperBound.milliseconds, at: 2)
        return try s.step() && s.int64(0) != 0
    }

    /// Usage rows whose bucket starts in `interval`, in time order.
    public func usage(in interval: Range<Timestamp>) throws -> [ProviderUsageRecord] {
        let s = try db.prepare("""
            SELECT provider, export, bucket_start_ms, bucket_end_ms, model, project, api_key, user_id, batch, service_tier,
                   context_window, inference_geo, speed, record_id, requests, uncached_input_tokens, cached_input_tokens,
                   cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, web_search_requests, source_id
            FROM provider_usage WHERE bucket_start_ms >= ? AND bucket_start_ms < ? ORDER BY bucket_start_ms, id
            """)
        s.bind(interval.lowerBound.milliseconds, at: 1)
        s.bind(interval.upperBound.milliseconds, at: 2)
        var out: [ProviderUsageRecord] = []
        while try s.step() {
            var r = ProviderUsageRow(provider: s.text(0) ?? "", export: ProviderExportKind(rawValue: s.text(1) ?? "") ?? .api,
                                     bucketStart: Timestamp(milliseconds: s.int64(2)), bucketEnd: Timestamp(milliseconds: s.int64(3)))
            r.model = s.text(4)
            r.project = s.text(5)
            r.apiKey = s.text(6)
            r.user = s.text(7)
            r.batch = s.optionalInt64(8).map { $0 != 0 }
            r.serviceTier = s.text(9)
            r.contextWindow = s.text(10)
            r.inferenceGeo = s.text(11)
            r.speed = s.text(12)
            r.recordID = s.text(13)
            r.requests = s.optionalInt64(14)
            r.uncachedInputTokens = s.int64(15)
            r.cachedInputTokens = s.int64(16)
            r.cacheWrite5mTokens = s.int64(17)
            r.cacheWrite1hTokens = s.int64(18)
            r.outputTokens = s.int64(19)
            r.reasoningTokens = s.int64(20)
            r.webSearchRequests = s.int64(21)
            out.append(ProviderUsageRecord(r, sourceID: s.int64(22)))
        }
        return out
    }

    /// Cost lines whose bucket starts in `interval`, in time order.
    public func costs(in interval: Range<Timestamp>) throws -> [ProviderCostRecord] {
        let s = try db.prepare("""
            SELECT provider, export, bucket_start_ms, bucket_end_ms, model, project, api_key, line_item, cost_type, token_type,
                   charge_category, service_tier, context_window, inference_geo, speed, quantity, quantity_unit, quantity_tokens,
                   amount, amount_text, currency, list_amount, record_id, source_id, contracted_amount, effective_amount,
                   service_name, sku_id, sku_price_details, cloud_extra
            FROM provider_costs WHERE bucket_start_ms >= ? AND bucket_start_ms < ? ORDER BY bucket_start_ms, id
            """)
        s.bind(interval.lowerBound.milliseconds, at: 1)
        s.bind(interval.upperBound.milliseconds, at: 2)
        var out: [ProviderCostRecord] = []
        while try s.step() {
            var c = ProviderCostRow(provider: s.text(0) ?? "", export: ProviderExportKind(rawValue: s.text(1) ?? "") ?? .api,
                                    bucketStart: Timestamp(milliseconds: s.int64(2)), bucketEnd: Timestamp(milliseconds: s.int64(3)),
                                    category: ChargeCategory(rawValue: s.text(10) ?? "") ?? .other, amount: Money(picos: s.int64(18)),
                                    amountText: s.text(19) ?? "", currency: s.text(20) ?? "USD")
            c.model = s.text(4)
            c.project = s.text(5)
            c.apiKey = s.text(6)
            c.lineItem = s.text(7)
            c.costType = s.text(8)
            c.tokenKind = s.text(9).flatMap(ProviderTokenKind.init(rawValue:))
            c.serviceTier = s.text(11)
            c.contextWindow = s.text(12)
            c.inferenceGeo = s.text(13)
            c.speed = s.text(14)
            c.quantityText = s.text(15)
            c.quantityUnit = s.text(16)
            c.quantityTokens = s.optionalInt64(17)
            c.listAmount = s.optionalInt64(21).map { Money(picos: $0) }
            c.recordID = s.text(22)
            if c.export == .focus {
                var cloud = CloudCosts()
                cloud.contracted = s.optionalInt64(24).map { Money(picos: $0) }
                cloud.effective = s.optionalInt64(25).map { Money(picos: $0) }
                cloud.serviceName = s.text(26)
                cloud.skuID = s.text(27)
                cloud.skuPriceDetails = s.text(28)
                cloud.extra = s.text(29)
                c.cloud = cloud
            }
            out.append(ProviderCostRecord(c, sourceID: s.int64(23)))
        }
        return out
    }

    /// The first and last UTC day with provider rows (of `provider`, or any), or nil when there are none.
    public func dataSpan(provider: String? = nil) throws -> ClosedRange<CivilDate>? {
        var lo: Int64?, hi: Int64?
        for table in ["provider_usage", "provider_costs"] {
            let s = try db.prepare("SELECT min(bucket_start_ms), max(bucket_start_ms) FROM \(table) WHERE ?1 IS NULL OR provider = ?1")
            s.bind(provider, at: 1)
            if try s.step(), let a = s.optionalInt64(0), let b = s.optionalInt64(1) {
                lo = min(lo ?? a, a)
                hi = max(hi ?? b, b)
            }
        }
        guard let lo, let hi else { return nil }
        return Timestamp(milliseconds: lo).utcDay...Timestamp(milliseconds: hi).utcDay
    }

    /// The paths of the sources that stored provider rows.
    public func sourcePaths() throws -> [Int64: String] {
        let s = try db.prepare("""
            SELECT id, path FROM sources WHERE id IN (SELECT source_id FROM provider_usage UNION SELECT source_id FROM provider_costs)
            """)
        var out: [Int64: String] = [:]
        while try s.step() { out[s.int64(0)] = s.text(1) ?? "" }
        return out
    }
}
