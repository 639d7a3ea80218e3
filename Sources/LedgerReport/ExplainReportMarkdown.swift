import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `explain` as Markdown.
public enum ExplainReportMarkdown {
    public static func render(_ r: BillChangeReport) -> String {
        var out = "# Why the bill changed: \(Markdown.escape(r.base.label)) → \(Markdown.escape(r.compare.label))\n\n"
        for line in PeriodNoteText.lines(r.periodNotes) { out += "> **Note:** \(Markdown.escape(line))\n>\n" }
        if !r.periodNotes.isEmpty { out += "\n" }
        out += Markdown.escape(r.explanation) + "\n\n## Waterfall\n\n"
        var rows: [[String]] = [["\(r.base.label) total", r.baseTotal.formattedDollars]]
        for d in r.drivers where d.shown != .zero || d.amount != .zero { rows.append([d.driver.label, d.shown.signedDollars]) }
        rows.append(["**\(r.compare.label) total**", "**\(r.compareTotal.formattedDollars)**"])
        rows.append(["**change**", "**\(r.shownChange.signedDollars)**"])
        out += Markdown.table(["step", "amount"], rows, right: [1])
        out += "## Drivers by \(r.dimension.rawValue)\n\n"
        var drows: [[String]] = []
        for d in r.drivers { for p in d.breakdown { drows.append([d.driver.label, p.name, p.shown.signedDollars]) } }
        out += Markdown.table(["driver", r.dimension.rawValue, "amount"], drows, right: [2])
        out += "## Top movers\n\n"
        out += Markdown.table(["workflow", "team", "segment", "kind", "model", "actions", "calls/action", "cost", "change", "main driver"],
                              r.movers.map { m in
                                  [m.workflow, m.team, m.segment, m.kind, m.model, "\(m.base.actions) → \(m.compare.actions)",
                                   ExplainReportText.pair(m.base.callsPerAction, m.compare.callsPerAction, 2),
                                   "\(m.base.cost.display()) → \(m.compare.cost.display())", m.change.signedDollars,
                                   m.mainDriver?.shortLabel ?? ""]
                              }, right: [5, 6, 7, 8])
        return out
    }
}
