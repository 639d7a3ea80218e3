/// OpenAI's Costs API (`GET /v1/organization/costs`): JSON pages of daily buckets whose results each bill
/// an `amount` (`{"value": 0.0016, "currency": "usd"}`, in **dollars**) for one `line_item`, project and
/// API key where the request grouped by them. One file may hold one page, an array of pages, or JSON
/// Lines of pages.
///
/// A line item such as `gpt-4.1-mini-2025-04-14, cached input` names the model and the token kind
/// (see ``OpenAILineItem``). Amounts are parsed from the number's text, never through floating point.
public struct OpenAICostsImporter: FormatImporter {
    public static let formatName = "openai-costs"
    public static let family = "provider-openai"
    public static let framing = Framing.document

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        if sample.contains("\"organization.costs.result\"") { return 95 }
        if sample.hasJSONKey("line_item") && sample.hasJSONKey("amount") && sample.hasJSONKey("start_time") { return 85 }
        return 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        ProviderJSONDocument(unit, firstLine: line).forEachResult(into: &items) { bucket, result, line, items in
            guard let start = try ProviderFields.time(bucket.start, field: "start_time") else {
                throw RecordProblem.reason(.missingField("start_time"))
            }
            let end = try ProviderFields.time(bucket.end, field: "end_time") ?? start
            if let kind = ProviderFields.text(result["object"]), kind != "organization.costs.result" {
                throw RecordProblem.reason(.unsupported("OpenAI costs result `\(kind)`"))
            }
            let amount = result["amount"]
            guard let (value, text) = try ProviderFields.money(amount?["value"] ?? amount, field: "amount.value") else {
                throw RecordProblem.reason(.missingField("amount.value"))
            }
            let currency = ProviderFields.text(amount?["currency"])?.uppercased() ?? "USD"
            let row = try OpenAILineItem.costRow(
                start: start, end: end, lineItem: ProviderFields.text(result["line_item"]), amount: value, amountText: text,
                currency: currency, project: ProviderFields.text(result["project_id"]),
                apiKey: ProviderFields.text(result["api_key_id"]), quantity: ProviderFields.text(result["quantity"]),
                quantityUnit: ProviderFields.text(result["quantity_unit"]))
            items.append(.providerCost(row, line: line))
        }
    }
}

/// What an OpenAI cost line item says: `<model snapshot>, <kind>` for token usage (`input`,
/// `cached input`, `output`, possibly with `batch`), or a name for other lines (tools, tax, credits).
///
///     OpenAILineItem.parse("gpt-4.1-mini-2025-04-14, cached input")
///     // model "gpt-4.1-mini-2025-04-14", kind .cachedInput, batch false, category .usage
///     OpenAILineItem.parse(nil)   // the day's (or project's) total usage: category .usage, no model
public enum OpenAILineItem {
    /// The parts of a line item.
    public struct Parts: Sendable, Equatable {
        /// The model snapshot before the comma.
        public var model: String?
        /// The token kind the line bills.
        public var kind: ProviderTokenKind?
        /// Whether the line is for batch usage.
        public var batch: Bool
        /// What the line is.
        public var category: ChargeCategory
    }

    /// Reads a line item; nil (an export not grouped by line item) is usage of no particular model.
    public static func parse(_ item: String?) -> Parts {
        guard let item, !item.isEmpty else { return Parts(model: nil, kind: nil, batch: false, category: .usage) }
        let lower = item.lowercased()
        if lower.contains("tax") { return Parts(model: nil, kind: nil, batch: false, category: .tax) }
        if lower.contains("credit") { return Parts(model: nil, kind: nil, batch: false, category: .credit) }
        if lower.contains("refund") || lower.contains("adjustment") || lower.contains("correction") {
            return Parts(model: nil, kind: nil, batch: false, category: .adjustment)
        }
        if let comma = item.firstIndex(of: ",") {
            let model = item[..<comma].trimmingCharacters(in: .whitespaces)
            let rest = item[item.index(after: comma)...].lowercased()
            if !model.isEmpty, !model.contains(" ") {
                let kind: ProviderTokenKind?
                if rest.contains("cached") || rest.contains("cache read") {
                    kind = .cachedInput
                } else if rest.contains("cache write") || rest.contains("cache_write") || rest.contains("cache creation") {
                    kind = .cacheWrite5m
                } else if rest.contains("input") {
                    kind = .uncachedInput
                } else if rest.contains("output") {
                    kind = .output
                } else {
                    kind = nil
                }
                let tool = rest.contains("search") || rest.contains("tool") || rest.contains("interpreter")
                return Parts(model: model, kind: tool ? nil : kind, batch: rest.contains("batch"), category: tool ? .tool : .usage)
            }
        }
        for word in ["search", "interpreter", "tool", "container", "storage", "file"] where lower.contains(word) {
            return Parts(model: nil, kind: nil, batch: false, category: .tool)
        }
        return Parts(model: nil, kind: nil, batch: false, category: .other)
    }

    /// A cost row from the fields shared by the Costs API and the dashboard CSV.
    static func costRow(start: Timestamp, end: Timestamp, lineItem: String?, amount: Money, amountText: String,
                        currency: String, project: String?, apiKey: String?, quantity: String?,
                        quantityUnit: String?) throws -> ProviderCostRow {
        let parts = parse(lineItem)
        var row = ProviderCostRow(provider: "openai", export: .api, bucketStart: start, bucketEnd: end,
                                  category: parts.category, amount: amount, amountText: amountText, currency: currency)
        row.model = parts.model
        row.lineItem = lineItem
        row.tokenKind = parts.kind
        row.serviceTier = parts.batch ? "batch" : nil
        row.project = project
        row.apiKey = apiKey
        row.quantityText = quantity
        row.quantityUnit = quantityUnit
        if let quantity, let d = ExactDecimal(parsing: quantity) {
            switch quantityUnit?.lowercased() {
            case nil, "tokens": row.quantityTokens = d.exactInt64
            case "1000_tokens", "1k_tokens": row.quantityTokens = d.scaled(byPowerOfTen: 3, rounding: false).flatMap { Int64(exactly: $0) }
            case "1000000_tokens", "1m_tokens": row.quantityTokens = d.scaled(byPowerOfTen: 6, rounding: false).flatMap { Int64(exactly: $0) }
            default: break
            }
        }
        if let problem = row.validationProblem() { throw RecordProblem.reason(problem) }
        return row
    }
}

import LedgerValues
import Foundation
