import Foundation
import LedgerPricing
import LedgerValues

/// Why the bill changed between two periods: an additive LMDI-I decomposition (`METHODS.md` §A).
///
/// Each cell is a unit of demand (workflow × team × user segment) × call kind × model × token component,
/// and its cost is the product
///
///     cost = A · s · n · r · τ · χ · p
///
/// with A the actions of the period, s the unit's share of them, n the calls of this kind per action of
/// the unit, r the model's share of those calls, τ tokens per call (input, or output for the output
/// component), χ the component's share of the input (uncached, cached, cache writes; 1 for output) and p
/// the unit price (cost ÷ tokens of the component). LMDI-I gives each factor
/// `Σ L(V¹, V⁰) · ln(x¹ / x⁰)` with the logarithmic mean L, and the effects add up to V¹ − V⁰ exactly.
/// A cell that exists in one period only follows Ang & Liu's limits: the factors the other period
/// lacks are copied from the period that has them, and the whole cell goes to the factors that are zero
/// — so a new workflow or model contributes exactly its cost and a removed one minus its cost.
public enum BillChangeAnalysis {
    /// The factors of the identity, in order.
    enum Factor: Int, CaseIterable {
        case actions, unitShare, callsPerAction, modelShare, tokensPerCall, componentShare, unitPrice
    }

    /// Decomposes the change from `base` to `compare`. With `perDay`, both periods are divided by their
    /// days first, so that a 31-day month is compared with a 30-day one at the same daily rate.
    public static func decompose(base: BillChangePeriod, compare: BillChangePeriod, perDay: Bool = false) -> BillChangeDecomposition {
        let s0 = PeriodFactors(base, perDay: perDay)
        let s1 = PeriodFactors(compare, perDay: perDay)
        var contributions: [BillChangeContribution] = []
        let keys = Set(base.cells.keys).union(compare.cells.keys).sorted()
        for key in keys {
            for component in TokenComponent.allCases {
                let v0 = s0.value(key, component), v1 = s1.value(key, component)
                if v0 == 0 && v1 == 0 { continue }
                var f0 = s0.factors(key, component), f1 = s1.factors(key, component)
                // Fill rule: a factor one period cannot define (0 ÷ 0) takes the other period's value.
                for i in 0..<Factor.allCases.count {
                    if f0[i] == nil { f0[i] = f1[i] }
                    if f1[i] == nil { f1[i] = f0[i] }
                }
                let x0 = f0.map { $0 ?? 0 }, x1 = f1.map { $0 ?? 0 }
                var amounts = [Double](repeating: 0, count: Factor.allCases.count)
                if v0 > 0 && v1 > 0 {
                    let l = logMean(v1, v0)
                    for i in amounts.indices where x0[i] > 0 && x1[i] > 0 { amounts[i] = l * log(x1[i] / x0[i]) }
                } else if v0 == 0 {
                    let zeros = x0.indices.filter { x0[$0] == 0 }
                    for i in zeros { amounts[i] = v1 / Double(zeros.count) }
                } else {
                    let zeros = x1.indices.filter { x1[$0] == 0 }
                    for i in zeros { amounts[i] = -v0 / Double(zeros.count) }
                }
                let isNewOrRemoved = v0 == 0 || v1 == 0
                for (i, amount) in amounts.enumerated() where amount != 0 {
                    contributions.append(BillChangeContribution(
                        cell: key, component: component,
                        driver: driver(Factor(rawValue: i)!, component: component, newOrRemoved: isNewOrRemoved, sign: amount),
                        amount: amount))
                }
            }
        }
        return BillChangeDecomposition(base: base, compare: compare, perDay: perDay, baseTotal: s0.total, compareTotal: s1.total,
                                       contributions: contributions)
    }

    /// The periods `explain` compares: both as given; with only a base, the period right after it (and a
    /// note saying so); with only a compare, the period before it; with neither, `defaultCompare` and the
    /// period before it.
    public static func periods(base: Period?, compare: Period?, defaultCompare: () throws -> Period) rethrows
        -> (base: Period, compare: Period, notes: [PeriodNote]) {
        switch (base, compare) {
        case let (b?, c?): return (b, c, [])
        case let (b?, nil): return (b, b.next, [.compareFollowsBase(base: b, compare: b.next)])
        case let (nil, c?): return (c.previous, c, [])
        case (nil, nil):
            let c = try defaultCompare()
            return (c.previous, c, [])
        }
    }

