import Foundation

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
///   Tokens per call are the target's own mean in the workflow when observed often enough, else the
///   logged ones times a tokenizer ratio; rates are the target's own in the workflow when observed, else
///   the routing table's, else the workflow's. Low and high put every uncertain input at its end.
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

    public init(context: WhatIfContext, observations: WhatIfObservations, scenarios: [WhatIfScenario]) {
        self.context = context
        self.observations = observations
        minObservations = context.baseline?.thresholds.minActions ?? WhatIfModel.defaultMinObservations
        premiumTiers = Set(context.baseline?.thresholds.premiumTiers ?? ["premium"])
        states = ([WhatIfScenario.actual] + scenarios).map {
            State(routing: WhatIfRouting(scenario: $0, context: context, observations: observations))
        }
    }

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
        var premium = [0.0, 0.0, 0.0]

        func line(_ name: String) -> WhatIfLine {
            var l = WhatIfLine(name: name)
            l.figure.exact = exact
            l.figure.modelled = modelled
            l.figure.assumptions = assumptions.sorted()
            l.figure.repriced = repriced
            l.figure.unpricedCalls = unpriced
            l.actions = actions
            l.completed = completed
            l.premiumActions = WhatIfBand(low: premium[0], base: premium[1], high: premium[2])
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

    struct State: Sendable {
        let routing: WhatIfRouting
        let changesRouting: Bool
        var total = Sums()
        var tiers: [String: Sums] = [:]
        var workflows: [String: Sums] = [:]
        var resolutions: [ResolutionKey: WhatIfRouting.Resolution] = [:]
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

        mutating func add(_ a: WhatIfAction, minObservations: Int, premiumTiers: Set<String>) {
            let w = context.workflowName(a.workflowID)
            var replay: (from: String, to: String, fallback: String, source: WhatIfCall)?
            if changesRouting, let first = a.firstGeneration {
                let m0 = context.model(first.modelID)
                let segment = context.names.name(.segment, a.segmentID)
                let key = ResolutionKey(workflow: a.workflowID ?? 0, model: first.modelID, segment: a.segmentID ?? 0)
                let r: WhatIfRouting.Resolution
                if let cached = resolutions[key] { r = cached } else {
                    r = routing.resolve(workflow: w, startedOn: m0, raw: context.names.name(.model, first.modelID) ?? m0, segment: segment)
                    resolutions[key] = r
                }
                let effective = r.target ?? m0
                // An action sent straight to a fallback (no primary call, e.g. a prompt too long for the
                // primary) keeps its route when the scenario allows the model as a fallback.
                let startsOnPrimary = first.kind == .primary
                var keep = startsOnPrimary ? effective == m0 : true
                if keep {
                    for c in a.calls where c.isGeneration && (c.rowID != first.rowID || !startsOnPrimary) {
                        let m = context.model(c.modelID)
                        if m != effective && !routing.allows(r, model: m, raw: context.names.name(.model, c.modelID) ?? m) {
                            keep = false
                            break
                        }
                    }
                }
                if let cap = r.capRank, let segment {
                    cappedActions[segment, default: 0] += 1
                    if r.capModel == nil, let rank = routing.rankOf(m0), rank > cap { noCapModel.insert("\(segment) in \(w)") }
                    for c in a.calls {
                        let rank = routing.rankOf(context.model(c.modelID))
                        if c.isGeneration, rank == nil { noTierInCap[segment, default: 0] += 1 }
                        if !c.isGeneration, let rank, rank > cap { keptAboveCap[segment, default: 0] += 1 }
                    }
                }
                if !keep {
                    replay = (m0, effective, routing.fallback(workflow: w, primary: effective, resolution: r), first)
                }
            }

            // Calls that keep their model: exact.
            var touchesPremium = false
            for c in a.calls where replay == nil || !c.isGeneration {
                let tier = routing.observations.tierOfModelID[c.modelID] ?? WhatIfReplay.noTier
                if premiumTiers.contains(tier) { touchesPremium = true }
                let (cost, repriced) = keptCost(c)
                let workflow = c.workflowID.map { context.workflowName($0) } ?? w
                func add(_ s: inout Sums) {
                    if let cost { s.exact = s.exact + cost } else { s.unpriced += 1 }
                    if repriced { s.repriced = true }
                }
                add(&total)
                add(&tiers[tier, default: Sums()])
                add(&workflows[workflow, default: Sums()])
            }

            // The replayed generation: modelled.
            var premium = [touchesPremium ? 1.0 : 0, touchesPremium ? 1.0 : 0, touchesPremium ? 1.0 : 0]
            if let rp = replay {
                let key = PlanKey(workflow: w, from: rp.from, to: rp.to, fallback: rp.fallback)
                let plan: Plan
                if let p = plans[key] { plan = p } else {
                    plan = makePlan(key, minObservations: minObservations)
                    plans[key] = plan
                }
                moves[key, default: 0] += 1
                replayed += 1
                var primaryPart = WhatIfAmount.zero, fallbackPart = WhatIfAmount.zero
                var unpricedPrimary = false, unpricedFallback = false
                for b in 0..<3 {
                    let cP = syntheticCost(rp.to, plan.primary, band: b, source: rp.source)
                    if let cP {
                        primaryPart[b] = cP + plan.rates.retries[b].scale(cP)
                        if rp.fallback == rp.to { primaryPart[b] = primaryPart[b] + plan.rates.fallbacks[b].scale(cP) }
                    } else {
                        unpricedPrimary = true
                    }
                    if rp.fallback != rp.to, let fp = plan.fallback {
                        if let cF = syntheticCost(rp.fallback, fp, band: b, source: rp.source) {
                            fallbackPart[b] = plan.rates.fallbacks[b].scale(cF)
                        } else {
                            unpricedFallback = true
                        }
                    }
                }
                if unpricedPrimary { unpricedTargets.insert(rp.to) }
                if unpricedFallback { unpricedTargets.insert(rp.fallback) }
                var assumptions = Set(plan.primary.bases + [plan.rates.basis, .cacheUnchanged])
                if let f = plan.fallback { assumptions.formUnion(f.bases) }
                let unpriced = (unpricedPrimary ? 1 : 0) + (unpricedFallback ? 1 : 0)
                func add(_ s: inout Sums, _ amount: WhatIfAmount, unpriced: Int) {
                    s.modelled = s.modelled + amount
                    s.assumptions.formUnion(assumptions)
                    s.unpriced += Int64(unpriced)
                }
                add(&total, primaryPart + fallbackPart, unpriced: unpriced)
                add(&workflows[w, default: Sums()], primaryPart + fallbackPart, unpriced: unpriced)
                let tierP = routing.tier(of: rp.to) ?? WhatIfReplay.noTier
                add(&tiers[tierP, default: Sums()], primaryPart, unpriced: unpricedPrimary ? 1 : 0)
                let tierF = routing.tier(of: rp.fallback) ?? WhatIfReplay.noTier
                if rp.fallback != rp.to {
                    add(&tiers[tierF, default: Sums()], fallbackPart, unpriced: unpricedFallback ? 1 : 0)
                }
                if targetOverride(rp.to) != nil || targetOverride(rp.fallback) != nil {
                    total.repriced = true
                    workflows[w, default: Sums()].repriced = true
                }
                if !touchesPremium {
                    if premiumTiers.contains(tierP) {
                        premium = [1, 1, 1]
                    } else if rp.fallback != rp.to, premiumTiers.contains(tierF) {
                        premium = [plan.rates.fallbackShare.low, plan.rates.fallbackShare.base, plan.rates.fallbackShare.high]
                    }
                }
            }

            guard a.startsInPeriod else { return }
            func count(_ s: inout Sums) {
                s.actions += 1
                if a.outcome == .completed { s.completed += 1 }
                for b in 0..<3 { s.premium[b] += premium[b] }
            }
            count(&total)
            count(&workflows[w, default: Sums()])
        }

        /// A call that keeps its model: the scenario's price for it when its book lists the model, else
        /// what it was billed.
        mutating func keptCost(_ c: WhatIfCall) -> (Money?, repriced: Bool) {
            guard let prices = scenario.prices else { return (c.cost.map { Money(picos: $0) }, false) }
            let entry: PriceEntry?
            if let cached = overrides[c.modelID] { entry = cached } else {
                entry = prices.history(of: context.names.name(.model, c.modelID) ?? context.model(c.modelID)).last
                    ?? prices.history(of: context.model(c.modelID)).last
                overrides[c.modelID] = .some(entry)
            }
            guard let entry else { return (c.cost.map { Money(picos: $0) }, false) }
            repricedModels.insert(entry.model)
            let name = context.names.name(.model, c.modelID) ?? entry.model
            return (entry.cost(of: c.record(model: name)).map { Money(picos: $0) }, true)
        }

        mutating func targetOverride(_ model: String) -> PriceEntry? {
            if let cached = targetOverrides[model] { return cached }
            let e = scenario.prices?.history(of: model).last
            targetOverrides[model] = .some(e)
            return e
        }

        /// The cost of one modelled call on `model` at band `b`; nil when no book prices it.
        mutating func syntheticCost(_ model: String, _ plan: TokenPlan, band b: Int, source: WhatIfCall) -> Money? {
            let record = WhatIfReplay.record(model: model, plan: plan, band: b, source: source)
            let entry: PriceEntry?
            if let e = targetOverride(model) {
                entry = e
                repricedModels.insert(e.model)
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
