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

@Suite struct ProviderFormatDetectionTests {
    @Test(arguments: [
        ("openai/usage-2026-01-01-download-1.json", "openai-usage"),
        ("openai/usage-2026-01-02-download-2.json", "openai-usage"),
        ("openai/costs-2026-01.jsonl", "openai-costs"),
        ("openai/usage-dashboard-2025-10.csv", "openai-usage-csv"),
        ("openai/costs-dashboard-2025-10.csv", "openai-costs-csv"),
        ("anthropic/usage-report-2026-01.json", "anthropic-usage"),
        ("anthropic/cost-report-2026-01.json", "anthropic-costs"),
        ("anthropic/console-usage-2026-01-05.csv", "anthropic-usage-csv"),
        ("anthropic/console-cost-2026-01-05.csv", "anthropic-costs-csv"),
        ("openrouter/activity-2026-01-01.csv", "openrouter-activity-csv"),
        ("openrouter/generations-2026-01-01.jsonl", "openrouter-generations"),
        ("routing-log.jsonl", "routing-log"),
    ])
    func detectsEachFormatFromItsContent(file: String, format: String) throws {
        #expect(try ProviderFixtures.detected(file) == format)
    }

    @Test func routingLogLinesAreNotClaimedByProviderFormats() {
        let line = #"{"request_id":"r1","timestamp":"2026-01-01T10:00:00Z","model":"gpt-4.1-mini","input_tokens":1200,"output_tokens":80,"cost_usd":0.0016,"project":"p","api_key_id":"k"}"#
        let sample = InputSample(bytes: Array(line.utf8), name: "log.jsonl")
        for format in ImportFormats.all where format.formatName != RoutingLogImporter.formatName {
            #expect(format.detect(sample) < RoutingLogImporter.detect(sample), "\(format.formatName)")
        }
        #expect(ImportFormats.detect(sample)?.formatName == "routing-log")
    }

    @Test func aCostReportNamingUncachedTokensIsNotAUsageReport() {
        let text = #"{"data":[{"starting_at":"2026-01-01T00:00:00Z","ending_at":"2026-01-02T00:00:00Z","results":[{"amount":"1.5","currency":"USD","token_type":"uncached_input_tokens"}]}]}"#
        #expect(ImportFormats.detect(InputSample(bytes: Array(text.utf8), name: "x.json"))?.formatName == "anthropic-costs")
    }

    @Test func everyFormatIsRegisteredOnce() {
        let names = ImportFormats.all.map { $0.formatName }
        #expect(Set(names).count == names.count)
        for n in ["openai-usage", "openai-costs", "openai-usage-csv", "openai-costs-csv", "anthropic-usage", "anthropic-costs",
                  "anthropic-usage-csv", "anthropic-costs-csv", "openrouter-activity-csv", "openrouter-generations"] {
            #expect(ImportFormats.named(n) != nil, "\(n)")
        }
    }
}

@Suite struct OpenAIExportImportTests {
    @Test func usagePageNormalisesTokensToOurConvention() throws {
        let items = try ProviderFixtures.items(OpenAIUsageImporter.self, file: "openai/usage-2026-01-01-download-1.json")
        let rows = ProviderFixtures.usage(items)
        #expect(ProviderFixtures.rejects(items).isEmpty)
        #expect(rows.count == 3)
        let first = try #require(rows.first)
        #expect(first.provider == "openai")
        #expect(first.bucketStart == Timestamp(seconds: 1_767_225_600))
        #expect(first.widthMilliseconds == 86_400_000)
        #expect(first.model == "gpt-4.1-mini-2025-04-14")
        #expect(first.project == "proj_demo1")
        #expect(first.apiKey == "key_demo1")
        #expect(first.user == nil)
        #expect(first.batch == false)
        #expect(first.serviceTier == "default")
        #expect(first.requests == 100)
        #expect(first.inputTokens == 10_000_000)
        #expect(first.cachedInputTokens == 4_000_000)
        #expect(first.uncachedInputTokens == 6_000_000)
        #expect(first.outputTokens == 1_000_000)
    }

    @Test func anArrayOfPagesIsRead() throws {
        let rows = ProviderFixtures.usage(try ProviderFixtures.items(OpenAIUsageImporter.self, file: "openai/usage-2026-01-02-download-2.json"))
        #expect(rows.map(\.requests) == [60, 20, 30, 22])
        #expect(rows.map { $0.bucketStart.utcDay.description } == ["2026-01-02", "2026-01-02", "2026-01-03", "2026-01-04"])
    }

