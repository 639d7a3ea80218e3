import LedgerIngest
import LedgerValues

/// The price-book model a logged model name resolved to, and how.
///
///     book.match("openai/gpt-4.1-mini-2025-04-14")
///     // ModelMatch(model: "gpt-4.1-mini", kind: .snapshot)
public struct ModelMatch: Sendable, Hashable, CustomStringConvertible {
    /// The rule that matched, from the most to the least specific. See ``PriceBook/match(_:)``.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The name is a model key of the book.
        case exact
        /// The name is an alias listed by an entry of the model.
        case alias
        /// The names agree once a known `provider/` prefix is removed from one side.
        case providerPrefix = "provider_prefix"
        /// The name is a dated snapshot (`-20250929`, `-2025-04-14`, `@20250929`) of the model.
        case snapshot
    }

    /// The canonical model key, as written in the book.
    public var model: String
    /// The rule that matched.
    public var kind: Kind

    /// A match of `model` by the rule `kind`.
    public init(model: String, kind: Kind) {
        self.model = model
        self.kind = kind
    }

    /// `claude-sonnet-4-5 (snapshot)`.
    public var description: String { "\(model) (\(kind.rawValue))" }
}
