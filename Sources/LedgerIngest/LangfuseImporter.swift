import LedgerValues

/// Langfuse observation exports as JSON Lines (`docs/formats.md`, Langfuse): the UI's batch export of the
/// observations table (camelCase: `id`, `traceId`, `type`, `model`, `usageDetails`, `costDetails`, …) or the
/// blob-storage export (snake_case: `trace_id`, `provided_model_name`, `usage_details`, …), one observation
/// per line.
///
/// Every `GENERATION` (or `EMBEDDING`) observation is a call; spans, events and the other types are not.
/// The request id is the observation id, the action its trace. Langfuse's own cost (`costDetails.total`,
/// else `totalCost`) is kept as the gateway's cost, for cross-checking the price book.
public struct LangfuseImporter: FormatImporter {
    public static let formatName = "langfuse"
    public static let family = "langfuse"
    public static let framing = Framing.lines

    let settings: ImporterSettings

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims JSON Lines whose first line is an observation: an id, its trace, a type and usage or a model.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B), !sample.firstLineContains("\"resourceSpans\"") else { return 0 }
        let trace = sample.firstLineContains("\"traceId\"") || sample.firstLineContains("\"trace_id\"")
        let type = sample.firstLineContains("\"type\"")
        let usage = ["\"usageDetails\"", "\"usage_details\"", "\"costDetails\"", "\"cost_details\"", "\"providedModelName\"",
                     "\"provided_model_name\"", "\"parentObservationId\"", "\"parent_observation_id\""]
        return trace && type && usage.contains(where: sample.firstLineContains) ? 85 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard case .object(let o) = try JSONValue.parse(unit) else {
            throw RecordProblem.reason(.malformedJSON("a line must be a JSON object"))
        }
        var fields: [String: JSONValue] = [:]
        for (k, v) in o { fields[k.lowercased()] = v }
        if let call = try LangfuseObservation(fields: fields).record(settings: settings) {
            items.append(.call(call, line: line))
        }
    }
}

/// Langfuse observation exports as CSV (`langfuse-csv`), from the UI's batch export or the blob-storage
/// export: a header row, then one observation per record, every field quoted; objects (`usageDetails`,
/// `metadata`) as JSON text, times as the export wrote them (with or without JSON quotes). Rows map as the
/// JSON Lines do (``LangfuseImporter``), in the same family.
public struct LangfuseCSVImporter: FormatImporter {
    public static let formatName = "langfuse-csv"
    public static let family = LangfuseImporter.family
    public static let framing = Framing.csvRecords

    let settings: ImporterSettings
    var table = ProviderCSVTable()

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims a header naming the observation's id, trace, type and usage or model columns.
    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        guard names.contains("id"), names.contains("type"), names.contains("traceid") || names.contains("trace_id") else { return 0 }
        let usage = ["usagedetails", "usage_details", "costdetails", "cost_details", "providedmodelname", "provided_model_name"]
        return usage.contains(where: names.contains) ? 85 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let row = try table.read(unit, required: ["id"]) else { return }
        var fields: [String: JSONValue] = [:]
        for (i, name) in row.header.names.enumerated() where i < row.fields.count && !name.isEmpty && fields[name] == nil {
            let v = row.fields[i].trimmingCharacters(in: .whitespaces)
            if !v.isEmpty { fields[name] = .string(v) }
        }
        if let call = try LangfuseObservation(fields: fields).record(settings: settings) {
            items.append(.call(call, line: line))
        }
    }
}

/// One exported Langfuse observation, its fields keyed by lowercased name (so that camelCase JSON, CSV
/// headers and snake_case blob exports are looked up alike).
struct LangfuseObservation {
    let fields: [String: JSONValue]

    /// The model of a generation that names none: no price matches it (listed by `prices check`).
    static let unrecordedModel = "langfuse-model-unrecorded"
    static let defaultWorkflow = "langfuse"
    /// Observation types that are model calls.
    static let callTypes: Set<String> = ["GENERATION", "EMBEDDING"]

