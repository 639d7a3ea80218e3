import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// One table of the weekly audit as CSV (RFC 4180, quoted by ``CSVText``), for spreadsheets and FinOps
/// tools. Values are raw: money as exact decimal strings in US dollars (columns ending in `_usd`),
/// ratios with six decimals, counts as integers, empty cells where a value does not exist.
///
///     AuditReportCSV.render(result, table: .models)
///     // "model,calls,unpriced_calls,spend_usd,previous_calls,previous_spend_usd,input_tokens,output_tokens\r\n…"
public enum AuditReportCSV {
    /// The tables a report can write.
    public enum Table: String, Sendable, CaseIterable {
        /// One row per workflow: actions, spend, rates and their budgets, averages.
        case workflows
        /// The cost of each workflow's actions by outcome.
        case cost
        /// Spend per tier.
        case tiers
        /// Spend per model.
        case models
        /// Figures per team.
        case teams
        /// Figures per user segment.
        case segments
        /// The users who spent most.
        case users
        /// Flags and watches, with their verdict.
        case flags
        /// Spend per day and tier over both periods.
        case daily
        /// Month-to-date spend against the budget, per budget line.
        case budget
        /// Fallback calls by reason, per workflow.
        case fallbacks
        /// Tool fees, audio and images, and multipliers per workflow and model, beside the previous period.
        case charges
    }

    /// The table as CSV: a header line, then one line per row.
    public static func render(_ r: AuditResult, table: Table) -> String {
        let (header, rows) = self.table(r, table)
        return CSVText.table(header, rows)
    }

    static func ratio(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        return formatDecimal(v, decimals: 6)
    }

    static func money(_ m: Money?) -> String { m?.exactString ?? "" }

