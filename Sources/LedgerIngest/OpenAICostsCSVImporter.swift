import LedgerValues

/// The CSV that OpenAI's cost dashboard exports: one row per daily bucket (and line item and project,
/// where grouped), `amount_value` in dollars with up to 16 decimals, read exactly.
///
/// A row with only the bucket's times (an empty bucket) is skipped. Rows are the same as the Costs API's,
/// so re-importing the same bucket from either replaces it.
public struct OpenAICostsCSVImporter: FormatImporter {
    public static let formatName = "openai-costs-csv"
    public static let family = "provider-openai"
    public static let framing = Framing.csvRecords

    private var table = ProviderCSVTable()

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        return names.contains("amount_value") && names.contains("start_time") ? 95 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let row = try table.read(unit, required: ["start_time", "amount_value"]) else { return }
        guard let text = row["amount_value"] else { return }  // an empty bucket
        guard let start = try ProviderFields.time(row["start_time"] ?? row["start_time_iso"], field: "start_time") else {
            throw RecordProblem.reason(.missingField("start_time"))
        }
        let end = try ProviderFields.time(row["end_time"] ?? row["end_time_iso"], field: "end_time") ?? start
        guard let amount = try ProviderFields.money(text, field: "amount_value") else { return }
        let cost = try OpenAILineItem.costRow(
            start: start, end: end, lineItem: row["line_item"], amount: amount, amountText: text,
            currency: row["amount_currency"]?.uppercased() ?? "USD", project: row["project_id"], apiKey: row["api_key_id"],
            quantity: row["quantity"], quantityUnit: row["quantity_unit"])
        items.append(.providerCost(cost, line: line))
    }
}
