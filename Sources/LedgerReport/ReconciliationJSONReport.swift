import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders a ``ReconciliationResult`` as JSON (`docs/report-json.md`, section "reconcile"): ordered keys,
/// money as exact decimal strings in fields ending `_usd`, days as `YYYY-MM-DD`.
public enum ReconciliationJSONReport {
    /// The schema name and version written in every document.
    public static let schema = "tokenledger.reconcile/1"

    /// The document, pretty-printed, with a final newline.
    public static func render(_ r: ReconciliationResult) -> String {
        let doc: [(String, JSONOutput)] = [
            ("schema", .string(schema)),
            ("period", .object([("from", .string(r.period.first.description)), ("to", .string(r.period.last.description))])),
            ("as_of", .string(r.asOf.iso8601)),
            ("tolerances", tolerances(r.tolerances)),
            ("within_tolerance", .bool(r.withinTolerance)),
            ("covered_days", .array(r.coveredDays.map { .string($0.description) })),
            ("totals", totals(r.totals)),
            ("providers", .array(r.providers.map(provider))),
            ("top_days", .array(r.topDays.map(ranking))),
            ("top_models", .array(r.topModels.map(ranking))),
            ("cells", .array(r.cells.map(cell))),
            ("price_drift", .array(r.priceDrift.map(drift))),
            ("gateway_cost", .array(r.gateway.map(gateway))),
            ("tool_fees", .array(r.toolFees.map(toolFees))),
            ("non_usage", .array(r.nonUsage.map(nonUsage))),
            ("notes", .array(r.notes.map { .string($0) })),
        ]
        return JSONOutput.object(doc).render()
    }

    static func tolerances(_ t: ReconciliationTolerances) -> JSONOutput {
        .object([
            ("requests", .int(t.requests)),
            ("tokens", .int(t.tokens)),
            ("cell_cost_usd", .money(t.cellCost)),
            ("cell_cost_ppm", .int(t.cellCostPartsPerMillion)),
            ("total_ppm", .int(t.totalPartsPerMillion)),
            ("open_hours", .int(t.openHours)),
        ])
    }

    static func classes(_ g: GapAmounts) -> JSONOutput {
        .object(g.sorted.map { ($0.0.rawValue, .money($0.1)) })
    }

    /// What unpriced logged calls may cost: `low`, `estimate` (the unpriced class), `high`; null without any.
    static func range(_ u: CostRange?) -> JSONOutput {
        guard let u else { return .null }
        return .object([("low", .money(u.low)), ("estimate", .money(u.estimate)), ("high", .money(u.high))])
    }

    static func totals(_ t: ReconciliationTotals) -> JSONOutput {
        .object([
            ("billed_usd", .money(t.billed)),
            ("billed_usage_usd", .money(t.billedUsage)),
            ("non_usage_usd", .money(t.nonUsage)),
            ("logged_cost_usd", .money(t.logged)),
            ("billed_tool_use_usd", .money(t.billedTools)),
            ("logged_tool_fees_usd", .money(t.loggedToolFees)),
            ("explained_usd", .money(t.explained)),
            ("coverage", .ratio(t.coverage)),
            ("unexplained_usd", .money(t.unexplained)),
            ("gap_usd", .money(t.gap)),
            ("within_tolerance_usd", .money(t.withinTolerance)),
            ("boundary_shifted_usd", .money(t.boundaryShifted)),
            ("gaps_by_class_usd", classes(t.byClass)),
            ("unpriced_range_usd", range(t.unpricedRange)),
            ("estimated_cells", .int(t.estimatedCells)),
            ("unknown_cells", .int(t.unknownCells)),
        ])
    }

    static func provider(_ p: ProviderReconciliation) -> JSONOutput {
        .object([
            ("provider", .string(p.provider)),
            ("days", .array(p.days.map { .string($0.description) })),
            ("bypass_by_key", .bool(p.bypassByKey)),
            ("bypass_by_project", .bool(p.bypassByProject)),
            ("refined_by", .array(p.refinedBy.map { .string($0) })),
            ("within_tolerance", .bool(p.withinTolerance)),
            ("totals", totals(p.totals)),
        ])
    }

    static func ranking(_ g: GapRanking) -> JSONOutput {
        .object([
            ("name", .string(g.name)),
            ("billed_usd", .money(g.billed)),
            ("unexplained_usd", .money(g.unexplained)),
            ("gaps_by_class_usd", classes(g.byClass)),
        ])
    }

