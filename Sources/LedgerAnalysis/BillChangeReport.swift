import Foundation
import LedgerPricing
import LedgerValues

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
    /// What the plain-language summary says, as figures: each amount is one the tables show.
    public var summary: BillChangeSummary
    public var unpricedCalls: (base: Int64, compare: Int64)
    public var nonUsage: (base: Money, compare: Money)
    /// What to say first about the periods: empty, partly covered, of different lengths, chosen.
    public var periodNotes: [PeriodNote] = []
    /// The logged names of each model that was logged under several (model → names).
    public var modelSpellings: [String: [String]] = [:]

    /// One driver: its exact amount, the amount shown (rounded so that the shown amounts add up to the
    /// shown change), and its split by the chosen dimension.
    public struct DriverLine: Sendable {
        public var driver: BillChangeDriver
        public var amount: Money
        /// Rounded to the cent by largest remainder.
        public var shown: Money
        /// Each part's exact amount and its amount shown: rounded to the cent by largest remainder so that
        /// the shown parts add up to the driver's shown amount. The last part may be the rest ("3 more").
        public var breakdown: [(name: String, amount: Money, shown: Money)]
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
    /// `model` is the price book's identity of a model (every spelling of it together); `model-name` the
    /// name as logged.
    case workflow, model, tier, team, segment
    case modelName = "model-name"
}

