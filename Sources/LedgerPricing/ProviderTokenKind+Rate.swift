import LedgerIngest
import LedgerValues

extension ProviderTokenKind {
    /// The rate of this kind in a resolved price card.
    public func rate(in card: RateCard.Resolved) -> Rate {
        switch self {
        case .uncachedInput: card.input
        case .cachedInput: card.cachedInput
        case .cacheWrite5m: card.cacheWrite5m
        case .cacheWrite1h: card.cacheWrite1h
        case .output: card.output
        }
    }
}
