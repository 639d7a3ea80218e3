import Foundation
import LedgerValues

/// One row of LiteLLM's `LiteLLM_SpendLogs` table, from the proxy's `/spend/logs` JSON or a CSV dump,
/// and the call it records (`docs/formats.md`, LiteLLM).
///
/// Column names are matched as written and in lower case (CSV headers are lowercased). `metadata` may be
/// an object or a JSON string holding one; numbers may be numbers or numeric strings. `spend` is read
/// from its text, so the gateway's cost is kept exactly as logged.
struct LiteLLMSpendLogRow {
    let fields: [String: JSONValue]
    let metadata: [String: JSONValue]

    /// - Throws: ``RecordProblem`` when `metadata` is neither an object nor a JSON string holding one.
    init(fields: [String: JSONValue]) throws {
        self.fields = fields
        switch fields["metadata"] {
        case .object(let o)?:
            metadata = o
        case .string(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed == "null" {
                metadata = [:]
            } else {
                guard case .object(let o)? = try? JSONValue.parse(trimmed) else {
                    throw RecordProblem.reason(.wrongType(field: "metadata", expected: "a JSON object"))
                }
                metadata = o
            }
        case nil, .null?:
            metadata = [:]
        default:
            throw RecordProblem.reason(.wrongType(field: "metadata", expected: "a JSON object"))
        }
    }

    /// A column's value; null counts as absent.
    func value(_ key: String) -> JSONValue? {
        guard let v = fields[key] ?? fields[key.lowercased()], !v.isNull else { return nil }
        return v
    }

    /// A column as text; nil when absent, null or empty.
    func text(_ key: String) -> String? { Self.nonEmpty(value(key)?.string) }

    /// A metadata entry as text; nil when absent, null or empty.
    func metadataText(_ key: String) -> String? { Self.nonEmpty(metadata[key]?.string) }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty, s != "None" else { return nil }
        return s
    }

    // MARK: The call

    /// The call this row records; nil for rows that are not a model call (a response served from
    /// LiteLLM's own cache, or a row with neither model nor tokens, such as file and batch management).
    func record(settings: ImporterSettings) throws -> CallRecord? {
        if value("cache_hit")?.bool == true { return nil }
        guard let requestID = text("request_id") else { throw RecordProblem.reason(.missingField("request_id")) }
        let prompt = try Self.count(value("prompt_tokens"), field: "prompt_tokens") ?? 0
        let completion = try Self.count(value("completion_tokens"), field: "completion_tokens") ?? 0
        guard let model = text("model") ?? text("model_group") else {
            if prompt == 0 && completion == 0 && (fields["prompt_tokens"] != nil || fields["total_tokens"] != nil) {
                return nil
            }
            throw RecordProblem.reason(.missingField("model"))
        }
        if fields["prompt_tokens"] == nil {
            throw RecordProblem.reason(.missingField("prompt_tokens"))
        }
        guard let startValue = value("startTime") else { throw RecordProblem.reason(.missingField("startTime")) }
        guard let start = Self.timestamp(startValue) else {
            throw RecordProblem.reason(.invalidTimestamp(String((startValue.string ?? startValue.compactText).prefix(40))))
        }

        let usage = try usageCounts()
        for n in [prompt, completion, usage.cacheRead, usage.cacheWrite5m, usage.cacheWrite1h, usage.reasoning] {
            if n < 0 { throw RecordProblem.reason(.negativeTokens) }
            if n > CallRecord.maxTokens { throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)")) }
        }
        var input = prompt
        let cached = usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h
        if cached > input {
            // prompt_tokens counts cache reads and writes (LiteLLM adds Anthropic's); older rows that
            // did not are completed.
            input += cached
        }

        var r = CallRecord(requestID: requestID, timestamp: start, model: model, inputTokens: input, outputTokens: completion)
        r.cachedInputTokens = usage.cacheRead
        r.cacheWriteTokens = usage.cacheWrite5m
        r.cacheWrite1hTokens = usage.cacheWrite1h
        r.reasoningTokens = usage.reasoning
        r.provider = text("custom_llm_provider")
        r.latencyMs = latency(start: start)
        r.status = status()
        if let spend = value("spend") {
            guard let d = spend.decimal, let picos = d.scaled(byPowerOfTen: Money.exactDecimals, rounding: true),
                  picos.magnitude < Int128(1) << 100 else {
                throw RecordProblem.reason(.wrongType(field: "spend", expected: "a number"))
            }
            r.gatewayCost = Money(picos: picos)
        }
        try routing(into: &r)

        func mapped(_ field: String) -> String? { settings.fieldMap[field].flatMap(lookup) }
        r.actionID = mapped("action_id") ?? text("session_id") ?? metadataText("trace_id")
        r.workflow = mapped("workflow")
        r.team = mapped("team") ?? text("team_id") ?? metadataText("user_api_key_team_id") ?? metadataText("user_api_key_team_alias")
        r.userID = mapped("user_id") ?? text("end_user") ?? text("user") ?? metadataText("user_api_key_user_id")
        r.userSegment = mapped("user_segment")
        r.project = mapped("project")
        r.apiKeyID = mapped("api_key_id") ?? text("api_key")
        r.metadata = keptMetadata()

        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return r
    }

