import LedgerPricing
import LedgerValues

/// Which tier each model is in, for one report: the tier most of its calls were logged with (a log's
/// own `tier` wins), else the budget's tier map (tried with the logged name and the price book's
/// name for it), else none.
public enum ModelTiers {
    /// - Parameters:
    ///   - logged: calls per model and logged tier id (tier 0: none logged).
    ///   - canonical: the price book's name for each model id.
    public static func resolve(logged: [(modelID: Int64, tierID: Int64, calls: Int64)], names: NameDirectory,
                               budget: Budget?, canonical: [Int64: String]) -> [Int64: String] {
        var counts: [Int64: [Int64: Int64]] = [:]
        for l in logged where l.tierID != 0 { counts[l.modelID, default: [:]][l.tierID, default: 0] += l.calls }
        var out: [Int64: String] = [:]
        for (modelID, name) in names.all(.model) {
            if let c = counts[modelID], let top = c.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
               let tier = names.name(.tier, top.key) {
                out[modelID] = tier
            } else if let tier = budget?.tier(ofModel: name, canonical: canonical[modelID]) {
                out[modelID] = tier
            }
        }
        return out
    }
}
