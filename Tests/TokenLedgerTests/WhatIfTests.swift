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

/// A small world for hand-computed what-ifs: four models at round prices (dollars per 1M tokens), two
/// workflows, two segments.
enum WhatIfWorld {
    static let mini: Int64 = 1, haiku: Int64 = 2, sonnet: Int64 = 3, flash: Int64 = 4
    static let faq: Int64 = 1, summarize: Int64 = 2
    static let free: Int64 = 1, pro: Int64 = 2

    static let names = NameDirectory([
        .model: [mini: "gpt-4o-mini", haiku: "claude-haiku-4-5", sonnet: "claude-sonnet-4-5", flash: "gemini-2.5-flash"],
        .workflow: [faq: "faq", summarize: "summarize"],
        .segment: [free: "free", pro: "pro"],
    ])

    static func entry(_ model: String, _ provider: String, input: String, cached: String? = nil, output: String,
                      from: CivilDate = CivilDate(year: 2025, month: 1, day: 1)) -> PriceEntry {
        PriceEntry(provider: provider, model: model, effectiveFrom: from,
                   cards: [RateCardKey(.standard): RateCard(input: Rate(perMillion: input)!, cachedInput: cached.map { Rate(perMillion: $0)! },
                                                            output: Rate(perMillion: output)!)])
    }

    static let book = PriceBook(entries: [
        entry("gpt-4o-mini", "openai", input: "1", cached: "0.5", output: "2"),
        entry("claude-haiku-4-5", "anthropic", input: "4", cached: "0.4", output: "8"),
        entry("claude-sonnet-4-5", "anthropic", input: "10", cached: "1", output: "20"),
        entry("gemini-2.5-flash", "google", input: "2", output: "4"),
    ])

    /// The routing table in force: a tier map, and `min_actions` low enough for a handful of actions.
    static func budget(minActions: Int = 2) -> Budget {
        var b = Budget()
        b.tiers = [.init(tier: "premium", patterns: ["claude-sonnet*"]), .init(tier: "balanced", patterns: ["claude-haiku*"]),
                   .init(tier: "economy", patterns: ["gpt-4o-mini*", "gemini-2.5-flash*"])]
        b.thresholds.minActions = minActions
        return b
    }

    static let period = Period(first: CivilDate(year: 2026, month: 10, day: 5), last: CivilDate(year: 2026, month: 10, day: 11))

    static func context(_ budget: Budget? = budget()) -> WhatIfContext {
        WhatIfContext(period: period, zoneName: "UTC", names: names, book: book, baseline: budget)
    }

    /// A call `n` seconds into the period, priced with the book.
    static func call(_ n: Int64, _ model: Int64, _ workflow: Int64, _ kind: CallKind = .primary, input: Int64, output: Int64,
                     cached: Int64 = 0, status: CallStatus = .ok) -> WhatIfCall {
        let t = period.first.start(in: TimeZone(identifier: "UTC")!).milliseconds + n * 1000
        var c = WhatIfCall(rowID: t << 20, modelID: model, workflowID: workflow, kind: kind, status: status,
                           inputTokens: input, outputTokens: output, cost: nil)
        c.cachedInputTokens = cached
        c.cost = book.entry(for: names.name(.model, model)!, at: c.timestamp)?.cost(of: c.record(model: names.name(.model, model)!))
        return c
    }

    static func action(_ key: Int64, _ workflow: Int64, segment: Int64? = nil, outcome: ActionOutcome = .completed,
                       _ calls: [WhatIfCall]) -> WhatIfAction {
        WhatIfAction(key: key, workflowID: workflow, segmentID: segment, outcome: outcome, calls: calls)
    }
}

@Suite struct WhatIfTests {
    typealias W = WhatIfWorld

    func picos(_ m: Money) -> Int128 { m.picos }

    // MARK: No change

    @Test func aScenarioOfNoChangeEqualsTheActualBillExactly() {
        let actions = [
            W.action(1, W.faq, [W.call(1, W.mini, W.faq, input: 1000, output: 200, cached: 500),
                                W.call(2, W.haiku, W.faq, .fallback, input: 1000, output: 210)]),
            W.action(2, W.summarize, segment: W.free, [W.call(3, W.sonnet, W.summarize, input: 5000, output: 400)]),
        ]
        let r = WhatIf.run(context: W.context(), scenarios: [WhatIfScenario(name: "same")], actions: actions)
        let actual = r.scenarios[0], same = r.scenarios[1]
        let billed = actions.flatMap(\.calls).reduce(Money.zero) { $0 + Money(picos: $1.cost!) }
        #expect(actual.total.figure.amount == .exactly(billed))
        #expect(same.total == actual.total)
        #expect(same.tiers == actual.tiers)
        #expect(same.workflows == actual.workflows)
        #expect(same.total.figure.isExact)
        #expect(same.replayedActions == 0)
    }