    /// Prepares two loaded periods for ``decompose(base:compare:perDay:)``: notes on a period that is
    /// empty or that the data (local days `dataFirst` … `dataLast`) covers only in part, whose days then
    /// count as the days with data; and per-day figures, with a note, when the days differ.
    public static func prepare(base: inout BillChangePeriod, compare: inout BillChangePeriod, basePeriod: Period, comparePeriod: Period,
                               dataFirst: CivilDate?, dataLast: CivilDate?, perDay: Bool) -> (perDay: Bool, notes: [PeriodNote]) {
        func hasCalls(_ p: BillChangePeriod) -> Bool { p.cells.values.contains { $0.calls > 0 } }
        let b = PeriodNote.coverage(of: basePeriod, hasCalls: hasCalls(base), dataFirst: dataFirst, dataLast: dataLast)
        let c = PeriodNote.coverage(of: comparePeriod, hasCalls: hasCalls(compare), dataFirst: dataFirst, dataLast: dataLast)
        var notes = b + c
        let empty = b.contains(.empty(basePeriod)) || c.contains(.empty(comparePeriod))
        if !empty {
            base.days = PeriodNote.coveredDays(of: basePeriod, in: b)
            compare.days = PeriodNote.coveredDays(of: comparePeriod, in: c)
        }
        var perDay = perDay
        if !empty && base.days != compare.days {
            perDay = true
            notes.append(.lengthsDiffer(baseDays: base.days, compareDays: compare.days, perDay: true))
        }
        return (perDay, notes)
    }

    /// L(a, b) = (a − b) / (ln a − ln b), L(a, a) = a.
    static func logMean(_ a: Double, _ b: Double) -> Double {
        if a == b { return a }
        return (a - b) / (log(a) - log(b))
    }

    /// The driver a factor's effect is reported under. A unit or model share that is zero in one period
    /// is new or removed traffic; every other factor keeps its own driver.
    static func driver(_ f: Factor, component: TokenComponent, newOrRemoved: Bool, sign: Double) -> BillChangeDriver {
        switch f {
        case .actions: return .volume
        case .unitShare: return newOrRemoved ? (sign > 0 ? .newTraffic : .removedTraffic) : .workflowMix
        case .callsPerAction: return .callOverhead
        case .modelShare: return newOrRemoved ? (sign > 0 ? .newTraffic : .removedTraffic) : .routingMix
        case .tokensPerCall:
            switch component {
            case .output: return .outputTokens
            case .modality: return .modality
            case .toolFees: return .toolUse
            case .uplift: return .modifiers
            case .uncachedInput, .cachedInput, .cacheWrite: return .inputTokens
            }
        case .componentShare: return .cacheHitRate
        case .unitPrice:
            switch component {
            case .modality: return .modality
            case .uplift: return .modifiers
            default: return .unitPrice
            }
        }
    }

    /// The factors of one period, read from its cells.
    struct PeriodFactors {
        let period: BillChangePeriod
        let scale: Double
        let actions: Double
        let unitActions: [BillChangeUnit: Double]
        let kindCalls: [BillChangeUnitKind: Double]
        let total: Double

        init(_ p: BillChangePeriod, perDay: Bool) {
            period = p
            scale = perDay ? 1 / Double(max(1, p.days)) : 1
            // A unit with calls but no action starting in the period counts as one action, so that its
            // calls per action stay finite.
            var units: [BillChangeUnit: Double] = [:]
            for (u, n) in p.actions where n > 0 { units[u] = Double(n) }
            var kinds: [BillChangeUnitKind: Double] = [:]
            var total = 0.0
            for (k, c) in p.cells where c.pricedCalls > 0 {
                if units[k.unit] == nil { units[k.unit] = 1 }
                kinds[k.unitKind, default: 0] += Double(c.pricedCalls)
                total += Double(c.components.total)
            }
            unitActions = units
            kindCalls = kinds
            actions = units.values.reduce(0, +)
            self.total = total * scale
        }

        /// The cell's cost in this period (per day with `perDay`), in picodollars.
        func value(_ key: BillChangeCellKey, _ c: TokenComponent) -> Double {
            guard let cell = period.cells[key], cell.pricedCalls > 0 else { return 0 }
            return Double(cell.components[c]) * scale
        }

        /// A, s, n, r, τ, χ, p; nil where the period cannot define a factor (0 ÷ 0).
        func factors(_ key: BillChangeCellKey, _ c: TokenComponent) -> [Double?] {
            func ratio(_ a: Double, _ b: Double) -> Double? { b > 0 ? a / b : (a > 0 ? .infinity : nil) }
            let cell = period.cells[key].flatMap { $0.pricedCalls > 0 ? $0 : nil }
            let a = actions * scale
            let unit = unitActions[key.unit] ?? 0
            let kind = kindCalls[key.unitKind] ?? 0
            let calls = Double(cell?.pricedCalls ?? 0)
            let input = Double(cell?.inputTokens ?? 0)
            let tokens = Double(cell?.tokens(c) ?? 0)
            let cost = Double(cell?.components[c] ?? 0)
            // Output and the charges beyond text tokens have no share of input: τ is their own quantity per
            // call and χ is 1.
            let own = !c.isInput
            let perCall = own ? tokens : input
            return [
                actions > 0 ? a : 0,
                ratio(unit, actions),
                unit > 0 ? ratio(kind, unit) : nil,
                kind > 0 ? ratio(calls, kind) : nil,
                calls > 0 ? ratio(perCall, calls) : nil,
                own ? (calls > 0 ? 1 : nil) : (input > 0 ? ratio(tokens, input) : nil),
                tokens > 0 ? ratio(cost, tokens) : nil,
            ]
        }
    }
}

