import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders ``PriceBookChanges``: what `prices import` changed, or `prices diff` would change, against the
/// book in force. Rates are USD per 1M tokens, exact (``Rate/perMillionString``).
public enum PriceChangeReport {
    /// A summary line of counts, then sections of lines: changed rates and cards, parts kept from the
    /// earlier entry, entries of another provider, entries before a model's first price, new models.
    ///
    ///     Against the book in force: 2 entries; 1 new to the book; 1 replaces a price: 1 with changed rates (1 raised); 1 keeps parts of the earlier entry.
    ///     Changed (USD per 1M tokens):
    ///       claude-sonnet-4-5  standard output 15.00 → 16.00
    ///     Kept from the earlier entry:
    ///       claude-sonnet-4-5: kept long-context cards (above 200,000 input tokens) from the entry of 2025-09-29
    ///     New to the book (1): my-finetune
    ///
    /// - Parameter limit: the most lines (or names) per section, nil for all; the rest is counted in a
    ///   `… N more` line that points to `prices diff`.
    public static func text(_ changes: PriceBookChanges, limit: Int? = nil) -> String {
        var out = summary(changes) + "\n"
        func section(_ title: String, _ lines: [String]) {
            guard !lines.isEmpty else { return }
            out += title + "\n"
            let shown = limit.map { min($0, lines.count) } ?? lines.count
            for l in lines.prefix(shown) { out += "  " + l + "\n" }
            if shown < lines.count { out += "  … \(NumberText.integer(lines.count - shown)) more (use `tokenledger prices diff` for all)\n" }
        }
        // A model's own price first (a correction of the default book must not drown among the
        // catalogue's other providers), then names another provider priced until now.
        let own = changes.models.filter { !$0.replacesAnotherProvider }, others = changes.models.filter(\.replacesAnotherProvider)
        section("Changed (USD per 1M tokens):", (own + others).flatMap(changeLines))
        section("Kept from the earlier entry:", changes.models.flatMap(keptLines))
        section("Another provider's price until now (nothing kept from it):", changes.models.compactMap { m in
            guard let o = m.otherProvider else { return nil }
            return "\(v(m.entry.model)) (\(v(m.entry.provider))): was priced by \(v(o.model)) (\(v(o.provider))) of \(o.effectiveFrom)"
        })
        section("Before the model's first price in the book (nothing kept):", changes.firstPrices.map { m in
            let first = m.bookModel.map { " \(v($0))" } ?? ""
            return "\(v(m.entry.model)) from \(m.entry.effectiveFrom): the book's\(first) entries start later"
        })
        let new = changes.newModels.map { v($0.entry.model) }
        if !new.isEmpty {
            let shown = limit.map { min($0, new.count) } ?? new.count
            var line = "New to the book (\(NumberText.integer(new.count))): " + new.prefix(shown).joined(separator: ", ")
            if shown < new.count { line += ", … \(NumberText.integer(new.count - shown)) more (use `tokenledger prices diff` for all)" }
            out += line + "\n"
        }
        return out
    }

