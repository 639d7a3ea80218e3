import LedgerValues

/// Gemini CLI's OpenTelemetry log events in OTLP/JSON (`docs/formats.md`, Gemini CLI): one
/// `ExportLogsServiceRequest` (`{"resourceLogs":[…]}`) per line, as the Collector's file exporter writes
/// them and as Gemini CLI's OTLP/HTTP exporter sends them.
///
/// Each `gemini_cli.api_response` log record is a call with the record's token counts; each
/// `gemini_cli.api_error` record is a failed call without tokens. Other records (tool calls, prompts,
/// configuration) are skipped. A record that cannot be used is rejected alone, on its request's line.
///
/// The request id is the session, the prompt and the record's time (`<session.id>:<prompt_id>:<ms>`,
/// with the `role` of a non-main request), so a re-import and a second copy of a log give the same ids;
/// the action is the prompt (`prompt_id`: one user prompt and the model calls it led to).
public struct GeminiCLITelemetryImporter: FormatImporter {
    public static let formatName = "gemini-cli"
    public static let family = "gemini-cli"
    public static let framing = Framing.lines

    static let responseEvent = "gemini_cli.api_response"
    static let errorEvent = "gemini_cli.api_error"

    let settings: ImporterSettings

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims a sample whose first line is a logs request (`resourceLogs`) and which names a Gemini CLI
    /// event.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B) else { return 0 }
        guard sample.firstLineContains("\"resourceLogs\"") || sample.firstLineContains("\"resource_logs\"") else { return 0 }
        return sample.contains("gemini_cli.") || sample.contains("\"gemini-cli\"") ? 95 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        // Lines of metrics and traces exported beside the logs are skipped without parsing.
        guard CodexImporter.contains(unit, "resourceLogs") || CodexImporter.contains(unit, "resource_logs")
                || CodexImporter.contains(unit, "gemini_cli.api_") else { return }
        guard case .object(let request) = try JSONValue.parse(unit) else {
            throw RecordProblem.reason(.malformedJSON("a line must be an ExportLogsServiceRequest object"))
        }
        guard let resourceLogs = request["resourceLogs"] ?? request["resource_logs"] else {
            // Traces and metrics exported beside the logs are not calls.
            if request["resourceSpans"] != nil || request["resourceMetrics"] != nil { return }
            throw RecordProblem.reason(.missingField("resourceLogs"))
        }
        for resourceLog in try Self.list(resourceLogs, field: "resourceLogs") {
            let resource = Self.attributes(resourceLog[path: "resource", "attributes"])
            let scopes = resourceLog["scopeLogs"] ?? resourceLog["scope_logs"] ?? resourceLog["instrumentationLibraryLogs"]
            for scope in try Self.list(scopes, field: "scopeLogs") {
                for record in try Self.list(scope["logRecords"] ?? scope["log_records"], field: "logRecords") {
                    do {
                        if let call = try self.call(record, resource: resource) { items.append(.call(call, line: line)) }
                    } catch {
                        items.append(.reject(RecordProblem.reason(for: error), line: line,
                                             raw: Array(record.compactText.utf8.prefix(ImportLimits.rejectRawBytes))))
                    }
                }
            }
        }
    }

    /// The call of one log record; nil for records that are not model calls.
    func call(_ record: JSONValue, resource: [String: JSONValue]) throws -> CallRecord? {
        guard record.object != nil else { throw RecordProblem.reason(.wrongType(field: "logRecords[]", expected: "an object")) }
        let a = Self.attributes(record["attributes"])
        let event = ProviderFields.text(a["event.name"])
        guard event == Self.responseEvent || event == Self.errorEvent else { return nil }
        func text(_ key: String) -> String? { ProviderFields.text(a[key]) ?? ProviderFields.text(resource[key]) }

        let time = try Self.time(record, attributes: a)
        let session = text("session.id")
        let prompt = text("prompt_id")
        guard session != nil || prompt != nil else { throw RecordProblem.reason(.missingField("session.id")) }
        let role = text("role")
        var id = "\(session ?? "-"):\(prompt ?? "-"):\(time.milliseconds)"
        if let role, role != "main" { id += ":\(role)" }

        var r: CallRecord
        if event == Self.responseEvent {
            guard let model = text("model") else { throw RecordProblem.reason(.missingField("model")) }
            r = CallRecord(requestID: id, timestamp: time, model: model, inputTokens: 0, outputTokens: 0)
            let usage = try GeminiUsage(input: a["input_token_count"], output: a["output_token_count"],
                                        cached: a["cached_content_token_count"], thoughts: a["thoughts_token_count"],
                                        tool: a["tool_token_count"], total: a["total_token_count"], prefix: "")
            usage.apply(to: &r)
            let status = try ProviderFields.count(a["status_code"], field: "status_code")
            if let status, !(200..<300).contains(status) { r.status = GeminiUsage.status(code: status, type: nil) }
        } else {
            let model = text("model") ?? text("model_name") ?? GeminiUsage.unrecordedModel
            r = CallRecord(requestID: id, timestamp: time, model: model, inputTokens: 0, outputTokens: 0)
            let code = try? ProviderFields.count(a["status_code"], field: "status_code")
            r.status = GeminiUsage.status(code: code ?? nil, type: text("error_type") ?? text("error.type"))
        }
        r.provider = "google"
        // A duration of an odd shape (a fraction, text) leaves the latency unknown; the call is still read.
        if let ms = (try? ProviderFields.count(a["duration_ms"] ?? a["duration"], field: "duration_ms")) ?? nil, ms <= 86_400_000 * 7 {
            r.latencyMs = ms
        }
        settings.applyMap(to: &r, action: prompt ?? session, workflow: GeminiUsage.defaultWorkflow, lookup: text)
        var metadata: [String: JSONValue] = [:]
        if let role { metadata["role"] = .string(role) }
        if let auth = text("auth_type") { metadata["auth_type"] = .string(auth) }
        if let session { metadata["session_id"] = .string(session) }
        if event == Self.errorEvent, let type = text("error_type") ?? text("error.type") { metadata["error"] = .string(String(type.prefix(200))) }
        if !metadata.isEmpty { r.metadata = JSONValue.object(metadata).compactText }
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return r
    }

    /// `timeUnixNano` (decimal text or a number), else `observedTimeUnixNano`, else `event.timestamp`.
    static func time(_ record: JSONValue, attributes a: [String: JSONValue]) throws -> Timestamp {
        for key in ["timeUnixNano", "time_unix_nano", "observedTimeUnixNano", "observed_time_unix_nano"] {
            guard let v = record[key], !v.isNull else { continue }
            guard let d = v.decimal, let nanos = d.exactInt64, nanos >= 0 else {
                throw RecordProblem.reason(.wrongType(field: key, expected: "nanoseconds since the epoch"))
            }
            if nanos == 0 { continue }  // 0 means unset in OTLP
            let ms = nanos / 1_000_000
            guard Timestamp.validRange.contains(ms) else { throw RecordProblem.reason(.invalidTimestamp("\(key) \(nanos)")) }
            return Timestamp(milliseconds: ms)
        }
        guard let t = try ProviderFields.time(a["event.timestamp"], field: "event.timestamp") else {
            throw RecordProblem.reason(.missingField("timeUnixNano"))
        }
        return t
    }

    /// A list that may be missing or null (empty).
    static func list(_ v: JSONValue?, field: String) throws -> [JSONValue] {
        guard let v, !v.isNull else { return [] }
        guard let a = v.array else { throw RecordProblem.reason(.wrongType(field: field, expected: "an array")) }
        return a
    }

    /// An OTLP `KeyValue` list as key → scalar (`stringValue`, `intValue`, `doubleValue`, `boolValue`;
    /// other values are left out, a later duplicate key wins).
    static func attributes(_ v: JSONValue?) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for kv in v?.array ?? [] {
            guard let key = kv["key"]?.string, let value = kv["value"] else { continue }
            switch value {
            case .object(let o):
                if let s = o["stringValue"] ?? o["string_value"] { out[key] = s }
                else if let n = o["intValue"] ?? o["int_value"] ?? o["doubleValue"] ?? o["double_value"] { out[key] = n }
                else if let b = o["boolValue"] ?? o["bool_value"] { out[key] = b }
            case .string, .number, .bool:
                out[key] = value
            default:
                break
            }
        }
        return out
    }
}

