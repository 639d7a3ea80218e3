import LedgerValues

/// Claude Code's session files, `~/.claude/projects/<project>/<sessionId>.jsonl` (`docs/formats.md`,
/// Claude Code).
///
/// Only lines with a `message.usage` object are calls. Claude Code writes one line per content block of
/// a response, each repeating the usage, the early ones with a partial `output_tokens`; so the lines of
/// one response (same `message.id` and `requestId`) are held until the end of the file and the most
/// complete one (largest token total) is kept, as ccusage does. A sidechain line that replays a message
/// under a new `requestId` is the same response, and the main-chain line wins. Lines of the model
/// `<synthetic>` and API error messages are not calls.
///
/// The session is the action; the project, which is also the workflow, is the working directory the
/// session ran in, under the home folder written `~/dev/shop` (else the project folder under `projects/`).
public struct ClaudeCodeImporter: FormatImporter {
    public static let formatName = "claude-code"
    public static let family = "claude-code"
    public static let framing = Framing.lines

    let settings: ImporterSettings
    /// The project folder from the input's path.
    let projectFolder: String?
    /// The home folders whose paths are written `~/…`: the one the input lies under (`<home>/.claude/projects/…`),
    /// then the importing user's.
    let homes: [String]
    /// The session id from the input's file name (used when a line has none).
    let fileSession: String?
    let mappedKeys: Set<String>

    /// Responses in order of their first line.
    var held: [HeldCall] = []
    /// `message.id` and `requestId` → position in `held`.
    var byKey: [String: Int] = [:]
    /// `message.id` → positions in `held`, for sidechain replays.
    var byMessage: [String: [Int]] = [:]

