/// One row of a provider's own usage export: what the provider counted for one time bucket and one
/// combination of grouping dimensions (or, for per-request exports such as OpenRouter's, one request).
///
/// Token kinds are stored disjoint, exactly as the provider bills them; ``inputTokens`` gives the total in
/// TokenLedger's convention (all input, cache reads and cache writes included), so a row compares directly
/// with logged calls. Reasoning tokens are part of ``outputTokens``.
///
///     var row = ProviderUsageRow(provider: "anthropic", export: .api, bucketStart: t0, bucketEnd: t1)
///     row.uncachedInputTokens = 1500; row.cacheWrite5mTokens = 2000; row.cachedInputTokens = 40000
///     row.inputTokens   // 43500
public struct ProviderUsageRow: Sendable, Equatable {
    /// Who bills the usage: `openai`, `anthropic`, `openrouter`.
    public var provider: String
    /// Which kind of export the row came from; rows of different kinds never replace each other.
    public var export: ProviderExportKind
    /// The first instant of the bucket (UTC).
    public var bucketStart: Timestamp
    /// The instant after the bucket (exclusive); equal to ``bucketStart`` for one request.
    public var bucketEnd: Timestamp
    /// The model as exported (often a dated snapshot, e.g. `gpt-4.1-mini-2025-04-14`).
    public var model: String?
    /// OpenAI's project id, or Anthropic's workspace (id from the Admin API, name from the Console).
    public var project: String?
    /// The API key (id, or name where the export only has names).
    public var apiKey: String?
    /// OpenAI's user id, OpenRouter's user.
    public var user: String?
    /// Whether the usage went through a batch API; nil when the export does not say.
    public var batch: Bool?
    /// The provider's service tier as exported (`default`, `standard`, `batch`, `priority`, `flex`, …).
    public var serviceTier: String?
    /// Anthropic's context-window band (`0-200k`, `200k-1M`).
    public var contextWindow: String?
    /// Anthropic's inference geography.
    public var inferenceGeo: String?
    /// Anthropic's speed option.
    public var speed: String?
    /// The provider's id of a single request (OpenRouter generation id); nil for buckets.
    public var recordID: String?
    /// Requests the provider counted; nil when the export has no request count (Anthropic's Console CSV).
    public var requests: Int64?
    /// Input tokens neither read from nor written to a cache.
    public var uncachedInputTokens: Int64 = 0
    /// Input tokens read from a cache.
    public var cachedInputTokens: Int64 = 0
    /// Input tokens written to a 5-minute cache (OpenAI's cache writes are counted here).
    public var cacheWrite5mTokens: Int64 = 0
    /// Input tokens written to a 1-hour cache.
    public var cacheWrite1hTokens: Int64 = 0
    /// Output tokens, reasoning included.
    public var outputTokens: Int64 = 0
    /// Reasoning tokens (part of ``outputTokens``), where the export gives them.
    public var reasoningTokens: Int64 = 0
    /// Server-side web searches (Anthropic), billed apart from tokens.
    public var webSearchRequests: Int64 = 0

    /// A row of `provider` for the bucket `[bucketStart, bucketEnd)`, with no usage yet.
    public init(provider: String, export: ProviderExportKind, bucketStart: Timestamp, bucketEnd: Timestamp) {
        self.provider = provider
        self.export = export
        self.bucketStart = bucketStart
        self.bucketEnd = bucketEnd
    }

    /// All input in TokenLedger's convention: uncached + cache reads + cache writes.
    public var inputTokens: Int64 {
        uncachedInputTokens &+ cachedInputTokens &+ cacheWrite5mTokens &+ cacheWrite1hTokens
    }

    /// The bucket width in milliseconds (0 for one request).
    public var widthMilliseconds: Int64 { bucketEnd.milliseconds - bucketStart.milliseconds }

    /// Whether the row counts nothing at all (an empty bucket of a dashboard CSV).
    public var isEmpty: Bool {
        (requests ?? 0) == 0 && inputTokens == 0 && outputTokens == 0 && webSearchRequests == 0
    }

    /// The largest count of one kind accepted on one row (10¹⁵, far above any real bucket).
    public static let maxCount: Int64 = 1_000_000_000_000_000

    /// The rules every row obeys, whatever its format; an importer rejects a row that breaks one.
    public func validationProblem() -> RejectReason? {
        let counts = [requests ?? 0, uncachedInputTokens, cachedInputTokens, cacheWrite5mTokens, cacheWrite1hTokens,
                      outputTokens, reasoningTokens, webSearchRequests]
        if counts.contains(where: { $0 < 0 }) { return .negativeTokens }
        if counts.contains(where: { $0 > Self.maxCount }) { return .outOfRange("count above \(Self.maxCount)") }
        if reasoningTokens > outputTokens { return .reasoningExceedsOutput }
        if bucketEnd < bucketStart { return .outOfRange("bucket ends before it starts") }
        if provider.isEmpty { return .missingField("provider") }
        return nil
    }

    /// The identity of the row across downloads: the same bucket with the same grouping values is the
    /// same row, whichever file it came from (a later import replaces it). A request's row is identified
    /// by its id alone.
    public var naturalKey: String {
        if let recordID {
            return ProviderNaturalKey.text(["usage", provider, export.rawValue, "record", recordID])
        }
        return ProviderNaturalKey.text([
            "usage", provider, export.rawValue, String(bucketStart.milliseconds), String(bucketEnd.milliseconds),
            model, project, apiKey, user, batch.map { $0 ? "1" : "0" }, serviceTier, contextWindow, inferenceGeo, speed,
        ])
    }
}

/// Which family of export a provider row comes from. Exports of one family describe the same buckets
/// with the same identifiers (OpenAI's dashboard CSV is a rendering of its Usage API), so their rows
/// replace each other; rows of different families are never merged but chosen between per day.
public enum ProviderExportKind: String, Sendable, CaseIterable, Hashable {
    /// An API report or its faithful CSV rendering: buckets with provider ids.
    case api
    /// A console download that names keys and workspaces instead of giving their ids (Anthropic Console).
    case console
    /// One row per request (OpenRouter generations).
    case generation
    /// A cloud's FOCUS cost and usage export (AWS, Azure, Google Cloud).
    case focus

    /// Preference when two families cover the same day: ids before names, buckets before requests.
    package var preference: Int {
        switch self {
        case .api: 0
        case .console: 1
        case .generation: 2
        case .focus: 3
        }
    }
}

/// Builds natural keys as compact JSON arrays: unambiguous whatever the values contain.
enum ProviderNaturalKey {
    static func text(_ parts: [String?]) -> String {
        "[" + parts.map { $0.map(JSONText.quote) ?? "null" }.joined(separator: ",") + "]"
    }
}