    /// The first of the names present, as a value (null and empty text count as absent). A CSV field
    /// written as a JSON string (`"\"2026-…\""`) is read as that string.
    func value(_ names: String...) -> JSONValue? {
        for name in names {
            guard let v = fields[name], !v.isNull else { continue }
            if case .string(let s) = v {
                if s.isEmpty { continue }
                if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\""), case .string(let inner)? = try? JSONValue.parse(s) {
                    return inner.isEmpty ? nil : .string(inner)
                }
            }
            return v
        }
        return nil
    }

    func text(_ names: String...) -> String? {
        for name in names { if let t = ProviderFields.text(value(name)) { return t } }
        return nil
    }

    /// An object field: a JSON object, or text holding one; nil when absent or empty.
    func object(_ field: String, _ names: String...) throws -> [String: JSONValue]? {
        for name in names {
            guard let v = value(name) else { continue }
            if let o = v.object { return o }
            if case .string(let s) = v {
                let t = s.trimmingCharacters(in: .whitespaces)
                if t == "null" || t == "{}" { return [:] }
                guard case .object(let o)? = try? JSONValue.parse(t) else {
                    throw RecordProblem.reason(.wrongType(field: field, expected: "a JSON object"))
                }
                return o
            }
            throw RecordProblem.reason(.wrongType(field: field, expected: "a JSON object"))
        }
        return nil
    }

    /// The call this observation records; nil for observations that are not model calls.
    func record(settings: ImporterSettings) throws -> CallRecord? {
        guard let type = text("type")?.uppercased(), Self.callTypes.contains(type) else { return nil }
        guard let id = text("id") else { throw RecordProblem.reason(.missingField("id")) }
        guard let startValue = value("starttime", "start_time") else { throw RecordProblem.reason(.missingField("startTime")) }
        guard let start = LiteLLMSpendLogRow.timestamp(startValue) else {
            throw RecordProblem.reason(.invalidTimestamp("`\((startValue.string ?? startValue.compactText).prefix(40))` in `startTime`"))
        }
        let usage = try object("usageDetails", "usagedetails", "usage_details") ?? [:]
        let level = text("level")?.uppercased()
        let failed = level == "ERROR"
        if usage.isEmpty && !failed { throw RecordProblem.reason(.missingField("usageDetails")) }
        let model = text("model", "providedmodelname", "provided_model_name") ?? Self.unrecordedModel

        var r = CallRecord(requestID: id, timestamp: start, model: model, inputTokens: 0, outputTokens: 0)
        try Self.readUsage(usage, into: &r)
        if failed { r.status = Self.status(message: text("statusmessage", "status_message")) }
        if let endValue = value("endtime", "end_time"), let end = LiteLLMSpendLogRow.timestamp(endValue), end >= start,
           end.milliseconds - start.milliseconds <= 86_400_000 * 7 {
            r.latencyMs = end.milliseconds - start.milliseconds
        }
        r.gatewayCost = try gatewayCost()

        let metadata = try object("metadata", "metadata") ?? [:]
        let tags = LiteLLMSpendLogRow.tags(value("tracetags", "trace_tags", "tags"))
        func lookup(_ key: String) -> String? {
            if key.hasPrefix("tags.") { return Self.tag(named: String(key.dropFirst(5)), in: tags) }
            if key == "tags" { return tags.first }
            return text(key.lowercased()) ?? ProviderFields.text(metadata[key])
        }
        settings.applyMap(to: &r, action: text("traceid", "trace_id"), workflow: Self.defaultWorkflow,
                          user: text("userid", "user_id"), lookup: lookup)
        var kept: [String: JSONValue] = [:]
        if let name = text("name") { kept["name"] = .string(name) }
        if !tags.isEmpty { kept["tags"] = .array(tags.map { .string($0) }) }
        if let prompt = text("promptname", "prompt_name") { kept["prompt"] = .string(prompt) }
        if let env = text("environment") { kept["environment"] = .string(env) }
        if !kept.isEmpty { r.metadata = JSONValue.object(kept).compactText }
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return r
    }

    /// Langfuse's usage types are disjoint (`input` is the uncached input, `output` leaves out reasoning):
    /// every type naming `input` is input, every type naming `output` is output, as Langfuse adds them up;
    /// the cache, reasoning, audio and image types say which part they are. `total` is not read.
    static func readUsage(_ u: [String: JSONValue], into r: inout CallRecord) throws {
        var extras = CallExtras()
        for (key, value) in u {
            let k = key.lowercased()
            guard k != "total" else { continue }
            guard let n = try ProviderFields.count(value, field: "usageDetails.\(key)") else { continue }
            if n > CallRecord.maxTokens { throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)")) }
            if k.contains("input") {
                r.inputTokens += n
                if k.contains("cache") {
                    if k.contains("read") || k.contains("cached") { r.cachedInputTokens += n }
                    else if k.contains("1h") { r.cacheWrite1hTokens += n }
                    else { r.cacheWriteTokens += n }
                }
                if k.contains("audio") { extras.audioInputTokens += n; if k.contains("cache") { extras.cachedAudioTokens += n } }
                if k.contains("image") { extras.imageInputTokens += n }
            } else if k.contains("output") {
                r.outputTokens += n
                if k.contains("reasoning") { r.reasoningTokens += n }
                if k.contains("audio") { extras.audioOutputTokens += n }
                if k.contains("image") { extras.imageOutputTokens += n }
            }
            if r.inputTokens > CallRecord.maxTokens || r.outputTokens > CallRecord.maxTokens {
                throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)"))
            }
        }
        if !extras.isEmpty { r.extras = extras }
    }

    /// Langfuse's cost: `costDetails.total`, else `totalCost`, else the sum of `costDetails`; nil when none.
    func gatewayCost() throws -> Money? {
        let details = try object("costDetails", "costdetails", "cost_details") ?? [:]
        if let total = details["total"], let (m, _) = try ProviderFields.money(total, field: "costDetails.total") { return m }
        if let total = value("totalcost", "total_cost"), let (m, _) = try ProviderFields.money(total, field: "totalCost") { return m }
        var sum: Money?
        for (key, v) in details {
            guard let (m, _) = try ProviderFields.money(v, field: "costDetails.\(key)") else { continue }
            sum = (sum ?? .zero) + m
        }
        return sum
    }

    /// A failed generation's status from its status message.
    static func status(message: String?) -> CallStatus {
        let m = (message ?? "").lowercased()
        if m.contains("429") || m.contains("rate limit") || m.contains("ratelimit") || m.contains("quota") { return .rateLimited }
        if m.contains("timeout") || m.contains("timed out") || m.contains("408") || m.contains("504") { return .timeout }
        return .error
    }

    /// The value of a `name:value` (or `name=value`) tag.
    static func tag(named name: String, in tags: [String]) -> String? {
        for t in tags {
            for sep in [":", "="] where t.hasPrefix(name + sep) {
                let v = t.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
                if !v.isEmpty { return v }
            }
        }
        return nil
    }
}
