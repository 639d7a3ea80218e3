import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Builds bill-change periods from per-model figures in dollars and thousands of tokens, as METHODS.md
/// states its examples.
struct BillChangeFixture {
    struct ModelFigures {
        var model: Int64
        var calls: Int64
        var kind: CallKind = .primary
        /// Thousands of tokens per call.
        var input: Double = 0
        var cacheHit: Double = 0
        var output: Double = 0
        /// Dollars per thousand tokens.
        var inputPrice: Double = 0
        var cachedPrice: Double = 0
        var outputPrice: Double = 0
        var unit = BillChangeUnit(workflowID: 1, teamID: 0, segmentID: 0)
    }

    static func period(actions: [BillChangeUnit: Int64], _ models: [ModelFigures], days: Int = 7) -> BillChangePeriod {
        var cells: [BillChangeCellKey: BillChangeCellUsage] = [:]
        for m in models {
            var u = BillChangeCellUsage()
            u.calls = m.calls
            let input = Int64((Double(m.calls) * m.input * 1000).rounded())
            let cached = Int64((Double(m.calls) * m.input * m.cacheHit * 1000).rounded())
            let output = Int64((Double(m.calls) * m.output * 1000).rounded())
            u.inputTokens = input
            u.cachedInputTokens = cached
            u.outputTokens = output
            func picos(_ tokens: Int64, _ dollarsPerK: Double) -> Int64 {
                Int64((Double(tokens) * dollarsPerK * 1e9).rounded())  // $/1k tokens → picodollars per token × tokens
            }
            u.components = CostComponents(uncachedInput: picos(input - cached, m.inputPrice), cachedInput: picos(cached, m.cachedPrice),
                                          cacheWrite: 0, output: picos(output, m.outputPrice))
            cells[BillChangeCellKey(unit: m.unit, kind: Int64(m.kind.rawValue), modelID: m.model)] = u
        }
        return BillChangePeriod(label: "p", days: days, actions: actions, cells: cells)
    }

    static let unit = BillChangeUnit(workflowID: 1, teamID: 0, segmentID: 0)
}

@Suite struct BillChangeTests {
    typealias F = BillChangeFixture.ModelFigures
    let u = BillChangeFixture.unit

    func dollars(_ d: BillChangeDecomposition, _ driver: BillChangeDriver) -> Double {
        d.drivers.first { $0.driver == driver }.map { Double($0.amount.picos) / 1e12 } ?? 0
    }

    /// METHODS.md §A, test 1: calls, model shares, tokens per call and prices; a model appears, one goes.
    @Test func methodsTestOne() {
        // S, L, R, N = models 1…4; one call per action; output tokens only.
        let base = BillChangeFixture.period(actions: [u: 100], [
            F(model: 1, calls: 60, output: 1, outputPrice: 0.5), F(model: 2, calls: 20, output: 2, outputPrice: 5),
            F(model: 3, calls: 20, output: 1, outputPrice: 1),
        ])
        let compare = BillChangeFixture.period(actions: [u: 150], [
            F(model: 1, calls: 90, output: 1.2, outputPrice: 0.5), F(model: 2, calls: 30, output: 2, outputPrice: 4),
            F(model: 4, calls: 30, output: 1, outputPrice: 2),
        ])
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        #expect(d.baseUsage == Money(dollars: 250))
        #expect(d.compareUsage == Money(dollars: 354))
        #expect(abs(dollars(d, .volume) - 105.511646) < 1e-6)
        #expect(abs(dollars(d, .outputTokens) - 7.444397) < 1e-6)
        #expect(abs(dollars(d, .unitPrice) - -48.956043) < 1e-6)
        #expect(dollars(d, .newTraffic) == 60)
        #expect(dollars(d, .removedTraffic) == -20)
        #expect(dollars(d, .routingMix) == 0)
        #expect(d.drivers.reduce(Money.zero) { $0 + $1.amount } == d.change)
        #expect(d.change == Money(dollars: 104))
    }

