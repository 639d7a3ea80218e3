import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

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
        let range = interval.map(RowID.range) ?? (Int64.min...Int64.max)
        var cursor = range.lowerBound
        let read = try db.prepare("""
            SELECT \(RequestScan.columns), (SELECT name FROM models WHERE models.id = model_id)
            FROM requests WHERE id >= ? AND id <= ? ORDER BY id LIMIT ?
            """)
        let update = try db.prepare("UPDATE requests SET price_id = ?, cost = ? WHERE id = ?")
        let adjust = try db.prepare("""
            UPDATE actions SET cost = cost + ?, failed_cost = failed_cost + ?, unpriced_calls = unpriced_calls + ?
            WHERE id = (SELECT action FROM action_keys WHERE key = ?)
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
                var affectedHours = Set<Int64>(), affectedDays = Set<Int64>()
                while try read.step() {
                    let stored = RequestScan.read(read)
                    last = stored.rowID
                    var call = CallRecord(requestID: "", timestamp: stored.timestamp, model: read.text(RequestScan.columnCount) ?? "",
                                          inputTokens: stored.inputTokens, outputTokens: stored.outputTokens)
                    call.cachedInputTokens = stored.cachedInputTokens
                    call.cacheWriteTokens = stored.cacheWriteTokens
                    call.cacheWrite1hTokens = stored.cacheWrite1hTokens
                    call.reasoningTokens = stored.reasoningTokens
                    call.batch = stored.batch
                    call.serviceTier = stored.serviceTier
                    call.extras = stored.extras
                    let quote = PriceQuote.of(call, in: &resolver)
                    result.examined += 1
                    result.before = result.before + Money(picos: stored.cost ?? 0)
                    result.after = result.after + Money(picos: quote?.cost ?? 0)
                    guard quote?.entryID != stored.priceID || quote?.cost != stored.cost else { continue }
                    result.changed += 1
                    if stored.cost == nil { result.newlyPriced += 1 }
                    if quote == nil { result.newlyUnpriced += 1 }
                    changes.append((stored.rowID, quote?.entryID, quote?.cost))
                    affectedHours.insert((stored.rowID >> 20).floorDiv(3_600_000))
                    affectedDays.insert((stored.rowID >> 20).floorDiv(86_400_000))
                    let delta = (quote?.cost ?? 0) - (stored.cost ?? 0)
                    let unpricedDelta: Int64 = (stored.cost == nil ? -1 : 0) + (quote == nil ? 1 : 0)
                    var d = deltas[stored.actionKey] ?? (0, 0, 0)
                    d.cost += delta
                    if stored.status != .ok { d.failed += delta }
                    d.unpriced += unpricedDelta
                    deltas[stored.actionKey] = d
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
                // The rollups of the hours and days that changed, summed again from their rows.
                try RollupStore(db: db).rebuild(hours: affectedHours, days: affectedDays)
            }
            guard let l = last, l < range.upperBound else { break }
            cursor = l + 1
        }
        return result
    }
}
