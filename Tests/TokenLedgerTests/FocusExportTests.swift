import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// The FOCUS export of the sample traffic: columns, value rules, and money that adds up to the database.
@Suite struct FocusExportTests {
    static let week = try! Period(parsing: "2026-W42")

    static func export(_ period: Period?) throws -> (FocusQuery.Result, [FocusExport.Row], String) {
        let db = try AuditTests.shared.get().db
        let result = try FocusQuery(db: db).load(period: period)
        let rows = FocusExport.rows(result)
        return (result, rows, FocusExport.csv(rows))
    }

    /// The stored cost of the calls of a period, to the picodollar.
    static func storedCost(_ period: Period?) throws -> Money {
        let db = try AuditTests.shared.get().db
        let ids = period.map { RowID.range($0.interval(in: TimeZone(identifier: "UTC")!)) } ?? (Int64.min...Int64.max)
        return Money(picos: try db.scalarInt("SELECT sum(cost) FROM requests WHERE id BETWEEN ? AND ?",
                                             .integer(ids.lowerBound), .integer(ids.upperBound)) ?? 0)
    }

    @Test func theHeaderHasEveryMandatoryColumnInTheSpecsSpelling() throws {
        let (_, _, csv) = try Self.export(Self.week)
        let (header, rows) = try CSVDocument.rows(csv)
        for column in ["BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
                       "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost",
                       "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
                       "ServiceCategory", "ServiceName"] {
            #expect(header.contains(column), "missing \(column)")
        }
        #expect(Set(FocusExport.mandatoryColumns).isSubset(of: Set(header)))
        #expect(Set(header).count == header.count)
        // Columns that are not FOCUS's carry the x_ prefix.
        let focus: Set<String> = Set(FocusExport.mandatoryColumns + [
            "ChargeFrequency", "ServiceSubcategory", "SubAccountId", "SubAccountName", "ResourceId", "SkuId", "SkuPriceId",
            "PricingCategory", "ConsumedQuantity", "ConsumedUnit", "ListUnitPrice",
        ])
        for c in header where !focus.contains(c) { #expect(c.hasPrefix("x_"), "\(c) is not a FOCUS column") }
        #expect(rows.count > 100)
        #expect(rows.allSatisfy { $0.count == header.count })
    }

    @Test func everyRowFollowsTheValueRules() throws {
        let (_, _, csv) = try Self.export(Self.week)
        let rows = try CSVDocument.rows(csv).rows
        let dateTime = try NSRegularExpression(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
        let decimal = try NSRegularExpression(pattern: "^[0-9]+\\.[0-9]{2,12}$")
        let integer = try NSRegularExpression(pattern: "^[1-9][0-9]*$")
        func matches(_ re: NSRegularExpression, _ s: String?) -> Bool {
            guard let s else { return false }
            return re.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil
        }
        func day(_ s: String?) -> CivilDate? { s.flatMap { CivilDate(parsing: $0.prefix(10)) } }
        for row in rows {
            for c in ["BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"] {
                #expect(matches(dateTime, row[c]), "\(c) = \(row[c] ?? "nil")")
                #expect(row[c]?.hasSuffix("T00:00:00Z") == true)
            }
            let start = try #require(day(row["ChargePeriodStart"]))
            #expect(Self.week.contains(start))
            #expect(day(row["ChargePeriodEnd"]) == start.adding(days: 1))  // exclusive end
            #expect(day(row["BillingPeriodStart"]) == CivilDate(year: start.year, month: start.month, day: 1))
            let monthEnd = start.month == 12 ? CivilDate(year: start.year + 1, month: 1, day: 1)
                : CivilDate(year: start.year, month: start.month + 1, day: 1)
            #expect(day(row["BillingPeriodEnd"]) == monthEnd)
            #expect(["Usage", "Purchase", "Tax", "Credit", "Adjustment"].contains(row["ChargeCategory"] ?? ""))
            #expect(row["ChargeCategory"] == "Usage")
            #expect(row["ChargeClass"] == "")  // null: regular usage, no correction
            #expect(row["ChargeFrequency"] == "Usage-Based")
            #expect(row["ServiceCategory"] == "AI and Machine Learning")
            #expect(row["ServiceSubcategory"] == "Generative AI")
            #expect(row["BillingCurrency"] == "USD")
            #expect(row["PricingCategory"] == "Standard")
            for c in ["BillingAccountId", "ProviderName", "PublisherName", "InvoiceIssuerName", "ServiceName", "ChargeDescription", "SkuId",
                      "SkuPriceId"] {
                #expect(!(row[c] ?? "").isEmpty, "\(c) is empty")
            }
            #expect(row["PricingUnit"] == "Tokens" && row["ConsumedUnit"] == "Tokens")
            #expect(matches(integer, row["PricingQuantity"]), "PricingQuantity = \(row["PricingQuantity"] ?? "nil")")
            #expect(row["ConsumedQuantity"] == row["PricingQuantity"])
            for c in ["ListUnitPrice", "ListCost", "ContractedCost", "BilledCost", "EffectiveCost"] {
                #expect(matches(decimal, row[c]), "\(c) = \(row[c] ?? "nil")")
            }
            // Quantity × unit price = cost, exactly; billed = contracted = effective = list (no discounts).
            let quantity = try #require(Int64(row["PricingQuantity"] ?? ""))
            let unit = try #require(Money(parsing: row["ListUnitPrice"] ?? "", rounding: false))
            let list = try #require(Money(parsing: row["ListCost"] ?? "", rounding: false))
            #expect(Money(picos: unit.picos * Int128(quantity)) == list)
            #expect(row["BilledCost"] == row["ListCost"])
            #expect(row["ContractedCost"] == row["BilledCost"] && row["EffectiveCost"] == row["BilledCost"])
            #expect(BilledTokenKind(rawValue: row["x_TokenKind"] ?? "") != nil)
            #expect(row["SkuId"]?.hasSuffix(":" + (row["x_TokenKind"] ?? "")) == true)
        }
    }

    @Test func billedCostAddsUpToTheDatabaseExactly() throws {
        for period in [Self.week, Period(first: CivilDate(year: 2026, month: 10, day: 9), last: CivilDate(year: 2026, month: 10, day: 9)), nil] {
            let (result, rows, csv) = try Self.export(period)
            let stored = try Self.storedCost(period)
            #expect(rows.map(\.billedCost).sum() == stored)
            #expect(result.cost == stored)
            // And as written: the CSV's decimal strings add up to the same picodollars.
            let parsed = try CSVDocument.rows(csv).rows.map { try #require(Money(parsing: $0["BilledCost"] ?? "", rounding: false)) }
            #expect(parsed.sum() == stored)
            #expect(!rows.contains { $0.costDiffersFromBook })
        }
    }

    @Test func tokensAddUpAndUnpricedCallsAreCountedApart() throws {
        let (result, rows, _) = try Self.export(Self.week)
        let db = try AuditTests.shared.get().db
        let ids = RowID.range(Self.week.interval(in: TimeZone(identifier: "UTC")!))
        func sum(_ sql: String) throws -> Int64 {
            try db.scalarInt(sql, .integer(ids.lowerBound), .integer(ids.upperBound)) ?? 0
        }
        let input = try sum("SELECT sum(input_tokens) FROM requests WHERE id BETWEEN ? AND ? AND cost IS NOT NULL")
        let output = try sum("SELECT sum(output_tokens) FROM requests WHERE id BETWEEN ? AND ? AND cost IS NOT NULL")
        let inputKinds: Set<BilledTokenKind> = [.input, .cachedInput, .cacheWrite5m, .cacheWrite1h]
        #expect(rows.filter { inputKinds.contains($0.tokenKind) }.map(\.quantity).reduce(0, +) == input)
        #expect(rows.filter { !inputKinds.contains($0.tokenKind) }.map(\.quantity).reduce(0, +) == output)
        #expect(result.unpricedCalls == (try sum("SELECT count(*) FROM requests WHERE id BETWEEN ? AND ? AND cost IS NULL")))
        #expect(result.unpricedCalls > 0)  // the sample's fine-tuned model has no price
        #expect(FocusExport.summary(result, rows: rows).contains("unpriced call(s)"))
    }

    @Test func oneRowPerDayProviderModelKindProjectAndKey() throws {
        let (_, rows, _) = try Self.export(Self.week)
        let keys = rows.map { "\($0.chargePeriodStart)|\($0.providerName)|\($0.skuID)|\($0.subAccountID ?? "")|\($0.resourceID ?? "")|\($0.tier)|\($0.longContext)" }
        #expect(Set(keys).count == keys.count)
        #expect(rows.contains { $0.tier == .batch })
        #expect(rows.contains { $0.subAccountID != nil && $0.resourceID != nil })
        #expect(Set(rows.map(\.providerName)).isSuperset(of: ["OpenAI", "Anthropic", "Google"]))
        // Sorted by day first.
        #expect(rows.map(\.chargePeriodStart) == rows.map(\.chargePeriodStart).sorted())
    }

    /// Hand-made groups: a stale stored cost, reasoning priced apart, and names that need quoting.
    static func handMade(cost: Money) -> FocusQuery.Result {
        let entry: PriceEntry = {
            var e = PriceEntry(provider: "anthropic", model: "claude-x", effectiveFrom: CivilDate(year: 2026, month: 1, day: 1),
                               cards: [RateCardKey(.standard): RateCard(input: Rate(perMillion: "3")!, cachedInput: Rate(perMillion: "0.3")!,
                                                                        output: Rate(perMillion: "15")!, reasoning: Rate(perMillion: "20")!)])
            e.id = 7
            return e
        }()
        let usage = FocusUsage(day: CivilDate(year: 2026, month: 12, day: 31), provider: "openrouter", priceEntryID: 7, tier: .standard,
                               longContext: false, project: "team, \"alpha\"\nbeta", apiKey: "key-1", calls: 3,
                               tokens: [.input: 1_000_000, .cachedInput: 100_000, .output: 10_000, .reasoning: 5_000], cost: cost)
        return FocusQuery.Result(period: nil, usage: [usage], entries: [7: entry], unpricedCalls: 0, unpricedTokens: 0, cost: cost)
    }

    @Test func aStaleCostGoesToTheLargestRowAndStillAddsUp() throws {
        // Book value: 3.00 + 0.03 + 0.15 + 0.10 = 3.28; stored 3.50.
        let rows = FocusExport.rows(Self.handMade(cost: Money(parsing: "3.50")!))
        #expect(rows.map(\.tokenKind) == [.input, .cachedInput, .output, .reasoning])
        #expect(rows.map(\.listCost.exactString) == ["3.00", "0.03", "0.15", "0.10"])
        #expect(rows.map(\.billedCost.exactString) == ["3.22", "0.03", "0.15", "0.10"])
        #expect(rows.map(\.billedCost).sum() == Money(parsing: "3.50")!)
        #expect(rows.allSatisfy { $0.costDiffersFromBook })
        let exact = FocusExport.rows(Self.handMade(cost: Money(parsing: "3.28")!))
        #expect(exact.map(\.billedCost) == exact.map(\.listCost))
        #expect(!exact.contains { $0.costDiffersFromBook })
    }

    @Test func namesAreQuotedAndTheYearEndRollsOver() throws {
        let rows = FocusExport.rows(Self.handMade(cost: Money(parsing: "3.28")!), options: .init(billingAccountID: "org,1"))
        let csv = FocusExport.csv(rows)
        #expect(csv.contains("\"team, \"\"alpha\"\"\nbeta\""))
        #expect(csv.hasPrefix("BillingAccountId,"))
        let parsed = try CSVDocument.rows(csv).rows
        #expect(parsed.count == 4)
        let first = try #require(parsed.first)
        #expect(first["SubAccountId"] == "team, \"alpha\"\nbeta")
        #expect(first["BillingAccountId"] == "org,1")
        #expect(first["ProviderName"] == "OpenRouter" && first["PublisherName"] == "Anthropic" && first["InvoiceIssuerName"] == "OpenRouter")
        #expect(first["ServiceName"] == "OpenRouter")
        #expect(first["ChargePeriodStart"] == "2026-12-31T00:00:00Z" && first["ChargePeriodEnd"] == "2027-01-01T00:00:00Z")
        #expect(first["BillingPeriodStart"] == "2026-12-01T00:00:00Z" && first["BillingPeriodEnd"] == "2027-01-01T00:00:00Z")
        #expect(first["ListUnitPrice"] == "0.000003")
        #expect(first["SkuPriceId"] == "claude-x:input:standard:2026-01-01")
        #expect(parsed.last?["ListUnitPrice"] == "0.00002")
    }
}

/// Charges beyond text tokens are FOCUS rows of their own: audio tokens, tool uses, the multiplier uplift;
/// the rows still add up to the stored cost exactly, at list price.
@Suite struct FocusExtrasTests {
    @Test func toolUsesAudioAndUpliftAreRowsOfTheirOwn() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = PricingFixtures.packageRoot.appendingPathComponent("fixtures/exactness/pricing-paths-extras.jsonl").path
        _ = try Importer(database: db, prices: try PriceStore(db: db).loadBook()).run(paths: [file])
        let result = try FocusQuery(db: db).load(period: nil)
        let rows = FocusExport.rows(result)
        #expect(rows.map(\.billedCost).sum() == ProviderFixtures.usd("0.786865"))
        #expect(rows.allSatisfy { $0.billedCost == $0.listCost && !$0.costDiffersFromBook })
        func row(_ sku: String) -> FocusExport.Row? { rows.first { $0.skuID == sku } }
        // pe-001 (Opus 4.6, fast and US-only): 3 web searches at $0.01; tokens $0.10 and their uplift
        // 0.10 × 6 × 1.1 − 0.10 = $0.56.
        let search = try #require(row("claude-opus-4-6:tool:web_search"))
        #expect(search.quantity == 3 && search.unit == "Requests" && search.listCost == ProviderFixtures.usd("0.03"))
        #expect(search.listUnitPrice == ProviderFixtures.usd("0.01"))
        let uplift = try #require(row("claude-opus-4-6:uplift"))
        #expect(uplift.listCost == ProviderFixtures.usd("0.56") && uplift.tokenKind == .uplift)
        // pe-002/003 (Gemini 2.5 Flash audio): 4,000 audio input tokens at $1.00 (standard) and $0.50 (batch).
        let audio = rows.filter { $0.skuID == "gemini-2.5-flash:audio_input" }
        #expect(audio.map(\.quantity) == [4_000, 4_000])
        #expect(Set(audio.map(\.listCost)) == [ProviderFixtures.usd("0.004"), ProviderFixtures.usd("0.002")])
        // The text input of each call (standard and batch rows): 10,000 − 4,000 audio.
        #expect(rows.filter { $0.skuID == "gemini-2.5-flash:input" }.map(\.quantity) == [6_000, 6_000])
        let csv = FocusExport.csv(rows)
        #expect(csv.contains(",Requests,3,Requests,"))
    }
}
