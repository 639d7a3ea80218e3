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

// Prices in these tests are Google's list prices per 1M tokens as the default book holds them
// (https://ai.google.dev/gemini-api/docs/pricing, figures read 2026-11-23): gemini-2.5-pro $1.25 input
// (prompts up to 200k tokens), $0.125 cached input, $10 output (thinking included); gemini-2.5-flash
// $0.30 input, $0.03 cached input, $2.50 output.
@Suite struct GeminiCLIImporterTests {
    static let telemetry = "gemini-cli/telemetry/collector.jsonl"
    static let legacyChat = "gemini-cli/chats/session-2026-01-21T14-02-3f2a9c1d.json"
    static let chat = "gemini-cli/chats/session-2026-01-22T08-00-7c1e5d3b.jsonl"
    static let session = "5c8e2f1a-9d3b-4e7c-8a6f-2b1d0c9e8f7a"
    static let legacySession = "3f2a9c1d-7b4e-4f6a-9c2d-1e5f8a7b6c4d"
    static let chatSession = "7c1e5d3b-2a9f-4c8e-b6d4-0f1e2d3c4b5a"

    static func prompt(_ n: Int) -> String { "\(session)########\(n)" }
    static func id(_ n: Int, _ time: String, role: String? = nil) -> String {
        let ms = Timestamp.parse(iso: time)!.milliseconds
        return "\(session):\(prompt(n)):\(ms)" + (role.map { ":\($0)" } ?? "")
    }

    // MARK: Telemetry