    @Test func jsonLinesOfCostPagesAreReadExactly() throws {
        let items = try ProviderFixtures.items(OpenAICostsImporter.self, file: "openai/costs-2026-01.jsonl")
        let rows = ProviderFixtures.costs(items)
        #expect(ProviderFixtures.rejects(items).isEmpty)
        #expect(rows.count == 11)
        let output = try #require(rows.last)
        // A float printer's 0.35200000000000004 is kept as text and rounds half to even at the picodollar.
        #expect(output.amountText == "0.35200000000000004")
        #expect(output.amount == ProviderFixtures.usd("0.352"))
        #expect(output.model == "gpt-4.1-mini-2025-04-14")
        #expect(output.tokenKind == .output)
        #expect(output.quantityTokens == 220_000)
        #expect(rows.map(\.tokenKind).prefix(3) == [.uncachedInput, .cachedInput, .output])
        #expect(rows.map(\.amount).sum() == ProviderFixtures.usd("12.272"))
    }

    @Test func dashboardUsageCSVReadsItsQuirks() throws {
        let items = try ProviderFixtures.items(OpenAIUsageCSVImporter.self, file: "openai/usage-dashboard-2025-10.csv")
        #expect(ProviderFixtures.rejects(items).isEmpty)
        let rows = ProviderFixtures.usage(items)
        // The empty bucket of 2025-10-07 and the blank line are skipped.
        #expect(rows.count == 4)
        #expect(rows[0].requests == 12)  // written 12.0
        #expect(rows[0].inputTokens == 61_400)
        #expect(rows[0].cachedInputTokens == 4_096)
        #expect(rows[0].batch == false)  // written FALSE
        #expect(rows[2].batch == true)
        #expect(rows[3].serviceTier == "flex")
        #expect(rows.map { $0.bucketStart.utcDay.description } == ["2025-10-05", "2025-10-06", "2025-10-06", "2025-10-08"])
    }

    @Test func dashboardCostCSVKeepsSixteenDecimalsAsText() throws {
        let rows = ProviderFixtures.costs(try ProviderFixtures.items(OpenAICostsCSVImporter.self, file: "openai/costs-dashboard-2025-10.csv"))
        #expect(rows.count == 3)
        #expect(rows[0].amountText == "0.1830175000000000")
        #expect(rows[0].amount.picos == 183_017_500_000)
        #expect(rows[1].amountText == "0.5617712512345678")
        #expect(rows[1].amount.picos == 561_771_251_235)  // 0.561771251234|5678 rounds half to even
        #expect(rows[2].amount.picos == 585_113_250_000)
        #expect(rows.allSatisfy { $0.category == .usage && $0.model == nil && $0.lineItem == nil })
    }

    @Test func olderUsageResultsCountAudioApart() throws {
        let text = #"{"object":"page","data":[{"start_time":1767225600,"end_time":1767312000,"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"input_cached_tokens":200,"output_tokens":50,"input_audio_tokens":30,"output_audio_tokens":5,"num_model_requests":3}]}]}"#
        let row = try #require(ProviderFixtures.usage(try ProviderFixtures.items(OpenAIUsageImporter.self, text: text)).first)
        #expect(row.inputTokens == 1_030)
        #expect(row.cachedInputTokens == 200)
        #expect(row.outputTokens == 55)
        #expect(row.model == nil && row.project == nil && row.batch == nil)
    }

    @Test func lineItemsNameModelKindAndCategory() {
        #expect(OpenAILineItem.parse("gpt-4.1-mini-2025-04-14, cached input")
            == .init(model: "gpt-4.1-mini-2025-04-14", kind: .cachedInput, batch: false, category: .usage))
        #expect(OpenAILineItem.parse("gpt-4o-2024-08-06, batch output")
            == .init(model: "gpt-4o-2024-08-06", kind: .output, batch: true, category: .usage))
        #expect(OpenAILineItem.parse(nil) == .init(model: nil, kind: nil, batch: false, category: .usage))
        #expect(OpenAILineItem.parse("Sales tax").category == .tax)
        #expect(OpenAILineItem.parse("Promotional credit").category == .credit)
        #expect(OpenAILineItem.parse("Web search tool calls").category == .tool)
        #expect(OpenAILineItem.parse("Fine-tuning training").category == .other)
    }
}

