import LedgerValues

/// One generated call before it is written: plain values and catalogue indices, no strings.
struct SampleCall {
    /// Start of the call, milliseconds since the epoch.
    var timestamp: Int64 = 0
    var actionNumber: UInt64 = 0
    var model: SampleModel = .gpt4oMini
    var workflow: SampleWorkflow = .faq
    var project: SampleProject = .helpdeskBot
    var key: SampleKey
    var user: Int32 = -1
    var segment: SampleUsers.Segment = .free
    var kind: CallKind = .primary
    var attempt: Int32 = 1
    var status: CallStatus = .ok
    var fallbackReason: SampleFallbackReason?
    var fallbackFrom: SampleModel?
    var outcome: ActionOutcome?
    var inputTokens: Int64 = 0
    var cachedInputTokens: Int64 = 0
    var cacheWriteTokens: Int64 = 0
    var cacheWrite1hTokens: Int64 = 0
    var outputTokens: Int64 = 0
    var reasoningTokens: Int64 = 0
    var latencyMs: Int64 = 0
    /// nil: the field is not written.
    var batch: Bool?
    /// nil: the field is not written.
    var serviceTier: ServiceTier?
    /// Hundredths, 0...100; nil: not scored.
    var qualityPercent: Int32?
    var writesTier = false
    var writesCost = true

    init(key: SampleKey) { self.key = key }
}

/// Why the gateway moved a request to another model.
enum SampleFallbackReason: Int {
    case lowConfidence, longContext, failedValidation, userTier, complexity, rateLimit, timeout, error

    var name: StaticString {
        switch self {
        case .lowConfidence: "low_confidence"
        case .longContext: "long_context"
        case .failedValidation: "failed_validation"
        case .userTier: "user_tier"
        case .complexity: "complexity"
        case .rateLimit: "rate_limit"
        case .timeout: "timeout"
        case .error: "error"
        }
    }
}
