import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The weekly audit as Markdown, ready to paste into an issue or a chat. User strings are escaped
/// (`|`, backticks, `<`, `>` and other Markdown punctuation) so a model or workflow name cannot break
/// a table or inject markup.
public enum AuditReportMarkdown {
    public static func render(_ r: AuditResult, budgetName: String?) -> String {
        ReportText.$previousScale.withValue(r.previousScale) { body(r, budgetName: budgetName) }
    }

    static func body(_ r: AuditResult, budgetName: String?) -> String {
        var out = "# TokenLedger audit — \(r.period.label)\n\n"
        out += "\(r.period.first) to \(r.period.last) (\(r.zoneName)), compared with \(r.previous.label). "
        out += budgetName.map { "Budget: `\(Markdown.code($0))`." } ?? "No budget: only the checks that need none."
        out += " Data through \(r.dataEnd.iso8601.prefix(10)).\n\n"
        for line in PeriodNoteText.lines(r.periodNotes) { out += "> **Note:** \(Markdown.escape(line))\n>\n" }
        if !r.periodNotes.isEmpty { out += "\n" }
        out += "**\(Markdown.escape(AuditReportText.headline(r)))**\n\n"

        out += "## Flags\n\n"
        if r.flags.isEmpty {
            out += "None.\n\n"
        } else {
            out += Markdown.table(["severity", "rule", "subject", "expected", "actual", "evidence", "check"],
                                  r.flags.map { f in let w = AuditFlagWording(f); return [f.severity.rawValue, f.rule.rawValue, w.subject, w.expected, w.actual, w.evidence, w.check] },
                                  right: [])
        }
        if !r.watches.isEmpty {
            out += "<details><summary>Watch list (not flagged)</summary>\n\n"
            out += Markdown.table(["verdict", "rule", "subject", "expected", "actual", "evidence"],
                                  r.watches.map { f in let w = AuditFlagWording(f); return [f.verdict.rawValue, f.rule.rawValue, w.subject, w.expected, w.actual, w.evidence] },
                                  right: [])
            out += "</details>\n\n"
        }

        out += "## Workflows\n\n"
        out += Markdown.table(
            ["workflow", "actions", "Δ", "spend", "Δ", "CPCA", "budget", "fallback", "retry", "calls/action", "premium", "p95", "batch p95"],
            r.workflows.map { w in
                let c = w.figures.current, p = w.figures.previous
                return [w.name, NumberText.integer(c.actions), ReportText.change(Double(c.actions), Double(p.actions)),
                        c.spend.display(), ReportText.change(c.spend, p.spend), c.loadedCPCA?.display() ?? "–",
                        w.budgetedCPCA?.displayAsWritten() ?? "", NumberText.percent(c.fallbackRate), NumberText.percent(c.retryRate),
                        c.callsPerAction.map { formatDecimal($0, decimals: 2) } ?? "–", NumberText.percent(c.premiumShare, decimals: 0),
                        ReportText.seconds(c.latencyP95), ReportText.seconds(c.batchLatencyP95)]
            } + [["**total**", NumberText.integer(r.total.current.actions), "", r.total.current.spend.display(),
                  ReportText.change(r.total.current.spend, r.total.previous.spend), "", "", "", "", "", "", "", ""]],
            right: Set(1...12))

        out += "## Cost per completed action\n\n"
        out += Markdown.table(
            ["workflow", "completed", "useful", "waste in completed", "failed", "abandoned", "action cost", "direct", "loaded"],
            r.workflows.filter { $0.figures.current.actions > 0 }.map { w in
                let f = w.figures.current
                return [w.name, NumberText.integer(f.completed), f.completedUseful.display(), f.wasteInCompleted.display(),
                        f.failedCost.display(), f.abandonedCost.display(), f.actionCost.display(),
                        f.directCPCA?.display() ?? "–", f.loadedCPCA?.display() ?? "–"]
            }, right: Set(1...8))

        out += "## Spend by tier\n\n" + spendTable(r.tiers, label: "tier", total: r.total.current.spend)
        out += "## Spend by model\n\n" + spendTable(r.models, label: "model", total: r.total.current.spend)
        let spelled = ReportText.loggedNames(r.models)
        if !spelled.isEmpty {
            out += Markdown.table(["model", "logged as"], spelled.map { [$0.model, $0.names.joined(separator: ", ")] }, right: [])
        }
        let charges = AuditChargeTable.rows(r)
        if !charges.isEmpty {
            out += "## \(AuditChargeTable.title)\n\n"
                + Markdown.table(AuditChargeTable.columns.map(\.title), charges, right: AuditChargeTable.rightAligned)
        }
        if !r.topUsers.isEmpty {
            out += "## Top users\n\n" + spendTable(r.topUsers, label: "user", total: r.total.current.spend)
        }
        if let burn = r.burn {
            out += "## Budget (\(burn.month.label), through \(burn.asOf))\n\n"
            out += Markdown.table(["line", "budget", "spent", "share", "forecast", "runs out"],
                                  burn.lines.map { [$0.name, $0.budget.display(), $0.spent.display(), NumberText.percent($0.share),
                                                    $0.forecast.display(), ReportText.runsOut($0)] },
                                  right: Set(1...4))
        }
        if let rec = r.reconciliation {
            let t = ReconciliationTables(r: rec)
            out += "## Reconciliation with provider bills\n\n"
            out += t.headline.map(Markdown.escape).joined(separator: "\n") + "\n\n"
            for table in [t.classTable, t.rankingTable("Largest unexplained days", "day", rec.topDays),
                          t.rankingTable("Largest unexplained models", "model", rec.topModels)] where !table.rows.isEmpty {
                out += "**\(Markdown.escape(table.title))**\n\n"
                out += Markdown.table(table.columns.map(\.title), table.rows + (table.total.map { [$0] } ?? []),
                                      right: Set(table.columns.indices.filter { table.columns[$0].align == .right }))
            }
        }
        if !r.unpriced.isEmpty {
            out += "## Unpriced models\n\n"
            out += Markdown.table(["model", "requests", "input tokens", "output tokens"],
                                  r.unpriced.map { [$0.model, NumberText.integer($0.requests), NumberText.integer($0.inputTokens),
                                                    NumberText.integer($0.outputTokens)] }, right: Set(1...3))
        }
        out += "_CPCA is the loaded cost per completed action. Money is exact and rounded half to even for display._\n"
        return out
    }

