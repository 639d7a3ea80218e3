import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// The price book kept in the database (`prices` and `price_rates`), so that every stored request can
/// name the entry that priced it and a later `reprice` uses the same entries.
public struct PriceStore {
    let db: Database

    public init(db: Database) { self.db = db }

    /// Where an entry came from: the book shipped with TokenLedger, or a file the user imported.
    public enum Origin: String, Sendable { case builtIn = "default", user }

    /// All stored entries of one origin (or all), with their ids.
    public func entries(origin: Origin? = nil) throws -> [PriceEntry] {
        var byID: [Int64: PriceEntry] = [:]
        var order: [Int64] = []
        let p = try db.prepare("SELECT id, provider, model, aliases, effective_from, currency, long_context_threshold, source, per_image FROM prices WHERE ?1 IS NULL OR origin = ?1 ORDER BY id")
        p.bind(origin?.rawValue, at: 1)
        while try p.step() {
            let id = p.int64(0)
            let aliases = (try? JSONValue.parse(p.text(3) ?? "[]"))?.array?.compactMap(\.string) ?? []
            guard let from = CivilDate(parsing: p.text(4) ?? "") else { continue }
            var e = PriceEntry(provider: p.text(1) ?? "", model: p.text(2) ?? "", aliases: aliases, effectiveFrom: from,
                               currency: p.text(5) ?? "USD", source: p.text(7) ?? "", cards: [:],
                               longContextThreshold: p.optionalInt64(6))
            e.id = id
            e.perImage = p.optionalInt64(8).map(Rate.init(picosPerToken:))
            byID[id] = e
            order.append(id)
        }
        let r = try db.prepare("""
            SELECT price_id, tier, long_context, input, cached_input, cache_write_5m, cache_write_1h, output, reasoning,
                audio_input, cached_audio_input, audio_output, image_input, image_output
            FROM price_rates
            """)
        while try r.step() {
            let id = r.int64(0)
            guard let tier = PricingTier(rawValue: r.text(1) ?? "") else { continue }
            func rate(_ i: Int32) -> Rate? { r.optionalInt64(i).map(Rate.init(picosPerToken:)) }
            let card = RateCard(input: Rate(picosPerToken: r.int64(3)), cachedInput: rate(4), cacheWrite5m: rate(5),
                                cacheWrite1h: rate(6), output: Rate(picosPerToken: r.int64(7)), reasoning: rate(8),
                                audioInput: rate(9), cachedAudioInput: rate(10), audioOutput: rate(11), imageInput: rate(12),
                                imageOutput: rate(13))
            byID[id]?.cards[RateCardKey(tier, longContext: r.int64(2) != 0)] = card
        }
        let f = try db.prepare("SELECT price_id, tool, per_use FROM price_tool_fees")
        while try f.step() {
            byID[f.int64(0)]?.toolFees[f.text(1) ?? ""] = Rate(picosPerToken: f.int64(2))
        }
        let m = try db.prepare("SELECT price_id, attribute, value, numerator, denominator FROM price_modifiers ORDER BY price_id, attribute, value")
        while try m.step() {
            guard let attribute = PriceModifier.Attribute(rawValue: m.text(1) ?? "") else { continue }
            byID[m.int64(0)]?.modifiers.append(PriceModifier(attribute, m.text(2) ?? "", numerator: m.int64(3), denominator: m.int64(4)))
        }
        return order.compactMap { byID[$0] }
    }

