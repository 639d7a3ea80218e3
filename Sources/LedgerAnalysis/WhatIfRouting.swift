import Foundation
import LedgerPricing
import LedgerValues

/// Where one scenario sends each workflow's generation calls: the decisions of ``WhatIfReplay`` that
/// depend on the scenario, the routing tables and the observations, but not on one action.
struct WhatIfRouting: Sendable {
    let scenario: WhatIfScenario
    let context: WhatIfContext
    let observations: WhatIfObservations
    /// Routing tables for tiers, routes and rates: the scenario's own first, then the one in force.
    let budgets: [Budget]
    let ranks: [String: Int]

    init(scenario: WhatIfScenario, context: WhatIfContext, observations: WhatIfObservations) {
        self.scenario = scenario
        self.context = context
        self.observations = observations
        budgets = [scenario.budget, context.baseline].compactMap { $0 }
        ranks = WhatIfRouting.ranks(scenario: scenario, baseline: context.baseline)
    }

    static func ranks(scenario: WhatIfScenario, baseline: Budget?) -> [String: Int] {
        let tiers = (baseline?.tiers.isEmpty == false ? baseline : scenario.budget)?.tiers.map(\.tier) ?? []
        return WhatIfModel.tierRanks(budgetTiers: tiers, named: scenario.segmentCaps.map(\.value))
    }

    /// Which other generation models an action may keep without being replayed.
    enum Policy: Sendable {
        /// Any (a `--route` changes the first attempt only; logged fallbacks stay plausible).
        case any
        /// Only this model (`--all-on`).
        case only(String)
        /// The routing table's primary and fallback chain for the workflow.
        case table(Budget, Budget.Route)
    }

    /// The scenario's decision for actions of one workflow that started on one model, in one segment.
    struct Resolution: Sendable {
        /// The new first-attempt model; nil: as logged.
        var target: String?
        var policy: Policy = .any
        /// The highest tier rank a generation call may have (a capped segment).
        var capRank: Int?
        var capTier: String?
        /// Where a capped action goes when its model is above the cap (nil: no model of the tier known).
        var capModel: String?
        /// Whether the workflow's route comes from the scenario's routing table.
        var fromTable: Bool = false
    }

    /// - Parameters:
    ///   - m0: the price book's name of the model the actions started on; `raw`: its logged name.
    func resolve(workflow w: String, startedOn m0: String, raw: String, segment: String?) -> Resolution {
        var r = Resolution()
        if let m = scenario.route(w) {
            r.target = canonical(m)
        } else if let m = scenario.allOn {
            r.target = canonical(m)
            r.policy = .only(canonical(m))
        } else if let table = scenario.budget, let route = table.route(w) {
            // A primary that is a tier or a pattern is met by any model of the tier or matching it.
            if let p = route.primary, !Self.matches(p, in: table, model: m0, raw: raw, tier: table.tier(ofModel: raw, canonical: m0) ?? tier(of: m0)),
               let model = resolveEntry(p, in: table, workflow: w) {
                r.target = model
            }
            r.policy = .table(table, route)
            r.fromTable = true
        }
        if let segment, let tier = scenario.cap(segment), let rank = ranks[tier] {
            r.capRank = rank
            r.capTier = tier
            r.capModel = capModel(workflow: w, tier: tier, rank: rank)
            let start = r.target ?? m0
            if let t = rankOf(start), t > rank, let c = r.capModel { r.target = c }
        }
        return r
    }

    /// Whether a route entry (a model, a pattern or a tier) names `model`.
    static func matches(_ entry: String, in table: Budget, model: String, raw: String, tier: String?) -> Bool {
        var route = Budget.Route(workflow: "")
        route.primary = entry
        return table.allows(model: raw, canonical: model, tier: tier, on: route)
    }

    /// Whether a generation call on `model` (logged name `raw`) may stay as logged under `r`.
    func allows(_ r: Resolution, model: String, raw: String) -> Bool {
        if let cap = r.capRank, let rank = rankOf(model), rank > cap, r.capModel != nil { return false }
        switch r.policy {
        case .any: return true
        case .only(let m): return model == m
        case .table(let table, let route):
            return table.allows(model: raw, canonical: model, tier: table.tier(ofModel: raw, canonical: model) ?? tier(of: model), on: route)
        }
    }

    /// Where the fallback calls of a replayed action that now starts on `primary` go: the scenario's
    /// table's chain, else the chain in force, else where the logs show `primary`'s fallbacks going in
    /// the workflow, else the workflow's most common fallback model, else `primary` itself (failures
    /// retried on it). `--all-on` retries on the one model. A capped segment's fallback above the cap goes
    /// to the cap's model.
    func fallback(workflow w: String, primary: String, resolution r: Resolution) -> String {
        var f: String?
        if case .only(let m) = r.policy {
            f = m
        } else if r.fromTable, let table = scenario.budget, let route = table.route(w) {
            f = firstOther(route.fallback, in: table, workflow: w, than: primary) ?? primary
        } else if let table = context.baseline, let route = table.route(w), let m = firstOther(route.fallback, in: table, workflow: w, than: primary) {
            f = m
        } else if let m = observations.startedOn[WhatIfKey(workflow: w, model: primary)]?.topFallback(excluding: primary) {
            f = m
        } else if let m = observations.workflows[w]?.topFallback(excluding: primary) {
            f = m
        }
        var out = f ?? primary
        if let cap = r.capRank, let rank = rankOf(out), rank > cap {
            out = r.capModel ?? out
        }
        return out
    }

