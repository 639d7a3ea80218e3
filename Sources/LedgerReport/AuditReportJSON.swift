import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The weekly audit as JSON, schema `tokenledger.report/1` (`docs/report-json.md`). Money fields end
/// in `_usd` and are exact decimal strings; ratios are numbers with six decimals; keys keep a fixed order.
public enum AuditReportJSON {
    public static let schema = "tokenledger.report/1"

    public static func render(_ r: AuditResult, budgetName: String?) -> String {
        JSONOutput.object([
            ("schema", .string(schema)),
            ("period", period(r.period)),
            ("previous_period", period(r.previous)),
            ("time_zone", .string(r.zoneName)),
            ("budget", .string(budgetName)),
            ("data_end", .string(r.dataEnd.iso8601)),
            ("period_notes", .array(PeriodNoteText.lines(r.periodNotes).map { .string($0) })),
            ("total_cost_usd", .money(r.total.current.spend)),
            ("previous_total_cost_usd", .money(r.total.previous.spend)),
            ("summary", .object([
                ("calls", .int(r.total.current.calls)), ("actions", .int(r.total.current.actions)),
                ("previous_calls", .int(r.total.previous.calls)), ("previous_actions", .int(r.total.previous.actions)),
                ("unpriced_calls", .int(r.total.current.unpricedCalls)),
                ("flags", .int(r.flags.count)),
                ("critical", .int(r.flags.filter { $0.severity == .critical }.count)),
                ("warnings", .int(r.flags.filter { $0.severity == .warning }.count)),
            ])),
            ("flags", .array(r.flags.map(flag))),
            ("watch", .array(r.watches.map(flag))),
            ("workflows", .array(r.workflows.map { w in
                .object([
                    ("workflow", .string(w.name)),
                    ("current", figures(w.figures.current)),
                    ("previous", figures(w.figures.previous)),
                    ("fallback_reasons", .array(w.fallbackReasons.map { .object([("reason", .string($0.reason)), ("calls", .int($0.calls))]) })),
                    ("budget", .object([
                        ("cost_per_completed_action_usd", .money(w.budgetedCPCA)),
                        ("fallback_rate", .ratio(w.budgetedFallbackRate)),
                        ("retry_rate", .ratio(w.budgetedRetryRate)),
                        ("expected_actions", .ratio(w.expectedActions, decimals: 1)),
                    ])),
                ])
            })),
            ("teams", .array(r.teams.map(group))),
            ("segments", .array(r.segments.map(group))),
            ("tiers", .array(r.tiers.map(line))),
            ("models", .array(r.models.map(line))),
            ("charges", .array(r.charges.map(charge))),
            ("top_users", .array(r.topUsers.map(line))),
            ("budget_burn", r.burn.map(burn) ?? .null),
            ("reconciliation", r.reconciliation.map { rec in
                .object([
                    ("within_tolerance", .bool(rec.withinTolerance)),
                    ("covered_days", .array(rec.coveredDays.map { .string($0.description) })),
                    ("totals", ReconciliationJSONReport.totals(rec.totals)),
                    ("top_days", .array(rec.topDays.map(ReconciliationJSONReport.ranking))),
                    ("top_models", .array(rec.topModels.map(ReconciliationJSONReport.ranking))),
                ])
            } ?? .null),
            ("unpriced_models", .array(r.unpriced.map { m in
                .object([("model", .string(m.model)), ("requests", .int(m.requests)), ("input_tokens", .int(m.inputTokens)),
                         ("output_tokens", .int(m.outputTokens))])
            })),
        ]).render()
    }

    static func period(_ p: Period) -> JSONOutput {
        .object([("label", .string(p.label)), ("from", .string(p.first.description)), ("to", .string(p.last.description)),
                 ("days", .int(p.dayCount))])
    }

    static func flag(_ f: AuditFlag) -> JSONOutput {
        .object([
            ("rule", .string(f.rule.rawValue)), ("severity", .string(f.severity.rawValue)), ("verdict", .string(f.verdict.rawValue)),
            ("subject", .string(f.subject)), ("expected", .string(f.expected)), ("actual", .string(f.actual)),
            ("evidence", .string(f.evidence)), ("check", .string(f.check)), ("impact_usd_per_month", .money(f.impact)),
            ("p_value", .ratio(f.pValue, decimals: 8)), ("q_value", .ratio(f.qValue, decimals: 8)),
        ])
    }

