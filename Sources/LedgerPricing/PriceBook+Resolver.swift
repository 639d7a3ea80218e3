import LedgerIngest
import LedgerValues

extension PriceBook {
    /// A price lookup that remembers how each distinct model name resolved, for importers that price
    /// millions of requests with a few dozen model names.
    ///
    /// After the first request of a name, a lookup is one hash of the name plus a binary search over the
    /// model's (few) entries. Keep one per import; it is a value, not shared between threads.
    ///
    ///     var resolver = PriceBook.Resolver(book)
    ///     for call in calls { let entry = resolver.entry(for: call.model, at: call.timestamp) }
    public struct Resolver: Sendable {
        /// The book looked up.
        public let book: PriceBook
        private var memo: [String: Resolution] = [:]

        /// Names remembered before the memo is cleared, so that a log with unbounded distinct names
        /// cannot grow it without limit.
        public static let memoLimit = 100_000

        private enum Resolution: Sendable {
            case none
            case model(slot: Int, kind: ModelMatch.Kind)
        }

        /// A resolver with nothing remembered yet.
        public init(_ book: PriceBook) {
            self.book = book
        }

        /// Same as ``PriceBook/match(_:)``.
        public mutating func match(_ model: String) -> ModelMatch? {
            switch resolve(model) {
            case .none: nil
            case .model(let slot, let kind): ModelMatch(model: book.histories[slot].model, kind: kind)
            }
        }

        /// Same as ``PriceBook/entry(for:at:)``.
        public mutating func entry(for model: String, at time: Timestamp) -> PriceEntry? {
            switch resolve(model) {
            case .none: nil
            case .model(let slot, _): book.pricingEntry(slot: slot, day: PriceBook.utcDayNumber(time))
            }
        }

        private mutating func resolve(_ model: String) -> Resolution {
            if let r = memo[model] { return r }
            let r: Resolution = book.names.match(model).map { .model(slot: $0.slot, kind: $0.kind) } ?? .none
            if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[model] = r
            return r
        }
    }
}
