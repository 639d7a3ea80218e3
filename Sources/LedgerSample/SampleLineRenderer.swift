import LedgerValues

/// A fixed byte buffer that routing-log lines are rendered into, flushed to a sink when full.
///
/// It never grows: the owner flushes after every line once ``count`` passes the flush threshold, and a
/// line is far shorter than the slack kept above it, so appends need no bounds checks.
struct SampleLineBuffer {
    let base: UnsafeMutablePointer<UInt8>
    let flushThreshold: Int
    let capacity: Int
    var count = 0

    /// The largest line the generator writes, with room to spare.
    static let slack = 64 * 1024

    init(flushThreshold: Int) {
        self.flushThreshold = flushThreshold
        self.capacity = flushThreshold + SampleLineBuffer.slack
        self.base = .allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    var needsFlush: Bool { count >= flushThreshold }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always) mutating func append(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        (base + count).update(from: s.utf8Start, count: n)
        count += n
    }

    /// `prefix` (a key with its opening quote) then `value` and the closing quote.
    @inline(__always) mutating func append(_ prefix: StaticString, _ value: StaticString) {
        append(prefix)
        append(value)
        append(byte: 0x22)
    }

    @inline(__always) mutating func append(byte: UInt8) {
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            if let p = b.baseAddress { (base + count).update(from: p, count: b.count) }
        }
        count += bytes.count
    }

    /// A signed decimal integer.
    @inline(__always) mutating func append(decimal value: Int64) {
        var v = value.magnitude
        if value < 0 { append(byte: 0x2D) }
        if v < 10 {
            append(byte: 0x30 &+ UInt8(v))
            return
        }
        var digits = 0
        var probe = v
        while probe > 0 { digits += 1; probe /= 10 }
        var i = count + digits - 1
        while v > 0 {
            base[i] = 0x30 &+ UInt8(v % 10)
            v /= 10
            i -= 1
        }
        count += digits
    }

    /// `value` with exactly `width` digits, zero-padded (value < 10^width).
    @inline(__always) mutating func append(padded value: Int64, width: Int) {
        var v = value
        var i = count + width - 1
        while i >= count {
            base[i] = 0x30 &+ UInt8(v % 10)
            v /= 10
            i -= 1
        }
        count += width
    }

    /// Sixteen lowercase hex digits.
    @inline(__always) mutating func append(hex value: UInt64) {
        var shift: UInt64 = 60
        for i in 0..<16 {
            let nibble = UInt8((value >> shift) & 0xF)
            base[count + i] = nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble
            shift &-= 4
        }
        count += 16
    }

    /// A non-negative amount given in units of 10⁻⁸ (e.g. dollars), as a JSON number with trailing
    /// zeros of the fraction trimmed: 13512 → `0.00013512`, 150000000 → `1.5`, 0 → `0`.
    mutating func append(hundredMillionths value: Int64) {
        let whole = value / 100_000_000
        var fraction = value % 100_000_000
        append(decimal: whole)
        guard fraction > 0 else { return }
        var width = 8
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        append(byte: 0x2E)
        append(padded: fraction, width: width)
    }
}

/// What is wrong with a deliberately broken line.
enum SampleDefect {
    /// A required field left out.
    case missingField(Int)
    case negativeTokens
    case cachedExceedsInput
    /// The line cut off at this fraction of its length (not JSON).
    case truncated(Double)
    /// A comma before the closing brace (not JSON).
    case trailingComma
    /// `NaN` as a token count (not JSON).
    case notANumber

    /// A defect drawn with weights: missing field 25 %, negative tokens 20 %, cached > input 20 %,
    /// broken JSON 35 %.
    static func draw(_ random: inout SampleRandom) -> SampleDefect {
        let r = random.below(100)
        switch r {
        case ..<25: return .missingField(random.below(5))
        case ..<45: return .negativeTokens
        case ..<65: return .cachedExceedsInput
        case ..<80: return .truncated(0.1 + 0.8 * random.unit())
        case ..<90: return .trailingComma
        default: return .notANumber
        }
    }
}

