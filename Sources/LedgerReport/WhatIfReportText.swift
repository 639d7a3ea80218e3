import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `whatif` for a terminal: the scenarios, the side-by-side table, cost by tier and by workflow, what
/// was replayed and on what evidence, the quality the logs carry, the assumptions and the caveats.
public enum WhatIfReportText {
    public static func render(_ r: WhatIfResult) -> String {
        var out = "TokenLedger what-if: \(r.period.label) (\(r.period.first) to \(r.period.last), \(r.zoneName))\n"
        out += "Figures marked ~ are modelled (base estimate; low and high below it); the others are exact to the picodollar (shown rounded).\n"
        out += table(WhatIfReportTables.scenarios(r))
        out += table(WhatIfReportTables.sideBySide(r))
        out += "  Basis of each total:\n"
        for (name, text) in WhatIfReportTables.basis(r) { out += "    \(name): \(text)\n" }
        out += table(WhatIfReportTables.tiers(r), totalRows: 1)
        for t in WhatIfReportTables.workflows(r) { out += table(t) }
        out += table(WhatIfReportTables.replays(r))
        let legend = WhatIfReportTables.assumptions(r)
        if !legend.isEmpty {
            out += "\nWHAT THE MODELLED FIGURES ASSUME (a model's own figures need \(r.minObservations) observations in the workflow)\n"
            for (label, text) in legend { out += "  \(label): \(text).\n" }
        }
        out += table(WhatIfReportTables.quality(r))
        out += "\nCAVEATS\n"
        for c in WhatIfReportTables.caveats(r) { out += "  - \(c)\n" }
        return out
    }

    static func table(_ t: WhatIfReportTables.Table, totalRows: Int = 0) -> String {
        var out = "\n\(t.title.uppercased())\n"
        if let note = t.note { out += "  \(note)\n" }
        guard !t.rows.isEmpty else { return out }
        var tt = TextTable(columns: t.header.enumerated().map { .init($0.element, align: t.right.contains($0.offset) ? .right : .left) })
        for (i, row) in t.rows.enumerated() {
            if i >= t.rows.count - totalRows { tt.addTotal(row) } else { tt.add(row) }
        }
        return out + tt.render(indent: "  ")
    }
}
