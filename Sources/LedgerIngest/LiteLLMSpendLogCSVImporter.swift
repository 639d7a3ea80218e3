import Foundation
import LedgerValues

/// A CSV dump of LiteLLM's `LiteLLM_SpendLogs` table (`litellm-csv`), e.g. from
/// `\copy "LiteLLM_SpendLogs" TO 'spend.csv' CSV HEADER` (`docs/formats.md`, LiteLLM).
///
/// The header row names the columns (any order, any case). `metadata` and `request_tags` hold JSON text
/// in quoted fields, as PostgreSQL writes them; an empty field is a missing value. Rows map as the
/// JSON forms do (``LiteLLMSpendLogImporter``), in the same family, so one request read from both is
/// stored once.
public struct LiteLLMSpendLogCSVImporter: FormatImporter {
    public static let formatName = "litellm-csv"
    public static let family = LiteLLMSpendLogImporter.family
    public static let framing = Framing.csvRecords

    let settings: ImporterSettings
    var header: CSVHeader?

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims a header row with `request_id`, `spend` and `startTime`.
    public static func detect(_ sample: InputSample) -> Int {
        guard !sample.firstLineStarts(with: 0x7B), !sample.firstLineStarts(with: 0x5B) else { return 0 }
        let hasStart = sample.firstLineContains("startTime") || sample.firstLineContains("starttime")
        return sample.firstLineContains("request_id") && sample.firstLineContains("spend") && hasStart ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let header else {
            let delimiter = CSVRecord.sniffDelimiter(unit)
            let names = CSVHeader(try CSVRecord.fields(unit, delimiter: delimiter), delimiter: delimiter)
            // The header is not a row: without a `request_id` column, every row is rejected, saying so.
            self.header = names
            return
        }
        if !header.has("request_id") { throw RecordProblem.reason(.missingField("request_id (no such column in the header)")) }
        let values = try CSVRecord.fields(unit, delimiter: header.delimiter)
        var fields: [String: JSONValue] = [:]
        for (i, name) in header.names.enumerated() where i < values.count && !name.isEmpty && fields[name] == nil {
            let v = values[i].trimmingCharacters(in: .whitespaces)
            if !v.isEmpty { fields[name] = .string(v) }
        }
        if let call = try LiteLLMSpendLogRow(fields: fields).record(settings: settings) {
            items.append(.call(call, line: line))
        }
    }
}
