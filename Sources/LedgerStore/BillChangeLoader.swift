import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Reads one period's cells for the bill-change decomposition: calls, tokens and component costs per
/// unit of demand (workflow × team × segment) × call kind × model, from the hourly rollups when the
/// period's days start on whole hours in the zone (raw rows otherwise); actions per unit by their first
/// call; and the providers' non-usage cost lines (credits, tax, adjustments) when exports cover it.
public struct BillChangeLoader {
    let db: Database

    public init(db: Database) { self.db = db }

    public func load(_ period: Period, zone: TimeZone, forceRawRows: Bool = false) throws -> BillChangePeriod {
        let span = period.interval(in: zone)
        var cells: [BillChangeCellKey: BillChangeCellUsage] = [:]
        var unpricedCalls: Int64 = 0, unpricedTokens: Int64 = 0
        func add(_ key: UsageCellKey, _ s: UsageSums) {
            let k = BillChangeCellKey(unit: BillChangeUnit(workflowID: key.workflowID, teamID: key.teamID, segmentID: key.segmentID),
                                      kind: key.kind, modelID: key.modelID)
            cells[k, default: BillChangeCellUsage()].add(s)
            unpricedCalls += s.unpricedCalls
            unpricedTokens += s.unpricedTokens
        }
        if !forceRawRows && AuditLoader.hourAligned(period, zone) {
            let hours = (span.lowerBound.milliseconds / 3_600_000)..<(span.upperBound.milliseconds / 3_600_000)
            try RollupStore(db: db).forEachUsage(hours: hours) { key, sums in add(key, sums) }
        } else {
            let prices = try PriceStore(db: db).entriesByID()
            try RequestScan(db: db).forEach(in: span) { c in
                let sample = CallSample(c, prices: prices)
                add(sample.usageKey, sample.usage)
            }
        }
        // Cells whose calls are all unpriced carry no cost; the decomposition leaves them out.
        cells = cells.filter { $0.value.pricedCalls > 0 }

        var actions: [BillChangeUnit: Int64] = [:]
        let ids = RowID.range(span)
        let s = try db.prepare("""
            SELECT coalesce(workflow_id, 0), coalesce(team_id, 0), coalesce(segment_id, 0) FROM actions
            WHERE id BETWEEN ? AND ?  -- the first request's row id: a range of the table
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        while try s.step() {
            actions[BillChangeUnit(workflowID: s.int64(0), teamID: s.int64(1), segmentID: s.int64(2)), default: 0] += 1
        }

        var nonUsage = Money.zero
        for c in try ProviderExportStore(db: db).costs(in: span) where ![.usage, .tool].contains(c.row.category) {
            nonUsage = nonUsage + c.row.amount
        }
        return BillChangePeriod(label: period.label, days: period.dayCount, actions: actions, cells: cells, nonUsage: nonUsage,
                                unpricedCalls: unpricedCalls, unpricedTokens: unpricedTokens)
    }

    /// Each model's tier over `period` (for `--by tier`), and each workflow's most frequent fallback
    /// reason in it (for the explanation).
    public func context(_ period: Period, zone: TimeZone, budget: Budget?, prices: PriceBook)
        throws -> (modelTiers: [Int64: String], fallbackReasons: [Int64: String]) {
        let span = period.interval(in: zone)
        let hours = (span.lowerBound.milliseconds / 3_600_000)..<((span.upperBound.milliseconds + 3_599_999) / 3_600_000)
        var callsByModelTier: [ModelTier: Int64] = [:]
        var reasons: [Int64: [Int64: Int64]] = [:]
        try RollupStore(db: db).forEachUsage(hours: hours) { key, sums in
            callsByModelTier[ModelTier(modelID: key.modelID, tierID: key.tierID), default: 0] += sums.calls
            if key.kind == Int64(CallKind.fallback.rawValue), key.fallbackReasonID != 0 {
                reasons[key.workflowID, default: [:]][key.fallbackReasonID, default: 0] += sums.calls
            }
        }
        let logged = callsByModelTier.map { (modelID: $0.key.modelID, tierID: $0.key.tierID, calls: $0.value) }
        let names = try NameDirectory(db: db)
        var canonical: [Int64: String] = [:]
        for (id, name) in names.all(.model) { canonical[id] = prices.match(name)?.model ?? name }
        let tiers = ModelTiers.resolve(logged: logged, names: names, budget: budget, canonical: canonical)
        var top: [Int64: String] = [:]
        for (w, counts) in reasons {
            if let best = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }), let name = names.name(.fallbackReason, best.key) {
                top[w] = name
            }
        }
        return (tiers, top)
    }
}

/// A model as logged with a tier (0: none).
struct ModelTier: Hashable {
    var modelID: Int64
    var tierID: Int64
}