    // MARK: Price-book swaps

    @Test func aPriceBookSwapRepricesEveryListedModelExactly() {
        let actions = [
            W.action(1, W.faq, [W.call(1, W.mini, W.faq, input: 1000, output: 200)]),
            W.action(2, W.summarize, [W.call(2, W.haiku, W.summarize, input: 2000, output: 100)]),
        ]
        // Next month's list: gpt-4o-mini at twice the price, dated after the period (the newest entry applies).
        let next = PriceBook(entries: [W.entry("gpt-4o-mini", "openai", input: "2", output: "4", from: CivilDate(year: 2026, month: 11, day: 1))])
        let r = WhatIf.run(context: W.context(), scenarios: [WhatIfScenario(name: "next", prices: next)], actions: actions)
        // Actual: mini 1000×$1 + 200×$2 = 1.4e9 picodollars; haiku 2000×$4 + 100×$8 = 8.8e9.
        #expect(picos(r.actual.total.figure.exact) == 10_200_000_000)
        // Swap: mini 1000×$2 + 200×$4 = 2.8e9; haiku unchanged.
        let s = r.scenarios[1]
        #expect(s.total.figure.amount == .exactly(Money(picos: Int128(11_600_000_000))))
        #expect(s.total.figure.isExact)
        #expect(s.total.figure.repriced)
        #expect(picos(s.tier("economy")!.figure.exact) == 2_800_000_000)
        #expect(picos(s.tier("balanced")!.figure.exact) == 8_800_000_000)
        #expect(picos(s.workflow("faq")!.figure.exact) == 2_800_000_000)
        #expect(picos(s.difference(from: r.actual).base) == 1_400_000_000)
        #expect(s.caveats.contains { $0.contains("gpt-4o-mini") && $0.contains("newest entry") })
    }

    // MARK: Re-routes, computed by hand

