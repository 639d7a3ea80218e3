/// The logged calls of a period added up per UTC day, provider, model, project, API key, batch and
/// service tier: the routing-log side of reconciliation. Rate-limited calls are left out (providers do
/// not count or bill them).
enum LoggedUsageQuery {
    static let sql = """
        SELECT (r.id >> 20) / 86400000, pv.name, m.name, pj.name, ak.name, r.batch, r.service_tier,
               count(*), sum(r.input_tokens), sum(r.cached_input_tokens), sum(r.cache_write_tokens),
               sum(r.cache_write_1h_tokens), sum(r.output_tokens), sum(r.reasoning_tokens),
               coalesce(sum(r.cost), 0), sum(r.cost IS NULL),
               sum(r.gateway_cost IS NOT NULL), coalesce(sum(r.gateway_cost), 0),
               coalesce(sum(CASE WHEN r.gateway_cost IS NOT NULL THEN r.cost END), 0),
               sum(r.gateway_cost IS NOT NULL AND r.cost IS NULL),
               sum(CASE WHEN r.cost IS NULL THEN r.input_tokens ELSE 0 END),
               sum(CASE WHEN r.cost IS NULL THEN r.cached_input_tokens ELSE 0 END),
               sum(CASE WHEN r.cost IS NULL THEN r.cache_write_tokens ELSE 0 END),
               sum(CASE WHEN r.cost IS NULL THEN r.cache_write_1h_tokens ELSE 0 END),
               sum(CASE WHEN r.cost IS NULL THEN r.output_tokens ELSE 0 END),
               sum(CASE WHEN r.cost IS NULL THEN r.reasoning_tokens ELSE 0 END),
               group_concat(CASE WHEN r.cost IS NOT NULL THEN r.extras END, char(30))
        FROM requests r
        JOIN models m ON m.id = r.model_id
        LEFT JOIN providers pv ON pv.id = r.provider_id
        LEFT JOIN projects pj ON pj.id = r.project_id
        LEFT JOIN api_keys ak ON ak.id = r.api_key_id
        WHERE r.id BETWEEN ? AND ? AND r.status != \(CallStatus.rateLimited.rawValue)
        GROUP BY 1, r.provider_id, r.model_id, r.project_id, r.api_key_id, r.batch, r.service_tier
        ORDER BY 1
        """

    /// The groups of the calls made in `interval`.
    static func groups(db: Database, in interval: Range<Timestamp>) throws -> [LoggedUsageGroup] {
        let s = try db.prepare(sql)
        let ids = RowID.range(interval)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var out: [LoggedUsageGroup] = []
        while try s.step() {
            var g = LoggedUsageGroup(day: CivilDate(daysSinceEpoch: Int(s.int64(0))), provider: s.text(1), model: s.text(2) ?? "")
            g.project = s.text(3)
            g.apiKey = s.text(4)
            g.batch = s.int64(5) != 0
            g.serviceTier = ServiceTier(rawValue: Int(s.int64(6))) ?? .standard
            g.requests = s.int64(7)
            g.inputTokens = s.int64(8)
            g.cachedInputTokens = s.int64(9)
            g.cacheWrite5mTokens = s.int64(10)
            g.cacheWrite1hTokens = s.int64(11)
            g.outputTokens = s.int64(12)
            g.reasoningTokens = s.int64(13)
            g.cost = Money(picos: s.int64(14))
            g.unpricedRequests = s.int64(15)
            g.gatewayRequests = s.int64(16)
            g.gatewayCost = Money(picos: s.int64(17))
            g.gatewayBookCost = Money(picos: s.int64(18))
            g.gatewayUnpriced = s.int64(19)
            g.unpriced = UsageFigures(requests: g.unpricedRequests)
            g.unpriced.inputTokens = s.int64(20)
            g.unpriced.cachedInputTokens = s.int64(21)
            g.unpriced.cacheWrite5mTokens = s.int64(22)
            g.unpriced.cacheWrite1hTokens = s.int64(23)
            g.unpriced.outputTokens = s.int64(24)
            g.unpriced.reasoningTokens = s.int64(25)
            // The extras of the group's priced calls (few calls have any), separated by U+001E.
            for text in (s.text(26) ?? "").split(separator: "\u{1E}") {
                if let extras = CallExtras(storedText: String(text)) { g.toolCalls.merge(extras.toolCalls, uniquingKeysWith: +) }
            }
            out.append(g)
        }
        return out
    }
}

extension ReconciliationInput {
    /// Reads what reconciliation compares for `period` (UTC days): the provider rows whose buckets start
    /// in it and the logged calls made in it, added up.
    ///
    /// - Parameter book: the price book in use (``PriceStore/loadBook(defaultBook:)``), which values the
    ///   providers' usage and matches model names.
    public static func load(db: Database, period: Period, book: PriceBook) throws -> ReconciliationInput {
        let utc = TimeZone(identifier: "UTC")!
        let interval = period.interval(in: utc)
        let store = ProviderExportStore(db: db)
        return try db.readTransaction {
            ReconciliationInput(period: period, usage: try store.usage(in: interval), costs: try store.costs(in: interval),
                                logged: try LoggedUsageQuery.groups(db: db, in: interval), book: book,
                                sourcePaths: try store.sourcePaths())
        }
    }
}

import LedgerValues
import LedgerIngest
import LedgerPricing
import LedgerAnalysis
import Foundation
