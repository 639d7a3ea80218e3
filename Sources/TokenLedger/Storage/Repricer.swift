/// Prices stored requests again with the current price book, after prices were imported or corrected.
///
/// Deterministic: each request is priced with the entry in force at its own timestamp, as at import.
/// Every changed request is updated together with its action's facts, a transaction at a time, so an
/// interrupted reprice leaves a consistent database and can simply be run again.
public struct Repricer {
    let db: Database
    let book: PriceBook

    public init(db: Database, book: PriceBook) {
        self.db = db
        self.book = book
    }

    /// What a reprice changed.
    public struct Result: Sendable, Equatable {
        public var examined: Int64 = 0
        public var changed: Int64 = 0
        public var newlyPriced: Int64 = 0
        public var newlyUnpriced: Int64 = 0
        public var before = Money.zero
        public var after = Money.zero
    }

    /// Reprices the requests made in `interval` (all when nil).
    public func run(in interval: Range<Timestamp>? = nil, rowsPerTransaction: Int = 50_000) throws -> Result {
        var result = Result()
        let range = interval.map(RequestScan.rowIDs) ?? (Int64.min...Int64.max)
        var cursor = range.lowerBound
        let read = try db.prepare("""
            SELECT r.id, r.action_key, m.name, r.status, r.input_tokens, r.output_tokens, r.cached_input_tokens,
                   r.cache_write_tokens, r.cache_write_1h_tokens, r.reasoning_tokens, r.batch, r.service_tier,
                   r.price_id, r.cost
            FROM requests r JOIN models m ON m.id = r.model_id
            WHERE r.id >= ? AND r.id <= ? ORDER BY r.id LIMIT ?
            """)
        let update = try db.prepare("UPDATE requests SET price_id = ?, cost = ? WHERE id = ?")
        let adjust = try db.prepare("""
            UPDATE actions SET cost = cost + ?, failed_cost = failed_cost + ?, unpriced_calls = unpriced_calls + ?
            WHERE id = ?
            """)
        var resolver = PriceBook.Resolver(book)
        while true {
            var deltas: [Int64: (cost: Int64, failed: Int64, unpriced: Int64)] = [:]
            var last: Int64?
            try db.transaction {
                read.reset()
                read.bind(cursor, at: 1)
                read.bind(range.upperBound, at: 2)
                read.bind(Int64(rowsPerTransaction), at: 3)
                var changes: [(id: Int64, price: Int64?, cost: Int64?)] = []
                while try read.step() {
                    let id = read.int64(0)
                    last = id
                    var call = CallRecord(requestID: "", timestamp: Timestamp(milliseconds: id >> 20), model: read.text(2) ?? "",
                                          inputTokens: read.int64(4), outputTokens: read.int64(5))
                    call.cachedInputTokens = read.int64(6)
                    call.cacheWriteTokens = read.int64(7)
                    call.cacheWrite1hTokens = read.int64(8)
                    call.reasoningTokens = read.int64(9)
                    call.batch = read.int64(10) != 0
                    call.serviceTier = ServiceTier(rawValue: Int(read.int64(11))) ?? .standard
                    let oldPrice = read.optionalInt64(12), oldCost = read.optionalInt64(13)
                    let quote = PriceQuote.of(call, in: &resolver)
                    result.examined += 1
                    result.before = result.before + Money(picos: oldCost ?? 0)
                    result.after = result.after + Money(picos: quote?.cost ?? 0)
                    guard quote?.entryID != oldPrice || quote?.cost != oldCost else { continue }
                    result.changed += 1
                    if oldCost == nil { result.newlyPriced += 1 }
                    if quote == nil { result.newlyUnpriced += 1 }
                    changes.append((id, quote?.entryID, quote?.cost))
                    let failed = read.int64(3) != Int64(CallStatus.ok.rawValue)
                    let delta = (quote?.cost ?? 0) - (oldCost ?? 0)
                    let unpricedDelta: Int64 = (oldCost == nil ? -1 : 0) + (quote == nil ? 1 : 0)
                    var d = deltas[read.int64(1)] ?? (0, 0, 0)
                    d.cost += delta
                    if failed { d.failed += delta }
                    d.unpriced += unpricedDelta
                    deltas[read.int64(1)] = d
                }
                read.reset()
                for c in changes {
                    update.reset()
                    update.bind(c.price, at: 1)
                    update.bind(c.cost, at: 2)
                    update.bind(c.id, at: 3)
                    try update.step()
                }
                for key in deltas.keys.sorted() {
                    let d = deltas[key]!
                    adjust.reset()
                    adjust.bind(d.cost, at: 1)
                    adjust.bind(d.failed, at: 2)
                    adjust.bind(d.unpriced, at: 3)
                    adjust.bind(key, at: 4)
                    try adjust.step()
                }
            }
            guard let l = last, l < range.upperBound else { break }
            cursor = l + 1
        }
        return result
    }
}
