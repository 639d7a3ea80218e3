import LedgerValues

/// Turns the spans of one OTLP trace request into model calls (`docs/formats.md`, OpenTelemetry).
///
/// A span is a model call when its `gen_ai.operation.name` is a model operation (chat,
/// generate_content, text_completion, embeddings), or, without an operation name, when it carries
/// `gen_ai.usage.*` counts. Other spans (agents, tools, HTTP, …) are skipped, not rejected. The trace is
/// the action; sibling model calls under one parent that follow a failed one are its retries (same
/// model) or fallbacks (another model).
struct OTLPCallBuilder {
    let settings: ImporterSettings

    /// What became of a request's spans.
    struct Tally: Equatable {
        var calls = 0
        var rejected = 0
        /// Spans that are not model calls.
        var skipped = 0
    }

    /// Operation names of model calls (current and older spellings).
    static let modelOperations: Set<String> = ["chat", "generate_content", "text_completion", "completion", "embeddings", "embedding"]
    /// OpenLLMetry's `traceloop.span.kind` values of spans that group calls (their usage is a sum).
    static let groupingSpanKinds: Set<String> = ["workflow", "task", "agent", "tool"]

    /// Attribute names, current first, then the older or vendor spellings read in their place.
    enum Key {
        static let operation = "gen_ai.operation.name"
        static let provider = ["gen_ai.provider.name", "gen_ai.system"]
        static let model = ["gen_ai.response.model", "gen_ai.request.model"]
        static let input = ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"]
        static let output = ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"]
        static let cacheRead = ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"]
        static let cacheWrite = ["gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens"]
        static let reasoning = ["gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens"]
        static let cost = "gen_ai.usage.cost"
        static let serviceTier = ["openai.response.service_tier", "gen_ai.openai.response.service_tier"]
        static let agentName = "gen_ai.agent.name"
        static let workflowName = "traceloop.workflow.name"
        static let application = "gen_ai.application_name"
        static let responseID = "gen_ai.response.id"
        static let conversationID = "gen_ai.conversation.id"
        static let errorType = "error.type"
        static let spanKind = "traceloop.span.kind"
        static let usage = input + output + cacheRead + cacheWrite + reasoning
    }

    /// A model call read from one span, before its place among its siblings is known.
    struct Draft {
        var span: Int
        var record: CallRecord
        var start: Int64
    }

    /// Appends the request's calls and rejects, in span order.
    @discardableResult
    func build(_ request: OTLPTraceRequest, unit: UnsafeBufferPointer<UInt8>, line: Int,
               into items: inout [ImportItem]) -> Tally {
        var tally = Tally()
        var index: [SpanKey: Int] = [:]
        for (i, span) in request.spans.enumerated() where !span.spanID.isEmpty {
            index[SpanKey(trace: span.traceID, span: span.spanID)] = i
        }
        let lineage = Lineage(spans: request.spans, index: index)

        var drafts: [Draft] = []
        var outcome: [Int: RejectReason] = [:]  // span → reject
        for (i, span) in request.spans.enumerated() {
            if let problem = span.problem {
                // A span that could not be read is rejected only when it looks like a model call.
                if Self.mentionsGenAI(unit, span.byteRange) { outcome[i] = problem } else { tally.skipped += 1 }
                continue
            }
            guard Self.isModelCall(span) else {
                tally.skipped += 1
                continue
            }
            do {
                drafts.append(Draft(span: i, record: try record(for: span, at: i, request: request, lineage: lineage),
                                    start: span.startNanos ?? 0))
            } catch {
                outcome[i] = RecordProblem.reason(for: error)
            }
        }
        Self.assignAttempts(&drafts, spans: request.spans)

        // Emit in span order.
        var next = 0
        for i in request.spans.indices {
            if let reason = outcome[i] {
                items.append(.reject(reason, line: line, raw: Self.raw(unit, request.spans[i].byteRange)))
                tally.rejected += 1
            } else if next < drafts.count, drafts[next].span == i {
                items.append(.call(drafts[next].record, line: line))
                tally.calls += 1
                next += 1
            }
        }
        return tally
    }

    // MARK: Which spans

    static func isModelCall(_ span: OTLPSpan) -> Bool {
        if let operation = span.text(Key.operation) {
            return modelOperations.contains(operation.lowercased())
        }
        if let kind = span.text(Key.spanKind), groupingSpanKinds.contains(kind.lowercased()) { return false }
        return Key.usage.contains { span.attributes[$0] != nil }
    }