    func firstOther(_ entries: [String], in table: Budget, workflow: String, than primary: String) -> String? {
        for e in entries {
            if let m = resolveEntry(e, in: table, workflow: workflow), m != primary { return m }
        }
        return nil
    }

    // MARK: Names and tiers

    func canonical(_ model: String) -> String { context.canonicalName(model, prices: scenario.prices) }

    func tier(of model: String) -> String? { observations.tier(of: model, budgets: budgets) }

    func rankOf(_ model: String) -> Int? { tier(of: model).flatMap { ranks[$0] } }

    /// A route entry (a model or a tier) as a model: a tier is the model of that tier the workflow used
    /// most, else the one used most in the period, else the first plain name of the tier's patterns
    /// that the price book knows.
    func resolveEntry(_ entry: String, in table: Budget, workflow: String) -> String? {
        guard table.isTier(entry) else { return canonical(entry) }
        func mostUsed(_ candidates: [(String, Int64)]) -> String? {
            candidates.filter { tier(of: $0.0) == entry }.max { ($0.1, $1.0) < ($1.1, $0.0) }?.0
        }
        if let m = mostUsed(observations.tokens.filter { $0.key.workflow == workflow }.map { ($0.key.model, $0.value.calls) }) { return m }
        if let m = mostUsed(observations.models.map { ($0.key, $0.value.calls) }) { return m }
        return plainModels(ofTier: entry).first
    }

    /// The tier's patterns that name one model (no `*` or `?`) and that a price book knows, by tables in order.
    func plainModels(ofTier tier: String) -> [String] {
        var out: [String] = []
        for b in budgets {
            for t in b.tiers where t.tier == tier {
                for p in t.patterns where !p.contains("*") && !p.contains("?") {
                    guard context.book.match(p) != nil || scenario.prices?.match(p) != nil else { continue }
                    let c = canonical(p)
                    if !out.contains(c) { out.append(c) }
                }
            }
        }
        return out
    }

    /// Where a capped segment's actions go in a workflow: the first entry of the workflow's route (the
    /// scenario's table, else the one in force) at or below the cap; else the cheapest model of the tier
    /// the workflow used; else the cheapest of the tier used in the period; else the tier's patterns.
    /// "Cheapest" prices the workflow's mean generation call (input, output and reasoning tokens, uncached)
    /// on the period's last day.
    func capModel(workflow w: String, tier capTier: String, rank: Int) -> String? {
        for table in budgets {
            guard let route = table.route(w) else { continue }
            for e in (route.primary.map { [$0] } ?? []) + route.fallback {
                if let m = resolveEntry(e, in: table, workflow: w), let r = rankOf(m), r <= rank { return m }
            }
        }
        // Tiers of the same rank count as the tier (`standard` and `balanced`).
        let inWorkflow = observations.tokens.keys.filter { $0.workflow == w && rankOf($0.model) == rank }.map(\.model)
        if let m = cheapest(inWorkflow, workflow: w) { return m }
        let anywhere = observations.models.keys.filter { rankOf($0) == rank }
        if let m = cheapest(Array(anywhere), workflow: w) { return m }
        let sameRank = Set(budgets.flatMap(\.tiers).map(\.tier).filter { ranks[$0] == rank } + [capTier])
        return cheapest(sameRank.sorted().flatMap { plainModels(ofTier: $0) }, workflow: w)
    }

    func cheapest(_ models: [String], workflow w: String) -> String? {
        guard !models.isEmpty else { return nil }
        var total = WhatIfObservations.Tokens()
        for (k, t) in observations.tokens where k.workflow == w { total.add(t) }
        let n = max(total.calls, 1)
        var call = CallRecord(requestID: "", timestamp: Timestamp(milliseconds: Int64(context.period.last.daysSinceEpoch) * 86_400_000),
                              model: "", inputTokens: total.input / n, outputTokens: total.output / n)
        call.reasoningTokens = min(call.outputTokens, total.reasoning / n)
        func price(_ m: String) -> Money? {
            var c = call
            c.model = m
            let entry = scenario.prices?.history(of: m).last ?? context.book.entry(for: m, at: c.timestamp)
            return entry?.cost(of: c).map { Money(picos: $0) }
        }
        let priced = models.map { ($0, price($0)) }
        return priced.min { a, b in
            switch (a.1, b.1) {
            case let (x?, y?): return x != y ? x < y : a.0 < b.0
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.0 < b.0
            }
        }?.0
    }
}
