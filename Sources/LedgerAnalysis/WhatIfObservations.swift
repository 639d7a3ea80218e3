import Foundation
import LedgerPricing
import LedgerValues

/// A workflow and a model (the price book's name for it).
public struct WhatIfKey: Sendable, Hashable, Comparable {
    /// The workflow's name (`unassigned` for none).
    public var workflow: String
    /// The price book's name for the model.
    public var model: String

    /// The key of `model` in `workflow`.
    public init(workflow: String, model: String) {
        self.workflow = workflow
        self.model = model
    }

    public static func < (a: WhatIfKey, b: WhatIfKey) -> Bool { (a.workflow, a.model) < (b.workflow, b.model) }
}

/// What the period's logs show about each model in each workflow: the evidence a re-route replays.
///
/// Built in one pass over the period's actions (``Builder``); a workflow is the action's workflow, a
/// model the price book's name for it, so `openai/gpt-4o-mini` and `gpt-4o-mini-2024-07-18` count as one.
public struct WhatIfObservations: Sendable {
    /// Generation calls of a model in a workflow: their count and token sums.
    public struct Tokens: Sendable, Equatable {
        public var calls: Int64 = 0
        public var input: Int64 = 0
        public var output: Int64 = 0
        public var reasoning: Int64 = 0
        public var inputSquares: Double = 0
        public var outputSquares: Double = 0
        /// Calls with a price, and what they cost (to find a tier's cheapest model).
        public var pricedCalls: Int64 = 0
        public var cost = Money.zero

        mutating func add(_ o: Tokens) {
            calls += o.calls
            input += o.input
            output += o.output
            reasoning += o.reasoning
            inputSquares += o.inputSquares
            outputSquares += o.outputSquares
            pricedCalls += o.pricedCalls
            cost = cost + o.cost
        }

        /// Mean cost of a priced call.
        public var meanCost: Money? { pricedCalls > 0 ? cost.divided(by: pricedCalls) : nil }
    }

    /// Actions of a workflow (that started on a model, or all of them): their retries and fallbacks.
    public struct Actions: Sendable, Equatable {
        public var actions: Int64 = 0
        public var retryCalls: Int64 = 0
        public var fallbackCalls: Int64 = 0
        public var actionsWithRetry: Int64 = 0
        public var actionsWithFallback: Int64 = 0
        /// Fallback calls by model.
        public var fallbackModels: [String: Int64] = [:]

        mutating func add(_ o: Actions) {
            actions += o.actions
            retryCalls += o.retryCalls
            fallbackCalls += o.fallbackCalls
            actionsWithRetry += o.actionsWithRetry
            actionsWithFallback += o.actionsWithFallback
            for (m, n) in o.fallbackModels { fallbackModels[m, default: 0] += n }
        }

        /// The model most fallback calls went to, other than `excluding` (ties: by name).
        public func topFallback(excluding: String) -> String? {
            fallbackModels.filter { $0.key != excluding && $0.value > 0 }
                .max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
    }

    /// Quality the logs carry for a model's calls in a workflow.
    public struct Quality: Sendable, Equatable {
        /// Calls with a `quality_score`.
        public var scoredCalls: Int64 = 0
        /// Their scores in millionths (exact sums).
        public var scoreMicros: Int64 = 0
        /// Scored calls with a price, their cost and their scores in millionths.
        public var pricedScoredCalls: Int64 = 0
        public var pricedScoreMicros: Int64 = 0
        public var scoredCost = Money.zero
        /// Calls whose log says whether the answer was corrected, and how many were.
        public var correctionKnown: Int64 = 0
        public var corrected: Int64 = 0

        mutating func add(_ o: Quality) {
            scoredCalls += o.scoredCalls
            scoreMicros += o.scoreMicros
            pricedScoredCalls += o.pricedScoredCalls
            pricedScoreMicros += o.pricedScoreMicros
            scoredCost = scoredCost + o.scoredCost
            correctionKnown += o.correctionKnown
            corrected += o.corrected
        }
    }

    /// Generation calls per workflow and model.
    public var tokens: [WhatIfKey: Tokens] = [:]
    /// Actions per workflow and the model of their first generation call.
    public var startedOn: [WhatIfKey: Actions] = [:]
    /// Actions per workflow, whatever model they started on.
    public var workflows: [String: Actions] = [:]
    /// Quality per workflow and model (calls of any kind that carry a score or a correction flag).
    public var quality: [WhatIfKey: Quality] = [:]
    /// Generation calls per model over all workflows.
    public var models: [String: Tokens] = [:]
    /// Each model id's tier: the log's own tier when its calls carry one, else the routing table's map.
    public var tierOfModelID: [Int64: String] = [:]
    /// The same by the price book's model name.
    public var tierOfModel: [String: String] = [:]