    /// METHODS.md §A, test 2: calls per action, routing shares, input, cache hit, output and prices change.
    @Test func methodsTestTwo() {
        let base = BillChangeFixture.period(actions: [u: 100], [
            F(model: 1, calls: 100, input: 2, cacheHit: 0.5, output: 0.5, inputPrice: 1, cachedPrice: 0.1, outputPrice: 4),
            F(model: 2, calls: 20, input: 2, cacheHit: 0.5, output: 1, inputPrice: 10, cachedPrice: 1, outputPrice: 40),
        ])
        let compare = BillChangeFixture.period(actions: [u: 120], [
            F(model: 1, calls: 105, input: 2.4, cacheHit: 0.5, output: 0.6, inputPrice: 1, cachedPrice: 0.1, outputPrice: 4),
            F(model: 2, calls: 30, input: 2, cacheHit: 0.75, output: 1, inputPrice: 8, cachedPrice: 0.8, outputPrice: 32),
            F(model: 3, calls: 15, input: 2, cacheHit: 0.5, output: 0.8, inputPrice: 3, cachedPrice: 0.3, outputPrice: 12),
        ])
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        #expect(d.baseUsage == Money(dollars: 1330))
        #expect(d.compareUsage == Money(parsing: "1700.1"))
        #expect(abs(dollars(d, .volume) - 257.100642) < 1e-6)
        #expect(abs(dollars(d, .callOverhead) - 57.565113) < 1e-6)
        // METHODS.md reports mix 326.210584, of which the new model N is 193.5.
        #expect(dollars(d, .newTraffic) == 193.5)
        #expect(abs(dollars(d, .routingMix) + dollars(d, .newTraffic) - 326.210584) < 1e-6)
        #expect(abs(dollars(d, .inputTokens) - 22.562233) < 1e-6)
        #expect(abs(dollars(d, .cacheHitRate) - -97.516167) < 1e-6)
        #expect(abs(dollars(d, .outputTokens) - 41.022242) < 1e-6)
        #expect(abs(dollars(d, .unitPrice) - -236.844647) < 1e-6)
        #expect(d.drivers.reduce(Money.zero) { $0 + $1.amount } == d.change)
    }

    @Test func shapleyAgreesOnTheTotalOfTheWorkedExamples() {
        let base = BillChangeFixture.period(actions: [u: 100], [
            F(model: 1, calls: 100, input: 2, cacheHit: 0.5, output: 0.5, inputPrice: 1, cachedPrice: 0.1, outputPrice: 4),
            F(model: 2, calls: 20, input: 2, cacheHit: 0.5, output: 1, inputPrice: 10, cachedPrice: 1, outputPrice: 40),
        ])
        let compare = BillChangeFixture.period(actions: [u: 120], [
            F(model: 1, calls: 105, input: 2.4, cacheHit: 0.5, output: 0.6, inputPrice: 1, cachedPrice: 0.1, outputPrice: 4),
            F(model: 2, calls: 30, input: 2, cacheHit: 0.75, output: 1, inputPrice: 8, cachedPrice: 0.8, outputPrice: 32),
            F(model: 3, calls: 15, input: 2, cacheHit: 0.5, output: 0.8, inputPrice: 3, cachedPrice: 0.3, outputPrice: 12),
        ])
        let lmdi = BillChangeAnalysis.decompose(base: base, compare: compare)
        let shapley = Shapley.decompose(base: base, compare: compare)
        #expect(abs(shapley.values.reduce(0, +) - Double(lmdi.change.picos) / 1e12) < 1e-9)
        // METHODS.md: Shapley gives volume 276.1751, overhead 62.0145, input 22.6686, cache −99.7015,
        // output 41.2156, price −241.0773 for this example.
        #expect(abs(shapley[.actions, default: 0] - 276.1751) < 1e-3)
        #expect(abs(shapley[.callsPerAction, default: 0] - 62.0145) < 1e-3)
        #expect(abs(shapley[.unitPrice, default: 0] - -241.0773) < 1e-3)
        #expect(abs(shapley[.componentShare, default: 0] - -99.7015) < 1e-3)
    }

    // MARK: Properties over random periods

