import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Reads what a what-if needs: the period's calls grouped by action, with their action's facts and the
/// quality their metadata carries.
public struct WhatIfLoader {
    let db: Database

    public init(db: Database) { self.db = db }

    /// The names, the stored price book and the routing table in force, for `period`.
    public func context(period: Period, zoneName: String, baseline: Budget?, book: PriceBook? = nil) throws -> WhatIfContext {
        WhatIfContext(period: period, zoneName: zoneName, names: try NameDirectory(db: db),
                      book: try book ?? PriceStore(db: db).storedBook(), baseline: baseline)
    }

    /// Calls `body` once per action with calls in `interval`, with those calls in time order. An action's
    /// workflow, segment and outcome are its stored facts (`actions`); `quality_score` comes from the
    /// call's own field, else from its `metadata` (`quality_score`, or `spend_logs_metadata.quality_score`),
    /// and `corrected` from its metadata.
    ///
    /// Actions come in the order their last call in the interval was made; those that continue after the
    /// interval come last, by key.
    ///
    /// - Complexity: one read of the interval's calls in time order (no sort), holding the calls of the
    ///   actions still open: an action is complete once it has as many calls as its stored facts count.
    public func forEachAction(in interval: Range<Timestamp>, _ body: (WhatIfAction) throws -> Void) throws {
        let ids = RowID.range(interval)
        let metadata = try metadataFacts()
        let columns = RequestScan.columns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let s = try db.prepare("""
            SELECT \(columns.joined(separator: ", ")), a.calls, a.first_request, a.workflow_id, a.segment_id,
                   coalesce(a.outcome, CASE WHEN a.last_status = 1 THEN 1 ELSE 2 END), r.metadata_id
            FROM requests r LEFT JOIN action_keys ax ON ax.key = r.action_key LEFT JOIN actions a ON a.id = ax.action
            WHERE r.id BETWEEN ? AND ? ORDER BY r.id
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var open: [Int64: WhatIfAction] = [:]
        var remaining: [Int64: Int64] = [:]
        while try s.step() {
            let stored = RequestScan.read(s)
            let facts = s.optionalInt64(RequestScan.columnCount + 5).flatMap { metadata[$0] }
            var call = WhatIfCall(stored, corrected: facts?.corrected)
            if call.qualityScore == nil { call.qualityScore = facts?.quality }
            let key = stored.actionKey
            if open[key] != nil {
                open[key]?.calls.append(call)
                let left = (remaining[key] ?? 1) - 1
                if left <= 0, let done = open.removeValue(forKey: key) {
                    remaining[key] = nil
                    try body(done)
                } else {
                    remaining[key] = left
                }
                continue
            }
            let known = !s.isNull(RequestScan.columnCount)
            let action = WhatIfAction(
                key: key,
                workflowID: known ? s.optionalInt64(RequestScan.columnCount + 2) : stored.workflowID,
                segmentID: known ? s.optionalInt64(RequestScan.columnCount + 3) : stored.segmentID,
                startsInPeriod: known ? ids.contains(s.int64(RequestScan.columnCount + 1)) : true,
                outcome: ActionOutcome(rawValue: Int(s.int64(RequestScan.columnCount + 4))) ?? (stored.status == .ok ? .completed : .failed),
                calls: [call])
            let total = known ? s.int64(RequestScan.columnCount) : 1
            if total <= 1 {
                try body(action)
            } else {
                open[key] = action
                remaining[key] = total - 1
            }
        }
        // Actions with calls after the interval (or before it, when their stored count includes those).
        for key in open.keys.sorted() {
            if let a = open[key] { try body(a) }
        }
    }

    /// Quality facts of the stored metadata that carry any (a scan of the metadata table; the calls of
    /// the interval look their metadata up by id).
    func metadataFacts() throws -> [Int64: (quality: Double?, corrected: Bool?)] {
        let s = try db.prepare("SELECT id, name FROM metadata WHERE instr(name, 'quality_score') > 0 OR instr(name, 'corrected') > 0")
        var out: [Int64: (quality: Double?, corrected: Bool?)] = [:]
        while try s.step() {
            guard let text = s.text(1), let facts = Self.qualityFacts(metadata: text) else { continue }
            out[s.int64(0)] = facts
        }
        return out
    }

    /// `quality_score` (a number or numeric text between 0 and 1) and `corrected` (a boolean) from a
    /// metadata object, at its top level or inside `spend_logs_metadata`; nil when it has neither.
    public static func qualityFacts(metadata text: String) -> (quality: Double?, corrected: Bool?)? {
        guard let json = try? JSONValue.parse(text), json.object != nil else { return nil }
        func field(_ key: String) -> JSONValue? {
            if let v = json[key], !v.isNull { return v }
            if let v = json["spend_logs_metadata"]?[key], !v.isNull { return v }
            return nil
        }
        var quality = field("quality_score")?.double
        if let q = quality, !(q.isFinite && q >= 0 && q <= 1) { quality = nil }
        let corrected = field("corrected")?.bool
        return quality == nil && corrected == nil ? nil : (quality, corrected)
    }
}