    /// Whether a span's raw JSON names a GenAI attribute (used for spans that could not be read).
    static func mentionsGenAI(_ unit: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let needle = Array("\"gen_ai.".utf8)
        guard range.lowerBound >= 0, range.upperBound <= unit.count, range.count >= needle.count else { return false }
        var i = range.lowerBound
        while i <= range.upperBound - needle.count {
            if unit[i] == needle[0], (1..<needle.count).allSatisfy({ unit[i + $0] == needle[$0] }) { return true }
            i += 1
        }
        return false
    }

    static func raw(_ unit: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= unit.count else { return [] }
        return Array(unit[range.lowerBound..<min(range.upperBound, range.lowerBound + ImportLimits.rejectRawBytes)])
    }

    // MARK: One call

    func record(for span: OTLPSpan, at position: Int, request: OTLPTraceRequest, lineage: Lineage) throws -> CallRecord {
        let requestID = span.spanID.isEmpty ? span.text(Key.responseID) : span.spanID
        guard let requestID else { throw RecordProblem.reason(.missingField("spanId")) }
        guard let startNanos = span.startNanos else { throw RecordProblem.reason(.missingField("startTimeUnixNano")) }
        let ms = startNanos / 1_000_000
        guard startNanos > 0, Timestamp.validRange.contains(ms) else {
            throw RecordProblem.reason(.invalidTimestamp("startTimeUnixNano \(startNanos)"))
        }
        guard let model = Self.first(Key.model, in: span) else {
            throw RecordProblem.reason(.missingField("gen_ai.request.model"))
        }

        let status = Self.status(of: span)
        let input = try Self.count(Key.input, in: span)
        let output = try Self.count(Key.output, in: span)
        if input == nil && status == .ok {
            // A successful call without counts would pass for a free one.
            throw RecordProblem.reason(.missingField("gen_ai.usage.input_tokens"))
        }
        let cacheRead = try Self.count(Key.cacheRead, in: span) ?? 0
        let cacheWrite = try Self.count(Key.cacheWrite, in: span) ?? 0
        let reasoning = try Self.count(Key.reasoning, in: span) ?? 0
        for n in [input ?? 0, output ?? 0, cacheRead, cacheWrite, reasoning] {
            // Checked before any sum, so that no count can overflow one.
            if n < 0 { throw RecordProblem.reason(.negativeTokens) }
            if n > CallRecord.maxTokens { throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)")) }
        }
        var totalInput = input ?? 0
        if cacheRead + cacheWrite > totalInput {
            // Input SHOULD include cached tokens; counts that cannot include them are Anthropic's
            // uncached input, so the cached ones are added.
            totalInput += cacheRead + cacheWrite
        }

        var r = CallRecord(requestID: requestID, timestamp: Timestamp(milliseconds: ms), model: model,
                           inputTokens: totalInput, outputTokens: output ?? 0)
        r.cachedInputTokens = cacheRead
        r.cacheWriteTokens = cacheWrite
        r.reasoningTokens = reasoning
        r.provider = Self.first(Key.provider, in: span)?.lowercased()
        r.status = status
        r.attempt = 1
        if let end = span.endNanos, end >= startNanos {
            let latency = (end - startNanos) / 1_000_000
            if latency <= 86_400_000 * 7 { r.latencyMs = latency }
        }
        if let tier = Self.first(Key.serviceTier, in: span) {
            if tier.lowercased() == "batch" { r.batch = true } else { r.serviceTier = ServiceTier(name: tier) ?? .standard }
        }
        if let cost = span.attributes[Key.cost] {
            guard let d = cost.decimal, let picos = d.scaled(byPowerOfTen: Money.exactDecimals, rounding: true),
                  picos.magnitude < Int128(1) << 100 else {
                throw RecordProblem.reason(.wrongType(field: Key.cost, expected: "a number"))
            }
            r.gatewayCost = Money(picos: picos)
        }

        let resource = request.resources.indices.contains(span.resource) ? request.resources[span.resource] : [:]
        let ancestors = lineage.ancestors(of: position)
        /// An attribute of the span, else of its nearest ancestor that has it, else of its resource.
        func lookup(_ key: String) -> String? {
            if let v = span.text(key) { return v }
            for a in ancestors { if let v = request.spans[a].text(key) { return v } }
            return resource[key]?.text
        }
        func mapped(_ field: String) -> String? { settings.fieldMap[field].flatMap(lookup) }

        r.actionID = mapped("action_id") ?? (span.traceID.isEmpty ? nil : span.traceID)
        r.workflow = mapped("workflow") ?? lookup(Key.agentName) ?? lookup(Key.workflowName)
            ?? lineage.rootName(of: position, ancestors: ancestors)
            ?? resource["service.name"]?.text
        r.team = mapped("team") ?? resource["team"]?.text ?? resource["service.namespace"]?.text
        r.userID = mapped("user_id") ?? lookup("user.id") ?? lookup("enduser.id")
        r.userSegment = mapped("user_segment")
        r.project = mapped("project") ?? lookup(Key.application)
        r.apiKeyID = mapped("api_key_id")

        var metadata: [String: JSONValue] = [:]
        if let id = span.text(Key.responseID) { metadata["response_id"] = .string(id) }
        if let id = lookup(Key.conversationID) { metadata["conversation_id"] = .string(id) }
        if !metadata.isEmpty { r.metadata = JSONValue.object(metadata).compactText }

        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return r
    }