/// Gemini CLI's saved chat files, `~/.gemini/tmp/<project hash>/chats/session-<time>-<id>.json` (one
/// `ConversationRecord` document, older builds) or `….jsonl` (a metadata line, then one message record
/// per line, a message written again when it changes) (`docs/formats.md`, Gemini CLI).
///
/// Every `gemini` message with `tokens` is a call; the request id is the message `id`, the action the
/// session. A message written again keeps its id, so it is one request (its last version in the file
/// wins); rewound messages (`$rewindTo`) were still billed and are kept.
public struct GeminiCLIChatImporter: FormatImporter {
    public static let formatName = "gemini-cli-chat"
    public static let family = "gemini-cli-chat"
    public static let framing = Framing.document

    let settings: ImporterSettings

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims JSON starting with a conversation's `sessionId` and `projectHash`.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B, sample.hasJSONKey("sessionId"), sample.hasJSONKey("projectHash") else { return 0 }
        return sample.hasJSONKey("startTime") || sample.hasJSONKey("messages") || sample.hasJSONKey("lastUpdated") ? 90 : 0
    }

    /// What one chat file has told: its session and attributes, and its calls by message id (in order).
    struct Chat {
        var session: String?
        var attributes: [String: String] = [:]
        var order: [String] = []
        var calls: [String: (CallRecord, Int)] = [:]
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        var chat = Chat()
        if LiteLLMSpendLogImporter.looksLineDelimited(unit) {
            readLines(unit, firstLine: line, chat: &chat, into: &items)
        } else {
            try readDocument(unit, firstLine: line, chat: &chat, into: &items)
        }
        for id in chat.order {
            guard let (call, callLine) = chat.calls[id] else { continue }
            var r = call
            settings.applyMap(to: &r, action: chat.session, workflow: GeminiUsage.defaultWorkflow) { chat.attributes[$0] }
            guard r.actionID != nil else {
                items.append(.reject(.missingField("sessionId"), line: callLine, raw: Array(id.utf8)))
                continue
            }
            items.append(.call(r, line: callLine))
        }
    }

    /// JSON Lines: each line a metadata record, a message, a `$set` update or a `$rewindTo` marker.
    func readLines(_ unit: UnsafeBufferPointer<UInt8>, firstLine: Int, chat: inout Chat, into items: inout [ImportItem]) {
        DocumentLines.forEach(unit, firstLine: firstLine) { bytes, line in
            do {
                guard case .object(let o) = try JSONValue.parse(bytes) else {
                    throw RecordProblem.reason(.malformedJSON("a line must be a JSON object"))
                }
                if let set = o["$set"]?.object {
                    readMetadata(set, into: &chat)
                    for m in set["messages"]?.array ?? [] { try readMessage(m, line: line, into: &chat) }
                } else if o["$rewindTo"] == nil {
                    if o["sessionId"] != nil { readMetadata(o, into: &chat) }
                    if o["type"] != nil { try readMessage(.object(o), line: line, into: &chat) }
                }
            } catch {
                items.append(.reject(RecordProblem.reason(for: error), line: line,
                                     raw: Array(bytes.prefix(ImportLimits.rejectRawBytes))))
            }
        }
    }

    /// One `ConversationRecord` object: its metadata, and each element of `messages` on its own line.
    func readDocument(_ unit: UnsafeBufferPointer<UInt8>, firstLine: Int, chat: inout Chat, into items: inout [ImportItem]) throws {
        var lines = DocumentLineCounter(unit, firstLine: firstLine)
        var s = JSONScanner(unit)
        guard s.nextKind() == .object else {
            throw RecordProblem.reason(.wrongType(field: "(top level)", expected: "a conversation object"))
        }
        do {
            try s.readObject { s, key in
                if key.equals("messages") {
                    guard s.nextKind() == .array else {
                        try s.skipValue()
                        throw RecordProblem.reason(.wrongType(field: "messages", expected: "an array"))
                    }
                    try s.readArray { s in
                        let bytes = try s.captureValue()
                        let at = lines.line(at: s.position - bytes.count)
                        do {
                            try readMessage(try JSONValue.parse(bytes), line: at, into: &chat)
                        } catch {
                            items.append(.reject(RecordProblem.reason(for: error), line: at,
                                                 raw: Array(bytes.prefix(ImportLimits.rejectRawBytes))))
                        }
                    }
                } else if s.nextKind() == .string || s.nextKind() == .number || s.nextKind() == .bool {
                    let name = String(decoding: key, as: UTF8.self)
                    let value = try s.readValue()
                    readMetadata([name: value], into: &chat)
                } else {
                    try s.skipValue()
                }
            }
            try s.expectEnd()
        } catch {
            // Keep the messages read; the rest of the document is one reject.
            let at = min(max((error as? JSONError)?.offset ?? s.position, 0), unit.count)
            items.append(.reject(RecordProblem.reason(for: error), line: lines.line(at: at),
                                 raw: Array(unit[at..<min(unit.count, at + ImportLimits.rejectRawBytes)])))
        }
    }

    func readMetadata(_ o: [String: JSONValue], into chat: inout Chat) {
        if let id = ProviderFields.text(o["sessionId"]) {
            chat.session = chat.session ?? id
        }
        for key in ["sessionId", "projectHash", "kind", "summary"] {
            if let v = ProviderFields.text(o[key]) { chat.attributes[key] = v }
        }
    }

    /// A `gemini` message with `tokens` becomes (or replaces) the call of its id.
    func readMessage(_ v: JSONValue, line: Int, into chat: inout Chat) throws {
        guard let m = v.object else { throw RecordProblem.reason(.wrongType(field: "messages[]", expected: "an object")) }
        guard ProviderFields.text(m["type"]) == "gemini", let tokens = m["tokens"], !tokens.isNull else { return }
        guard let t = tokens.object else { throw RecordProblem.reason(.wrongType(field: "tokens", expected: "an object")) }
        guard let id = ProviderFields.text(m["id"]) else { throw RecordProblem.reason(.missingField("id")) }
        guard let time = try ProviderFields.time(m["timestamp"], field: "timestamp") else {
            throw RecordProblem.reason(.missingField("timestamp"))
        }
        var r = CallRecord(requestID: id, timestamp: time, model: ProviderFields.text(m["model"]) ?? GeminiUsage.unrecordedModel,
                           inputTokens: 0, outputTokens: 0)
        let usage = try GeminiUsage(input: t["input"], output: t["output"], cached: t["cached"], thoughts: t["thoughts"],
                                    tool: t["tool"], total: t["total"], prefix: "tokens.")
        usage.apply(to: &r)
        r.provider = "google"
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        if chat.calls[id] == nil { chat.order.append(id) }
        chat.calls[id] = (r, line)
    }
}