    /// The header and rows of `table`.
    static func table(_ r: AuditResult, _ table: Table) -> ([String], [[String]]) {
        switch table {
        case .workflows:
            let header = ["workflow", "actions", "previous_actions", "completed", "calls", "spend_usd", "previous_spend_usd",
                          "loaded_cpca_usd", "direct_cpca_usd", "budget_cpca_usd", "fallback_rate", "budget_fallback_rate",
                          "retry_rate", "budget_retry_rate", "calls_per_action", "avg_input_tokens", "avg_output_tokens",
                          "cache_hit_share", "premium_share", "latency_p50_ms", "latency_p95_ms", "unpriced_calls",
                          "batch_latency_p50_ms", "batch_latency_p95_ms"]
            let rows = r.workflows.map { w -> [String] in
                let c = w.figures.current, p = w.figures.previous
                return [w.name, String(c.actions), String(p.actions), String(c.completed), String(c.calls), money(c.spend),
                        money(p.spend), money(c.loadedCPCA), money(c.directCPCA), money(w.budgetedCPCA), ratio(c.fallbackRate),
                        ratio(w.budgetedFallbackRate), ratio(c.retryRate), ratio(w.budgetedRetryRate), ratio(c.callsPerAction),
                        ratio(c.avgInputTokens), ratio(c.avgOutputTokens), ratio(c.cacheHitShare), ratio(c.premiumShare),
                        c.latencyP50.map { formatDecimal($0, decimals: 0) } ?? "", c.latencyP95.map { formatDecimal($0, decimals: 0) } ?? "",
                        String(c.unpricedCalls), c.batchLatencyP50.map { formatDecimal($0, decimals: 0) } ?? "",
                        c.batchLatencyP95.map { formatDecimal($0, decimals: 0) } ?? ""]
            }
            return (header, rows)
        case .cost:
            let header = ["workflow", "actions", "completed", "failed", "abandoned", "completed_useful_usd", "waste_in_completed_usd",
                          "failed_usd", "abandoned_usd", "action_cost_usd", "direct_cpca_usd", "loaded_cpca_usd"]
            let rows = r.workflows.map { w -> [String] in
                let f = w.figures.current
                return [w.name, String(f.actions), String(f.completed), String(f.failed), String(f.abandoned), money(f.completedUseful),
                        money(f.wasteInCompleted), money(f.failedCost), money(f.abandonedCost), money(f.actionCost),
                        money(f.directCPCA), money(f.loadedCPCA)]
            }
            return (header, rows)
        case .tiers: return spend(r.tiers, "tier")
        case .models: return spend(r.models, "model")
        case .charges:
            let header = ["workflow", "model", "tool_calls", "tool_fees_usd", "modality_usd", "uplift_usd", "total_usd",
                          "previous_tool_calls", "previous_total_usd"]
            return (header, r.charges.map { l in
                let c = l.current
                return [c.workflow, c.model, String(c.toolCalls), money(c.toolFees), money(c.modality), money(c.uplift),
                        money(c.total), String(l.previous.toolCalls), money(l.previous.total)]
            })
        case .users: return spend(r.topUsers, "user")
        case .teams: return groups(r.teams, "team")
        case .segments: return groups(r.segments, "segment")
        case .flags:
            let header = ["severity", "verdict", "rule", "subject", "expected", "actual", "evidence", "check", "impact_usd_per_month",
                          "p_value", "q_value"]
            let rows = (r.flags.map { ($0, $0.severity.rawValue) } + r.watches.map { ($0, "") }).map { f, severity in
                let w = AuditFlagWording(f)
                return [severity, f.verdict.rawValue, f.rule.rawValue, w.subject, w.expected, w.actual, w.evidence, w.check, money(f.impact),
                        ratio(f.pValue), ratio(f.qValue)]
            }
            return (header, rows)
        case .daily:
            let header = ["day", "period", "tier", "spend_usd"]
            let rows = r.daily.flatMap { d in
                d.byTier.map { [d.day.description, d.inPeriod ? r.period.label : r.previous.label, $0.tier, money($0.spend)] }
            }
            return (header, rows)
        case .budget:
            let header = ["month", "as_of", "line", "budget_usd", "spent_usd", "share", "forecast_usd", "forecast_low_usd",
                          "forecast_high_usd", "runs_out", "alert_crossed"]
            let rows = (r.burn?.lines ?? []).map { l in
                [r.burn!.month.label, r.burn!.asOf.description, l.name, money(l.budget), money(l.spent), ratio(l.share), money(l.forecast),
                 money(l.forecastLow), money(l.forecastHigh), l.capDay?.description ?? "", ratio(l.crossed)]
            }
            return (header, rows)
        case .fallbacks:
            let header = ["workflow", "reason", "fallback_calls"]
            let rows = r.workflows.flatMap { w in w.fallbackReasons.map { [w.name, $0.reason, String($0.calls)] } }
            return (header, rows)
        }
    }

    static func spend(_ lines: [Compared<SpendLine>], _ label: String) -> ([String], [[String]]) {
        let header = [label, "calls", "unpriced_calls", "spend_usd", "previous_calls", "previous_spend_usd", "input_tokens", "output_tokens"]
        let rows = lines.filter { $0.current.calls > 0 || $0.previous.calls > 0 }.map { l in
            [l.current.name, String(l.current.calls), String(l.current.unpricedCalls), money(l.current.spend), String(l.previous.calls),
             money(l.previous.spend), String(l.current.inputTokens), String(l.current.outputTokens)]
        }
        return (header, rows)
    }

    static func groups(_ groups: [GroupReport], _ label: String) -> ([String], [[String]]) {
        let header = [label, "actions", "calls", "spend_usd", "previous_spend_usd", "loaded_cpca_usd", "fallback_rate", "retry_rate",
                      "premium_share"]
        let rows = groups.filter { $0.figures.current.calls > 0 || $0.figures.current.actions > 0 }.map { g -> [String] in
            let c = g.figures.current
            return [g.name, String(c.actions), String(c.calls), money(c.spend), money(g.figures.previous.spend), money(c.loadedCPCA),
                    ratio(c.fallbackRate), ratio(c.retryRate), ratio(c.premiumShare)]
        }
        return (header, rows)
    }
}
