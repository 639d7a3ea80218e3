import LedgerValues

/// Anthropic's Admin API cost report (`GET /v1/organizations/cost_report`): JSON pages of daily buckets
/// whose results bill an `amount` that is a **decimal string in cents** (`"123.45"` is $1.2345), read
/// exactly. Grouped by description, a result names the model, the `cost_type` (`tokens`, `web_search`,
/// `code_execution`) and the `token_type`; otherwise those are null and the line is the day's usage.
/// The report leaves out Priority Tier costs.
public struct AnthropicCostReportImporter: FormatImporter {
    public static let formatName = "anthropic-costs"
    public static let family = "provider-anthropic"
    public static let framing = Framing.document

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        guard sample.hasJSONKey("starting_at"), sample.hasJSONKey("amount"), !sample.hasJSONKey("uncached_input_tokens") else { return 0 }
        return sample.hasJSONKey("cost_type") || sample.hasJSONKey("token_type") || sample.hasJSONKey("currency") ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        ProviderJSONDocument(unit, firstLine: line).forEachResult(into: &items) { bucket, r, line, items in
            guard let start = try ProviderFields.time(bucket.start, field: "starting_at") else {
                throw RecordProblem.reason(.missingField("starting_at"))
            }
            let end = try ProviderFields.time(bucket.end, field: "ending_at") ?? start
            guard let (amount, text) = try ProviderFields.money(r["amount"], field: "amount", scale: 2) else {
                throw RecordProblem.reason(.missingField("amount"))
            }
            let costType = ProviderFields.text(r["cost_type"])
            var row = ProviderCostRow(provider: "anthropic", export: .api, bucketStart: start, bucketEnd: end,
                                      category: AnthropicUsageReportImporter.category(costType: costType),
                                      amount: amount, amountText: text,
                                      currency: ProviderFields.text(r["currency"])?.uppercased() ?? "USD")
            row.costType = costType
            let tokenType = ProviderFields.text(r["token_type"])
            row.tokenKind = row.category == .usage ? AnthropicUsageReportImporter.tokenKind(tokenType) : nil
            row.lineItem = ProviderFields.text(r["description"]) ?? tokenType
            row.model = ProviderFields.text(r["model"])
            row.serviceTier = ProviderFields.text(r["service_tier"])
            row.contextWindow = ProviderFields.text(r["context_window"])
            row.inferenceGeo = ProviderFields.text(r["inference_geo"])
            row.speed = ProviderFields.text(r["speed"])
            row.project = ProviderFields.text(r["workspace_id"])
            if let problem = row.validationProblem() { throw RecordProblem.reason(problem) }
            items.append(.providerCost(row, line: line))
        }
    }
}