extension BillChangeReport {
    /// - Parameters:
    ///   - modelTiers: each model's tier, for `--by tier`.
    ///   - fallbackReasons: the most frequent fallback reason per workflow in the compare period.
    ///   - top: the number of movers and of breakdown lines per driver.
    public static func make(_ d: BillChangeDecomposition, base: Period, compare: Period, zoneName: String,
                            dimension: BillChangeDimension, names: NameDirectory, modelTiers: [Int64: String],
                            fallbackReasons: [Int64: String] = [:], top: Int = 10, periodNotes: [PeriodNote] = [],
                            modelSpellings: [String: [String]] = [:]) -> BillChangeReport {
        func unitName(_ d: CallDimension, _ id: Int64, missing: String) -> String { names.name(d, id == 0 ? nil : id) ?? missing }
        func nameOf(_ cell: BillChangeCellKey) -> String {
            switch dimension {
            case .workflow: unitName(.workflow, cell.unit.workflowID, missing: "unassigned")
            case .model, .modelName: names.name(.model, cell.modelID) ?? "?"
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
            let partsShown = parts.isEmpty ? [] : largestRemainder(parts.map(\.amount), total: shown[i])
            lines.append(DriverLine(driver: driver, amount: amount, shown: shown[i],
                                    breakdown: parts.indices.map { (name: parts[$0].name, amount: parts[$0].amount, shown: partsShown[$0]) }))
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

        let summary = BillChangeSummary.make(d, drivers: lines, dimension: dimension, top: top,
                                             workflowOf: { dimension == .workflow ? $0.unit.workflowID : nil }, nameOf: nameOf,
                                             fallbackReasons: fallbackReasons)
        return BillChangeReport(
            base: base, compare: compare, zoneName: zoneName, perDay: d.perDay, dimension: dimension,
            baseTotal: d.baseTotalMoney, compareTotal: d.compareTotalMoney, change: d.change, drivers: lines, movers: movers,
            summary: summary, unpricedCalls: (d.base.unpricedCalls, d.compare.unpricedCalls),
            nonUsage: (d.base.nonUsage, d.compare.nonUsage), periodNotes: periodNotes, modelSpellings: modelSpellings)
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

/// What the plain-language summary of `explain` says, as figures. Every amount is one a table of the
/// same report shows: a driver's shown waterfall amount, or a part of its breakdown by the report's
/// dimension as shown there. The words are the report layer's (``BillChangeReport/explanation``).
public struct BillChangeSummary: Sendable {
    /// The largest parts of the change (at most four, largest first).
    public var parts: [Part]
    /// Set when the actions grew (or fell) only through new (or removed) workflows: the volume and
    /// workflow-mix lines then mostly offset, and "more actions" would mislead.
    public var volume: VolumeFromNewWorkflows?

    public struct Part: Sendable {
        public var driver: BillChangeDriver
        /// The breakdown line (a name of the report's dimension); nil: the whole driver.
        public var subject: String?
        /// As the table shows it (rounded to the cent like the table).
        public var amount: Money
        public var detail: Detail
    }

    /// What more is known about a part when the report breaks drivers down by workflow.
    public enum Detail: Sendable, Equatable {
        case none
        /// Call overhead in a workflow: the call kind that moved most, how many times as often it came
        /// per action (nil: it did not come before), and the most frequent fallback reason.
        case calls(kind: CallKind, times: Double?, reason: String?)
        /// New traffic: a workflow that did not exist before (`true`), or new teams, segments or models in one.
        case newWorkflow(Bool)
        /// Removed traffic: a workflow that stopped (`true`), or teams, segments or models that stopped in one.
        case stoppedWorkflow(Bool)
    }

    public struct VolumeFromNewWorkflows: Sendable, Equatable {
        /// Actions of the workflows in both periods (per day with per-day figures).
        public var existingBase: Double
        public var existingCompare: Double
        /// Actions of the workflows only in the later (growth) or only in the earlier period (decline).
        public var changedActions: Double
        /// The volume and workflow-mix lines as the waterfall shows them.
        public var volume: Money
        public var workflowMix: Money
    }

    /// The existing workflows' actions count as flat within this share.
    static let flatShare = 0.02

    static func make(_ d: BillChangeDecomposition, drivers: [BillChangeReport.DriverLine], dimension: BillChangeDimension, top: Int,
                     workflowOf: (BillChangeCellKey) -> Int64?, nameOf: (BillChangeCellKey) -> String,
                     fallbackReasons: [Int64: String]) -> BillChangeSummary {
        let volume = volumeFromNewWorkflows(d, drivers: drivers)
        var parts: [Part] = []
        for line in drivers {
            switch line.driver {
            case .volume:
                if volume == nil { parts.append(Part(driver: .volume, subject: nil, amount: line.shown, detail: .none)) }
            case .nonUsage:
                parts.append(Part(driver: .nonUsage, subject: nil, amount: line.shown, detail: .none))
            case .workflowMix where volume != nil:
                // The volume note covers it: the mix moved because workflows came or went.
                continue
            default:
                // The named parts of the breakdown, not its "N more" rest.
                for p in line.breakdown.prefix(top) {
                    parts.append(Part(driver: line.driver, subject: p.name, amount: p.shown,
                                      detail: detail(line.driver, subject: p.name, d, workflowOf: workflowOf, nameOf: nameOf,
                                                     fallbackReasons: fallbackReasons)))
                }
            }
        }
        parts = parts.filter { $0.amount != .zero }
            .sorted { ($0.amount.picos.magnitude, $1.driver.rawValue, $1.subject ?? "") > ($1.amount.picos.magnitude, $0.driver.rawValue, $0.subject ?? "") }
        return BillChangeSummary(parts: Array(parts.prefix(4)), volume: volume)
    }

    static func detail(_ driver: BillChangeDriver, subject: String, _ d: BillChangeDecomposition, workflowOf: (BillChangeCellKey) -> Int64?,
                       nameOf: (BillChangeCellKey) -> String, fallbackReasons: [Int64: String]) -> Detail {
        let mine = d.contributions.filter { $0.driver == driver && nameOf($0.cell) == subject }
        guard let workflowID = mine.first.flatMap({ workflowOf($0.cell) }) else { return .none }
        switch driver {
        case .callOverhead:
            var byKind: [Int64: Double] = [:]
            for c in mine { byKind[c.cell.kind, default: 0] += c.amount }
            guard let (kindID, amount) = byKind.max(by: { ($0.value.magnitude, $1.key) < ($1.value.magnitude, $0.key) }),
                  let kind = CallKind(rawValue: Int(kindID)) else { return .none }
            let b = callsPerAction(d.base, workflowID: workflowID, kind: kindID)
            let c = callsPerAction(d.compare, workflowID: workflowID, kind: kindID)
            return .calls(kind: kind, times: b > 0 ? c / b : nil, reason: kind == .fallback && amount > 0 ? fallbackReasons[workflowID] : nil)
        case .newTraffic:
            return .newWorkflow(!d.base.cells.keys.contains { $0.unit.workflowID == workflowID })
        case .removedTraffic:
            return .stoppedWorkflow(!d.compare.cells.keys.contains { $0.unit.workflowID == workflowID })
        default:
            return .none
        }
    }

    static func callsPerAction(_ p: BillChangePeriod, workflowID: Int64, kind: Int64) -> Double {
        let actions = p.actions.filter { $0.key.workflowID == workflowID }.values.reduce(0, +)
        let calls = p.cells.filter { $0.key.unit.workflowID == workflowID && $0.key.kind == kind }.values.reduce(0) { $0 + $1.pricedCalls }
        return actions > 0 ? Double(calls) / Double(actions) : 0
    }

    /// Whether the volume line only reflects workflows that are new (or gone): the workflows of both
    /// periods kept their actions within ``flatShare`` (or moved against the volume line).
    static func volumeFromNewWorkflows(_ d: BillChangeDecomposition, drivers: [BillChangeReport.DriverLine]) -> VolumeFromNewWorkflows? {
        guard let volume = drivers.first(where: { $0.driver == .volume }), volume.shown != .zero else { return nil }
        func actions(_ p: BillChangePeriod) -> [Int64: Double] {
            let scale = d.perDay ? 1 / Double(max(1, p.days)) : 1
            var out: [Int64: Double] = [:]
            for (u, n) in p.actions where n > 0 { out[u.workflowID, default: 0] += Double(n) * scale }
            return out
        }
        let a0 = actions(d.base), a1 = actions(d.compare)
        let both = Set(a0.keys).intersection(a1.keys)
        let e0 = both.reduce(0) { $0 + a0[$1]! }, e1 = both.reduce(0) { $0 + a1[$1]! }
        let grew = volume.shown > .zero
        let changed = grew ? a1.filter { !both.contains($0.key) }.values.reduce(0, +) : a0.filter { !both.contains($0.key) }.values.reduce(0, +)
        guard changed > 0, e0 > 0 else { return nil }
        let share = (e1 - e0) / e0
        guard grew ? share <= flatShare : share >= -flatShare else { return nil }
        return VolumeFromNewWorkflows(existingBase: e0, existingCompare: e1, changedActions: changed, volume: volume.shown,
                                      workflowMix: drivers.first { $0.driver == .workflowMix }?.shown ?? .zero)
    }
}
