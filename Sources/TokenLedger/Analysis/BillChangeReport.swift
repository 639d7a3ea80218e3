import Foundation

/// What `explain` shows: both totals, the change, the drivers as a waterfall whose displayed amounts add
/// up to the displayed change, each driver by a dimension, the cells that moved most, and a short
/// explanation in words. Built from a ``BillChangeDecomposition`` (pure).
public struct BillChangeReport: Sendable {
    public var base: Period
    public var compare: Period
    public var zoneName: String
    public var perDay: Bool
    public var dimension: BillChangeDimension
    public var baseTotal: Money
    public var compareTotal: Money
    public var change: Money
    public var drivers: [DriverLine]
    public var movers: [Mover]
    public var explanation: String
    public var unpricedCalls: (base: Int64, compare: Int64)
    public var nonUsage: (base: Money, compare: Money)

    /// One driver: its exact amount, the amount shown (rounded so that the shown amounts add up to the
    /// shown change), and its split by the chosen dimension.
    public struct DriverLine: Sendable {
        public var driver: BillChangeDriver
        public var amount: Money
        /// Rounded to the cent by largest remainder.
        public var shown: Money
        public var breakdown: [(name: String, amount: Money)]
    }

    /// A cell (unit × call kind × model) that moved, with both periods' figures.
    public struct Mover: Sendable {
        public var workflow: String
        public var team: String
        public var segment: String
        public var kind: String
        public var model: String
        public var base: MoverFigures
        public var compare: MoverFigures
        public var change: Money { compare.cost - base.cost }
        /// The driver that moved this cell most.
        public var mainDriver: BillChangeDriver?
    }

    public struct MoverFigures: Sendable, Equatable {
        public var actions: Int64 = 0
        public var callsPerAction: Double?
        public var calls: Int64 = 0
        public var inputPerCall: Double?
        public var outputPerCall: Double?
        public var cacheShare: Double?
        /// Dollars per 1M tokens, all components together.
        public var pricePerMillion: Double?
        public var cost = Money.zero
    }

    public var changeShare: Double? { baseTotal.picos == 0 ? nil : Double(change.picos) / Double(baseTotal.picos) }
}

/// The dimension `explain --by` breaks drivers down by.
public enum BillChangeDimension: String, Sendable, CaseIterable {
    case workflow, model, tier, team, segment
}