    static func first(_ keys: [String], in span: OTLPSpan) -> String? {
        for k in keys { if let v = span.text(k) { return v } }
        return nil
    }

    /// The first of `keys` present, as a whole number; nil when none is present.
    static func count(_ keys: [String], in span: OTLPSpan) throws -> Int64? {
        for k in keys {
            guard let value = span.attributes[k] else { continue }
            guard let d = value.decimal else { throw RecordProblem.reason(.wrongType(field: k, expected: "a whole number")) }
            return try d.wholeCount(field: k)
        }
        return nil
    }

    /// `status.code` 2 or an `error.type` is a failure; its text tells timeouts and rate limits apart.
    static func status(of span: OTLPSpan) -> CallStatus {
        let errorType = span.text(Key.errorType)
        guard span.statusCode == 2 || errorType != nil else { return .ok }
        let text = ((errorType ?? "") + " " + (span.statusMessage ?? "")).lowercased()
        if text.contains("timeout") || text.contains("timed out") || text.contains("deadline") { return .timeout }
        if text.contains("ratelimit") || text.contains("rate_limit") || text.contains("rate limit")
            || text.contains("429") || text.contains("too many requests") || text.contains("resource_exhausted") {
            return .rateLimited
        }
        return .error
    }

    // MARK: Siblings

    /// Numbers the model calls under each parent in start order. A call that follows a failed sibling
    /// is that sibling's retry (same model) or fallback (another model); a call that follows a
    /// successful one starts afresh, as the steps of an agent loop do.
    static func assignAttempts(_ drafts: inout [Draft], spans: [OTLPSpan]) {
        var groups: [SpanKey: [Int]] = [:]
        for (d, draft) in drafts.enumerated() {
            let span = spans[draft.span]
            groups[SpanKey(trace: span.traceID, span: span.parentSpanID), default: []].append(d)
        }
        for (_, members) in groups where members.count > 1 {
            let ordered = members.sorted { drafts[$0].start != drafts[$1].start ? drafts[$0].start < drafts[$1].start : $0 < $1 }
            var previous: CallRecord?
            for d in ordered {
                if let p = previous, p.status != .ok {
                    let attempt = min((p.attempt ?? 1) + 1, 10_000)
                    drafts[d].record.attempt = attempt
                    if p.model == drafts[d].record.model {
                        drafts[d].record.kind = .retry
                    } else {
                        drafts[d].record.kind = .fallback
                        drafts[d].record.fallbackFrom = p.model
                        drafts[d].record.fallbackReason = switch p.status {
                        case .rateLimited: "rate_limit"
                        case .timeout: "timeout"
                        default: "error"
                        }
                    }
                }
                previous = drafts[d].record
            }
        }
    }
}

/// A span's identity within a request: its trace and its span id.
struct SpanKey: Hashable {
    var trace: String
    var span: String
}

/// Parent links between the spans of one request.
struct Lineage {
    let spans: [OTLPSpan]
    let index: [SpanKey: Int]

    /// The span's ancestors present in the request, nearest first (bounded; a cycle ends the walk).
    func ancestors(of position: Int) -> [Int] {
        var out: [Int] = []
        var seen: Set<Int> = [position]
        var current = spans[position]
        while !current.parentSpanID.isEmpty, out.count < 256,
              let parent = index[SpanKey(trace: current.traceID, span: current.parentSpanID)],
              seen.insert(parent).inserted {
            out.append(parent)
            current = spans[parent]
        }
        return out
    }

    /// The name of the trace's root span when it is in the request and is not a model call itself.
    func rootName(of position: Int, ancestors: [Int]) -> String? {
        guard let top = ancestors.last, spans[top].parentSpanID.isEmpty, !OTLPCallBuilder.isModelCall(spans[top]),
              !spans[top].name.isEmpty else { return nil }
        return spans[top].name
    }
}
