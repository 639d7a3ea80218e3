import Foundation
import LedgerPricing
import LedgerValues

extension WhatIfReplay {
    /// The figures of every scenario, side by side, with the quality the logs carry and the caveats.
    public func result() -> WhatIfResult {
        let tierOrder = self.tierOrder()
        let actual = states[0]
        let workflowOrder = Set(states.flatMap { $0.workflows.keys }).sorted { a, b in
            let x = actual.workflows[a]?.exact ?? .zero, y = actual.workflows[b]?.exact ?? .zero
            return x != y ? x > y : a < b
        }
        var scenarios: [WhatIfScenarioResult] = []
        var used = Set<WhatIfAssumption>()
        for (i, s) in states.enumerated() {
            used.formUnion(s.total.assumptions)
            scenarios.append(WhatIfScenarioResult(
                name: s.scenario.name, summary: s.scenario.summary, isActual: i == 0, total: s.total.line("total"),
                tiers: tierOrder.map { (s.tiers[$0] ?? Sums()).line($0) },
                workflows: workflowOrder.map { (s.workflows[$0] ?? Sums()).line($0) },
                moves: moves(s), replayedActions: s.replayed, caveats: caveats(s)))
        }
        return WhatIfResult(period: context.period, zoneName: context.zoneName, scenarios: scenarios, tierOrder: tierOrder,
                            workflowOrder: workflowOrder, quality: qualityLines(), caveats: caveats(),
                            minObservations: minObservations, assumptionsUsed: used.sorted())
    }

    /// Tiers from the most capable down (the ranks of ``WhatIfModel/tierRanks(budgetTiers:named:)``),
    /// unranked ones by name, then the calls with no tier.
    func tierOrder() -> [String] {
        let names = Set(states.flatMap { $0.tiers.keys })
        let ranks = WhatIfModel.tierRanks(budgetTiers: context.baseline?.tiers.map(\.tier) ?? [],
                                          named: names.filter { $0 != Self.noTier }.sorted())
        return names.sorted { a, b in
            if a == Self.noTier || b == Self.noTier { return b == Self.noTier && a != Self.noTier }
            let x = ranks[a] ?? 0, y = ranks[b] ?? 0
            return x != y ? x > y : a < b
        }
    }

    func moves(_ s: State) -> [WhatIfMove] {
        s.moves.keys.sorted { ($0.workflow, $0.from, $0.to, $0.fallback) < ($1.workflow, $1.from, $1.to, $1.fallback) }.compactMap { k in
            guard let plan = s.plans[k] else { return nil }
            return WhatIfMove(workflow: k.workflow, from: k.from, to: k.to, fallback: k.fallback, actions: s.moves[k] ?? 0,
                              inputTokens: plan.primary.inputBasis, inputRatio: plan.primary.input.base,
                              outputTokens: plan.primary.outputBasis, tokenObservations: plan.primary.observations,
                              fallbackOutputTokens: plan.fallback?.outputBasis, rates: plan.rates.basis,
                              rateObservations: plan.rates.observations, retriesPerAction: plan.rates.retries[1].value,
                              fallbacksPerAction: plan.rates.fallbacks[1].value,
                              unpriced: s.unpricedTargets.contains(k.to) || (k.fallback != k.to && s.unpricedTargets.contains(k.fallback)))
        }
    }

