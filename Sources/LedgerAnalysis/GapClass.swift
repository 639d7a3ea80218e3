import LedgerPricing
import LedgerValues

/// What kind of gap a difference between a provider's bill and the routing logs is (`docs/reconciliation.md`).
///
/// Classes are tested in this order (METHODS §D); the first that applies takes the amount.
public enum GapClass: String, Sendable, CaseIterable, Hashable, Comparable {
    /// A difference on one day that the next day cancels: the same calls counted on either side of UTC
    /// midnight (time-zone handling, start vs end times). Explained over the period.
    case boundary
    /// Usage from an API key or project that never appears in the routing logs: calls that bypassed the gateway.
    case bypass
    /// The provider counted more requests than the logs (timed-out or aborted attempts billed but not logged).
    case unloggedAttempts = "unlogged_attempts"
    /// The logs count more requests than the provider billed (calls rejected before billing, duplicates).
    case loggedNotBilled = "logged_not_billed"
    /// Same requests, different tokens (cache accounting, reasoning, client-side estimates).
    case tokenMismatch = "token_mismatch"
    /// Same tokens, different cost: the provider's prices differ from the price book.
    case priceDrift = "price_drift"
    /// Billed tool use (web search, code execution) beyond the fees of the logged calls' tool uses, or short
    /// of them: per day and provider, the provider's tool lines less the logged fees.
    case toolFees = "tool_fees"
    /// Lines that are not token usage or tool use: credits, tax, adjustments, other charges.
    case nonUsage = "non_usage"
    /// Logged calls the price book cannot price (a model it does not know): at most what their tokens cost at
    /// their provider's highest rates, at least what they cost at its lowest; the whole gap of a cell whose
    /// usage cannot be valued at all (no priced usage, no priced model of the provider, no model named).
    case unpriced
    /// Billed amounts without a usage export to compare with.
    case unclassified

    /// Position in reports: the order of METHODS §D, then the residual classes.
    public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    /// Report order.
    public static func < (a: GapClass, b: GapClass) -> Bool { a.order < b.order }

    /// A short human label: `unlogged attempts`.
    public var label: String {
        switch self {
        case .nonUsage: "non-usage lines"
        case .loggedNotBilled: "logged, not billed"
        default: rawValue.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// Whether the class leaves part of the bill unexplained (everything but boundary effects).
    public var isUnexplained: Bool { self != .boundary }
}

/// Amounts by gap class, exact. Classes with no amount are absent.
public struct GapAmounts: Sendable, Equatable {
    /// The amount of each class that has one.
    public private(set) var amounts: [GapClass: Money] = [:]

    /// No amounts.
    public init() {}

    /// The given amounts (zero amounts are dropped).
    public init(_ pairs: [GapClass: Money]) {
        for (c, m) in pairs { add(m, to: c) }
    }

    /// The amount of class `c` (zero when absent).
    public subscript(_ c: GapClass) -> Money { amounts[c] ?? .zero }

    /// Adds `amount` to class `c` (a zero amount is not recorded).
    public mutating func add(_ amount: Money, to c: GapClass) {
        guard amount != .zero else { return }
        let v = self[c] + amount
        amounts[c] = v == .zero ? nil : v
    }

    /// Adds every class of `other`.
    public mutating func add(_ other: GapAmounts) {
        for (c, m) in other.amounts { add(m, to: c) }
    }

    /// The classes with an amount, in report order.
    public var sorted: [(GapClass, Money)] { amounts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// The sum of all classes.
    public var total: Money { amounts.values.sum() }

    /// The sum of the classes that leave the bill unexplained (all but boundary).
    public var unexplained: Money { amounts.filter { $0.key.isUnexplained }.values.sum() }

    /// Whether no class has an amount.
    public var isEmpty: Bool { amounts.isEmpty }
}