/// Renders calls as routing-log JSON lines.
///
/// Keys are written in one fixed order; optional fields appear only when set, as a gateway writes them.
struct SampleLineRenderer {
    private let requestKey: UInt64
    private let actionKey: UInt64
    private var cachedDay: Int64 = .min
    private var cachedDate: (UInt64, UInt16) = (0, 0)

    init(seed: UInt64) {
        requestKey = SampleRandom.mix(seed ^ 0x7265_7175_6573_7473)
        actionKey = SampleRandom.mix(seed ^ 0x6163_7469_6F6E_7321)
    }

    /// A unique request id: the bijective mix of the call's position, so ids never repeat in one output.
    private func requestBits(_ n: UInt64) -> UInt64 { SampleRandom.mix(requestKey &+ n &* 0x9E37_79B9_7F4A_7C15) }

    private func actionBits(_ n: UInt64) -> UInt64 { SampleRandom.mix(actionKey &+ n &* 0x9E37_79B9_7F4A_7C15) }

    /// Writes `call` as one line with its newline; `number` is the call's position in the output.
    mutating func render(_ call: SampleCall, number: UInt64, defect: SampleDefect?, into out: inout SampleLineBuffer) {
        let lineStart = out.count
        var missing = -1
        if case .missingField(let f) = defect { missing = f }
        out.append(byte: 0x7B)  // {
        var needsComma = false
        if missing != 0 {
            out.append("\"timestamp\":\"")
            appendTimestamp(call.timestamp, into: &out)
            out.append(byte: 0x22)
            needsComma = true
        }
        if missing != 1 {
            if needsComma { out.append(byte: 0x2C) }
            out.append("\"request_id\":\"req_")
            out.append(hex: requestBits(number))
            out.append(byte: 0x22)
            needsComma = true
        }
        let key = call.key
        let profile = call.model.profile
        if key.sendsContext {
            out.append(",\"action_id\":\"act_")
            out.append(hex: actionBits(call.actionNumber))
            out.append(byte: 0x22)
            out.append(",\"workflow\":\"", call.workflow.name)
            out.append(",\"team\":\"", call.project.team.name)
            if call.user >= 0 {
                out.append(",\"user_id\":\"user_")
                out.append(padded: Int64(call.user), width: 5)
                out.append(byte: 0x22)
                if call.project.sendsUserSegment { out.append(",\"user_segment\":\"", call.segment.name) }
            }
            out.append(",\"project\":\"", call.project.name)
        }
        out.append(",\"api_key_id\":\"", key.id)
        out.append(",\"provider\":\"", profile.provider.name)
        if missing != 2 { out.append(",\"model\":\"", call.model.wireName(key.style)) }
        if call.writesTier, let tier = profile.tier { out.append(",\"tier\":\"", tier) }
        if key.sendsContext {
            out.append(",\"attempt\":")
            out.append(decimal: Int64(call.attempt))
            out.append(",\"kind\":\"", SampleLineRenderer.name(call.kind))
            if let reason = call.fallbackReason { out.append(",\"fallback_reason\":\"", reason.name) }
            if let from = call.fallbackFrom { out.append(",\"fallback_from\":\"", from.wireName(key.style)) }
        }
        out.append(",\"status\":\"", SampleLineRenderer.name(call.status))
        if key.sendsContext, let outcome = call.outcome {
            out.append(",\"action_outcome\":\"", SampleLineRenderer.name(outcome))
        }
        let input = call.inputTokens
        var output = call.outputTokens
        var cached = call.cachedInputTokens
        switch defect {
        case .negativeTokens: output = -(output + 1 + Int64(number % 50))
        case .cachedExceedsInput: cached = input + 1 + Int64(number % 500)
        default: break
        }
        if missing != 3 {
            out.append(",\"input_tokens\":")
            out.append(decimal: input)
        }
        out.append(",\"cached_input_tokens\":")
        out.append(decimal: cached)
        if call.cacheWriteTokens > 0 {
            out.append(",\"cache_write_tokens\":")
            out.append(decimal: call.cacheWriteTokens)
        }
        if call.cacheWrite1hTokens > 0 {
            out.append(",\"cache_write_1h_tokens\":")
            out.append(decimal: call.cacheWrite1hTokens)
        }
        if missing != 4 {
            out.append(",\"output_tokens\":")
            if case .notANumber = defect { out.append("NaN") } else { out.append(decimal: output) }
        }
        if call.reasoningTokens > 0 {
            out.append(",\"reasoning_tokens\":")
            out.append(decimal: call.reasoningTokens)
        }
        out.append(",\"latency_ms\":")
        out.append(decimal: call.latencyMs)
        if let batch = call.batch {
            out.append(batch ? ",\"batch\":true" : ",\"batch\":false")
        }
        if let tier = call.serviceTier { out.append(",\"service_tier\":\"", SampleLineRenderer.name(tier)) }
        if let q = call.qualityPercent {
            out.append(",\"quality_score\":")
            if q >= 100 {
                out.append(byte: 0x31)
            } else {
                out.append("0.")
                out.append(padded: Int64(q), width: 2)
            }
        }
        if call.writesCost, let price = profile.price {
            out.append(",\"cost_usd\":")
            out.append(hundredMillionths: SampleLineRenderer.gatewayCost(call, price: price))
        }
        if let metadata = key.metadata {
            out.append(",\"metadata\":")
            out.append(metadata)
        }
        switch defect {
        case .trailingComma:
            out.append(",}")
        case .truncated(let fraction):
            let length = out.count - lineStart
            out.count = lineStart + max(1, min(length - 1, Int(Double(length) * fraction)))
        default:
            out.append(byte: 0x7D)
        }
        out.append(byte: 0x0A)
    }