    /// summarize: two actions on claude-haiku-4-5 (1,000 in, 100 out; one with a gpt-4o-mini classifier call),
    /// two on gemini-2.5-flash (2,000 in, 300 out; one with a retry). Route summarize to flash, with
    /// `min_actions: 2` so that flash's own output and rates count as observed.
    @Test func aRerouteOntoAnObservedModelUsesItsOutputAndRates() throws {
        let actions = [
            W.action(1, W.summarize, [W.call(1, W.mini, W.summarize, .classifier, input: 100, output: 10),
                                      W.call(2, W.haiku, W.summarize, input: 1000, output: 100)]),
            W.action(2, W.summarize, [W.call(3, W.haiku, W.summarize, input: 1000, output: 100)]),
            W.action(3, W.summarize, [W.call(4, W.flash, W.summarize, input: 2000, output: 300)]),
            W.action(4, W.summarize, [W.call(5, W.flash, W.summarize, input: 2000, output: 300, status: .timeout),
                                      W.call(6, W.flash, W.summarize, .retry, input: 2000, output: 300)]),
        ]
        let scenario = WhatIfScenario(name: "flash", routes: [WhatIfAssignment(key: "summarize", value: "gemini-2.5-flash")])
        let r = WhatIf.run(context: W.context(), scenarios: [scenario], actions: actions)
        // Actual: classifier 100×$1 + 10×$2 = 0.12e9; haiku 2 × (1000×$4 + 100×$8) = 9.6e9; flash 3 × 5.2e9 = 15.6e9.
        #expect(picos(r.actual.total.figure.exact) == 25_320_000_000)

        let s = r.scenarios[1]
        // Kept exactly: the flash actions and the classifier call.
        #expect(picos(s.total.figure.exact) == 15_720_000_000)
        // Replayed haiku actions, each: one flash call of 1000 × (1/1.2) = 833 input tokens and flash's mean
        // output of 300 = 833×$2 + 300×$4 = 2.866e9; plus flash's observed 1 retry in 2 actions (0.5) and no
        // fallback: 2.866e9 × 1.5 = 4.299e9.
        // Low: input 1000/1.3 = 769 → 2.738e9; retries (√1 − 0.98)²/2 = 0.0002 per action → 2.7385476e9.
        // High: input 1000/1.1 = 909 → 3.018e9; retries (1 + 0.98)²/2 = 1.9602, fallbacks 0.98²/2 = 0.4802
        // per action → 3.018e9 × 3.4404 = 10.3831272e9.
        #expect(s.total.figure.modelled == WhatIfAmount(low: Money(picos: Int128(2 * 2_738_547_600)),
                                                        base: Money(picos: Int128(2 * 4_299_000_000)),
                                                        high: Money(picos: Int128(2 * 10_383_127_200))))
        #expect(s.total.figure.assumptions == [.observedTokens, .tokenizerRatio, .observedRates, .cacheUnchanged])
        #expect(s.replayedActions == 2)
        #expect(picos(s.tier("balanced")!.figure.amount.base) == 0)
        #expect(picos(s.tier("economy")!.figure.amount.base) == 15_720_000_000 + 8_598_000_000)
        let move = try #require(s.moves.first)
        #expect(move.from == "claude-haiku-4-5" && move.to == "gemini-2.5-flash" && move.fallback == "gemini-2.5-flash")
        #expect(move.outputTokens == .observedTokens && move.tokenObservations == 3 && move.rates == .observedRates)
        #expect(move.retriesPerAction == 0.5 && move.fallbacksPerAction == 0)
        // Cost per completed action: the scenario's total over the 4 completed actions.
        #expect(s.total.costPerCompletedAction?.base == Money(picos: Int128(15_720_000_000 + 8_598_000_000)).divided(by: 4))
    }

    /// faq: one action on gpt-4o-mini (1,000 in of which 500 cached, 200 out). Route faq to
    /// claude-sonnet-4-5, never seen in faq; the table in force gives faq retry 0.1, fallback 0.2 and the
    /// chain [claude-haiku-4-5].
    @Test func aRerouteOntoAnUnobservedModelUsesTheTokenizerRatioAndTheBudgetRates() {
        var budget = W.budget()
        var route = Budget.Route(workflow: "faq")
        route.primary = "gpt-4o-mini"
        route.fallback = ["claude-haiku-4-5"]
        route.retryRate = 0.1
        route.fallbackRate = 0.2
        budget.routes = [route]
        let actions = [W.action(1, W.faq, [W.call(1, W.mini, W.faq, input: 1000, output: 200, cached: 500)])]
        let scenario = WhatIfScenario(name: "sonnet", routes: [WhatIfAssignment(key: "faq", value: "claude-sonnet-4-5")])
        let r = WhatIf.run(context: W.context(budget), scenarios: [scenario], actions: actions)
        #expect(picos(r.actual.total.figure.exact) == 1_150_000_000)
        let s = r.scenarios[1]
        // OpenAI → Anthropic: input ×1.2 (1.1 to 1.3), output ×1.2 (1.1×0.8 to 1.3×1.25); cached share 0.5.
        // Base: sonnet 600×$10 + 600×$1 + 240×$20 = 11.4e9; haiku 600×$4 + 600×$0.4 + 240×$8 = 4.56e9;
        //       11.4e9 + 0.1×11.4e9 + 0.2×4.56e9 = 13.452e9.
        // Low (1100 in, 176 out; rates ×0.75): 9.57e9 + 0.075×9.57e9 + 0.15×3.828e9 = 10.86195e9.
        // High (1300 in, 325 out; rates ×1.25): 13.65e9 + 0.125×13.65e9 + 0.25×5.46e9 = 16.72125e9.
        #expect(s.total.figure.exact == .zero)
        #expect(s.total.figure.modelled == WhatIfAmount(low: Money(picos: Int128(10_861_950_000)), base: Money(picos: Int128(13_452_000_000)),
                                                        high: Money(picos: Int128(16_721_250_000))))
        #expect(s.total.figure.assumptions == [.tokenizerRatio, .budgetRates, .cacheUnchanged])
        // The first attempt and retries are premium, the fallback balanced.
        #expect(picos(s.tier("premium")!.figure.amount.base) == 12_540_000_000)
        #expect(picos(s.tier("balanced")!.figure.amount.base) == 912_000_000)
        #expect(s.total.premiumShare == WhatIfBand.exactly(1))
        #expect(r.actual.total.premiumShare == WhatIfBand.exactly(0))
    }

    // MARK: Segments

    @Test func aCappedSegmentMovesOnlyItsActionsAboveTheCap() throws {
        var budget = W.budget()
        var route = Budget.Route(workflow: "summarize")
        route.primary = "claude-haiku-4-5"
        route.fallback = ["claude-sonnet-4-5", "gpt-4o-mini"]
        route.retryRate = 0
        route.fallbackRate = 0
        budget.routes = [route]
        let actions = [
            W.action(1, W.summarize, segment: W.free, [W.call(1, W.sonnet, W.summarize, .classifier, input: 50, output: 5),
                                                       W.call(2, W.sonnet, W.summarize, input: 1000, output: 100)]),
            W.action(2, W.summarize, segment: W.pro, [W.call(3, W.sonnet, W.summarize, input: 1000, output: 100)]),
            W.action(3, W.summarize, segment: W.free, [W.call(4, W.mini, W.summarize, input: 1000, output: 100)]),
        ]
        let scenario = WhatIfScenario(name: "free economy", segmentCaps: [WhatIfAssignment(key: "free", value: "economy")])
        let r = WhatIf.run(context: W.context(budget), scenarios: [scenario], actions: actions)
        let s = r.scenarios[1]
        // Only the free action on sonnet moves, to the route's first economy model, gpt-4o-mini:
        // 1000/1.2 = 833 input and 100/1.2 = 83 output → 833×$1 + 83×$2 = 0.999e9 (no retries or fallbacks budgeted).
        #expect(s.replayedActions == 1)
        let move = try #require(s.moves.first)
        #expect(move.from == "claude-sonnet-4-5" && move.to == "gpt-4o-mini" && move.fallback == "gpt-4o-mini")
        #expect(s.total.figure.modelled.base == Money(picos: Int128(999_000_000)))
        // Kept exactly: the free classifier call on sonnet (which stays above the cap), the pro action, the
        // free action already on gpt-4o-mini.
        let classifier: Int128 = 50 * 10_000_000 + 5 * 20_000_000
        #expect(picos(s.total.figure.exact) == classifier + 12_000_000_000 + 1_200_000_000)
        #expect(s.caveats.contains { $0.contains("1 classifier or validation call(s) stay on models above economy") })
    }

    @Test func anUnknownTierOrAnUnpricedTargetIsAProblem() {
        let bad = [WhatIfScenario(name: "a", allOn: "no-such-model"),
                   WhatIfScenario(name: "b", segmentCaps: [WhatIfAssignment(key: "free", value: "gold")])]
        let problems = WhatIf.problems(scenarios: bad, context: W.context())
        #expect(problems.count == 2)
        #expect(problems[0].contains("no price for `no-such-model`"))
        #expect(problems[1].contains("unknown tier `gold`") && problems[1].contains("premium, balanced, economy"))
    }

    // MARK: Routing tables and all-on

    @Test func aTierPrimaryKeepsEveryModelOfTheTier() {
        var table = W.budget()
        var route = Budget.Route(workflow: "summarize")
        route.primary = "premium"
        table.routes = [route]
        let actions = [
            W.action(1, W.summarize, [W.call(1, W.sonnet, W.summarize, input: 1000, output: 100)]),
            W.action(2, W.summarize, [W.call(2, W.haiku, W.summarize, input: 1000, output: 100)]),
        ]
        let r = WhatIf.run(context: W.context(), scenarios: [WhatIfScenario(name: "table", budget: table)], actions: actions)
        let s = r.scenarios[1]
        #expect(s.replayedActions == 1)
        #expect(s.moves.first?.from == "claude-haiku-4-5")
        #expect(s.moves.first?.to == "claude-sonnet-4-5")
    }

    @Test func allOnRetriesFailuresOnTheOneModelAndKeepsStraightToFallbackActionsOnlyWhenAllowed() {
        let actions = [
            // Straight to a fallback (a long prompt): not on the one model, so replayed.
            W.action(1, W.summarize, [W.call(1, W.sonnet, W.summarize, .fallback, input: 30000, output: 300)]),
            W.action(2, W.summarize, [W.call(2, W.mini, W.summarize, input: 1000, output: 100)]),
            W.action(3, W.summarize, [W.call(3, W.mini, W.summarize, input: 1000, output: 100),
                                      W.call(4, W.haiku, W.summarize, .fallback, input: 1000, output: 100)]),
        ]
        let r = WhatIf.run(context: W.context(), scenarios: [WhatIfScenario(name: "mini", allOn: "gpt-4o-mini")], actions: actions)
        let s = r.scenarios[1]
        #expect(s.replayedActions == 2)
        #expect(s.moves.allSatisfy { $0.to == "gpt-4o-mini" && $0.fallback == "gpt-4o-mini" })
        #expect(s.tier("premium")!.figure.amount.base == .zero)
        #expect(s.tier("balanced")!.figure.amount.base == .zero)
        // A route keeps the straight-to-fallback action: a route changes first attempts only.
        let routed = WhatIf.run(context: W.context(), scenarios: [WhatIfScenario(name: "r", routes: [WhatIfAssignment(key: "summarize", value: "gpt-4o-mini")])],
                                actions: actions)
        #expect(routed.scenarios[1].replayedActions == 0)
    }

    @Test func actionsThatBeganBeforeThePeriodCountInTheBillButNotAsActions() {
        var early = W.action(1, W.faq, [W.call(1, W.mini, W.faq, input: 1000, output: 200)])
        early.startsInPeriod = false
        let r = WhatIf.run(context: W.context(), scenarios: [], actions: [early, W.action(2, W.faq, [W.call(2, W.mini, W.faq, input: 1000, output: 200)])])
        #expect(picos(r.actual.total.figure.exact) == 2_800_000_000)
        #expect(r.actual.total.actions == 1)
        #expect(r.caveats.contains { $0.contains("1 action(s) began before the period") })
    }

    // MARK: Quality

    @Test func qualityIsReportedPerModelWithItsCostPerPoint() throws {
        var a = W.call(1, W.mini, W.faq, input: 1000, output: 200)
        a.qualityScore = 0.8
        a.corrected = false
        var b = W.call(2, W.mini, W.faq, input: 1000, output: 200)
        b.qualityScore = 0.6
        b.corrected = true
        let r = WhatIf.run(context: W.context(), scenarios: [], actions: [W.action(1, W.faq, [a]), W.action(2, W.faq, [b])])
        let q = try #require(r.quality.first { $0.workflow == "faq" && $0.model == "gpt-4o-mini" })
        #expect(q.scoredCalls == 2)
        #expect(abs(q.meanScore! - 0.7) < 1e-12)
        #expect(q.correctedShare == 0.5)
        #expect(q.costPerScoredCall == Money(picos: Int128(1_400_000_000)))
        // 2.8e9 picodollars over 80 + 60 quality points.
        #expect(q.costPerQualityPoint == Money(picos: Int128(20_000_000)))
        #expect(r.quality.contains { $0.workflow == nil && $0.model == "gpt-4o-mini" })
        #expect(r.caveats.first!.contains("Quality is not observed"))
    }

    // MARK: Modelling constants

    @Test func tokenizerRatiosAndBands() {
        #expect(WhatIfModel.tokenizerRatio(from: .openai, to: .anthropic, sameModel: false) == WhatIfBand(low: 1.1, base: 1.2, high: 1.3))
        #expect(WhatIfModel.tokenizerRatio(from: .anthropic, to: .anthropic, sameModel: true) == .exactly(1))
        #expect(WhatIfModel.tokenizerRatio(from: .openai, to: .google, sameModel: false) == WhatIfBand(low: 0.9, base: 1, high: 1.1))
        #expect(WhatIfVendor.of(model: "openai/gpt-4o-mini", provider: nil) == .openai)
        #expect(WhatIfVendor.of(model: "o3-mini", provider: nil) == .openai)
        #expect(WhatIfVendor.of(model: "mistral-large-latest", provider: "mistral") == .other)
        let share = WhatIfModel.shareBand(5, 10)
        #expect(share.low < 0.5 && share.high > 0.5 && share.base == 0.5)
        #expect(WhatIfRatio(1, 3).scale(Money(picos: Int128(10))) == Money(picos: Int128(3)))
        #expect(WhatIfRatio(1, 2).scale(Money(picos: Int128(5))) == Money(picos: Int128(2)))  // half to even
        #expect(WhatIfRatio(approximately: .nan) == .zero)
        #expect(WhatIfModel.tierRanks(budgetTiers: ["gold", "silver"], named: ["silver"]) == ["gold": 2, "silver": 1])
    }
}
