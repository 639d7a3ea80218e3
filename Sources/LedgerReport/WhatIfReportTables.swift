import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The tables of a what-if report as plain cells, shared by the text, Markdown and HTML renderers (each
/// escapes for its own format). Modelled amounts carry a leading `~`.
public enum WhatIfReportTables {
    /// A table: a title, column headings, which columns are right-aligned, rows (the last `totalRows`
    /// rows are totals).
    public struct Table: Sendable, Equatable {
        public var title: String
        public var header: [String]
        public var right: Set<Int>
        public var rows: [[String]]
        public var note: String?
    }

    /// `~$1,234.57` for a modelled amount, `$1,234.57` for an exact one.
    static func money(_ m: Money, modelled: Bool) -> String { (modelled ? "~" : "") + m.display() }

    /// A per-unit amount with fixed decimals: `~$0.0271`, `$0.000123`.
    static func unit(_ m: Money, decimals: Int = 4, modelled: Bool = false) -> String {
        var text = m.formatted(decimals: decimals)
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        return (modelled ? "~" : "") + (negative ? "-$" : "$") + Money.group(text)
    }

    static func unitRange(_ a: WhatIfAmount) -> String {
        a.isExact ? "–" : "\(unit(a.low)) to \(unit(a.high))"
    }

    static func signed(_ m: Money, modelled: Bool) -> String {
        (modelled ? "~" : "") + (m.isNegative ? "-" : "+") + (m.isNegative ? -m : m).display()
    }

    static func range(_ a: WhatIfAmount) -> String { a.isExact ? "–" : "\(a.low.display()) to \(a.high.display())" }

    static func share(_ b: WhatIfBand?, modelled: Bool) -> String {
        guard let b else { return "–" }
        return (modelled ? "~" : "") + NumberText.percent(b.base)
    }

    static func shareRange(_ b: WhatIfBand?) -> String {
        guard let b, b.low != b.high else { return "–" }
        return "\(NumberText.percent(b.low)) to \(NumberText.percent(b.high))"
    }

    /// The scenarios with what each one changes.
    public static func scenarios(_ r: WhatIfResult) -> Table {
        Table(title: "Scenarios", header: ["scenario", "what changes"], right: [],
              rows: r.scenarios.map { [$0.name, $0.summary] })
    }

    /// Totals, cost per completed action and premium share, the actual period first.
    public static func sideBySide(_ r: WhatIfResult) -> Table {
        let a = r.actual
        var rows: [[String]] = []
        func row(_ label: String, _ cell: (WhatIfScenarioResult) -> String) { rows.append([label] + r.scenarios.map(cell)) }
        row("total") { money($0.total.figure.amount.base, modelled: !$0.total.figure.isExact) }
        row("  low to high") { range($0.total.figure.amount) }
        row("  difference") { $0.isActual ? "–" : signed($0.difference(from: a).base, modelled: !$0.total.figure.isExact) }
        row("  difference %") { s in
            s.isActual ? "–" : (s.relativeChange(from: a).map { ($0 >= 0 ? "+" : "") + NumberText.percent($0) } ?? "–")
        }
        row("cost per completed action") { s in
            s.total.costPerCompletedAction.map { unit($0.base, modelled: !s.total.figure.isExact) } ?? "–"
        }
        row("  low to high") { $0.total.costPerCompletedAction.map(unitRange) ?? "–" }
        row("premium share") { share($0.total.premiumShare, modelled: !$0.total.figure.isExact) }
        row("  low to high") { shareRange($0.total.premiumShare) }
        row("replayed actions") { NumberText.integer($0.replayedActions) }
        row("modelled share of total") { NumberText.percent($0.total.figure.modelledShare) }
        return Table(title: "Side by side", header: [""] + r.scenarios.map(\.name), right: Set(1...r.scenarios.count), rows: rows,
                     note: "\(NumberText.integer(a.total.actions)) actions, \(NumberText.integer(a.total.completed)) completed.")
    }

    /// What each scenario's total rests on: `exact`, or the modelled share and its assumptions.
    public static func basis(_ r: WhatIfResult) -> [(String, String)] {
        r.scenarios.map { s in
            let f = s.total.figure
            var text = f.isExact ? "exact" : "modelled (\(NumberText.percent(f.modelledShare)) of the total): " + f.assumptions.map(\.label).joined(separator: ", ")
            if f.repriced { text += "; repriced with its price book (exact)" }
            return (s.name, text)
        }
    }

    /// Cost by tier.
    public static func tiers(_ r: WhatIfResult) -> Table {
        var rows = r.tierOrder.map { tier in
            [tier] + r.scenarios.map { s in
                let f = s.tier(tier)?.figure ?? WhatIfFigure()
                return money(f.amount.base, modelled: !f.isExact)
            }
        }
        rows.append(["total"] + r.scenarios.map { money($0.total.figure.amount.base, modelled: !$0.total.figure.isExact) })
        return Table(title: "Cost by tier", header: ["tier"] + r.scenarios.map(\.name), right: Set(1...r.scenarios.count), rows: rows)
    }

    /// Cost, cost per completed action and premium share by workflow.
    public static func workflows(_ r: WhatIfResult) -> [Table] {
        let cols = Set(2...(r.scenarios.count + 1))
        func table(_ title: String, _ countTitle: String, _ count: (WhatIfLine) -> Int64,
                   _ cell: (WhatIfLine) -> String) -> Table {
            Table(title: title, header: ["workflow", countTitle] + r.scenarios.map(\.name), right: cols.union([1]),
                  rows: r.workflowOrder.map { w in
                      let actual = r.actual.workflow(w) ?? WhatIfLine(name: w)
                      return [w, NumberText.integer(count(actual))] + r.scenarios.map { cell($0.workflow(w) ?? WhatIfLine(name: w)) }
                  })
        }
        return [
            table("Cost by workflow", "actions", \.actions) { money($0.figure.amount.base, modelled: !$0.figure.isExact) },
            table("Cost per completed action by workflow", "completed", \.completed) { l in
                l.costPerCompletedAction.map { unit($0.base, modelled: !l.figure.isExact) } ?? "–"
            },
            table("Premium share by workflow", "actions", \.actions) { share($0.premiumShare, modelled: !$0.figure.isExact) },
        ]
    }

    /// What moved in each scenario, and on what evidence.
    public static func replays(_ r: WhatIfResult) -> Table {
        var rows: [[String]] = []
        for s in r.scenarios {
            for m in s.moves {
                var tokens = "in ×\(formatDecimal(m.inputRatio, decimals: 3)); out: \(m.outputTokens.label)"
                if m.outputTokens == .observedTokens { tokens += " (\(NumberText.integer(m.tokenObservations)) calls)" }
                if let f = m.fallbackOutputTokens { tokens += "; fallback out: \(f.label)" }
                var rates = m.rates.label
                if m.rates != .budgetRates { rates += " (\(NumberText.integer(m.rateObservations)) actions)" }
                rates += ": \(formatDecimal(m.retriesPerAction, decimals: 3)) retries, \(formatDecimal(m.fallbacksPerAction, decimals: 3)) fallbacks"
                rows.append([s.name, m.workflow, "\(m.from) → \(m.to)", m.fallback, NumberText.integer(m.actions),
                             tokens, rates + (m.unpriced ? "; target unpriced" : "")])
            }
        }
        return Table(title: "Replayed actions", header: ["scenario", "workflow", "started on → replayed on", "fallback", "actions",
                                                        "tokens per call", "calls per action"],
                     right: [4], rows: rows,
                     note: rows.isEmpty ? "No scenario replays any action." : nil)
    }

    /// The quality the logs carry, per workflow and model, then per model.
    public static func quality(_ r: WhatIfResult) -> Table {
        Table(title: "Quality as logged (not modelled for any scenario)",
              header: ["workflow", "model", "tier", "scored calls", "mean score", "corrected", "cost per scored call", "cost per quality point"],
              right: [3, 4, 5, 6, 7],
              rows: r.quality.map { q in
                  [q.workflow ?? "(all)", q.model, q.tier ?? "–", NumberText.integer(q.scoredCalls),
                   q.meanScore.map { formatDecimal($0, decimals: 3) } ?? "–",
                   q.correctedShare.map { NumberText.percent($0) + " of \(NumberText.integer(q.correctionKnown))" } ?? "–",
                   q.costPerScoredCall.map { unit($0, decimals: 6) } ?? "–", q.costPerQualityPoint.map { unit($0, decimals: 6) } ?? "–"]
              },
              note: r.quality.isEmpty
                ? "The logs carry no quality_score (top-level or in metadata) for this period."
                : "A quality point is 0.01 of quality_score. Cost per quality point is the billed cost of the scored calls over their points: a seed for A/B comparisons, not a forecast.")
    }

    /// The legend of the assumptions that appear.
    public static func assumptions(_ r: WhatIfResult) -> [(String, String)] {
        r.assumptionsUsed.map { ($0.label, $0.explanation) }
    }

    /// Every caveat: the report's, then each scenario's, prefixed with its name.
    public static func caveats(_ r: WhatIfResult) -> [String] {
        r.caveats + r.scenarios.flatMap { s in s.caveats.map { "\(s.name): \($0)" } }
    }
}
