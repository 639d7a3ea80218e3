import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Gathers an ``AuditInput`` from the database: rollups where the period's day boundaries fall on
/// their grain in the report's time zone, raw rows otherwise, and raw rows for the few checks that no
/// rollup can answer (calls over a context limit, requests per minute), read only for the hours and days
/// the rollups point at.
public struct AuditLoader {
    package let db: Database

    public init(db: Database) { self.db = db }

    /// - Parameter forceRawRows: read every figure from the raw rows (the independent path that tests
    ///   compare with the rollups).
    public func load(period: Period, zone: TimeZone, zoneName: String, budget: Budget?, prices: PriceBook? = nil,
                     forceRawRows: Bool = false) throws -> AuditInput {
        let previous = period.previous
        let monthStart = CivilDate(year: period.last.year, month: period.last.month, day: 1)
        let historyStart = min(previous.first.adding(days: -Audit.anomalyHistoryDays),
                               monthStart.adding(days: -7 * Audit.forecastHistoryWeeks))
        let history = Period(first: historyStart, last: period.last)
        let span = history.interval(in: zone)
        let names = try NameDirectory(db: db)
        let dataEnd = try RequestScan(db: db).dataSpan()?.upperBound ?? span.upperBound

        let aligned = !forceRawRows && Self.hourAligned(history, zone)
        let usage = try aligned ? dayCellsFromRollups(span: span, zone: zone) : dayCellsFromRawRows(span: span, zone: zone)

        let reportSpan = Period(first: previous.first, last: period.last)
        let utc = Self.isUTC(reportSpan, zone)
        let userDays = try (utc && !forceRawRows) ? userDaysFromRollups(reportSpan) : userDaysFromRawRows(reportSpan, zone: zone)
        let latencyDays = Int64(reportSpan.first.daysSinceEpoch)..<Int64(reportSpan.last.daysSinceEpoch + 1)
        let latency = try RollupStore(db: db).latency(days: latencyDays)
        let batchLatency = try batchLatency(days: latencyDays)

        let actions = try readActions(reportSpan.interval(in: zone), periodStart: period.interval(in: zone).lowerBound)
        var extraModels: [Int64: Set<Int64>] = [:]
        if actions.contains(where: { $0.modelMask & (1 << 62) != 0 }) {
            extraModels = try modelsAbove61(reportSpan.interval(in: zone))
        }

        var overLimit: [Int64: Int64] = [:]
        var breaches: [(user: Int64, minute: Timestamp, calls: Int64)] = []
        if let budget {
            overLimit = try callsOverInputLimit(budget: budget, names: names, interval: period.interval(in: zone))
            if let limit = budget.limits.perUserPerMinute {
                breaches = try rateLimitBreaches(limit: limit, interval: period.interval(in: zone))
            }
        }
        let unpriced = try unpricedModels(period.interval(in: zone))
        let book = try prices ?? PriceStore(db: db).storedBook()
        var canonical: [Int64: String] = [:]
        for (id, name) in names.all(.model) { canonical[id] = book.match(name)?.model ?? name }
        return AuditInput(period: period, previous: previous, zone: zone, zoneName: zoneName, names: names, budget: budget,
                          dataEnd: dataEnd, usage: usage, latency: latency, userDays: userDays, actions: actions,
                          extraModels: extraModels, callsOverInputLimit: overLimit, rateLimitBreaches: breaches,
                          unpriced: unpriced, canonicalModels: canonical,
                          modelGroups: ModelGrouping(names: names.all(.model), identity: { book.identity(of: $0) }),
                          batchLatency: batchLatency)
    }

    /// Whether every day boundary of the period falls on a whole UTC hour in `zone`.
    static func hourAligned(_ p: Period, _ zone: TimeZone) -> Bool {
        for d in stride(from: p.first.daysSinceEpoch, through: p.last.daysSinceEpoch + 1, by: 1) {
            if CivilDate(daysSinceEpoch: d).start(in: zone).milliseconds % 3_600_000 != 0 { return false }
        }
        return true
    }

    /// Whether every day boundary of the period is a UTC midnight in `zone`.
    static func isUTC(_ p: Period, _ zone: TimeZone) -> Bool {
        for d in stride(from: p.first.daysSinceEpoch, through: p.last.daysSinceEpoch + 1, by: 1) {
            if CivilDate(daysSinceEpoch: d).start(in: zone).milliseconds % 86_400_000 != 0 { return false }
        }
        return true
    }

    // MARK: Usage by local day

