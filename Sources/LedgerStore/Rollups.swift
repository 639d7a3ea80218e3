import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// What one stored call adds to the rollups.
struct CallSample {
    var rowID: Int64
    var workflowID, modelID, kind, segmentID, teamID, tierID, fallbackReasonID, userID: Int64
    var failed: Bool
    var inputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens, reasoningTokens: Int64
    var latencyMs: Int64?
    /// The call's cost by component; nil when unpriced.
    var components: CostComponents?
    var gatewayCost: Int64?
    /// Billed server-side tool uses.
    var toolCalls: Int64

    var cost: Int64? { components?.total }
    var hour: Int64 { (rowID >> 20).floorDiv(3_600_000) }
    /// The minute as the rate-limit check counts it.
    var minute: Int64 { (rowID >> 20) / 60_000 }
    var day: Int64 { (rowID >> 20).floorDiv(86_400_000) }

    /// A stored call; its cost components are worked out again with the entry that priced it (`prices`
    /// holds entries by id), which gives exactly the parts computed at import.
    init(_ c: StoredCall, prices: [Int64: PriceEntry]) {
        rowID = c.rowID
        workflowID = c.workflowID ?? 0
        modelID = c.modelID
        kind = Int64(c.kind.rawValue)
        segmentID = c.segmentID ?? 0
        teamID = c.teamID ?? 0
        tierID = c.tierID ?? 0
        fallbackReasonID = c.fallbackReasonID ?? 0
        userID = c.userID ?? 0
        failed = c.status != .ok
        inputTokens = c.inputTokens
        cachedInputTokens = c.cachedInputTokens
        cacheWriteTokens = c.cacheWriteTokens
        cacheWrite1hTokens = c.cacheWrite1hTokens
        outputTokens = c.outputTokens
        reasoningTokens = c.reasoningTokens
        latencyMs = c.latencyMs
        if let id = c.priceID, let entry = prices[id], c.cost != nil {
            components = entry.costComponents(of: c.pricingRecord)
        }
        gatewayCost = c.gatewayCost
        toolCalls = c.extras?.toolCalls.values.reduce(0, &+) ?? 0
    }

    var usageKey: UsageCellKey {
        UsageCellKey(hour: hour, workflowID: workflowID, modelID: modelID, kind: kind, segmentID: segmentID,
                     teamID: teamID, tierID: tierID, fallbackReasonID: fallbackReasonID)
    }

    var usage: UsageSums {
        var s = UsageSums()
        s.calls = 1
        s.failedCalls = failed ? 1 : 0
        s.inputTokens = inputTokens
        s.cachedInputTokens = cachedInputTokens
        s.cacheWriteTokens = cacheWriteTokens
        s.cacheWrite1hTokens = cacheWrite1hTokens
        s.outputTokens = outputTokens
        s.reasoningTokens = reasoningTokens
        s.inputSquares = Double(inputTokens) * Double(inputTokens)
        s.outputSquares = Double(outputTokens) * Double(outputTokens)
        s.maxInputTokens = inputTokens
        s.addCost(components, failed: failed, tokens: inputTokens + outputTokens, sign: 1)
        if let g = gatewayCost {
            s.gatewayCost = g
            s.gatewayCalls = 1
        }
        s.toolCalls = toolCalls
        return s
    }
}

extension UsageSums {
    /// Adds (sign 1) or removes (sign −1) one call's cost, or its unpriced count.
    mutating func addCost(_ parts: CostComponents?, failed: Bool, tokens: Int64, sign: Int64) {
        if let parts {
            let cost = parts.total
            self.cost += sign * cost
            components = components + (sign > 0 ? parts : -parts)
            if failed { failedCost += sign * cost }
        } else {
            unpricedCalls += sign
            unpricedTokens += sign * tokens
        }
    }
}

/// The calls of one user-day's busiest minute, and of its first and last minute, counted as the calls
/// arrive. Calls that arrive in time order (to the minute) give exact counts; one that comes before an
/// earlier minute's call makes the peak unknown (nil). The stored cell adds transactions up in
/// `RollupAccumulator.write(to:)`: exactly when their minutes follow one another or meet in one minute,
/// as an upper bound (the sum of the peaks) when they interleave.
struct MinutePeak {
    private(set) var firstMinute: Int64 = 0
    private(set) var firstCalls: Int64 = 0
    private(set) var lastMinute: Int64 = 0
    private(set) var lastCalls: Int64 = 0
    private(set) var peak: Int64? = 0

    mutating func add(minute m: Int64) {
        guard let p = peak else { return }
        if lastCalls == 0 {
            (firstMinute, firstCalls, lastMinute, lastCalls, peak) = (m, 1, m, 1, 1)
            return
        }
        if m == lastMinute {
            lastCalls += 1
        } else if m > lastMinute {
            lastMinute = m
            lastCalls = 1
        } else {
            peak = nil
            return
        }
        if m == firstMinute { firstCalls = lastCalls }
        peak = max(p, lastCalls)
    }
}

