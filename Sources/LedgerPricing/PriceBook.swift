import LedgerIngest
import LedgerValues

/// Dated prices for a set of models, and the lookup that prices one request.
///
/// A request is priced with the entry of its model whose `effectiveFrom` is the latest UTC day on or
/// before the request's UTC day. A request older than every entry of its model is unpriced (nil), never
/// free.
///
///     let book = try PriceBook.defaultBook()
///     let t = Timestamp.parse(iso: "2026-01-31T12:00:00Z")!
///     book.entry(for: "claude-sonnet-4-5-20250929", at: t)?.model   // "claude-sonnet-4-5"
///
/// Model names from logs are resolved by ``match(_:)``. The book remembers how each distinct name
/// resolved (behind a lock, shared by copies of the book); an importer on one thread can keep a
/// ``Resolver`` instead, which remembers names without locking.
public struct PriceBook: Sendable {
    /// Every entry, sorted by model key, then effective day.
    public let entries: [PriceEntry]
    /// Per model (slot): its key, its entries' effective days (ascending) and their indices in `entries`.
    let histories: [ModelHistory]
    let names: ModelNameIndex
    /// Per slot, the slot of the model it is a dated snapshot of (itself when it is none): see ``identity(of:)``.
    let identities: [Int]
    let memo = NameMemo()

    struct ModelHistory: Sendable {
        let model: String
        let days: [Int]
        let entryIndices: [Int]
    }

    /// A book of `entries`.
    ///
    /// When several entries share a model key and an effective day, the last one in `entries` wins and
    /// the others are dropped: a later list overrides an earlier one (see ``merging(_:)``).
    public init(entries: [PriceEntry]) {
        let order = entries.indices.sorted { a, b in
            let x = entries[a], y = entries[b]
            if x.model != y.model { return x.model < y.model }
            if x.effectiveFrom != y.effectiveFrom { return x.effectiveFrom < y.effectiveFrom }
            return a < b
        }
        var kept: [PriceEntry] = []
        kept.reserveCapacity(order.count)
        for i in order {
            let e = entries[i]
            if let last = kept.last, last.model == e.model, last.effectiveFrom == e.effectiveFrom {
                kept[kept.count - 1] = e
            } else {
                kept.append(e)
            }
        }
        self.entries = kept

        var histories: [ModelHistory] = []
        var models: [(key: String, aliases: [String], providers: [String])] = []
        var start = 0
        while start < kept.count {
            var end = start + 1
            while end < kept.count, kept[end].model == kept[start].model { end += 1 }
            let slice = kept[start..<end]
            histories.append(ModelHistory(model: kept[start].model,
                                          days: slice.map { $0.effectiveFrom.daysSinceEpoch },
                                          entryIndices: Array(start..<end)))
            var aliases: [String] = []
            var providers: [String] = []
            for e in slice {
                for a in e.aliases where !aliases.contains(a) { aliases.append(a) }
                if !providers.contains(e.provider) { providers.append(e.provider) }
            }
            models.append((kept[start].model, aliases, providers))
            start = end
        }
        self.histories = histories
        let names = ModelNameIndex(models: models)
        self.names = names
        // A key that ends in a release date whose base the book also prices is a snapshot of that base.
        self.identities = histories.indices.map { slot in
            let key = ModelNameIndex.normalize(histories[slot].model)
            for form in [key] + names.strippedForms(key) {
                guard let base = ModelNameIndex.snapshotBase(form), let m = names.match(base), m.slot != slot else { continue }
                return m.slot
            }
            return slot
        }
    }

    /// An empty book: every request is unpriced.
    public static let empty = PriceBook(entries: [])

    /// The model keys, sorted.
    public var models: [String] { histories.map(\.model) }

    /// Names (trimmed, lowercased) that more than one model claims, as aliases or once a provider prefix
    /// is removed; they resolve to nothing.
    public var ambiguousNames: [String] { names.ambiguousNames }

