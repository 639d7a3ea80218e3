import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The sections of a reconciliation report as plain rows of text, shared by the text and Markdown
/// renderers (each escapes and lays them out for its own format). Money is rounded half to even for
/// display only.
struct ReconciliationTables {
    let r: ReconciliationResult

    struct Table {
        var title: String
        var columns: [TextTable.Column]
        var rows: [[String]]
        var total: [String]?
    }

    static func model(_ m: String?) -> String { m ?? "(all models)" }

    static func money(_ m: Money?) -> String { m?.display() ?? "–" }

    /// `$0.10–$0.90 at the provider's lowest and highest rates`.
    static func range(_ u: CostRange) -> String {
        "\(u.low.display())–\(u.high.display()) at the provider's lowest and highest rates"
    }

    static func classes(_ g: GapAmounts) -> String {
        g.sorted.map { "\($0.0.label) \($0.1.display())" }.joined(separator: "; ")
    }

    /// The share of `part` in `whole` for display (`10.3%`).
    static func share(_ part: Money, of whole: Money) -> String {
        whole.picos == 0 ? "–" : NumberText.percent(Double(part.picos) / Double(whole.picos))
    }

    var title: String {
        "Reconciliation of provider bills with the routing logs, \(r.period.first) to \(r.period.last) (UTC days)"
    }

    /// `gap (billed usage − logged)`, naming tool use when tool lines were compared.
    static func gapLabel(_ t: ReconciliationTotals, capitalized: Bool = false) -> String {
        (capitalized ? "Gap" : "gap")
            + (t.billedTools == .zero && t.loggedToolFees == .zero ? " (billed usage − logged)" : " (billed usage and tool use − logged)")
    }

    /// The headline sentences.
    var headline: [String] {
        let t = r.totals
        guard r.hasProviderData else {
            return ["No provider exports cover this period: import the providers' usage and cost exports (docs/provider-exports.md)."]
        }
        var lines: [String] = []
        lines.append("Provider bill: \(t.billed.display()) (token usage \(t.billedUsage.display()), other lines \(t.nonUsage.display())).")
        lines.append("Logged calls at price-book rates: \(t.logged.display())"
            + (t.loggedToolFees == .zero ? "." : ", and \(t.loggedToolFees.display()) of tool fees beside the providers' tool lines."))
        lines.append("The logs explain \(t.explained.display()) of the billed usage: coverage \(NumberText.percent(t.coverage)).")
        // One gap total, defined once: billed token usage minus the logged cost. Its parts are listed
        // once; lines that are not token usage are in the bill and not in the gap.
        let verdict = r.withinTolerance ? "within" : "outside"
        lines.append("\(Self.gapLabel(t, capitalized: true)): \(t.gap.display()), \(Self.share(t.gap, of: t.billedUsage)) of billed usage: "
            + "\(verdict) the \(NumberText.percent(Double(r.tolerances.totalPartsPerMillion) / 1_000_000, decimals: 2)) tolerance.")
        let parts = t.gapParts.sorted { ($0.amount.picos.magnitude, Self.partLabel($1.part)) > ($1.amount.picos.magnitude, Self.partLabel($0.part)) }
        if !parts.isEmpty {
            lines.append("In the gap: " + parts.map { "\(Self.partLabel($0.part)) \($0.amount.display())" }.joined(separator: ", ") + ".")
        }
        if t.boundaryShifted != .zero {
            lines.append("Boundary effects: \(t.boundaryShifted.display()) counted on the neighbouring UTC day by one side; they net out over the period.")
        }
        if t.outsideGap != .zero {
            lines.append("Not in the gap: lines that are not token usage\(t.billedTools == .zero ? "" : " or tool use"), \(t.outsideGap.display()) (listed below).")
        }
        if let day = r.topDays.first, let model = r.topModels.first {
            lines.append("Largest unexplained: day \(day.name) (\(day.unexplained.display())), model \(model.name) (\(model.unexplained.display())).")
        }
        let provisional = r.cells.filter(\.provisional).count
        if provisional > 0 {
            lines.append("\(provisional) cell(s) are provisional: their day ended less than \(r.tolerances.openHours) h before \(r.asOf.iso8601); re-check them later.")
        }
        if t.estimatedCells > 0 {
            lines.append("\(t.estimatedCells) cell(s) have no cost export: their bill is the exported usage at price-book rates.")
        }
        return lines
    }

    /// A gap part's label: the class, or the cells within the per-cell tolerance.
    static func partLabel(_ p: GapPart) -> String {
        switch p {
        case .gapClass(.boundary): "boundary (net)"
        case .gapClass(let c): c.label
        case .withinTolerance: "within tolerance (counted as matched)"
        }
    }

    /// The gap's parts, whose total row is the gap of the headline.
    var classTable: Table {
        let billed = r.totals.billedUsage
        let rows = r.totals.gapParts.map { p, m in
            var label = Self.partLabel(p)
            if p == .gapClass(.unpriced), let u = r.totals.unpricedRange { label += " (\(Self.range(u)))" }
            return [label, m.display(), Self.share(m, of: billed)]
        }
        return Table(title: "Gap by class", columns: [.init("class"), .init("amount", align: .right), .init("of billed usage", align: .right)],
                     rows: rows, total: [Self.gapLabel(r.totals), r.totals.gap.display(), Self.share(r.totals.gap, of: billed)])
    }

    func rankingTable(_ title: String, _ first: String, _ list: [GapRanking]) -> Table {
        Table(title: title, columns: [.init(first), .init("billed", align: .right), .init("unexplained", align: .right), .init("classes")],
              rows: list.map { [$0.name, $0.billed.display(), $0.unexplained.display(), Self.classes($0.byClass)] }, total: nil)
    }

