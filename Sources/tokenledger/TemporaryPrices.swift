import TokenLedger
extension PriceStore {
    func loadBook() throws -> PriceLookup { NoPrices() }
}
struct NoPrices: PriceLookup { func entry(for model: String, at time: Timestamp) -> PriceEntry? { nil } }