    static func figures(_ f: WorkflowFigures) -> JSONOutput {
        .object([
            ("actions", .int(f.actions)), ("completed", .int(f.completed)), ("failed", .int(f.failed)),
            ("abandoned", .int(f.abandoned)), ("action_calls", .int(f.actionCalls)),
            ("action_cost_usd", .money(f.actionCost)), ("completed_useful_usd", .money(f.completedUseful)),
            ("waste_in_completed_usd", .money(f.wasteInCompleted)), ("failed_cost_usd", .money(f.failedCost)),
            ("abandoned_cost_usd", .money(f.abandonedCost)), ("waste_usd", .money(f.waste)),
            ("direct_cost_per_completed_action_usd", .money(f.directCPCA)),
            ("loaded_cost_per_completed_action_usd", .money(f.loadedCPCA)),
            ("calls", .int(f.calls)), ("spend_usd", .money(f.spend)), ("unpriced_calls", .int(f.unpricedCalls)),
            ("fallback_rate", .ratio(f.fallbackRate)), ("retry_rate", .ratio(f.retryRate)),
            ("premium_share", .ratio(f.premiumShare)), ("calls_per_action", .ratio(f.callsPerAction)),
            ("avg_input_tokens", .ratio(f.avgInputTokens, decimals: 1)), ("avg_output_tokens", .ratio(f.avgOutputTokens, decimals: 1)),
            ("avg_cached_tokens", .ratio(f.avgCachedTokens, decimals: 1)), ("cache_hit_share", .ratio(f.cacheHitShare)),
            ("fallback_calls", .int(f.fallbackCalls)), ("retry_calls", .int(f.retryCalls)),
            ("latency_p50_ms", .ratio(f.latencyP50, decimals: 0)), ("latency_p95_ms", .ratio(f.latencyP95, decimals: 0)),
            ("batch_latency_p50_ms", .ratio(f.batchLatencyP50, decimals: 0)), ("batch_latency_p95_ms", .ratio(f.batchLatencyP95, decimals: 0)),
        ])
    }

    static func group(_ g: GroupReport) -> JSONOutput {
        .object([("name", .string(g.name)), ("current", figures(g.figures.current)), ("previous", figures(g.figures.previous))])
    }

    static func line(_ l: Compared<SpendLine>) -> JSONOutput {
        var fields: [(String, JSONOutput)] = [
            ("name", .string(l.current.name)), ("calls", .int(l.current.calls)), ("unpriced_calls", .int(l.current.unpricedCalls)),
            ("cost_usd", .money(l.current.spend)),
            ("input_tokens", .int(l.current.inputTokens)), ("output_tokens", .int(l.current.outputTokens)),
            ("previous_calls", .int(l.previous.calls)), ("previous_cost_usd", .money(l.previous.spend)),
        ]
        if !l.current.loggedNames.isEmpty { fields.append(("logged_names", .array(l.current.loggedNames.map { .string($0) }))) }
        return .object(fields)
    }

    /// `band`, `too_little_history` or `month_complete`.
    static func rangeKind(_ r: BurnLine.ForecastRange) -> String {
        switch r {
        case .band: "band"
        case .tooLittleHistory: "too_little_history"
        case .monthComplete: "month_complete"
        }
    }

    static func burn(_ b: BurnReport) -> JSONOutput {
        .object([
            ("month", .string(b.month.label)), ("as_of", .string(b.asOf.description)),
            ("lines", .array(b.lines.map { l in
                .object([
                    ("name", .string(l.name)), ("budget_usd", .money(l.budget)), ("spent_usd", .money(l.spent)),
                    ("share", .ratio(l.share)), ("forecast_usd", .money(l.forecast)), ("forecast_low_usd", .money(l.forecastLow)),
                    ("forecast_high_usd", .money(l.forecastHigh)), ("runs_out_on", .string(l.capDay?.description)),
                    ("ran_out_on", .string(l.ranOutOn?.description)), ("forecast_range", .string(Self.rangeKind(l.range))),
                    ("alert_crossed", .ratio(l.crossed, decimals: 2)),
                ])
            })),
        ])
    }

    /// A workflow and model's charges beyond text tokens, with the previous period's.
    static func charge(_ l: Compared<ChargeLine>) -> JSONOutput {
        func figures(_ c: ChargeLine) -> JSONOutput {
            .object([("tool_calls", .int(c.toolCalls)), ("tool_fees_usd", .money(c.toolFees)),
                     ("modality_usd", .money(c.modality)), ("uplift_usd", .money(c.uplift)), ("total_usd", .money(c.total))])
        }
        return .object([("workflow", .string(l.current.workflow)), ("model", .string(l.current.model)),
                        ("current", figures(l.current)), ("previous", figures(l.previous))])
    }
}
