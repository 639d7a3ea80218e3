import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Stores provider usage rows and cost lines, each under its natural key.
///
/// - A key not stored yet is inserted.
/// - A key stored from **another input** (an earlier download of the same bucket) is replaced: the last
///   download wins, so the same bucket from two downloads is counted once.
/// - A key stored from **the same input** is added to: two rows of one export that share a bucket and every
///   grouping value are separate usage (OpenAI's dashboard export writes such pairs, and its cost export
///   bills their sum). Per-request rows (with a record id) are one request, so a repeat replaces.
///
/// All writes happen inside the caller's transaction.
final class ProviderExportWriter {
    let db: Database
    let book: PriceBook
    private let findUsage: Statement
    private let upsertUsage: Statement
    private let addUsage: Statement
    private let findCost: Statement
    private let upsertCost: Statement
    private let addCost: Statement

    /// What became of one row.
    enum Outcome: Equatable {
        /// A new key.
        case inserted
        /// The key was stored from an earlier input (or is one request seen again); the row replaced it.
        case replaced
        /// The key was stored from an earlier row of the same input; the row's counts were added to it.
        case added
    }

    init(db: Database, book: PriceBook) throws {
        self.db = db
        self.book = book
        findUsage = try db.prepare("SELECT source_id FROM provider_usage WHERE natural_key = ?")
        findCost = try db.prepare("SELECT source_id FROM provider_costs WHERE natural_key = ?")
        // Counts add up; a request count stays NULL only when neither row has one.
        addUsage = try db.prepare("""
            UPDATE provider_usage SET
                requests = CASE WHEN requests IS NULL AND ?2 IS NULL THEN NULL ELSE coalesce(requests, 0) + coalesce(?2, 0) END,
                input_tokens = input_tokens + ?3, uncached_input_tokens = uncached_input_tokens + ?4,
                cached_input_tokens = cached_input_tokens + ?5, cache_write_5m_tokens = cache_write_5m_tokens + ?6,
                cache_write_1h_tokens = cache_write_1h_tokens + ?7, output_tokens = output_tokens + ?8,
                reasoning_tokens = reasoning_tokens + ?9, web_search_requests = web_search_requests + ?10
            WHERE natural_key = ?1
            """)
        // Amounts add up exactly; the exported texts of both rows are kept, joined by ` + `; a quantity in
        // tokens or a list amount stays known only while every row has one.
        addCost = try db.prepare("""
            UPDATE provider_costs SET
                amount = amount + ?2, amount_text = amount_text || ' + ' || ?3,
                list_amount = CASE WHEN list_amount IS NULL OR ?4 IS NULL THEN NULL ELSE list_amount + ?4 END,
                quantity = CASE WHEN quantity IS NULL AND ?5 IS NULL THEN NULL ELSE coalesce(quantity, '') || ' + ' || coalesce(?5, '') END,
                quantity_tokens = CASE WHEN quantity_tokens IS NULL OR ?6 IS NULL THEN NULL ELSE quantity_tokens + ?6 END,
                contracted_amount = CASE WHEN contracted_amount IS NULL OR ?7 IS NULL THEN NULL ELSE contracted_amount + ?7 END,
                effective_amount = CASE WHEN effective_amount IS NULL OR ?8 IS NULL THEN NULL ELSE effective_amount + ?8 END
            WHERE natural_key = ?1
            """)
        upsertUsage = try db.prepare("""
            INSERT INTO provider_usage(natural_key, provider, export, bucket_start_ms, bucket_end_ms, model, model_key,
                project, api_key, user_id, batch, service_tier, context_window, inference_geo, speed, record_id, requests,
                input_tokens, uncached_input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                output_tokens, reasoning_tokens, web_search_requests, source_id, line)
            VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
                ?24, ?25, ?26, ?27)
            ON CONFLICT(natural_key) DO UPDATE SET
                provider = excluded.provider, export = excluded.export, bucket_start_ms = excluded.bucket_start_ms,
                bucket_end_ms = excluded.bucket_end_ms, model = excluded.model, model_key = excluded.model_key,
                project = excluded.project, api_key = excluded.api_key, user_id = excluded.user_id, batch = excluded.batch,
                service_tier = excluded.service_tier, context_window = excluded.context_window,
                inference_geo = excluded.inference_geo, speed = excluded.speed, record_id = excluded.record_id,
                requests = excluded.requests, input_tokens = excluded.input_tokens,
                uncached_input_tokens = excluded.uncached_input_tokens, cached_input_tokens = excluded.cached_input_tokens,
                cache_write_5m_tokens = excluded.cache_write_5m_tokens, cache_write_1h_tokens = excluded.cache_write_1h_tokens,
                output_tokens = excluded.output_tokens, reasoning_tokens = excluded.reasoning_tokens,
                web_search_requests = excluded.web_search_requests, source_id = excluded.source_id, line = excluded.line
            """)
        upsertCost = try db.prepare("""
            INSERT INTO provider_costs(natural_key, provider, export, bucket_start_ms, bucket_end_ms, model, model_key,
                project, api_key, line_item, cost_type, token_type, charge_category, service_tier, context_window,
                inference_geo, speed, quantity, quantity_unit, quantity_tokens, amount, amount_text, currency, list_amount,
                record_id, source_id, line, contracted_amount, effective_amount, service_name, sku_id, sku_price_details,
                cloud_extra)
            VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
                ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)
            ON CONFLICT(natural_key) DO UPDATE SET
                provider = excluded.provider, export = excluded.export, bucket_start_ms = excluded.bucket_start_ms,
                bucket_end_ms = excluded.bucket_end_ms, model = excluded.model, model_key = excluded.model_key,
                project = excluded.project, api_key = excluded.api_key, line_item = excluded.line_item,
                cost_type = excluded.cost_type, token_type = excluded.token_type, charge_category = excluded.charge_category,
                service_tier = excluded.service_tier, context_window = excluded.context_window,
                inference_geo = excluded.inference_geo, speed = excluded.speed, quantity = excluded.quantity,
                quantity_unit = excluded.quantity_unit, quantity_tokens = excluded.quantity_tokens, amount = excluded.amount,
                amount_text = excluded.amount_text, currency = excluded.currency, list_amount = excluded.list_amount,
                record_id = excluded.record_id, source_id = excluded.source_id, line = excluded.line,
                contracted_amount = excluded.contracted_amount, effective_amount = excluded.effective_amount,
                service_name = excluded.service_name, sku_id = excluded.sku_id,
                sku_price_details = excluded.sku_price_details, cloud_extra = excluded.cloud_extra
            """)
    }

