import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The words of `explain`'s summary, written from the typed ``BillChangeSummary``: "Spend rose $171.50
/// (+139.9%), from $122.63 to $294.13. Most of it ($97.79) is the new agent workflow; …". Every amount
/// is written as the tables of the same report write it.
extension BillChangeReport {
    /// A few sentences that say why the bill changed.
    public var explanation: String {
        let change = shownChange
        guard change != .zero || drivers.contains(where: { $0.amount != .zero }) else {
            return "Spend did not change: \(compareTotal.formattedDollars) in both periods."
        }
        var s = change >= .zero ? "Spend rose " : "Spend fell "
        s += (change >= .zero ? change : -change).formattedDollars
        if let share = changeShare { s += " (\(share >= 0 ? "+" : "")\(NumberText.percent(share)))" }
        s += ", from \(baseTotal.formattedDollars) to \(compareTotal.formattedDollars)\(perDay ? " a day" : "")."

        var sentences: [String] = []
        for (i, p) in summary.parts.enumerated() {
            let phrase = ExplainWording.phrase(p, dimension: dimension)
            let money = (p.amount >= .zero ? p.amount : -p.amount).formattedDollars
            let verb = p.amount >= .zero ? "added" : "saved"
            if i == 0 && change != .zero && Double(p.amount.picos) / Double(change.picos) > 0.5 {
                sentences.append("Most of it (\(money)) is \(phrase)")
            } else if i == 0 {
                sentences.append("The largest part: \(phrase) \(verb) \(money)")
            } else {
                sentences.append("\(phrase) \(verb) \(money)")
            }
        }
        if !sentences.isEmpty { s += " " + sentences.joined(separator: "; ") + "." }
        if let v = summary.volume {
            let grew = v.volume > .zero
            s += " The workflows of both periods kept their actions (\(ExplainWording.count(v.existingBase)) → "
                + "\(ExplainWording.count(v.existingCompare))\(perDay ? " a day" : "")); the \(grew ? "new" : "removed") workflows' "
                + "\(ExplainWording.count(v.changedActions)) actions are what moved volume (\(v.volume.signedDollars)) and workflow mix "
                + "(\(v.workflowMix.signedDollars)), which mostly offset."
        }
        if unpricedCalls.base > 0 || unpricedCalls.compare > 0 {
            s += " Unpriced calls (\(unpricedCalls.base) before, \(unpricedCalls.compare) after) are not in these figures."
        }
        return s
    }
}

enum ExplainWording {
    static func count(_ x: Double) -> String { NumberText.integer(Int64(x.rounded())) }

    /// What a part of the summary is, in words.
    static func phrase(_ p: BillChangeSummary.Part, dimension: BillChangeDimension) -> String {
        let up = p.amount > .zero
        guard let subject = p.subject else {
            switch p.driver {
            case .volume: return up ? "more actions (volume)" : "fewer actions (volume)"
            case .nonUsage: return "credits, tax and adjustments"
            default: return p.driver.shortLabel
            }
        }
        guard dimension == .workflow else {
            let place: String
            switch dimension {
            case .model, .modelName: place = "on \(subject)"
            case .tier: place = "on the \(subject) tier"
            case .team: place = "in the \(subject) team"
            case .segment: place = "in the \(subject) segment"
            case .workflow: place = "in \(subject)"
            }
            return "\(p.driver.shortLabel) \(place)"
        }
        let w = subject
        switch p.driver {
        case .volume: return up ? "more actions (volume) in \(w)" : "fewer actions (volume) in \(w)"
        case .workflowMix: return up ? "a shift of traffic toward \(w)" : "a shift of traffic away from \(w)"
        case .callOverhead:
            guard case let .calls(kind, times, reason) = p.detail else { return "\(up ? "more" : "less") call overhead in \(w)" }
            let often = times.map { " \(formatDecimal($0, decimals: 1))× as often" } ?? (up ? " where there were none before" : "")
            let calls: String
            switch kind {
            case .fallback: calls = "fallbacks"
            case .retry: calls = "retries"
            case .classifier: calls = "classifier calls"
            case .validation: calls = "validation calls"
            case .primary: calls = "primary calls per action"
            }
            return "\(up ? "more" : "less") call overhead in \(w) (\(calls)\(often)\(reason.map { "; reason: \($0)" } ?? ""))"
        case .routingMix: return up ? "routing mix in \(w) (traffic moved to dearer models)" : "routing mix in \(w) (traffic moved to cheaper models)"
        case .inputTokens: return up ? "longer prompts in \(w)" : "shorter prompts in \(w)"
        case .outputTokens: return up ? "longer outputs in \(w)" : "shorter outputs in \(w)"
        case .cacheHitRate: return up ? "a lower cache hit rate in \(w)" : "a higher cache hit rate in \(w)"
        case .unitPrice: return up ? "higher unit prices in \(w)" : "lower unit prices in \(w)"
        case .toolUse: return up ? "more tool uses (web search, …) per call in \(w)" : "fewer tool uses (web search, …) per call in \(w)"
        case .modality: return up ? "more audio and image charges in \(w)" : "less audio and image charges in \(w)"
        case .modifiers: return up ? "more calls with fast mode or data residency in \(w)" : "fewer calls with fast mode or data residency in \(w)"
        case .newTraffic:
            if case .newWorkflow(false) = p.detail { return "new teams, segments or models in \(w)" }
            return "the new \(w) workflow"
        case .removedTraffic:
            if case .stoppedWorkflow(false) = p.detail { return "teams, segments or models that stopped in \(w)" }
            return "the \(w) workflow stopping"
        case .nonUsage: return "credits, tax and adjustments"
        }
    }
}

extension BillChangeDriver {
    /// The driver's name for a table cell: its label without the parenthesis ("call overhead").
    public var shortLabel: String {
        guard let i = label.range(of: " (") else { return label }
        return String(label[..<i.lowerBound])
    }
}
