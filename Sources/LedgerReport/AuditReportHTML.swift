import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The weekly audit as one self-contained HTML page: the headline figures, the flags, four charts (daily
/// spend by tier against the daily budget, the bill change by workflow, fallback and retry rates against
/// their budgets, spend by model) and the tables of the text report. Deterministic like the other
/// formats; every name from the data is escaped.
public enum AuditReportHTML {
    /// Workflows drawn one by one in the bill-change waterfall; the rest are added up in one row.
    public static let waterfallWorkflows = 8
    /// Models drawn in the spend chart.
    public static let chartModels = 12

    /// The page.
    public static func render(_ r: AuditResult, budgetName: String?) -> String {
        ReportText.$previousScale.withValue(r.previousScale) { body(r, budgetName: budgetName) }
    }

    static func body(_ r: AuditResult, budgetName: String?) -> String {
        var page = HTMLDocument(title: "TokenLedger audit — \(r.period.label)")
        var lines = ["\(r.period.first) to \(r.period.last) (\(r.zoneName)), compared with \(r.previous.label) (\(r.previous.first) to \(r.previous.last))."]
        lines.append((budgetName.map { "Budget: \($0)." } ?? "No budget: only the checks that need none.")
            + " Data through \(r.dataEnd.iso8601.prefix(10)).")
        lines += PeriodNoteText.lines(r.periodNotes)
        page.header(title: "TokenLedger audit — \(r.period.label)", lines: lines)
        page.keyFigures(keyFigures(r))
        page.paragraph(AuditReportText.headline(r))

        page.heading("Where the money went")
        page.chart(dailyChart(r), caption: dailyCaption(r))
        page.chart(billChange(r), caption: "Bill change by workflow: \(r.previous.label) → \(r.period.label)")
        let budgeted = r.workflows.contains { $0.budgetedFallbackRate != nil || $0.budgetedRetryRate != nil }
        let rateNote = budgeted ? " (share of actions; tick = budget)" : " (share of actions)"
        page.charts([
            ("Fallback rate per workflow" + rateNote, rateChart(r, title: "Fallback rate per workflow", rate: \.fallbackRate,
                                                                budget: \.budgetedFallbackRate)),
            ("Retry rate per workflow" + rateNote, rateChart(r, title: "Retry rate per workflow", rate: \.retryRate,
                                                             budget: \.budgetedRetryRate)),
        ])
        page.chart(modelChart(r), caption: "Spend by model (tick = \(r.previous.label))")

        page.heading("Flags")
        if r.flags.isEmpty {
            page.paragraph("None.", tone: .good)
        } else {
            page.table(flagTable(r.flags))
        }
        if !r.watches.isEmpty {
            var t = HTMLTable(columns: [.init("verdict"), .init("rule"), .init("subject"), .init("expected"), .init("actual"), .init("evidence")])
            for f in r.watches {
                let w = AuditFlagWording(f)
                t.add([f.verdict == .watch ? "watch" : "not enough data", f.rule.rawValue, w.subject, w.expected, w.actual, w.evidence])
            }
            page.details(summary: "Watch list: \(r.watches.count) test(s) that did not fire (not significant after correction, or not enough data)",
                         t.markup)
        }

        page.heading("Workflows")
        page.paragraph("Actions are counted by their first call; spend by call time. CPCA is the loaded cost per completed action.",
                       tone: .muted)
        page.table(workflowTable(r))
        page.heading("Cost per completed action", level: 3)
        page.paragraph("The parts add up to each workflow's action cost.", tone: .muted)
        page.table(costTable(r))
        let reasons = r.workflows.filter { !$0.fallbackReasons.isEmpty }
        if !reasons.isEmpty {
            page.heading("Fallbacks by reason", level: 3)
            var t = HTMLTable(columns: [.init("workflow"), .init("reason"), .init("fallback calls", align: .right), .init("share", align: .right)])
            for w in reasons {
                let total = w.fallbackReasons.reduce(0) { $0 + $1.calls }
                for reason in w.fallbackReasons {
                    t.add([w.name, reason.reason, NumberText.integer(reason.calls),
                           NumberText.percent(Double(reason.calls) / Double(max(1, total)), decimals: 0)])
                }
            }
            page.table(t)
        }

        page.heading("Spend")
        page.table(spendTable(r.tiers, label: "tier", total: r.total.current.spend, caption: "By tier"))
        page.table(spendTable(r.models, label: "model", total: r.total.current.spend, caption: "By model"))
        let charges = AuditChargeTable.rows(r)
        if !charges.isEmpty {
            page.table(HTMLTable(caption: AuditChargeTable.title, columns: AuditChargeTable.columns, rows: charges))
        }
        page.table(groupTable(r.teams, label: "team", caption: "Teams"))
        page.table(groupTable(r.segments, label: "segment", caption: "User segments"))
        if !r.topUsers.isEmpty {
            page.table(spendTable(r.topUsers, label: "user", total: r.total.current.spend, caption: "Top users by spend"))
        }
        if let burn = r.burn {
            page.heading("Budget: \(burn.month.label), month to date through \(burn.asOf)")
            var t = HTMLTable(columns: [.init("budget line"), .init("budget", align: .right), .init("spent", align: .right),
                                        .init("share", align: .right), .init("forecast", align: .right), .init("range", align: .right),
                                        .init("runs out", align: .right)])
            for l in burn.lines {
                t.add(cells: [HTMLCell(l.name), HTMLCell(l.budget.display()), HTMLCell(l.spent.display()),
                              HTMLCell(NumberText.percent(l.share), tone: l.crossed != nil ? .warning : .neutral),
                              HTMLCell(l.forecast.display(), tone: l.forecast > l.budget ? .critical : .neutral),
                              HTMLCell(ReportText.forecastRange(l)),
                              HTMLCell(ReportText.runsOut(l), tone: l.capDay != nil ? .critical : .neutral)])
            }
            page.table(t)
        }
        if let rec = r.reconciliation {
            let t = ReconciliationTables(r: rec)
            page.heading("Reconciliation with provider bills")
            page.keyFigures(ReconciliationHTMLReport.keyFigures(rec))
            page.list(t.headline)
            page.chart(ReconciliationHTMLReport.waterfall(rec), caption: "Logged cost at price-book rates, the gap by class, and the provider bill (UTC days)")
            page.table(HTMLTable(caption: t.classTable.title, columns: t.classTable.columns, rows: t.classTable.rows, total: t.classTable.total))
        }
        if !r.unpriced.isEmpty {
            page.heading("Unpriced models")
            page.paragraph("Their calls are not in any spend figure above; see `tokenledger prices check`.", tone: .warning)
            page.table(HTMLTable(columns: [.init("model"), .init("requests", align: .right), .init("input tokens", align: .right),
                                           .init("output tokens", align: .right)],
                                 rows: r.unpriced.map { [$0.model, NumberText.integer($0.requests), NumberText.integer($0.inputTokens),
                                                         NumberText.integer($0.outputTokens)] }))
        }
        page.footer([
            "CPCA: loaded cost per completed action (all the period's action cost ÷ completed actions).",
            "Money is exact and rounded half to even for display; charts are drawn from the same amounts. Latency percentiles come from quarter-octave histograms (±9%); p50 and p95 are of interactive calls, batch calls apart.",
        ])
        return page.render()
    }

    // MARK: Figures

    static func keyFigures(_ r: AuditResult) -> [KeyFigure] {
        let c = r.total.current, p = r.total.previous
        let critical = r.flags.filter { $0.severity == .critical }.count
        let warnings = r.flags.filter { $0.severity == .warning }.count
        var out = [
            KeyFigure("Spend", c.spend.display(), note: "\(ReportText.change(c.spend, p.spend)) vs \(p.spend.display())",
                      tone: c.spend > p.spend && p.spend.picos > 0 && Double(c.spend.picos) > 1.1 * Double(p.spend.picos) ? .warning : .neutral),
            KeyFigure("Actions", NumberText.integer(c.actions), note: "\(ReportText.change(Double(c.actions), Double(p.actions))) vs \(NumberText.integer(p.actions))"),
            KeyFigure("Calls", NumberText.integer(c.calls),
                      note: c.unpricedCalls > 0 ? "\(NumberText.integer(c.unpricedCalls)) unpriced" : "all priced"),
            KeyFigure("Flags", String(r.flags.count), note: "\(critical) critical, \(warnings) warning(s)",
                      tone: critical > 0 ? .critical : (warnings > 0 ? .warning : .good)),
        ]
        if let total = r.burn?.lines.first {
            out.append(KeyFigure("Budget used", NumberText.percent(total.share, decimals: 0),
                                 note: "\(total.spent.display()) of \(total.budget.display()) in \(r.burn!.month.label)",
                                 tone: total.crossed != nil ? .warning : .neutral))
            out.append(KeyFigure("Month-end forecast", total.forecast.display(),
                                 note: total.ranOutOn.map { "budget ran out on \($0)" } ?? total.runsOutOn.map { "budget runs out \($0)" } ?? "within budget",
                                 tone: total.forecast > total.budget ? .critical : .good))
        }
        return out
    }

    static func flagTable(_ flags: [AuditFlag]) -> HTMLTable {
        var t = HTMLTable(columns: [.init("severity"), .init("rule"), .init("subject"), .init("expected"), .init("actual"),
                                    .init("evidence"), .init("check")])
        t.nowrap = [0, 1]
        for f in flags {
            let tone: HTMLTone = f.severity == .critical ? .critical : (f.severity == .warning ? .warning : .neutral)
            let w = AuditFlagWording(f)
            t.add(cells: [HTMLCell(f.severity.rawValue, tone: tone, badge: true), HTMLCell(f.rule.rawValue), HTMLCell(w.subject),
                          HTMLCell(w.expected), HTMLCell(w.actual), HTMLCell(w.evidence), HTMLCell(w.check)])
        }
        return t
    }

    // MARK: Charts

    /// The daily budget: the month's total budget ÷ its days (nil without a budget).
    public static func dailyBudget(_ r: AuditResult) -> Money? {
        guard let burn = r.burn, let total = burn.lines.first, burn.month.dayCount > 0 else { return nil }
        return total.budget.divided(by: Int64(burn.month.dayCount))
    }

    static func dailyCaption(_ r: AuditResult) -> String {
        "Daily spend by tier, \(r.previous.label) and \(r.period.label)" + (dailyBudget(r) != nil ? ", against the daily budget" : "")
    }

    /// Spend per day of both periods, stacked by tier, with the daily budget as a dashed line.
    public static func dailyChart(_ r: AuditResult) -> HTMLMarkup {
        // Tiers as the audit orders them (premium first), with calls of no tier on top.
        let tiers = r.daily.first?.byTier.map(\.tier) ?? []
        let order = tiers.indices.filter { tiers[$0] != noTier } + tiers.indices.filter { tiers[$0] == noTier }
        let series = order.map { tiers[$0] }
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let bars = r.daily.map { d in
            SVGChart.StackedBars.Bar(
                label: r.daily.count <= 31 ? String(d.day.description.dropFirst(5)) : String(d.day.day),
                values: order.map { $0 < d.byTier.count ? d.byTier[$0].spend.approximateDollars : 0 },
                group: d.inPeriod ? "\(r.period.label)" : "\(r.previous.label)",
                muted: !d.inPeriod,
                tooltip: "\(d.day) \(weekdays[(d.day.isoWeekday + 6) % 7]): \(d.total.display())",
                segmentTooltips: order.map { $0 < d.byTier.count ? "\(d.byTier[$0].tier): \(d.byTier[$0].spend.display())" : "" })
        }
        let budget = dailyBudget(r)
        let reference = budget.flatMap { b in
            r.burn.map { burn in
                SVGChart.StackedBars.Reference(value: b.approximateDollars,
                                               label: "daily budget \(b.display()) (\(burn.lines[0].budget.display()) ÷ \(burn.month.dayCount) days)")
            }
        }
        return SVGChart.StackedBars(title: dailyCaption(r), series: series, bars: bars, reference: reference,
                                    colors: tierColors(series)).render()
    }

    /// The audit's name for calls whose model has no tier.
    static let noTier = "(no tier)"

    /// Tier colours that keep their meaning from report to report.
    static func tierColors(_ tiers: [String]) -> [String: String] {
        let known = ["premium": "#b07aa1", "balanced": "#4e79a7", "economy": "#59a14f", noTier: "#bab0ac"]
        var out: [String: String] = [:]
        var next = 0
        let spare = ["#f28e2b", "#76b7b2", "#edc948", "#e15759", "#ff9da7", "#9c755f"]
        for t in tiers {
            if let c = known[t] { out[t] = c } else { out[t] = spare[next % spare.count]; next += 1 }
        }
        return out
    }

    /// The previous period's spend, each workflow's change, and this period's spend.
    public static func billChange(_ r: AuditResult) -> HTMLMarkup {
        let changes = r.workflows.map { (label: $0.name, amount: $0.figures.current.spend - $0.figures.previous.spend) }
            .filter { $0.amount != .zero }
            .sorted { ($0.amount.picos.magnitude, $1.label) > ($1.amount.picos.magnitude, $0.label) }
        var drivers = Array(changes.prefix(waterfallWorkflows))
        let rest = changes.dropFirst(waterfallWorkflows)
        if !rest.isEmpty {
            drivers.append((label: "\(rest.count) other workflow(s)", amount: rest.map(\.amount).sum()))
        }
        return SVGChart.Waterfall(title: "Bill change by workflow", startLabel: "\(r.previous.label) spend", start: r.total.previous.spend,
                                  drivers: drivers, endLabel: "\(r.period.label) spend", end: r.total.current.spend,
                                  residualLabel: "outside any workflow").render()
    }

    /// A rate of each workflow with actions, against its budgeted rate.
    static func rateChart(_ r: AuditResult, title: String, rate: KeyPath<WorkflowFigures, Double?>,
                          budget: KeyPath<WorkflowReport, Double?>) -> HTMLMarkup {
        let rows = r.workflows.compactMap { w -> SVGChart.HorizontalBars.Row? in
            guard let value = w.figures.current[keyPath: rate] else { return nil }
            let target = w[keyPath: budget]
            return .init(label: w.name, value: value,
                         valueText: NumberText.percent(value) + (target.map { " / " + NumberText.percent($0) } ?? ""),
                         target: target,
                         tooltip: "\(w.name): \(NumberText.percent(value)) of \(NumberText.integer(w.figures.current.actions)) actions"
                             + (target.map { "; budget \(NumberText.percent($0))" } ?? "; no budget"))
        }
        return SVGChart.HorizontalBars(title: title, rows: rows, format: .percent(decimals: 0), markerLabel: "budget",
                                       flagOverTarget: true).render()
    }

    /// The models with the most spend, with last period's spend as the marker.
    public static func modelChart(_ r: AuditResult) -> HTMLMarkup {
        let lines = r.models.filter { $0.current.spend.picos > 0 || $0.previous.spend.picos > 0 }
            .sorted { ($0.current.spend, $1.current.name) > ($1.current.spend, $0.current.name) }
            .prefix(chartModels)
        let rows = lines.map { l in
            SVGChart.HorizontalBars.Row(label: l.current.name, value: l.current.spend.approximateDollars, valueText: l.current.spendText,
                                        target: l.previous.spend.approximateDollars,
                                        tooltip: "\(l.current.name): \(l.current.spendText); \(r.previous.label) \(l.previous.spendText)")
        }
        return SVGChart.HorizontalBars(title: "Spend by model", rows: rows, format: .dollars, markerLabel: r.previous.label,
                                       width: 960).render()
    }

    // MARK: Tables

    static func workflowTable(_ r: AuditResult) -> HTMLTable {
        var t = HTMLTable(columns: [
            .init("workflow"), .init("actions", align: .right), .init("Δ", align: .right), .init("spend", align: .right),
            .init("Δ", align: .right), .init("CPCA", align: .right), .init("budget", align: .right),
            .init("fallback", align: .right), .init("retry", align: .right),
            .init("calls/action", align: .right), .init("in tok", align: .right), .init("out tok", align: .right),
            .init("cache", align: .right), .init("premium", align: .right), .init("p50", align: .right), .init("p95", align: .right),
            .init("batch p95", align: .right),
        ])
        func over(_ v: Double?, _ b: Double?) -> HTMLTone {
            guard let v, let b else { return .neutral }
            return v > b ? .critical : .neutral
        }
        for w in r.workflows {
            let c = w.figures.current, p = w.figures.previous
            let cpcaTone: HTMLTone = (c.loadedCPCA != nil && w.budgetedCPCA != nil && c.loadedCPCA! > w.budgetedCPCA!) ? .critical : .neutral
            t.add(cells: [
                HTMLCell(w.name), HTMLCell(NumberText.integer(c.actions)), HTMLCell(ReportText.change(Double(c.actions), Double(p.actions))),
                HTMLCell(c.spend.display(), hint: c.spend.exactString + " USD"), HTMLCell(ReportText.change(c.spend, p.spend)),
                HTMLCell(c.loadedCPCA?.display() ?? "–", tone: cpcaTone), HTMLCell(w.budgetedCPCA?.displayAsWritten() ?? ""),
                HTMLCell(NumberText.percent(c.fallbackRate), tone: over(c.fallbackRate, w.budgetedFallbackRate),
                         hint: w.budgetedFallbackRate.map { "budget " + NumberText.percent($0) }),
                HTMLCell(NumberText.percent(c.retryRate), tone: over(c.retryRate, w.budgetedRetryRate),
                         hint: w.budgetedRetryRate.map { "budget " + NumberText.percent($0) }),
                HTMLCell(c.callsPerAction.map { formatDecimal($0, decimals: 2) } ?? "–"),
                HTMLCell(c.avgInputTokens.map { NumberText.integer(Int64($0.rounded())) } ?? "–"),
                HTMLCell(c.avgOutputTokens.map { NumberText.integer(Int64($0.rounded())) } ?? "–"),
                HTMLCell(NumberText.percent(c.cacheHitShare, decimals: 0)), HTMLCell(NumberText.percent(c.premiumShare, decimals: 0)),
                HTMLCell(ReportText.seconds(c.latencyP50)), HTMLCell(ReportText.seconds(c.latencyP95)),
                HTMLCell(ReportText.seconds(c.batchLatencyP95), hint: c.batchLatencyP50.map { "batch p50 " + ReportText.seconds($0) }),
            ])
        }
        t.total = ["total", NumberText.integer(r.total.current.actions),
                   ReportText.change(Double(r.total.current.actions), Double(r.total.previous.actions)),
                   r.total.current.spend.display(), ReportText.change(r.total.current.spend, r.total.previous.spend)].map { HTMLCell($0) }
        return t
    }

    static func costTable(_ r: AuditResult) -> HTMLTable {
        var t = HTMLTable(columns: [
            .init("workflow"), .init("completed", align: .right), .init("failed", align: .right), .init("abandoned", align: .right),
            .init("useful", align: .right), .init("+ waste in completed", align: .right), .init("+ failed", align: .right),
            .init("+ abandoned", align: .right), .init("= action cost", align: .right), .init("direct", align: .right),
            .init("loaded", align: .right),
        ])
        for w in r.workflows where w.figures.current.actions > 0 {
            let f = w.figures.current
            t.add([w.name, NumberText.integer(f.completed), NumberText.integer(f.failed), NumberText.integer(f.abandoned),
                   f.completedUseful.display(), f.wasteInCompleted.display(), f.failedCost.display(), f.abandonedCost.display(),
                   f.actionCost.display(), f.directCPCA?.display() ?? "–", f.loadedCPCA?.display() ?? "–"])
        }
        return t
    }

    static func spendTable(_ lines: [Compared<SpendLine>], label: String, total: Money, caption: String) -> HTMLTable {
        var t = HTMLTable(caption: caption, columns: [
            .init(label), .init("calls", align: .right), .init("spend", align: .right), .init("share", align: .right),
            .init("previous", align: .right), .init("Δ", align: .right),
        ])
        for l in lines where l.current.calls > 0 || l.previous.calls > 0 {
            let spellings = l.current.loggedNames.isEmpty ? nil : "logged as " + l.current.loggedNames.joined(separator: ", ")
            t.add(cells: [HTMLCell(l.current.name, hint: spellings), HTMLCell(NumberText.integer(l.current.calls)),
                          HTMLCell(l.current.spendText, hint: l.current.spend.exactString + " USD"),
                          HTMLCell(ReportText.share(l.current.spend, of: total)), HTMLCell(l.previous.spendText),
                          HTMLCell(ReportText.change(l.current.spend, l.previous.spend))])
        }
        return t
    }

    static func groupTable(_ groups: [GroupReport], label: String, caption: String) -> HTMLTable {
        var t = HTMLTable(caption: caption, columns: [
            .init(label), .init("actions", align: .right), .init("spend", align: .right), .init("Δ", align: .right),
            .init("CPCA", align: .right), .init("fallback", align: .right), .init("retry", align: .right),
            .init("premium", align: .right),
        ])
        for g in groups where g.figures.current.calls > 0 || g.figures.current.actions > 0 {
            let c = g.figures.current
            t.add([g.name, NumberText.integer(c.actions), c.spend.display(), ReportText.change(c.spend, g.figures.previous.spend),
                   c.loadedCPCA?.display() ?? "–", NumberText.percent(c.fallbackRate), NumberText.percent(c.retryRate),
                   NumberText.percent(c.premiumShare, decimals: 0)])
        }
        return t
    }
}
