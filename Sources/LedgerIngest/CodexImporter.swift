import LedgerValues

/// OpenAI Codex CLI session files, `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<session id>.jsonl`
/// (`docs/formats.md`, Codex CLI).
///
/// Each line is a `RolloutLine`: `{"timestamp", "type", "payload"}`. Calls come from the `token_count`
/// events (`type` `event_msg`, `payload.type` `token_count`), whose `info.total_token_usage` is the
/// session's running total and `info.last_token_usage` the last model response's usage. One call is the
/// step of the running total from the previous event: Codex writes the same event again (the running
/// total unchanged) when it refreshes its rate limits, and such a repeat is not a call. The model is the
/// one the latest `turn_context` names; the session is `session_meta.payload.id`.
///
/// A forked or subagent session (its `session_meta` names a parent) starts with the parent's
/// `token_count` history replayed, stamped in the second the fork was made: those events only set the
/// running total the fork's own calls step from.
///
/// The request id is the session id and the running total (`<session>:<input + output>`), so a repeat,
/// a second copy of the file and a re-import all give the same ids. A read that resumes a grown file
/// reads the lines before it again (without emitting calls) to know the session, the model and the
/// running total.
public struct CodexImporter: FormatImporter {
    public static let formatName = "codex"
    public static let family = "codex"
    public static let framing = Framing.lines

    /// The model stored for a call of a session that names no model: no price matches it, so the call
    /// is listed by `prices check` with its tokens instead of being priced at $0.
    public static let unrecordedModel = "codex-model-unrecorded"
    /// The workflow of every call unless `--map workflow=…` names a session attribute.
    public static let defaultWorkflow = "codex"

    let settings: ImporterSettings
    /// The session id from the file name (used until a `session_meta` line gives one).
    let fileSession: String?
    var state = SessionState()
    /// Whether the lines before the first one parsed have been accounted for.
    var caughtUp = false

    /// What one session file has told so far.
    struct SessionState {
        var session: String?
        var parent: String?
        var provider: String?
        var model: String?
        /// The second (`YYYY-MM-DDTHH:MM:SS`) of a fork's creation, whose `token_count` events replay
        /// the parent's history.
        var replaySecond: Substring?
        var sawSessionMeta = false
        var running: Usage?
        /// How many times the running total went back (a session whose counter restarted).
        var restarts = 0
        /// Session and turn attributes `--map` may name.
        var attributes: [String: String] = [:]
    }

    /// Token counts of one `TokenUsage` object. `input` counts cached input; `output` counts reasoning.
    struct Usage: Equatable {
        var input: Int64 = 0
        var cached: Int64 = 0
        var output: Int64 = 0
        var reasoning: Int64 = 0

        var position: Int64 { input + output }
        var isZero: Bool { input == 0 && cached == 0 && output == 0 && reasoning == 0 }

        func covers(_ other: Usage) -> Bool {
            input >= other.input && cached >= other.cached && output >= other.output && reasoning >= other.reasoning
        }

        static func - (a: Usage, b: Usage) -> Usage {
            Usage(input: a.input - b.input, cached: a.cached - b.cached, output: a.output - b.output, reasoning: a.reasoning - b.reasoning)
        }

        static func + (a: Usage, b: Usage) -> Usage {
            Usage(input: a.input + b.input, cached: a.cached + b.cached, output: a.output + b.output, reasoning: a.reasoning + b.reasoning)
        }
    }

