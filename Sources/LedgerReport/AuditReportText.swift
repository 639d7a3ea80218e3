import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The weekly audit for a terminal: a headline, the flags, then tables. Deterministic: sorted, and the
/// only time in it is the data's own.
public enum AuditReportText {
    /// - Parameter color: ANSI colours for severities (only on a terminal, never with `NO_COLOR`).
    public static func render(_ r: AuditResult, budgetName: String?, color: Bool = false) -> String {
        ReportText.$previousScale.withValue(r.previousScale) { body(r, budgetName: budgetName, color: color) }
    }

    static func body(_ r: AuditResult, budgetName: String?, color: Bool) -> String {
        var out = ""
        out += "TokenLedger audit — \(r.period.label) (\(r.period.first) to \(r.period.last), \(r.zoneName))\n"
        out += "Compared with \(r.previous.label) (\(r.previous.first) to \(r.previous.last)). "
        out += budgetName.map { "Budget: \($0)." } ?? "No budget: only the checks that need none."
        out += " Data through \(r.dataEnd.iso8601.prefix(10)).\n\n"
        for line in PeriodNoteText.lines(r.periodNotes) { out += "NOTE: \(line)\n" }
        if !r.periodNotes.isEmpty { out += "\n" }
        out += headline(r) + "\n\n"

        out += "FLAGS\n"
        if r.flags.isEmpty {
            out += "  None.\n"
        } else {
            for f in r.flags {
                let label = f.severity.rawValue.uppercased()
                let tag = color ? paint(label, f.severity) : label
                let w = AuditFlagWording(f)
                out += "  \(tag)\(String(repeating: " ", count: 9 - label.count))\(f.rule.rawValue)  \(w.subject)\n"
                out += "           expected \(w.expected); actual \(w.actual)\n"
                out += "           \(w.evidence)\n"
                out += "           check: \(w.check)\n"
            }
        }
        if !r.watches.isEmpty {
            out += "\nWATCH (not flagged: not significant after correction, or not enough data)\n"
            for f in r.watches {
                let w = AuditFlagWording(f)
                out += "  \(f.verdict == .watch ? "watch" : "no data")  \(f.rule.rawValue)  \(w.subject): \(w.actual) vs \(w.expected); \(w.evidence)\n"
            }
        }

        out += "\nWORKFLOWS (actions by their first call; spend by call time)\n"
        var t = TextTable(columns: [
            .init("workflow"), .init("actions", align: .right), .init("Δ", align: .right), .init("spend", align: .right),
            .init("Δ", align: .right), .init("CPCA", align: .right), .init("budget", align: .right),
            .init("fallback", align: .right), .init("retry", align: .right), .init("calls/act", align: .right),
            .init("in tok", align: .right), .init("out tok", align: .right), .init("cache", align: .right),
            .init("premium", align: .right), .init("p50", align: .right), .init("p95", align: .right),
            .init("batch p95", align: .right),
        ])
        for w in r.workflows {
            let c = w.figures.current, p = w.figures.previous
            t.add([w.name, NumberText.integer(c.actions), ReportText.change(Double(c.actions), Double(p.actions)),
                   c.spend.display(), ReportText.change(c.spend, p.spend), c.loadedCPCA?.display() ?? "–",
                   w.budgetedCPCA?.displayAsWritten() ?? "", NumberText.percent(c.fallbackRate), NumberText.percent(c.retryRate),
                   c.callsPerAction.map { formatDecimal($0, decimals: 2) } ?? "–",
                   c.avgInputTokens.map { NumberText.integer(Int64($0.rounded())) } ?? "–",
                   c.avgOutputTokens.map { NumberText.integer(Int64($0.rounded())) } ?? "–",
                   NumberText.percent(c.cacheHitShare, decimals: 0), NumberText.percent(c.premiumShare, decimals: 0),
                   ReportText.seconds(c.latencyP50), ReportText.seconds(c.latencyP95), ReportText.seconds(c.batchLatencyP95)])
        }
        t.addTotal(["total", NumberText.integer(r.total.current.actions),
                    ReportText.change(Double(r.total.current.actions), Double(r.total.previous.actions)),
                    r.total.current.spend.display(), ReportText.change(r.total.current.spend, r.total.previous.spend),
                    "", "", "", "", "", "", "", "", "", "", "", ""])
        out += t.render(indent: "  ")

        out += "\nCOST PER COMPLETED ACTION (the parts add up to each workflow's action cost)\n"
        var c = TextTable(columns: [
            .init("workflow"), .init("completed", align: .right), .init("failed", align: .right), .init("abandoned", align: .right),
            .init("useful", align: .right), .init("+ waste in completed", align: .right), .init("+ failed", align: .right),
            .init("+ abandoned", align: .right), .init("= action cost", align: .right), .init("direct", align: .right),
            .init("loaded", align: .right),
        ])
        for w in r.workflows where w.figures.current.actions > 0 {
            let f = w.figures.current
            c.add([w.name, NumberText.integer(f.completed), NumberText.integer(f.failed), NumberText.integer(f.abandoned),
                   f.completedUseful.display(), f.wasteInCompleted.display(), f.failedCost.display(), f.abandonedCost.display(),
                   f.actionCost.display(), f.directCPCA?.display() ?? "–", f.loadedCPCA?.display() ?? "–"])
        }
        out += c.render(indent: "  ")

        let reasons = r.workflows.filter { !$0.fallbackReasons.isEmpty }
        if !reasons.isEmpty {
            out += "\nFALLBACKS BY REASON (fallback calls)\n"
            for w in reasons {
                let total = w.fallbackReasons.reduce(0) { $0 + $1.calls }
                out += "  \(w.name): " + w.fallbackReasons.map {
                    "\($0.reason) \($0.calls) (\(NumberText.percent(Double($0.calls) / Double(total), decimals: 0)))"
                }.joined(separator: ", ") + "\n"
            }
        }

        out += "\nSPEND BY TIER\n" + spendTable(r.tiers, label: "tier", total: r.total.current.spend)
        out += "\nSPEND BY MODEL\n" + spendTable(r.models, label: "model", total: r.total.current.spend)
        let spelled = ReportText.loggedNames(r.models)
        if !spelled.isEmpty {
            out += "\nMODELS BY LOGGED NAME (each model above is every name it was logged under)\n"
            for (model, names) in spelled { out += "  \(model): \(names.joined(separator: ", "))\n" }
        }
        if let charges = AuditChargeTable.text(r) { out += "\n\(AuditChargeTable.title.uppercased())\n" + charges }
        out += "\nTEAMS\n" + groupTable(r.teams, label: "team")
        out += "\nUSER SEGMENTS\n" + groupTable(r.segments, label: "segment")
        if !r.topUsers.isEmpty {
            out += "\nTOP USERS BY SPEND\n" + spendTable(r.topUsers, label: "user", total: r.total.current.spend)
        }
        if let burn = r.burn {
            out += "\nBUDGET (\(burn.month.label), month to date through \(burn.asOf))\n"
            var b = TextTable(columns: [
                .init("budget line"), .init("budget", align: .right), .init("spent", align: .right), .init("share", align: .right),
                .init("forecast", align: .right), .init("range", align: .right), .init("runs out", align: .right),
            ])
            for l in burn.lines {
                b.add([l.name, l.budget.display(), l.spent.display(), NumberText.percent(l.share), l.forecast.display(),
                       ReportText.forecastRange(l), ReportText.runsOut(l)])
            }
            out += b.render(indent: "  ")
        }
        if let rec = r.reconciliation {
            let t = ReconciliationTables(r: rec)
            out += "\nRECONCILIATION WITH PROVIDER BILLS (UTC days; `tokenledger reconcile` for every cell)\n"
            for line in t.headline { out += "  " + line + "\n" }
            for table in [t.classTable, t.rankingTable("Largest unexplained days", "day", rec.topDays),
                          t.rankingTable("Largest unexplained models", "model", rec.topModels)] where !table.rows.isEmpty {
                out += "\n  " + table.title + "\n"
                var tt = TextTable(columns: table.columns)
                for row in table.rows { tt.add(row) }
                if let total = table.total { tt.addTotal(total) }
                out += tt.render(indent: "  ")
            }
        }
        if !r.unpriced.isEmpty {
            out += "\nUNPRICED (not in any spend figure above)\n"
            for m in r.unpriced {
                out += "  \(m.model): \(NumberText.integer(m.requests)) request(s), \(NumberText.tokens(m.inputTokens)) in / \(NumberText.tokens(m.outputTokens)) out tokens\n"
            }
        }
        out += "\nCPCA: loaded cost per completed action (all the period's action cost ÷ completed actions). "
        out += "Money is exact and rounded half to even for display. Latency percentiles come from quarter-octave histograms (±9%); p50 and p95 are of interactive calls, batch calls apart.\n"
        return out
    }

