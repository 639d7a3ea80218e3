/// One line of a provider's cost export: an exact amount billed for one day (or one request) and one
/// combination of grouping values, such as `gpt-4.1-mini-2025-04-14, input` for a project.
///
/// The amount is held exactly (picodollars) and its text as exported is kept too, so nothing is lost
/// even for amounts with more than twelve decimals.
public struct ProviderCostRow: Sendable, Equatable {
    /// Who bills the amount: `openai`, `anthropic`, `openrouter`.
    public var provider: String
    /// Which kind of export the line came from (see ``ProviderExportKind``).
    public var export: ProviderExportKind
    /// The first instant of the bucket (UTC).
    public var bucketStart: Timestamp
    /// The instant after the bucket (exclusive); equal to ``bucketStart`` for one request.
    public var bucketEnd: Timestamp
    /// The model the line is for, as exported (a snapshot id, or a display name in Anthropic's Console);
    /// nil when the export was not grouped by model or the line is not for a model.
    public var model: String?
    /// OpenAI's project id, or Anthropic's workspace.
    public var project: String?
    /// The API key (id or name).
    public var apiKey: String?
    /// The line as the provider names it: OpenAI's `line_item`, Anthropic's `description`.
    public var lineItem: String?
    /// Anthropic's `cost_type` (`tokens`, `web_search`, `code_execution`).
    public var costType: String?
    /// Which kind of token the line bills, when it bills one kind.
    public var tokenKind: ProviderTokenKind?
    /// What the line is: usage, a tool, a credit, tax, an adjustment.
    public var category: ChargeCategory
    /// The service tier as exported (`standard`, `batch`, …).
    public var serviceTier: String?
    /// Anthropic's context-window band (`0-200k`, `200k-1M`).
    public var contextWindow: String?
    /// Anthropic's inference geography.
    public var inferenceGeo: String?
    /// Anthropic's speed option.
    public var speed: String?
    /// The quantity billed, as exported (OpenAI's `quantity`).
    public var quantityText: String?
    /// The unit of the quantity (`tokens`, `1000_tokens`, …).
    public var quantityUnit: String?
    /// The quantity in tokens, when the unit is tokens (or thousands of them) and the value is whole.
    public var quantityTokens: Int64?
    /// The amount billed, exact.
    public var amount: Money
    /// The amount's text as exported, in the export's own unit (dollars, or cents for Anthropic's API).
    public var amountText: String
    /// The currency code, upper case (`USD`).
    public var currency: String
    /// The list price of the same line, where the export gives it (Anthropic's Console).
    public var listAmount: Money?
    /// The provider's id of a single request (OpenRouter generation id); nil for buckets.
    public var recordID: String?
    /// A cloud bill's other costs of the line, kept apart (see ``CloudCosts``); nil for the AI providers' own
    /// exports.
    public var cloud: CloudCosts?

    /// A line of `amount` for the bucket `[bucketStart, bucketEnd)`.
    public init(provider: String, export: ProviderExportKind, bucketStart: Timestamp, bucketEnd: Timestamp,
                category: ChargeCategory, amount: Money, amountText: String, currency: String = "USD") {
        self.provider = provider
        self.export = export
        self.bucketStart = bucketStart
        self.bucketEnd = bucketEnd
        self.category = category
        self.amount = amount
        self.amountText = amountText
        self.currency = currency
    }

    /// The bucket width in milliseconds (0 for one request).
    public var widthMilliseconds: Int64 { bucketEnd.milliseconds - bucketStart.milliseconds }

    /// The rules every line obeys; an importer rejects a line that breaks one.
    public func validationProblem() -> RejectReason? {
        if currency != "USD" { return .unsupported("currency `\(currency)`: TokenLedger holds US dollars") }
        // Stored as 64-bit picodollars: up to about $9.2 million on one line.
        if amount.int64Picos == nil { return .outOfRange("amount above $9,223,372 on one line") }
        if let l = listAmount, l.int64Picos == nil { return .outOfRange("list amount above $9,223,372 on one line") }
        if let c = cloud, [c.contracted, c.effective].contains(where: { $0.map { $0.int64Picos == nil } ?? false }) {
            return .outOfRange("a cost above $9,223,372 on one line")
        }
        if let q = quantityTokens, q < 0 { return .negativeTokens }
        if bucketEnd < bucketStart { return .outOfRange("bucket ends before it starts") }
        if provider.isEmpty { return .missingField("provider") }
        return nil
    }

    /// The identity of the line across downloads (see ``ProviderUsageRow/naturalKey``).
    public var naturalKey: String {
        if let recordID {
            return ProviderNaturalKey.text(["cost", provider, export.rawValue, "record", recordID, category.rawValue])
        }
        return ProviderNaturalKey.text([
            "cost", provider, export.rawValue, String(bucketStart.milliseconds), String(bucketEnd.milliseconds),
            model, project, apiKey, lineItem, costType, tokenKind?.rawValue, category.rawValue, serviceTier, contextWindow,
            inferenceGeo, speed,
        ] + (cloud.map { [$0.serviceName, $0.skuID, $0.detailKey] } ?? []))
    }
}

/// What a cloud's FOCUS cost export says of a line beyond its billed amount: the FOCUS costs kept apart, the
/// service and SKU, and the provider's own columns. The line's ``ProviderCostRow/amount`` is the
/// `BilledCost` and its ``ProviderCostRow/listAmount`` the `ListCost`.
public struct CloudCosts: Sendable, Equatable {
    /// `ContractedCost`: list cost with negotiated discounts applied.
    public var contracted: Money?
    /// `EffectiveCost`: cost with commitments amortized.
    public var effective: Money?
    /// `ServiceName` as exported (`Amazon Bedrock`, `Claude Sonnet 4.5 (Amazon Bedrock Edition)`, `Vertex AI`).
    public var serviceName: String?
    /// `SkuId`.
    public var skuID: String?
    /// `SkuPriceDetails` as exported (JSON text).
    public var skuPriceDetails: String?
    /// The provider's `x_` columns and the other columns that tell lines apart (region, resource, pricing
    /// category), as compact JSON text.
    public var extra: String?
    /// The values that tell apart lines of one bucket, SKU and model (region, resource, account, pricing
    /// category), joined; part of the natural key only.
    public var detailKey: String?

    public init() {}
}

/// What a cost line is for, after FinOps FOCUS's `ChargeCategory`, with non-token usage apart.
public enum ChargeCategory: String, Sendable, CaseIterable, Hashable {
    /// Tokens of a model: what routing logs can explain.
    case usage
    /// Billed tool use that is not tokens (web search, code execution, file search).
    case tool
    /// A credit (negative).
    case credit
    /// Tax.
    case tax
    /// A correction, refund or other adjustment.
    case adjustment
    /// Any other line (fine-tuning, storage, …).
    case other
}

/// The disjoint token kinds that providers bill at different rates.
public enum ProviderTokenKind: String, Sendable, CaseIterable, Hashable {
    case uncachedInput = "uncached_input"
    case cachedInput = "cached_input"
    case cacheWrite5m = "cache_write_5m"
    case cacheWrite1h = "cache_write_1h"
    case output
}