    var providerTable: Table {
        Table(title: "By provider",
              columns: [.init("provider"), .init("billed", align: .right), .init("logged", align: .right), .init("explained", align: .right),
                        .init("coverage", align: .right), .init("unexplained", align: .right), .init("compared by")],
              rows: r.providers.map { p in
                  var by = p.refinedBy
                  if !p.bypassByKey && !p.bypassByProject { by.append("no bypass check") }
                  return [p.provider, p.totals.billed.display(), p.totals.logged.display(), p.totals.explained.display(),
                          NumberText.percent(p.totals.coverage), p.totals.unexplained.display(),
                          by.isEmpty ? "day, model" : "day, model, " + by.joined(separator: ", ")]
              }, total: nil)
    }

    var cellTable: Table {
        Table(title: "Cells (UTC day × provider × model)",
              columns: [.init("day"), .init("provider"), .init("model"), .init("billed", align: .right), .init("logged", align: .right),
                        .init("gap", align: .right), .init("classes"), .init("notes")],
              rows: r.cells.map { c in
                  var notes: [String] = []
                  if c.withinTolerance { notes.append("within tolerance") }
                  if c.provisional { notes.append("provisional") }
                  if c.billedBasis == .estimated { notes.append("bill estimated") }
                  if c.billedBasis == .unknown { notes.append("bill unknown") }
                  if c.loggedUnpriced > 0 {
                      notes.append("\(c.loggedUnpriced) unpriced call(s)" + (c.unpricedRange.map { ": \(Self.range($0))" } ?? ""))
                  }
                  return [c.day.description, c.provider, Self.model(c.model), Self.money(c.billed), c.loggedCost.display(),
                          Self.money(c.gap), Self.classes(c.classes), notes.joined(separator: ", ")]
              }, total: nil)
    }

    var driftTable: Table {
        Table(title: "Price drift by token kind (implied unit price vs the price book, per 1M tokens)",
              columns: [.init("day"), .init("provider"), .init("model"), .init("kind"), .init("tier"), .init("tokens", align: .right),
                        .init("billed", align: .right), .init("implied", align: .right), .init("book", align: .right),
                        .init("difference", align: .right)],
              rows: r.priceDrift.filter(\.outsideTolerance).map { d in
                  [d.day.description, d.provider, d.model, d.kind.rawValue.replacingOccurrences(of: "_", with: " "),
                   d.tier.rawValue + (d.longContext ? ", long context" : ""), NumberText.integer(d.tokens), d.billed.display(),
                   "$" + d.impliedPerMillion.formatted(decimals: 4), d.bookPerMillion.map { "$" + $0.formatted(decimals: 4) } ?? "–",
                   Self.money(d.difference)]
              }, total: nil)
    }

    var gatewayTable: Table {
        Table(title: "Gateway cost (cost_usd in the log) where it disagrees with the price book",
              columns: [.init("day"), .init("provider"), .init("model"), .init("calls", align: .right), .init("gateway", align: .right),
                        .init("price book", align: .right), .init("difference", align: .right), .init("billed", align: .right)],
              rows: r.gateway.filter(\.disagrees).map { g in
                  [g.day.description, g.provider, g.model, NumberText.integer(g.calls), g.gatewayCost.display(), Self.money(g.bookCost),
                   Self.money(g.bookCost.map { g.gatewayCost - $0 }), Self.money(g.billed)]
              }, total: nil)
    }

    var toolFeeTable: Table {
        Table(title: "Tool use billed beside the logged calls' tool fees",
              columns: [.init("day"), .init("provider"), .init("tool uses"), .init("billed", align: .right),
                        .init("logged fees", align: .right), .init("gap", align: .right)],
              rows: r.toolFees.map { c in
                  [c.day.description, c.provider,
                   c.toolCalls.sorted { $0.key < $1.key }.map { "\($0.key) \(NumberText.integer($0.value))" }.joined(separator: ", "),
                   c.billed.display(), c.logged.display(), Self.money(c.gap)]
              }, total: nil)
    }

    var nonUsageTable: Table {
        Table(title: "Lines that are not token usage",
              columns: [.init("day"), .init("provider"), .init("category"), .init("line item"), .init("amount", align: .right)],
              rows: r.nonUsage.map { [$0.day.description, $0.provider, $0.category.rawValue, $0.lineItem ?? "", $0.amount.display()] },
              total: nil)
    }

    /// Every table with rows, in report order.
    var tables: [Table] {
        var out: [Table] = [classTable]
        if !r.topDays.isEmpty { out.append(rankingTable("Days with the largest unexplained amount", "day", r.topDays)) }
        if !r.topModels.isEmpty { out.append(rankingTable("Models with the largest unexplained amount", "model", r.topModels)) }
        out.append(providerTable)
        out.append(cellTable)
        for t in [driftTable, gatewayTable, toolFeeTable, nonUsageTable] where !t.rows.isEmpty { out.append(t) }
        return out
    }

    var footer: String {
        let t = r.tolerances
        return "Tolerances: requests \(t.requests), tokens \(t.tokens) per cell; cost per cell max(\(t.cellCost.display()), "
            + "\(NumberText.percent(Double(t.cellCostPartsPerMillion) / 1_000_000, decimals: 2))); period total "
            + "\(NumberText.percent(Double(t.totalPartsPerMillion) / 1_000_000, decimals: 2)); open days \(t.openHours) h. "
            + "Amounts are exact and rounded half to even for display only."
    }
}
