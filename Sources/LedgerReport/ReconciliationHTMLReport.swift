import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders a ``ReconciliationResult`` as one self-contained HTML page: the headline figures, a waterfall
/// from the logged cost to the provider's bill by gap class, billed against logged per provider, then
/// the tables of the text report. Every name from the data is escaped.
public enum ReconciliationHTMLReport {
    /// The page.
    public static func render(_ r: ReconciliationResult) -> String {
        let t = ReconciliationTables(r: r)
        var page = HTMLDocument(title: "TokenLedger reconciliation, \(r.period.first) to \(r.period.last)")
        page.header(title: "Reconciliation of provider bills with the routing logs",
                    lines: ["\(r.period.first) to \(r.period.last) (UTC days). Open days judged as of \(r.asOf.iso8601)."])
        if r.hasProviderData {
            page.keyFigures(keyFigures(r))
        }
        page.list(t.headline)
        if r.hasProviderData {
            page.heading("From the logs to the bill")
            page.chart(waterfall(r), caption: "Logged cost at price-book rates, the gap by class, and the provider bill")
            if !r.providers.isEmpty {
                page.chart(providerChart(r), caption: "Bill per provider (tick = logged calls at price-book rates)")
            }
            for table in t.tables {
                page.heading(table.title, level: 3)
                var h = HTMLTable(columns: table.columns, rows: table.rows, total: table.total)
                h.nowrap = Set(table.columns.indices.filter { ["day", "provider", "class", "tier", "kind"].contains(table.columns[$0].title) })
                page.table(h)
            }
        }
        if !r.notes.isEmpty {
            page.heading("Notes", level: 3)
            page.list(r.notes)
        }
        page.footer([t.footer])
        return page.render()
    }

    static func keyFigures(_ r: ReconciliationResult) -> [KeyFigure] {
        let t = r.totals
        return [
            KeyFigure("Provider bill", t.billed.display(), note: "usage \(t.billedUsage.display()), other \(t.nonUsage.display())"),
            KeyFigure("Logged calls", t.logged.display(), note: "at price-book rates"),
            KeyFigure("Coverage", NumberText.percent(t.coverage), note: "\(t.explained.display()) explained",
                      tone: (t.coverage ?? 1) >= 0.99 ? .good : .warning),
            KeyFigure("Gap", t.gap.display(), note: (t.billedTools == .zero ? "billed usage − logged, " : "billed usage and tool use − logged, ") + (r.withinTolerance ? "within tolerance" : "outside tolerance"),
                      tone: r.withinTolerance ? .good : .critical),
        ]
    }

    /// The logged cost, each gap class (and the gaps within tolerance), and the bill.
    public static func waterfall(_ r: ReconciliationResult) -> HTMLMarkup {
        var drivers = r.totals.gapParts.map { (label: ReconciliationTables.partLabel($0.part), amount: $0.amount) }
        if r.totals.byClass[.nonUsage] != .zero { drivers.append((label: GapClass.nonUsage.label, amount: r.totals.byClass[.nonUsage])) }
        return SVGChart.Waterfall(title: "From the logged cost to the provider bill", startLabel: "logged calls", start: r.totals.logged,
                                  drivers: drivers, endLabel: "provider bill", end: r.totals.billed,
                                  residualLabel: "cells without a known bill").render()
    }

    /// Each provider's bill, with its logged cost as the marker.
    public static func providerChart(_ r: ReconciliationResult) -> HTMLMarkup {
        let rows = r.providers.map { p in
            SVGChart.HorizontalBars.Row(label: p.provider, value: p.totals.billed.approximateDollars, valueText: p.totals.billed.display(),
                                        target: p.totals.logged.approximateDollars,
                                        tooltip: "\(p.provider): billed \(p.totals.billed.display()), logged \(p.totals.logged.display()), "
                                            + "coverage \(NumberText.percent(p.totals.coverage))")
        }
        return SVGChart.HorizontalBars(title: "Bill per provider", rows: rows, format: .dollars, markerLabel: "logged",
                                       width: 960).render()
    }
}