    static func spendTable(_ lines: [Compared<SpendLine>], label: String, total: Money) -> String {
        Markdown.table([label, "calls", "spend", "share", "previous", "Δ"],
                       lines.filter { $0.current.calls > 0 || $0.previous.calls > 0 }.map {
                           [$0.current.name, NumberText.integer($0.current.calls), $0.current.spendText,
                            ReportText.share($0.current.spend, of: total), $0.previous.spendText,
                            ReportText.change($0.current.spend, $0.previous.spend)]
                       }, right: Set(1...5))
    }
}

/// Markdown writing with escaping.
public enum Markdown {
    /// Escapes text for a table cell or a paragraph.
    /// Works on Unicode scalars: a `|` followed by a combining mark is one `Character` but still a
    /// `|` to a Markdown reader.
    public static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "|", "\\", "`", "*", "_", "[", "]", "#", "<", ">", "!", "~": out += "\\" + String(scalar)
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text inside a code span: backticks cannot close it.
    public static func code(_ s: String) -> String {
        s.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    /// A table; every cell is escaped. A cell written `**text**` is shown in bold, its text escaped too,
    /// so a user string that starts with `**` can embolden itself but never break out of its cell.
    public static func table(_ header: [String], _ rows: [[String]], right: Set<Int>) -> String {
        var out = "| " + header.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { right.contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows {
            out += "| " + row.map(cell).joined(separator: " | ") + " |\n"
        }
        return out + "\n"
    }

    /// One escaped table cell; `**text**` stays bold with `text` escaped.
    static func cell(_ s: String) -> String {
        if s.count > 4, s.hasPrefix("**"), s.hasSuffix("**") { return "**" + escape(String(s.dropFirst(2).dropLast(2))) + "**" }
        return escape(s)
    }
}