    /// The chosen line of one response so far.
    struct HeldCall {
        var record: CallRecord
        var line: Int
        /// input + output + cache creation + cache read, as Claude Code logged them.
        var total: Int64
        var sidechain: Bool
        /// When the response's first line was written.
        var earliest: Timestamp
    }

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
        let place = Self.place(of: settings.inputPath)
        projectFolder = place.project
        fileSession = place.session
        homes = [Self.home(of: settings.inputPath), settings.home].compactMap { $0 }.filter { !$0.isEmpty }
        mappedKeys = Set(settings.fieldMap.values)
    }

    /// Claims JSON Lines with Claude Code's own keys (`sessionId` with `parentUuid`, `isSidechain` or
    /// `requestId`).
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B), sample.contains("\"sessionId\"") else { return 0 }
        let own = ["\"parentUuid\"", "\"isSidechain\"", "\"requestId\"", "\"userType\""]
        return own.contains(where: sample.contains) ? 85 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard ClaudeCodeLine.mayHoldUsage(unit) else { return }
        let fields = try ClaudeCodeLine.read(unit, mappedKeys: mappedKeys)
        guard let usage = fields.usage else { return }  // e.g. a tool result's own `usage`
        if fields.isAPIErrorMessage { return }
        guard let model = fields.model, !model.isEmpty else { throw RecordProblem.reason(.missingField("message.model")) }
        if model == "<synthetic>" { return }
        let built = try record(fields, usage: usage, model: model)
        hold(HeldCall(record: built.record, line: line, total: built.total, sidechain: fields.isSidechain,
                      earliest: built.record.timestamp),
             messageID: fields.messageID)
    }

    public mutating func finish(into items: inout [ImportItem]) {
        for h in held {
            var r = h.record
            r.timestamp = h.earliest
            items.append(.call(r, line: h.line))
        }
        held.removeAll()
        byKey.removeAll()
        byMessage.removeAll()
    }

    // MARK: One line

    func record(_ f: ClaudeCodeLine, usage u: ClaudeCodeLine.Usage, model: String) throws -> (record: CallRecord, total: Int64) {
        guard let timestamp = f.timestamp else { throw RecordProblem.reason(.missingField("timestamp")) }
        guard let input = u.input else { throw RecordProblem.reason(.missingField("message.usage.input_tokens")) }
        guard let output = u.output else { throw RecordProblem.reason(.missingField("message.usage.output_tokens")) }
        let requestID: String
        if let id = f.messageID {
            requestID = f.requestID.map { "\(id):\($0)" } ?? id
        } else if let uuid = f.uuid {
            requestID = uuid
        } else {
            throw RecordProblem.reason(.missingField("message.id"))
        }
        let read = u.cacheRead ?? 0
        let creation = u.cacheCreation ?? 0
        let hasBreakdown = u.ephemeral5m != nil || u.ephemeral1h != nil
        let write5m = hasBreakdown ? (u.ephemeral5m ?? 0) : creation
        let write1h = hasBreakdown ? (u.ephemeral1h ?? 0) : 0
        for n in [input, output, read, creation, write5m, write1h] {
            // Checked before any sum, so that no count can overflow one.
            if n < 0 { throw RecordProblem.reason(.negativeTokens) }
            if n > CallRecord.maxTokens { throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)")) }
        }

        var r = CallRecord(requestID: requestID, timestamp: timestamp, model: model,
                           inputTokens: input + read + write5m + write1h, outputTokens: output)
        r.cachedInputTokens = read
        r.cacheWriteTokens = write5m
        r.cacheWrite1hTokens = write1h
        r.provider = "anthropic"
        r.gatewayCost = f.costUSD
        if let tier = u.serviceTier {
            if tier.lowercased() == "batch" { r.batch = true } else { r.serviceTier = ServiceTier(name: tier) ?? .standard }
        }
        func mapped(_ field: String) -> String? { settings.fieldMap[field].flatMap { f.mapped[$0] } }
        r.actionID = mapped("action_id") ?? f.sessionID ?? fileSession
        let project = f.cwd.map { Self.projectPath($0, homes: homes) } ?? projectFolder
        r.workflow = mapped("workflow") ?? project
        r.team = mapped("team")
        r.userID = mapped("user_id")
        r.userSegment = mapped("user_segment")
        r.project = mapped("project") ?? project
        r.apiKeyID = mapped("api_key_id")
        var metadata: [String: JSONValue] = [:]
        if let speed = u.speed, speed != "standard" { metadata["speed"] = .string(speed) }
        if f.isSidechain { metadata["sidechain"] = .bool(true) }
        if !metadata.isEmpty { r.metadata = JSONValue.object(metadata).compactText }
        var extras = CallExtras()
        extras.toolCalls = u.toolCalls
        extras.speed = CallExtras.effective(u.speed)
        extras.inferenceGeo = CallExtras.effective(u.inferenceGeo)
        if !extras.isEmpty { r.extras = extras }
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return (r, input + output + read + creation)
    }

    // MARK: Deduplication

    mutating func hold(_ call: HeldCall, messageID: String?) {
        let key = call.record.requestID
        if let i = byKey[key] {
            merge(call, into: i)
            return
        }
        if let messageID, let i = byMessage[messageID]?.first(where: { call.sidechain || held[$0].sidechain }) {
            // A sidechain replay of a message under a new requestId.
            merge(call, into: i)
            byKey[key] = i
            return
        }
        held.append(call)
        byKey[key] = held.count - 1
        if let messageID { byMessage[messageID, default: []].append(held.count - 1) }
    }

    /// Keeps the better of two lines of one response: the main chain over a sidechain, then the larger
    /// token total (a later line of a streamed response holds the final output count).
    mutating func merge(_ call: HeldCall, into i: Int) {
        let existing = held[i]
        let replace = call.sidechain != existing.sidechain ? existing.sidechain : call.total > existing.total
        if replace { held[i] = call }
        held[i].earliest = min(existing.earliest, call.earliest)
    }

    // MARK: Paths

    /// The project folder and session of a session file: `…/projects/<project>/<session>.jsonl`, or
    /// `…/projects/<project>/<session>/subagents/<agent>.jsonl`; outside a `projects` folder, the
    /// file's parent directory.
    static func place(of path: String?) -> (project: String?, session: String?) {
        guard let path, !path.isEmpty, path != "-" else { return (nil, nil) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let file = parts.last else { return (nil, nil) }
        let stem = file.hasSuffix(".jsonl") ? String(file.dropLast(6)) : file
        let inSubagents = parts.count >= 3 && parts[parts.count - 2] == "subagents"
        let session = inSubagents ? parts[parts.count - 3] : stem
        if let i = parts.lastIndex(of: "projects"), i + 1 < parts.count - 1 {
            return (parts[i + 1], session)
        }
        if inSubagents { return (parts.count >= 4 ? parts[parts.count - 4] : nil, session) }
        return (parts.count >= 2 ? parts[parts.count - 2] : nil, session)
    }

    /// The home folder of a file under `<home>/.claude/projects/` or `<home>/.config/claude/projects/`.
    static func home(of path: String?) -> String? {
        guard let path else { return nil }
        for marker in ["/.claude/projects/", "/.config/claude/projects/"] {
            if let r = path.range(of: marker, options: .backwards) { return String(path[..<r.lowerBound]) }
        }
        return nil
    }

    /// A working directory as a project is shown: under one of `homes`, as `~/…` (`/home/me/dev/shop` →
    /// `~/dev/shop`); else as it is.
    static func projectPath(_ cwd: String, homes: [String]) -> String {
        for home in homes {
            let h = home.hasSuffix("/") ? String(home.dropLast()) : home
            if h.isEmpty { continue }
            if cwd == h { return "~" }
            if cwd.hasPrefix(h + "/") { return "~" + cwd.dropFirst(h.count) }
        }
        return cwd
    }
}