    /// A value named by `--map`: a column, else a metadata entry, else an entry of the caller's
    /// `spend_logs_metadata`.
    func lookup(_ key: String) -> String? {
        text(key) ?? metadataText(key) ?? Self.nonEmpty(metadata["spend_logs_metadata"]?[key]?.string)
    }

    // MARK: Parts

    struct UsageCounts {
        var cacheRead: Int64 = 0
        var cacheWrite5m: Int64 = 0
        var cacheWrite1h: Int64 = 0
        var reasoning: Int64 = 0
    }

    /// Cache and reasoning counts from `metadata.additional_usage_values`, else `metadata.usage_object`,
    /// else a `usage_object` column.
    func usageCounts() throws -> UsageCounts {
        var sources: [[String: JSONValue]] = []
        for v in [metadata["additional_usage_values"], metadata["usage_object"], value("usage_object")] {
            if let o = v?.object { sources.append(o) }
            else if let s = v?.string, let o = (try? JSONValue.parse(s))?.object { sources.append(o) }
        }
        func first(_ path: [String], field: String) throws -> Int64? {
            for source in sources {
                var v: JSONValue? = .object(source)
                for k in path { v = v?[k] }
                if let n = try Self.count(v, field: field) { return n }
            }
            return nil
        }
        var u = UsageCounts()
        u.cacheRead = try first(["cache_read_input_tokens"], field: "cache_read_input_tokens")
            ?? first(["prompt_tokens_details", "cached_tokens"], field: "prompt_tokens_details.cached_tokens") ?? 0
        let write = try first(["cache_creation_input_tokens"], field: "cache_creation_input_tokens")
            ?? first(["prompt_tokens_details", "cache_creation_tokens"], field: "prompt_tokens_details.cache_creation_tokens") ?? 0
        let oneHour = try first(["cache_creation", "ephemeral_1h_input_tokens"], field: "cache_creation.ephemeral_1h_input_tokens")
            ?? first(["prompt_tokens_details", "cache_creation_token_details", "ephemeral_1h_input_tokens"],
                     field: "cache_creation_token_details.ephemeral_1h_input_tokens")
        if let oneHour, oneHour >= 0, oneHour <= CallRecord.maxTokens {
            u.cacheWrite1h = oneHour
            u.cacheWrite5m = max(0, write - oneHour)
        } else {
            u.cacheWrite5m = write
        }
        u.reasoning = try first(["completion_tokens_details", "reasoning_tokens"], field: "completion_tokens_details.reasoning_tokens") ?? 0
        return u
    }

    /// `request_duration_ms`, else `endTime − startTime`; nil when neither makes sense.
    func latency(start: Timestamp) -> Int64? {
        if let ms = value("request_duration_ms")?.decimal?.scaled(byPowerOfTen: 0, rounding: true),
           ms >= 0, ms <= 86_400_000 * 7 {
            return Int64(ms)
        }
        guard let endValue = value("endTime"), let end = Self.timestamp(endValue), end >= start else { return nil }
        let ms = end.milliseconds - start.milliseconds
        return ms <= 86_400_000 * 7 ? ms : nil
    }

    /// `status` `failure` (column or metadata) is a failed call; `error_information` says which kind.
    func status() -> CallStatus {
        let failed = text("status")?.lowercased() == "failure" || metadataText("status")?.lowercased() == "failure"
        guard failed else { return .ok }
        let info = metadata["error_information"]?.object ?? [:]
        let code = Self.nonEmpty(info["error_code"]?.string) ?? ""
        let kind = ((Self.nonEmpty(info["error_class"]?.string) ?? "") + " "
                    + (Self.nonEmpty(info["error_message"]?.string) ?? "")).lowercased()
        if code == "429" || kind.contains("ratelimit") || kind.contains("rate limit") { return .rateLimited }
        if code == "408" || kind.contains("timeout") || kind.contains("timed out") { return .timeout }
        return .error
    }

