import LedgerIngest
import LedgerValues

/// What laying a list of entries over a price book changes, model by model, and the entries to store.
///
/// Computed by ``PriceBook/changes(importing:)``; `prices import` stores ``entries`` and prints the rest,
/// `prices diff` only prints.
public struct PriceBookChanges: Sendable, Equatable {
    /// One per incoming entry (after duplicates of a model and day are dropped, the last kept), sorted by
    /// model key, then day.
    public var models: [ModelChange]

    /// The incoming entries completed from the entries before them: what an import stores.
    public var entries: [PriceEntry] { models.map(\.entry) }

    /// The models the book did not know before.
    public var newModels: [ModelChange] { models.filter { $0.previous == nil && $0.bookModel == nil } }
    /// Entries whose model the book knows but that have no entry in force on their day (their day comes
    /// before the model's first entry).
    public var firstPrices: [ModelChange] { models.filter { $0.previous == nil && $0.bookModel != nil } }
    /// Entries that replace a price in force on their day.
    public var replacing: [ModelChange] { models.filter { $0.previous != nil } }
    /// Entries that replace a price and change what some call costs (a rate, a card, the threshold).
    public var changed: [ModelChange] { models.filter(\.changesRates) }
    /// Entries that took over something from the entry before them.
    public var keeping: [ModelChange] { models.filter { !$0.kept.isEmpty } }
    /// Entries that replace a price and bill every call as before.
    public var unchanged: [ModelChange] { models.filter { $0.previous != nil && !$0.changesRates } }

    /// Rate changes over all models.
    public var rateChanges: [RateChange] { models.flatMap(\.rateChanges) }

    public init(models: [ModelChange]) { self.models = models }
}

/// One incoming entry against the book in force.
public struct ModelChange: Sendable, Equatable {
    /// The incoming entry, completed from ``inheritedFrom``.
    public var entry: PriceEntry
    /// The book's model the incoming key resolves to (see ``PriceBook/match(_:)``), nil when none.
    public var bookModel: String?
    /// The entry that priced calls to this name on the entry's day before the import, nil when none.
    public var previous: PriceEntry?
    /// The entry in force on the day before, of the same model and provider, that ``kept`` comes from.
    public var inheritedFrom: PriceEntry?
    /// The entry in force on the day before when it belongs to another provider, so nothing was kept.
    public var otherProvider: PriceEntry?
    /// What the entry took over from ``inheritedFrom``.
    public var kept: [KeptPart]
    /// Resolved rates that differ from ``previous``'s, sorted by card, then component.
    public var rateChanges: [RateChange]
    /// Cards the entry has and ``previous`` lacks, sorted.
    public var addedCards: [RateCardKey]
    /// Cards ``previous`` has and the entry lacks, sorted: such calls are billed as §4 of the price-book
    /// documentation derives them.
    public var removedCards: [RateCardKey]
    /// The long-context threshold before and after, when both have one and they differ.
    public var threshold: ThresholdChange?

    /// Whether the entry replaces, for its name, a price of another provider (Azure's `azure/gpt-4o` over
    /// OpenAI's `gpt-4o`).
    public var replacesAnotherProvider: Bool {
        guard let p = previous else { return false }
        return !PriceBook.sameProvider(p.provider, entry.provider)
    }

    /// Whether some call costs differently after the import than before.
    public var changesRates: Bool {
        previous != nil && (!rateChanges.isEmpty || !addedCards.isEmpty || !removedCards.isEmpty || threshold != nil)
    }

    /// A different long-context threshold.
    public struct ThresholdChange: Sendable, Equatable {
        public var old: Int64
        public var new: Int64
    }
}

/// One resolved rate, before and after.
public struct RateChange: Sendable, Equatable {
    /// The incoming entry's model key.
    public var model: String
    public var card: RateCardKey
    public var component: RateComponent
    public var old: Rate
    public var new: Rate

    /// Whether the rate went up.
    public var isRaise: Bool { new > old }
}

