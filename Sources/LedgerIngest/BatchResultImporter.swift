import Foundation
import LedgerValues

/// OpenAI Batch API output and error files (`docs/formats.md`, Batch results): one `BatchRequestOutput`
/// per line, `{"id":"batch_req_…","custom_id":…,"response":{"status_code","request_id","body"},"error"}`.
///
/// Every line is a call priced at batch rates. A response with a 2xx status is a call with the body's
/// usage (Chat Completions `prompt_tokens`/`completion_tokens` or Responses `input_tokens`/`output_tokens`,
/// with their cached and reasoning details); any other status, and a line with an `error` (`batch_expired`,
/// `batch_cancelled`), is a failed call with no tokens. The request id is the line's `id` (unique per
/// request of every batch); the action is `custom_id`, so a request that failed in one batch and was
/// sent again in another is one action with two calls.
public struct OpenAIBatchImporter: FormatImporter {
    public static let formatName = "openai-batch"
    public static let family = "openai-batch"
    public static let framing = Framing.lines

    let context: BatchFileContext

    public init(settings: ImporterSettings = ImporterSettings()) {
        context = BatchFileContext(settings: settings)
    }

    /// Claims JSON Lines whose first line has `custom_id` and `response` keys (a batch *input* file has
    /// `method`, `url` and `body` instead).
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B), sample.firstLineContains("\"custom_id\"") else { return 0 }
        guard sample.firstLineContains("\"response\"") else { return 0 }
        return sample.firstLineContains("\"batch_req_") || sample.firstLineContains("\"status_code\"") || sample.firstLineContains("\"error\"") ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        let o = try BatchFileContext.object(unit)
        guard let customID = ProviderFields.text(o["custom_id"]) else { throw RecordProblem.reason(.missingField("custom_id")) }
        let requestID = ProviderFields.text(o["id"]) ?? customID
        var metadata: [String: JSONValue] = [:]
        let response = o["response"]?.object
        let status = try response.flatMap { try ProviderFields.count($0["status_code"], field: "response.status_code") }
        if let response, let status, (200..<300).contains(status) {
            guard let body = response["body"]?.object else { throw RecordProblem.reason(.missingField("response.body")) }
            guard let model = ProviderFields.text(body["model"]) else { throw RecordProblem.reason(.missingField("response.body.model")) }
            guard let usage = body["usage"]?.object else { throw RecordProblem.reason(.missingField("response.body.usage")) }
            let time = try ProviderFields.time(body["created"] ?? body["created_at"], field: "response.body.created")
            var r = try context.record(requestID: requestID, customID: customID, model: model, time: time)
            try Self.readUsage(usage, into: &r)
            if let id = ProviderFields.text(response["request_id"]) { metadata["request_id"] = .string(id) }
            try context.finish(&r, metadata: metadata)
            items.append(.call(r, line: line))
            return
        }
        // A failed request: a non-2xx response, or an error instead of a response.
        var r = try context.record(requestID: requestID, customID: customID, model: nil, time: nil)
        let error = o["error"]?.object ?? response?["body"]?["error"]?.object
        let code = ProviderFields.text(error?["code"]) ?? ProviderFields.text(error?["type"])
        if let status {
            metadata["status_code"] = .number(String(status))
            r.status = status == 429 ? .rateLimited : (status == 408 || status == 504 ? .timeout : .error)
        } else if response == nil, error == nil {
            throw RecordProblem.reason(.missingField("response"))
        } else {
            r.status = code == "batch_expired" ? .timeout : .error
        }
        metadata["batch_result"] = .string(code == "batch_expired" ? "expired" : (code == "batch_cancelled" ? "canceled" : "errored"))
        if let code { metadata["error"] = .string(code) }
        if let id = ProviderFields.text(response?["request_id"]) { metadata["request_id"] = .string(id) }
        if let model = ProviderFields.text(response?["body"]?["model"]) { r.model = model }
        try context.finish(&r, metadata: metadata)
        items.append(.call(r, line: line))
    }

    /// Chat Completions (`prompt_tokens`, `prompt_tokens_details.cached_tokens`, `completion_tokens`,
    /// `completion_tokens_details.reasoning_tokens`) or Responses (`input_tokens`, `input_tokens_details`,
    /// `output_tokens`, `output_tokens_details`) usage; input counts cached input, output counts reasoning.
    static func readUsage(_ u: [String: JSONValue], into r: inout CallRecord) throws {
        let chat = u["prompt_tokens"] != nil || u["completion_tokens"] != nil
        let inKey = chat ? "prompt_tokens" : "input_tokens"
        let outKey = chat ? "completion_tokens" : "output_tokens"
        guard let input = try ProviderFields.count(u[inKey], field: "usage.\(inKey)") else {
            throw RecordProblem.reason(.missingField("usage.\(inKey)"))
        }
        r.inputTokens = input
        r.outputTokens = try ProviderFields.count(u[outKey], field: "usage.\(outKey)") ?? 0
        r.cachedInputTokens = try ProviderFields.count(u["\(inKey)_details"]?["cached_tokens"], field: "usage.\(inKey)_details.cached_tokens") ?? 0
        r.reasoningTokens = try ProviderFields.count(u["\(outKey)_details"]?["reasoning_tokens"], field: "usage.\(outKey)_details.reasoning_tokens") ?? 0
    }
}

