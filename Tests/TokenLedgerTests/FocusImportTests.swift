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

@Suite struct CloudFormatDetectionTests {
    @Test(arguments: [
        ("bedrock-invocation-2026-01-05.jsonl", "bedrock-invocation-log"),
        ("aws-focus-1.0-2026-01-05.csv", "focus"),
        ("aws-focus-1.0-2026-01-05.csv.gz", "focus"),
        ("azure-focus-1.0-2026-01-05.csv", "focus"),
        ("google-focus-2026-01-05.csv", "focus"),
        ("focus-spec/csp_served_third_party_model.csv", "focus"),
        ("focus-spec/ai_prompt_caching_a.csv", "focus"),
    ])
    func detectsEachCloudFormat(file: String, format: String) throws {
        #expect(try CloudFixtures.detected(file) == format)
    }

    @Test func existingFixturesAreNotClaimedByTheCloudFormats() throws {
        for file in ProviderFixtures.scenario {
            let sample = InputSample(bytes: Array(try ProviderFixtures.bytes(file).prefix(64 * 1024)), name: file)
            #expect(BedrockInvocationLogImporter.detect(sample) == 0, "\(file)")
            #expect(FocusCostImporter.detect(sample) == 0, "\(file)")
        }
    }
}

@Suite struct FocusImportTests {
    @Test func awsKeepsBedrockModelLinesAndSaysWhatItSkipped() throws {
        let items = try CloudFixtures.items(FocusCostImporter.self, file: "aws-focus-1.0-2026-01-05.csv")
        #expect(ProviderFixtures.rejects(items).isEmpty)
        let costs = ProviderFixtures.costs(items)
        #expect(costs.count == 7)
        #expect(costs.allSatisfy { $0.provider == "bedrock" && $0.export == .focus && $0.currency == "USD" })
        #expect(costs.map(\.tokenKind) == [.uncachedInput, .cachedInput, .cacheWrite5m, .output, .uncachedInput, .output, nil])
        #expect(costs.map(\.quantityTokens) == [5_200, 10_000, 2_000, 1_400, 5_000, 1_000, nil])
        #expect(costs.map(\.category) == [.usage, .usage, .usage, .usage, .usage, .usage, .tax])
        #expect(costs[0].model == "Claude Sonnet 4.5" && costs[4].model == "Claude Haiku 4.5")
        #expect(costs[0].amount == usd("0.0156") && costs[0].listAmount == usd("0.0156"))
        #expect(costs[0].bucketStart == instant("2026-01-05T00:00:00Z") && costs[0].widthMilliseconds == 86_400_000)
        #expect(costs[0].project == "444455556666")
        let cloud = try #require(costs[0].cloud)
        #expect(cloud.serviceName == "Claude Sonnet 4.5 (Amazon Bedrock Edition)")
        #expect(cloud.skuID == "8WQ5JYQ8X2NRD8QG")
        #expect(cloud.contracted == usd("0.0156") && cloud.effective == usd("0.0156"))
        let extra = try JSONValue.parse(try #require(cloud.extra))
        #expect(extra["x_UsageType"]?.string == "USE1-MP:USE1_InputTokenCount-Units")
        #expect(extra["tokenledger_focus_version"]?.string == "1.0")
        // Guardrails (no model, no tokens), a SageMaker notebook ("AI and Machine Learning") and EC2.
        let skipped = CloudFixtures.skipped(items)
        #expect(skipped.map(\.line) == [9, 10, 11])
        #expect(skipped[0].why.hasPrefix("bedrock line(s) whose SKU is not a model's"))
        #expect(skipped[1].why == "line(s) of services that are not AI model services")
        #expect(skipped[2].why == skipped[1].why)
    }

    @Test func anEDPDiscountIsBilledAndListedApart() throws {
        let costs = ProviderFixtures.costs(try CloudFixtures.items(FocusCostImporter.self, file: "aws-focus-1.0-2026-01-05-edp.csv"))
        #expect(costs[0].amount == usd("0.01404"))
        #expect(costs[0].listAmount == usd("0.0156"))
        #expect(costs[0].cloud?.contracted == usd("0.01404") && costs[0].cloud?.effective == usd("0.01404"))
    }

    @Test func azureOpenAIMetersNameTheModelAndTheirUnitIsThousandsOfTokens() throws {
        let items = try CloudFixtures.items(FocusCostImporter.self, file: "azure-focus-1.0-2026-01-05.csv")
        let costs = ProviderFixtures.costs(items)
        #expect(costs.map(\.provider) == ["azure", "azure", "azure"])
        #expect(costs.map(\.model) == ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"])
        #expect(costs.map(\.tokenKind) == [.uncachedInput, .cachedInput, .output])
        #expect(costs.map(\.quantityTokens) == [4_000, 10_000, 2_000])
        #expect(costs.map(\.inferenceGeo) == ["global", "global", "global"])
        // A Machine Learning workspace's disk and VM are "AI and Machine Learning" but infrastructure.
        #expect(CloudFixtures.skipped(items).map(\.line) == [5, 6])
    }

    @Test func vertexAIGeminiLinesAreKeptAndAWorkbenchIsNot() throws {
        let items = try CloudFixtures.items(FocusCostImporter.self, file: "google-focus-2026-01-05.csv")
        let costs = ProviderFixtures.costs(items)
        #expect(costs.map(\.provider) == ["vertex_ai", "vertex_ai"])
        #expect(costs.map(\.model) == ["Gemini 2.5 Flash", "Gemini 2.5 Flash"])
        #expect(costs.map(\.tokenKind) == [.uncachedInput, .output])
        // ConsumedUnit `count` says nothing; PricingQuantity 0.01 of `1000000 Tokens` does.
        #expect(costs.map(\.quantityTokens) == [10_000, 5_000])
        #expect(costs[0].widthMilliseconds == 3_600_000)
        let skipped = CloudFixtures.skipped(items)
        #expect(skipped.map(\.line) == [4, 5])
        #expect(skipped[0].why.hasPrefix("vertex_ai line(s) whose SKU is not a model's"))
    }

    @Test func theSpecificationsSamplesGiveModelIdentityAndCacheActions() throws {
        let caching = ProviderFixtures.costs(try CloudFixtures.items(FocusCostImporter.self, file: "focus-spec/ai_prompt_caching_a.csv"))
        #expect(caching.map(\.tokenKind) == [.uncachedInput, .cacheWrite5m, .cachedInput, .output])
        #expect(caching.allSatisfy { $0.model == "solora-reasoning-pro" && $0.provider == "solora ai" })
        #expect(caching.map(\.quantityTokens) == [500_000, 2_000_000, 8_000_000, 1_500_000])
        #expect(caching.map(\.amount).sum() == usd("33.9"))
        let hosted = ProviderFixtures.costs(try CloudFixtures.items(FocusCostImporter.self, file: "focus-spec/csp_served_third_party_model.csv"))
        #expect(hosted.map(\.model) == ["aura-web.solora-jupiter-5", "aura-web.solora-jupiter-5"])
        #expect(hosted.first?.bucketStart == instant("2025-05-01T00:00:00Z"))
        let extra = try JSONValue.parse(try #require(hosted.first?.cloud?.extra))
        #expect(extra["tokenledger_focus_version"]?.string == "1.3")
    }
}

@Suite struct FocusBadInputTests {
    @Test func aDraftBeforeFOCUS10IsRefusedOnEveryRow() throws {
        let rejects = ProviderFixtures.rejects(try CloudFixtures.items(FocusCostImporter.self, file: "bad/focus-0.5-draft.csv"))
        #expect(rejects.map(\.line) == [2])
        #expect(rejects[0].reason.code == "unsupported")
        #expect(rejects[0].reason.description.contains("FOCUS version before 1.0"))
    }

    @Test func aMissingMandatoryColumnIsNamed() throws {
        let rejects = ProviderFixtures.rejects(try CloudFixtures.items(FocusCostImporter.self, file: "bad/aws-focus-no-currency.csv"))
        #expect(rejects.map(\.line) == [2])
        #expect(rejects[0].reason.description.contains("BillingCurrency (mandatory in FOCUS 1.0; no such column in the header)"))
    }

    @Test func anotherCurrencyIsRefusedWithoutARate() throws {
        let items = try CloudFixtures.items(FocusCostImporter.self, file: "bad/azure-focus-eur.csv")
        #expect(ProviderFixtures.costs(items).count == 1)
        let rejects = ProviderFixtures.rejects(items)
        #expect(rejects.map(\.line) == [3])
        #expect(rejects[0].reason.description.contains("BillingCurrency `EUR`"))
        #expect(rejects[0].reason.description.contains("--currency-rate EUR=RATE"))
    }

    @Test func anotherCurrencyIsConvertedExactlyWithARate() throws {
        let items = try CloudFixtures.items(FocusCostImporter.self, file: "bad/azure-focus-eur.csv",
                                            settings: ImporterSettings(currencyRates: ["EUR": "1.0909"]))
        #expect(ProviderFixtures.rejects(items).isEmpty)
        let euro = try #require(ProviderFixtures.costs(items).last)
        // 0.00055 EUR × 1.0909 USD/EUR = 0.000599995 USD, exact.
        #expect(euro.amount == usd("0.000599995") && euro.currency == "USD")
        #expect(euro.amountText == "0.00055")
        let extra = try JSONValue.parse(try #require(euro.cloud?.extra))
        #expect(extra["BillingCurrency"]?.string == "EUR" && extra["tokenledger_usd_per_unit"]?.string == "1.0909")
    }

    @Test func conversionRoundsHalfToEvenAtThePicodollar() {
        let half = ExactDecimal(parsing: "0.5")!
        #expect(FocusCostImporter.convert(Money(picos: Int64(1)), rate: half) == Money(picos: Int64(0)))
        #expect(FocusCostImporter.convert(Money(picos: Int64(3)), rate: half) == Money(picos: Int64(2)))
        #expect(FocusCostImporter.convert(Money(picos: Int64(-3)), rate: half) == Money(picos: Int64(-2)))
    }

    @Test func badRatesAreRefused() throws {
        #expect(throws: InputError.self) { try ImporterSettings.parseCurrencyRates("EUR=abc") }
        #expect(throws: InputError.self) { try ImporterSettings.parseCurrencyRates("EURO=1.1") }
        #expect(throws: InputError.self) { try ImporterSettings.parseCurrencyRates("EUR=-1") }
        #expect(try ImporterSettings.parseCurrencyRates("eur=1.08, GBP=1.27") == ["EUR": "1.08", "GBP": "1.27"])
    }
}

/// The import summary and the schema of cloud bills' lines.
@Suite struct FocusStorageTests {
    @Test func theImportSummarySaysWhatWasSkippedAndWhy() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try CloudFixtures.importFiles(["azure-focus-1.0-2026-01-05.csv"], into: db)
        let text = ImportSummaryReport.text(summary, seconds: 0)
        #expect(text.contains("kept 3 row(s), skipped 2 that are not model usage:"))
        #expect(text.contains("2 line(s) of services that are not AI model services"))
        let json = try JSONValue.parse(ImportSummaryReport.json(summary, seconds: 0))
        #expect(json["files"]?.array?.first?["skipped"]?.int64 == 2)
    }

    @Test func aVersion5DatabaseGainsTheCloudColumns() throws {
        let (db, dir) = try ProviderFixtures.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ProviderFixtures.importFiles(["openai/costs-2026-01.jsonl"], into: db)
        let rows = try db.scalarInt("SELECT count(*) FROM provider_costs")
        try db.execute("DROP VIEW v_provider_costs")
        for column in ["contracted_amount", "effective_amount", "service_name", "sku_id", "sku_price_details", "cloud_extra"] {
            try db.execute("ALTER TABLE provider_costs DROP COLUMN \(column)")
        }
        try db.execute(Schema.providerCostsView(cloud: false))
        try db.execute("PRAGMA user_version = 5")
        let path = db.path
        let reopened = try Database(path: path)
        #expect(try reopened.scalarInt("PRAGMA user_version") == Schema.currentVersion)
        #expect(try reopened.scalarInt("SELECT count(*) FROM provider_costs WHERE sku_id IS NULL AND contracted_amount IS NULL") == rows)
        #expect(try reopened.scalarInt("SELECT count(*) FROM v_provider_costs WHERE effective_amount_usd IS NULL") == rows)
    }
}

/// The names a cloud gives a model's SKU, read as the model.
@Suite struct FocusModelNameTests {
    @Test func bedrockUsageTypesOfTokensNameFirstPartyModels() {
        #expect(FocusModelService.bedrockModel(usageType: "USE1-NovaPro-input-tokens") == "NovaPro")
        #expect(FocusModelService.bedrockModel(usageType: "USW2-Llama3-3-70B-output-tokens") == "Llama3-3-70B")
        #expect(FocusModelService.bedrockModel(usageType: "USE1-MP:USE1_InputTokenCount-Units") == nil)
        #expect(FocusModelService.bedrockModel(usageType: "USE1-ContentPolicyUnitsConsumed") == nil)
    }

    @Test func azureMetersLoseDeploymentKindAndVersionDate() {
        #expect(FocusModelService.azureModel(meter: "gpt-4o-mini-0718-Inp-glbl Tokens") == "gpt-4o-mini")
        #expect(FocusModelService.azureModel(meter: "gpt 4.1 mini cached Inp glbl") == "gpt-4.1-mini")
        #expect(FocusModelService.azureModel(meter: "gpt 4o 0513 Input global Tokens") == "gpt-4o")
        #expect(FocusModelService.azureModel(meter: "GPT 5 Inpt Glbl") == "gpt-5")
        #expect(FocusModelService.azureModel(meter: "o3 0416 Outp DZone") == "o3")
        #expect(FocusModelService.azureGeography("o3 0416 Outp DZone") == "datazone")
        #expect(FocusModelService.azureGeography("gpt-4o-0806-Outp-regnl Tokens") == "regional")
    }

    @Test func googleDescriptionsNameTheModelBeforeTheTokenWords() {
        #expect(FocusModelService.googleModel(description: "Gemini 2.5 Pro Text Input - Predictions") == "Gemini 2.5 Pro")
        #expect(FocusModelService.googleModel(description: "Claude Sonnet 4.5 Output Tokens") == "Claude Sonnet 4.5")
        #expect(FocusModelService.googleModel(description: "Vertex AI Workbench Instance: Core running in Americas") == nil)
    }

    @Test func tokenKindsFromTheSkusNames() {
        #expect(FocusModelService.tokenKind(["use1-mp:use1_cachereadinputtokencount-units"]) == .cachedInput)
        #expect(FocusModelService.tokenKind(["use1-claude-cache-write-input-token-count"]) == .cacheWrite5m)
        #expect(FocusModelService.tokenKind(["use1-mp:use1_outputtokencount_global-units"]) == .output)
        #expect(FocusModelService.tokenKind(["gpt-4o-mini-0718-inp-glbl tokens"]) == .uncachedInput)
        #expect(FocusModelService.tokenKind(["d4s v5"]) == nil)
    }
}
