import Foundation
import LedgerPricing
import LedgerValues

/// Re-prices a period's traffic under other price books and routing tables (`METHODS.md` §E), a pure
/// function of the period's actions.
///
///     let result = WhatIf.run(context: context, scenarios: [mini], actions: actions)
///     result.actual.total.figure.amount.base        // the bill, to the picodollar
///     result.scenarios[1].total.figure.amount       // low, base, high under `mini`
///
/// The rules (`docs/whatif.md`):
/// - A call a scenario does not move keeps its logged tokens and is priced exactly: at what it was
///   billed, or with the scenario's price book for the models that book lists (each at its newest entry,
///   for the whole period). With no change at all, a scenario equals the bill to the picodollar.
/// - An action whose generation calls (primary, retry, fallback) break the scenario's routing is
///   replayed: one first attempt on the target model, plus the target's expected retry calls, plus its
///   expected fallback calls on the fallback model; classifier and validation calls stay as logged.
///   Input tokens are the action's own times a tokenizer ratio; output tokens are the target's own mean
///   in the workflow when observed often enough, else the logged ones times the ratio; rates are the
///   target's own in the workflow when observed, else the routing table's, else the workflow's. Low and
///   high put every uncertain input at its end.
public enum WhatIf {
    /// Runs both passes over `actions`: observations, then the replay.
    public static func run(context: WhatIfContext, scenarios: [WhatIfScenario], actions: [WhatIfAction]) -> WhatIfResult {
        var builder = WhatIfObservations.Builder(context: context)
        for a in actions { builder.add(a) }
        var replay = WhatIfReplay(context: context, observations: builder.build(), scenarios: scenarios)
        for a in actions { replay.add(a) }
        return replay.result()
    }

    /// Problems that stop a scenario before any traffic is read: a target model no price book knows, a
    /// segment capped at a tier with no known rank.
    public static func problems(scenarios: [WhatIfScenario], context: WhatIfContext) -> [String] {
        var out: [String] = []
        for s in scenarios {
            for m in [s.allOn].compactMap({ $0 }) + s.routes.map(\.value) where context.book.match(m) == nil && s.prices?.match(m) == nil {
                out.append("scenario `\(s.name)`: no price for `\(m)` in the price book; import one with `tokenledger prices import` or give --price-book")
            }
            let ranks = WhatIfRouting.ranks(scenario: s, baseline: context.baseline)
            for c in s.segmentCaps where ranks[c.value] == nil {
                let known = ranks.keys.sorted { (ranks[$0]!, $1) > (ranks[$1]!, $0) }
                out.append("scenario `\(s.name)`: unknown tier `\(c.value)` for --segment \(c.key); known tiers: \(known.isEmpty ? "none (give the routing table in force with --baseline-budget)" : known.joined(separator: ", "))")
            }
        }
        return out
    }
}

/// The second pass of a what-if: every action under every scenario. The actual period is scenario 0.
public struct WhatIfReplay: Sendable {
    public let context: WhatIfContext
    public let observations: WhatIfObservations
    /// Observations a model needs in a workflow before its own tokens and rates are used.
    public let minObservations: Int
    var states: [State]
    let premiumTiers: Set<String>
    var actionsStartingBefore: Int64 = 0

    /// A replay of `scenarios` (the actual period is added first) on the evidence of `observations`.
    public init(context: WhatIfContext, observations: WhatIfObservations, scenarios: [WhatIfScenario]) {
        self.context = context
        self.observations = observations
        minObservations = context.baseline?.thresholds.minActions ?? WhatIfModel.defaultMinObservations
        premiumTiers = Set(context.baseline?.thresholds.premiumTiers ?? ["premium"])
        states = ([WhatIfScenario.actual] + scenarios).map {
            State(routing: WhatIfRouting(scenario: $0, context: context, observations: observations))
        }
    }

    /// Adds one action under every scenario. The order of actions does not change any amount.
    public mutating func add(_ action: WhatIfAction) {
        if !action.startsInPeriod { actionsStartingBefore += 1 }
        for i in states.indices { states[i].add(action, minObservations: minObservations, premiumTiers: premiumTiers) }
    }

    // MARK: One scenario

