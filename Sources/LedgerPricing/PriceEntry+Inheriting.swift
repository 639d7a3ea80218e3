import LedgerIngest
import LedgerValues

/// One rate of a card.
public enum RateComponent: String, Sendable, CaseIterable, Hashable, Comparable {
    case input
    case cachedInput = "cached_input"
    case cacheWrite5m = "cache_write_5m"
    case cacheWrite1h = "cache_write_1h"
    case output
    case reasoning

    /// The order of ``RateCard``'s fields.
    public static func < (a: RateComponent, b: RateComponent) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension RateCard {
    /// The rate of `component` as written: nil for a component left to be derived.
    public subscript(component: RateComponent) -> Rate? {
        get {
            switch component {
            case .input: input
            case .cachedInput: cachedInput
            case .cacheWrite5m: cacheWrite5m
            case .cacheWrite1h: cacheWrite1h
            case .output: output
            case .reasoning: reasoning
            }
        }
        set {
            switch component {
            case .input: if let newValue { input = newValue }
            case .cachedInput: cachedInput = newValue
            case .cacheWrite5m: cacheWrite5m = newValue
            case .cacheWrite1h: cacheWrite1h = newValue
            case .output: if let newValue { output = newValue }
            case .reasoning: reasoning = newValue
            }
        }
    }
}

extension RateCard.Resolved {
    /// The rate of `component`.
    public subscript(component: RateComponent) -> Rate {
        switch component {
        case .input: input
        case .cachedInput: cachedInput
        case .cacheWrite5m: cacheWrite5m
        case .cacheWrite1h: cacheWrite1h
        case .output: output
        case .reasoning: reasoning
        }
    }
}

/// A part of an earlier entry that a new entry of the same model took over because it does not state
/// that part itself (see ``PriceEntry/inheriting(from:)``).
public enum KeptPart: Sendable, Hashable {
    /// The long-context threshold and the long-context cards (sorted): the new entry states no threshold.
    case longContext(threshold: Int64, cards: [RateCardKey])
    /// A whole card of a tier the new entry does not price (batch, flex, priority).
    case card(RateCardKey)
    /// Components (sorted) that a card of both entries leaves derived in the new entry and states in the
    /// earlier one, e.g. the standard card's 1-hour cache write.
    case components(RateCardKey, [RateComponent])
    /// Fees per tool use (tool names, sorted) that the new entry does not price.
    case toolFees([String])
    /// The price per generated image: the new entry states none.
    case perImage
    /// Multipliers of request attributes (sorted) that the new entry does not state, e.g. fast mode.
    case modifiers([PriceModifier])
}

extension PriceEntry {
    /// This entry completed with what `earlier` states and this entry does not, and what was taken.
    ///
    /// A price list often restates only part of a model's price: LiteLLM's `claude-sonnet-4-5` has no
    /// rates above 200K input tokens, some entries lack a 1-hour cache write or the batch card. Laid over
    /// the book as it stands, such an entry would silently drop those prices from its day on. Taken over,
    /// in this order:
    /// 1. When this entry states no long-context threshold: `earlier`'s threshold and every long-context
    ///    card. When it states one, its own long-context cards win entirely and none is taken.
    /// 2. A normal card of a tier this entry lacks (batch, flex, priority), as written.
    /// 3. In a card both have, a component this entry leaves derived (nil) and `earlier` states. A
    ///    component `earlier` derives stays derived; a component this entry states wins.
    ///
    /// 4. A fee per tool use of a tool this entry does not price, the price per image when this entry has
    ///    none, and a multiplier of an attribute value (`speed: fast`, `inference_geo: us`) this entry does
    ///    not state.
    ///
    /// Cards are taken as written, in absolute rates: a kept batch card does not follow a change of the
    /// standard card.
    ///
    ///     let (entry, kept) = imported.inheriting(from: book.entry(for: "claude-sonnet-4-5", on: dayBefore)!)
    ///     kept   // [.longContext(threshold: 200000, cards: [RateCardKey(.standard, longContext: true)])]
    ///
    /// The caller decides that `earlier` is the same model at the same provider (see
    /// ``PriceBook/changes(importing:)``); nothing here compares names.
    ///
    /// - Returns: the completed entry (model, provider, day, source and id of this one) and the parts kept,
    ///   in the order above, cards sorted.
    public func inheriting(from earlier: PriceEntry) -> (entry: PriceEntry, kept: [KeptPart]) {
        var out = self
        var kept: [KeptPart] = []
        if longContextThreshold == nil, let threshold = earlier.longContextThreshold {
            let longCards = earlier.cards.filter { $0.key.longContext }
            if !longCards.isEmpty {
                out.longContextThreshold = threshold
                for (key, card) in longCards { out.cards[key] = card }
                kept.append(.longContext(threshold: threshold, cards: longCards.keys.sorted()))
            }
        }
        for key in earlier.cards.keys.sorted() where !key.longContext && cards[key] == nil {
            out.cards[key] = earlier.cards[key]
            kept.append(.card(key))
        }
        for key in cards.keys.sorted() {
            guard let mine = cards[key], let theirs = earlier.cards[key] else { continue }
            // Own long-context cards are kept whole (rule 1).
            if key.longContext { continue }
            var card = mine
            var taken: [RateComponent] = []
            for c in RateComponent.allCases where mine[c] == nil {
                if let r = theirs[c] {
                    card[c] = r
                    taken.append(c)
                }
            }
            if !taken.isEmpty {
                out.cards[key] = card
                kept.append(.components(key, taken))
            }
        }
        let tools = earlier.toolFees.keys.filter { toolFees[$0] == nil }.sorted()
        if !tools.isEmpty {
            for t in tools { out.toolFees[t] = earlier.toolFees[t] }
            kept.append(.toolFees(tools))
        }
        if perImage == nil, let p = earlier.perImage {
            out.perImage = p
            kept.append(.perImage)
        }
        let multipliers = earlier.modifiers.filter { m in
            !modifiers.contains { $0.attribute == m.attribute && $0.value == m.value }
        }.sorted()
        if !multipliers.isEmpty {
            out.modifiers = (modifiers + multipliers).sorted()
            kept.append(.modifiers(multipliers))
        }
        return (out, kept)
    }
}
