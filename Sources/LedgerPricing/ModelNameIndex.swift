import LedgerIngest
import LedgerValues

/// Resolves a model name from a log to one model of a price book (a "slot"), by the rules of
/// ``PriceBook/match(_:)``: exact name or alias, then a known `provider/` prefix removed from either side,
/// then a dated snapshot suffix removed.
///
/// Names are compared after trimming whitespace and lowercasing: model ids are lowercase in practice, and
/// no two real models differ only in case. When the rule that applies first finds more than one model,
/// the name is ambiguous and resolves to nothing (an unpriced request is visible; a wrong price is not).
struct ModelNameIndex: Sendable {
    /// What a name stands for in one of the maps.
    enum Target: Sendable, Equatable {
        case model(slot: Int, alias: Bool)
        case ambiguous([Int])
    }

    /// Model keys and aliases exactly as written.
    private var verbatim: [String: Target] = [:]
    /// Normalized model keys and aliases.
    private var normalized: [String: Target] = [:]
    /// Normalized keys and aliases with known provider prefixes removed (`gemini/gemini-2.5-flash` →
    /// `gemini-2.5-flash`).
    private var bare: [String: Target] = [:]
    /// Normalized first path segments that are provider names and may be removed.
    private(set) var providerPrefixes: Set<String>

    /// Provider prefixes recognised even when no entry of the book uses them: gateways and clouds that
    /// put a provider or route name before the model id.
    static let builtInProviderPrefixes: Set<String> = [
        "openai", "azure", "azure_ai", "anthropic", "google", "gemini", "vertex_ai", "mistral", "deepseek",
        "openrouter", "bedrock",
    ]

    /// - Parameter models: for each slot, its model key, the aliases of all its entries and its providers.
    init(models: [(key: String, aliases: [String], providers: [String])]) {
        var prefixes = Self.builtInProviderPrefixes
        for m in models {
            for p in m.providers { prefixes.insert(Self.normalize(p)) }
            for name in [m.key] + m.aliases {
                let n = Self.normalize(name)
                if let slash = n.firstIndex(of: "/"), slash != n.startIndex { prefixes.insert(String(n[..<slash])) }
            }
        }
        providerPrefixes = prefixes

        // Keys before aliases: a key always wins over another model's alias.
        for (slot, m) in models.enumerated() {
            Self.add(m.key, .model(slot: slot, alias: false), to: &verbatim)
            Self.add(Self.normalize(m.key), .model(slot: slot, alias: false), to: &normalized)
        }
        for (slot, m) in models.enumerated() {
            for alias in m.aliases {
                if verbatim[alias] == nil || Self.isAlias(verbatim[alias]) {
                    Self.add(alias, .model(slot: slot, alias: true), to: &verbatim)
                }
                let n = Self.normalize(alias)
                if normalized[n] == nil || Self.isAlias(normalized[n]) {
                    Self.add(n, .model(slot: slot, alias: true), to: &normalized)
                }
            }
        }
        for (slot, m) in models.enumerated() {
            for name in [m.key] + m.aliases {
                for form in strippedForms(Self.normalize(name)) {
                    Self.add(form, .model(slot: slot, alias: false), to: &bare)
                }
            }
        }
    }

    private static func isAlias(_ t: Target?) -> Bool {
        switch t {
        case .model(_, let alias): alias
        case .ambiguous: true
        case nil: false
        }
    }

    /// Records `target` for `name`; a second, different model makes the name ambiguous.
    private static func add(_ name: String, _ target: Target, to map: inout [String: Target]) {
        guard case .model(let slot, _) = target else { return }
        switch map[name] {
        case nil:
            map[name] = target
        case .model(let other, _) where other == slot:
            break
        case .model(let other, _):
            map[name] = .ambiguous([other, slot])
        case .ambiguous(let slots):
            if !slots.contains(slot) { map[name] = .ambiguous(slots + [slot]) }
        }
    }

    /// Trimmed and lowercased.
    static func normalize(_ name: String) -> String {
        name.trimmingWhitespace().lowercased()
    }

    /// Names (normalized) that resolve to more than one model at the first rule that applies to them.
    var ambiguousNames: [String] {
        var out: Set<String> = []
        for (name, t) in normalized { if case .ambiguous = t { out.insert(name) } }
        for (name, t) in bare where normalized[name] == nil { if case .ambiguous = t { out.insert(name) } }
        return out.sorted()
    }

    /// The slot of `name` when it is a key or alias exactly as written: the common case, one hash lookup.
    func exactMatch(_ name: String) -> (slot: Int, kind: ModelMatch.Kind)? {
        if case .model(let slot, let alias)? = verbatim[name] { return (slot, alias ? .alias : .exact) }
        return nil
    }

