/// `whatif` as one self-contained HTML page: the same tables as the text report, inline CSS, no script
/// and nothing fetched. Every string is escaped for HTML text and attributes.
public enum WhatIfReportHTML {
    public static func render(_ r: WhatIfResult) -> String {
        var out = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>What-if: \(HTMLText.escape(r.period.label))</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}
            table{border-collapse:collapse;margin:.5rem 0 1.5rem}
            th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
            td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
            tr.total td{font-weight:600;border-top:2px solid #999}
            h2{margin-top:2rem;font-size:1.15rem}
            .note{color:#555}
            </style>
            </head>
            <body>

            """
        out += "<h1>What-if: \(HTMLText.escape(r.period.label))</h1>\n"
        out += "<p class=\"note\">\(HTMLText.escape("\(r.period.first) to \(r.period.last) (\(r.zoneName))")). Figures marked ~ are modelled (base estimate; low and high below it); the others are exact to the picodollar (shown rounded).</p>\n"
        out += table(WhatIfReportTables.scenarios(r))
        out += table(WhatIfReportTables.sideBySide(r))
        out += "<p>Basis of each total:</p>\n<ul>\n"
        for (name, text) in WhatIfReportTables.basis(r) { out += "<li><b>\(HTMLText.escape(name))</b>: \(HTMLText.escape(text))</li>\n" }
        out += "</ul>\n"
        out += table(WhatIfReportTables.tiers(r), totalRows: 1)
        for t in WhatIfReportTables.workflows(r) { out += table(t) }
        out += table(WhatIfReportTables.replays(r))
        let legend = WhatIfReportTables.assumptions(r)
        if !legend.isEmpty {
            out += "<h2>What the modelled figures assume</h2>\n<p class=\"note\">A model&#39;s own figures need \(r.minObservations) observations in the workflow.</p>\n<ul>\n"
            for (label, text) in legend { out += "<li><b>\(HTMLText.escape(label))</b>: \(HTMLText.escape(text)).</li>\n" }
            out += "</ul>\n"
        }
        out += table(WhatIfReportTables.quality(r))
        out += "<h2>Caveats</h2>\n<ul>\n"
        for c in WhatIfReportTables.caveats(r) { out += "<li>\(HTMLText.escape(c))</li>\n" }
        out += "</ul>\n</body>\n</html>\n"
        return out
    }

    static func table(_ t: WhatIfReportTables.Table, totalRows: Int = 0) -> String {
        var out = "<h2>\(HTMLText.escape(t.title))</h2>\n"
        if let note = t.note { out += "<p class=\"note\">\(HTMLText.escape(note))</p>\n" }
        guard !t.rows.isEmpty else { return out }
        func cells(_ row: [String], tag: String) -> String {
            row.enumerated().map { i, c in
                "<\(tag)\(t.right.contains(i) ? " class=\"r\"" : "")>\(HTMLText.escape(c))</\(tag)>"
            }.joined()
        }
        out += "<table>\n<thead><tr>\(cells(t.header, tag: "th"))</tr></thead>\n<tbody>\n"
        for (i, row) in t.rows.enumerated() {
            out += "<tr\(i >= t.rows.count - totalRows ? " class=\"total\"" : "")>\(cells(row, tag: "td"))</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}
