/// One call to a model, normalised from any input format.
///
/// Token convention: `inputTokens` counts all input, cached reads and cache writes included;
/// `reasoningTokens` are part of `outputTokens`. Importers of formats with disjoint token kinds
/// (Anthropic's) add them up before building a record.
public struct CallRecord: Sendable, Equatable {
    public var requestID: String
    public var timestamp: Timestamp
    public var model: String
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var cachedInputTokens: Int64 = 0
    /// Tokens written to a 5-minute cache.
    public var cacheWriteTokens: Int64 = 0
    /// Tokens written to a 1-hour cache.
    public var cacheWrite1hTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0

    /// Groups the calls behind one user-level request; nil: the call is its own action.
    public var actionID: String?
    /// nil: `unassigned`.
    public var workflow: String?
    public var team: String?
    public var userID: String?
    public var userSegment: String?
    public var project: String?
    public var apiKeyID: String?
    public var provider: String?
    /// The log's own tier; it wins over the budget's tier map.
    public var tier: String?
    public var attempt: Int?
    public var kind: CallKind = .primary
    public var fallbackReason: String?
    public var fallbackFrom: String?
    public var status: CallStatus = .ok
    public var actionOutcome: ActionOutcome?
    public var latencyMs: Int64?
    public var batch: Bool = false
    public var serviceTier: ServiceTier = .standard
    public var qualityScore: Double?
    /// What the gateway itself computed; kept for cross-checking, never trusted over the price book.
    public var gatewayCost: Money?
    /// An object, kept as compact JSON text.
    public var metadata: String?
    /// Audio and image tokens, generated images, billed tool uses and price-changing request attributes;
    /// nil when the call has none (see ``CallExtras``).
    public var extras: CallExtras? {
        get { extrasBox?.value }
        set { extrasBox = newValue.map(ExtrasBox.init) }
    }
    /// Boxed: most calls have no extras, and a call record is copied along the import's pipeline, so
    /// it keeps one reference instead of the extras' hundred-odd bytes.
    private var extrasBox: ExtrasBox?

    public init(requestID: String, timestamp: Timestamp, model: String, inputTokens: Int64, outputTokens: Int64) {
        self.requestID = requestID
        self.timestamp = timestamp
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// Input tokens that were neither read from nor written to a cache.
    public var uncachedInputTokens: Int64 { inputTokens - cachedInputTokens - cacheWriteTokens - cacheWrite1hTokens }

    /// The limits every record obeys, whatever its format; an importer rejects a record that breaks one.
    public func validationProblem() -> RejectReason? {
        let counts = [inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, reasoningTokens]
        if counts.contains(where: { $0 < 0 }) { return .negativeTokens }
        if counts.contains(where: { $0 > CallRecord.maxTokens }) { return .outOfRange("token count above \(CallRecord.maxTokens)") }
        if cachedInputTokens + cacheWriteTokens + cacheWrite1hTokens > inputTokens { return .cachedExceedsInput }
        if reasoningTokens > outputTokens { return .reasoningExceedsOutput }
        if requestID.isEmpty { return .missingField("request_id") }
        if model.isEmpty { return .missingField("model") }
        if let a = attempt, a < 1 || a > 10_000 { return .outOfRange("attempt must be between 1 and 10000") }
        if let l = latencyMs, l < 0 || l > 86_400_000 * 7 { return .outOfRange("latency_ms must be between 0 and 7 days") }
        if let q = qualityScore, !(q >= 0 && q <= 1) { return .outOfRange("quality_score must be between 0 and 1") }
        if let e = extras, let p = e.validationProblem(input: inputTokens, cached: cachedInputTokens, output: outputTokens,
                                                       reasoning: reasoningTokens) {
            return p
        }
        return nil
    }

    /// The largest token count of one kind accepted on one call (one billion).
    public static let maxTokens: Int64 = 1_000_000_000
}

/// The role of a call inside its action.
public enum CallKind: Int, Sendable, CaseIterable, Codable {
    case primary = 1, retry = 2, fallback = 3, classifier = 4, validation = 5

    public var name: String {
        switch self {
        case .primary: "primary"
        case .retry: "retry"
        case .fallback: "fallback"
        case .classifier: "classifier"
        case .validation: "validation"
        }
    }