/// One user-day cell's change in a transaction: its sums, and its calls' busiest minute.
struct UserDayCell {
    var sums = UserDaySums()
    var minutes = MinutePeak()

    mutating func add(_ s: CallSample) {
        sums.add(UserDaySums(calls: 1, cost: s.cost ?? 0, unpricedCalls: s.cost == nil ? 1 : 0,
                             inputTokens: s.inputTokens, outputTokens: s.outputTokens))
        minutes.add(minute: s.minute)
    }
}

/// Rollup changes of one transaction, written with additive upserts at commit.
struct RollupAccumulator {
    var usage: [UsageCellKey: UsageSums] = [:]
    var latency: [LatencyCellKey: Int64] = [:]
    var users: [UserDayKey: UserDayCell] = [:]

    var isEmpty: Bool { usage.isEmpty && latency.isEmpty && users.isEmpty }

    mutating func add(_ s: CallSample) {
        usage[s.usageKey, default: UsageSums()].add(s.usage)
        if let l = s.latencyMs {
            latency[LatencyCellKey(day: s.day, workflowID: s.workflowID, modelID: s.modelID,
                                   bucket: LatencyCellKey.bucket(ofMilliseconds: l)), default: 0] += 1
        }
        addUser(s)
    }

    /// Adds a call to its user-day cell (calls without a user have none).
    mutating func addUser(_ s: CallSample) {
        guard s.userID != 0 else { return }
        users[UserDayKey(day: s.day, userID: s.userID), default: UserDayCell()].add(s)
    }

    /// Writes the changes (in key order) and empties the accumulator.
    mutating func write(to db: Database) throws {
        let u = try db.cached("""
            INSERT INTO usage_hourly(hour, workflow_id, model_id, kind, segment_id, team_id, tier_id, fallback_reason_id,
                calls, failed_calls, input_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens,
                output_tokens, reasoning_tokens, input_squares, output_squares, max_input_tokens, cost,
                cost_uncached_input, cost_cached_input, cost_cache_write, cost_output, failed_cost,
                unpriced_calls, unpriced_tokens, gateway_cost, gateway_calls, cost_modality, cost_tool_fees, cost_uplift,
                tool_calls)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET
                calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls,
                input_tokens = input_tokens + excluded.input_tokens,
                cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
                cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
                cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
                output_tokens = output_tokens + excluded.output_tokens,
                reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                input_squares = input_squares + excluded.input_squares,
                output_squares = output_squares + excluded.output_squares,
                max_input_tokens = max(max_input_tokens, excluded.max_input_tokens),
                cost = cost + excluded.cost, failed_cost = failed_cost + excluded.failed_cost,
                cost_uncached_input = cost_uncached_input + excluded.cost_uncached_input,
                cost_cached_input = cost_cached_input + excluded.cost_cached_input,
                cost_cache_write = cost_cache_write + excluded.cost_cache_write,
                cost_output = cost_output + excluded.cost_output,
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                unpriced_tokens = unpriced_tokens + excluded.unpriced_tokens,
                gateway_cost = gateway_cost + excluded.gateway_cost,
                gateway_calls = gateway_calls + excluded.gateway_calls,
                cost_modality = cost_modality + excluded.cost_modality,
                cost_tool_fees = cost_tool_fees + excluded.cost_tool_fees,
                cost_uplift = cost_uplift + excluded.cost_uplift,
                tool_calls = tool_calls + excluded.tool_calls
            """)
        for key in usage.keys.sorted() {
            let s = usage[key]!
            u.reset()
            for (i, v) in [key.hour, key.workflowID, key.modelID, key.kind, key.segmentID, key.teamID, key.tierID,
                           key.fallbackReasonID, s.calls, s.failedCalls, s.inputTokens, s.cachedInputTokens,
                           s.cacheWriteTokens, s.cacheWrite1hTokens, s.outputTokens, s.reasoningTokens].enumerated() {
                u.bind(v, at: Int32(i + 1))
            }
            u.bind(s.inputSquares, at: 17)
            u.bind(s.outputSquares, at: 18)
            for (i, v) in [s.maxInputTokens, s.cost, s.components.uncachedInput, s.components.cachedInput,
                           s.components.cacheWrite, s.components.output, s.failedCost, s.unpricedCalls, s.unpricedTokens,
                           s.gatewayCost, s.gatewayCalls, s.components.modality, s.components.toolFees, s.components.uplift,
                           s.toolCalls].enumerated() {
                u.bind(v, at: Int32(i + 19))
            }
            try u.step()
        }
        let l = try db.cached("""
            INSERT INTO latency_daily(day, workflow_id, model_id, bucket, calls) VALUES(?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET calls = calls + excluded.calls
            """)
        for key in latency.keys.sorted() {
            l.reset()
            for (i, v) in [key.day, key.workflowID, key.modelID, key.bucket, latency[key]!].enumerated() {
                l.bind(v, at: Int32(i + 1))
            }
            try l.step()
        }
        let d = try db.cached("""
            INSERT INTO user_daily(day, user_id, calls, cost, unpriced_calls, input_tokens, output_tokens, minute_peak,
                first_minute, first_minute_calls, last_minute, last_minute_calls)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, cost = cost + excluded.cost,
                unpriced_calls = unpriced_calls + excluded.unpriced_calls,
                input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
                -- Minutes that follow one another: the larger peak; that meet in one minute: that minute's
                -- calls added up too; that interleave: the sum of the peaks, an upper bound.
                minute_peak = CASE
                    WHEN minute_peak IS NULL OR excluded.minute_peak IS NULL THEN NULL
                    WHEN excluded.first_minute > last_minute OR excluded.last_minute < first_minute
                        THEN max(minute_peak, excluded.minute_peak)
                    WHEN excluded.first_minute = last_minute
                        THEN max(minute_peak, excluded.minute_peak, last_minute_calls + excluded.first_minute_calls)
                    WHEN excluded.last_minute = first_minute
                        THEN max(minute_peak, excluded.minute_peak, first_minute_calls + excluded.last_minute_calls)
                    ELSE minute_peak + excluded.minute_peak END,
                first_minute = min(first_minute, excluded.first_minute),
                first_minute_calls = CASE
                    WHEN excluded.first_minute < first_minute THEN excluded.first_minute_calls
                    WHEN excluded.first_minute = first_minute THEN first_minute_calls + excluded.first_minute_calls
                    ELSE first_minute_calls END,
                last_minute = max(last_minute, excluded.last_minute),
                last_minute_calls = CASE
                    WHEN excluded.last_minute > last_minute THEN excluded.last_minute_calls
                    WHEN excluded.last_minute = last_minute THEN last_minute_calls + excluded.last_minute_calls
                    ELSE last_minute_calls END
            """)
        for key in users.keys.sorted() {
            let cell = users[key]!
            let (s, m) = (cell.sums, cell.minutes)
            d.reset()
            for (i, v) in [key.day, key.userID, s.calls, s.cost, s.unpricedCalls, s.inputTokens, s.outputTokens].enumerated() {
                d.bind(v, at: Int32(i + 1))
            }
            d.bind(m.peak, at: 8)
            for (i, v) in [m.firstMinute, m.firstCalls, m.lastMinute, m.lastCalls].enumerated() { d.bind(v, at: Int32(i + 9)) }
            try d.step()
        }
        self = RollupAccumulator()
    }
}

