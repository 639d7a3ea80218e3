import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The weekly audit as JSON, schema `tokenledger.report/2` (`docs/report-json.md`). Money fields end
/// in `_usd` and are exact decimal strings; ratios are numbers with six decimals; keys keep a fixed order.
public enum AuditReportJSON {
    public static let schema = "tokenledger.report/2"

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

    /// A flag: its figures as numbers (`unit`, `threshold`, `observed`, counts, the rule's `details`), then the
    /// same in words (`expected`, `actual`, `evidence`, `check`: kept from schema 1 for one version).
    static func flag(_ f: AuditFlag) -> JSONOutput {
        let w = AuditFlagWording(f)
        let s = f.figures.summary
        return .object([
            ("rule", .string(f.rule.rawValue)), ("severity", .string(f.severity.rawValue)), ("verdict", .string(f.verdict.rawValue)),
            ("subject", .string(w.subject)), ("subject_kind", .string(subjectKind(f.subject))),
            ("subject_name", .string(f.subject.name)),
            ("unit", .string(s.unit.rawValue)), ("threshold", value(s.threshold)), ("tolerance", .ratio(s.tolerance)),
            ("observed", value(s.observed)), ("count", s.count.map { .int($0) } ?? .null),
            ("out_of", s.outOf.map { .int($0) } ?? .null), ("count_unit", .string(s.countUnit?.rawValue)),
            ("impact_usd_per_month", .money(f.impact)),
            ("p_value", .measure(f.pValue)), ("q_value", .measure(f.qValue)),
            ("tests", f.testCount.map { .int($0) } ?? .null),
            ("details", details(f.figures)),
            ("expected", .string(w.expected)), ("actual", .string(w.actual)),
            ("evidence", .string(w.evidence)), ("check", .string(w.check)),
        ])
    }

    static func value(_ v: AuditValue?) -> JSONOutput {
        switch v {
        case let .money(m): .money(m)
        case let .count(n): .int(n)
        case let .number(x): .ratio(x)
        case nil: .null
        }
    }

    static func subjectKind(_ s: AuditSubject) -> String {
        switch s {
        case .workflow: "workflow"
        case .budgetLine: "budget_line"
        case .workflowModel: "workflow_model"
        case .segment: "segment"
        case .tier: "tier"
        case .team: "team"
        case .users: "users"
        case .model: "model"
        case .workflowDays: "workflow_days"
        }
    }

    /// The numbers of the rule beyond the common ones.
    static func details(_ figures: AuditFigures) -> JSONOutput {
        func strings(_ a: [String]) -> JSONOutput { .array(a.map { .string($0) }) }
        switch figures {
        case let .rate(r):
            return .object([("events", .int(r.events)), ("actions", .int(r.actions)), ("ceiling", .ratio(r.ceiling)),
                            ("observed", .ratio(r.observed)), ("wilson_lower_bound", .ratio(r.lowerBound)),
                            ("min_actions", r.needs.map { .int($0.actions) } ?? .null),
                            ("min_expected_events", .ratio(r.needs?.expectedEvents, decimals: 1))])
        case let .tokens(t):
            return .object([("side", .string(t.side.rawValue)), ("calls", .int(t.calls)), ("mean", .ratio(t.mean, decimals: 2)),
                            ("sd", .ratio(t.deviation, decimals: 2)), ("budget", .ratio(t.budget, decimals: 2)),
                            ("tolerance", .ratio(t.tolerance)), ("t", .ratio(t.t, decimals: 4))])
        case let .costPerCompletedAction(c):
            return .object([("budget_usd", .money(c.budget)), ("tolerance", .ratio(c.tolerance)), ("loaded_usd", .money(c.loaded)),
                            ("direct_usd", .money(c.direct)), ("completed", .int(c.completed)), ("waste_usd", .money(c.waste)),
                            ("action_cost_usd", .money(c.actionCost))])
        case let .volume(expected, monthly, actual, z):
            return .object([("expected_actions", .ratio(expected, decimals: 1)), ("monthly_actions", .int(monthly)),
                            ("actions", .int(actual)), ("z", .ratio(z, decimals: 2))])
        case let .inputLimit(limit, over, calls):
            return .object([("max_input_tokens", .int(limit)), ("calls_over", .int(over)), ("calls", .int(calls))])
        case let .modelOffRoute(allowed, calls, spend, loggedAs):
            return .object([("allowed", strings(allowed)), ("calls", .int(calls)), ("spend_usd", .money(spend)),
                            ("logged_as", strings(loggedAs))])
        case let .fallbackAttempts(limit, over, most, actions):
            return .object([("limit", .int(limit)), ("actions_over", .int(over)), ("most", .int(most)), ("actions", .int(actions))])
        case let .unroutedWorkflow(calls, spend):
            return .object([("calls", .int(calls)), ("spend_usd", .money(spend))])
        case let .segmentTier(allowed, over, actions, models):
            return .object([("allowed_tiers", strings(allowed)), ("actions_over", .int(over)), ("actions", .int(actions)),
                            ("models", strings(models))])
        case let .dailySpendCap(cap, days):
            return .object([("cap_usd", .money(cap)), ("days_over", .array(days.map {
                .object([("day", .string($0.day.description)), ("spend_usd", .money($0.spend))])
            }))])
        case let .userDailySpendCap(cap, users, days):
            return .object([("cap_usd", .money(cap)), ("users", .int(users)), ("user_days_over", .array(days.map {
                .object([("user", .string($0.user)), ("day", .string($0.day.description)), ("spend_usd", .money($0.spend))])
            }))])
        case let .userRateLimit(limit, users, peaks):
            return .object([("limit_per_minute", .int(limit)), ("users", .int(users)), ("peaks", .array(peaks.map {
                .object([("user", .string($0.user)), ("minute", .string($0.minute.iso8601)), ("calls", .int($0.calls))])
            }))])
        case let .budgetBurn(b):
            return .object([("alert_crossed", .ratio(b.crossed, decimals: 2)), ("alerts", .array(b.alerts.map { .ratio($0, decimals: 2) })),
                            ("budget_usd", .money(b.budget)), ("spent_usd", .money(b.spent)), ("share", .ratio(b.share)),
                            ("month", .string(b.month.label)), ("as_of", .string(b.asOf.description)),
                            ("ran_out_on", .string(b.ranOutOn?.description))])
        case let .budgetForecast(b):
            return .object([("budget_usd", .money(b.budget)), ("forecast_usd", .money(b.forecast)), ("share", .ratio(b.share)),
                            ("forecast_low_usd", .money(b.low)), ("forecast_high_usd", .money(b.high)),
                            ("forecast_range", .string(rangeKind(b.range))), ("ran_out_on", .string(b.ranOutOn?.description)),
                            ("runs_out_on", .string(b.runsOutOn?.description))])
        case let .fallbackWithoutReason(missing, fallbacks):
            return .object([("fallback_calls_without_reason", .int(missing)), ("fallback_calls", .int(fallbacks))])
        case let .spendAnomaly(days):
            return .object([("days", .array(days.map {
                .object([("day", .string($0.day.description)), ("spend_usd", .money($0.spend)), ("median_usd", .money($0.median)),
                         ("history_days", .int($0.historyDays)), ("modified_z", .ratio($0.z, decimals: 2))])
            }))])
        case let .unpricedModel(requests, input, output):
            return .object([("requests", .int(requests)), ("input_tokens", .int(input)), ("output_tokens", .int(output))])
        }
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