    /// The input a stored key came from, or nil when the key is new.
    private func storedSource(_ find: Statement, _ key: String) throws -> Int64? {
        find.reset()
        find.bind(key, at: 1)
        defer { find.reset() }
        return try find.step() ? find.int64(0) : nil
    }

    /// What to do with a row of `key` from `sourceID`.
    private func outcome(_ find: Statement, key: String, sourceID: Int64, isRequest: Bool) throws -> Outcome {
        guard let stored = try storedSource(find, key) else { return .inserted }
        return stored == sourceID && !isRequest ? .added : .replaced
    }

    /// Stores one usage row.
    @discardableResult
    func write(_ r: ProviderUsageRow, sourceID: Int64, line: Int) throws -> Outcome {
        let key = r.naturalKey
        let outcome = try outcome(findUsage, key: key, sourceID: sourceID, isRequest: r.recordID != nil)
        if outcome == .added {
            let a = addUsage
            a.reset()
            a.bind(key, at: 1)
            a.bind(r.requests, at: 2)
            a.bind(r.inputTokens, at: 3)
            a.bind(r.uncachedInputTokens, at: 4)
            a.bind(r.cachedInputTokens, at: 5)
            a.bind(r.cacheWrite5mTokens, at: 6)
            a.bind(r.cacheWrite1hTokens, at: 7)
            a.bind(r.outputTokens, at: 8)
            a.bind(r.reasoningTokens, at: 9)
            a.bind(r.webSearchRequests, at: 10)
            try a.step()
            return outcome
        }
        let s = upsertUsage
        s.reset()
        s.bind(key, at: 1)
        s.bind(r.provider, at: 2)
        s.bind(r.export.rawValue, at: 3)
        s.bind(r.bucketStart.milliseconds, at: 4)
        s.bind(r.bucketEnd.milliseconds, at: 5)
        s.bind(r.model, at: 6)
        s.bind(r.model.map(book.comparisonKey(for:)), at: 7)
        s.bind(r.project, at: 8)
        s.bind(r.apiKey, at: 9)
        s.bind(r.user, at: 10)
        s.bind(r.batch.map { Int64($0 ? 1 : 0) }, at: 11)
        s.bind(r.serviceTier, at: 12)
        s.bind(r.contextWindow, at: 13)
        s.bind(r.inferenceGeo, at: 14)
        s.bind(r.speed, at: 15)
        s.bind(r.recordID, at: 16)
        s.bind(r.requests, at: 17)
        s.bind(r.inputTokens, at: 18)
        s.bind(r.uncachedInputTokens, at: 19)
        s.bind(r.cachedInputTokens, at: 20)
        s.bind(r.cacheWrite5mTokens, at: 21)
        s.bind(r.cacheWrite1hTokens, at: 22)
        s.bind(r.outputTokens, at: 23)
        s.bind(r.reasoningTokens, at: 24)
        s.bind(r.webSearchRequests, at: 25)
        s.bind(sourceID, at: 26)
        s.bind(Int64(line), at: 27)
        try s.step()
        return outcome
    }