extension BillChangeReport {
    /// - Parameters:
    ///   - modelTiers: each model's tier, for `--by tier`.
    ///   - fallbackReasons: the most frequent fallback reason per workflow in the compare period.
    ///   - top: the number of movers and of breakdown lines per driver.
    public static func make(_ d: BillChangeDecomposition, base: Period, compare: Period, zoneName: String,
                            dimension: BillChangeDimension, names: NameDirectory, modelTiers: [Int64: String],
                            fallbackReasons: [Int64: String] = [:], top: Int = 10) -> BillChangeReport {
        func unitName(_ d: Dimension, _ id: Int64, missing: String) -> String { names.name(d, id == 0 ? nil : id) ?? missing }
        func nameOf(_ cell: BillChangeCellKey) -> String {
            switch dimension {
            case .workflow: unitName(.workflow, cell.unit.workflowID, missing: "unassigned")
            case .model: names.name(.model, cell.modelID) ?? "?"
            case .tier: modelTiers[cell.modelID] ?? "(no tier)"
            case .team: unitName(.team, cell.unit.teamID, missing: "(no team)")
            case .segment: unitName(.segment, cell.unit.segmentID, missing: "(no segment)")
            }
        }

        // Drivers, each split by the dimension (the parts of a driver add up to it, rounded to picodollars).
        var byDriver: [BillChangeDriver: [String: Double]] = [:]
        for c in d.contributions { byDriver[c.driver, default: [:]][nameOf(c.cell), default: 0] += c.amount }
        let exact = d.drivers
        // Shown amounts add up to the shown compare total minus the shown base total, so the waterfall
        // closes on the figures printed beside it.
        let shownChange = d.compareTotalMoney.rounded(decimals: 2) - d.baseTotalMoney.rounded(decimals: 2)
        let shown = largestRemainder(exact.map(\.amount), total: shownChange)
        var lines: [DriverLine] = []
        for (i, (driver, amount)) in exact.enumerated() {
            var parts = (byDriver[driver] ?? [:]).map { (name: $0.key, amount: Money(picos: Int128($0.value.rounded()))) }
                .filter { $0.amount != .zero }
                .sorted { ($0.amount.picos.magnitude, $1.name) > ($1.amount.picos.magnitude, $0.name) }
            if parts.count > top {
                let rest = parts[top...].reduce(Money.zero) { $0 + $1.amount }
                parts = Array(parts.prefix(top)) + [(name: "\(parts.count - top) more", amount: rest)]
            }
            lines.append(DriverLine(driver: driver, amount: amount, shown: shown[i], breakdown: parts))
        }

        // Movers: the cells whose cost moved most.
        let f0 = BillChangeAnalysis.PeriodFactors(d.base, perDay: d.perDay)
        let f1 = BillChangeAnalysis.PeriodFactors(d.compare, perDay: d.perDay)
        var cellDriver: [BillChangeCellKey: [BillChangeDriver: Double]] = [:]
        for c in d.contributions { cellDriver[c.cell, default: [:]][c.driver, default: 0] += c.amount }
        func figures(_ p: BillChangePeriod, _ f: BillChangeAnalysis.PeriodFactors, _ key: BillChangeCellKey) -> MoverFigures {
            var m = MoverFigures()
            let unitActions = Int64(f.unitActions[key.unit] ?? 0)
            m.actions = unitActions
            guard let cell = p.cells[key] else { return m }
            m.calls = cell.pricedCalls
            let kindCalls = f.kindCalls[key.unitKind] ?? 0
            m.callsPerAction = unitActions > 0 ? kindCalls / Double(unitActions) : nil
            let calls = Double(max(1, cell.pricedCalls))
            m.inputPerCall = Double(cell.inputTokens) / calls
            m.outputPerCall = Double(cell.outputTokens) / calls
            m.cacheShare = cell.inputTokens > 0 ? Double(cell.cachedInputTokens) / Double(cell.inputTokens) : nil
            let tokens = cell.inputTokens + cell.outputTokens
            m.pricePerMillion = tokens > 0 ? Double(cell.components.total) / Double(tokens) / 1e6 : nil
            m.cost = Money(picos: cell.components.total)
            if d.perDay { m.cost = m.cost.divided(by: Int64(max(1, p.days))) }
            return m
        }
        let keys = Set(d.base.cells.keys).union(d.compare.cells.keys)
        var movers = keys.map { key -> Mover in
            Mover(workflow: unitName(.workflow, key.unit.workflowID, missing: "unassigned"),
                  team: unitName(.team, key.unit.teamID, missing: "(no team)"),
                  segment: unitName(.segment, key.unit.segmentID, missing: "(no segment)"),
                  kind: CallKind(rawValue: Int(key.kind))?.name ?? "?", model: names.name(.model, key.modelID) ?? "?",
                  base: figures(d.base, f0, key), compare: figures(d.compare, f1, key),
                  mainDriver: cellDriver[key]?.max { ($0.value.magnitude, $1.key.rawValue) < ($1.value.magnitude, $0.key.rawValue) }?.key)
        }
        movers.sort { a, b in
            let x = a.change.picos.magnitude, y = b.change.picos.magnitude
            if x != y { return x > y }
            return (a.workflow, a.team, a.segment, a.kind, a.model) < (b.workflow, b.team, b.segment, b.kind, b.model)
        }
        movers = Array(movers.prefix(top))

        let report = BillChangeReport(
            base: base, compare: compare, zoneName: zoneName, perDay: d.perDay, dimension: dimension,
            baseTotal: d.baseTotalMoney, compareTotal: d.compareTotalMoney, change: d.change, drivers: lines, movers: movers,
            explanation: "", unpricedCalls: (d.base.unpricedCalls, d.compare.unpricedCalls),
            nonUsage: (d.base.nonUsage, d.compare.nonUsage))
        var r = report
        r.explanation = BillChangeExplanation.text(d, report: report, names: names, fallbackReasons: fallbackReasons)
        return r
    }

    /// The change as shown: the shown compare total minus the shown base total.
    public var shownChange: Money { compareTotal.rounded(decimals: 2) - baseTotal.rounded(decimals: 2) }

