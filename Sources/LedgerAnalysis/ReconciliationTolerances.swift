import LedgerPricing
import LedgerValues

/// How far the provider's figures and the logs may differ before a difference counts as a gap
/// (METHODS §D). Relative tolerances are integer parts per million, so no money passes through floating
/// point: 0.5 % is 5,000 ppm.
public struct ReconciliationTolerances: Sendable, Equatable {
    /// Requests a comparison cell may differ by. Default 0 (on closed days the counts must agree).
    public var requests: Int64 = 0
    /// Tokens of any one kind a comparison cell may differ by. Default 0.
    public var tokens: Int64 = 0
    /// A cell's cost gap within this amount is matched. Default $0.01.
    public var cellCost: Money = Money(picos: Int64(10_000_000_000))
    /// …or within this share of the cell's billed amount, whichever is larger. Default 5,000 ppm (0.5 %).
    public var cellCostPartsPerMillion: Int64 = 5_000
    /// The period reconciles when the total gap is within this share of the billed usage. Default 1,000 ppm (0.1 %).
    public var totalPartsPerMillion: Int64 = 1_000
    /// Days that ended less than this many hours before "now" are provisional: providers still add late
    /// usage, so re-check them later. Default 48.
    public var openHours: Int64 = 48
    /// How many days and models the headline lists where the unexplained amount is largest. Default 5.
    public var ranked: Int = 5

    /// The defaults above.
    public init() {}

    /// Whether a cell gap is within tolerance of its billed amount.
    public func cellAllows(_ gap: Money, billed: Money) -> Bool {
        allows(gap, of: billed, absolute: cellCost, ppm: cellCostPartsPerMillion)
    }

    /// Whether the period's total gap is within tolerance of the billed usage.
    public func totalAllows(_ gap: Money, billed: Money) -> Bool {
        allows(gap, of: billed, absolute: .zero, ppm: totalPartsPerMillion)
    }

    func allows(_ gap: Money, of base: Money, absolute: Money, ppm: Int64) -> Bool {
        let g = gap.picos < 0 ? -gap.picos : gap.picos
        let b = base.picos < 0 ? -base.picos : base.picos
        // g ≤ max(absolute, b × ppm / 10⁶), compared without division.
        return g <= absolute.picos || g * 1_000_000 <= b * Int128(ppm)
    }
}