    /// Stores entries. An entry of the same origin, model and date is updated in place and keeps its
    /// id, so the requests it priced still name it. Returns the entries with their ids. Runs in the
    /// caller's transaction.
    @discardableResult
    public func save(_ entries: [PriceEntry], origin: Origin) throws -> [PriceEntry] {
        var saved: [PriceEntry] = []
        for var e in entries {
            let aliases = "[" + e.aliases.map(JSONText.quote).joined(separator: ",") + "]"
            let values: [SQLValue] = [.text(e.provider), .text(aliases), .text(e.currency), SQLValue(e.longContextThreshold),
                                      .text(e.source), .text(e.model), .text(e.effectiveFrom.description), .text(origin.rawValue),
                                      SQLValue(e.perImage?.picosPerToken)]
            if let id = try db.scalarInt("SELECT id FROM prices WHERE model = ? AND effective_from = ? AND origin = ?",
                                         .text(e.model), .text(e.effectiveFrom.description), .text(origin.rawValue)) {
                let u = try db.cached("""
                    UPDATE prices SET provider = ?1, aliases = ?2, currency = ?3, long_context_threshold = ?4, source = ?5,
                        per_image = ?9
                    WHERE model = ?6 AND effective_from = ?7 AND origin = ?8
                    """)
                try u.bind(values)
                try u.step()
                try db.run("DELETE FROM price_rates WHERE price_id = ?", .integer(id))
                try db.run("DELETE FROM price_tool_fees WHERE price_id = ?", .integer(id))
                try db.run("DELETE FROM price_modifiers WHERE price_id = ?", .integer(id))
                e.id = id
            } else {
                let i = try db.cached("""
                    INSERT INTO prices(provider, aliases, currency, long_context_threshold, source, model, effective_from, origin,
                        per_image)
                    VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                    """)
                try i.bind(values)
                try i.step()
                e.id = db.lastInsertRowID
            }
            for (key, card) in e.cards.sorted(by: { $0.key < $1.key }) {
                try db.run("""
                    INSERT INTO price_rates(price_id, tier, long_context, input, cached_input, cache_write_5m, cache_write_1h, output,
                        reasoning, audio_input, cached_audio_input, audio_output, image_input, image_output)
                    VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, .integer(e.id), .text(key.tier.rawValue), .integer(key.longContext ? 1 : 0),
                           .integer(card.input.picosPerToken), SQLValue(card.cachedInput?.picosPerToken),
                           SQLValue(card.cacheWrite5m?.picosPerToken), SQLValue(card.cacheWrite1h?.picosPerToken),
                           .integer(card.output.picosPerToken), SQLValue(card.reasoning?.picosPerToken),
                           SQLValue(card.audioInput?.picosPerToken), SQLValue(card.cachedAudioInput?.picosPerToken),
                           SQLValue(card.audioOutput?.picosPerToken), SQLValue(card.imageInput?.picosPerToken),
                           SQLValue(card.imageOutput?.picosPerToken))
            }
            for (tool, fee) in e.toolFees.sorted(by: { $0.key < $1.key }) {
                try db.run("INSERT INTO price_tool_fees(price_id, tool, per_use) VALUES(?, ?, ?)",
                           .integer(e.id), .text(tool), .integer(fee.picosPerToken))
            }
            for m in e.modifiers {
                try db.run("""
                    INSERT OR REPLACE INTO price_modifiers(price_id, attribute, value, numerator, denominator) VALUES(?, ?, ?, ?, ?)
                    """, .integer(e.id), .text(m.attribute.rawValue), .text(m.value), .integer(m.numerator), .integer(m.denominator))
            }
            saved.append(e)
        }
        return saved
    }

    /// The book as stored, without writing anything (for read-only use): the stored default and user
    /// entries, or the shipped default book when the database holds none yet.
    public func storedBook() throws -> PriceBook {
        let builtIn = try entries(origin: .builtIn)
        let base = builtIn.isEmpty ? try PriceBook.defaultBook() : PriceBook(entries: builtIn)
        return base.merging(PriceBook(entries: try entries(origin: .user)))
    }

    /// The book that prices requests: the shipped default entries, overridden by the user's own on the
    /// same model and day. The first time (and whenever the shipped book changed) the default entries are
    /// written into the database, so every request can name the entry that priced it.
    public func loadBook(defaultBook: () throws -> PriceBook = { try PriceBook.defaultBook() }) throws -> PriceBook {
        let book = try defaultBook()
        var hasher = XXHash64()
        for e in book.entries { hasher.update(Array(PriceBookFile(currency: "USD", entries: [e]).yamlText().utf8)) }
        let fingerprint = String(hasher.finalize(), radix: 16)
        if try db.scalarText("SELECT value FROM meta WHERE key = 'default_prices'") != fingerprint {
            try db.transaction {
                try save(book.entries, origin: .builtIn)
                try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES('default_prices', ?)", .text(fingerprint))
            }
        }
        return PriceBook(entries: try entries(origin: .builtIn)).merging(PriceBook(entries: try entries(origin: .user)))
    }

    /// Every stored entry by id (to work out again how a stored request was priced).
    public func entriesByID() throws -> [Int64: PriceEntry] {
        Dictionary(try entries().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func count() throws -> Int64 { try db.scalarInt("SELECT count(*) FROM prices") ?? 0 }
}