    /// The book's model for a model name from a log, and the rule that found it, or nil.
    ///
    /// Rules, in order; the first that applies decides, and a rule that finds two models makes the name
    /// ambiguous (nil):
    /// 1. `exact` / `alias`: the name is a model key or an alias of the book.
    /// 2. `providerPrefix`: the name without a known `provider/` prefix is a key or alias
    ///    (`openai/gpt-4o` → `gpt-4o`), or a key of the book without its prefix is the name
    ///    (`gemini-2.5-flash` → `gemini/gemini-2.5-flash`). Prefixes are removed one segment at a time and
    ///    only while the segment is a provider name (those of the book's entries and keys, plus
    ///    ``builtInProviderPrefixes``), so `bedrock/us-east-1/…` never loses its region.
    /// 3. `snapshot`: the name (or a prefix-free form of it) ends in a release date that the book's key
    ///    lacks: `-20250929`, `-2025-04-14`, `@20250929`.
    ///
    /// An entry for a dated snapshot itself (`gpt-4o-2024-05-13`) is an exact match and wins over its base.
    /// Names are trimmed and compared case-insensitively.
    public func match(_ model: String) -> ModelMatch? {
        guard let m = resolve(model) else { return nil }
        return ModelMatch(model: histories[m.slot].model, kind: m.kind)
    }

    /// The model a name stands for, whatever the catalogue lists: the book's model key, except that a dated
    /// snapshot with an entry of its own (`gpt-4o-mini-2024-07-18`, `claude-sonnet-4-5-20250929` in LiteLLM's
    /// catalogue) stands for its base model (`gpt-4o-mini`) when the book also prices the base. Matching logs
    /// with provider exports and grouping use the identity; pricing still uses ``match(_:)``, so a snapshot
    /// with a price of its own is billed at that price. Nil when the name resolves to no model.
    ///
    ///     book.identity(of: "gpt-4o-mini-2024-07-18")   // "gpt-4o-mini"
    ///     book.match("gpt-4o-mini-2024-07-18")?.model    // "gpt-4o-mini-2024-07-18" when the book has that entry
    public func identity(of model: String) -> String? {
        guard let m = resolve(model) else { return nil }
        return histories[identities[m.slot]].model
    }

    /// Provider prefixes that rule 2 of ``match(_:)`` removes even when no entry uses them.
    public static var builtInProviderPrefixes: [String] { ModelNameIndex.builtInProviderPrefixes.sorted() }

    /// The entry that prices a request to `model` made at `time`, or nil when the model is unknown or the
    /// request predates its first entry.
    ///
    /// - Complexity: one hash lookup for a name seen before (a few for a new one), then O(log n) in the
    ///   model's entries.
    public func entry(for model: String, at time: Timestamp) -> PriceEntry? {
        guard let m = resolve(model) else { return nil }
        return pricingEntry(slot: m.slot, day: Self.utcDayNumber(time))
    }

    /// The entry in force for `model` on the UTC day `day`.
    public func entry(for model: String, on day: CivilDate) -> PriceEntry? {
        guard let m = resolve(model) else { return nil }
        return pricingEntry(slot: m.slot, day: day.daysSinceEpoch)
    }

    /// Every entry of the model `model` resolves to, oldest first (empty when it resolves to none).
    public func history(of model: String) -> [PriceEntry] {
        guard let m = resolve(model) else { return [] }
        return histories[m.slot].entryIndices.map { entries[$0] }
    }

    /// The entry in force on `day` of every model that has one, in model-key order.
    public func entriesInForce(on day: CivilDate) -> [PriceEntry] {
        histories.indices.compactMap { entry(slot: $0, day: day.daysSinceEpoch) }
    }

    /// This book with `other`'s entries added; where both have an entry for the same model key and day,
    /// `other`'s wins.
    public func merging(_ other: PriceBook) -> PriceBook {
        PriceBook(entries: entries + other.entries)
    }

    /// The slot of a name and the rule that found it; exact keys skip the memo.
    func resolve(_ model: String) -> (slot: Int, kind: ModelMatch.Kind)? {
        if let exact = names.exactMatch(model) { return exact }
        return memo.resolve(model) { names.match($0) }
    }

    /// The entry that prices a name resolved to `slot` on `day`: the slot's own; else, for a dated snapshot
    /// listed apart whose first entry is later (a catalogue imported from a day on), its base model's.
    func pricingEntry(slot: Int, day: Int) -> PriceEntry? {
        if let e = entry(slot: slot, day: day) { return e }
        let base = identities[slot]
        return base == slot ? nil : entry(slot: base, day: day)
    }

    func entry(slot: Int, day: Int) -> PriceEntry? {
        let h = histories[slot]
        // The last effective day ≤ day.
        var lo = 0, hi = h.days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if h.days[mid] <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : entries[h.entryIndices[lo - 1]]
    }

    static func utcDayNumber(_ time: Timestamp) -> Int {
        Int(time.milliseconds.floorDiv(86_400_000))
    }
}