    static func usage(_ f: UsageFigures) -> JSONOutput {
        .object([
            ("requests", f.requests.map { .int($0) } ?? .null),
            ("input_tokens", .int(f.inputTokens)),
            ("uncached_input_tokens", .int(f.uncachedInputTokens)),
            ("cached_input_tokens", .int(f.cachedInputTokens)),
            ("cache_write_5m_tokens", .int(f.cacheWrite5mTokens)),
            ("cache_write_1h_tokens", .int(f.cacheWrite1hTokens)),
            ("output_tokens", .int(f.outputTokens)),
            ("reasoning_tokens", .int(f.reasoningTokens)),
        ])
    }

    static func cell(_ c: ReconciliationCell) -> JSONOutput {
        .object([
            ("day", .string(c.day.description)),
            ("provider", .string(c.provider)),
            ("model", .string(c.model)),
            ("billed_usd", .money(c.billed)),
            ("billed_basis", .string(c.billedBasis.rawValue)),
            ("provider_book_cost_usd", .money(c.providerBookCost)),
            ("logged_cost_usd", .money(c.loggedCost)),
            ("logged_unpriced_requests", .int(c.loggedUnpriced)),
            ("gap_usd", .money(c.gap)),
            ("explained_usd", .money(c.explained)),
            ("within_tolerance", .bool(c.withinTolerance)),
            ("provisional", .bool(c.provisional)),
            ("gaps_by_class_usd", classes(c.classes)),
            ("unpriced_range_usd", range(c.unpricedRange)),
            ("provider_usage", usage(c.provided)),
            ("logged_usage", usage(c.logged)),
            ("comparisons", .array(c.comparisons.map(comparison))),
        ])
    }

    static func comparison(_ u: UsageComparison) -> JSONOutput {
        .object([
            ("model", .string(u.model)),
            ("project", .string(u.project)),
            ("api_key", .string(u.apiKey)),
            ("tier", .string(u.tier?.rawValue)),
            ("bypass", .bool(u.bypass)),
            ("provider_book_cost_usd", .money(u.providerBookCost)),
            ("logged_cost_usd", .money(u.loggedCost)),
            ("gaps_by_class_usd", classes(u.classes)),
            ("provider_usage", usage(u.provided)),
            ("logged_usage", usage(u.logged)),
        ])
    }

    static func drift(_ d: PriceDriftLine) -> JSONOutput {
        .object([
            ("day", .string(d.day.description)),
            ("provider", .string(d.provider)),
            ("model", .string(d.model)),
            ("token_kind", .string(d.kind.rawValue)),
            ("tier", .string(d.tier.rawValue)),
            ("long_context", .bool(d.longContext)),
            ("tokens", .int(d.tokens)),
            ("billed_usd", .money(d.billed)),
            ("implied_per_mtok_usd", .money(d.impliedPerMillion)),
            ("book_per_mtok_usd", .money(d.bookPerMillion)),
            ("book_cost_usd", .money(d.bookCost)),
            ("difference_usd", .money(d.difference)),
            ("outside_tolerance", .bool(d.outsideTolerance)),
        ])
    }

    static func gateway(_ g: GatewayCostComparison) -> JSONOutput {
        .object([
            ("day", .string(g.day.description)),
            ("provider", .string(g.provider)),
            ("model", .string(g.model)),
            ("calls", .int(g.calls)),
            ("gateway_cost_usd", .money(g.gatewayCost)),
            ("book_cost_usd", .money(g.bookCost)),
            ("difference_usd", .money(g.bookCost.map { g.gatewayCost - $0 })),
            ("billed_usd", .money(g.billed)),
            ("disagrees", .bool(g.disagrees)),
        ])
    }

    static func toolFees(_ c: ToolFeeComparison) -> JSONOutput {
        .object([
            ("day", .string(c.day.description)),
            ("provider", .string(c.provider)),
            ("tool_calls", .object(c.toolCalls.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("billed_usd", .money(c.billed)),
            ("logged_fees_usd", .money(c.logged)),
            ("gap_usd", .money(c.gap)),
            ("within_tolerance", .bool(c.withinTolerance)),
        ])
    }

    static func nonUsage(_ l: NonUsageLine) -> JSONOutput {
        .object([
            ("day", .string(l.day.description)),
            ("provider", .string(l.provider)),
            ("category", .string(l.category.rawValue)),
            ("line_item", .string(l.lineItem)),
            ("model", .string(l.model)),
            ("amount_usd", .money(l.amount)),
        ])
    }
}