    /// Collects the observations one action at a time.
    public struct Builder: Sendable {
        let context: WhatIfContext
        var tokens: [IDKey: Tokens] = [:]
        var startedOn: [IDKey: Actions] = [:]
        var workflows: [Int64: Actions] = [:]
        var quality: [IDKey: Quality] = [:]
        var loggedTiers: [IDKey: Int64] = [:]

        struct IDKey: Hashable {
            var a: Int64
            var b: Int64
        }

        public init(context: WhatIfContext) { self.context = context }

        public mutating func add(_ action: WhatIfAction) {
            let w = action.workflowID ?? 0
            var started = Actions()
            started.actions = 1
            for c in action.calls {
                loggedTiers[IDKey(a: c.modelID, b: c.tierID ?? 0), default: 0] += 1
                if c.qualityScore != nil || c.corrected != nil {
                    var q = Quality()
                    if let s = c.qualityScore, s.isFinite {
                        let micros = QualityScore.stored(min(1, max(0, s)))
                        q.scoredCalls = 1
                        q.scoreMicros = micros
                        if let cost = c.cost {
                            q.pricedScoredCalls = 1
                            q.pricedScoreMicros = micros
                            q.scoredCost = Money(picos: cost)
                        }
                    }
                    if let k = c.corrected {
                        q.correctionKnown = 1
                        q.corrected = k ? 1 : 0
                    }
                    quality[IDKey(a: w, b: c.modelID), default: Quality()].add(q)
                }
                guard c.isGeneration else { continue }
                var t = Tokens()
                t.calls = 1
                t.input = c.inputTokens
                t.output = c.outputTokens
                t.reasoning = c.reasoningTokens
                t.inputSquares = Double(c.inputTokens) * Double(c.inputTokens)
                t.outputSquares = Double(c.outputTokens) * Double(c.outputTokens)
                if let cost = c.cost {
                    t.pricedCalls = 1
                    t.cost = Money(picos: cost)
                }
                tokens[IDKey(a: w, b: c.modelID), default: Tokens()].add(t)
                switch c.kind {
                case .retry: started.retryCalls += 1
                case .fallback:
                    started.fallbackCalls += 1
                    started.fallbackModels[context.model(c.modelID), default: 0] += 1
                default: break
                }
            }
            started.actionsWithRetry = started.retryCalls > 0 ? 1 : 0
            started.actionsWithFallback = started.fallbackCalls > 0 ? 1 : 0
            guard let first = action.firstGeneration else { return }
            startedOn[IDKey(a: w, b: first.modelID), default: Actions()].add(started)
            workflows[w, default: Actions()].add(started)
        }

        public func build() -> WhatIfObservations {
            var o = WhatIfObservations()
            let c = context
            func key(_ k: IDKey) -> WhatIfKey { WhatIfKey(workflow: c.workflowName(k.a == 0 ? nil : k.a), model: c.model(k.b)) }
            for (k, t) in tokens {
                o.tokens[key(k), default: Tokens()].add(t)
                o.models[c.model(k.b), default: Tokens()].add(t)
            }
            for (k, a) in startedOn { o.startedOn[key(k), default: Actions()].add(a) }
            for (w, a) in workflows { o.workflows[c.workflowName(w == 0 ? nil : w), default: Actions()].add(a) }
            for (k, q) in quality { o.quality[key(k), default: Quality()].add(q) }
            o.tierOfModelID = ModelTiers.resolve(logged: loggedTiers.map { ($0.key.a, $0.key.b, $0.value) }, names: c.names,
                                                 budget: c.baseline, canonical: c.canonical)
            // By model name: the tier of the spelling with the most calls.
            var calls: [Int64: Int64] = [:]
            for (k, n) in loggedTiers { calls[k.a, default: 0] += n }
            var best: [String: (calls: Int64, id: Int64)] = [:]
            for (id, tier) in o.tierOfModelID {
                let name = c.model(id), n = calls[id] ?? 0
                if let b = best[name], (b.calls, -b.id) >= (n, -id) { continue }
                best[name] = (n, id)
                o.tierOfModel[name] = tier
            }
            return o
        }
    }

    /// The tier of a model by its price-book name: as logged, else by the routing tables' maps in order.
    public func tier(of model: String, budgets: [Budget]) -> String? {
        if let t = tierOfModel[model] { return t }
        for b in budgets { if let t = b.tier(ofModel: model, canonical: model) { return t } }
        return nil
    }
}