    /// The gateway's own estimate in 10⁻⁸ USD: list prices, cache writes charged as plain input (it
    /// does not know the write premium), batch at half price, the service tier ignored. So it is close
    /// to, but not exactly, what the price book says.
    static func gatewayCost(_ call: SampleCall, price: SampleModel.Price) -> Int64 {
        let uncached = call.inputTokens - call.cachedInputTokens
        var picos = uncached * price.input + call.cachedInputTokens * price.cachedInput + call.outputTokens * price.output
        if call.batch == true { picos /= 2 }
        return (picos + 5_000) / 10_000
    }

    private mutating func appendTimestamp(_ ms: Int64, into out: inout SampleLineBuffer) {
        let day = ms.floorDiv(86_400_000)
        if day != cachedDay {
            cachedDay = day
            let date = CivilDate(daysSinceEpoch: Int(day))
            // YYYYMMDD packed once per day.
            cachedDate = (UInt64(date.year), UInt16(date.month * 100 + date.day))
        }
        out.append(padded: Int64(cachedDate.0), width: 4)
        out.append(byte: 0x2D)
        out.append(padded: Int64(cachedDate.1 / 100), width: 2)
        out.append(byte: 0x2D)
        out.append(padded: Int64(cachedDate.1 % 100), width: 2)
        let msOfDay = ms - day * 86_400_000
        out.append(byte: 0x54)
        out.append(padded: msOfDay / 3_600_000, width: 2)
        out.append(byte: 0x3A)
        out.append(padded: msOfDay / 60_000 % 60, width: 2)
        out.append(byte: 0x3A)
        out.append(padded: msOfDay / 1_000 % 60, width: 2)
        out.append(byte: 0x2E)
        out.append(padded: msOfDay % 1_000, width: 3)
        out.append(byte: 0x5A)
    }

    private static func name(_ kind: CallKind) -> StaticString {
        switch kind {
        case .primary: "primary"
        case .retry: "retry"
        case .fallback: "fallback"
        case .classifier: "classifier"
        case .validation: "validation"
        }
    }

    private static func name(_ status: CallStatus) -> StaticString {
        switch status {
        case .ok: "ok"
        case .error: "error"
        case .timeout: "timeout"
        case .rateLimited: "rate_limited"
        case .invalidOutput: "invalid_output"
        }
    }

    private static func name(_ outcome: ActionOutcome) -> StaticString {
        switch outcome {
        case .completed: "completed"
        case .failed: "failed"
        case .abandoned: "abandoned"
        }
    }

    private static func name(_ tier: ServiceTier) -> StaticString {
        switch tier {
        case .standard: "default"
        case .flex: "flex"
        case .priority: "priority"
        }
    }
}
