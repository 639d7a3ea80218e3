import LedgerPricing
import LedgerValues

/// A cloud's bill (a FOCUS export) has no usage report beside it: its lines carry the tokens they bill
/// (`ConsumedQuantity` of a token SKU). Reconciliation reads those lines as the provider's usage too, so a
/// Bedrock, Azure or Vertex AI day is compared token by token and its gap classified as an OpenAI or
/// Anthropic day is (token mismatch, price drift, bypass …), not left unclassified.
extension Reconciliation {
    /// One usage row per bucket, provider, model, account, tier and geography, adding up the token lines of
    /// the selected FOCUS cost lines; lines without a token quantity add nothing.
    static func usageOfBills(_ costs: [ProviderCostRecord]) -> [ProviderUsageRecord] {
        var rows: [String: ProviderUsageRecord] = [:]
        var order: [String] = []
        for c in costs where c.row.export == .focus && c.row.category == .usage {
            guard let kind = c.row.tokenKind, let n = c.row.quantityTokens else { continue }
            let r = c.row
            var u = ProviderUsageRow(provider: r.provider, export: .focus, bucketStart: r.bucketStart, bucketEnd: r.bucketEnd)
            u.model = r.model
            u.project = r.project
            u.serviceTier = r.serviceTier
            u.batch = r.serviceTier == "batch" ? true : nil
            u.inferenceGeo = r.inferenceGeo
            let key = "\(c.sourceID) \(u.naturalKey)"
            if rows[key] == nil {
                rows[key] = ProviderUsageRecord(u, sourceID: c.sourceID)
                order.append(key)
            }
            switch kind {
            case .uncachedInput: rows[key]!.row.uncachedInputTokens &+= n
            case .cachedInput: rows[key]!.row.cachedInputTokens &+= n
            case .cacheWrite5m: rows[key]!.row.cacheWrite5mTokens &+= n
            case .cacheWrite1h: rows[key]!.row.cacheWrite1hTokens &+= n
            case .output: rows[key]!.row.outputTokens &+= n
            }
        }
        return order.map { rows[$0]! }
    }
}
