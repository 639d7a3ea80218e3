import LedgerValues

/// The CSV that OpenAI's usage dashboard exports: the Usage API's completions buckets, one row per bucket
/// and grouping, with `start_time`/`end_time` in epoch seconds (and ISO copies).
///
/// Its quirks are read as they come: counts written `10.0`, `batch` written `FALSE`, and a row with only the
/// bucket's times for a bucket without usage (skipped, not rejected). Columns that older exports lack
/// read as empty. Rows are the same as the API's, so re-importing the same bucket from either replaces it.
public struct OpenAIUsageCSVImporter: FormatImporter {
    public static let formatName = "openai-usage-csv"
    public static let family = "provider-openai"
    public static let framing = Framing.csvRecords

    private var table = ProviderCSVTable()

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        return names.contains("num_model_requests") && names.contains("start_time") && names.contains("input_tokens") ? 95 : 0
    }

    static let usageColumns = ["num_model_requests", "input_tokens", "output_tokens", "model"]

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let row = try table.read(unit, required: ["start_time", "num_model_requests", "input_tokens", "output_tokens"]) else { return }
        if row.allEmpty(Self.usageColumns) { return }  // an empty bucket
        guard let start = try ProviderFields.time(row["start_time"] ?? row["start_time_iso"], field: "start_time") else {
            throw RecordProblem.reason(.missingField("start_time"))
        }
        let end = try ProviderFields.time(row["end_time"] ?? row["end_time_iso"], field: "end_time") ?? start
        let fields = OpenAIUsageFields(
            count: { try ProviderFields.count(row[$0], field: $0) },
            text: { row[$0] },
            flag: { try ProviderFields.flag(row[$0], field: $0) })
        items.append(.providerUsage(try fields.row(kind: "organization.usage.completions.result", start: start, end: end), line: line))
    }
}