    /// Stores one cost line.
    @discardableResult
    func write(_ c: ProviderCostRow, sourceID: Int64, line: Int) throws -> Outcome {
        let key = c.naturalKey
        let outcome = try outcome(findCost, key: key, sourceID: sourceID, isRequest: c.recordID != nil)
        if outcome == .added {
            let a = addCost
            a.reset()
            a.bind(key, at: 1)
            a.bind(c.amount.int64Picos, at: 2)
            a.bind(c.amountText, at: 3)
            a.bind(c.listAmount?.int64Picos, at: 4)
            a.bind(c.quantityText, at: 5)
            a.bind(c.quantityTokens, at: 6)
            a.bind(c.cloud?.contracted?.int64Picos, at: 7)
            a.bind(c.cloud?.effective?.int64Picos, at: 8)
            try a.step()
            return outcome
        }
        let s = upsertCost
        s.reset()
        s.bind(key, at: 1)
        s.bind(c.provider, at: 2)
        s.bind(c.export.rawValue, at: 3)
        s.bind(c.bucketStart.milliseconds, at: 4)
        s.bind(c.bucketEnd.milliseconds, at: 5)
        s.bind(c.model, at: 6)
        s.bind(c.model.map(book.comparisonKey(for:)), at: 7)
        s.bind(c.project, at: 8)
        s.bind(c.apiKey, at: 9)
        s.bind(c.lineItem, at: 10)
        s.bind(c.costType, at: 11)
        s.bind(c.tokenKind?.rawValue, at: 12)
        s.bind(c.category.rawValue, at: 13)
        s.bind(c.serviceTier, at: 14)
        s.bind(c.contextWindow, at: 15)
        s.bind(c.inferenceGeo, at: 16)
        s.bind(c.speed, at: 17)
        s.bind(c.quantityText, at: 18)
        s.bind(c.quantityUnit, at: 19)
        s.bind(c.quantityTokens, at: 20)
        s.bind(c.amount.int64Picos, at: 21)
        s.bind(c.amountText, at: 22)
        s.bind(c.currency, at: 23)
        s.bind(c.listAmount?.int64Picos, at: 24)
        s.bind(c.recordID, at: 25)
        s.bind(sourceID, at: 26)
        s.bind(Int64(line), at: 27)
        s.bind(c.cloud?.contracted?.int64Picos, at: 28)
        s.bind(c.cloud?.effective?.int64Picos, at: 29)
        s.bind(c.cloud?.serviceName, at: 30)
        s.bind(c.cloud?.skuID, at: 31)
        s.bind(c.cloud?.skuPriceDetails, at: 32)
        s.bind(c.cloud?.extra, at: 33)
        try s.step()
        return outcome
    }
}