    /// Sums for one line of a scenario.
    struct Sums: Sendable {
        var exact = Money.zero
        var modelled = WhatIfAmount.zero
        var assumptions = Set<WhatIfAssumption>()
        var repriced = false
        var unpriced: Int64 = 0
        var actions: Int64 = 0
        var completed: Int64 = 0
        var premium = WhatIfBand.exactly(0)

        func line(_ name: String) -> WhatIfLine {
            var l = WhatIfLine(name: name)
            l.figure.exact = exact
            l.figure.modelled = modelled
            l.figure.assumptions = assumptions.sorted()
            l.figure.repriced = repriced
            l.figure.unpricedCalls = unpriced
            l.actions = actions
            l.completed = completed
            l.premiumActions = premium
            return l
        }
    }

    /// Tokens of a modelled call on one model: input always scales the logged input (the prompt is the
    /// action's own); output is the model's observed mean when observed enough, else scales the logged output.
    struct TokenPlan: Sendable {
        /// `.loggedTokens` (the same model) or `.tokenizerRatio`.
        var inputBasis: WhatIfAssumption
        /// Ratio to the logged input.
        var input: WhatIfBand
        /// `.observedTokens`, `.loggedTokens` or `.tokenizerRatio`.
        var outputBasis: WhatIfAssumption
        /// Mean output tokens per call (observed), or a ratio to the logged output.
        var output: WhatIfBand
        /// Generation calls of the model in the workflow.
        var observations: Int64
        /// Share of output that is reasoning; nil: the logged call's share.
        var reasoningShare: Double?

        var outputObserved: Bool { outputBasis == .observedTokens }
        var bases: [WhatIfAssumption] { [inputBasis, outputBasis] }
    }

    struct RatePlan: Sendable {
        var basis: WhatIfAssumption
        var observations: Int64
        var retries: [WhatIfRatio]
        var fallbacks: [WhatIfRatio]
        /// Share of actions that use a fallback (for premium share).
        var fallbackShare: WhatIfBand
    }

    struct Plan: Sendable {
        var primary: TokenPlan
        var fallback: TokenPlan?
        var rates: RatePlan
    }

    struct PlanKey: Hashable {
        var workflow: String
        var from: String
        var to: String
        var fallback: String
    }

    struct ResolutionKey: Hashable {
        var workflow: Int64
        var model: Int64
        var segment: Int64
    }

    /// Everything about actions of one workflow that started on one model in one segment that does not
    /// depend on the single action: the scenario's resolution and, when they are replayed, where to.
    struct Decision: Sendable {
        var workflow: String
        var from: String
        var segment: String?
        var resolution: WhatIfRouting.Resolution
        var replay: Replay?
    }

    struct Replay: Sendable {
        var key: PlanKey
        var plan: Plan
        var assumptions: Set<WhatIfAssumption>
        var tierTo: String
        var tierFallback: String
        var premiumTo: Bool
        var premiumFallback: Bool
        var repriced: Bool
    }

    struct ModelFacts: Sendable {
        var name: String
        var raw: String
        var tier: String
        var premium: Bool
        var rank: Int?
    }

    struct State: Sendable {
        let routing: WhatIfRouting
        let changesRouting: Bool
        var total = Sums()
        var tiers: [String: Sums] = [:]
        var workflows: [String: Sums] = [:]
        var decisions: [ResolutionKey: Decision] = [:]
        var allowed: [ResolutionKey: [Int64: Bool]] = [:]
        var models: [Int64: ModelFacts] = [:]
        var workflowNames: [Int64: String] = [:]
        var overrides: [Int64: PriceEntry?] = [:]
        var targetOverrides: [String: PriceEntry?] = [:]
        var resolver: PriceBook.Resolver
        var plans: [PlanKey: Plan] = [:]
        var moves: [PlanKey: Int64] = [:]
        var replayed: Int64 = 0
        var repricedModels = Set<String>()
        var unpricedTargets = Set<String>()
        var cappedActions: [String: Int64] = [:]
        var keptAboveCap: [String: Int64] = [:]
        var noTierInCap: [String: Int64] = [:]
        var noCapModel = Set<String>()