    /// The counts, in one sentence.
    public static func summary(_ c: PriceBookChanges) -> String {
        func n(_ v: Int) -> String { NumberText.integer(v) }
        var parts = ["\(n(c.models.count)) entr\(c.models.count == 1 ? "y" : "ies")"]
        if !c.newModels.isEmpty { parts.append("\(n(c.newModels.count)) new to the book") }
        if !c.firstPrices.isEmpty { parts.append("\(n(c.firstPrices.count)) before the model's first price") }
        if !c.replacing.isEmpty {
            var detail: [String] = []
            if !c.changed.isEmpty {
                let rates = c.rateChanges
                let raised = rates.filter(\.isRaise).count, lowered = rates.count - raised
                let added = c.models.reduce(0) { $0 + $1.addedCards.count }
                let removed = c.models.reduce(0) { $0 + $1.removedCards.count }
                var what: [String] = []
                if raised > 0 { what.append("\(n(raised)) rate\(raised == 1 ? "" : "s") raised") }
                if lowered > 0 { what.append("\(n(lowered)) lowered") }
                if added > 0 { what.append("\(n(added)) card\(added == 1 ? "" : "s") added") }
                if removed > 0 { what.append("\(n(removed)) card\(removed == 1 ? "" : "s") removed") }
                let thresholds = c.models.filter { $0.threshold != nil }.count
                if thresholds > 0 { what.append("\(n(thresholds)) long-context threshold\(thresholds == 1 ? "" : "s") moved") }
                detail.append("\(n(c.changed.count)) with changed rates (\(what.joined(separator: ", ")))")
            }
            if !c.unchanged.isEmpty { detail.append("\(n(c.unchanged.count)) unchanged") }
            parts.append("\(n(c.replacing.count)) replac\(c.replacing.count == 1 ? "es" : "e") a price: " + detail.joined(separator: ", "))
        }
        if !c.keeping.isEmpty {
            parts.append("\(n(c.keeping.count)) keep\(c.keeping.count == 1 ? "s" : "") parts of the earlier entry")
        }
        return "Against the book in force: " + parts.joined(separator: "; ") + "."
    }

    /// A name as a terminal can show it (``TextTable/visible(_:)``).
    static func v(_ s: String) -> String { TextTable.visible(s) }

    /// `standard`, `batch long-context`.
    public static func cardName(_ key: RateCardKey) -> String {
        key.tier.rawValue + (key.longContext ? " long-context" : "")
    }

    static func changeLines(_ m: ModelChange) -> [String] {
        let model = v(m.entry.model)
        var lines: [String] = []
        if let t = m.threshold {
            lines.append("\(model)  long-context threshold \(NumberText.integer(t.old)) → \(NumberText.integer(t.new)) input tokens")
        }
        for r in m.rateChanges {
            lines.append("\(model)  \(cardName(r.card)) \(r.component.rawValue) \(r.old.perMillionString) → \(r.new.perMillionString)")
        }
        for key in m.addedCards {
            var line = "\(model)  \(cardName(key)) card added"
            if let c = m.entry.card(tier: key.tier, longContext: key.longContext) {
                line += ": input \(c.input.perMillionString), output \(c.output.perMillionString)"
            }
            if key.longContext, let t = m.entry.longContextThreshold { line += " (above \(NumberText.integer(t)) input tokens)" }
            lines.append(line)
        }
        for key in m.removedCards {
            lines.append("\(model)  \(cardName(key)) card removed (now derived from the other cards)")
        }
        return lines
    }

    static func keptLines(_ m: ModelChange) -> [String] {
        guard let from = m.inheritedFrom else { return [] }
        let source = from.model == m.entry.model ? "the entry of \(from.effectiveFrom)" : "the \(v(from.model)) entry of \(from.effectiveFrom)"
        return m.kept.map { part in
            "\(v(m.entry.model)): kept \(keptText(part)) from \(source)"
        }
    }

    /// `long-context cards (above 200,000 input tokens)`, `batch card`, `standard cache_write_1h`.
    public static func keptText(_ part: KeptPart) -> String {
        switch part {
        case .longContext(let threshold, let cards):
            let tiers = cards.filter { $0.tier != .standard }.map(\.tier.rawValue)
            let with = tiers.isEmpty ? "" : ", with \(tiers.joined(separator: ", "))"
            return "long-context cards (above \(NumberText.integer(threshold)) input tokens\(with))"
        case .card(let key):
            return "\(cardName(key)) card"
        case .components(let key, let components):
            return "\(cardName(key)) " + components.map(\.rawValue).joined(separator: ", ")
        case .toolFees(let tools):
            return "fees per use of " + tools.joined(separator: ", ")
        case .perImage:
            return "the price per image"
        case .modifiers(let modifiers):
            return "multipliers " + modifiers.map { "\($0.attribute.rawValue) \($0.value) ×\($0.factorText)" }.joined(separator: ", ")
        }
    }

