import LedgerIngest
import LedgerValues
import Synchronization

/// How model names resolved, remembered for a ``PriceBook`` and shared by its copies (they share one
/// immutable index). Bounded: cleared when it reaches ``limit`` names.
final class NameMemo: Sendable {
    /// A remembered resolution; `slot` is -1 for a name that resolves to nothing.
    struct Resolution: Sendable {
        var slot: Int
        var kind: ModelMatch.Kind
    }

    static let limit = 100_000
    private let names = Mutex<[String: Resolution]>([:])

    /// The remembered resolution of `name`, or `compute`'s, remembered.
    func resolve(_ name: String, compute: (String) -> (slot: Int, kind: ModelMatch.Kind)?) -> (slot: Int, kind: ModelMatch.Kind)? {
        if let r = names.withLock({ $0[name] }) { return r.slot < 0 ? nil : (r.slot, r.kind) }
        let m = compute(name)
        let r = m.map { Resolution(slot: $0.slot, kind: $0.kind) } ?? Resolution(slot: -1, kind: .exact)
        names.withLock { memo in
            if memo.count >= Self.limit { memo.removeAll(keepingCapacity: true) }
            memo[name] = r
        }
        return m
    }
}
