/// The price book kept in the database (`prices` and `price_rates`), so that every stored request can
/// name the entry that priced it and a later `reprice` uses the same entries.
public struct PriceStore {
    let db: Database

    public init(db: Database) { self.db = db }

    /// Where an entry came from: the book shipped with TokenLedger, or a file the user imported.
    public enum Origin: String, Sendable { case builtIn = "default", user }

    /// All stored entries, with their ids.
    public func entries() throws -> [PriceEntry] {
        var byID: [Int64: PriceEntry] = [:]
        var order: [Int64] = []
        let p = try db.prepare("SELECT id, provider, model, aliases, effective_from, currency, long_context_threshold, source FROM prices ORDER BY id")
        while try p.step() {
            let id = p.int64(0)
            let aliases = (try? JSONValue.parse(p.text(3) ?? "[]"))?.array?.compactMap(\.string) ?? []
            guard let from = CivilDate(parsing: p.text(4) ?? "") else { continue }
            var e = PriceEntry(provider: p.text(1) ?? "", model: p.text(2) ?? "", aliases: aliases, effectiveFrom: from,
                               currency: p.text(5) ?? "USD", source: p.text(7) ?? "", cards: [:],
                               longContextThreshold: p.optionalInt64(6))
            e.id = id
            byID[id] = e
            order.append(id)
        }
        let r = try db.prepare("SELECT price_id, tier, long_context, input, cached_input, cache_write_5m, cache_write_1h, output, reasoning FROM price_rates")
        while try r.step() {
            let id = r.int64(0)
            guard let tier = PricingTier(rawValue: r.text(1) ?? "") else { continue }
            func rate(_ i: Int32) -> Rate? { r.optionalInt64(i).map(Rate.init(picosPerToken:)) }
            let card = RateCard(input: Rate(picosPerToken: r.int64(3)), cachedInput: rate(4), cacheWrite5m: rate(5),
                                cacheWrite1h: rate(6), output: Rate(picosPerToken: r.int64(7)), reasoning: rate(8))
            byID[id]?.cards[RateCardKey(tier, longContext: r.int64(2) != 0)] = card
        }
        return order.compactMap { byID[$0] }
    }

    /// Stores entries, replacing any entry of the same origin for the same model and date.
    /// Returns the stored entries with their ids. Runs in the caller's transaction.
    @discardableResult
    public func save(_ entries: [PriceEntry], origin: Origin) throws -> [PriceEntry] {
        var saved: [PriceEntry] = []
        for var e in entries {
            let aliases = "[" + e.aliases.map(JSONText.quote).joined(separator: ",") + "]"
            try db.run("DELETE FROM prices WHERE model = ? AND effective_from = ? AND origin = ?",
                       .text(e.model), .text(e.effectiveFrom.description), .text(origin.rawValue))
            try db.run("""
                INSERT INTO prices(provider, model, aliases, effective_from, currency, long_context_threshold, source, origin)
                VALUES(?, ?, ?, ?, ?, ?, ?, ?)
                """, .text(e.provider), .text(e.model), .text(aliases), .text(e.effectiveFrom.description),
                       .text(e.currency), SQLValue(e.longContextThreshold), .text(e.source), .text(origin.rawValue))
            e.id = db.lastInsertRowID
            for (key, card) in e.cards.sorted(by: { $0.key < $1.key }) {
                try db.run("""
                    INSERT INTO price_rates(price_id, tier, long_context, input, cached_input, cache_write_5m, cache_write_1h, output, reasoning)
                    VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, .integer(e.id), .text(key.tier.rawValue), .integer(key.longContext ? 1 : 0),
                           .integer(card.input.picosPerToken), SQLValue(card.cachedInput?.picosPerToken),
                           SQLValue(card.cacheWrite5m?.picosPerToken), SQLValue(card.cacheWrite1h?.picosPerToken),
                           .integer(card.output.picosPerToken), SQLValue(card.reasoning?.picosPerToken))
            }
            saved.append(e)
        }
        return saved
    }

    public func count() throws -> Int64 { try db.scalarInt("SELECT count(*) FROM prices") ?? 0 }
}