    /// Rounds amounts to cents so that the rounded amounts add up to `total` (a whole number of cents):
    /// each is floored, and the cents left over go to the largest remainders (ties: first in order).
    public static func largestRemainder(_ amounts: [Money], total: Money) -> [Money] {
        let cent = Money.picosPerDollar / 100
        func floorCents(_ p: Int128) -> Int128 { p >= 0 ? p / cent : -((-p + cent - 1) / cent) }
        let target = total.rounded(decimals: 2).picos / cent
        var floors = amounts.map { floorCents($0.picos) }
        var left = target - floors.reduce(0, +)
        let order = amounts.indices.sorted { a, b in
            let ra = amounts[a].picos - floors[a] * cent, rb = amounts[b].picos - floors[b] * cent
            return ra != rb ? ra > rb : a < b
        }
        var i = 0
        while left > 0 && !order.isEmpty {
            floors[order[i % order.count]] += 1
            left -= 1
            i += 1
        }
        while left < 0 && !order.isEmpty {
            floors[order[order.count - 1 - (i % order.count)]] -= 1
            left += 1
            i += 1
        }
        return floors.map { Money(picos: $0 * cent) }
    }
}

/// A few sentences that say why the bill changed, built from the decomposition's largest parts:
/// "Spend rose $412 (+38%). Most of it ($268) is the faq workflow falling back 6× more often (reason:
/// low_confidence); $95 is new traffic on the agent workflow; …".
enum BillChangeExplanation {
    struct Part {
        var amount: Double
        var phrase: String
    }

