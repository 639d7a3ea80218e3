import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `whatif` as JSON (schema `tokenledger.whatif/1`, `docs/whatif.md`). Every amount is an exact decimal
/// string in a key ending `_usd`; every figure says whether it is exact or modelled and what it assumes.
public enum WhatIfReportJSON {
    public static let schema = "tokenledger.whatif/1"

    public static func render(_ r: WhatIfResult) -> String {
        let actual = r.actual
        return JSONOutput.object([
            ("schema", .string(schema)),
            ("period", .object([("label", .string(r.period.label)), ("from", .string(r.period.first.description)),
                                ("to", .string(r.period.last.description)), ("days", .int(r.period.dayCount))])),
            ("time_zone", .string(r.zoneName)),
            ("min_observations", .int(r.minObservations)),
            ("scenarios", .array(r.scenarios.map { s in
                .object([
                    ("name", .string(s.name)),
                    ("summary", .string(s.summary)),
                    ("actual", .bool(s.isActual)),
                    ("total", line(s.total, workflow: false)),
                    ("difference_usd", s.isActual ? .null : amount(s.difference(from: actual))),
                    ("relative_change", s.isActual ? .null : .ratio(s.relativeChange(from: actual))),
                    ("replayed_actions", .int(s.replayedActions)),
                    ("tiers", .array(s.tiers.map { line($0, workflow: false) })),
                    ("workflows", .array(s.workflows.map { line($0, workflow: true) })),
                    ("replays", .array(s.moves.map(move))),
                    ("caveats", .array(s.caveats.map { .string($0) })),
                ])
            })),
            ("quality", .array(r.quality.map { q in
                .object([
                    ("workflow", .string(q.workflow)), ("model", .string(q.model)), ("tier", .string(q.tier)),
                    ("scored_calls", .int(q.scoredCalls)), ("mean_score", .ratio(q.meanScore)),
                    ("correction_known_calls", .int(q.correctionKnown)), ("corrected_share", .ratio(q.correctedShare)),
                    ("cost_per_scored_call_usd", .money(q.costPerScoredCall)),
                    ("cost_per_quality_point_usd", .money(q.costPerQualityPoint)),
                ])
            })),
            ("assumptions", .array(r.assumptionsUsed.map { .object([("id", .string($0.rawValue)), ("explanation", .string($0.explanation))]) })),
            ("caveats", .array(r.caveats.map { .string($0) })),
        ]).render()
    }

    static func amount(_ a: WhatIfAmount) -> JSONOutput {
        .object([("low", .money(a.low)), ("base", .money(a.base)), ("high", .money(a.high))])
    }

    static func band(_ b: WhatIfBand?) -> JSONOutput {
        guard let b else { return .null }
        return .object([("low", .ratio(b.low)), ("base", .ratio(b.base)), ("high", .ratio(b.high))])
    }

    static func line(_ l: WhatIfLine, workflow: Bool) -> JSONOutput {
        let f = l.figure
        var pairs: [(String, JSONOutput)] = [
            ("name", .string(l.name)),
            ("basis", .string(f.isExact ? "exact" : "modelled")),
            ("amount_usd", amount(f.amount)),
            ("exact_usd", .money(f.exact)),
            ("modelled_usd", amount(f.modelled)),
            ("modelled_share", .ratio(f.modelledShare)),
            ("assumptions", .array(f.assumptions.map { .string($0.rawValue) })),
            ("repriced", .bool(f.repriced)),
            ("unpriced_calls", .int(f.unpricedCalls)),
        ]
        if workflow || l.name == "total" {
            pairs += [
                ("actions", .int(l.actions)),
                ("completed_actions", .int(l.completed)),
                ("cost_per_completed_action_usd", l.costPerCompletedAction.map(amount) ?? .null),
                ("premium_share", band(l.premiumShare)),
            ]
        }
        return .object(pairs)
    }

    static func move(_ m: WhatIfMove) -> JSONOutput {
        .object([
            ("workflow", .string(m.workflow)), ("from", .string(m.from)), ("to", .string(m.to)), ("fallback", .string(m.fallback)),
            ("actions", .int(m.actions)), ("input_tokens", .string(m.inputTokens.rawValue)), ("input_ratio", .ratio(m.inputRatio)),
            ("output_tokens", .string(m.outputTokens.rawValue)), ("token_observations", .int(m.tokenObservations)),
            ("fallback_output_tokens", .string(m.fallbackOutputTokens?.rawValue)),
            ("rates", .string(m.rates.rawValue)), ("rate_observations", .int(m.rateObservations)),
            ("retries_per_action", .ratio(m.retriesPerAction)), ("fallbacks_per_action", .ratio(m.fallbacksPerAction)),
            ("target_unpriced", .bool(m.unpriced)),
        ])
    }
}
