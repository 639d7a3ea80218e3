import LedgerPricing
import LedgerValues

/// The stored calls as FinOps FOCUS 1.2 cost and usage rows (`docs/focus-export.md`), written as CSV.
///
/// One row per UTC day × provider × model × token kind × project × API key (and × tier and size, since
/// each has its own unit price). Every mandatory FOCUS column is present in the spec's spelling; the
/// charge period is the UTC day with an exclusive end, the billing period its calendar month. Quantities
/// are whole tokens; costs are exact decimal strings in US dollars.
///
/// Costs: `ListCost` is `PricingQuantity × ListUnitPrice` at the price book's rate. `BilledCost`,
/// `ContractedCost` and `EffectiveCost` are the calls' stored cost split by token kind, so that they add
/// up exactly to every other report of the same days. They equal `ListCost` unless the book changed
/// since the calls were priced (then `tokenledger reprice` brings them together). Provider cost exports
/// are not mixed in: comparing them with the logs is `tokenledger reconcile`'s job.
///
///     let rows = FocusExport.rows(try FocusQuery(db: db).load(period: week))
///     FocusExport.csv(rows)   // "BillingAccountId,BillingAccountName,…\r\nopenai,,USD,2026-10-01T00:00:00Z,…"
public enum FocusExport {
    /// The FOCUS version the rows follow.
    public static let version = "1.2"

    /// Columns FOCUS 1.2 makes mandatory, in the spec's spelling.
    public static let mandatoryColumns = [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost",
        "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
        "ServiceCategory", "ServiceName",
    ]

    /// Every column written, in order: the mandatory ones, the recommended and conditional ones that
    /// apply to token usage, then TokenLedger's own (`x_` prefix).
    public static let columns = [
        "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
        "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
        "ProviderName", "PublisherName", "InvoiceIssuerName", "ServiceName", "ServiceCategory", "ServiceSubcategory",
        "SubAccountId", "SubAccountName", "ResourceId", "SkuId", "SkuPriceId", "PricingCategory", "PricingQuantity", "PricingUnit",
        "ConsumedQuantity", "ConsumedUnit", "ListUnitPrice", "ListCost", "ContractedCost", "BilledCost", "EffectiveCost",
        "x_TokenKind", "x_PricingTier", "x_LongContext", "x_Calls",
    ]

    /// Choices the data cannot make.
    public struct Options: Sendable {
        /// `BillingAccountId` of every row; default: the provider's name (`openai`).
        public var billingAccountID: String?
        /// `BillingAccountName` of every row; default: null.
        public var billingAccountName: String?

        /// Options.
        public init(billingAccountID: String? = nil, billingAccountName: String? = nil) {
            self.billingAccountID = billingAccountID
            self.billingAccountName = billingAccountName
        }
    }

    /// One FOCUS row; nil is a null (an empty CSV field).
    public struct Row: Sendable, Equatable {
        /// `BillingAccountId`.
        public var billingAccountID: String
        /// `BillingAccountName`.
        public var billingAccountName: String?
        /// `BillingCurrency`.
        public var billingCurrency: String
        /// `BillingPeriodStart`: the first day of the charge day's month.
        public var billingPeriodStart: CivilDate
        /// `BillingPeriodEnd`: the first day of the next month (exclusive end).
        public var billingPeriodEnd: CivilDate
        /// `ChargePeriodStart`: the UTC day.
        public var chargePeriodStart: CivilDate
        /// `ChargePeriodEnd`: the next day (exclusive end).
        public var chargePeriodEnd: CivilDate
        /// `ChargeDescription`.
        public var chargeDescription: String
        /// `ProviderName`.
        public var providerName: String
        /// `PublisherName`.
        public var publisherName: String
        /// `InvoiceIssuerName`.
        public var invoiceIssuerName: String
        /// `ServiceName`.
        public var serviceName: String
        /// `SubAccountId` and `SubAccountName`: the project.
        public var subAccountID: String?
        /// `ResourceId`: the API key.
        public var resourceID: String?
        /// `SkuId`.
        public var skuID: String
        /// `SkuPriceId`.
        public var skuPriceID: String
        /// Tokens, images or uses (`PricingQuantity` and `ConsumedQuantity`).
        public var quantity: Int64
        /// `PricingUnit` and `ConsumedUnit`: `Tokens`, `Images` or `Requests`.
        public var unit: String = "Tokens"
        /// `ListUnitPrice`, per token; nil when the entry that priced the calls is no longer stored.
        public var listUnitPrice: Money?
        /// `ListCost`.
        public var listCost: Money
        /// `BilledCost`, `ContractedCost` and `EffectiveCost`.
        public var billedCost: Money
        /// `x_TokenKind`.
        public var tokenKind: BilledTokenKind
        /// `x_PricingTier`.
        public var tier: PricingTier
        /// `x_LongContext`.
        public var longContext: Bool
        /// Calls of the group the row comes from (each call has several token kinds).
        public var calls: Int64
        /// Whether the stored cost differs from the book's value of the tokens (priced with an older book).
        public var costDiffersFromBook: Bool