    func dayCellsFromRollups(span: Range<Timestamp>, zone: TimeZone) throws -> [(key: UsageDayKey, sums: UsageSums)] {
        let hours = (span.lowerBound.milliseconds / 3_600_000)..<(span.upperBound.milliseconds / 3_600_000)
        var dayOfHour: [Int64: Int64] = [:]
        var cells: [UsageDayKey: UsageSums] = [:]
        try RollupStore(db: db).forEachUsage(hours: hours) { key, sums in
            let day: Int64
            if let d = dayOfHour[key.hour] { day = d } else {
                day = Int64(Timestamp(milliseconds: key.hour * 3_600_000).day(in: zone).daysSinceEpoch)
                dayOfHour[key.hour] = day
            }
            cells[UsageDayKey(key, day: day), default: UsageSums()].add(sums)
        }
        return cells.map { ($0.key, $0.value) }
    }

    func dayCellsFromRawRows(span: Range<Timestamp>, zone: TimeZone) throws -> [(key: UsageDayKey, sums: UsageSums)] {
        var cells: [UsageDayKey: UsageSums] = [:]
        var dayOfHour: [Int64: Int64] = [:]
        let prices = try PriceStore(db: db).entriesByID()
        try RequestScan(db: db).forEach(in: span) { c in
            let sample = CallSample(c, prices: prices)
            let hour = (c.rowID >> 20) / 60_000  // minutes: zones may be off by half an hour
            let day: Int64
            if let d = dayOfHour[hour] { day = d } else {
                day = Int64(c.timestamp.day(in: zone).daysSinceEpoch)
                dayOfHour[hour] = day
            }
            cells[UsageDayKey(sample.usageKey, day: day), default: UsageSums()].add(sample.usage)
        }
        return cells.map { ($0.key, $0.value) }
    }

    // MARK: Users by local day

    func userDaysFromRollups(_ p: Period) throws -> [(user: Int64, day: CivilDate, sums: UserDaySums)] {
        try RollupStore(db: db).users(days: Int64(p.first.daysSinceEpoch)..<Int64(p.last.daysSinceEpoch + 1)).map {
            ($0.key.userID, CivilDate(daysSinceEpoch: Int($0.key.day)), $0.sums)
        }
    }

    func userDaysFromRawRows(_ p: Period, zone: TimeZone) throws -> [(user: Int64, day: CivilDate, sums: UserDaySums)] {
        var acc: [UserDayKey: UserDaySums] = [:]
        try RequestScan(db: db).forEach(in: p.interval(in: zone)) { c in
            guard let user = c.userID else { return }
            let day = Int64(c.timestamp.day(in: zone).daysSinceEpoch)
            acc[UserDayKey(day: day, userID: user), default: UserDaySums()].add(
                UserDaySums(calls: 1, cost: c.cost ?? 0, unpricedCalls: c.cost == nil ? 1 : 0,
                            inputTokens: c.inputTokens, outputTokens: c.outputTokens))
        }
        return acc.map { ($0.key.userID, CivilDate(daysSinceEpoch: Int($0.key.day)), $0.value) }
    }

    // MARK: Actions

