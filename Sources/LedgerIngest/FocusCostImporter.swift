/// A cloud's cost and usage export in FinOps FOCUS (1.0 to 1.3): AWS Data Exports (FOCUS 1.0 and later),
/// Azure Cost Management's FOCUS exports, Google Cloud's BigQuery FOCUS export saved as CSV; plain or
/// gzipped CSV.
///
/// Only the lines of AI model services are kept (``FocusModelService``): Bedrock's model inference, Azure
/// OpenAI and AI Foundry models, Vertex AI's Gemini, Claude and Model Garden models. Every other line is
/// skipped with its reason and counted in the import summary (an ML workspace's VMs and disks are
/// infrastructure, whatever their `ServiceCategory`). A kept line is a cost line of provider `bedrock`,
/// `azure` or `vertex_ai`:
///
/// - its amount is `BilledCost`; `ListCost` is its list amount, and `ContractedCost` and `EffectiveCost`
///   are kept beside them (``CloudCosts``), never mixed;
/// - `ConsumedQuantity` / `ConsumedUnit` are its quantity, in tokens when the unit is tokens (or thousands
///   or millions of them); the model and token kind come from `SkuPriceDetails` (FOCUS 1.3's `ModelId`,
///   `TokenDirection`, `TokenCacheAction`) or else from the service, SKU meter and usage type names;
/// - `SkuId`, `SkuPriceDetails` and the provider's `x_` columns are kept as exported.
///
/// The version is read from the header: FOCUS 1.0 to 1.3 columns are read, and a header of an earlier
/// draft (`ChargeType`, `AmortizedCost`, `UsageQuantity` without `ChargeCategory`) is refused, as is a file
/// without one of the mandatory columns this reader needs. A line billed in another currency than US
/// dollars is refused unless a rate for that currency is given (``ImporterSettings/currencyRates``).
public struct FocusCostImporter: FormatImporter {
    public static let formatName = "focus"
    public static let family = "provider-focus"
    public static let framing = Framing.csvRecords

    /// The columns of FOCUS 1.0 to 1.3 this reader needs (mandatory in every version).
    static let required = ["BilledCost", "BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd",
                           "ContractedCost", "EffectiveCost", "ListCost", "ServiceName"]

    private var table = ProviderCSVTable()
    /// The header's names as written (for the `x_` columns).
    private var names: [String] = []
    private var version: FocusVersion?
    private var versionProblem: RejectReason?
    /// US dollars per unit of each currency, with the rate's text as given.
    private let rates: [String: (rate: ExactDecimal, text: String)]
    private let rateProblem: RejectReason?