    func randomPeriods(seed: UInt64) -> (BillChangePeriod, BillChangePeriod) {
        var rng = SampleRandom(seed: seed)
        func figures(_ present: (Int64) -> Bool) -> (actions: [BillChangeUnit: Int64], models: [F]) {
            var actions: [BillChangeUnit: Int64] = [:]
            var models: [F] = []
            for w in Int64(1)...3 {
                let unit = BillChangeUnit(workflowID: w, teamID: 0, segmentID: 0)
                guard present(w * 100) else { continue }
                actions[unit] = Int64(rng.next() % 500 + 20)
                for m in Int64(1)...4 where present(w * 10 + m) {
                    for kind in [CallKind.primary, .fallback] where kind == .primary || present(w * 1000 + m) {
                        models.append(F(model: m, calls: Int64(rng.next() % 400 + 1), kind: kind, input: Double(rng.next() % 50 + 1) / 10,
                                        cacheHit: Double(rng.next() % 9) / 10, output: Double(rng.next() % 20 + 1) / 10,
                                        inputPrice: Double(rng.next() % 100 + 1) / 100, cachedPrice: Double(rng.next() % 10 + 1) / 100,
                                        outputPrice: Double(rng.next() % 300 + 1) / 100, unit: unit))
                    }
                }
            }
            return (actions, models)
        }
        let a = figures { _ in rng.next() % 5 != 0 }
        let b = figures { _ in rng.next() % 5 != 0 }
        return (BillChangeFixture.period(actions: a.actions, a.models), BillChangeFixture.period(actions: b.actions, b.models))
    }

    @Test(arguments: 1...40) func driversAlwaysAddUpAndAgreeWithShapley(_ seed: Int) {
        let (base, compare) = randomPeriods(seed: UInt64(seed))
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        #expect(d.drivers.reduce(Money.zero) { $0 + $1.amount } == d.change)
        #expect(d.change == compare.usageCost - base.usageCost)
        let shapley = Shapley.decompose(base: base, compare: compare)
        #expect(abs(shapley.values.reduce(0, +) - Double(d.change.picos) / 1e12) < 1e-6)
        // Swapping the periods negates every driver (up to the picodollars of rounding).
        let back = BillChangeAnalysis.decompose(base: compare, compare: base)
        for (driver, amount) in d.drivers {
            let other = back.drivers.first { $0.driver == driver.mirrored }!.amount
            #expect(abs(amount.picos + other.picos) <= 10, "\(driver)")
        }
    }

    @Test func identicalPeriodsGiveZeros() {
        let (base, _) = randomPeriods(seed: 99)
        let d = BillChangeAnalysis.decompose(base: base, compare: base)
        #expect(d.drivers.allSatisfy { $0.amount == .zero })
    }

    @Test func aPriceChangeAloneIsAllPrice() {
        let base = BillChangeFixture.period(actions: [u: 80], [F(model: 1, calls: 100, input: 2, cacheHit: 0.3, output: 0.5,
                                                                 inputPrice: 1, cachedPrice: 0.1, outputPrice: 4)])
        let compare = BillChangeFixture.period(actions: [u: 80], [F(model: 1, calls: 100, input: 2, cacheHit: 0.3, output: 0.5,
                                                                    inputPrice: 1.5, cachedPrice: 0.2, outputPrice: 3)])
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        #expect(d.drivers.first { $0.driver == .unitPrice }!.amount == d.change)
        #expect(d.drivers.filter { $0.driver != .unitPrice }.allSatisfy { $0.amount == .zero })
    }

    @Test func aVolumeChangeAloneIsAllVolume() {
        let figures = [F(model: 1, calls: 100, input: 2, cacheHit: 0.3, output: 0.5, inputPrice: 1, cachedPrice: 0.1, outputPrice: 4),
                       F(model: 2, calls: 40, kind: .fallback, input: 3, cacheHit: 0.1, output: 1, inputPrice: 5, cachedPrice: 0.5, outputPrice: 20)]
        let base = BillChangeFixture.period(actions: [u: 80], figures)
        let compare = BillChangeFixture.period(actions: [u: 240], figures.map { var f = $0; f.calls *= 3; return f })
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        #expect(d.drivers.first { $0.driver == .volume }!.amount == d.change)
        #expect(d.drivers.filter { $0.driver != .volume }.allSatisfy { abs($0.amount.picos) <= 1 })
    }