        /// The fields in ``FocusExport/columns`` order.
        public var fields: [String] {
            [billingAccountID, billingAccountName ?? "", billingCurrency, FocusExport.dateTime(billingPeriodStart),
             FocusExport.dateTime(billingPeriodEnd), FocusExport.dateTime(chargePeriodStart), FocusExport.dateTime(chargePeriodEnd),
             "Usage", "", chargeDescription, "Usage-Based", providerName, publisherName, invoiceIssuerName, serviceName,
             "AI and Machine Learning", "Generative AI", subAccountID ?? "", subAccountID ?? "", resourceID ?? "", skuID, skuPriceID,
             "Standard", String(quantity), unit, String(quantity), unit, listUnitPrice?.exactString ?? "", listCost.exactString,
             billedCost.exactString, billedCost.exactString, billedCost.exactString, tokenKind.rawValue, tier.rawValue,
             longContext ? "true" : "false", String(calls)]
        }
    }

    /// `2026-10-01T00:00:00Z`: FOCUS's date-time format (UTC, seconds, `Z`).
    public static func dateTime(_ day: CivilDate) -> String { "\(day)T00:00:00Z" }

    /// A provider's name as FOCUS shows it (`openai` → `OpenAI`); unknown names as they are.
    public static func displayName(provider: String) -> String {
        switch provider.lowercased() {
        case "openai": "OpenAI"
        case "anthropic": "Anthropic"
        case "google", "gemini", "vertex_ai", "vertex": "Google"
        case "openrouter": "OpenRouter"
        case "mistral": "Mistral AI"
        case "deepseek": "DeepSeek"
        case "azure", "azure_openai": "Microsoft"
        case "bedrock", "aws": "Amazon Web Services"
        case "xai": "xAI"
        case "groq": "Groq"
        case "cohere": "Cohere"
        case "together", "together_ai": "Together AI"
        case "fireworks", "fireworks_ai": "Fireworks AI"
        default: provider.isEmpty ? "Unknown" : provider
        }
    }

    /// The API a provider sells models through (`anthropic` → `Claude API`).
    public static func serviceName(provider: String) -> String {
        switch provider.lowercased() {
        case "openai": "OpenAI API"
        case "anthropic": "Claude API"
        case "google", "gemini": "Gemini API"
        case "vertex_ai", "vertex": "Vertex AI"
        case "openrouter": "OpenRouter"
        case "azure", "azure_openai": "Azure OpenAI"
        case "bedrock", "aws": "Amazon Bedrock"
        default: displayName(provider: provider) + " API"
        }
    }

