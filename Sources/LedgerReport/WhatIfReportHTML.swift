import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `whatif` as one self-contained HTML page (``HTMLDocument``): the headline figures (the actual total and
/// each scenario's, with its low-to-high range), a chart of the totals, then the same tables as the text
/// report. Every string is escaped for HTML text and attributes.
public enum WhatIfReportHTML {
    public static func render(_ r: WhatIfResult) -> String {
        var page = HTMLDocument(title: "What-if: \(r.period.label)")
        page.header(title: "What-if: \(r.period.label)", lines: [
            "\(r.period.first) to \(r.period.last) (\(r.zoneName))",
            "Figures marked ~ are modelled (base estimate; low and high below it); the others are exact to the picodollar (shown rounded).",
        ])
        page.keyFigures(keyFigures(r))
        page.chart(chart(r), caption: "Total of each scenario (whiskers: low to high)")
        table(WhatIfReportTables.scenarios(r), on: &page)
        table(WhatIfReportTables.sideBySide(r), on: &page)
        page.heading("Basis of each total")
        page.list(WhatIfReportTables.basis(r).map { "\($0.0): \($0.1)" })
        table(WhatIfReportTables.tiers(r), on: &page, totalRow: true)
        for t in WhatIfReportTables.workflows(r) { table(t, on: &page) }
        table(WhatIfReportTables.replays(r), on: &page)
        let legend = WhatIfReportTables.assumptions(r)
        if !legend.isEmpty {
            page.heading("What the modelled figures assume")
            page.paragraph("A model's own figures need \(r.minObservations) observations in the workflow.", tone: .muted)
            page.list(legend.map { "\($0.0): \($0.1)." })
        }
        table(WhatIfReportTables.quality(r), on: &page)
        page.heading("Caveats")
        page.list(WhatIfReportTables.caveats(r))
        return page.render()
    }

    /// The actual total, then each scenario's with its range and its difference from the actual.
    static func keyFigures(_ r: WhatIfResult) -> [KeyFigure] {
        let actual = r.actual
        return r.scenarios.map { s in
            let amount = s.total.figure.amount
            let value = WhatIfReportTables.money(amount.base, modelled: !s.total.figure.isExact)
            guard !s.isActual else { return KeyFigure(s.name, value, note: "actual spend") }
            let change = s.relativeChange(from: actual).map { ($0 >= 0 ? "+" : "") + NumberText.percent($0) + " vs actual" }
            let range = amount.isExact ? nil : "\(amount.low.display())–\(amount.high.display())"
            let difference = s.difference(from: actual).base
            let tone: HTMLTone = difference.picos < 0 ? .good : (difference.picos > 0 ? .warning : .neutral)
            return KeyFigure(s.name, value, note: [change, range].compactMap { $0 }.joined(separator: "; "), tone: tone)
        }
    }

    /// One bar per scenario, the actual first; modelled totals carry their range.
    static func chart(_ r: WhatIfResult) -> HTMLMarkup {
        let rows = r.scenarios.map { s -> SVGChart.HorizontalBars.Row in
            let a = s.total.figure.amount
            let text = WhatIfReportTables.money(a.base, modelled: !s.total.figure.isExact)
            return SVGChart.HorizontalBars.Row(
                label: s.name, value: a.base.approximateDollars, valueText: text,
                tooltip: s.name + ": " + text + (a.isExact ? "" : " (\(a.low.display())–\(a.high.display()))"),
                range: a.isExact ? nil : a.low.approximateDollars...max(a.low.approximateDollars, a.high.approximateDollars))
        }
        return SVGChart.HorizontalBars(title: "Total of each scenario", rows: rows, width: 720).render()
    }

    /// A table of the text report, with its title as the caption and its note above it.
    static func table(_ t: WhatIfReportTables.Table, on page: inout HTMLDocument, totalRow: Bool = false) {
        if let note = t.note {
            page.heading(t.title, level: 3)
            page.paragraph(note, tone: .muted)
        }
        guard !t.rows.isEmpty else {
            if t.note == nil { page.heading(t.title, level: 3) }
            return
        }
        let columns = t.header.enumerated().map { i, h in TextTable.Column(h, align: t.right.contains(i) ? .right : .left) }
        let body = totalRow ? Array(t.rows.dropLast()) : t.rows
        page.table(HTMLTable(caption: t.note == nil ? t.title : nil, columns: columns, rows: body,
                             total: totalRow ? t.rows.last : nil))
    }
}
