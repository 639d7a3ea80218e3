import LedgerValues

/// TokenLedger's own routing log: JSON Lines, one model call per line (`docs/routing-log.md`).
///
/// This is the hot path of an import, so it reads the line's bytes directly: keys are matched as bytes,
/// numbers are read from their text, and a `String` is made only for values that are kept. Common aliases
/// are accepted (`ts`/`time`, `prompt_tokens`/`completion_tokens`, a nested `usage` object).
public struct RoutingLogImporter: FormatImporter {
    public static let formatName = "routing-log"
    public static let family = "routing-log"
    public static let framing = Framing.lines

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        let line = sample.firstLine
        guard line.first(where: { $0 != 0x20 && $0 != 0x09 }) == 0x7B else { return 0 }
        let hasID = sample.contains("\"request_id\"")
        let hasModel = sample.contains("\"model\"")
        let hasTokens = sample.contains("\"input_tokens\"") || sample.contains("\"prompt_tokens\"") || sample.contains("\"usage\"")
        let hasTime = sample.contains("\"timestamp\"") || sample.contains("\"ts\"") || sample.contains("\"time\"")
        if hasID && hasModel && hasTokens && hasTime { return 80 }
        if hasModel && hasTokens { return 20 }
        return 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        items.append(.call(try Self.parseRecord(unit), line: line))
    }

    /// Parses one line into a validated record; throws a ``RecordProblem`` (or ``JSONError``).
    public static func parseRecord(_ bytes: UnsafeBufferPointer<UInt8>) throws -> CallRecord {
        var s = JSONScanner(bytes)
        var f = Fields()
        guard s.nextKind() == .object else {
            if s.atEnd { throw RecordProblem.reason(.malformedJSON("empty line")) }
            throw RecordProblem.reason(.malformedJSON("a line must be a JSON object"))
        }
        try s.readObject { s, key in try f.read(key: key, from: &s) }
        try s.expectEnd()
        if s.sawNonASCII, String(validating: bytes, as: UTF8.self) == nil {
            throw RecordProblem.reason(.invalidUTF8)
        }
        return try f.record()
    }

    /// The values read from one line, before validation.
    struct Fields {
        var requestID: String?
        var timestamp: Timestamp?
        var timestampText: String?
        var model: String?
        var input: Int64?
        var output: Int64?
        var cached: Int64?
        var write5m: Int64?
        var write1h: Int64?
        var reasoning: Int64?
        var usage = Usage()
        var actionID, workflow, team, userID, segment, project, apiKey, provider, tier: String?
        var attempt: Int64?
        var kind: CallKind?
        var fallbackReason, fallbackFrom: String?
        var status: CallStatus?
        var outcome: ActionOutcome?
        var latency: Int64?
        var batch: Bool?
        var serviceTier: ServiceTier?
        var quality: Double?
        var cost: Money?
        var metadata: String?
        /// Charges beyond text tokens, given at the top level.
        var extras = ExtrasFields()

        struct Usage {
            var input, output, cached, write5m, write1h, reasoning: Int64?
            /// The same, as nested in a provider's `usage` object.
            var extras = ExtrasFields()
        }

        /// Audio and image tokens, images, tool uses and price-changing attributes as read (nil: not given).
        struct ExtrasFields {
            var audioInput, cachedAudio, audioOutput, imageInput, imageOutput, images, webSearch: Int64?
            var toolCalls: [String: Int64]?
            var speed, inferenceGeo, region: String?

            /// These values over `under` (the `usage` object's): a top-level value wins.
            /// Whether nothing was given (the common case: no work on the import's hot path).
            var isEmpty: Bool {
                audioInput == nil && cachedAudio == nil && audioOutput == nil && imageInput == nil && imageOutput == nil
                    && images == nil && webSearch == nil && toolCalls == nil && speed == nil && inferenceGeo == nil && region == nil
            }

            func over(_ under: ExtrasFields) -> CallExtras? {
                if isEmpty && under.isEmpty { return nil }
                var e = CallExtras()
                e.audioInputTokens = audioInput ?? under.audioInput ?? 0
                e.cachedAudioTokens = cachedAudio ?? under.cachedAudio ?? 0
                e.audioOutputTokens = audioOutput ?? under.audioOutput ?? 0
                e.imageInputTokens = imageInput ?? under.imageInput ?? 0
                e.imageOutputTokens = imageOutput ?? under.imageOutput ?? 0
                e.images = images ?? under.images ?? 0
                for (k, v) in (under.toolCalls ?? [:]).merging(toolCalls ?? [:], uniquingKeysWith: { $1 }) where v != 0 {
                    e.toolCalls[k] = v
                }
                if let w = webSearch ?? under.webSearch { e.webSearchCalls = w }
                e.speed = speed ?? under.speed
                e.inferenceGeo = inferenceGeo ?? under.inferenceGeo
                e.region = region ?? under.region
                return e.isEmpty ? nil : e
            }
        }

        mutating func read(key: UnsafeBufferPointer<UInt8>, from s: inout JSONScanner) throws {
            switch key.count {
            case 2:
                if key.equals("ts") { try readTime(&s) }
            case 4:
                if key.equals("kind") {
                    kind = try s.readEnum(field: "kind", CallKind.fromBytes)
                } else if key.equals("time") {
                    try readTime(&s)
                } else if key.equals("team") {
                    team = try s.readText(field: "team")
                } else if key.equals("tier") {
                    tier = try s.readText(field: "tier")
                }
            case 5:
                if key.equals("model") {
                    model = try s.readText(field: "model")
                } else if key.equals("usage") {
                    try readUsage(&s)
                } else if key.equals("batch") {
                    batch = try s.readFlag(field: "batch")
                } else if key.equals("speed") {
                    extras.speed = try s.readText(field: "speed")
                }
            case 6:
                if key.equals("status") {
                    status = try s.readEnum(field: "status", CallStatus.fromBytes)
                } else if key.equals("images") {
                    extras.images = try s.readInteger(field: "images")
                } else if key.equals("region") {
                    extras.region = try s.readText(field: "region")
                }
            case 7:
                if key.equals("user_id") {
                    userID = try s.readText(field: "user_id")
                } else if key.equals("project") {
                    project = try s.readText(field: "project")
                } else if key.equals("attempt") {
                    attempt = try s.readInteger(field: "attempt")
                }
            case 8:
                if key.equals("workflow") {
                    workflow = try s.readText(field: "workflow")
                } else if key.equals("provider") {
                    provider = try s.readText(field: "provider")
                } else if key.equals("metadata") {
                    if s.nextKind() == .null { try s.readNull() } else {
                        metadata = String(decoding: try s.captureValue(), as: UTF8.self)
                    }
                } else if key.equals("cost_usd") {
                    cost = try s.readMoney(field: "cost_usd")
                }
            case 9:
                if key.equals("timestamp") {
                    try readTime(&s)
                } else if key.equals("action_id") {
                    actionID = try s.readText(field: "action_id")
                }
            case 10:
                if key.equals("request_id") {
                    requestID = try s.readText(field: "request_id")
                } else if key.equals("api_key_id") {
                    apiKey = try s.readText(field: "api_key_id")
                } else if key.equals("latency_ms") {
                    latency = try s.readInteger(field: "latency_ms")
                } else if key.equals("tool_calls") {
                    extras.toolCalls = try s.readCounts(field: "tool_calls")
                }
            case 12:
                if key.equals("input_tokens") {
                    input = try s.readInteger(field: "input_tokens")
                } else if key.equals("user_segment") {
                    segment = try s.readText(field: "user_segment")
                } else if key.equals("service_tier") {
                    serviceTier = try s.readEnum(field: "service_tier", ServiceTier.fromBytes)
                }
            case 13:
                if key.equals("output_tokens") {
                    output = try s.readInteger(field: "output_tokens")
                } else if key.equals("prompt_tokens") {
                    if input == nil { input = try s.readInteger(field: "prompt_tokens") }
                } else if key.equals("fallback_from") {
                    fallbackFrom = try s.readText(field: "fallback_from")
                } else if key.equals("quality_score") {
                    quality = try s.readScore(field: "quality_score")
                } else if key.equals("inference_geo") {
                    extras.inferenceGeo = try s.readText(field: "inference_geo")
                }
            case 14:
                if key.equals("action_outcome") {
                    outcome = try s.readEnum(field: "action_outcome", ActionOutcome.fromBytes)
                }
            case 15:
                if key.equals("fallback_reason") {
                    fallbackReason = try s.readText(field: "fallback_reason")
                }
            case 16:
                if key.equals("reasoning_tokens") {
                    reasoning = try s.readInteger(field: "reasoning_tokens")
                } else if key.equals("web_search_calls") {
                    extras.webSearch = try s.readInteger(field: "web_search_calls")
                }
            case 17:
                if key.equals("completion_tokens") {
                    if output == nil { output = try s.readInteger(field: "completion_tokens") }
                }
            case 18:
                if key.equals("cache_write_tokens") {
                    write5m = try s.readInteger(field: "cache_write_tokens")
                } else if key.equals("audio_input_tokens") {
                    extras.audioInput = try s.readInteger(field: "audio_input_tokens")
                } else if key.equals("image_input_tokens") {
                    extras.imageInput = try s.readInteger(field: "image_input_tokens")
                }
            case 19:
                if key.equals("cached_input_tokens") {
                    cached = try s.readInteger(field: "cached_input_tokens")
                } else if key.equals("cached_audio_tokens") {
                    extras.cachedAudio = try s.readInteger(field: "cached_audio_tokens")
                } else if key.equals("audio_output_tokens") {
                    extras.audioOutput = try s.readInteger(field: "audio_output_tokens")
                } else if key.equals("image_output_tokens") {
                    extras.imageOutput = try s.readInteger(field: "image_output_tokens")
                }
            case 21:
                if key.equals("cache_write_1h_tokens") {
                    write1h = try s.readInteger(field: "cache_write_1h_tokens")
                }
            default:
                break
            }
        }

        mutating func readTime(_ s: inout JSONScanner) throws {
            switch s.nextKind() {
            case .number:
                let text = try s.readNumberBytes()
                guard let v = try? JSONScanner.integer(from: text, field: "timestamp"), let t = Timestamp.fromEpoch(v) else {
                    throw RecordProblem.reason(.invalidTimestamp(String(decoding: text, as: UTF8.self)))
                }
                timestamp = t
            case .string:
                let raw = try s.readRawString()
                if let t = Timestamp.parse(iso: raw) {
                    timestamp = t
                } else if raw.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !raw.isEmpty,
                          let v = try? JSONScanner.integer(from: raw, field: "timestamp"), let t = Timestamp.fromEpoch(v) {
                    timestamp = t
                } else {
                    throw RecordProblem.reason(.invalidTimestamp("\"\(String(decoding: raw.prefix(40), as: UTF8.self))\""))
                }
            case .null:
                try s.readNull()
            default:
                try s.skipValue()
                throw RecordProblem.reason(.wrongType(field: "timestamp", expected: "an RFC 3339 string or epoch milliseconds"))
            }
        }

        mutating func readUsage(_ s: inout JSONScanner) throws {
            if s.nextKind() == .null { try s.readNull(); return }
            guard s.nextKind() == .object else {
                try s.skipValue()
                throw RecordProblem.reason(.wrongType(field: "usage", expected: "an object"))
            }
            var u = usage
            try s.readObject { s, key in
                if key.equals("input_tokens") || key.equals("prompt_tokens") {
                    u.input = try s.readInteger(field: "usage.input_tokens")
                } else if key.equals("output_tokens") || key.equals("completion_tokens") {
                    u.output = try s.readInteger(field: "usage.output_tokens")
                } else if key.equals("cached_input_tokens") || key.equals("cache_read_input_tokens") {
                    u.cached = try s.readInteger(field: "usage.cached_input_tokens")
                } else if key.equals("cache_write_tokens") || key.equals("cache_creation_input_tokens") {
                    u.write5m = try s.readInteger(field: "usage.cache_write_tokens")
                } else if key.equals("cache_write_1h_tokens") {
                    u.write1h = try s.readInteger(field: "usage.cache_write_1h_tokens")
                } else if key.equals("reasoning_tokens") {
                    u.reasoning = try s.readInteger(field: "usage.reasoning_tokens")
                } else if key.equals("prompt_tokens_details") || key.equals("input_tokens_details") {
                    try s.readObject { s, key in
                        if key.equals("cached_tokens") {
                            u.cached = try s.readInteger(field: "usage.prompt_tokens_details.cached_tokens")
                        } else if key.equals("audio_tokens") {
                            u.extras.audioInput = try s.readInteger(field: "usage.prompt_tokens_details.audio_tokens")
                        } else if key.equals("image_tokens") {
                            u.extras.imageInput = try s.readInteger(field: "usage.prompt_tokens_details.image_tokens")
                        }
                    }
                } else if key.equals("completion_tokens_details") || key.equals("output_tokens_details") {
                    try s.readObject { s, key in
                        if key.equals("reasoning_tokens") {
                            u.reasoning = try s.readInteger(field: "usage.completion_tokens_details.reasoning_tokens")
                        } else if key.equals("audio_tokens") {
                            u.extras.audioOutput = try s.readInteger(field: "usage.completion_tokens_details.audio_tokens")
                        } else if key.equals("image_tokens") {
                            u.extras.imageOutput = try s.readInteger(field: "usage.completion_tokens_details.image_tokens")
                        }
                    }
                } else if key.equals("server_tool_use") {
                    u.extras.toolCalls = try s.readServerToolUse(into: u.extras.toolCalls ?? [:])
                } else if key.equals("speed") {
                    u.extras.speed = try s.readText(field: "usage.speed")
                } else if key.equals("inference_geo") {
                    u.extras.inferenceGeo = try s.readText(field: "usage.inference_geo")
                }
            }
            usage = u
        }

        func record() throws -> CallRecord {
            guard let requestID, !requestID.isEmpty else { throw RecordProblem.reason(.missingField("request_id")) }
            guard let timestamp else {
                throw RecordProblem.reason(.missingField("timestamp"))
            }
            guard let model, !model.isEmpty else { throw RecordProblem.reason(.missingField("model")) }
            guard let input = input ?? usage.input else { throw RecordProblem.reason(.missingField("input_tokens")) }
            guard let output = output ?? usage.output else { throw RecordProblem.reason(.missingField("output_tokens")) }
            var r = CallRecord(requestID: requestID, timestamp: timestamp, model: model, inputTokens: input, outputTokens: output)
            r.cachedInputTokens = cached ?? usage.cached ?? 0
            r.cacheWriteTokens = write5m ?? usage.write5m ?? 0
            r.cacheWrite1hTokens = write1h ?? usage.write1h ?? 0
            r.reasoningTokens = reasoning ?? usage.reasoning ?? 0
            r.actionID = actionID
            r.workflow = workflow
            r.team = team
            r.userID = userID
            r.userSegment = segment
            r.project = project
            r.apiKeyID = apiKey
            r.provider = provider
            r.tier = tier
            if let attempt {
                guard attempt >= 1 && attempt <= 10_000 else {
                    throw RecordProblem.reason(.outOfRange("attempt must be between 1 and 10000"))
                }
                r.attempt = Int(attempt)
            }
            r.kind = kind ?? (fallbackFrom != nil ? .fallback : ((r.attempt ?? 1) > 1 ? .retry : .primary))
            r.fallbackReason = fallbackReason
            r.fallbackFrom = fallbackFrom
            r.status = status ?? .ok
            r.actionOutcome = outcome
            r.latencyMs = latency
            r.batch = batch ?? false
            r.serviceTier = serviceTier ?? .standard
            r.qualityScore = quality
            r.gatewayCost = cost
            r.metadata = metadata
            r.extras = extras.over(usage.extras)
            if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
            return r
        }
    }
}