    static func text(_ d: BillChangeDecomposition, report r: BillChangeReport, names: NameDirectory,
                     fallbackReasons: [Int64: String]) -> String {
        let change = r.shownChange
        guard r.change != .zero || d.contributions.contains(where: { $0.amount != 0 }) else {
            return "Spend did not change: \(r.compareTotal.display()) in both periods."
        }
        var s = change >= .zero ? "Spend rose " : "Spend fell "
        s += (change >= .zero ? change : -change).display()
        if let share = r.changeShare { s += " (\(share >= 0 ? "+" : "")\(NumberText.percent(share, decimals: 0)))" }
        s += ", from \(r.baseTotal.display()) to \(r.compareTotal.display())\(d.perDay ? " a day" : "")."

        // Group contributions into phrases: by workflow for most drivers, by model for price and routing.
        func workflow(_ id: Int64) -> String { names.name(.workflow, id == 0 ? nil : id) ?? "unassigned" }
        func model(_ id: Int64) -> String { names.name(.model, id) ?? "?" }
        struct Key: Hashable { var driver: BillChangeDriver; var workflowID: Int64; var modelID: Int64; var kind: Int64 }
        var groups: [Key: Double] = [:]
        for c in d.contributions {
            let key: Key
            switch c.driver {
            case .volume: key = Key(driver: .volume, workflowID: -1, modelID: -1, kind: -1)
            case .unitPrice: key = Key(driver: .unitPrice, workflowID: -1, modelID: c.cell.modelID, kind: -1)
            case .routingMix: key = Key(driver: .routingMix, workflowID: c.cell.unit.workflowID, modelID: c.cell.modelID, kind: -1)
            case .callOverhead: key = Key(driver: .callOverhead, workflowID: c.cell.unit.workflowID, modelID: -1, kind: c.cell.kind)
            case .newTraffic, .removedTraffic:
                key = Key(driver: c.driver, workflowID: c.cell.unit.workflowID, modelID: -1, kind: -1)
            default: key = Key(driver: c.driver, workflowID: c.cell.unit.workflowID, modelID: -1, kind: -1)
            }
            groups[key, default: 0] += c.amount
        }
        func callsPerAction(_ p: BillChangePeriod, workflowID: Int64, kind: Int64) -> Double {
            let actions = p.actions.filter { $0.key.workflowID == workflowID }.values.reduce(0, +)
            let calls = p.cells.filter { $0.key.unit.workflowID == workflowID && $0.key.kind == kind }.values.reduce(0) { $0 + $1.pricedCalls }
            return actions > 0 ? Double(calls) / Double(actions) : 0
        }
        func phrase(_ k: Key, _ amount: Double) -> String {
            let up = amount > 0
            switch k.driver {
            case .volume: return up ? "more actions (volume)" : "fewer actions (volume)"
            case .workflowMix: return up ? "a shift of traffic toward \(workflow(k.workflowID))" : "a shift of traffic away from \(workflow(k.workflowID))"
            case .callOverhead:
                let kind = CallKind(rawValue: Int(k.kind)) ?? .primary
                let b = callsPerAction(d.base, workflowID: k.workflowID, kind: k.kind)
                let c = callsPerAction(d.compare, workflowID: k.workflowID, kind: k.kind)
                let times = b > 0 ? " \(formatDecimal(c / b, decimals: 1))× \(up ? "more" : "less") often" : (up ? " where it did not before" : "")
                switch kind {
                case .fallback:
                    var t = "the \(workflow(k.workflowID)) workflow falling back\(times)"
                    if up, let reason = fallbackReasons[k.workflowID] { t += " (reason: \(reason))" }
                    return t
                case .retry: return "the \(workflow(k.workflowID)) workflow retrying\(times)"
                case .classifier: return "classifier calls in \(workflow(k.workflowID))\(times)"
                case .validation: return "validation calls in \(workflow(k.workflowID))\(times)"
                case .primary: return "\(up ? "more" : "fewer") calls per action in \(workflow(k.workflowID))"
                }
            case .routingMix: return up ? "more traffic routed to \(model(k.modelID)) in \(workflow(k.workflowID))" : "less traffic on \(model(k.modelID)) in \(workflow(k.workflowID))"
            case .inputTokens: return up ? "longer prompts in \(workflow(k.workflowID))" : "shorter prompts in \(workflow(k.workflowID))"
            case .outputTokens: return up ? "longer outputs in \(workflow(k.workflowID))" : "shorter outputs in \(workflow(k.workflowID))"
            case .cacheHitRate: return up ? "a lower cache hit rate in \(workflow(k.workflowID))" : "a higher cache hit rate in \(workflow(k.workflowID))"
            case .unitPrice: return up ? "higher prices of \(model(k.modelID))" : "lower prices of \(model(k.modelID))"
            case .toolUse: return up ? "more tool uses (web search, …) per call in \(workflow(k.workflowID))"
                : "fewer tool uses (web search, …) per call in \(workflow(k.workflowID))"
            case .modality: return up ? "more audio and image charges in \(workflow(k.workflowID))"
                : "less audio and image charges in \(workflow(k.workflowID))"
            case .modifiers: return up ? "more calls with fast mode or data residency in \(workflow(k.workflowID))"
                : "fewer calls with fast mode or data residency in \(workflow(k.workflowID))"
            case .newTraffic:
                let existed = d.base.cells.keys.contains { $0.unit.workflowID == k.workflowID }
                return existed ? "new teams, segments or models in \(workflow(k.workflowID))" : "the new \(workflow(k.workflowID)) workflow"
            case .removedTraffic:
                let remains = d.compare.cells.keys.contains { $0.unit.workflowID == k.workflowID }
                return remains ? "teams, segments or models that stopped in \(workflow(k.workflowID))" : "the \(workflow(k.workflowID)) workflow stopping"
            case .nonUsage: return "credits, tax and adjustments"
            }
        }
        var parts = groups.map { Part(amount: $0.value / 1e12, phrase: phrase($0.key, $0.value)) }
        if r.nonUsage.compare != r.nonUsage.base {
            parts.append(Part(amount: Double((r.nonUsage.compare - r.nonUsage.base).picos) / 1e12, phrase: "credits, tax and adjustments"))
        }
        parts.sort { ($0.amount.magnitude, $1.phrase) > ($1.amount.magnitude, $0.phrase) }
        let total = Double(r.change.picos) / 1e12
        var sentences: [String] = []
        for (i, p) in parts.prefix(4).enumerated() where p.amount.magnitude >= 0.005 {
            let money = Money(parsing: formatDecimal(p.amount.magnitude, decimals: 6)) ?? .zero
            let verb = p.amount >= 0 ? "added" : "saved"
            if i == 0 && total != 0 && p.amount / total > 0.5 {
                sentences.append("Most of it (\(money.display())) is \(p.phrase)")
            } else if i == 0 {
                sentences.append("The largest part: \(p.phrase) \(verb) \(money.display())")
            } else {
                sentences.append("\(p.phrase) \(verb) \(money.display())")
            }
        }
        if !sentences.isEmpty { s += " " + sentences.joined(separator: "; ") + "." }
        if r.unpricedCalls.base > 0 || r.unpricedCalls.compare > 0 {
            s += " Unpriced calls (\(r.unpricedCalls.base) before, \(r.unpricedCalls.compare) after) are not in these figures."
        }
        return s
    }
}