    /// Notes on one scenario: what its options did not reach, and how its price book applies.
    func caveats(_ s: State) -> [String] {
        var out: [String] = []
        let scenario = s.scenario
        let seen = Set(observations.workflows.keys)
        if scenario.prices != nil {
            let models = s.repricedModels.sorted()
            out.append(models.isEmpty
                ? "Its price book lists none of the period's models; every call keeps the price it was billed."
                : "Its price book replaces the billed prices of \(models.joined(separator: ", ")): each at its newest entry in the book, for the whole period (exact). Other models keep the price they were billed.")
        }
        for r in scenario.routes where !seen.contains(r.key) {
            out.append("--route \(r.key)=\(r.value): the workflow has no actions in the period.")
        }
        if let table = scenario.budget {
            let listed = Set(table.routes.map(\.workflow))
            let unlisted = seen.subtracting(listed).subtracting(scenario.routes.map(\.key)).sorted()
            if !unlisted.isEmpty, scenario.allOn == nil {
                out.append("Workflows its routing table does not list keep their logged routes: \(unlisted.joined(separator: ", ")).")
            }
            let idle = listed.subtracting(seen).sorted()
            if !idle.isEmpty { out.append("Routes with no actions in the period: \(idle.joined(separator: ", ")).") }
            for route in table.routes where seen.contains(route.workflow) && scenario.route(route.workflow) == nil {
                if let p = route.primary, s.routing.resolveEntry(p, in: table, workflow: route.workflow) == nil {
                    out.append("routes.\(route.workflow).primary `\(p)`: no model of that tier is known; the workflow keeps its logged first attempts.")
                }
            }
        }
        for cap in scenario.segmentCaps {
            let n = s.cappedActions[cap.key] ?? 0
            if n == 0 {
                out.append("--segment \(cap.key)=\(cap.value): the segment has no actions in the period.")
                continue
            }
            if let k = s.keptAboveCap[cap.key], k > 0 {
                out.append("--segment \(cap.key)=\(cap.value): \(k) classifier or validation call(s) stay on models above \(cap.value) (only generation calls move).")
            }
            if let k = s.noTierInCap[cap.key], k > 0 {
                out.append("--segment \(cap.key)=\(cap.value): \(k) generation call(s) are on models with no known tier and stay as logged.")
            }
        }
        for m in s.noCapModel.sorted() {
            out.append("No model at or below the capped tier is known for segment \(m); those actions stay as logged.")
        }
        if !s.unpricedTargets.isEmpty {
            out.append("No price for \(s.unpricedTargets.sorted().joined(separator: ", ")) on some of the period's days: those replayed calls are left out of the amounts.")
        }
        return out
    }

    /// Notes on the whole report.
    func caveats() -> [String] {
        var out = [
            "Quality is not observed for traffic a scenario moves: the quality table shows what the logs carry per model, not what a re-route would deliver. No figure here says quality stays the same.",
            "Completed actions are taken as logged: each scenario's cost per completed action divides by the period's completed actions.",
        ]
        if states.dropFirst().contains(where: { $0.replayed > 0 }) {
            out.append("Only generation calls (primary, retry, fallback) move to another model; classifier and validation calls keep their models and tokens.")
            out.append("Cache hit rates are assumed unchanged on replayed calls (the logged share of cached and cache-write input); a model with other caching rules would cost more or less.")
        }
        if actionsStartingBefore > 0 {
            out.append("\(actionsStartingBefore) action(s) began before the period: their calls in the period are in every total, but they are not counted as actions.")
        }
        let unpriced = states[0].total.unpriced
        if unpriced > 0 {
            out.append("\(unpriced) logged call(s) have no price and are in no total (`tokenledger report` lists the models).")
        }
        return out
    }

    /// Quality per workflow and model, then per model over all workflows.
    func qualityLines() -> [WhatIfQualityLine] {
        func line(_ workflow: String?, _ model: String, _ q: WhatIfObservations.Quality) -> WhatIfQualityLine {
            WhatIfQualityLine(
                workflow: workflow, model: model, tier: observations.tierOfModel[model] ?? context.baseline?.tier(ofModel: model, canonical: model),
                scoredCalls: q.scoredCalls,
                meanScore: q.scoredCalls > 0 ? Double(q.scoreMicros) / 1e6 / Double(q.scoredCalls) : nil,
                correctionKnown: q.correctionKnown,
                correctedShare: q.correctionKnown > 0 ? Double(q.corrected) / Double(q.correctionKnown) : nil,
                costPerScoredCall: q.pricedScoredCalls > 0 ? q.scoredCost.divided(by: q.pricedScoredCalls) : nil,
                costPerQualityPoint: q.pricedScoreMicros > 0 ? WhatIfRatio(10_000, q.pricedScoreMicros).scale(q.scoredCost) : nil)
        }
        var byModel: [String: WhatIfObservations.Quality] = [:]
        var out: [WhatIfQualityLine] = []
        for (k, q) in observations.quality.sorted(by: { $0.key < $1.key }) {
            out.append(line(k.workflow, k.model, q))
            byModel[k.model, default: WhatIfObservations.Quality()].add(q)
        }
        for (m, q) in byModel.sorted(by: { $0.key < $1.key }) { out.append(line(nil, m, q)) }
        return out
    }
}