    /// The slot of `name` and the rule that found it, or nil (unknown or ambiguous).
    func match(_ name: String) -> (slot: Int, kind: ModelMatch.Kind)? {
        if let t = verbatim[name] {
            if case .model(let slot, let alias) = t { return (slot, alias ? .alias : .exact) }
            return nil
        }
        let n = Self.normalize(name)
        guard !n.isEmpty else { return nil }
        switch normalized[n] {
        case .model(let slot, let alias)?: return (slot, alias ? .alias : .exact)
        case .ambiguous?: return nil
        case nil: break
        }

        let forms = [n] + strippedForms(n) + Self.bedrockForms(n)
        // The log has a provider prefix the book does not (or Bedrock's geography, developer and version).
        for form in forms.dropFirst() {
            switch normalized[form] {
            case .model(let slot, _)?: return (slot, .providerPrefix)
            case .ambiguous?: return nil
            case nil: continue
            }
        }
        // The book has a provider prefix the log does not (or a different one).
        for form in forms {
            switch bare[form] {
            case .model(let slot, _)?: return (slot, .providerPrefix)
            case .ambiguous?: return nil
            case nil: continue
            }
        }
        // A dated snapshot of a model the book prices without the date.
        for form in forms {
            guard let base = Self.snapshotBase(form) else { continue }
            switch normalized[base] ?? bare[base] {
            case .model(let slot, _)?: return (slot, .snapshot)
            case .ambiguous?: return nil
            case nil: continue
            }
        }
        return nil
    }

    /// The slot `name` would resolve to by rules 2 and 3 (provider prefix, snapshot) if it were not
    /// itself the key of `own`: the model that priced the name before the book gave it its own entries.
    /// Nil when none, or when a rule finds two models.
    func matchBeyond(_ name: String, own: Int) -> Int? {
        let n = Self.normalize(name)
        guard !n.isEmpty else { return nil }
        func other(_ t: Target?) -> Int?? {
            switch t {
            case .model(let slot, _)? where slot != own: return .some(slot)
            case .ambiguous?: return .some(nil)
            default: return nil
            }
        }
        let forms = [n] + strippedForms(n) + Self.bedrockForms(n)
        for form in forms.dropFirst() { if let r = other(normalized[form]) { return r } }
        for form in forms { if let r = other(bare[form]) { return r } }
        for form in forms {
            guard let base = Self.snapshotBase(form) else { continue }
            if let r = other(normalized[base] ?? bare[base]) { return r }
        }
        return nil
    }

    /// `name` with leading provider segments removed one at a time, longest first, stopping at the
    /// first segment that is not a known provider: `openrouter/openai/gpt-4o` → `openai/gpt-4o`, `gpt-4o`;
    /// `bedrock/us-east-1/x` → `us-east-1/x` only.
    func strippedForms(_ name: String) -> [String] {
        var out: [String] = []
        var rest = Substring(name)
        while let slash = rest.firstIndex(of: "/") {
            guard providerPrefixes.contains(String(rest[..<slash])) else { break }
            rest = rest[rest.index(after: slash)...]
            guard !rest.isEmpty else { break }
            out.append(String(rest))
        }
        return out
    }

    /// The name without a trailing release date, or nil when it has none: `-YYYYMMDD` (Anthropic),
    /// `-YYYY-MM-DD` (OpenAI), `@YYYYMMDD` (Vertex AI). The date must be a plausible calendar date
    /// (years 2000–2099) so that version numbers such as `-2411` or `-0125` are left alone.
    static func snapshotBase(_ name: String) -> String? {
        let u = Array(name.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                let c = u[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        func plausible(_ y: Int, _ m: Int, _ d: Int) -> Bool {
            (2000...2099).contains(y) && (1...12).contains(m) && d >= 1 && d <= CivilDate.daysIn(month: m, year: y)
        }
        let n = u.count
        // -YYYY-MM-DD
        if n > 11, u[n - 11] == 0x2D, u[n - 6] == 0x2D, u[n - 3] == 0x2D,
           let y = digits(n - 10 ..< n - 6), let m = digits(n - 5 ..< n - 3), let d = digits(n - 2 ..< n),
           plausible(y, m, d) {
            return String(decoding: u[..<(n - 11)], as: UTF8.self)
        }
        // -YYYYMMDD or @YYYYMMDD
        if n > 9, u[n - 9] == 0x2D || u[n - 9] == 0x40,
           let y = digits(n - 8 ..< n - 4), let m = digits(n - 4 ..< n - 2), let d = digits(n - 2 ..< n),
           plausible(y, m, d) {
            return String(decoding: u[..<(n - 9)], as: UTF8.self)
        }
        return nil
    }
}