    /// The largest running count accepted (a session's totals may pass one call's limit).
    static let maxRunningCount: Int64 = 1_000_000_000_000_000

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
        fileSession = Self.session(fromPath: settings.inputPath)
    }

    /// Claims JSON Lines whose first line is a rollout line: `timestamp`, `type` and `payload`, with a
    /// Codex line type.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B), sample.firstLineContains("\"payload\"") else { return 0 }
        if sample.firstLineContains("\"type\":\"session_meta\"") { return 90 }
        let types = ["\"type\":\"turn_context\"", "\"type\":\"event_msg\"", "\"type\":\"response_item\"", "\"type\":\"compacted\""]
        return types.contains(where: sample.firstLineContains) && sample.firstLineContains("\"timestamp\"") ? 80 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        if !caughtUp {
            caughtUp = true
            if line > 1 { catchUp(before: line) }
        }
        if let call = try Self.step(unit, state: &state, fileSession: fileSession, settings: settings) {
            items.append(.call(call, line: line))
        }
    }

    /// Reads the lines of the input before `line` (a resumed read) for their state alone.
    mutating func catchUp(before line: Int) {
        guard let path = settings.inputPath, let source = try? FileByteSource(path: path) else { return }
        let reader = LineReader(source: source)
        while let l = try? reader.next(), l.number < line {
            guard l.oversizeLength == nil else { continue }
            _ = try? Self.step(l.bytes, state: &state, fileSession: fileSession, settings: settings)
        }
    }

    // MARK: One line

    /// The line types that change the state or give a call; other lines (messages, tool calls) are
    /// skipped without parsing.
    static func mayMatter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        contains(bytes, "token_count") || contains(bytes, "turn_context") || contains(bytes, "session_meta")
    }

    /// Applies one line to the state; returns the call it gives, if any.
    static func step(_ bytes: UnsafeBufferPointer<UInt8>, state: inout SessionState, fileSession: String?,
                     settings: ImporterSettings) throws -> CallRecord? {
        guard mayMatter(bytes) else { return nil }
        let value = try JSONValue.parse(bytes)
        guard case .object(let o) = value else { throw RecordProblem.reason(.malformedJSON("a line must be a JSON object")) }
        let type = ProviderFields.text(o["type"])
        let payload = o["payload"]?.object
        switch type {
        case "session_meta":
            if let payload { readSessionMeta(payload, lineTime: ProviderFields.text(o["timestamp"]), into: &state) }
            return nil
        case "turn_context":
            if let payload { readTurnContext(payload, into: &state) }
            return nil
        case "event_msg":
            guard let payload, ProviderFields.text(payload["type"]) == "token_count" else { return nil }
            return try tokenCount(payload, time: o["timestamp"], state: &state, fileSession: fileSession, settings: settings)
        default:
            return nil
        }
    }

    static func readSessionMeta(_ p: [String: JSONValue], lineTime: String?, into state: inout SessionState) {
        // A fork repeats its parent's `session_meta` after its own: the first one is the file's session.
        guard !state.sawSessionMeta else { return }
        state.sawSessionMeta = true
        state.session = ProviderFields.text(p["id"])
        state.provider = ProviderFields.text(p["model_provider"])?.lowercased()
        let parent = ProviderFields.text(p["forked_from_id"])
            ?? ProviderFields.text(p["source"]?[path: "subagent", "thread_spawn", "parent_thread_id"])
            ?? ProviderFields.text(p["parent_thread_id"])
        state.parent = parent
        if parent != nil, let time = lineTime ?? ProviderFields.text(p["timestamp"]), time.count >= 19 {
            state.replaySecond = time.prefix(19)
        }
        for key in ["cwd", "originator", "cli_version", "model_provider", "agent_role", "agent_nickname"] {
            if let v = ProviderFields.text(p[key]) { state.attributes[key] = v }
        }
        if let source = ProviderFields.text(p["source"]) { state.attributes["source"] = source }
        if let git = p["git"]?.object {
            for key in ["branch", "repository_url", "commit_hash"] {
                if let v = ProviderFields.text(git[key]) { state.attributes["git." + key] = v }
            }
        }
        if let model = ProviderFields.text(p["model"]) { state.model = model }
    }

    static func readTurnContext(_ p: [String: JSONValue], into state: inout SessionState) {
        if let model = ProviderFields.text(p["model"]) { state.model = model }
        for key in ["cwd", "effort", "approval_policy"] {
            if let v = ProviderFields.text(p[key]) { state.attributes[key] = v }
        }
    }

    static func tokenCount(_ p: [String: JSONValue], time: JSONValue?, state: inout SessionState, fileSession: String?,
                           settings: ImporterSettings) throws -> CallRecord? {
        // `info` is null in events that only carry rate limits.
        guard let info = p["info"]?.object else { return nil }
        let total = try usage(info["total_token_usage"], field: "info.total_token_usage")
        let last = try usage(info["last_token_usage"], field: "info.last_token_usage")
        guard total != nil || last != nil else { return nil }
        let timeText = ProviderFields.text(time)
        if let second = state.replaySecond, let timeText, timeText.prefix(19) == second {
            // The parent's history replayed into a fork: it moves the running total only.
            if let total { state.running = total } else if let last { state.running = (state.running ?? Usage()) + last }
            return nil
        }
        state.replaySecond = nil

        let delta: Usage
        let previous = state.running
        if let total {
            if let previous, total == previous { return nil }  // the same event again
            if let previous, total.covers(previous) {
                delta = total - previous
            } else {
                if previous != nil { state.restarts += 1 }
                delta = last ?? total
            }
            state.running = total
        } else {
            delta = last!
            state.running = (previous ?? Usage()) + delta
        }
        if delta.isZero { return nil }

        guard let session = state.session ?? fileSession else { throw RecordProblem.reason(.missingField("session_meta.payload.id")) }
        guard let timeText else { throw RecordProblem.reason(.missingField("timestamp")) }
        guard let timestamp = try ProviderFields.time(.string(timeText), field: "timestamp") else {
            throw RecordProblem.reason(.missingField("timestamp"))
        }
        let position = state.running!.position
        let requestID = state.restarts == 0 ? "\(session):\(position)" : "\(session):\(state.restarts).\(position)"
        let model = ProviderFields.text(info["model"]) ?? state.model ?? unrecordedModel
        var r = CallRecord(requestID: requestID, timestamp: timestamp, model: model,
                           inputTokens: delta.input, outputTokens: delta.output)
        r.cachedInputTokens = delta.cached
        r.reasoningTokens = delta.reasoning
        r.provider = state.provider ?? "openai"
        func mapped(_ field: String) -> String? { settings.fieldMap[field].flatMap { state.attributes[$0] } }
        r.actionID = mapped("action_id") ?? session
        r.workflow = mapped("workflow") ?? defaultWorkflow
        r.team = mapped("team")
        r.userID = mapped("user_id")
        r.userSegment = mapped("user_segment")
        r.project = mapped("project")
        r.apiKeyID = mapped("api_key_id")
        if let parent = state.parent { r.metadata = JSONValue.object(["forked_from": .string(parent)]).compactText }
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return r
    }

    /// A `TokenUsage` object; nil when missing or null.
    static func usage(_ v: JSONValue?, field: String) throws -> Usage? {
        guard let v, !v.isNull else { return nil }
        guard let o = v.object else { throw RecordProblem.reason(.wrongType(field: field, expected: "an object")) }
        func count(_ key: String) throws -> Int64 {
            guard let n = try ProviderFields.count(o[key], field: "\(field).\(key)") else { return 0 }
            if n > maxRunningCount { throw RecordProblem.reason(.outOfRange("`\(field).\(key)` is too large")) }
            return n
        }
        return Usage(input: try count("input_tokens"),
                     cached: o["cached_input_tokens"] != nil ? try count("cached_input_tokens") : try count("cache_read_input_tokens"),
                     output: try count("output_tokens"), reasoning: try count("reasoning_output_tokens"))
    }

    // MARK: Paths

    /// The session id in a rollout file's name, `rollout-2025-09-12T10-00-00-<uuid>.jsonl`: the last
    /// five dash-separated groups; otherwise the file's name without `.jsonl`.
    static func session(fromPath path: String?) -> String? {
        guard let path, !path.isEmpty, path != "-" else { return nil }
        guard let file = path.split(separator: "/").last else { return nil }
        var stem = Substring(file)
        for suffix in [".gz", ".jsonl"] where stem.hasSuffix(suffix) { stem = stem.dropLast(suffix.count) }
        let groups = stem.split(separator: "-", omittingEmptySubsequences: false)
        if groups.count >= 5 {
            let uuid = groups.suffix(5)
            let lengths = uuid.map(\.count)
            if lengths == [8, 4, 4, 4, 12], uuid.allSatisfy({ $0.allSatisfy(\.isHexDigit) }) {
                return uuid.joined(separator: "-")
            }
        }
        return stem.isEmpty ? nil : String(stem)
    }

    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        let p = needle.utf8Start
        var i = 0
        while i <= bytes.count - n {
            if bytes[i] == p[0], (1..<n).allSatisfy({ bytes[i + $0] == p[$0] }) { return true }
            i += 1
        }
        return false
    }
}