    /// Every incoming entry with its status, and the counts.
    public static func json(_ c: PriceBookChanges) -> String {
        let rates = c.rateChanges
        func card(_ key: RateCardKey) -> JSONOutput {
            .object([("tier", .string(key.tier.rawValue)), ("long_context", .bool(key.longContext))])
        }
        func ref(_ e: PriceEntry?) -> JSONOutput {
            guard let e else { return .null }
            return .object([("model", .string(e.model)), ("provider", .string(e.provider)),
                            ("effective_from", .string(e.effectiveFrom.description)), ("id", .int(e.id))])
        }
        return JSONOutput.object([
            ("schema", .string("tokenledger.price-changes/1")),
            ("unit", .string("USD per 1M tokens")),
            ("summary", .object([
                ("entries", .int(c.models.count)),
                ("new_models", .int(c.newModels.count)),
                ("before_first_price", .int(c.firstPrices.count)),
                ("replacing", .int(c.replacing.count)),
                ("changed", .int(c.changed.count)),
                ("unchanged", .int(c.unchanged.count)),
                ("keeping", .int(c.keeping.count)),
                ("rates_raised", .int(rates.filter(\.isRaise).count)),
                ("rates_lowered", .int(rates.filter { !$0.isRaise }.count)),
                ("cards_added", .int(c.models.reduce(0) { $0 + $1.addedCards.count })),
                ("cards_removed", .int(c.models.reduce(0) { $0 + $1.removedCards.count })),
            ])),
            ("models", .array(c.models.map { m in
                let status: String
                if m.previous == nil { status = m.bookModel == nil ? "new" : "before_first_price" } else {
                    status = m.changesRates ? "changed" : "unchanged"
                }
                return .object([
                    ("model", .string(m.entry.model)), ("provider", .string(m.entry.provider)),
                    ("effective_from", .string(m.entry.effectiveFrom.description)),
                    ("status", .string(status)),
                    ("book_model", .string(m.bookModel)),
                    ("previous", ref(m.previous)),
                    ("inherited_from", ref(m.inheritedFrom)),
                    ("other_provider", ref(m.otherProvider)),
                    ("long_context_threshold", m.threshold.map { t in
                        .object([("old", .int(t.old)), ("new", .int(t.new))])
                    } ?? .null),
                    ("rate_changes", .array(m.rateChanges.map { r in
                        .object([("tier", .string(r.card.tier.rawValue)), ("long_context", .bool(r.card.longContext)),
                                 ("component", .string(r.component.rawValue)),
                                 ("old", .string(r.old.perMillionString)), ("new", .string(r.new.perMillionString)),
                                 ("direction", .string(r.isRaise ? "raised" : "lowered"))])
                    })),
                    ("cards_added", .array(m.addedCards.map(card))),
                    ("cards_removed", .array(m.removedCards.map(card))),
                    ("kept", .array(m.kept.map { part in
                        switch part {
                        case .longContext(let threshold, let cards):
                            .object([("part", .string("long_context")), ("threshold", .int(threshold)),
                                     ("cards", .array(cards.map(card)))])
                        case .card(let key):
                            .object([("part", .string("card")), ("card", card(key))])
                        case .components(let key, let components):
                            .object([("part", .string("components")), ("card", card(key)),
                                     ("components", .array(components.map { .string($0.rawValue) }))])
                        case .toolFees(let tools):
                            .object([("part", .string("tool_fees")), ("tools", .array(tools.map { .string($0) }))])
                        case .perImage:
                            .object([("part", .string("per_image"))])
                        case .modifiers(let modifiers):
                            .object([("part", .string("modifiers")), ("modifiers", .array(modifiers.map { m in
                                .object([("attribute", .string(m.attribute.rawValue)), ("value", .string(m.value)),
                                         ("factor", .string(m.factorText))])
                            }))])
                        }
                    })),
                ])
            })),
        ]).render()
    }
}