    @Test func apiResponsesAreCallsWithToolAndThoughtTokens() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.telemetry)])
        #expect(t.summary.files.map(\.format) == ["gemini-cli"])
        #expect(t.summary.rowsImported == 6)
        let first = try t.request(Self.id(1, "2026-01-20T09:15:04.250Z"))
        #expect(first["model"] == "gemini-2.5-pro" && first["provider"] == "google")
        #expect(first["input_tokens"] == "12000" && first["cached_input_tokens"] == "8000")
        // Gemini's candidates count leaves the thoughts out: output is 800 + 400.
        #expect(first["output_tokens"] == "1200" && first["reasoning_tokens"] == "400")
        #expect(first["action_id"] == Self.prompt(1) && first["workflow"] == "gemini-cli")
        #expect(first["latency_ms"] == "4200" && first["status"] == "ok" && first["source_line"] == "2")
        #expect(first["timestamp"] == "2026-01-20T09:15:04.250Z")
        #expect(first["metadata"] == #"{"auth_type":"gemini-api-key","session_id":"\#(Self.session)"}"#)
        // The tool-use prompt is input of its own: 14,500 + 200.
        let second = try t.request(Self.id(1, "2026-01-20T09:15:07.900Z"))
        #expect(second["input_tokens"] == "14700" && second["output_tokens"] == "550" && second["reasoning_tokens"] == "250")
        // The prompt's two model calls are one action; the user prompt, request and tool call records are not calls.
        #expect(try t.int("SELECT count(*) FROM v_requests WHERE action_id = ?", .text(Self.prompt(1))) == 2)
    }

    @Test func pricedFromTheDefaultBook() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.telemetry)])
        // 4,000 × 1.25 + 8,000 × 0.125 + 1,200 × 10 = 18,000 µ$.
        #expect(try t.cost(Self.id(1, "2026-01-20T09:15:04.250Z")) == 18_000_000_000)
        // 2,700 × 1.25 + 12,000 × 0.125 + 550 × 10 = 10,375 µ$.
        #expect(try t.cost(Self.id(1, "2026-01-20T09:15:07.900Z")) == 10_375_000_000)
        // The router's utility call on gemini-2.5-flash: 900 × 0.30 + 12 × 2.50 = 300 µ$.
        #expect(try t.cost(Self.id(2, "2026-01-20T09:20:00.400Z", role: "utility_router")) == 300_000_000)
        // 15,000 × 1.25 + 600 × 10 = 24,750 µ$.
        #expect(try t.cost(Self.id(2, "2026-01-20T09:20:06.700Z")) == 24_750_000_000)
    }

    @Test func apiErrorsAreFailedCallsWithoutTokens() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.telemetry)])
        let e = try t.request(Self.id(2, "2026-01-20T09:20:01.000Z"))
        #expect(e["status"] == "rate_limited" && e["model"] == "gemini-2.5-pro")
        #expect(e["input_tokens"] == "0" && e["output_tokens"] == "0" && e["latency_ms"] == "350")
        #expect(e["metadata"]?.contains(#""error":"RESOURCE_EXHAUSTED""#) == true)
        let router = try t.request(Self.id(2, "2026-01-20T09:20:00.400Z", role: "utility_router"))
        #expect(router["metadata"]?.contains(#""role":"utility_router""#) == true)
        #expect(try t.int("SELECT count(*) FROM v_requests WHERE action_id = ?", .text(Self.prompt(2))) == 3)
    }

    @Test func aModelTheBookDoesNotPriceIsUnpricedNotFree() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.telemetry)])
        let id = Self.id(3, "2026-01-20T09:30:01.000Z")
        let r = try t.request(id)
        // The OTLP/HTTP exporter writes int64 values as JSON numbers; they read the same.
        #expect(r["model"] == "gemini-3-pro-preview" && r["input_tokens"] == "30000" && r["output_tokens"] == "2400")
        #expect(try t.cost(id) == nil)
        #expect(t.summary.unpricedModels == ["gemini-3-pro-preview": 1])
        let unpriced = try UnpricedModels.read(db: t.db, book: try PriceStore(db: t.db).loadBook())
        #expect(unpriced.map(\.model) == ["gemini-3-pro-preview"])
    }

    @Test func brokenRecordsAreRejectedWithTheirLines() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.telemetry)])
        // Line 4: counts written "lots", a response without a model; line 5 is cut short. The metrics
        // line (6) and the configuration line (1) are neither calls nor rejects.
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["4 wrong_type", "4 missing_field", "5 malformed_json"])
    }

    @Test func thoughtsAlreadyInsideTheCandidatesAreNotAddedTwice() {
        func line(output: Int, thoughts: Int, total: Int) -> String {
            #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1768900000000000000","attributes":[{"key":"session.id","value":{"stringValue":"s"}},{"key":"event.name","value":{"stringValue":"gemini_cli.api_response"}},{"key":"model","value":{"stringValue":"gemini-2.5-pro"}},{"key":"input_token_count","value":{"intValue":"1000"}},{"key":"output_token_count","value":{"intValue":"\#(output)"}},{"key":"thoughts_token_count","value":{"intValue":"\#(thoughts)"}},{"key":"total_token_count","value":{"intValue":"\#(total)"}}]}]}]}]}"#
        }
        let calls = parseItems(GeminiCLITelemetryImporter.self, [line(output: 500, thoughts: 200, total: 1700),
                                                                 line(output: 500, thoughts: 200, total: 1500)].joined(separator: "\n")).calls
        #expect(calls.map(\.outputTokens) == [700, 500])
        #expect(calls.map(\.reasoningTokens) == [200, 200])
    }

    @Test func reimportingAddsNothing() throws {
        let t = try ImportedDatabase([ImportFixtures.path("gemini-cli")])
        #expect(try t.importMore([ImportFixtures.path("gemini-cli")]).rowsImported == 0)
        let copy = t.directory.appendingPathComponent("collector-copy.jsonl")
        try (try ImportFixtures.text(Self.telemetry) + "\n").write(to: copy, atomically: true, encoding: .utf8)
        let again = try t.importMore([copy.path])
        #expect(again.files.map(\.format) == ["gemini-cli"])
        #expect(again.rowsImported == 0 && again.duplicates == 6)
    }

    @Test func mapNamesLogAndResourceAttributes() throws {
        let settings = try ImporterSettings(parsingMap: "team=team,user_id=user.email,project=service.version")
        let t = try ImportedDatabase([ImportFixtures.path(Self.telemetry)], settings: settings)
        let r = try t.request(Self.id(1, "2026-01-20T09:15:04.250Z"))
        #expect(r["team"] == "checkout" && r["user_id"] == "dev@example.com" && r["project"] == "0.24.0")
        // Without --map the e-mail address is not stored.
        let plain = try ImportedDatabase([ImportFixtures.path(Self.telemetry)])
        #expect(try plain.request(Self.id(1, "2026-01-20T09:15:04.250Z"))["user_id"] == nil)
    }

    // MARK: Chat files

    @Test func legacyChatDocumentMessagesWithTokensAreCalls() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.legacyChat)])
        #expect(t.summary.files.map(\.format) == ["gemini-cli-chat"])
        #expect(t.summary.rowsImported == 3)
        let a = try t.request("a0c1e2f3-0001-4a4a-8b8b-000000000002")
        #expect(a["action_id"] == Self.legacySession && a["workflow"] == "gemini-cli" && a["model"] == "gemini-2.5-pro")
        #expect(a["input_tokens"] == "9000" && a["output_tokens"] == "570" && a["reasoning_tokens"] == "120")
        #expect(a["timestamp"] == "2026-01-21T14:02:19.400Z")
        #expect(a["source_line"] == String(try ImportFixtures.line(of: "a0c1e2f3-0001-4a4a-8b8b-000000000002", in: Self.legacyChat) - 1))
        // 9,000 × 1.25 + 570 × 10 = 16,950 µ$.
        #expect(try t.cost("a0c1e2f3-0001-4a4a-8b8b-000000000002") == 16_950_000_000)
        // gemini-2.5-flash: 4,000 × 0.30 + 16,000 × 0.03 + 1,600 × 2.50 = 5,680 µ$.
        #expect(try t.cost("a0c1e2f3-0001-4a4a-8b8b-000000000005") == 5_680_000_000)
        // A message that names no model is unpriced, not free.
        let noModel = try t.request("a0c1e2f3-0001-4a4a-8b8b-000000000007")
        #expect(noModel["model"] == GeminiUsage.unrecordedModel && noModel["input_tokens"] == "2200")
        #expect(try t.cost("a0c1e2f3-0001-4a4a-8b8b-000000000007") == nil)
        #expect(t.summary.unpricedModels == [GeminiUsage.unrecordedModel: 1])
        // The message whose input is "many" is rejected on the line its object starts.
        let bad = try ImportFixtures.line(of: "a0c1e2f3-0001-4a4a-8b8b-000000000006", in: Self.legacyChat) - 1
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["\(bad) wrong_type"])
    }

    @Test func chatLinesKeepTheLastVersionOfAMessage() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.chat)])
        #expect(t.summary.files.map(\.format) == ["gemini-cli-chat"])
        // Message …02 written first without tokens, then with them; …04 written twice around a rewind.
        #expect(t.summary.rowsImported == 2)
        let a = try t.request("b1d2e3f4-0002-4b4b-9c9c-000000000002")
        #expect(a["input_tokens"] == "3000" && a["output_tokens"] == "200" && a["source_line"] == "4")
        #expect(a["action_id"] == Self.chatSession)
        let b = try t.request("b1d2e3f4-0002-4b4b-9c9c-000000000004")
        #expect(b["cached_input_tokens"] == "2048" && b["output_tokens"] == "164" && b["source_line"] == "9")
        // 3,952 × 1.25 + 2,048 × 0.125 + 164 × 10 = 6,836 µ$.
        #expect(try t.cost("b1d2e3f4-0002-4b4b-9c9c-000000000004") == 6_836_000_000)
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["10 malformed_json"])
        #expect(try t.importMore([ImportFixtures.path(Self.chat)]).rowsImported == 0)
    }

    @Test func aChatThatGrewAddsOnlyItsNewMessages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gemini-chat-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("session-2026-01-22T08-00-7c1e5d3b.jsonl")
        let lines = try ImportFixtures.text(Self.chat).components(separatedBy: "\n")
        try (lines[0..<9].joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let t = try ImportedDatabase([file.path])
        #expect(t.summary.rowsImported == 2)
        let next = #"{"id":"b1d2e3f4-0002-4b4b-9c9c-000000000009","timestamp":"2026-01-22T08:03:00.000Z","type":"gemini","content":"More.","tokens":{"input":7000,"output":50,"cached":6000,"thoughts":0,"tool":0,"total":7050},"model":"gemini-2.5-pro"}"#
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((next + "\n").utf8))
        try handle.close()
        // The file is read whole again: the two calls read before are duplicates, the new one lands.
        let more = try t.importMore([file.path])
        #expect(more.rowsImported == 1 && more.duplicates == 2)
        #expect(try t.request("b1d2e3f4-0002-4b4b-9c9c-000000000009")["source_line"] == "10")
    }

    @Test func aDurationOfAnOddShapeLeavesTheLatencyUnknown() {
        let line = #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1768900000000000000","attributes":[{"key":"session.id","value":{"stringValue":"s"}},{"key":"event.name","value":{"stringValue":"gemini_cli.api_response"}},{"key":"model","value":{"stringValue":"gemini-2.5-pro"}},{"key":"duration_ms","value":{"doubleValue":812.5}},{"key":"input_token_count","value":{"intValue":"10"}}]}]}]}]}"#
        let calls = parseItems(GeminiCLITelemetryImporter.self, line).calls
        #expect(calls.count == 1 && calls.first?.latencyMs == nil && calls.first?.inputTokens == 10)
    }

    @Test func chatMapNamesConversationFields() throws {
        let settings = try ImporterSettings(parsingMap: "workflow=projectHash,team=summary")
        let t = try ImportedDatabase([ImportFixtures.path(Self.legacyChat)], settings: settings)
        let r = try t.request("a0c1e2f3-0001-4a4a-8b8b-000000000002")
        #expect(r["workflow"]?.hasPrefix("9b1f6e0c") == true && r["team"] == "Fix the checkout test")
    }

    @Test func detection() throws {
        try expectClaimedAlone(Self.telemetry, by: "gemini-cli")
        try expectClaimedAlone(Self.legacyChat, by: "gemini-cli-chat")
        try expectClaimedAlone(Self.chat, by: "gemini-cli-chat")
        // OTLP traces stay OTLP; logs of another program are not claimed.
        #expect(try detectedFormat("otel/genai-current.jsonl") == "otlp")
        let other = #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"event.name","value":{"stringValue":"app.start"}}]}]}]}]}"#
        #expect(ImportFormats.detect(InputSample(bytes: Array(other.utf8), name: "logs.jsonl")) == nil)
    }
}