extension PriceBook {
    /// What laying `incoming` over this book changes, and the entries to store so that nothing the book
    /// prices is lost without a word.
    ///
    /// Each incoming entry is matched to the book's model with ``match(_:)`` (aliases, provider prefixes,
    /// dated snapshots), so the catalogue's `claude-sonnet-4-5-20250929` meets the book's
    /// `claude-sonnet-4-5`. Entries of one incoming key are taken oldest first, and the earlier ones count
    /// as part of the book for the later ones.
    /// - The entry is completed (``PriceEntry/inheriting(from:)``) from the entry in force on the day
    ///   before its own, when that entry bills the same provider; an entry of another provider
    ///   (`vertex_ai/claude-sonnet-4-5` over Anthropic's) and a model new to the book take nothing. A key
    ///   that an earlier import added (the catalogue's dated name) and that has no entry before that day
    ///   is completed from the model it resolved to before, so importing the same file again keeps the
    ///   same parts.
    /// - It is compared with the entry in force on its own day (what priced calls to that name), on
    ///   resolved rates (``PriceEntry/card(tier:longContext:)``), card by card.
    ///
    ///     let changes = try PriceStore(db: db).loadBook().changes(importing: catalogue.entries)
    ///     changes.keeping.map(\.entry.model)   // ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", …]
    ///
    /// - Complexity: O(n log n) in the incoming entries, plus one match per incoming model key.
    public func changes(importing incoming: [PriceEntry]) -> PriceBookChanges {
        let ordered = PriceBook(entries: incoming).entries
        var models: [ModelChange] = []
        models.reserveCapacity(ordered.count)
        var earlier: [PriceEntry] = []
        var bookMatch: ModelMatch?
        var bookHistory: [PriceEntry] = []
        var lineage: [PriceEntry] = []
        for new in ordered {
            if earlier.first?.model != new.model {
                earlier = []
                let resolved = resolve(new.model)
                bookMatch = resolved.map { ModelMatch(model: histories[$0.slot].model, kind: $0.kind) }
                bookHistory = resolved.map { histories[$0.slot].entryIndices.map { entries[$0] } } ?? []
                // A name that an earlier import made a key of its own (`claude-sonnet-4-5-20250929`) was
                // priced before its first entry by the model it resolved to then: that model's entries
                // still count for what the name keeps.
                lineage = []
                if let r = resolved, r.kind == .exact, let base = names.matchBeyond(new.model, own: r.slot) {
                    lineage = histories[base].entryIndices.map { entries[$0] }
                }
            }
            let day = new.effectiveFrom
            // The file's own earlier entries override the book's on a shared day.
            func latest(where include: (CivilDate) -> Bool) -> PriceEntry? {
                let own = earlier.last { include($0.effectiveFrom) }
                let book = bookHistory.last { include($0.effectiveFrom) }
                guard let b = book else { return own }
                guard let o = own else { return b }
                return b.effectiveFrom > o.effectiveFrom ? b : o
            }
            let previous = latest { $0 <= day }
            var before = latest { $0 < day }
            var fromLineage = false
            if before == nil, let e = lineage.last(where: { $0.effectiveFrom < day }) {
                before = e
                fromLineage = true
            }
            var change = ModelChange(entry: new, bookModel: bookMatch?.model, previous: previous, kept: [],
                                     rateChanges: [], addedCards: [], removedCards: [])
            if let before, !fromLineage || Self.sameProvider(before.provider, new.provider) {
                if Self.sameProvider(before.provider, new.provider) {
                    let (completed, kept) = new.inheriting(from: before)
                    change.entry = completed
                    change.kept = kept
                    change.inheritedFrom = before
                } else {
                    change.otherProvider = before
                }
            }
            if let previous { Self.compare(previous, with: &change) }
            models.append(change)
            earlier.append(change.entry)
        }
        return PriceBookChanges(models: models)
    }

    /// Whether two entries' providers bill the same way. LiteLLM calls the Gemini API `gemini`, the default
    /// book `google`; every other provider is compared by name (case-insensitive), so `azure`,
    /// `vertex_ai-anthropic_models` or `openrouter` never meet `openai` or `anthropic`.
    static func sameProvider(_ a: String, _ b: String) -> Bool {
        func canonical(_ p: String) -> String {
            let n = p.lowercased()
            return n == "gemini" ? "google" : n
        }
        return canonical(a) == canonical(b)
    }

    static func compare(_ old: PriceEntry, with change: inout ModelChange) {
        let new = change.entry
        let bothLong = old.longContextThreshold != nil && new.longContextThreshold != nil
        func compared(_ key: RateCardKey, in e: PriceEntry) -> Bool {
            !key.longContext || e.longContextThreshold != nil
        }
        let oldKeys = Set(old.cards.keys.filter { compared($0, in: old) })
        let newKeys = Set(new.cards.keys.filter { compared($0, in: new) })
        change.addedCards = newKeys.subtracting(oldKeys).sorted()
        change.removedCards = oldKeys.subtracting(newKeys).sorted()
        for key in oldKeys.intersection(newKeys).sorted() where !key.longContext || bothLong {
            guard let a = old.card(tier: key.tier, longContext: key.longContext),
                  let b = new.card(tier: key.tier, longContext: key.longContext) else { continue }
            for c in RateComponent.allCases where a[c] != b[c] {
                change.rateChanges.append(RateChange(model: new.model, card: key, component: c, old: a[c], new: b[c]))
            }
        }
        if let a = old.longContextThreshold, let b = new.longContextThreshold, a != b {
            change.threshold = ModelChange.ThresholdChange(old: a, new: b)
        }
    }
}