/// What a period's calls add up to, cell by cell, for the bill-change decomposition.
public struct BillChangePeriod: Sendable {
    public var label: String
    public var days: Int
    /// Actions whose first call is in the period, per unit of demand.
    public var actions: [BillChangeUnit: Int64]
    public var cells: [BillChangeCellKey: BillChangeCellUsage]
    /// Provider cost lines that are not usage (credits, tax, adjustments), when exports cover the period.
    public var nonUsage: Money
    /// Calls no price covers: not in any figure, reported apart.
    public var unpricedCalls: Int64
    public var unpricedTokens: Int64

    public init(label: String, days: Int, actions: [BillChangeUnit: Int64], cells: [BillChangeCellKey: BillChangeCellUsage],
                nonUsage: Money = .zero, unpricedCalls: Int64 = 0, unpricedTokens: Int64 = 0) {
        self.label = label
        self.days = days
        self.actions = actions
        self.cells = cells
        self.nonUsage = nonUsage
        self.unpricedCalls = unpricedCalls
        self.unpricedTokens = unpricedTokens
    }

    /// The priced usage of the period, exactly.
    public var usageCost: Money { Money(picos: cells.values.reduce(Int128(0)) { $0 + Int128($1.components.total) }) }
}

/// A unit of demand: where actions come from.
public struct BillChangeUnit: Hashable, Sendable, Comparable {
    public var workflowID: Int64
    public var teamID: Int64
    public var segmentID: Int64

    public init(workflowID: Int64, teamID: Int64, segmentID: Int64) {
        self.workflowID = workflowID
        self.teamID = teamID
        self.segmentID = segmentID
    }

    public static func < (a: BillChangeUnit, b: BillChangeUnit) -> Bool {
        [a.workflowID, a.teamID, a.segmentID].lexicographicallyPrecedes([b.workflowID, b.teamID, b.segmentID])
    }
}

struct BillChangeUnitKind: Hashable {
    var unit: BillChangeUnit
    var kind: Int64
}

/// A cell without its token component: unit × call kind × model.
public struct BillChangeCellKey: Hashable, Sendable, Comparable {
    public var unit: BillChangeUnit
    public var kind: Int64
    public var modelID: Int64

    public init(unit: BillChangeUnit, kind: Int64, modelID: Int64) {
        self.unit = unit
        self.kind = kind
        self.modelID = modelID
    }

    var unitKind: BillChangeUnitKind { BillChangeUnitKind(unit: unit, kind: kind) }

    public static func < (a: BillChangeCellKey, b: BillChangeCellKey) -> Bool {
        if a.unit != b.unit { return a.unit < b.unit }
        return (a.kind, a.modelID) < (b.kind, b.modelID)
    }
}

/// The components a call is billed for: its text tokens, and the charges beyond them.
public enum TokenComponent: Int, CaseIterable, Sendable {
    case uncachedInput, cachedInput, cacheWrite, output
    /// Audio and image tokens and generated images (their quantity: priced calls).
    case modality
    /// Server-side tool fees (their quantity: tool uses).
    case toolFees
    /// What request-attribute multipliers added (their quantity: priced calls).
    case uplift

    public var name: String {
        switch self {
        case .uncachedInput: "uncached input"
        case .cachedInput: "cached input"
        case .cacheWrite: "cache writes"
        case .output: "output"
        case .modality: "audio and images"
        case .toolFees: "tool fees"
        case .uplift: "price modifiers"
        }
    }

    /// Whether the component is a part of the input tokens (its share of input is a factor).
    var isInput: Bool { self == .uncachedInput || self == .cachedInput || self == .cacheWrite }
}

extension CostComponents {
    public subscript(_ c: TokenComponent) -> Int64 {
        switch c {
        case .uncachedInput: uncachedInput
        case .cachedInput: cachedInput
        case .cacheWrite: cacheWrite
        case .output: output
        case .modality: modality
        case .toolFees: toolFees
        case .uplift: uplift
        }
    }
}

/// One cell's calls, tokens and cost in one period.
public struct BillChangeCellUsage: Sendable, Equatable {
    public var calls: Int64 = 0
    public var unpricedCalls: Int64 = 0
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheWriteTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    /// Billed server-side tool uses.
    public var toolCalls: Int64 = 0
    public var components = CostComponents()