        init(routing: WhatIfRouting) {
            self.routing = routing
            let s = routing.scenario
            changesRouting = s.allOn != nil || !s.routes.isEmpty || s.budget != nil || !s.segmentCaps.isEmpty
            resolver = PriceBook.Resolver(routing.context.book)
        }

        var context: WhatIfContext { routing.context }
        var scenario: WhatIfScenario { routing.scenario }

        mutating func model(_ id: Int64, premiumTiers: Set<String>) -> ModelFacts {
            if let m = models[id] { return m }
            let name = context.model(id)
            let tier = routing.observations.tierOfModelID[id] ?? WhatIfReplay.noTier
            let m = ModelFacts(name: name, raw: context.names.name(.model, id) ?? name, tier: tier, premium: premiumTiers.contains(tier),
                               rank: routing.rankOf(name))
            models[id] = m
            return m
        }

        mutating func workflowName(_ id: Int64?) -> String {
            let key = id ?? 0
            if let w = workflowNames[key] { return w }
            let w = context.workflowName(id)
            workflowNames[key] = w
            return w
        }

        mutating func decision(_ key: ResolutionKey, _ a: WhatIfAction, first: WhatIfCall, minObservations: Int,
                               premiumTiers: Set<String>) -> Decision {
            if let d = decisions[key] { return d }
            let w = workflowName(a.workflowID)
            let start = model(first.modelID, premiumTiers: premiumTiers)
            let segment = context.names.name(.segment, a.segmentID)
            let r = routing.resolve(workflow: w, startedOn: start.name, raw: start.raw, segment: segment)
            var d = Decision(workflow: w, from: start.name, segment: segment, resolution: r)
            let to = r.target ?? start.name
            let fallback = routing.fallback(workflow: w, primary: to, resolution: r)
            let planKey = PlanKey(workflow: w, from: start.name, to: to, fallback: fallback)
            let plan = plans[planKey] ?? makePlan(planKey, minObservations: minObservations)
            plans[planKey] = plan
            var assumptions = Set(plan.primary.bases + [plan.rates.basis, .cacheUnchanged])
            if let f = plan.fallback { assumptions.formUnion(f.bases) }
            let tierTo = routing.tier(of: to) ?? WhatIfReplay.noTier, tierFallback = routing.tier(of: fallback) ?? WhatIfReplay.noTier
            d.replay = Replay(key: planKey, plan: plan, assumptions: assumptions, tierTo: tierTo, tierFallback: tierFallback,
                              premiumTo: premiumTiers.contains(tierTo), premiumFallback: premiumTiers.contains(tierFallback),
                              repriced: targetOverride(to) != nil || targetOverride(fallback) != nil)
            decisions[key] = d
            return d
        }

        /// Whether a generation call on `id` may stay as logged under the decision of `key`.
        mutating func allows(_ key: ResolutionKey, _ d: Decision, _ id: Int64, premiumTiers: Set<String>) -> Bool {
            if let v = allowed[key]?[id] { return v }
            let m = model(id, premiumTiers: premiumTiers)
            let v = routing.allows(d.resolution, model: m.name, raw: m.raw)
            allowed[key, default: [:]][id] = v
            return v
        }

