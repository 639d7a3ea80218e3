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

// Prices are the providers' list prices per 1M tokens as the default book holds them (figures read
// 2026-11-23): gpt-4o-mini $0.15 input, $0.60 output (https://platform.openai.com/docs/pricing);
// claude-haiku-4-5 $1 input, $5 output (https://platform.claude.com/docs/en/about-claude/pricing);
// gemini-2.5-flash $0.30 input, $2.50 output (https://ai.google.dev/gemini-api/docs/pricing).
@Suite struct CloudflareAIGatewayImporterTests {
    static let page = "cloudflare/logs-page-1.json"
    static let logpush = "cloudflare/logpush/20260126/20260126T120000Z_20260126T120500Z_a1b2c3d4.log"

    @Test func apiRowsAreCallsAndCacheHitsAreNot() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.page)])
        #expect(t.summary.files.map(\.format) == ["cloudflare-ai-gateway"])
        #expect(t.summary.rowsImported == 4)
        let a = try t.request("01JH3ZQ8V4W5X6Y7Z8A9B0C1D2")
        #expect(a["model"] == "gpt-4o-mini" && a["provider"] == "openai" && a["status"] == "ok")
        #expect(a["input_tokens"] == "1200" && a["output_tokens"] == "300" && a["latency_ms"] == "812")
        #expect(a["timestamp"] == "2026-01-26T12:00:01.123Z" && a["workflow"] == "cloudflare-ai-gateway")
        // No action in the format: the call is its own action unless --map names one.
        #expect(a["action_id"] == nil || a["action_id"] == a["request_id"])
        #expect(a["metadata"] == #"{"metadata":{"flow":"answer","team":"search","user":"u-42"}}"#)
        // A response from the gateway's cache reached no provider.
        #expect(try t.int("SELECT count(*) FROM v_requests WHERE request_id = '01JH3ZQ9A1B2C3D4E5F6G7H8J9'") == 0)
    }

    @Test func pricedFromTheBookWithTheGatewaysCostBeside() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.page)])
        // 1,200 × 0.15 + 300 × 0.60 = 360 µ$.
        #expect(try t.cost("01JH3ZQ8V4W5X6Y7Z8A9B0C1D2") == 360_000_000)
        // 2,000 × 1 + 500 × 5 = 4,500 µ$.
        #expect(try t.cost("01JH3ZQBC3D4E5F6G7H8J9K0M1") == 4_500_000_000)
        let gateway = try t.rows("SELECT request_id, gateway_cost FROM requests WHERE gateway_cost > 0 ORDER BY request_id")
        #expect(gateway.map { "\($0[0] ?? ""):\($0[1] ?? "")" } == [
            "01JH3ZQ8V4W5X6Y7Z8A9B0C1D2:360000000", "01JH3ZQBC3D4E5F6G7H8J9K0M1:4500000000",
        ])
    }

    @Test func statusFallbackStepsAndUnpricedModels() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.page)])
        let limited = try t.request("01JH3ZQAB2C3D4E5F6G7H8J9K0")
        #expect(limited["status"] == "rate_limited" && limited["input_tokens"] == "0")
        // Step 1 of the universal endpoint's chain answered after the 429: a fallback, attempt 2.
        let fallback = try t.request("01JH3ZQBC3D4E5F6G7H8J9K0M1")
        #expect(fallback["kind"] == "fallback" && fallback["attempt"] == "2" && fallback["provider"] == "anthropic")
        // Workers AI's model is not in the default book: unpriced, not $0 (the gateway said 0).
        #expect(try t.cost("01JH3ZQCD4E5F6G7H8J9K0M1N2") == nil)
        #expect(t.summary.unpricedModels == ["@cf/meta/llama-3.1-8b-instruct": 1])
    }

    @Test func unusableRowsAreRejectedOnTheLineTheyStart() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.page)])
        let lots = try ImportFixtures.line(of: "01JH3ZQDE5F6G7H8J9K0M1N2P3", in: Self.page) - 1
        let noTime = try ImportFixtures.line(of: "01JH3ZQEF6G7H8J9K0M1N2P3Q4", in: Self.page) - 1
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["\(lots) wrong_type", "\(noTime) missing_field"])
        #expect(try t.request("01JH3ZQ8V4W5X6Y7Z8A9B0C1D2")["source_line"] == "3")
    }

    @Test func logpushEventsMapAsTheAPIRowsDo() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.logpush)])
        #expect(t.summary.files.map(\.format) == ["cloudflare-logpush"])
        #expect(t.summary.rowsImported == 3)
        let a = try t.request("01JH3ZQ8V4W5X6Y7Z8A9B0C1D2")
        // Timestamp in Logpush's default unixnano format.
        #expect(a["timestamp"] == "2026-01-26T12:00:01.123Z" && a["workflow"] == "cloudflare-ai-gateway")
        #expect(a["input_tokens"] == "1200" && a["latency_ms"] == "812")
        #expect(try t.request("01JH40AAA1B2C3D4E5F6G7H8J9")["status"] == "rate_limited")
        // An event without an id is keyed by its content: 4,000 × 0.30 + 200 × 2.50 = 1,700 µ$.
        let noID = try t.rows("SELECT request_id FROM v_requests WHERE model = 'gemini-2.5-flash'")
        let id = try #require(noID.first?.first ?? nil)
        #expect(id.hasPrefix("h"))
        #expect(try t.cost(id) == 1_700_000_000)
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["5 malformed_json"])
    }

    @Test func oneRequestReadFromTheAPIAndLogpushIsStoredOnce() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.page)])
        let more = try t.importMore([ImportFixtures.path(Self.logpush)])
        #expect(more.duplicates == 1 && more.rowsImported == 2)
        #expect(try t.int("SELECT count(*) FROM rejects WHERE reason = 'conflict'") == 0)
        #expect(try t.importMore([ImportFixtures.path(Self.page), ImportFixtures.path(Self.logpush)]).rowsImported == 0)
        // A copy of the page under another name is read again: every call a duplicate.
        let copy = t.directory.appendingPathComponent("logs-again.json")
        try (try ImportFixtures.text(Self.page) + "\n").write(to: copy, atomically: true, encoding: .utf8)
        let again = try t.importMore([copy.path])
        #expect(again.rowsImported == 0 && again.duplicates == 4)
    }

    @Test func mapNamesMetadataKeysAndFields() throws {
        let settings = try ImporterSettings(parsingMap: "workflow=flow,team=team,user_id=user,project=gateway")
        // A folder is searched for .json, .jsonl and .csv files: Logpush's .log files are named.
        let t = try ImportedDatabase([ImportFixtures.path(Self.page), ImportFixtures.path(Self.logpush)], settings: settings)
        let a = try t.request("01JH3ZQ8V4W5X6Y7Z8A9B0C1D2")
        #expect(a["workflow"] == "answer" && a["team"] == "search" && a["user_id"] == "u-42")
        #expect(try t.request("01JH40AAA1B2C3D4E5F6G7H8J9")["project"] == "prod-gateway")
    }

    @Test func rowsArraysAndLinesOfPages() throws {
        let row = #"{"id":"r1","created_at":"2026-01-26T12:00:00Z","provider":"openai","model":"gpt-4o-mini","tokens_in":10,"tokens_out":2,"cached":false,"success":true}"#
        #expect(parseItems(CloudflareAIGatewayImporter.self, "[\(row)]").calls.map(\.requestID) == ["r1"])
        let lines = #"{"result":[\#(row)]}"# + "\n" + #"{"result":[\#(row.replacingOccurrences(of: "r1", with: "r2"))]}"# + "\n"
        let items = parseItems(CloudflareAIGatewayImporter.self, lines)
        #expect(items.calls.map(\.requestID) == ["r1", "r2"])
        #expect(items.map(\.line) == [1, 2])
        // Epoch seconds and milliseconds are told apart by size.
        #expect(try CloudflareGatewayLog.time(.number("1769428801"))?.milliseconds == 1_769_428_801_000)
        #expect(try CloudflareGatewayLog.time(.number("1769428801123"))?.milliseconds == 1_769_428_801_123)
    }

    @Test func detection() throws {
        try expectClaimedAlone(Self.page, by: "cloudflare-ai-gateway")
        try expectClaimedAlone(Self.logpush, by: "cloudflare-logpush")
    }
}