@Suite struct AnthropicExportImportTests {
    @Test func usageReportAddsDisjointKindsIntoInput() throws {
        let items = try ProviderFixtures.items(AnthropicUsageReportImporter.self, file: "anthropic/usage-report-2026-01.json")
        #expect(ProviderFixtures.rejects(items).isEmpty)
        let rows = ProviderFixtures.usage(items)
        #expect(rows.count == 2)
        let r = rows[0]
        #expect(r.requests == nil)
        #expect(r.uncachedInputTokens == 1_500_000)
        #expect(r.cacheWrite5mTokens == 200_000)
        #expect(r.cachedInputTokens == 4_000_000)
        #expect(r.inputTokens == 5_700_000)
        #expect(r.outputTokens == 80_000)
        #expect(r.webSearchRequests == 2)
        #expect(r.apiKey == "apikey_01Demo" && r.project == "wrkspc_01Demo")
        #expect(r.contextWindow == "0-200k")
        #expect(rows[1].batch == true)
    }

    @Test func costReportReadsCentsStringsExactly() throws {
        let items = try ProviderFixtures.items(AnthropicCostReportImporter.self, file: "anthropic/cost-report-2026-01.json")
        #expect(ProviderFixtures.rejects(items).isEmpty)
        let rows = ProviderFixtures.costs(items)
        #expect(rows.count == 7)
        #expect(rows[0].amountText == "450.00")
        #expect(rows[0].amount == ProviderFixtures.usd("4.50"))
        #expect(rows[0].tokenKind == .uncachedInput)
        #expect(rows[1].tokenKind == .cacheWrite5m)
        #expect(rows[2].amountText == "120.0000000000001")
        #expect(rows[2].amount.picos == 1_200_000_000_000)
        #expect(rows[2].tokenKind == .cachedInput)
        #expect(rows[4].category == .tool && rows[4].amount == ProviderFixtures.usd("0.02") && rows[4].model == nil)
        #expect(rows[5].serviceTier == "batch")
        #expect(rows.filter { $0.category == .usage }.map(\.amount).sum() == ProviderFixtures.usd("11.55"))
    }

    @Test func consoleCSVsGiveNamesAndDollars() throws {
        let usage = ProviderFixtures.usage(try ProviderFixtures.items(AnthropicConsoleUsageCSVImporter.self, file: "anthropic/console-usage-2026-01-05.csv"))
        #expect(usage.count == 2)
        #expect(usage.allSatisfy { $0.export == .console && $0.requests == nil && $0.apiKey == "demo-key" && $0.project == "Default" })
        #expect(usage[0].inputTokens == 573_000)
        #expect(usage[1].uncachedInputTokens == 1_000_000)  // written "1,000,000"
        #expect(usage[1].batch == true)
        #expect(!Reconciliation.isLongContext(usage[0].contextWindow))  // "≤ 200k"
        let costs = ProviderFixtures.costs(try ProviderFixtures.items(AnthropicConsoleCostCSVImporter.self, file: "anthropic/console-cost-2026-01-05.csv"))
        #expect(costs.count == 7)
        #expect(costs[0].model == "Claude Sonnet 4.5")
        #expect(costs[0].apiKey == "apikey_01Demo")
        #expect(costs.map(\.tokenKind) == [.uncachedInput, .cacheWrite5m, .cachedInput, .output, .uncachedInput, .output, nil])
        #expect(costs[1].amount == ProviderFixtures.usd("0.01125"))
        #expect(costs[4].listAmount == ProviderFixtures.usd("1.0"))
        #expect(costs[6].category == .tool)
        #expect(PriceBook.empty.comparisonKey(for: "Claude Sonnet 4.5") == "claude-sonnet-4-5")
    }
}