    static func headline(_ r: AuditResult) -> String {
        let critical = r.flags.filter { $0.severity == .critical }.count
        let warnings = r.flags.filter { $0.severity == .warning }.count
        var s = "Spend \(r.total.current.spend.display()) (\(ReportText.change(r.total.current.spend, r.total.previous.spend)) vs \(r.total.previous.spend.display())), "
        s += "\(NumberText.integer(r.total.current.actions)) actions, \(NumberText.integer(r.total.current.calls)) calls. "
        s += r.flags.isEmpty ? "No flags." : "\(r.flags.count) flag(s): \(critical) critical, \(warnings) warning(s)."
        if r.total.current.unpricedCalls > 0 {
            s += " \(NumberText.integer(r.total.current.unpricedCalls)) unpriced call(s) are not in the spend."
        }
        return s
    }

    static func spendTable(_ lines: [Compared<SpendLine>], label: String, total: Money) -> String {
        var t = TextTable(columns: [
            .init(label), .init("calls", align: .right), .init("spend", align: .right), .init("share", align: .right),
            .init("previous", align: .right), .init("Δ", align: .right),
        ])
        for l in lines where l.current.calls > 0 || l.previous.calls > 0 {
            t.add([l.current.name, NumberText.integer(l.current.calls), l.current.spendText,
                   ReportText.share(l.current.spend, of: total), l.previous.spendText,
                   ReportText.change(l.current.spend, l.previous.spend)])
        }
        return t.render(indent: "  ")
    }

