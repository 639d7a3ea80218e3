import LedgerValues

/// OpenAI's Usage API for completions (`GET /v1/organization/usage/completions`): JSON pages of time
/// buckets (`1m`, `1h`, `1d`), each with one result per combination of the `group_by` values (project,
/// user, API key, model, batch, service tier). One file may hold one page, an array of pages, or JSON Lines
/// of pages.
///
/// `input_tokens` counts all input (cached and cache writes included), as TokenLedger does; the row keeps
/// the disjoint parts. Exports from before mid-2026 lack `input_uncached_tokens` and count audio apart
/// (`input_audio_tokens`, `output_audio_tokens`): those are added to the totals. Embeddings and moderations
/// results are read as input-only usage; other result types are rejected as unsupported.
public struct OpenAIUsageImporter: FormatImporter {
    public static let formatName = "openai-usage"
    public static let family = "provider-openai"
    public static let framing = Framing.document

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        if sample.contains("\"organization.usage.completions.result\"") { return 95 }
        if sample.hasJSONKey("num_model_requests") && sample.hasJSONKey("start_time") { return 85 }
        return 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        ProviderJSONDocument(unit, firstLine: line).forEachResult(into: &items) { bucket, result, line, items in
            let start = try ProviderFields.time(bucket.start, field: "start_time")
            let end = try ProviderFields.time(bucket.end, field: "end_time")
            guard let start else { throw RecordProblem.reason(.missingField("start_time")) }
            let kind = ProviderFields.text(result["object"]) ?? "organization.usage.completions.result"
            let fields = OpenAIUsageFields(
                count: { try ProviderFields.count(result[$0], field: $0) },
                text: { ProviderFields.text(result[$0]) },
                flag: { try ProviderFields.flag(result[$0], field: $0) })
            let row = try fields.row(kind: kind, start: start, end: end ?? start)
            items.append(.providerUsage(row, line: line))
        }
    }
}

/// The mapping of one OpenAI usage result to a row, shared by the API's JSON and the dashboard's CSV.
struct OpenAIUsageFields {
    let count: (String) throws -> Int64?
    let text: (String) -> String?
    let flag: (String) throws -> Bool?

    func row(kind: String, start: Timestamp, end: Timestamp) throws -> ProviderUsageRow {
        var row = ProviderUsageRow(provider: "openai", export: .api, bucketStart: start, bucketEnd: end)
        row.model = text("model")
        row.project = text("project_id")
        row.apiKey = text("api_key_id")
        row.user = text("user_id")
        row.batch = try flag("batch")
        row.serviceTier = text("service_tier")
        guard let requests = try count("num_model_requests") else { throw RecordProblem.reason(.missingField("num_model_requests")) }
        row.requests = requests
        switch kind {
        case "organization.usage.completions.result":
            guard var input = try count("input_tokens") else { throw RecordProblem.reason(.missingField("input_tokens")) }
            guard var output = try count("output_tokens") else { throw RecordProblem.reason(.missingField("output_tokens")) }
            let cached = try count("input_cached_tokens") ?? 0
            let writes = try count("input_cache_write_tokens") ?? 0
            let uncached = try count("input_uncached_tokens")
            let detailed = uncached != nil || text("input_text_tokens") != nil || text("input_cache_write_tokens") != nil
            if !detailed {
                // Older exports count text in input_tokens/output_tokens and audio apart.
                input += try count("input_audio_tokens") ?? 0
                output += try count("output_audio_tokens") ?? 0
            }
            guard cached + writes <= input else { throw RecordProblem.reason(.cachedExceedsInput) }
            if let uncached, uncached != input - cached - writes {
                throw RecordProblem.reason(.outOfRange(
                    "input_uncached_tokens (\(uncached)) is not input_tokens − input_cached_tokens − input_cache_write_tokens (\(input - cached - writes))"))
            }
            row.uncachedInputTokens = input - cached - writes
            row.cachedInputTokens = cached
            row.cacheWrite5mTokens = writes
            row.outputTokens = output
        case "organization.usage.embeddings.result", "organization.usage.moderations.result":
            guard let input = try count("input_tokens") else { throw RecordProblem.reason(.missingField("input_tokens")) }
            row.uncachedInputTokens = input
        default:
            throw RecordProblem.reason(.unsupported("OpenAI usage result `\(kind)`: only completions, embeddings and moderations are reconciled"))
        }
        if let problem = row.validationProblem() { throw RecordProblem.reason(problem) }
        return row
    }
}