/// Anthropic Message Batches results (`GET /v1/messages/batches/{id}/results`; `docs/formats.md`, Batch
/// results): one `{"custom_id":…,"result":{"type":…}}` per line, `succeeded` with the `message` (its
/// `model` and `usage`), `errored` with the error, `expired` and `canceled`.
///
/// Every line is a call priced at batch rates: a succeeded one with the message's usage (Anthropic's
/// disjoint counts added up), the others failed with no tokens. The request id is the message id of a
/// succeeded request, else the batch (from the file name, `msgbatch_…`) and the `custom_id`; the action is
/// the `custom_id`.
public struct AnthropicBatchImporter: FormatImporter {
    public static let formatName = "anthropic-batch"
    public static let family = "anthropic-batch"
    public static let framing = Framing.lines

    let context: BatchFileContext

    public init(settings: ImporterSettings = ImporterSettings()) {
        context = BatchFileContext(settings: settings)
    }

    /// Claims JSON Lines whose first line has `custom_id` and a `result` object with a `type`.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B), sample.firstLineContains("\"custom_id\""), sample.firstLineContains("\"result\"") else { return 0 }
        let types = ["\"succeeded\"", "\"errored\"", "\"expired\"", "\"canceled\""]
        return types.contains(where: sample.firstLineContains) ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        let o = try BatchFileContext.object(unit)
        guard let customID = ProviderFields.text(o["custom_id"]) else { throw RecordProblem.reason(.missingField("custom_id")) }
        guard let result = o["result"]?.object else { throw RecordProblem.reason(.missingField("result")) }
        guard let type = ProviderFields.text(result["type"]) else { throw RecordProblem.reason(.missingField("result.type")) }
        let failedID = context.batchID.map { "\($0):\(customID)" } ?? customID
        var metadata: [String: JSONValue] = [:]
        switch type {
        case "succeeded":
            guard let message = result["message"]?.object else { throw RecordProblem.reason(.missingField("result.message")) }
            guard let model = ProviderFields.text(message["model"]) else { throw RecordProblem.reason(.missingField("result.message.model")) }
            guard let usage = message["usage"]?.object else { throw RecordProblem.reason(.missingField("result.message.usage")) }
            var r = try context.record(requestID: ProviderFields.text(message["id"]) ?? failedID, customID: customID, model: model, time: nil)
            try Self.readUsage(usage, into: &r)
            r.provider = "anthropic"
            try context.finish(&r, metadata: metadata)
            items.append(.call(r, line: line))
        case "errored", "expired", "canceled":
            var r = try context.record(requestID: failedID, customID: customID, model: nil, time: nil)
            r.provider = "anthropic"
            metadata["batch_result"] = .string(type)
            if type == "errored" {
                let error = result["error"]?["error"] ?? result["error"]
                let code = ProviderFields.text(error?["type"])
                r.status = code == "rate_limit_error" ? .rateLimited : .error
                if let code { metadata["error"] = .string(code) }
                if let id = ProviderFields.text(result["error"]?["request_id"]) { metadata["request_id"] = .string(id) }
            } else {
                r.status = type == "expired" ? .timeout : .error
            }
            try context.finish(&r, metadata: metadata)
            items.append(.call(r, line: line))
        default:
            throw RecordProblem.reason(.unknownValue(field: "result.type", value: String(type.prefix(40))))
        }
    }

    /// Anthropic's counts: `input_tokens` is uncached; cache reads and writes are added to it.
    static func readUsage(_ u: [String: JSONValue], into r: inout CallRecord) throws {
        guard let input = try ProviderFields.count(u["input_tokens"], field: "usage.input_tokens") else {
            throw RecordProblem.reason(.missingField("usage.input_tokens"))
        }
        let output = try ProviderFields.count(u["output_tokens"], field: "usage.output_tokens") ?? 0
        let read = try ProviderFields.count(u["cache_read_input_tokens"], field: "usage.cache_read_input_tokens") ?? 0
        let creation = try ProviderFields.count(u["cache_creation_input_tokens"], field: "usage.cache_creation_input_tokens") ?? 0
        let breakdown = u["cache_creation"]?.object
        let write5m = try breakdown.map { try ProviderFields.count($0["ephemeral_5m_input_tokens"], field: "usage.cache_creation.ephemeral_5m_input_tokens") ?? 0 } ?? creation
        let write1h = try breakdown.map { try ProviderFields.count($0["ephemeral_1h_input_tokens"], field: "usage.cache_creation.ephemeral_1h_input_tokens") ?? 0 } ?? 0
        for n in [input, output, read, write5m, write1h] where n > CallRecord.maxTokens {
            throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)"))
        }
        r.inputTokens = input + read + write5m + write1h
        r.outputTokens = output
        r.cachedInputTokens = read
        r.cacheWriteTokens = write5m
        r.cacheWrite1hTokens = write1h
    }
}