    public init() {}

    public var pricedCalls: Int64 { calls - unpricedCalls }

    /// The quantity a component's cost is spread over: its tokens, tool uses, or priced calls.
    func tokens(_ c: TokenComponent) -> Int64 {
        switch c {
        case .uncachedInput: inputTokens - cachedInputTokens - cacheWriteTokens
        case .cachedInput: cachedInputTokens
        case .cacheWrite: cacheWriteTokens
        case .output: outputTokens
        case .modality, .uplift: pricedCalls
        case .toolFees: toolCalls
        }
    }

    public mutating func add(_ s: UsageSums) {
        calls += s.calls
        unpricedCalls += s.unpricedCalls
        inputTokens += s.inputTokens
        cachedInputTokens += s.cachedInputTokens
        cacheWriteTokens += s.cacheWriteTokens + s.cacheWrite1hTokens
        outputTokens += s.outputTokens
        toolCalls += s.toolCalls
        components = components + s.components
    }
}

/// The drivers of a bill change, in the order of the waterfall.
public enum BillChangeDriver: String, CaseIterable, Sendable {
    case volume
    case workflowMix = "workflow_mix"
    case callOverhead = "call_overhead"
    case routingMix = "routing_mix"
    case inputTokens = "input_tokens"
    case outputTokens = "output_tokens"
    case cacheHitRate = "cache_hit_rate"
    case toolUse = "tool_uses"
    case modality = "audio_and_images"
    case modifiers = "price_modifiers"
    case unitPrice = "unit_price"
    case newTraffic = "new_workflows_or_models"
    case removedTraffic = "removed_workflows_or_models"
    case nonUsage = "non_usage"

    public var label: String {
        switch self {
        case .volume: "volume (actions)"
        case .workflowMix: "workflow mix"
        case .callOverhead: "call overhead (retries, fallbacks, classifier, validation)"
        case .routingMix: "routing mix (model share)"
        case .inputTokens: "input tokens per call"
        case .outputTokens: "output tokens per call"
        case .cacheHitRate: "cache hit rate"
        case .toolUse: "tool uses per call (web search, …)"
        case .modality: "audio and image charges"
        case .modifiers: "price modifiers (fast mode, data residency)"
        case .unitPrice: "unit price"
        case .newTraffic: "new workflows or models"
        case .removedTraffic: "removed workflows or models"
        case .nonUsage: "not usage (credits, tax, adjustments)"
        }
    }
}

/// One cell's share of one driver.
public struct BillChangeContribution: Sendable, Equatable {
    public var cell: BillChangeCellKey
    public var component: TokenComponent
    public var driver: BillChangeDriver
    /// Picodollars (per day with `perDay`), in floating point until the totals are settled.
    public var amount: Double
}

/// The decomposition: totals and every cell's contribution to every driver.
public struct BillChangeDecomposition: Sendable {
    public var base: BillChangePeriod
    public var compare: BillChangePeriod
    public var perDay: Bool
    /// Priced usage of each period (per day with `perDay`), picodollars.
    public var baseTotal: Double
    public var compareTotal: Double
    public var contributions: [BillChangeContribution]

    /// Each driver's exact amount: amounts in picodollars that add up exactly to the change of the totals
    /// (the few picodollars of floating-point residue go to the largest driver).
    public var drivers: [(driver: BillChangeDriver, amount: Money)] {
        var sums = [BillChangeDriver: Double]()
        for c in contributions { sums[c.driver, default: 0] += c.amount }
        var out = BillChangeDriver.allCases.filter { $0 != .nonUsage }.map { d in (d, Int128((sums[d] ?? 0).rounded())) }
        let usageChange = Int128(compareTotal.rounded()) - Int128(baseTotal.rounded())
        let residue = usageChange - out.reduce(Int128(0)) { $0 + $1.1 }
        if residue != 0, let i = out.indices.max(by: { out[$0].1.magnitude < out[$1].1.magnitude }) { out[i].1 += residue }
        var result = out.map { ($0.0, Money(picos: $0.1)) }
        result.append((.nonUsage, nonUsageChange))
        return result
    }

    public var baseUsage: Money { Money(picos: Int128(baseTotal.rounded())) }
    public var compareUsage: Money { Money(picos: Int128(compareTotal.rounded())) }
    public var nonUsageChange: Money { nonUsage(compare) - nonUsage(base) }

    func nonUsage(_ p: BillChangePeriod) -> Money {
        perDay ? p.nonUsage.divided(by: Int64(max(1, p.days))) : p.nonUsage
    }

    /// Totals as billed: priced usage plus non-usage lines.
    public var baseTotalMoney: Money { baseUsage + nonUsage(base) }
    public var compareTotalMoney: Money { compareUsage + nonUsage(compare) }
    public var change: Money { compareTotalMoney - baseTotalMoney }
}