    public init?(name: String) {
        guard let k = CallKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = k
    }
}

/// How a call ended.
public enum CallStatus: Int, Sendable, CaseIterable, Codable {
    case ok = 1, error = 2, timeout = 3, rateLimited = 4, invalidOutput = 5

    public var name: String {
        switch self {
        case .ok: "ok"
        case .error: "error"
        case .timeout: "timeout"
        case .rateLimited: "rate_limited"
        case .invalidOutput: "invalid_output"
        }
    }

    public init?(name: String) {
        guard let s = CallStatus.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }
}

/// How a user-level action ended.
public enum ActionOutcome: Int, Sendable, CaseIterable, Codable {
    case completed = 1, failed = 2, abandoned = 3

    public var name: String {
        switch self {
        case .completed: "completed"
        case .failed: "failed"
        case .abandoned: "abandoned"
        }
    }

    public init?(name: String) {
        guard let o = ActionOutcome.allCases.first(where: { $0.name == name }) else { return nil }
        self = o
    }
}

/// The provider's processing tier, priced at that tier's rates where the price book has them.
public enum ServiceTier: Int, Sendable, CaseIterable, Codable {
    case standard = 1, flex = 2, priority = 3

    public var name: String {
        switch self {
        case .standard: "default"
        case .flex: "flex"
        case .priority: "priority"
        }
    }

    /// Accepts the names providers use: `default`, `auto`, `standard`, `scale` are the standard tier.
    public init?(name: String) {
        switch name.lowercased() {
        case "default", "auto", "standard", "scale", "on_demand": self = .standard
        case "flex", "flex_discount": self = .flex
        case "priority", "priority_on_demand": self = .priority
        default: return nil
        }
    }
}

/// Why an input row was not imported. Every reason has a stable code (kept in the rejects table).
public enum RejectReason: Sendable, Equatable, Error, CustomStringConvertible {
    case malformedJSON(String)
    case invalidUTF8
    case missingField(String)
    case wrongType(field: String, expected: String)
    case negativeTokens
    case cachedExceedsInput
    case reasoningExceedsOutput
    case outOfRange(String)
    case invalidTimestamp(String)
    case unknownValue(field: String, value: String)
    case truncatedLine
    case conflict(String)
    case tooLong(Int)
    case unsupported(String)

    /// A short, stable code used to group rejects.
    public var code: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .invalidUTF8: "invalid_utf8"
        case .missingField: "missing_field"
        case .wrongType: "wrong_type"
        case .negativeTokens: "negative_tokens"
        case .cachedExceedsInput: "cached_exceeds_input"
        case .reasoningExceedsOutput: "reasoning_exceeds_output"
        case .outOfRange: "out_of_range"
        case .invalidTimestamp: "invalid_timestamp"
        case .unknownValue: "unknown_value"
        case .truncatedLine: "truncated_line"
        case .conflict: "conflict"
        case .tooLong: "line_too_long"
        case .unsupported: "unsupported"
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let why): "malformed JSON: \(why)"
        case .invalidUTF8: "invalid UTF-8"
        case .missingField(let f): "missing required field `\(f)`"
        case .wrongType(let f, let expected): "field `\(f)` must be \(expected)"
        case .negativeTokens: "negative token count"
        case .cachedExceedsInput: "cached and cache-write tokens exceed input_tokens (input counts all input, cached included)"
        case .reasoningExceedsOutput: "reasoning_tokens exceed output_tokens (reasoning is part of output)"
        case .outOfRange(let why): "number out of range: \(why)"
        case .invalidTimestamp(let t): "invalid timestamp \(t)"
        case .unknownValue(let f, let v): "unknown \(f) `\(v)`"
        case .truncatedLine: "truncated last line (no line end and not valid)"
        case .conflict(let why): "conflict: \(why)"
        case .tooLong(let n): "line too long (\(n) bytes)"
        case .unsupported(let why): "unsupported: \(why)"
        }
    }
}

/// A call's extras behind one reference (``CallRecord/extras``); immutable, compared by value.
final class ExtrasBox: Sendable, Equatable {
    let value: CallExtras
    init(_ value: CallExtras) { self.value = value }
    static func == (a: ExtrasBox, b: ExtrasBox) -> Bool { a.value == b.value }
}
