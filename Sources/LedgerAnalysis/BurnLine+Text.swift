import LedgerPricing
import LedgerValues

extension BurnLine {
    /// The forecast range (`$80.00–$95.00`), or why it has none.
    public var rangeText: String {
        switch range {
        case .band: "\(forecastLow.display())–\(forecastHigh.display())"
        case let .tooLittleHistory(days, needed): "too little history (\(days) of \(needed) days)"
        case .monthComplete: "month complete"
        }
    }
}
