import LedgerValues

/// The cost CSV that Anthropic's Console exports: one row per UTC day, model (its display name, such as
/// `Claude Sonnet 4.5`), workspace, API key, usage type, context window and token type, with `cost_usd` in
/// **dollars** (unlike the Admin API's cents) and the list price beside it.
public struct AnthropicConsoleCostCSVImporter: FormatImporter {
    public static let formatName = "anthropic-costs-csv"
    public static let family = "provider-anthropic"
    public static let framing = Framing.csvRecords

    private var table = ProviderCSVTable()

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        return names.contains("usage_date_utc") && names.contains("cost_usd") ? 95 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let r = try table.read(unit, required: ["usage_date_utc", "cost_usd"]) else { return }
        guard let text = r["cost_usd"] else { return }
        guard let day = try ProviderFields.time(r["usage_date_utc"], field: "usage_date_utc")?.utcDay else {
            throw RecordProblem.reason(.missingField("usage_date_utc"))
        }
        guard let amount = try ProviderFields.money(text, field: "cost_usd") else { return }
        let start = Timestamp(milliseconds: Int64(day.daysSinceEpoch) * 86_400_000)
        let costType = r["cost_type"]
        var row = ProviderCostRow(provider: "anthropic", export: .console, bucketStart: start,
                                  bucketEnd: Timestamp(milliseconds: start.milliseconds + 86_400_000),
                                  category: AnthropicUsageReportImporter.category(costType: costType),
                                  amount: amount, amountText: text, currency: "USD")
        row.costType = costType
        row.tokenKind = row.category == .usage ? AnthropicUsageReportImporter.tokenKind(r["token_type"]) : nil
        row.lineItem = r["token_type"]
        row.model = r["model"]
        row.project = r["workspace"]
        row.apiKey = r["api_key_id"] ?? r["api_key"]
        row.serviceTier = r["usage_type"]
        row.contextWindow = r["context_window"]
        row.inferenceGeo = r["inference_geo"]
        row.speed = r["speed"]
        row.listAmount = try ProviderFields.money(r["list_price_usd"], field: "list_price_usd")
        if let problem = row.validationProblem() { throw RecordProblem.reason(problem) }
        items.append(.providerCost(row, line: line))
    }
}