    /// The actions whose first call is in `interval`, alike ones added up (see ``ActionRow``): a month
    /// of millions of actions is read in one pass and held as tens of thousands of rows.
    /// - Parameter periodStart: where the reported period starts; actions before it and after it are
    ///   never added together.
    /// The latency histogram cells of the batch calls of UTC days `days`, keyed like the latency rollup.
    func batchLatency(days: Range<Int64>) throws -> [(key: LatencyCellKey, calls: Int64)] {
        let ids = RowID.range(Timestamp(milliseconds: days.lowerBound * 86_400_000)..<Timestamp(milliseconds: days.upperBound * 86_400_000))
        let s = try db.prepare("""
            SELECT id, coalesce(workflow_id, 0), model_id, latency_ms FROM requests
            WHERE id BETWEEN ? AND ? AND batch != 0 AND latency_ms IS NOT NULL
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var cells: [LatencyCellKey: Int64] = [:]
        while try s.step() {
            let day = (s.int64(0) >> 20) / 86_400_000
            cells[LatencyCellKey(day: day, workflowID: s.int64(1), modelID: s.int64(2), bucket: LatencyCellKey.bucket(ofMilliseconds: s.int64(3))),
                  default: 0] += 1
        }
        return cells.sorted { $0.key < $1.key }.map { (key: $0.key, calls: $0.value) }
    }

    func readActions(_ interval: Range<Timestamp>, periodStart: Timestamp) throws -> [ActionRow] {
        let ids = RowID.range(interval)
        let boundary = RowID.range(periodStart..<interval.upperBound).lowerBound
        let s = try db.prepare("""
            SELECT id, workflow_id, team_id, segment_id, calls, retries, fallbacks, model_mask, cost, failed_cost,
                   unpriced_calls, coalesce(outcome, CASE WHEN last_status = 1 THEN 1 ELSE 2 END)
            FROM actions WHERE id BETWEEN ? AND ?
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var out: [ActionRow] = []
        var slots: [ActionGroupKey: Int] = [:]
        while try s.step() {
            let id = s.int64(0)
            let a = ActionRow(key: id, firstRequest: id, workflowID: s.optionalInt64(1), teamID: s.optionalInt64(2),
                              segmentID: s.optionalInt64(3), calls: s.int64(4), retries: s.int64(5), fallbacks: s.int64(6),
                              modelMask: s.int64(7), cost: s.int64(8), failedCost: s.int64(9), unpricedCalls: s.int64(10),
                              outcome: ActionOutcome(rawValue: Int(s.int64(11))) ?? .failed)
            // Models above id 61 are told apart by the action's own row (extraModels).
            guard a.modelMask & (1 << 62) == 0 else {
                out.append(a)
                continue
            }
            let key = ActionGroupKey(a, inPeriod: a.firstRequest >= boundary)
            if let i = slots[key] {
                out[i].count += 1
                out[i].calls += a.calls
                out[i].cost += a.cost
                out[i].failedCost += a.failedCost
                out[i].unpricedCalls += a.unpricedCalls
            } else {
                slots[key] = out.count
                out.append(a)
            }
        }
        return out
    }

    /// What the audit tells actions apart by.
    struct ActionGroupKey: Hashable {
        var inPeriod: Bool
        var workflowID, teamID, segmentID: Int64?
        var outcome: ActionOutcome
        var modelMask, fallbacks, retries: Int64
        var unpriced: Bool

        init(_ a: ActionRow, inPeriod: Bool) {
            self.inPeriod = inPeriod
            workflowID = a.workflowID
            teamID = a.teamID
            segmentID = a.segmentID
            outcome = a.outcome
            modelMask = a.modelMask
            fallbacks = a.fallbacks
            retries = a.retries
            unpriced = a.unpricedCalls > 0
        }

        /// One pass of a cheap mix over the fields, then one value for the hasher (millions of actions
        /// are grouped per report).
        func hash(into hasher: inout Hasher) {
            var h: UInt64 = inPeriod ? 0x9E37_79B9_7F4A_7C15 : 0xC2B2_AE3D_27D4_EB4F
            @inline(__always) func mix(_ v: Int64) {
                h = (h ^ UInt64(bitPattern: v)) &* 0x0000_0100_0000_01B3
                h ^= h >> 29
            }
            mix(workflowID ?? -1)
            mix(teamID ?? -1)
            mix(segmentID ?? -1)
            mix(modelMask)
            mix(fallbacks)
            mix(retries)
            mix(Int64(outcome.rawValue) << 1 | (unpriced ? 1 : 0))
            hasher.combine(h)
        }
    }

    /// The models above id 61 used by each action (by the action's row id), from the calls of the
    /// interval and the day after it.
    func modelsAbove61(_ interval: Range<Timestamp>) throws -> [Int64: Set<Int64>] {
        let ids = RowID.range(interval.lowerBound..<Timestamp(milliseconds: interval.upperBound.milliseconds + 86_400_000))
        let s = try db.prepare("""
            SELECT k.action, r.model_id FROM requests r JOIN action_keys k ON k.key = r.action_key
            WHERE r.id BETWEEN ? AND ? AND r.model_id > 61
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var out: [Int64: Set<Int64>] = [:]
        while try s.step() { out[s.int64(0), default: []].insert(s.int64(1)) }
        return out
    }

    // MARK: Checks on raw rows, read only where the rollups point

    /// Calls above each route's `max_input_tokens`, reading only the hours whose rollup maximum is above it.
    func callsOverInputLimit(budget: Budget, names: NameDirectory, interval: Range<Timestamp>) throws -> [Int64: Int64] {
        let workflowIDs = Dictionary(names.all(.workflow).map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        var limits: [Int64: Int64] = [:]
        for r in budget.routes {
            if let limit = r.maxInputTokens, let id = workflowIDs[r.workflow] { limits[id] = limit }
        }
        guard !limits.isEmpty else { return [:] }
        let hours = (interval.lowerBound.milliseconds / 3_600_000)..<((interval.upperBound.milliseconds + 3_599_999) / 3_600_000)
        let h = try db.prepare("""
            SELECT DISTINCT hour, workflow_id, max_input_tokens FROM usage_hourly WHERE hour >= ? AND hour < ? AND workflow_id != 0
            """)
        h.bind(hours.lowerBound, at: 1)
        h.bind(hours.upperBound, at: 2)
        var hotHours = Set<Int64>()
        while try h.step() {
            if let limit = limits[h.int64(1)], h.int64(2) > limit { hotHours.insert(h.int64(0)) }
        }
        var counts: [Int64: Int64] = [:]
        let s = try db.prepare("SELECT workflow_id, input_tokens FROM requests WHERE id BETWEEN ? AND ?")
        for hour in hotHours.sorted() {
            let lo = max(hour * 3_600_000, interval.lowerBound.milliseconds)
            let hi = min((hour + 1) * 3_600_000, interval.upperBound.milliseconds)
            guard lo < hi else { continue }
            let ids = RowID.range(Timestamp(milliseconds: lo)..<Timestamp(milliseconds: hi))
            s.reset()
            s.bind(ids.lowerBound, at: 1)
            s.bind(ids.upperBound, at: 2)
            while try s.step() {
                let w = s.optionalInt64(0) ?? 0
                if let limit = limits[w], s.int64(1) > limit { counts[w, default: 0] += 1 }
            }
        }
        return counts
    }

    /// Minutes in which a user's calls exceeded `limit`, reading only the calls of the days that
    /// ``rateLimitCandidates(limit:interval:)`` names.
    func rateLimitBreaches(limit: Int, interval: Range<Timestamp>) throws -> [(user: Int64, minute: Timestamp, calls: Int64)] {
        let candidates = try rateLimitCandidates(limit: limit, interval: interval)
        var out: [(Int64, Timestamp, Int64)] = []
        // Calls come in time order: one minute's counts are held at a time.
        let s = try db.prepare("SELECT id, user_id FROM requests WHERE id BETWEEN ? AND ? AND user_id IS NOT NULL ORDER BY id")
        var minute = Int64.min
        var perUser: [Int64: Int64] = [:]
        func endMinute() {
            for (user, n) in perUser where n > Int64(limit) { out.append((user, Timestamp(milliseconds: minute * 60_000), n)) }
            perUser.removeAll(keepingCapacity: true)
        }
        for day in candidates.keys.sorted() {
            let users = candidates[day]!
            let lo = max(day * 86_400_000, interval.lowerBound.milliseconds)
            let hi = min((day + 1) * 86_400_000, interval.upperBound.milliseconds)
            guard lo < hi else { continue }
            let ids = RowID.range(Timestamp(milliseconds: lo)..<Timestamp(milliseconds: hi))
            s.reset()
            s.bind(ids.lowerBound, at: 1)
            s.bind(ids.upperBound, at: 2)
            while try s.step() {
                let m = (s.int64(0) >> 20) / 60_000
                if m != minute {
                    endMinute()
                    minute = m
                }
                let user = s.int64(1)
                if users.contains(user) { perUser[user, default: 0] += 1 }
            }
        }
        endMinute()
        return out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    /// The users of each UTC day of `interval` who may have made more than `limit` calls in one minute:
    /// those whose `user_daily.minute_peak`, an upper bound, is over the limit or unknown.
    func rateLimitCandidates(limit: Int, interval: Range<Timestamp>) throws -> [Int64: Set<Int64>] {
        let days = (interval.lowerBound.milliseconds / 86_400_000)..<((interval.upperBound.milliseconds + 86_399_999) / 86_400_000)
        let c = try db.prepare("""
            SELECT day, user_id FROM user_daily
            WHERE day >= ?1 AND day < ?2 AND coalesce(minute_peak, calls) > ?3
            """)
        c.bind(days.lowerBound, at: 1)
        c.bind(days.upperBound, at: 2)
        c.bind(Int64(limit), at: 3)
        var candidates: [Int64: Set<Int64>] = [:]
        while try c.step() { candidates[c.int64(0), default: []].insert(c.int64(1)) }
        return candidates
    }

    func unpricedModels(_ interval: Range<Timestamp>) throws -> [UnpricedModel] {
        let ids = RowID.range(interval)
        let s = try db.prepare("""
            SELECT m.name, count(*), sum(r.input_tokens), sum(r.output_tokens), min(r.id), max(r.id)
            FROM requests r INDEXED BY requests_unpriced JOIN models m ON m.id = r.model_id
            WHERE r.cost IS NULL AND r.id BETWEEN ? AND ? GROUP BY r.model_id ORDER BY count(*) DESC, m.name
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var out: [UnpricedModel] = []
        while try s.step() {
            out.append(UnpricedModel(model: s.text(0) ?? "", requests: s.int64(1), inputTokens: s.int64(2),
                                     outputTokens: s.int64(3), first: Timestamp(milliseconds: s.int64(4) >> 20),
                                     last: Timestamp(milliseconds: s.int64(5) >> 20)))
        }
        return out
    }
}