/// Gemini's usage counts (`GenerateContentResponseUsageMetadata` as Gemini CLI logs it) and what the
/// two Gemini CLI formats share.
struct GeminiUsage {
    /// The model of a call whose record names none: no price matches it (listed by `prices check`).
    static let unrecordedModel = "gemini-model-unrecorded"
    static let defaultWorkflow = "gemini-cli"

    var input: Int64, output: Int64, cached: Int64, thoughts: Int64, tool: Int64
    var total: Int64?

    /// Reads the counts; each may be missing (0). `prefix` names the fields in a reject.
    init(input: JSONValue?, output: JSONValue?, cached: JSONValue?, thoughts: JSONValue?, tool: JSONValue?,
         total: JSONValue?, prefix: String) throws {
        func count(_ v: JSONValue?, _ name: String) throws -> Int64 {
            guard let n = try ProviderFields.count(v, field: prefix + name) else { return 0 }
            if n > CallRecord.maxTokens { throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)")) }
            return n
        }
        let inName = prefix.isEmpty ? "input_token_count" : "input"
        guard input != nil && !(input!.isNull) else { throw RecordProblem.reason(.missingField(prefix + inName)) }
        self.input = try count(input, inName)
        self.output = try count(output, prefix.isEmpty ? "output_token_count" : "output")
        self.cached = try count(cached, prefix.isEmpty ? "cached_content_token_count" : "cached")
        self.thoughts = try count(thoughts, prefix.isEmpty ? "thoughts_token_count" : "thoughts")
        self.tool = try count(tool, prefix.isEmpty ? "tool_token_count" : "tool")
        let totalName = prefix.isEmpty ? "total_token_count" : "total"
        self.total = try ProviderFields.count(total, field: prefix + totalName)
    }

    /// Gemini's prompt count includes the cached tokens; its candidates count leaves out the thoughts,
    /// and the tool-use prompt is input of its own (total = prompt + tool + candidates + thoughts). A
    /// record whose total shows the thoughts already inside the candidates is read as such.
    func apply(to r: inout CallRecord) {
        let thoughtsInside = thoughts > 0 && total == input + tool + output && thoughts <= output
        r.inputTokens = input + tool
        r.cachedInputTokens = cached
        r.outputTokens = thoughtsInside ? output : output + thoughts
        r.reasoningTokens = thoughts
    }

    /// The status of a failed request from its HTTP code or error type.
    static func status(code: Int64?, type: String?) -> CallStatus {
        let kind = (type ?? "").lowercased()
        if code == 429 || kind.contains("quota") || kind.contains("ratelimit") || kind.contains("rate_limit") || kind.contains("resource_exhausted") {
            return .rateLimited
        }
        if code == 408 || code == 504 || kind.contains("timeout") || kind.contains("deadline") { return .timeout }
        return .error
    }
}