    /// The rows of the groups, sorted by day, provider, model, project, key, tier, size and token kind.
    ///
    /// Per group, each token kind's billed cost is `tokens × rate` at the card that priced the calls;
    /// when the group's stored cost differs from the sum (the book changed since), the difference goes
    /// to the kind with the largest cost, so the rows still add up to the stored cost exactly.
    public static func rows(_ data: FocusUsageSet, options: Options = Options()) -> [Row] {
        var out: [Row] = []
        for g in data.usage {
            let entry = data.entries[g.priceEntryID]
            let card = entry?.card(tier: g.tier, longContext: g.longContext)
            let model = entry?.model ?? "price-\(g.priceEntryID)"
            let publisherKey = entry?.provider ?? g.provider ?? ""
            let providerKey = g.provider ?? publisherKey
            let provider = displayName(provider: providerKey)
            let start = CivilDate(year: g.day.year, month: g.day.month, day: 1)
            let nextMonth = g.day.month == 12 ? CivilDate(year: g.day.year + 1, month: 1, day: 1)
                : CivilDate(year: g.day.year, month: g.day.month + 1, day: 1)
            var lines: [(kind: BilledTokenKind, tokens: Int64, rate: Rate?, cost: Money, tool: String?)] = []
            for kind in BilledTokenKind.allCases where kind.isTokens {
                guard let n = g.tokens[kind], n > 0 else { continue }
                let rate = card.flatMap { kind.rate(in: $0) }
                lines.append((kind, n, rate, Money(picos: Int128(n) * Int128(rate?.picosPerToken ?? 0)), nil))
            }
            if let n = g.tokens[.images], n > 0 {
                let rate = entry?.perImage
                lines.append((.images, n, rate, Money(picos: Int128(n) * Int128(rate?.picosPerToken ?? 0)), nil))
            }
            for (tool, n) in g.toolUses.sorted(by: { $0.key < $1.key }) where n > 0 {
                let rate = entry?.toolFees[tool]
                lines.append((.toolUse, n, rate, Money(picos: Int128(n) * Int128(rate?.picosPerToken ?? 0)), tool))
            }
            if g.uplift != .zero { lines.append((.uplift, g.calls, nil, g.uplift, nil)) }
            if lines.isEmpty {
                // Priced calls without tokens (cost zero): nothing to bill, unless a cost was stored.
                guard g.cost != .zero else { continue }
                lines.append((.input, 0, card.flatMap { BilledTokenKind.input.rate(in: $0) }, .zero, nil))
            }
            let residual = g.cost - lines.map(\.cost).sum()
            var billed = lines.map(\.cost)
            if residual != .zero {
                let target = lines.indices.max { a, b in
                    (lines[a].cost, lines[a].tokens, b) < (lines[b].cost, lines[b].tokens, a)
                } ?? 0
                billed[target] = billed[target] + residual
            }
            let tierText = g.tier == .standard ? "" : ", \(g.tier.rawValue) tier"
            let sizeText = g.longContext ? ", long context" : ""
            for (i, line) in lines.enumerated() {
                let sku = line.tool.map { "tool:\($0)" } ?? line.kind.rawValue
                let what = line.tool.map { "\($0) tool uses" } ?? (line.kind.isTokens ? "\(line.kind.words) tokens" : line.kind.words)
                out.append(Row(
                    billingAccountID: options.billingAccountID ?? (providerKey.isEmpty ? "unknown" : providerKey),
                    billingAccountName: options.billingAccountName, billingCurrency: entry?.currency ?? "USD",
                    billingPeriodStart: start, billingPeriodEnd: nextMonth, chargePeriodStart: g.day, chargePeriodEnd: g.day.adding(days: 1),
                    chargeDescription: "\(model) \(what)\(tierText)\(sizeText)",
                    providerName: provider, publisherName: displayName(provider: publisherKey), invoiceIssuerName: provider,
                    serviceName: serviceName(provider: providerKey), subAccountID: g.project, resourceID: g.apiKey,
                    skuID: "\(model):\(sku)",
                    skuPriceID: "\(model):\(sku):\(g.tier.rawValue)\(g.longContext ? ":long-context" : ""):\(entry?.effectiveFrom.description ?? "unknown")",
                    quantity: line.tokens,
                    unit: line.kind.isTokens ? "Tokens" : (line.kind == .images ? "Images" : "Requests"),
                    listUnitPrice: line.rate.map { Money(picos: Int128($0.picosPerToken)) }, listCost: line.cost,
                    billedCost: billed[i], tokenKind: line.kind, tier: g.tier, longContext: g.longContext, calls: g.calls,
                    costDiffersFromBook: residual != .zero))
            }
        }
        return out.sorted(by: isOrderedBefore)
    }

    static func isOrderedBefore(_ a: Row, _ b: Row) -> Bool {
        if a.chargePeriodStart != b.chargePeriodStart { return a.chargePeriodStart < b.chargePeriodStart }
        if a.providerName != b.providerName { return a.providerName < b.providerName }
        if a.skuID != b.skuID {
            func model(_ r: Row) -> Substring {
                guard let colon = r.skuID.range(of: ":" + (r.tokenKind == .toolUse ? "tool:" : r.tokenKind.rawValue), options: .backwards)
                else { return Substring(r.skuID) }
                return r.skuID[..<colon.lowerBound]
            }
            let (ma, mb) = (model(a), model(b))
            if ma != mb { return ma < mb }
        }
        if a.subAccountID != b.subAccountID { return (a.subAccountID ?? "") < (b.subAccountID ?? "") }
        if a.resourceID != b.resourceID { return (a.resourceID ?? "") < (b.resourceID ?? "") }
        if a.tier != b.tier { return a.tier.sortOrder < b.tier.sortOrder }
        if a.longContext != b.longContext { return !a.longContext }
        if a.tokenKind != b.tokenKind {
            return BilledTokenKind.allCases.firstIndex(of: a.tokenKind)! < BilledTokenKind.allCases.firstIndex(of: b.tokenKind)!
        }
        return a.skuPriceID < b.skuPriceID
    }
}