/// What the batch importers share: the file's time and batch id, `--map`, and the record rules.
struct BatchFileContext {
    /// The model of a failed request whose result names none: no price matches it, and the call has no
    /// tokens (`docs/formats.md`).
    static let unrecordedModel = "batch-model-unrecorded"
    static let defaultWorkflow = "batch"

    let settings: ImporterSettings
    /// When the results file was last written (the results carry no time of their own): its
    /// modification time; nil for standard input.
    let fileTime: Timestamp?
    /// `batch_…` or `msgbatch_…` in the file's name.
    let batchID: String?

    init(settings: ImporterSettings) {
        self.settings = settings
        let path = settings.inputPath.flatMap { $0.isEmpty || $0 == "-" ? nil : $0 }
        fileTime = path.flatMap { p in
            (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date).map {
                Timestamp(milliseconds: Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)))
            }
        }
        batchID = path.flatMap(Self.batchID(inPath:))
    }

    /// The batch id in a file name: `msgbatch_01…` or `batch_…` up to the next `_`, `-` or `.`.
    static func batchID(inPath path: String) -> String? {
        guard let name = path.split(separator: "/").last else { return nil }
        for prefix in ["msgbatch_", "batch_"] {
            guard let range = name.range(of: prefix) else { continue }
            let rest = name[range.upperBound...].prefix { $0.isLetter || $0.isNumber }
            if rest.count >= 4 { return prefix + rest }
        }
        return nil
    }

    static func object(_ unit: UnsafeBufferPointer<UInt8>) throws -> [String: JSONValue] {
        guard case .object(let o) = try JSONValue.parse(unit) else {
            throw RecordProblem.reason(.malformedJSON("a line must be a JSON object"))
        }
        return o
    }

    /// A batch call before its tokens: the time given, else the file's.
    func record(requestID: String, customID: String, model: String?, time: Timestamp?) throws -> CallRecord {
        guard let timestamp = time ?? fileTime else {
            throw RecordProblem.reason(.missingField("a time (the results carry none; import the file, not standard input, to use its modification time)"))
        }
        var r = CallRecord(requestID: requestID, timestamp: timestamp, model: model ?? Self.unrecordedModel, inputTokens: 0, outputTokens: 0)
        r.batch = true
        r.provider = "openai"
        r.actionID = customID
        return r
    }

    /// Routing fields from `--map` (attributes `custom_id`, `batch_id`), metadata, and the record rules.
    func finish(_ r: inout CallRecord, metadata: [String: JSONValue]) throws {
        let attributes = ["custom_id": r.actionID, "batch_id": batchID]
        func mapped(_ field: String) -> String? { settings.fieldMap[field].flatMap { attributes[$0] ?? nil } }
        r.actionID = mapped("action_id") ?? r.actionID
        r.workflow = mapped("workflow") ?? Self.defaultWorkflow
        r.team = mapped("team")
        r.userID = mapped("user_id")
        r.userSegment = mapped("user_segment")
        r.project = mapped("project")
        r.apiKeyID = mapped("api_key_id")
        // The metadata holds only what the lines say, so that the same results under another file name
        // are the same requests.
        if !metadata.isEmpty { r.metadata = JSONValue.object(metadata).compactText }
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
    }
}
