import LedgerPricing
import LedgerValues

/// Chooses, for each provider and UTC day, the rows of one export to reconcile, so that overlapping
/// exports of different shapes are not added up.
///
/// Re-importing the same bucket replaces it (natural keys), but two exports can cover the same day in
/// different shapes: daily and hourly buckets, a download grouped by model and one grouped by model and
/// project, the Admin API (ids) and the Console CSV (names). Each would count the day's usage in full.
/// So per provider, day and kind (usage or cost), the rows are grouped by the shape of the import they
/// came from — export kind, bucket width, and which grouping values are filled — and only the best shape
/// is kept: the widest buckets (they are the provider's own day totals), then ids over names, then the
/// finest grouping. Rows of every import with that same shape are kept together (later downloads of the
/// same report agree with earlier ones on what they share).
struct ExportSelection<Record> {
    let provider: (Record) -> String
    let day: (Record) -> Int
    let export: (Record) -> ProviderExportKind
    let width: (Record) -> Int64
    let mask: (Record) -> Int
    let source: (Record) -> Int64

    /// Rows that were set aside, per provider and source.
    struct SetAside: Hashable {
        var provider: String
        var source: Int64
    }

    struct Shape: Hashable {
        var export: ProviderExportKind
        var width: Int64
        var mask: Int
    }

    /// The rows of one import of one width.
    struct Unit: Hashable {
        var source: Int64
        var export: ProviderExportKind
        var width: Int64
    }

    struct Slot: Hashable {
        var provider: String
        var day: Int
    }

    func select(_ records: [Record]) -> (kept: [Record], setAside: [SetAside: (rows: Int, days: Set<Int>)]) {
        var bySlot: [Slot: [Int]] = [:]
        for (i, r) in records.enumerated() { bySlot[Slot(provider: provider(r), day: day(r)), default: []].append(i) }
        var keep = [Bool](repeating: false, count: records.count)
        var setAside: [SetAside: (rows: Int, days: Set<Int>)] = [:]
        for (slot, indices) in bySlot {
            var masks: [Unit: Int] = [:]
            for i in indices {
                let r = records[i]
                masks[Unit(source: source(r), export: export(r), width: width(r)), default: 0] |= mask(r)
            }
            let shapes = Set(masks.map { Shape(export: $0.key.export, width: $0.key.width, mask: $0.value) })
            guard let best = shapes.min(by: Self.better) else { continue }
            for i in indices {
                let r = records[i]
                let unit = Unit(source: source(r), export: export(r), width: width(r))
                if Shape(export: unit.export, width: unit.width, mask: masks[unit] ?? 0) == best {
                    keep[i] = true
                } else {
                    let key = SetAside(provider: slot.provider, source: unit.source)
                    var entry = setAside[key] ?? (0, [])
                    entry.rows += 1
                    entry.days.insert(slot.day)
                    setAside[key] = entry
                }
            }
        }
        return (records.indices.filter { keep[$0] }.map { records[$0] }, setAside)
    }

    /// Whether shape `a` is preferred over `b`.
    static func better(_ a: Shape, _ b: Shape) -> Bool {
        if a.width != b.width { return a.width > b.width }
        if a.export != b.export { return a.export.preference < b.export.preference }
        let pa = a.mask.nonzeroBitCount, pb = b.mask.nonzeroBitCount
        if pa != pb { return pa > pb }
        return a.mask < b.mask
    }
}

extension ProviderUsageRow {
    /// Which grouping values the row fills, one bit each; 0 for a request's row (requests never overlap).
    var groupingMask: Int {
        if recordID != nil { return 0 }
        let dims: [Bool] = [model != nil, project != nil, apiKey != nil, user != nil, batch != nil, serviceTier != nil,
                            contextWindow != nil, inferenceGeo != nil, speed != nil]
        return dims.enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }
    }
}

extension ProviderCostRow {
    /// Which grouping values the line fills, one bit each; 0 for a request's line.
    var groupingMask: Int {
        if recordID != nil { return 0 }
        let dims: [Bool] = [model != nil, project != nil, apiKey != nil, lineItem != nil, costType != nil, tokenKind != nil,
                            serviceTier != nil, contextWindow != nil]
        return dims.enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }
    }
}