    public init(settings: ImporterSettings = ImporterSettings()) {
        var rates: [String: (rate: ExactDecimal, text: String)] = [:]
        var problem: RejectReason?
        for (code, text) in settings.currencyRates {
            if let d = ExactDecimal(parsing: text), !d.isNegative, d.scaled(byPowerOfTen: 12, rounding: true).map({ $0 > 0 }) == true {
                rates[code.uppercased()] = (d, text)
            } else {
                problem = .wrongType(field: "--currency-rate \(code)", expected: "a positive decimal (US dollars per \(code)), got `\(text.prefix(30))`")
            }
        }
        self.rates = rates
        rateProblem = problem
    }

    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        guard names.contains("billedcost"), names.contains("chargeperiodstart") else { return 0 }
        return names.contains("servicename") ? 95 : 70
    }

    public static var detectionSignature: FormatSignature? {
        FormatSignature(.csvHeader, [["BilledCost"], ["ChargePeriodStart"], ["ServiceName"], ["BillingCurrency"]])
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        if table.header == nil {
            _ = try table.read(unit, required: [])
            let h = table.header!
            names = (try? CSVRecord.fields(unit, delimiter: h.delimiter))?.map { $0.trimmingCharacters(in: .whitespaces) } ?? h.names
            switch FocusVersion.of(header: Set(h.names)) {
            case .success(let v):
                version = v
                let missing = Self.required.filter { !h.has($0.lowercased()) }
                if !missing.isEmpty {
                    versionProblem = .missingField(missing.joined(separator: ", ")
                        + " (mandatory in FOCUS \(v.rawValue); \(missing.count == 1 ? "no such column" : "no such columns") in the header)")
                }
            case .failure(let p):
                versionProblem = p
            }
            return
        }
        if let versionProblem { throw RecordProblem.reason(versionProblem) }
        if let rateProblem { throw RecordProblem.reason(rateProblem) }
        guard let row = try table.read(unit, required: []) else { return }
        switch try outcome(row) {
        case .kept(let cost): items.append(.providerCost(cost, line: line))
        case .skipped(let why): items.append(.skipped(why, line: line))
        }
    }

    enum Outcome {
        case kept(ProviderCostRow)
        case skipped(String)
    }

    /// What becomes of one line.
    func outcome(_ row: ProviderCSVRow) throws -> Outcome {
        let details = FocusSkuPriceDetails(row["skupricedetails"])
        guard let service = FocusModelService.classify(row, details: details) else {
            return .skipped("line(s) of services that are not AI model services")
        }
        guard let kept = service.kept else {
            return .skipped("\(service.provider) line(s) whose SKU is not a model's (infrastructure, storage, tools)")
        }
        guard let start = try ProviderFields.time(row["chargeperiodstart"], field: "ChargePeriodStart") else {
            throw RecordProblem.reason(.missingField("ChargePeriodStart"))
        }
        let end = try ProviderFields.time(row["chargeperiodend"], field: "ChargePeriodEnd") ?? start
        guard let billedText = row["billedcost"] else { throw RecordProblem.reason(.missingField("BilledCost")) }
        let currency = row["billingcurrency"]?.uppercased() ?? "USD"
        let rate: (rate: ExactDecimal, text: String)?
        if currency == "USD" {
            rate = nil
        } else if let r = rates[currency] {
            rate = r
        } else {
            throw RecordProblem.reason(.unsupported(
                "BillingCurrency `\(currency.prefix(12))`: TokenLedger holds US dollars; give --currency-rate \(currency.prefix(12))=RATE (US dollars per \(currency.prefix(12))) to convert"))
        }
        func money(_ column: String, _ name: String) throws -> Money? {
            guard let m = try ProviderFields.money(row[column], field: name) else { return nil }
            guard let rate else { return m }
            return Self.convert(m, rate: rate.rate)
        }
        guard let billed = try money("billedcost", "BilledCost") else { throw RecordProblem.reason(.missingField("BilledCost")) }

        var cost = ProviderCostRow(provider: service.provider, export: .focus, bucketStart: start, bucketEnd: end,
                                   category: Self.category(row, tokens: kept.tokenKind != nil), amount: billed,
                                   amountText: billedText, currency: "USD")
        cost.model = kept.model
        cost.tokenKind = kept.tokenKind
        cost.serviceTier = kept.tier
        cost.inferenceGeo = kept.geography
        cost.project = row["subaccountid"] ?? row["subaccountname"]
        cost.lineItem = row["chargedescription"] ?? row["skumeter"] ?? row["x_usagetype"] ?? row["x_skumetername"]
        cost.listAmount = try money("listcost", "ListCost")
        cost.quantityText = row["consumedquantity"]
        cost.quantityUnit = row["consumedunit"]
        if kept.tokenKind != nil {
            cost.quantityTokens = Self.tokens(row["consumedquantity"], unit: row["consumedunit"])
                ?? Self.tokens(row["pricingquantity"], unit: row["pricingunit"])
        }
        var cloud = CloudCosts()
        cloud.contracted = try money("contractedcost", "ContractedCost")
        cloud.effective = try money("effectivecost", "EffectiveCost")
        cloud.serviceName = row["servicename"]
        cloud.skuID = row["skuid"]
        cloud.skuPriceDetails = row["skupricedetails"]
        var extra: [(String, JSONValue)] = []
        for (i, name) in names.enumerated() {
            let lower = name.lowercased()
            guard lower.hasPrefix("x_") || Self.kept.contains(lower), i < row.fields.count else { continue }
            let v = row.fields[i].trimmingCharacters(in: .whitespaces)
            if !v.isEmpty { extra.append((name, .string(v))) }
        }
        if let rate, currency != "USD" {
            extra.append(("BillingCurrency", .string(currency)))
            extra.append(("tokenledger_usd_per_unit", .string(rate.text)))
        }
        if let v = version { extra.append(("tokenledger_focus_version", .string(v.rawValue))) }
        if !extra.isEmpty {
            cloud.extra = JSONValue.object(Dictionary(extra, uniquingKeysWith: { a, _ in a })).compactText
        }
        cloud.detailKey = Self.detailColumns.map { row[$0] ?? "" }.joined(separator: "\u{1F}")
        cost.cloud = cloud
        if let problem = cost.validationProblem() { throw RecordProblem.reason(problem) }
        return .kept(cost)
    }

    /// Columns kept with a line (besides the `x_` ones) for what they tell of it.
    static let kept: Set<String> = ["regionid", "regionname", "resourceid", "resourcename", "pricingcategory", "pricingquantity",
                                    "pricingunit", "listunitprice", "contractedunitprice", "commitmentdiscountid", "chargeclass",
                                    "chargefrequency", "skupriceid", "skumeter", "servicesubcategory", "servicecategory",
                                    "billingaccountid", "invoiceid"]

    /// Columns that tell apart lines of one bucket, SKU and model.
    static let detailColumns = ["regionid", "resourceid", "billingaccountid", "pricingcategory", "skupriceid", "commitmentdiscountid",
                                "chargeclass", "x_usagetype", "x_operation", "x_skumeterid", "availabilityzone"]

    /// FOCUS's `ChargeCategory` (and `ChargeClass` `Correction`) as TokenLedger's.
    static func category(_ row: ProviderCSVRow, tokens: Bool) -> ChargeCategory {
        if row["chargeclass"]?.lowercased() == "correction" { return .adjustment }
        switch row["chargecategory"]?.lowercased() {
        case "usage": return tokens ? .usage : .other
        case "tax": return .tax
        case "credit": return .credit
        case "adjustment": return .adjustment
        default: return .other
        }
    }

    /// A quantity in tokens, when the unit is tokens or thousands or millions of them and the count is whole
    /// (called for token SKUs only).
    static func tokens(_ text: String?, unit: String?) -> Int64? {
        guard let text, let unit, let d = ExactDecimal(parsing: text), !d.isNegative else { return nil }
        var u = unit.lowercased().replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "_", with: " ")
            .trimmingCharacters(in: .whitespaces)
        // Azure writes the unit of a token meter as `1K` or `1M` (the meter's name says tokens).
        if ["1k", "1m", "1000", "1000000"].contains(u) { u += " tokens" }
        guard u.contains("token") else { return nil }
        let power: Int
        if u.hasPrefix("1000000 ") || u.hasPrefix("1m ") || u.hasPrefix("million ") { power = 6 }
        else if u.hasPrefix("1000 ") || u.hasPrefix("1k ") || u.hasPrefix("thousand ") { power = 3 }
        else if u == "tokens" || u == "token" || u.hasPrefix("1 ") { power = 0 }
        else { return nil }
        guard let v = d.scaled(byPowerOfTen: power, rounding: false), let n = Int64(exactly: v), n <= ProviderUsageRow.maxCount else {
            return nil
        }
        return n
    }

    /// `m` in another currency as US dollars at `rate` dollars per unit, to the picodollar (half to even).
    static func convert(_ m: Money, rate: ExactDecimal) -> Money {
        // rate × 10¹²: exact for rates of up to twelve decimals (more are rounded).
        let r = rate.scaled(byPowerOfTen: 12, rounding: true) ?? 0
        let product = m.picos.multipliedReportingOverflow(by: r)
        guard !product.overflow else { return Money(picos: Int128.max) }
        let scale: Int128 = 1_000_000_000_000
        var q = product.partialValue / scale
        let rem = product.partialValue % scale
        let twice = rem.magnitude * 2
        if twice > scale.magnitude || (twice == scale.magnitude && q % 2 != 0) { q += product.partialValue < 0 ? -1 : 1 }
        return Money(picos: q)
    }
}

/// The FOCUS version a header is of.
enum FocusVersion: String, Sendable {
    case v1_0 = "1.0", v1_1 = "1.1", v1_2 = "1.2", v1_3 = "1.3"

    /// The newest version whose columns the header has; a failure for a header of an earlier draft.
    static func of(header: Set<String>) -> Result<FocusVersion, RejectReason> {
        if !header.contains("chargecategory"), header.contains("chargetype") || header.contains("amortizedcost") || header.contains("usagequantity") {
            return .failure(.unsupported(
                "FOCUS version before 1.0 (columns ChargeType, AmortizedCost, UsageQuantity); this build reads FOCUS 1.0 to 1.3: export FOCUS 1.0 or later"))
        }
        if header.contains("hostprovidername") || header.contains("serviceprovidername") { return .success(.v1_3) }
        if header.contains("billingaccounttype") || header.contains("invoiceid") || header.contains("pricingcurrency") { return .success(.v1_2) }
        if header.contains("skupricedetails") || header.contains("skumeter") || header.contains("capacityreservationid") {
            return .success(.v1_1)
        }
        return .success(.v1_0)
    }
}

import LedgerValues
import Foundation