@Suite struct OpenRouterExportImportTests {
    @Test func activityCSVGivesOneRequestAndItsCostPerGeneration() throws {
        let items = try ProviderFixtures.items(OpenRouterActivityCSVImporter.self, file: "openrouter/activity-2026-01-01.csv")
        #expect(ProviderFixtures.rejects(items).isEmpty)
        let usage = ProviderFixtures.usage(items), costs = ProviderFixtures.costs(items)
        #expect(usage.count == 2 && costs.count == 2)
        #expect(usage[0].recordID == "gen-demoA")
        #expect(usage[0].bucketStart == instant("2026-01-01T10:15:02.123Z"))
        #expect(usage[0].inputTokens == 5_200 && usage[0].cachedInputTokens == 4_000 && usage[0].outputTokens == 310)
        #expect(usage[0].apiKey == "ci-key")
        #expect(costs[0].amount == ProviderFixtures.usd("0.00688"))
        #expect(costs[0].naturalKey == ProviderFixtures.costs(try ProviderFixtures.items(
            OpenRouterGenerationImporter.self, file: "openrouter/generations-2026-01-01.jsonl"))[0].naturalKey)
    }

    @Test func generationsReadNativeTokens() throws {
        let items = try ProviderFixtures.items(OpenRouterGenerationImporter.self, file: "openrouter/generations-2026-01-01.jsonl")
        let usage = ProviderFixtures.usage(items)
        #expect(usage.map(\.recordID) == ["gen-demoA", "gen-demoC"])
        #expect(usage[0].inputTokens == 5_200)  // native, not the normalised 5,180
        #expect(usage[1].outputTokens == 100)
        #expect(ProviderFixtures.costs(items).map(\.amount) == [ProviderFixtures.usd("0.00688"), ProviderFixtures.usd("0.0048")])
    }

    @Test func webSearchCostBecomesAToolLine() throws {
        let csv = """
            generation_id,created_at,cost_total,cost_web_search,cost_file_processing,tokens_prompt,tokens_completion,tokens_cached,model_permaslug
            gen-x,2026-01-01 10:00:00,0.0300,0.0200,0,1000,100,0,openai/gpt-4.1
            """
        let costs = ProviderFixtures.costs(try ProviderFixtures.items(OpenRouterActivityCSVImporter.self, text: csv))
        #expect(costs.map(\.category) == [.usage, .tool])
        #expect(costs.map(\.amount) == [ProviderFixtures.usd("0.01"), ProviderFixtures.usd("0.02")])
    }
}

@Suite struct ProviderRejectTests {
    @Test func badResultsAreRejectedAloneWithTheirLine() throws {
        let text = """
            {"object":"page","data":[{"start_time":1767225600,"end_time":1767312000,"results":[
            {"object":"organization.usage.completions.result","input_tokens":100,"output_tokens":5,"num_model_requests":1},
            {"object":"organization.usage.completions.result","input_tokens":-1,"output_tokens":5,"num_model_requests":1},
            {"object":"organization.usage.completions.result","input_tokens":10,"input_cached_tokens":20,"output_tokens":5,"num_model_requests":1},
            {"object":"organization.usage.completions.result","input_tokens":"ten","output_tokens":5,"num_model_requests":1},
            {"object":"organization.usage.images.result","images":2,"num_model_requests":1}
            ]}]}
            """
        let items = try ProviderFixtures.items(OpenAIUsageImporter.self, text: text)
        #expect(ProviderFixtures.usage(items).count == 1)
        let rejects = ProviderFixtures.rejects(items)
        #expect(rejects.map(\.line) == [3, 4, 5, 6])
        #expect(rejects.map(\.reason.code) == ["negative_tokens", "cached_exceeds_input", "wrong_type", "unsupported"])
    }

    @Test func aBrokenLineOfJSONLinesLosesOnlyItself() throws {
        let text = """
            {"object":"page","data":[{"start_time":1767225600,"end_time":1767312000,"results":[{"amount":{"value":1.5,"currency":"usd"},"line_item":"gpt-4o, input"}]}]}
            {"object":"page","data":[{"start_time":1767312000,"end_time":1767398400,"results":[{"amount":{"value":
            {"object":"page","data":[{"start_time":1767398400,"end_time":1767484800,"results":[{"amount":{"value":"2.25","currency":"usd"},"line_item":"gpt-4o, output"}]}]}
            """
        let items = try ProviderFixtures.items(OpenAICostsImporter.self, text: text)
        #expect(ProviderFixtures.costs(items).map(\.amount) == [ProviderFixtures.usd("1.5"), ProviderFixtures.usd("2.25")])
        #expect(ProviderFixtures.rejects(items).map(\.line) == [2])
        #expect(ProviderFixtures.rejects(items).first?.reason.code == "malformed_json")
    }

    @Test func otherCurrenciesAndMissingTimesAreRejected() throws {
        let text = """
            [{"data":[{"start_time":1767225600,"results":[{"amount":{"value":1,"currency":"eur"},"line_item":"gpt-4o, input"}]}]},
             {"data":[{"results":[{"amount":{"value":1,"currency":"usd"},"line_item":"gpt-4o, input"}]}]}]
            """
        let rejects = ProviderFixtures.rejects(try ProviderFixtures.items(OpenAICostsImporter.self, text: text))
        #expect(rejects.map(\.reason.code) == ["unsupported", "missing_field"])
    }