    @Test func aModelUsedOnlyInTheComparePeriodContributesExactlyItsCost() {
        let shared = F(model: 1, calls: 100, input: 2, cacheHit: 0.3, output: 0.5, inputPrice: 1, cachedPrice: 0.1, outputPrice: 4)
        let newModel = F(model: 9, calls: 25, kind: .fallback, input: 4, cacheHit: 0, output: 1, inputPrice: 2.5, outputPrice: 10)
        let base = BillChangeFixture.period(actions: [u: 100], [shared])
        let compare = BillChangeFixture.period(actions: [u: 100], [shared, newModel])
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        let newCost = BillChangeFixture.period(actions: [u: 100], [newModel]).usageCost
        // A new kind of call in an existing workflow is call overhead; the whole cell goes there.
        #expect(d.drivers.first { $0.driver == .callOverhead }!.amount == newCost)
        // A new model where the kind already existed is new traffic: exactly its cost.
        let compare2 = BillChangeFixture.period(actions: [u: 100], [shared, { var m = newModel; m.kind = .primary; return m }()])
        let d2 = BillChangeAnalysis.decompose(base: base, compare: compare2)
        #expect(d2.drivers.first { $0.driver == .newTraffic }!.amount == newCost)
    }

    @Test func perDayComparesDailyRates() {
        let figures = [F(model: 1, calls: 300, input: 2, output: 0.5, inputPrice: 1, outputPrice: 4)]
        var base = BillChangeFixture.period(actions: [u: 300], figures, days: 30)
        var compare = BillChangeFixture.period(actions: [u: 310], figures.map { var f = $0; f.calls = 310; return f }, days: 31)
        base.label = "30 days"
        compare.label = "31 days"
        let d = BillChangeAnalysis.decompose(base: base, compare: compare, perDay: true)
        // The same traffic per day: no change at all.
        #expect(abs(d.change.picos) <= 1)
        let total = BillChangeAnalysis.decompose(base: base, compare: compare)
        #expect(total.change > .zero)
    }
}

extension BillChangeDriver {
    /// The driver that takes the opposite effect when the periods are swapped.
    var mirrored: BillChangeDriver {
        switch self {
        case .newTraffic: .removedTraffic
        case .removedTraffic: .newTraffic
        default: self
        }
    }
}

/// The Shapley decomposition of the same identity: the average of every order in which the factors can
/// change, cell by cell (`METHODS.md` §A). An independent second method for the tests; dollars per factor.
enum Shapley {
    static func decompose(base: BillChangePeriod, compare: BillChangePeriod) -> [BillChangeAnalysis.Factor: Double] {
        let f0 = BillChangeAnalysis.PeriodFactors(base, perDay: false)
        let f1 = BillChangeAnalysis.PeriodFactors(compare, perDay: false)
        var out: [BillChangeAnalysis.Factor: Double] = [:]
        let factors = BillChangeAnalysis.Factor.allCases
        let n = factors.count
        func factorial(_ k: Int) -> Double { k <= 1 ? 1 : (2...k).reduce(1.0) { $0 * Double($1) } }
        for key in Set(base.cells.keys).union(compare.cells.keys) {
            for c in TokenComponent.allCases {
                var x0 = f0.factors(key, c), x1 = f1.factors(key, c)
                for i in 0..<n {
                    if x0[i] == nil { x0[i] = x1[i] }
                    if x1[i] == nil { x1[i] = x0[i] }
                }
                let a = x0.map { $0 ?? 0 }, b = x1.map { $0 ?? 0 }
                guard a.reduce(1, *) != 0 || b.reduce(1, *) != 0 else { continue }
                for j in 0..<n {
                    var phi = 0.0
                    for mask in 0..<(1 << n) where mask & (1 << j) == 0 {
                        let size = mask.nonzeroBitCount
                        let weight = factorial(size) * factorial(n - size - 1) / factorial(n)
                        var product = b[j] - a[j]
                        for i in 0..<n where i != j { product *= mask & (1 << i) != 0 ? b[i] : a[i] }
                        phi += weight * product
                    }
                    out[factors[j], default: 0] += phi / 1e12
                }
            }
        }
        return out
    }
}
