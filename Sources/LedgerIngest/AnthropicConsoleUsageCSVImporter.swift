import LedgerValues

/// The usage CSV that Anthropic's Console exports: one row per UTC day and model, API key, workspace,
/// usage type and context window, with the disjoint token kinds (no request count). Keys and workspaces
/// are given by name, so these rows never replace the Admin API's (which give ids); when both cover a
/// day, reconciliation uses the API's rows.
public struct AnthropicConsoleUsageCSVImporter: FormatImporter {
    public static let formatName = "anthropic-usage-csv"
    public static let family = "provider-anthropic"
    public static let framing = Framing.csvRecords

    private var table = ProviderCSVTable()

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        return names.contains("usage_date_utc") && names.contains("usage_input_tokens_no_cache") ? 95 : 0
    }

    static let tokenColumns = ["usage_input_tokens_no_cache", "usage_input_tokens_cache_write_5m", "usage_input_tokens_cache_write_1h",
                               "usage_input_tokens_cache_read", "usage_output_tokens", "web_search_count"]

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let r = try table.read(unit, required: ["usage_date_utc", "usage_input_tokens_no_cache", "usage_output_tokens"]) else { return }
        if r.allEmpty(Self.tokenColumns) { return }
        guard let day = try ProviderFields.time(r["usage_date_utc"], field: "usage_date_utc")?.utcDay else {
            throw RecordProblem.reason(.missingField("usage_date_utc"))
        }
        let start = Timestamp(milliseconds: Int64(day.daysSinceEpoch) * 86_400_000)
        var row = ProviderUsageRow(provider: "anthropic", export: .console, bucketStart: start,
                                   bucketEnd: Timestamp(milliseconds: start.milliseconds + 86_400_000))
        row.uncachedInputTokens = try ProviderFields.count(r["usage_input_tokens_no_cache"], field: "usage_input_tokens_no_cache") ?? 0
        row.cacheWrite5mTokens = try ProviderFields.count(r["usage_input_tokens_cache_write_5m"], field: "usage_input_tokens_cache_write_5m") ?? 0
        row.cacheWrite1hTokens = try ProviderFields.count(r["usage_input_tokens_cache_write_1h"], field: "usage_input_tokens_cache_write_1h") ?? 0
        row.cachedInputTokens = try ProviderFields.count(r["usage_input_tokens_cache_read"], field: "usage_input_tokens_cache_read") ?? 0
        row.outputTokens = try ProviderFields.count(r["usage_output_tokens"], field: "usage_output_tokens") ?? 0
        row.webSearchRequests = try ProviderFields.count(r["web_search_count"], field: "web_search_count") ?? 0
        row.model = r["model_version"] ?? r["model"]
        row.apiKey = r["api_key_id"] ?? r["api_key"]
        row.project = r["workspace"]
        row.serviceTier = r["usage_type"]
        row.batch = row.serviceTier.map { $0.lowercased().contains("batch") }
        row.contextWindow = r["context_window"]
        row.inferenceGeo = r["inference_geo"]
        row.speed = r["speed"]
        if let problem = row.validationProblem() { throw RecordProblem.reason(problem) }
        items.append(.providerUsage(row, line: line))
    }
}