    static func groupTable(_ groups: [GroupReport], label: String) -> String {
        var t = TextTable(columns: [
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
        return t.render(indent: "  ")
    }

    static func paint(_ s: String, _ severity: AuditFlag.Severity) -> String {
        let code = severity == .critical ? "31;1" : (severity == .warning ? "33" : "36")
        return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }
}

/// Small formatting rules shared by the report formats.
public enum ReportText {
    /// `+12.3%`, `-4.0%`, `new` (from zero), `0.0%`.
    public static func change(_ current: Money, _ previous: Money) -> String {
        change(Double(current.picos), Double(previous.picos))
    }

    /// What the previous period's amounts are multiplied by before a change is worked out: the current
    /// period's days with data over the previous period's when they differ (so the change is per day),
    /// else 1. Set for the length of one rendering (``AuditResult/previousScale``).
    @TaskLocal public static var previousScale: Double = 1

    /// The change from `previous` (scaled by ``previousScale``) to `current`: `+12.5%`, `new`.
    public static func change(_ current: Double, _ previous: Double) -> String {
        let previous = previous * previousScale
        if previous == 0 { return current == 0 ? "0.0%" : "new" }
        let c = (current - previous) / abs(previous)
        return (c >= 0 ? "+" : "") + NumberText.percent(c)
    }

    public static func share(_ part: Money, of total: Money) -> String {
        total.picos == 0 ? "–" : NumberText.percent(Double(part.picos) / Double(total.picos))
    }

    /// A budget line's forecast range (`$80.00–$95.00`), or why it has none.
    public static func forecastRange(_ l: BurnLine) -> String {
        forecastRange(l.range, low: l.forecastLow, high: l.forecastHigh)
    }

    /// A forecast range (`$80.00–$95.00`), or why there is none.
    public static func forecastRange(_ range: BurnLine.ForecastRange, low: Money, high: Money) -> String {
        switch range {
        case .band: "\(low.display())–\(high.display())"
        case let .tooLittleHistory(days, needed): "too little history (\(days) of \(needed) days)"
        case .monthComplete: "month complete"
        }
    }

    /// When a budget line runs out: "ran out on 2026-10-20" when it did, the forecast day, or empty.
    public static func runsOut(_ l: BurnLine) -> String {
        if let d = l.ranOutOn { return "ran out on \(d)" }
        return l.runsOutOn?.description ?? ""
    }

    /// The models logged under more than one name, with those names, in table order.
    public static func loggedNames(_ models: [Compared<SpendLine>]) -> [(model: String, names: [String])] {
        models.filter { !$0.current.loggedNames.isEmpty && ($0.current.calls > 0 || $0.previous.calls > 0) }
            .map { ($0.current.name, $0.current.loggedNames) }
    }

    /// Milliseconds as `850 ms` or `2.4 s`.
    public static func seconds(_ ms: Double?) -> String {
        guard let ms else { return "–" }
        return ms < 1000 ? "\(Int(ms.rounded())) ms" : formatDecimal(ms / 1000, decimals: 1) + " s"
    }
}