/// Reads rollups, and rebuilds them from the raw rows.
public struct RollupStore {
    let db: Database

    public init(db: Database) { self.db = db }

    /// Usage cells of the UTC hours in `hours`.
    public func usage(hours: Range<Int64>) throws -> [(key: UsageCellKey, sums: UsageSums)] {
        var out: [(key: UsageCellKey, sums: UsageSums)] = []
        try forEachUsage(hours: hours) { out.append(($0, $1)) }
        return out
    }

    /// Calls `body` with each stored hourly cell of `hours`, without holding them all.
    public func forEachUsage(hours: Range<Int64>, _ body: (UsageCellKey, UsageSums) throws -> Void) throws {
        let s = try db.prepare("""
            SELECT hour, workflow_id, model_id, kind, segment_id, team_id, tier_id, fallback_reason_id,
                calls, failed_calls, input_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens,
                output_tokens, reasoning_tokens, input_squares, output_squares, max_input_tokens, cost, failed_cost,
                unpriced_calls, unpriced_tokens, gateway_cost, gateway_calls,
                cost_uncached_input, cost_cached_input, cost_cache_write, cost_output, cost_modality, cost_tool_fees,
                cost_uplift, tool_calls
            FROM usage_hourly WHERE hour >= ? AND hour < ?
            """)
        s.bind(hours.lowerBound, at: 1)
        s.bind(hours.upperBound, at: 2)
        while try s.step() {
            let key = UsageCellKey(hour: s.int64(0), workflowID: s.int64(1), modelID: s.int64(2), kind: s.int64(3),
                                   segmentID: s.int64(4), teamID: s.int64(5), tierID: s.int64(6), fallbackReasonID: s.int64(7))
            var v = UsageSums()
            v.calls = s.int64(8); v.failedCalls = s.int64(9); v.inputTokens = s.int64(10)
            v.cachedInputTokens = s.int64(11); v.cacheWriteTokens = s.int64(12); v.cacheWrite1hTokens = s.int64(13)
            v.outputTokens = s.int64(14); v.reasoningTokens = s.int64(15); v.inputSquares = s.double(16)
            v.outputSquares = s.double(17); v.maxInputTokens = s.int64(18); v.cost = s.int64(19); v.failedCost = s.int64(20)
            v.unpricedCalls = s.int64(21); v.unpricedTokens = s.int64(22); v.gatewayCost = s.int64(23)
            v.gatewayCalls = s.int64(24)
            v.components = CostComponents(uncachedInput: s.int64(25), cachedInput: s.int64(26), cacheWrite: s.int64(27),
                                          output: s.int64(28), modality: s.int64(29), toolFees: s.int64(30), uplift: s.int64(31))
            v.toolCalls = s.int64(32)
            try body(key, v)
        }
    }

