import LedgerIngest
import LedgerValues

/// The price of one call: the entry that priced it and the exact cost in picodollars.
public struct PriceQuote: Sendable, Equatable {
    public var entryID: Int64
    /// The cost by token component; `cost` is their sum.
    public var components: CostComponents
    public var cost: Int64 { components.total }

    /// Prices `call` with `book` (nil: unpriced).
    public static func of(_ call: CallRecord, in resolver: inout PriceBook.Resolver) -> PriceQuote? {
        guard let entry = resolver.entry(for: call.model, at: call.timestamp),
              let parts = entry.costComponents(of: call) else { return nil }
        return PriceQuote(entryID: entry.id, components: parts)
    }
}