    @Test func aDocumentThatIsNotAPageIsRejected() throws {
        let rejects = ProviderFixtures.rejects(try ProviderFixtures.items(AnthropicUsageReportImporter.self, text: #"{"error":{"type":"not_found"}}"#))
        #expect(rejects.count == 1)
        #expect(rejects.first?.reason.code == "missing_field")
    }

    @Test func aCSVWithoutItsColumnsRejectsEveryRow() throws {
        let csv = "start_time,end_time,amount_currency\n1767225600,1767312000,usd\n"
        let rejects = ProviderFixtures.rejects(try ProviderFixtures.items(OpenAICostsCSVImporter.self, text: csv))
        // Every row, not the header: it is not a row.
        #expect(rejects.map(\.line) == [2])
        #expect(rejects.allSatisfy { $0.reason.code == "missing_field" })
    }

    @Test func garbageNeverCrashes() throws {
        let inputs = ["", "{", "[", "[[[[[[[[[[", "{\"data\":[{\"results\":[1,2,3]}]}", "{\"data\":{\"id\":5}}", "\u{0}\u{1}",
                      "{\"data\":[{\"starting_at\":\"2026-13-45\",\"results\":[{}]}]}", "null\nnull", String(repeating: "[", count: 500)]
        for text in inputs {
            _ = try ProviderFixtures.items(OpenAIUsageImporter.self, text: text)
            _ = try ProviderFixtures.items(AnthropicCostReportImporter.self, text: text)
            _ = try ProviderFixtures.items(OpenRouterGenerationImporter.self, text: text)
            _ = try ProviderFixtures.items(OpenAIUsageCSVImporter.self, text: text)
        }
    }
}

@Suite struct ProviderMoneyParsingTests {
    @Test func centsStringsAreExact() throws {
        #expect(try ProviderFields.money("123.45", field: "amount", scale: 2) == ProviderFixtures.usd("1.2345"))
        #expect(try ProviderFields.money("0.0000000001", field: "amount", scale: 2)?.picos == 1)
        #expect(try ProviderFields.money("-250", field: "amount", scale: 2) == ProviderFixtures.usd("-2.50"))
        #expect(try ProviderFields.money("98765432.1123456789", field: "amount", scale: 2)?.picos == 987_654_321_123_456_789)
        // 64-bit picodollars hold up to about $9.2 million on one line; beyond, the line is rejected.
        #expect(throws: RecordProblem.self) { try ProviderFields.money("987654321.12", field: "amount", scale: 2) }
    }

    @Test func longDecimalsAreExactToThePicodollar() throws {
        #expect(try ProviderFields.money("0.8958740000000000", field: "v")?.picos == 895_874_000_000)
        #expect(try ProviderFields.money("0.123456789012", field: "v")?.picos == 123_456_789_012)
        #expect(try ProviderFields.money("1234567.890123456789", field: "v")?.picos == 1_234_567_890_123_456_789)
        #expect(try ProviderFields.money("1e-12", field: "v")?.picos == 1)
        // Below a picodollar, half to even (the exported text is stored beside the amount).
        #expect(try ProviderFields.money("0.0000000000005", field: "v")?.picos == 0)
        #expect(try ProviderFields.money("0.0000000000015", field: "v")?.picos == 2)
        #expect(throws: RecordProblem.self) { try ProviderFields.money("1.2.3", field: "v") }
        #expect(throws: RecordProblem.self) { try ProviderFields.money("NaN", field: "v") }
    }

    @Test func countsAcceptSpreadsheetSpellings() throws {
        #expect(try ProviderFields.count("10.0", field: "n") == 10)
        #expect(try ProviderFields.count("1,234,567", field: "n") == 1_234_567)
        #expect(try ProviderFields.count("1.2e3", field: "n") == 1_200)
        #expect(try ProviderFields.count("", field: "n") == nil)
        #expect(throws: RecordProblem.self) { try ProviderFields.count("10.5", field: "n") }
        #expect(throws: RecordProblem.self) { try ProviderFields.count("-3", field: "n") }
        #expect(try ProviderFields.flag("FALSE", field: "batch") == false)
        #expect(try ProviderFields.flag("True", field: "batch") == true)
    }
}
