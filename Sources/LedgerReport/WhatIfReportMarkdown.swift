import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `whatif` as Markdown. Names from logs and scenario files are escaped, so none can break a table.
public enum WhatIfReportMarkdown {
    public static func render(_ r: WhatIfResult) -> String {
        var out = "# What-if: \(Markdown.escape(r.period.label))\n\n"
        out += "\(r.period.first) to \(r.period.last) (\(Markdown.escape(r.zoneName))). Figures marked \\~ are modelled "
        out += "(base estimate; low and high beside it); the others are exact to the picodollar (shown rounded).\n\n"
        out += table(WhatIfReportTables.scenarios(r))
        out += table(WhatIfReportTables.sideBySide(r))
        out += "Basis of each total:\n\n"
        for (name, text) in WhatIfReportTables.basis(r) { out += "- \(Markdown.escape(name)): \(Markdown.escape(text))\n" }
        out += "\n"
        out += table(WhatIfReportTables.tiers(r))
        for t in WhatIfReportTables.workflows(r) { out += table(t) }
        out += table(WhatIfReportTables.replays(r))
        let legend = WhatIfReportTables.assumptions(r)
        if !legend.isEmpty {
            out += "## What the modelled figures assume\n\n"
            out += "A model's own figures need \(r.minObservations) observations in the workflow.\n\n"
            for (label, text) in legend { out += "- **\(Markdown.escape(label))**: \(Markdown.escape(text)).\n" }
            out += "\n"
        }
        out += table(WhatIfReportTables.quality(r))
        out += "## Caveats\n\n"
        for c in WhatIfReportTables.caveats(r) { out += "- \(Markdown.escape(c))\n" }
        return out
    }

    static func table(_ t: WhatIfReportTables.Table) -> String {
        var out = "## \(Markdown.escape(t.title))\n\n"
        if let note = t.note { out += Markdown.escape(note) + "\n\n" }
        guard !t.rows.isEmpty else { return out }
        // Every cell is escaped (a name from a log that starts with `**` included).
        out += "| " + t.header.map(Markdown.escape).joined(separator: " | ") + " |\n"
        out += "|" + t.header.indices.map { t.right.contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in t.rows { out += "| " + row.map(Markdown.escape).joined(separator: " | ") + " |\n" }
        return out + "\n"
    }
}
