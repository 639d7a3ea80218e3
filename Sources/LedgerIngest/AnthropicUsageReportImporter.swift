import LedgerValues

/// Anthropic's Admin API usage report for messages (`GET /v1/organizations/usage_report/messages`): JSON
/// pages of time buckets (`starting_at`/`ending_at`, RFC 3339, UTC), each with one result per combination
/// of the `group_by[]` values (API key, workspace, model, service tier, context window, inference geo,
/// speed). One file may hold one page, an array of pages, or JSON Lines of pages.
///
/// Anthropic's token kinds are disjoint (`uncached_input_tokens`, `cache_creation` 5-minute and 1-hour
/// writes, `cache_read_input_tokens`, `output_tokens`); the row keeps them and its ``ProviderUsageRow/inputTokens``
/// adds them up, as TokenLedger counts input. The report has no request count. Older exports without the
/// `cache_creation` breakdown give `cache_creation_input_tokens`, read as 5-minute writes.
public struct AnthropicUsageReportImporter: FormatImporter {
    public static let formatName = "anthropic-usage"
    public static let family = "provider-anthropic"
    public static let framing = Framing.document

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        if sample.hasJSONKey("uncached_input_tokens") && sample.hasJSONKey("starting_at") { return 90 }
        return 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        ProviderJSONDocument(unit, firstLine: line).forEachResult(into: &items) { bucket, r, line, items in
            guard let start = try ProviderFields.time(bucket.start, field: "starting_at") else {
                throw RecordProblem.reason(.missingField("starting_at"))
            }
            let end = try ProviderFields.time(bucket.end, field: "ending_at") ?? start
            var row = ProviderUsageRow(provider: "anthropic", export: .api, bucketStart: start, bucketEnd: end)
            guard let uncached = try ProviderFields.count(r["uncached_input_tokens"], field: "uncached_input_tokens") else {
                throw RecordProblem.reason(.missingField("uncached_input_tokens"))
            }
            row.uncachedInputTokens = uncached
            if let creation = r["cache_creation"], creation.object != nil {
                row.cacheWrite5mTokens = try ProviderFields.count(creation["ephemeral_5m_input_tokens"],
                                                                  field: "cache_creation.ephemeral_5m_input_tokens") ?? 0
                row.cacheWrite1hTokens = try ProviderFields.count(creation["ephemeral_1h_input_tokens"],
                                                                  field: "cache_creation.ephemeral_1h_input_tokens") ?? 0
            } else {
                row.cacheWrite5mTokens = try ProviderFields.count(r["cache_creation_input_tokens"], field: "cache_creation_input_tokens") ?? 0
            }
            row.cachedInputTokens = try ProviderFields.count(r["cache_read_input_tokens"], field: "cache_read_input_tokens") ?? 0
            guard let output = try ProviderFields.count(r["output_tokens"], field: "output_tokens") else {
                throw RecordProblem.reason(.missingField("output_tokens"))
            }
            row.outputTokens = output
            row.webSearchRequests = try ProviderFields.count(r[path: "server_tool_use", "web_search_requests"],
                                                             field: "server_tool_use.web_search_requests") ?? 0
            row.apiKey = ProviderFields.text(r["api_key_id"])
            row.project = ProviderFields.text(r["workspace_id"])
            row.model = ProviderFields.text(r["model"])
            row.serviceTier = ProviderFields.text(r["service_tier"])
            row.batch = row.serviceTier.map { $0.lowercased() == "batch" }
            row.contextWindow = ProviderFields.text(r["context_window"])
            row.inferenceGeo = ProviderFields.text(r["inference_geo"])
            row.speed = ProviderFields.text(r["speed"])
            if let problem = row.validationProblem() { throw RecordProblem.reason(problem) }
            items.append(.providerUsage(row, line: line))
        }
    }

    /// The token kind an Anthropic token type names, in either the API's spelling
    /// (`cache_creation.ephemeral_5m_input_tokens`) or the Console's (`input_cache_write_5m`).
    static func tokenKind(_ type: String?) -> ProviderTokenKind? {
        guard let t = type?.lowercased(), !t.isEmpty else { return nil }
        if t.contains("1h") { return .cacheWrite1h }
        if t.contains("5m") { return .cacheWrite5m }
        if t.contains("read") { return .cachedInput }
        if t.contains("creation") || t.contains("write") { return .cacheWrite5m }
        if t.contains("output") { return .output }
        if t.contains("input") { return .uncachedInput }
        return nil
    }

    /// The category of an Anthropic `cost_type`; none (not grouped by description) is token usage.
    static func category(costType: String?) -> ChargeCategory {
        switch costType?.lowercased() {
        case nil, "tokens", "token": .usage
        case "web_search", "code_execution", "web_fetch": .tool
        default: .other
        }
    }
}
