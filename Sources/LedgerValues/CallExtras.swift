/// What a call is charged for beyond its text tokens: audio and image tokens, generated images, billed
/// server-side tool uses, and the request attributes that change its price (fast mode, data residency, a
/// cloud's regional endpoint).
///
/// Token counts here are **parts** of the call's own counts, as cached tokens are: audio and image input
/// tokens are part of ``CallRecord/inputTokens``, cached audio tokens part of both the audio input and
/// ``CallRecord/cachedInputTokens``, audio and image output tokens part of ``CallRecord/outputTokens``.
///
///     var e = CallExtras()
///     e.audioInputTokens = 1_200        // of the call's 1,500 input tokens
///     e.toolCalls["web_search"] = 2     // two billed searches
///     e.speed = "fast"
///
/// Most calls have none; ``CallRecord/extras`` is nil for them, and nothing about them costs more to store.
public struct CallExtras: Sendable, Hashable {
    /// Audio input tokens (cached ones included).
    public var audioInputTokens: Int64 = 0
    /// Audio input tokens read from a cache.
    public var cachedAudioTokens: Int64 = 0
    /// Audio output tokens.
    public var audioOutputTokens: Int64 = 0
    /// Image input tokens (priced at the text input rate unless the price book gives an image rate).
    public var imageInputTokens: Int64 = 0
    /// Image output tokens (image generation by tokens).
    public var imageOutputTokens: Int64 = 0
    /// Images generated, priced per image.
    public var images: Int64 = 0
    /// Server-side tool uses billed per use, by tool name (`web_search`, `file_search`, `code_execution`, …).
    public var toolCalls: [String: Int64] = [:]
    /// The speed option (`fast`); nil or `standard` is the normal speed.
    public var speed: String?
    /// Where inference ran when the caller asked (`us`); nil or `global` is the default routing.
    public var inferenceGeo: String?
    /// A cloud's endpoint scope (`global`, or a geography such as `us`, `eu`, `apac` for Bedrock's
    /// cross-region profiles); nil when not known.
    public var region: String?

    public init() {}

    /// The names the routing log and the price book use for the tools TokenLedger knows by name.
    public enum Tool {
        public static let webSearch = "web_search"
        public static let webFetch = "web_fetch"
        public static let fileSearch = "file_search"
        public static let codeExecution = "code_execution"
    }

    /// Whether nothing beyond text tokens is recorded.
    public var isEmpty: Bool { self == CallExtras() }

    /// Billed web searches.
    public var webSearchCalls: Int64 {
        get { toolCalls[Tool.webSearch] ?? 0 }
        set { toolCalls[Tool.webSearch] = newValue == 0 ? nil : newValue }
    }

    /// Audio input tokens not read from a cache.
    public var uncachedAudioTokens: Int64 { audioInputTokens - cachedAudioTokens }

    /// The rules these counts obey against the call's own; nil when they hold.
    func validationProblem(input: Int64, cached: Int64, output: Int64, reasoning: Int64) -> RejectReason? {
        let counts = [audioInputTokens, cachedAudioTokens, audioOutputTokens, imageInputTokens, imageOutputTokens, images]
            + Array(toolCalls.values)
        if counts.contains(where: { $0 < 0 }) { return .negativeTokens }
        if counts.contains(where: { $0 > CallRecord.maxTokens }) { return .outOfRange("count above \(CallRecord.maxTokens)") }
        if cachedAudioTokens > audioInputTokens { return .outOfRange("cached_audio_tokens exceed audio_input_tokens") }
        if cachedAudioTokens > cached { return .outOfRange("cached_audio_tokens exceed cached_input_tokens") }
        if audioInputTokens + imageInputTokens > input {
            return .outOfRange("audio and image input tokens exceed input_tokens (they are part of it)")
        }
        if audioOutputTokens + imageOutputTokens + reasoning > output {
            return .outOfRange("audio, image and reasoning output tokens exceed output_tokens (they are part of it)")
        }
        if toolCalls.keys.contains(where: { $0.isEmpty }) { return .outOfRange("a tool name is empty") }
        return nil
    }

    /// Normal-speed and default-routing values, which never change a price.
    static let neutralValues: Set<String> = ["", "standard", "normal", "default", "global", "none"]

    /// The value of an attribute, lowercased and trimmed; nil when neutral.
    package static func effective(_ value: String?) -> String? {
        guard let v = value?.trimmingWhitespace().lowercased(), !neutralValues.contains(v) else { return nil }
        return v
    }
}

extension CallExtras {
    /// The stored text: compact JSON with a fixed key order and only the parts that are set, so that equal
    /// extras are equal text (stored once, like metadata).
    public var storedText: String {
        var parts: [String] = []
        func count(_ key: String, _ v: Int64) { if v != 0 { parts.append("\"\(key)\":\(v)") } }
        func text(_ key: String, _ v: String?) { if let v { parts.append("\"\(key)\":" + JSONText.quote(v)) } }
        count("audio_input_tokens", audioInputTokens)
        count("cached_audio_tokens", cachedAudioTokens)
        count("audio_output_tokens", audioOutputTokens)
        count("image_input_tokens", imageInputTokens)
        count("image_output_tokens", imageOutputTokens)
        count("images", images)
        if !toolCalls.isEmpty {
            let tools = toolCalls.sorted { $0.key < $1.key }.map { JSONText.quote($0.key) + ":\($0.value)" }
            parts.append("\"tool_calls\":{" + tools.joined(separator: ",") + "}")
        }
        text("speed", speed)
        text("inference_geo", inferenceGeo)
        text("region", region)
        return "{" + parts.joined(separator: ",") + "}"
    }
}
