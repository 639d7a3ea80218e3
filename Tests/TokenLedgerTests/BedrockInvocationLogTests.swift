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

@Suite struct BedrockInvocationLogTests {
    static func items() throws -> [ImportItem] {
        try CloudFixtures.items(BedrockInvocationLogImporter.self, file: "bedrock-invocation-2026-01-05.jsonl")
    }

    @Test func eachLineIsACallOfBedrock() throws {
        let calls = CloudFixtures.calls(try Self.items())
        #expect(calls.map(\.line) == [1, 2, 3, 4, 5])
        #expect(calls.allSatisfy { $0.call.provider == "bedrock" })
        let first = calls[0].call
        #expect(first.requestID == "5b9c8e0a-3d1f-4a7e-9c2b-1f0e4d3c2b1a")
        #expect(first.timestamp == instant("2026-01-05T09:14:03Z"))
        #expect(first.model == "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
        // Bedrock counts input apart from cache reads and writes: input is their sum.
        #expect(first.inputTokens == 13_200 && first.cachedInputTokens == 10_000 && first.cacheWriteTokens == 2_000)
        #expect(first.uncachedInputTokens == 1_200)
        #expect(first.outputTokens == 800)
        #expect(first.team == "search" && first.userID == "u-17" && first.workflow == "answer")
        let meta = try JSONValue.parse(try #require(first.metadata))
        #expect(meta["inferenceRegion"]?.string == "us-east-2")
        #expect(meta["identity_arn"]?.string == "arn:aws:sts::444455556666:assumed-role/search-api/i-0f1e2d3c4b5a69788")
    }

    @Test func userFromTheRoleSessionWhenTheGatewaySetNone() throws {
        let calls = CloudFixtures.calls(try Self.items())
        #expect(calls[1].call.userID == "alice@example.com")
        #expect(calls[1].call.team == nil)
        #expect(calls[2].call.userID == "agent-7" && calls[2].call.project == "helpdesk")
    }

    @Test func aCloudWatchExportLineBehindItsEventTimeIsRead() throws {
        let call = CloudFixtures.calls(try Self.items())[3].call
        #expect(call.requestID == "0e1d2c3b-4a59-4687-b7c6-d5e4f3a2b190")
        #expect(call.inputTokens == 1_000 && call.outputTokens == 100)
    }

    @Test func aThrottledCallIsARateLimitWithoutTokens() throws {
        let call = CloudFixtures.calls(try Self.items())[4].call
        #expect(call.status == .rateLimited)
        #expect(call.inputTokens == 0 && call.outputTokens == 0)
    }

    @Test func aLineWithoutTokenCountsAndAnUnknownSchemaVersionAreRejected() throws {
        let rejects = ProviderFixtures.rejects(try Self.items())
        #expect(rejects.map(\.line) == [6, 7])
        #expect(rejects[0].reason.code == "missing_field")
        #expect(rejects[0].reason.description.contains("input.inputTokenCount"))
        #expect(!rejects[0].reason.description.contains("output.outputTokenCount"))
        #expect(rejects[1].reason.code == "unsupported")
        #expect(rejects[1].reason.description.contains("schemaVersion `2.0`"))
    }

    @Test func theMapNamesOtherMetadataKeys() throws {
        let line = #"{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-01-05T09:00:00Z","requestId":"r1","modelId":"eu.anthropic.claude-haiku-4-5-20251001-v1:0","input":{"inputTokenCount":5},"output":{"outputTokenCount":1},"requestMetadata":{"cost_center":"cc-9","team":"ignored"}}"#
        let items = try ProviderFixtures.items(BedrockInvocationLogImporter.self, Array(line.utf8),
                                               settings: ImporterSettings(fieldMap: ["team": "cost_center"]))
        #expect(CloudFixtures.calls(items).first?.call.team == "cc-9")
    }

    @Test func pricedAtTheModelTheIdStandsFor() throws {
        let book = try PriceBook.defaultBook()
        let call = CloudFixtures.calls(try Self.items())[0].call
        // claude-sonnet-4-5 in the shipped book (source: litellm 1.109.1 and
        // https://platform.claude.com/docs/en/about-claude/pricing, as recorded in default-prices.yaml):
        // $3/M input, $0.30/M cache read, $3.75/M 5-minute cache write, $15/M output. Bedrock's global
        // cross-region price for Claude Sonnet 4.5 is the same (https://aws.amazon.com/bedrock/pricing/).
        // 1,200 × 3 + 10,000 × 0.30 + 2,000 × 3.75 + 800 × 15 = 26,100 µ$.
        let entry = try #require(book.entry(for: call.model, at: call.timestamp))
        #expect(entry.model == "claude-sonnet-4-5")
        #expect(entry.cost(of: call).map { Money(picos: $0) } == usd("0.0261"))
    }
}

@Suite struct BedrockModelIdentityTests {
    static let book: PriceBook = (try? PriceBook.defaultBook()) ?? .empty

    @Test(arguments: [
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("apac.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
        ("arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
        ("US.Anthropic.Claude-Sonnet-4-5-20250929-V1:0", "claude-sonnet-4-5"),
    ])
    func bedrockIdsAreTheirModel(name: String, model: String) {
        #expect(Self.book.identity(of: name) == model)
        #expect(Self.book.comparisonKey(for: name) == model)
        #expect(Self.book.match(name)?.kind == .snapshot || Self.book.match(name)?.kind == .providerPrefix)
    }

    @Test func theBillsDisplayNamesMeetTheSameModels() {
        #expect(Self.book.comparisonKey(for: "Claude Sonnet 4.5") == "claude-sonnet-4-5")
        #expect(Self.book.comparisonKey(for: "Gemini 2.5 Flash") == "gemini-2.5-flash")
        #expect(Self.book.comparisonKey(for: "gpt-4o-mini") == "gpt-4o-mini")
    }

    @Test func partsAreRemovedOnlyWhenTheyAreBedrocks() {
        #expect(ModelNameIndex.bedrockForms("gpt-4.1") == [])
        #expect(ModelNameIndex.bedrockForms("mycorp.claude-sonnet-4-5") == [])
        #expect(ModelNameIndex.bedrockForms("us.anthropic.claude-3-haiku-20240307-v1:0:200k")
            == ["anthropic.claude-3-haiku-20240307-v1:0:200k", "claude-3-haiku-20240307-v1:0:200k", "claude-3-haiku-20240307"])
        #expect(ModelNameIndex.withoutBedrockVersion("llama3-70b-instruct-v1") == "llama3-70b-instruct")
        #expect(ModelNameIndex.withoutBedrockVersion("llama3-70b-instruct-v1:0") == "llama3-70b-instruct")
        #expect(ModelNameIndex.withoutBedrockVersion("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5-20250929")
        // An unknown Bedrock model still compares by its developer's id.
        #expect(Self.book.comparisonKey(for: "us.meta.llama4-maverick-17b-instruct-v1:0") == "llama4-maverick-17b-instruct")
    }
}
