import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `explain` for a terminal: the explanation, the waterfall, each driver by dimension, the top movers.
public enum ExplainReportText {
    public static func render(_ r: BillChangeReport) -> String {
        var out = "TokenLedger: why the bill changed — \(r.base.label) → \(r.compare.label) (\(r.zoneName)\(r.perDay ? ", per day" : ""))\n\n"
        for line in PeriodNoteText.lines(r.periodNotes) { out += "NOTE: \(line)\n" }
        if !r.periodNotes.isEmpty { out += "\n" }
        out += r.explanation + "\n\n"
        out += "WATERFALL (shown amounts add up to the shown change; exact amounts in --format json)\n"
        var t = TextTable(columns: [.init("step"), .init("amount", align: .right), .init("running", align: .right)])
        var running = r.baseTotal.rounded(decimals: 2)
        t.add(["\(r.base.label) total", r.baseTotal.formattedDollars, running.formattedDollars])
        for d in r.drivers where d.shown != .zero || d.amount != .zero {
            running = running + d.shown
            t.add([d.driver.label, d.shown.signedDollars, running.formattedDollars])
        }
        t.addTotal(["\(r.compare.label) total", r.compareTotal.formattedDollars,
                    "change \(r.shownChange.signedDollars)" + (r.changeShare.map { " (\($0 >= 0 ? "+" : "")\(NumberText.percent($0)))" } ?? "")])
        out += t.render(indent: "  ")

        out += "\nDRIVERS BY \(r.dimension.rawValue.uppercased())\n"
        for d in r.drivers where !d.breakdown.isEmpty {
            out += "  \(d.driver.label): \(d.shown.signedDollars)\n"
            for part in d.breakdown { out += "      \(part.name): \(part.shown.signedDollars)\n" }
        }

        out += "\nTOP MOVERS (\(r.base.label) → \(r.compare.label))\n"
        var m = TextTable(columns: [
            .init("workflow"), .init("team"), .init("segment"), .init("kind"), .init("model"),
            .init("actions", align: .right), .init("calls/action", align: .right), .init("in/call", align: .right),
            .init("out/call", align: .right), .init("cache", align: .right), .init("$/1M tok", align: .right),
            .init("cost", align: .right), .init("change", align: .right), .init("main driver"),
        ])
        for mv in r.movers {
            m.add([mv.workflow, mv.team, mv.segment, mv.kind, mv.model,
                   "\(mv.base.actions) → \(mv.compare.actions)", pair(mv.base.callsPerAction, mv.compare.callsPerAction, 2),
                   pair(mv.base.inputPerCall, mv.compare.inputPerCall, 0), pair(mv.base.outputPerCall, mv.compare.outputPerCall, 0),
                   percentPair(mv.base.cacheShare, mv.compare.cacheShare), pair(mv.base.pricePerMillion, mv.compare.pricePerMillion, 2),
                   "\(mv.base.cost.display()) → \(mv.compare.cost.display())", mv.change.signedDollars,
                   mv.mainDriver?.shortLabel ?? ""])
        }
        out += m.render(indent: "  ")
        if r.unpricedCalls.base > 0 || r.unpricedCalls.compare > 0 {
            out += "\nUnpriced calls are not valued: \(r.unpricedCalls.base) in \(r.base.label), \(r.unpricedCalls.compare) in \(r.compare.label).\n"
        }
        out += "\nMethod: additive LMDI-I over workflow × team × segment × call kind × model × token component; new and removed cells contribute exactly their cost.\n"
        return out
    }

    static func pair(_ a: Double?, _ b: Double?, _ decimals: Int) -> String {
        "\(a.map { formatDecimal($0, decimals: decimals) } ?? "–") → \(b.map { formatDecimal($0, decimals: decimals) } ?? "–")"
    }

    static func percentPair(_ a: Double?, _ b: Double?) -> String {
        "\(NumberText.percent(a, decimals: 0)) → \(NumberText.percent(b, decimals: 0))"
    }
}

extension Money {
    /// `$1,234.56` (always two decimals).
    public var formattedDollars: String {
        var text = formatted(decimals: 2)
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        return (negative ? "-$" : "$") + Money.group(text)
    }

    /// `+$12.30` or `-$4.00`.
    public var signedDollars: String { (self >= .zero ? "+" : "") + formattedDollars }
}
