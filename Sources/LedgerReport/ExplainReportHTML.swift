import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `explain` as one self-contained HTML page: the explanation, the bill-change waterfall, each driver by
/// dimension and the top movers. Every name from the data is escaped.
public enum ExplainReportHTML {
    public static func render(_ r: BillChangeReport) -> String {
        /// The hover title of a model logged under several names.
        func spelled(_ model: String) -> String? { r.modelSpellings[model].map { "logged as " + $0.joined(separator: ", ") } }
        var page = HTMLDocument(title: "TokenLedger: why the bill changed, \(r.base.label) → \(r.compare.label)")
        page.header(title: "Why the bill changed: \(r.base.label) → \(r.compare.label)",
                    lines: ["\(r.base.first) to \(r.base.last) against \(r.compare.first) to \(r.compare.last) (\(r.zoneName)\(r.perDay ? ", per day" : "")).",
                            "Additive LMDI-I breakdown; new and removed workflows or models contribute exactly their cost."]
                        + PeriodNoteText.lines(r.periodNotes))
        let tone: HTMLTone = r.change > .zero ? .warning : .good
        page.keyFigures([
            KeyFigure(r.base.label, r.baseTotal.formattedDollars),
            KeyFigure(r.compare.label, r.compareTotal.formattedDollars),
            KeyFigure("Change", r.shownChange.signedDollars, note: r.changeShare.map { NumberText.percent($0) }, tone: tone),
        ])
        page.paragraph(r.explanation)
        let steps = r.drivers.filter { $0.shown != .zero }.map { (label: $0.driver.label, amount: $0.shown) }
        page.chart(SVGChart.Waterfall(title: "From \(r.base.label) to \(r.compare.label)", startLabel: "\(r.base.label) total",
                                      start: r.baseTotal.rounded(decimals: 2), drivers: steps, endLabel: "\(r.compare.label) total",
                                      end: r.compareTotal.rounded(decimals: 2)).render(),
                   caption: "The drivers, rounded to cents so that they add up to the change shown")
        page.heading("Drivers by \(r.dimension.rawValue)")
        var drivers = HTMLTable(columns: [.init("driver"), .init(r.dimension.rawValue), .init("amount", align: .right)])
        for d in r.drivers where !d.breakdown.isEmpty {
            for p in d.breakdown {
                drivers.add(cells: [HTMLCell(d.driver.label), HTMLCell(p.name, hint: r.dimension == .model ? spelled(p.name) : nil),
                                    HTMLCell(p.shown.signedDollars)])
            }
        }
        page.table(drivers)
        page.heading("Top movers")
        var movers = HTMLTable(columns: [
            .init("workflow"), .init("team"), .init("segment"), .init("kind"), .init("model"), .init("actions", align: .right),
            .init("calls/action", align: .right), .init("cost", align: .right), .init("change", align: .right), .init("main driver"),
        ])
        for m in r.movers {
            movers.add(cells: [m.workflow, m.team, m.segment, m.kind].map { HTMLCell($0) } + [HTMLCell(m.model, hint: spelled(m.model))]
                + ["\(m.base.actions) → \(m.compare.actions)", ExplainReportText.pair(m.base.callsPerAction, m.compare.callsPerAction, 2),
                   "\(m.base.cost.display()) → \(m.compare.cost.display())", m.change.signedDollars, m.mainDriver?.shortLabel ?? ""]
                .map { HTMLCell($0) })
        }
        page.table(movers)
        if r.unpricedCalls.base > 0 || r.unpricedCalls.compare > 0 {
            page.paragraph("Unpriced calls are not valued: \(r.unpricedCalls.base) in \(r.base.label), \(r.unpricedCalls.compare) in \(r.compare.label).")
        }
        page.footer(["Money is exact and rounded half to even for display; exact amounts are in the JSON report."])
        return page.render()
    }
}