extension JSONScanner {
    /// A string value (numbers and booleans are accepted as their text); nil for null or "".
    mutating func readText(field: StaticString) throws -> String? {
        switch nextKind() {
        case .string:
            let s = try readString()
            return s.isEmpty ? nil : s
        case .null:
            try readNull()
            return nil
        case .number:
            return String(decoding: try readNumberBytes(), as: UTF8.self)
        case .bool:
            return try readBool() ? "true" : "false"
        default:
            try skipValue()
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "a string"))
        }
    }

    /// A string naming one of an enumeration's values, matched as bytes (no `String` is made).
    mutating func readEnum<T>(field: StaticString, _ match: (UnsafeBufferPointer<UInt8>) -> T?) throws -> T? {
        switch nextKind() {
        case .null:
            try readNull()
            return nil
        case .string:
            let raw = try readRawString()
            if raw.isEmpty { return nil }
            if let v = match(raw) { return v }
            let text = String(decoding: raw.prefix(60), as: UTF8.self)
            throw RecordProblem.reason(.unknownValue(field: "\(field)", value: text))
        default:
            try skipValue()
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "a string"))
        }
    }

    /// `true`/`false`, `1`/`0` or the strings `"true"`/`"false"`.
    mutating func readFlag(field: StaticString) throws -> Bool? {
        switch nextKind() {
        case .bool: return try readBool()
        case .null: try readNull(); return nil
        case .number:
            let t = try readNumberBytes()
            if t.equals("1") { return true }
            if t.equals("0") { return false }
        case .string:
            let t = try readRawString()
            if t.equals("true") || t.equals("True") || t.equals("TRUE") { return true }
            if t.equals("false") || t.equals("False") || t.equals("FALSE") || t.isEmpty { return false }
        default:
            try skipValue()
        }
        throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "true or false"))
    }

    /// A number between 0 and 1 (not money: a score).
    mutating func readScore(field: StaticString) throws -> Double? {
        guard let d = try readDecimal(field: field) else { return nil }
        guard let v = d.scaled(byPowerOfTen: 9, rounding: true), v >= 0, v <= 1_000_000_000 else {
            throw RecordProblem.reason(.outOfRange("`\(field)` must be between 0 and 1"))
        }
        return Double(Int64(v)) / 1e9
    }

    /// Anthropic's `server_tool_use` object: `web_search_requests: 2` becomes `web_search: 2` in `tools`
    /// (zero counts are left out; other keys are skipped).
    mutating func readServerToolUse(into tools: [String: Int64]) throws -> [String: Int64] {
        guard nextKind() == .object else { try skipValue(); return tools }
        var out = tools
        try readObject { s, key in
            let name = String(decoding: key, as: UTF8.self)
            guard name.hasSuffix("_requests"), let n = try s.readInteger(field: "usage.server_tool_use") else {
                try s.skipValue()
                return
            }
            if n != 0 { out[String(name.dropLast("_requests".count))] = n }
        }
        return out
    }

    /// An object of names to whole counts (`{"web_search": 2}`); nil for null.
    mutating func readCounts(field: StaticString) throws -> [String: Int64]? {
        if nextKind() == .null { try readNull(); return nil }
        guard nextKind() == .object else {
            try skipValue()
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "an object of tool names to counts"))
        }
        var out: [String: Int64] = [:]
        try readObject { s, key in
            let name = String(decoding: key, as: UTF8.self)
            if let n = try s.readInteger(field: field), n != 0 { out[name] = n }
        }
        return out
    }

    /// A dollar amount, exact to the picodollar.
    mutating func readMoney(field: StaticString) throws -> Money? {
        guard let d = try readDecimal(field: field) else { return nil }
        guard let p = d.scaled(byPowerOfTen: Money.exactDecimals, rounding: true),
              p.magnitude < Int128(1) << 100 else {
            throw RecordProblem.reason(.outOfRange("`\(field)` is too large"))
        }
        return Money(picos: p)
    }
}