    public func latency(days: Range<Int64>) throws -> [(key: LatencyCellKey, calls: Int64)] {
        let s = try db.prepare("SELECT day, workflow_id, model_id, bucket, calls FROM latency_daily WHERE day >= ? AND day < ?")
        s.bind(days.lowerBound, at: 1)
        s.bind(days.upperBound, at: 2)
        var out: [(LatencyCellKey, Int64)] = []
        while try s.step() {
            out.append((LatencyCellKey(day: s.int64(0), workflowID: s.int64(1), modelID: s.int64(2), bucket: s.int64(3)), s.int64(4)))
        }
        return out
    }

    public func users(days: Range<Int64>) throws -> [(key: UserDayKey, sums: UserDaySums)] {
        let s = try db.prepare("""
            SELECT day, user_id, calls, cost, unpriced_calls, input_tokens, output_tokens FROM user_daily WHERE day >= ? AND day < ?
            """)
        s.bind(days.lowerBound, at: 1)
        s.bind(days.upperBound, at: 2)
        var out: [(UserDayKey, UserDaySums)] = []
        while try s.step() {
            out.append((UserDayKey(day: s.int64(0), userID: s.int64(1)),
                        UserDaySums(calls: s.int64(2), cost: s.int64(3), unpricedCalls: s.int64(4),
                                    inputTokens: s.int64(5), outputTokens: s.int64(6))))
        }
        return out
    }

    /// The rollups computed from the raw rows of `interval` (all when nil), the independent path that
    /// the stored rollups must equal.
    public static func fromRawRows(db: Database, in interval: Range<Timestamp>? = nil) throws
        -> (usage: [UsageCellKey: UsageSums], latency: [LatencyCellKey: Int64], users: [UserDayKey: UserDaySums]) {
        var acc = RollupAccumulator()
        let prices = try PriceStore(db: db).entriesByID()
        try RequestScan(db: db).forEach(in: interval) { acc.add(CallSample($0, prices: prices)) }
        return (acc.usage, acc.latency, acc.users.mapValues(\.sums))
    }

    /// Sums the usage cells of `hours` and the user cells of `days` again from their rows (after their
    /// costs changed). Runs in the caller's transaction.
    public func rebuild(hours: Set<Int64>, days: Set<Int64>) throws {
        guard !hours.isEmpty || !days.isEmpty else { return }
        let prices = try PriceStore(db: db).entriesByID()
        let scan = RequestScan(db: db)
        var acc = RollupAccumulator()
        for h in hours.sorted() {
            try db.run("DELETE FROM usage_hourly WHERE hour = ?", .integer(h))
            try scan.forEach(in: Timestamp(milliseconds: h * 3_600_000)..<Timestamp(milliseconds: (h + 1) * 3_600_000)) {
                let s = CallSample($0, prices: prices)
                acc.usage[s.usageKey, default: UsageSums()].add(s.usage)
            }
        }
        for d in days.sorted() {
            try db.run("DELETE FROM user_daily WHERE day = ?", .integer(d))
            try scan.forEach(in: Timestamp(milliseconds: d * 86_400_000)..<Timestamp(milliseconds: (d + 1) * 86_400_000)) {
                acc.addUser(CallSample($0, prices: prices))
            }
        }
        try acc.write(to: db)
    }

    /// Replaces every stored rollup with one computed from the raw rows (a repair; also a check).
    public func rebuild() throws {
        try db.transaction {
            try db.execute("DELETE FROM usage_hourly; DELETE FROM latency_daily; DELETE FROM user_daily;")
            var acc = RollupAccumulator()
            let prices = try PriceStore(db: db).entriesByID()
            try RequestScan(db: db).forEach { acc.add(CallSample($0, prices: prices)) }
            try acc.write(to: db)
        }
    }
}