        mutating func add(_ a: WhatIfAction, minObservations: Int, premiumTiers: Set<String>) {
            var decision: Decision?
            var replay = false
            var source: WhatIfCall?
            if changesRouting, let first = a.firstGeneration {
                let key = ResolutionKey(workflow: a.workflowID ?? 0, model: first.modelID, segment: a.segmentID ?? 0)
                let d = self.decision(key, a, first: first, minObservations: minObservations, premiumTiers: premiumTiers)
                decision = d
                let r = d.resolution
                let effective = r.target ?? d.from
                // An action sent straight to a fallback (no primary call, e.g. a prompt too long for the
                // primary) keeps its route when the scenario allows the model as a fallback.
                let startsOnPrimary = first.kind == .primary
                var keep = startsOnPrimary ? effective == d.from : true
                if keep {
                    for c in a.calls where c.isGeneration && (c.rowID != first.rowID || !startsOnPrimary) {
                        if model(c.modelID, premiumTiers: premiumTiers).name != effective && !allows(key, d, c.modelID, premiumTiers: premiumTiers) {
                            keep = false
                            break
                        }
                    }
                }
                if let cap = r.capRank, let segment = d.segment {
                    cappedActions[segment, default: 0] += 1
                    if r.capModel == nil, let rank = model(first.modelID, premiumTiers: premiumTiers).rank, rank > cap {
                        noCapModel.insert("\(segment) in \(d.workflow)")
                    }
                    for c in a.calls {
                        let rank = model(c.modelID, premiumTiers: premiumTiers).rank
                        if c.isGeneration, rank == nil { noTierInCap[segment, default: 0] += 1 }
                        if !c.isGeneration, let rank, rank > cap { keptAboveCap[segment, default: 0] += 1 }
                    }
                }
                replay = !keep
                source = first
            }
            let w = decision?.workflow ?? workflowName(a.workflowID)

            // Calls that keep their model: exact.
            var touchesPremium = false
            for c in a.calls where !replay || !c.isGeneration {
                let m = model(c.modelID, premiumTiers: premiumTiers)
                if m.premium { touchesPremium = true }
                let (cost, repriced) = keptCost(c, m)
                let workflow = c.workflowID == a.workflowID ? w : workflowName(c.workflowID ?? a.workflowID)
                WhatIfReplay.addExact(&total, cost, repriced)
                WhatIfReplay.addExact(&tiers[m.tier, default: Sums()], cost, repriced)
                WhatIfReplay.addExact(&workflows[workflow, default: Sums()], cost, repriced)
            }

            // The replayed generation: modelled.
            var premium = WhatIfBand.exactly(touchesPremium ? 1 : 0)
            if replay, let rp = decision?.replay, let source {
                let plan = rp.plan, sameModel = rp.key.fallback == rp.key.to
                moves[rp.key, default: 0] += 1
                replayed += 1
                var primaryPart = WhatIfAmount.zero, fallbackPart = WhatIfAmount.zero
                var unpricedPrimary = false, unpricedFallback = false
                for b in 0..<3 {
                    if let cP = syntheticCost(rp.key.to, plan.primary, band: b, source: source) {
                        primaryPart[b] = cP + plan.rates.retries[b].scale(cP)
                        if sameModel { primaryPart[b] = primaryPart[b] + plan.rates.fallbacks[b].scale(cP) }
                    } else {
                        unpricedPrimary = true
                    }
                    if !sameModel, let fp = plan.fallback {
                        if let cF = syntheticCost(rp.key.fallback, fp, band: b, source: source) {
                            fallbackPart[b] = plan.rates.fallbacks[b].scale(cF)
                        } else {
                            unpricedFallback = true
                        }
                    }
                }
                if unpricedPrimary { unpricedTargets.insert(rp.key.to) }
                if unpricedFallback { unpricedTargets.insert(rp.key.fallback) }
                let unpriced = Int64((unpricedPrimary ? 1 : 0) + (unpricedFallback ? 1 : 0))
                let both = primaryPart + fallbackPart
                WhatIfReplay.addModelled(&total, both, rp, unpriced: unpriced)
                WhatIfReplay.addModelled(&workflows[w, default: Sums()], both, rp, unpriced: unpriced)
                WhatIfReplay.addModelled(&tiers[rp.tierTo, default: Sums()], primaryPart, rp, unpriced: unpricedPrimary ? 1 : 0)
                if !sameModel {
                    WhatIfReplay.addModelled(&tiers[rp.tierFallback, default: Sums()], fallbackPart, rp, unpriced: unpricedFallback ? 1 : 0)
                }
                if !touchesPremium {
                    if rp.premiumTo {
                        premium = .exactly(1)
                    } else if !sameModel, rp.premiumFallback {
                        premium = plan.rates.fallbackShare
                    }
                }
            }

            guard a.startsInPeriod else { return }
            let completed: Int64 = a.outcome == .completed ? 1 : 0
            WhatIfReplay.count(&total, completed, premium)
            WhatIfReplay.count(&workflows[w, default: Sums()], completed, premium)
        }