extension CallKind {
    static func fromBytes(_ b: UnsafeBufferPointer<UInt8>) -> CallKind? {
        if b.equals("primary") { return .primary }
        if b.equals("retry") { return .retry }
        if b.equals("fallback") { return .fallback }
        if b.equals("classifier") { return .classifier }
        if b.equals("validation") { return .validation }
        return CallKind(name: String(decoding: b, as: UTF8.self).lowercased())
    }
}

extension CallStatus {
    static func fromBytes(_ b: UnsafeBufferPointer<UInt8>) -> CallStatus? {
        if b.equals("ok") { return .ok }
        if b.equals("error") { return .error }
        if b.equals("timeout") { return .timeout }
        if b.equals("rate_limited") { return .rateLimited }
        if b.equals("invalid_output") { return .invalidOutput }
        return CallStatus(loggedName: String(decoding: b, as: UTF8.self))
    }
}

extension ActionOutcome {
    static func fromBytes(_ b: UnsafeBufferPointer<UInt8>) -> ActionOutcome? {
        if b.equals("completed") { return .completed }
        if b.equals("failed") { return .failed }
        if b.equals("abandoned") { return .abandoned }
        return ActionOutcome(name: String(decoding: b, as: UTF8.self).lowercased())
    }
}

extension ServiceTier {
    static func fromBytes(_ b: UnsafeBufferPointer<UInt8>) -> ServiceTier? {
        if b.equals("default") { return .standard }
        return ServiceTier(name: String(decoding: b, as: UTF8.self))
    }
}
