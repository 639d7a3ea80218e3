import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders price entries and unpriced models.
public enum PriceListReport {
    public static func text(_ entries: [PriceEntry]) -> String {
        var t = TextTable(columns: [
            .init("model"), .init("provider"), .init("from"), .init("tier"),
            .init("input", align: .right), .init("cached", align: .right), .init("write 5m", align: .right),
            .init("write 1h", align: .right), .init("output", align: .right), .init("id", align: .right),
        ])
        for e in entries {
            for key in e.cards.keys.sorted() {
                guard let c = e.card(tier: key.tier, longContext: key.longContext) else { continue }
                var tier = key.tier.rawValue
                if key.longContext { tier += " >\(NumberText.tokens(e.longContextThreshold ?? 0))" }
                t.add([e.model, e.provider, e.effectiveFrom.description, tier, c.input.perMillionString,
                       c.cachedInput.perMillionString, c.cacheWrite5m.perMillionString, c.cacheWrite1h.perMillionString,
                       c.output.perMillionString, String(e.id)])
            }
        }
        return t.render() + "\nUSD per 1M tokens. Derived components (e.g. a batch card's cache rates) are shown resolved.\n"
    }

    public static func json(_ entries: [PriceEntry]) -> String {
        JSONOutput.object([
            ("unit", .string("USD per 1M tokens")),
            ("entries", .array(entries.map { e in
                .object([
                    ("id", .int(e.id)), ("model", .string(e.model)), ("provider", .string(e.provider)),
                    ("aliases", .array(e.aliases.map { .string($0) })), ("effective_from", .string(e.effectiveFrom.description)),
                    ("source", .string(e.source)),
                    ("long_context_threshold", e.longContextThreshold.map { .int($0) } ?? .null),
                    ("cards", .array(e.cards.keys.sorted().compactMap { key in
                        guard let c = e.card(tier: key.tier, longContext: key.longContext) else { return nil }
                        return .object([
                            ("tier", .string(key.tier.rawValue)), ("long_context", .bool(key.longContext)),
                            ("input", .string(c.input.perMillionString)), ("cached_input", .string(c.cachedInput.perMillionString)),
                            ("cache_write_5m", .string(c.cacheWrite5m.perMillionString)),
                            ("cache_write_1h", .string(c.cacheWrite1h.perMillionString)),
                            ("output", .string(c.output.perMillionString)), ("reasoning", .string(c.reasoning.perMillionString)),
                        ])
                    })),
                ])
            })),
        ]).render()
    }

    public static func unpricedText(_ models: [UnpricedModel]) -> String {
        if models.isEmpty { return "Every stored request is priced.\n" }
        var t = TextTable(columns: [
            .init("model"), .init("requests", align: .right), .init("input tokens", align: .right),
            .init("output tokens", align: .right), .init("first"), .init("last"), .init("missing"),
        ])
        for m in models {
            t.add([m.model, NumberText.integer(m.requests), NumberText.integer(m.inputTokens), NumberText.integer(m.outputTokens),
                   m.first.utcDay.description, m.last.utcDay.description, m.missing.joined(separator: "; ")])
        }
        return "Unpriced requests (shown as unpriced in every report, never as $0):\n\n" + t.render()
            + "\nAdd their prices with `tokenledger prices import FILE`, then run `tokenledger reprice`.\n"
    }

    public static func unpricedJSON(_ models: [UnpricedModel]) -> String {
        JSONOutput.object([
            ("unpriced_models", .array(models.map { m in
                .object([("model", .string(m.model)), ("requests", .int(m.requests)), ("input_tokens", .int(m.inputTokens)),
                         ("output_tokens", .int(m.outputTokens)), ("first", .string(m.first.iso8601)), ("last", .string(m.last.iso8601)),
                         ("missing", .array(m.missing.map { .string($0) }))])
            })),
        ]).render()
    }
}