        /// A call that keeps its model: the scenario's price for it when its book lists the model, else
        /// what it was billed.
        mutating func keptCost(_ c: WhatIfCall, _ m: ModelFacts) -> (Money?, repriced: Bool) {
            guard let prices = scenario.prices else { return (c.cost.map { Money(picos: $0) }, false) }
            let entry: PriceEntry?
            if let cached = overrides[c.modelID] { entry = cached } else {
                entry = prices.history(of: m.raw).last ?? prices.history(of: m.name).last
                overrides[c.modelID] = .some(entry)
                if let entry { repricedModels.insert(entry.model) }
            }
            guard let entry else { return (c.cost.map { Money(picos: $0) }, false) }
            return (entry.cost(of: c.record(model: m.raw)).map { Money(picos: $0) }, true)
        }

        mutating func targetOverride(_ model: String) -> PriceEntry? {
            guard let prices = scenario.prices else { return nil }
            if let cached = targetOverrides[model] { return cached }
            let e = prices.history(of: model).last
            targetOverrides[model] = .some(e)
            return e
        }

        /// The cost of one modelled call on `model` at band `b`; nil when no book prices it.
        mutating func syntheticCost(_ model: String, _ plan: TokenPlan, band b: Int, source: WhatIfCall) -> Money? {
            let record = WhatIfReplay.record(model: model, plan: plan, band: b, source: source)
            let entry: PriceEntry?
            if let e = targetOverride(model) {
                entry = e
                if !repricedModels.contains(e.model) { repricedModels.insert(e.model) }
            } else {
                entry = resolver.entry(for: model, at: record.timestamp)
            }
            return entry?.cost(of: record).map { Money(picos: $0) }
        }

        func makePlan(_ key: PlanKey, minObservations n: Int) -> Plan {
            Plan(primary: tokenPlan(workflow: key.workflow, model: key.to, from: key.from, minObservations: n),
                 fallback: key.fallback == key.to ? nil : tokenPlan(workflow: key.workflow, model: key.fallback, from: key.from, minObservations: n),
                 rates: ratePlan(workflow: key.workflow, model: key.to, minObservations: n))
        }

        func tokenPlan(workflow w: String, model: String, from: String, minObservations n: Int) -> TokenPlan {
            let observed = routing.observations.tokens[WhatIfKey(workflow: w, model: model)]
            let same = model == from
            let rho = WhatIfModel.tokenizerRatio(from: vendor(from), to: vendor(model), sameModel: same)
            var plan = TokenPlan(inputBasis: same ? .loggedTokens : .tokenizerRatio, input: rho,
                                 outputBasis: same ? .loggedTokens : .tokenizerRatio,
                                 output: same ? .exactly(1) : WhatIfBand(low: rho.low * WhatIfModel.outputVerbosity.low, base: rho.base,
                                                                         high: rho.high * WhatIfModel.outputVerbosity.high),
                                 observations: observed?.calls ?? 0, reasoningShare: nil)
            if !same, let o = observed, o.calls >= Int64(max(n, 1)) {
                let count = Double(o.calls)
                let out = Statistics.meanAndDeviation(n: count, sum: Double(o.output), sumOfSquares: o.outputSquares)
                let half = WhatIfModel.z * out.sd / count.squareRoot()
                plan.outputBasis = .observedTokens
                plan.output = WhatIfBand(low: max(0, out.mean - half), base: out.mean, high: out.mean + half)
                plan.reasoningShare = o.output > 0 ? Double(o.reasoning) / Double(o.output) : 0
            }
            return plan
        }

        func vendor(_ model: String) -> WhatIfVendor {
            let provider = context.book.history(of: model).last?.provider ?? scenario.prices?.history(of: model).last?.provider
            return WhatIfVendor.of(model: model, provider: provider)
        }

