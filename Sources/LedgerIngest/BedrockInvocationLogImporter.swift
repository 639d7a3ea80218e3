import LedgerValues

/// Amazon Bedrock's model invocation logs (`schemaType` `ModelInvocationLog`, `schemaVersion` `1.0`), as
/// Bedrock delivers them to S3 (JSON Lines, often gzipped) or CloudWatch Logs (one event per line, maybe
/// behind the event's own timestamp): each line is one call, read as a routing log would be.
///
/// - provider `bedrock`; the model is `modelId` as logged (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
///   an ARN), which the price book reads as the model it stands for (see `docs/price-book.md`);
/// - tokens: Bedrock counts input apart from cache reads and writes (`input.inputTokenCount`,
///   `input.cacheReadInputTokenCount`, `input.cacheWriteInputTokenCount`), so input is their sum; cache
///   writes are 5-minute writes; `output.outputTokenCount` is the output;
/// - team, user, project, workflow and action from `requestMetadata` (the keys `team`, `user_id` or
///   `user`, `project`, `workflow`, `action_id`, or those `--map` names), the user else from the last part of
///   `identity.arn` (the role session: often the person);
/// - a line with `errorCode` is a failed call (throttling is a rate limit); one without it must give both
///   token counts, else it is rejected.
public struct BedrockInvocationLogImporter: FormatImporter {
    public static let formatName = "bedrock-invocation-log"
    public static let family = "bedrock-invocation-log"
    public static let framing = Framing.lines

    private let fieldMap: [String: String]

    public init(settings: ImporterSettings = ImporterSettings()) {
        fieldMap = settings.fieldMap
    }

    public static func detect(_ sample: InputSample) -> Int {
        guard sample.hasJSONKey("schemaType"), sample.contains("\"ModelInvocationLog\"") else { return 0 }
        return sample.hasJSONKey("modelId") ? 95 : 60
    }

    public static var detectionSignature: FormatSignature? {
        FormatSignature(.jsonKeys, [["schemaType"], ["modelId"], ["requestId"], ["input"]])
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        // A CloudWatch Logs export puts the event's time before the JSON object.
        var start = 0
        while start < unit.count, unit[start] != 0x7B { start += 1 }
        guard start < unit.count else { throw RecordProblem.reason(.malformedJSON("a line must hold a JSON object")) }
        let value = try JSONValue.parse(UnsafeBufferPointer(rebasing: unit[start...]))
        guard value.object != nil else { throw RecordProblem.reason(.malformedJSON("a line must hold a JSON object")) }
        items.append(.call(try record(value), line: line))
    }

    /// The call of one log record.
    func record(_ r: JSONValue) throws -> CallRecord {
        if let type = ProviderFields.text(r["schemaType"]), type != "ModelInvocationLog" {
            throw RecordProblem.reason(.unknownValue(field: "schemaType", value: String(type.prefix(60))))
        }
        if let version = ProviderFields.text(r["schemaVersion"]), !version.hasPrefix("1.") && version != "1" {
            throw RecordProblem.reason(.unsupported("schemaVersion `\(version.prefix(20))` (this build reads 1.0)"))
        }
        guard let id = ProviderFields.text(r["requestId"]) else { throw RecordProblem.reason(.missingField("requestId")) }
        guard let time = try ProviderFields.time(r["timestamp"], field: "timestamp") else {
            throw RecordProblem.reason(.missingField("timestamp"))
        }
        guard let model = ProviderFields.text(r["modelId"]) else { throw RecordProblem.reason(.missingField("modelId")) }
        let errorCode = ProviderFields.text(r["errorCode"])
        let failed = errorCode != nil
        let input = try ProviderFields.count(r[path: "input", "inputTokenCount"], field: "input.inputTokenCount")
        let output = try ProviderFields.count(r[path: "output", "outputTokenCount"], field: "output.outputTokenCount")
        if !failed, input == nil || output == nil {
            let missing = [input == nil ? "input.inputTokenCount" : nil, output == nil ? "output.outputTokenCount" : nil]
                .compactMap { $0 }.joined(separator: ", ")
            throw RecordProblem.reason(.missingField("\(missing) (a call without errorCode must give its token counts)"))
        }
        let cacheRead = try ProviderFields.count(r[path: "input", "cacheReadInputTokenCount"], field: "input.cacheReadInputTokenCount") ?? 0
        let cacheWrite = try ProviderFields.count(r[path: "input", "cacheWriteInputTokenCount"], field: "input.cacheWriteInputTokenCount") ?? 0
        let (sum, overflow) = (input ?? 0).addingReportingOverflow(cacheRead)
        let (total, overflow2) = sum.addingReportingOverflow(cacheWrite)
        if overflow || overflow2 { throw RecordProblem.reason(.outOfRange("token counts too large")) }

        var call = CallRecord(requestID: id, timestamp: time, model: model, inputTokens: total, outputTokens: output ?? 0)
        call.cachedInputTokens = cacheRead
        call.cacheWriteTokens = cacheWrite
        call.provider = "bedrock"
        if let errorCode { call.status = Self.status(errorCode: errorCode) }
        if let tier = ProviderFields.text(r["serviceTier"]) ?? ProviderFields.text(r[path: "serviceTier", "type"]),
           let t = ServiceTier(name: tier) {
            call.serviceTier = t
        }

        let tags = r["requestMetadata"]?.object ?? [:]
        func tag(_ field: String, _ defaults: [String]) -> String? {
            if let key = fieldMap[field] { return ProviderFields.text(tags[key]) }
            for key in defaults { if let v = ProviderFields.text(tags[key]) { return v } }
            return nil
        }
        let arn = ProviderFields.text(r[path: "identity", "arn"])
        call.team = tag("team", ["team"])
        call.userID = tag("user_id", ["user_id", "userId", "user"]) ?? arn.flatMap(Self.principalName)
        call.userSegment = tag("user_segment", ["user_segment"])
        call.project = tag("project", ["project"])
        call.workflow = tag("workflow", ["workflow"])
        call.actionID = tag("action_id", ["action_id", "traceId"])

        var meta: [String: JSONValue] = [:]
        if let arn { meta["identity_arn"] = .string(arn) }
        for key in ["region", "inferenceRegion", "operation", "accountId", "errorCode"] {
            if let v = ProviderFields.text(r[key]) { meta[key] = .string(v) }
        }
        if !tags.isEmpty { meta["requestMetadata"] = .object(tags) }
        if !meta.isEmpty { call.metadata = JSONValue.object(meta).compactText }
        if let problem = call.validationProblem() { throw RecordProblem.reason(problem) }
        return call
    }

    /// A failed call's status by Bedrock's error code: throttling and quotas are rate limits (not billed),
    /// a model timeout a timeout, anything else an error.
    static func status(errorCode: String) -> CallStatus {
        switch errorCode {
        case "ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException": .rateLimited
        case "ModelTimeoutException": .timeout
        default: .error
        }
    }

    /// The last part of an IAM or STS ARN: the role session or user name
    /// (`arn:aws:sts::123456789012:assumed-role/Dev/alice@example.com` → `alice@example.com`).
    static func principalName(_ arn: String) -> String? {
        guard arn.hasPrefix("arn:"), let slash = arn.lastIndex(of: "/") else { return nil }
        let name = String(arn[arn.index(after: slash)...])
        return name.isEmpty ? nil : name
    }
}