    /// Retries and fallbacks from the router's counters (`attempted_retries`, `attempted_fallbacks`)
    /// and from `original_model_group` differing from `model_group`.
    func routing(into r: inout CallRecord) throws {
        let retries = max(0, try Self.count(metadata["attempted_retries"] ?? value("attempted_retries"), field: "attempted_retries") ?? 0)
        let fallbacks = max(0, try Self.count(metadata["attempted_fallbacks"] ?? value("attempted_fallbacks"), field: "attempted_fallbacks") ?? 0)
        let group = text("model_group") ?? metadataText("model_group")
        let original = text("original_model_group") ?? metadataText("original_model_group")
        let switched = original != nil && group != nil && original != group
        if fallbacks > 0 || switched {
            r.kind = .fallback
            if switched { r.fallbackFrom = original }
        } else if retries > 0 {
            r.kind = .retry
        }
        r.attempt = Int(min(10_000, 1 + min(retries, 10_000) + min(fallbacks, 10_000)))
    }

    /// The row's tags and the caller's own `spend_logs_metadata`, as compact JSON; nil when neither.
    func keptMetadata() -> String? {
        var out: [String: JSONValue] = [:]
        let tags = Self.tags(value("request_tags"))
        if !tags.isEmpty { out["tags"] = .array(tags.map { .string($0) }) }
        if let own = metadata["spend_logs_metadata"]?.object, !own.isEmpty { out["spend_logs_metadata"] = .object(own) }
        return out.isEmpty ? nil : JSONValue.object(out).compactText
    }

    /// Tags from a JSON list, a JSON string holding one, or a PostgreSQL array literal `{a,b}`.
    static func tags(_ v: JSONValue?) -> [String] {
        switch v {
        case .array(let items)?:
            return items.compactMap { nonEmpty($0.string) }
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("["), let parsed = try? JSONValue.parse(t) { return tags(parsed) }
            if t.hasPrefix("{"), t.hasSuffix("}"), t.count >= 2 {
                return t.dropFirst().dropLast().split(separator: ",").compactMap {
                    nonEmpty($0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
                }
            }
            return nonEmpty(t).map { [$0] } ?? []
        default:
            return []
        }
    }

    // MARK: Values

    /// A whole-number count; nil when absent or null, a reject when present but not a whole number.
    static func count(_ v: JSONValue?, field: String) throws -> Int64? {
        guard let v, !v.isNull else { return nil }
        if case .string(let s) = v, s.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let d = v.decimal else { throw RecordProblem.reason(.wrongType(field: field, expected: "a whole number")) }
        return try d.wholeCount(field: field)
    }

    /// `2026-01-01T10:15:02.123000Z`, `2026-01-01 10:15:02.123` (no zone: UTC), `…+00:00`, `…+00`, or
    /// epoch seconds (a number with a fraction) or milliseconds.
    static func timestamp(_ v: JSONValue) -> Timestamp? {
        switch v {
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            if let ts = Timestamp.parse(iso: t) { return ts }
            // PostgreSQL writes a whole-hour offset as `+00`.
            let u = Array(t.utf8)
            if u.count > 19, u[u.count - 3] == 0x2B || u[u.count - 3] == 0x2D,
               u[(u.count - 2)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                return Timestamp.parse(iso: u + Array(":00".utf8))
            }
            if !u.isEmpty, u.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) { return epoch(t) }
            return nil
        case .number(let n):
            return epoch(n)
        default:
            return nil
        }
    }

    static func epoch(_ text: String) -> Timestamp? {
        guard let d = ExactDecimal(parsing: text), !d.isNegative,
              let whole = d.scaled(byPowerOfTen: 0, rounding: false) ?? d.scaled(byPowerOfTen: 0, rounding: true) else { return nil }
        if whole < 100_000_000_000 {
            // Seconds, possibly with a fraction.
            guard let ms = d.scaled(byPowerOfTen: 3, rounding: false) ?? d.scaled(byPowerOfTen: 3, rounding: true),
                  let v = Int64(exactly: ms), Timestamp.validRange.contains(v) else { return nil }
            return Timestamp(milliseconds: v)
        }
        guard let v = Int64(exactly: whole) else { return nil }
        return Timestamp.fromEpoch(v)
    }
}