        func ratePlan(workflow w: String, model: String, minObservations n: Int) -> RatePlan {
            func observed(_ o: WhatIfObservations.Actions, _ basis: WhatIfAssumption) -> RatePlan {
                let actions = Double(max(o.actions, 1))
                let r = WhatIfModel.countBand(o.retryCalls), f = WhatIfModel.countBand(o.fallbackCalls)
                return RatePlan(basis: basis, observations: o.actions,
                                retries: [WhatIfRatio(approximately: r.low / actions), WhatIfRatio(o.retryCalls, o.actions),
                                          WhatIfRatio(approximately: r.high / actions)],
                                fallbacks: [WhatIfRatio(approximately: f.low / actions), WhatIfRatio(o.fallbackCalls, o.actions),
                                            WhatIfRatio(approximately: f.high / actions)],
                                fallbackShare: WhatIfModel.shareBand(o.actionsWithFallback, o.actions))
            }
            if let o = routing.observations.startedOn[WhatIfKey(workflow: w, model: model)], o.actions >= Int64(max(n, 1)) {
                return observed(o, .observedRates)
            }
            for table in routing.budgets {
                guard let route = table.route(w), route.retryRate != nil || route.fallbackRate != nil else { continue }
                let tolerance = table.thresholds.rateTolerance
                let r = WhatIfModel.budgetRateBand(route.retryRate ?? 0, tolerance: tolerance)
                let f = WhatIfModel.budgetRateBand(route.fallbackRate ?? 0, tolerance: tolerance)
                return RatePlan(basis: .budgetRates, observations: 0,
                                retries: [WhatIfRatio(approximately: r.low), WhatIfRatio(approximately: r.base), WhatIfRatio(approximately: r.high)],
                                fallbacks: [WhatIfRatio(approximately: f.low), WhatIfRatio(approximately: f.base), WhatIfRatio(approximately: f.high)],
                                fallbackShare: WhatIfBand(low: min(1, f.low), base: min(1, f.base), high: min(1, f.high)))
            }
            return observed(routing.observations.workflows[w] ?? WhatIfObservations.Actions(), .workflowRates)
        }
    }

    /// The tier line of models without a known tier.
    public static let noTier = "(no tier)"

    static func addExact(_ s: inout Sums, _ cost: Money?, _ repriced: Bool) {
        if let cost { s.exact = s.exact + cost } else { s.unpriced += 1 }
        if repriced { s.repriced = true }
    }

    static func addModelled(_ s: inout Sums, _ amount: WhatIfAmount, _ rp: Replay, unpriced: Int64) {
        s.modelled = s.modelled + amount
        if !rp.assumptions.isSubset(of: s.assumptions) { s.assumptions.formUnion(rp.assumptions) }
        s.unpriced += unpriced
        if rp.repriced { s.repriced = true }
    }

    static func count(_ s: inout Sums, _ completed: Int64, _ premium: WhatIfBand) {
        s.actions += 1
        s.completed += completed
        s.premium.low += premium.low
        s.premium.base += premium.base
        s.premium.high += premium.high
    }

    /// One modelled call: input is the logged call's times the plan's ratio; output the observed mean or
    /// the logged output times a ratio; cache shares, reasoning share (unless observed), time, batch and
    /// service tier are the logged call's.
    static func record(model: String, plan: TokenPlan, band b: Int, source: WhatIfCall) -> CallRecord {
        func tokens(_ v: Double) -> Int64 {
            guard v.isFinite, v > 0 else { return 0 }
            return Int64(min(v, Double(CallRecord.maxTokens)).rounded())
        }
        let input = tokens(Double(source.inputTokens) * plan.input[b])
        let output = tokens(plan.outputObserved ? plan.output[b] : Double(source.outputTokens) * plan.output[b])
        var r = CallRecord(requestID: "", timestamp: source.timestamp, model: model, inputTokens: input, outputTokens: output)
        if source.inputTokens > 0 {
            let n = Double(source.inputTokens)
            r.cachedInputTokens = min(input, tokens(Double(input) * Double(source.cachedInputTokens) / n))
            r.cacheWriteTokens = min(input - r.cachedInputTokens, tokens(Double(input) * Double(source.cacheWriteTokens) / n))
            r.cacheWrite1hTokens = min(input - r.cachedInputTokens - r.cacheWriteTokens,
                                       tokens(Double(input) * Double(source.cacheWrite1hTokens) / n))
        }
        let share = plan.reasoningShare ?? (source.outputTokens > 0 ? Double(source.reasoningTokens) / Double(source.outputTokens) : 0)
        r.reasoningTokens = min(output, tokens(Double(output) * share))
        r.batch = source.batch
        r.serviceTier = source.serviceTier
        return r
    }
}
