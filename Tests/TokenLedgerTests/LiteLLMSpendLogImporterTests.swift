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

@Suite struct LiteLLMSpendLogImporterTests {
    static let rows = "litellm/spend-logs.json"

    @Test func mapsARowAndItsMetadataObject() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.rows)])
        let r = try t.request("chatcmpl-3f9c1e2a-demo-01")
        #expect(r["model"] == "claude-sonnet-4-5-20250929")
        #expect(r["provider"] == "anthropic")
        // prompt_tokens already counts the cache: 150 uncached + 1,200 read + 300 written.
        #expect(r["input_tokens"] == "1650")
        #expect(r["cached_input_tokens"] == "1200")
        #expect(r["cache_write_tokens"] == "300")
        #expect(r["output_tokens"] == "200")
        #expect(r["timestamp"] == "2026-01-05T10:15:02.123Z")  // tz-naive: UTC
        #expect(r["latency_ms"] == "2333")  // endTime − startTime
        #expect(r["team"] == "team-support")
        #expect(r["user_id"] == "cust-7781")  // end_user before user
        #expect(r["api_key_id"] == "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")
        #expect(r["action_id"] == "3c2f8f0e-4a56-4f1d-9d7e-0c1b2a3d4e5f")  // session_id
        #expect(r["metadata"] == #"{"tags":["prod","helpdesk"]}"#)
        #expect(r["source_line"] == String(try ImportFixtures.line(of: "chatcmpl-3f9c1e2a-demo-01", in: Self.rows) - 1))
        // spend 0.004935 is read from its text, exactly.
        #expect(try t.int("SELECT gateway_cost FROM requests WHERE request_id = 'chatcmpl-3f9c1e2a-demo-01'") == 4_935_000_000)
    }

    @Test func metadataAsAJSONString() throws {
        let call = try #require(Self.calls().first { $0.requestID == "chatcmpl-BeX9demo02" })
        #expect(call.reasoningTokens == 256)
        #expect(call.outputTokens == 512)
        #expect(call.timestamp == Timestamp.parse(iso: "2026-01-05T10:16:00Z"))
        #expect(call.latencyMs == 6_500)
    }

    static func calls() throws -> [CallRecord] {
        parseItems(LiteLLMSpendLogImporter.self, try ImportFixtures.text(rows)).calls
    }

    @Test func failuresFallbacksAndRetries() throws {
        let calls = try Self.calls()
        let failed = try #require(calls.first { $0.requestID == "litellm-call-7a1e-demo-03" })
        #expect(failed.status == .rateLimited)  // error_information.error_code 429
        #expect(failed.kind == .primary && failed.inputTokens == 0)
        let fallback = try #require(calls.first { $0.requestID == "chatcmpl-BeX9demo04" })
        #expect(fallback.kind == .fallback)
        #expect(fallback.fallbackFrom == "sonnet")  // original_model_group
        #expect(fallback.attempt == 2)
        #expect(fallback.actionID == failed.actionID)
        let retried = try #require(calls.first { $0.requestID == "chatcmpl-BeX9demo05" })
        #expect(retried.kind == .retry && retried.attempt == 3)  // attempted_retries 2
        #expect(retried.latencyMs == 1_500)  // request_duration_ms wins over endTime − startTime
        #expect(retried.gatewayCost == money("0.000424"))  // written 4.24e-04
    }

    @Test func cacheHitsAreNotCallsAndBrokenRowsAreRejectedOnTheirLine() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.rows)])
        #expect(t.summary.rowsImported == 5)
        #expect(try t.int("SELECT count(*) FROM requests WHERE request_id LIKE '%cache_hit%'") == 0)
        let many = try ImportFixtures.line(of: "chatcmpl-BeX9demo07", in: Self.rows) - 1
        let noID = try ImportFixtures.line(of: #""request_id": """#, in: Self.rows) - 1
        #expect(try t.rejects().map(\.line) == [many, noID])
        #expect(try t.rejects().map(\.reason) == ["wrong_type", "missing_field"])
    }

    @Test func v2PageWithUsageObjectAndOneHourWrites() throws {
        let t = try ImportedDatabase([ImportFixtures.path("litellm/spend-logs-v2.json")])
        #expect(t.summary.rowsImported == 2)
        let haiku = try t.request("chatcmpl-v2-demo-02")
        #expect(haiku["input_tokens"] == "17804")
        #expect(haiku["cached_input_tokens"] == "14700")
        #expect(haiku["cache_write_tokens"] == "1100")
        #expect(haiku["cache_write_1h_tokens"] == "2000")
        #expect(try t.request("chatcmpl-v2-demo-01")["team"] == "team-sales")
    }

    @Test func jsonLinesOfPagesGoOnAfterABrokenLine() throws {
        let t = try ImportedDatabase([ImportFixtures.path("litellm/spend-logs-v2-pages.jsonl")])
        #expect(try t.rows("SELECT request_id, source_line FROM v_requests ORDER BY ts_ms").map { [$0[0] ?? "", $0[1] ?? ""] }
                == [["chatcmpl-v2l-demo-01", "1"], ["chatcmpl-v2l-demo-03", "3"]])
        #expect(try t.rejects().map(\.line) == [2])
        #expect(try t.request("chatcmpl-v2l-demo-01")["timestamp"] == "2026-01-07T08:00:00.000Z")
    }

    @Test func arrayWithATruncatedEndKeepsItsRows() {
        let row = #"{"request_id":"r1","startTime":"2026-01-05 10:00:00","model":"gpt-4o","prompt_tokens":10,"completion_tokens":2,"spend":0.0001}"#
        let text = "[\n" + row + ",\n" + row.replacingOccurrences(of: "r1", with: "r2") + ",\n{\"request_id\": \"r3\", \"spe"
        let items = parseItems(LiteLLMSpendLogImporter.self, text)
        #expect(items.calls.map(\.requestID) == ["r1", "r2"])
        #expect(items.rejectReasons.count == 1 && items.last?.line == 4)
    }

    @Test func csvDump() throws {
        let t = try ImportedDatabase([ImportFixtures.path("litellm/spend-logs.csv")])
        #expect(t.summary.files.first?.format == "litellm-csv")
        let a = try t.request("chatcmpl-csv-demo-01")
        #expect(a["input_tokens"] == "1650" && a["cached_input_tokens"] == "1200" && a["cache_write_tokens"] == "300")
        #expect(a["timestamp"] == "2026-01-08T12:00:00.123Z")
        #expect(a["latency_ms"] == "2333")
        #expect(a["metadata"] == #"{"spend_logs_metadata":{"ticket":"T-1042","workflow":"refunds"},"tags":["prod","refunds"]}"#)
        let b = try t.request("chatcmpl-csv-demo-02")
        #expect(b["timestamp"] == "2026-01-08T12:05:00.000Z")  // `+00`
        #expect(b["latency_ms"] == "1500")
        #expect(b["metadata"] == #"{"tags":["prod","batch"]}"#)  // a PostgreSQL array
        #expect(b["user_id"] == "cust-19")
        #expect(b["action_id"] == nil)  // no session: the call is its own action
        #expect(try t.int("SELECT gateway_cost FROM requests WHERE request_id = 'chatcmpl-csv-demo-02'") == 210_000_000)
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["4 invalid_timestamp", "5 wrong_type"])
    }

    @Test func fieldMapReadsColumnsMetadataAndCallerMetadata() throws {
        let settings = ImporterSettings(fieldMap: ["workflow": "workflow", "team": "user_api_key_team_alias", "project": "call_type"])
        let t = try ImportedDatabase([ImportFixtures.path("litellm/spend-logs.csv")], settings: settings)
        let a = try t.request("chatcmpl-csv-demo-01")
        #expect(a["workflow"] == "refunds")  // spend_logs_metadata.workflow
        #expect(a["team"] == "support")  // metadata.user_api_key_team_alias
        #expect(a["project"] == "acompletion")  // a column
    }

    @Test func oneRequestFromCSVAndJSONIsStoredOnce() throws {
        let t = try ImportedDatabase([ImportFixtures.path("litellm/spend-logs.csv")])
        // The CSV's first row as /spend/logs returns it.
        let json = """
        [{"request_id":"chatcmpl-csv-demo-01","call_type":"acompletion","api_key":"88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
          "spend":0.004935,"total_tokens":1850,"prompt_tokens":1650,"completion_tokens":200,
          "startTime":"2026-01-08T12:00:00.123000","endTime":"2026-01-08T12:00:02.456000","model":"claude-sonnet-4-5-20250929",
          "model_group":"sonnet","custom_llm_provider":"anthropic","user":"default_user_id","team_id":"team-support","end_user":"",
          "metadata":{"user_api_key_user_id":"default_user_id","additional_usage_values":{"cache_creation_input_tokens":300,"cache_read_input_tokens":1200},
                      "spend_logs_metadata":{"workflow":"refunds","ticket":"T-1042"}},
          "request_tags":["prod","refunds"],"session_id":"csv-trace-01","request_duration_ms":2333,"status":"success"}]
        """
        let file = t.directory.appendingPathComponent("api.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        let again = try t.importMore([file.path])
        #expect(again.files.first?.format == "litellm")
        #expect(again.rowsImported == 0 && again.duplicates == 1 && again.rejected == 0)
    }

    @Test func promptTokensThatLeaveOutTheCacheAreCompleted() {
        // Rows of proxies that did not yet add Anthropic's cache counts to prompt_tokens.
        let row = #"[{"request_id":"old-1","startTime":"2026-01-05 10:00:00","model":"claude-haiku-4-5","custom_llm_provider":"anthropic","prompt_tokens":4,"completion_tokens":212,"metadata":{"additional_usage_values":{"cache_read_input_tokens":14700,"cache_creation_input_tokens":3100}}}]"#
        let call = parseItems(LiteLLMSpendLogImporter.self, row).calls.first
        #expect(call?.inputTokens == 17_804)
        #expect(call?.uncachedInputTokens == 4)
    }

    @Test func aWholeExportOnOneLongLine() throws {
        // `curl …/spend/logs > spend.json` writes one line, often longer than a JSON Lines line may be.
        let padding = String(repeating: "x", count: 60_000)
        let rows = (0..<160).map { i in
            #"{"request_id":"long-\#(i)","call_type":"acompletion","startTime":"2026-01-05T10:00:00","model":"gpt-4o-mini","prompt_tokens":10,"completion_tokens":2,"spend":0.0000027,"messages":"\#(padding)"}"#
        }
        let text = "[" + rows.joined(separator: ",") + "]"
        #expect(text.utf8.count > LineReader.maxLineLength)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("litellm-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("spend.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let t = try ImportedDatabase([file.path])
        #expect(t.summary.rowsImported == 160)
        #expect(t.summary.rejected == 0)
    }

    @Test func timesInEveryWrittenForm() {
        func ms(_ v: JSONValue) -> Int64? { LiteLLMSpendLogRow.timestamp(v)?.milliseconds }
        let expected: Int64 = 1_767_608_102_123
        #expect(ms(.string("2026-01-05T10:15:02.123000")) == expected)
        #expect(ms(.string("2026-01-05 10:15:02.123")) == expected)
        #expect(ms(.string("2026-01-05T10:15:02.123Z")) == expected)
        #expect(ms(.string("2026-01-05T12:15:02.123+02:00")) == expected)
        #expect(ms(.string("2026-01-05 11:15:02.123+01")) == expected)
        #expect(ms(.number("1767608102.123")) == expected)
        #expect(ms(.number("1767608102123")) == expected)
        #expect(ms(.string("yesterday")) == nil)
        #expect(ms(.string("2026-13-05T10:15:02")) == nil)
        #expect(ms(.bool(true)) == nil)
    }

    @Test func oddRowsNeverCrash() {
        let cases = [
            "[1, null, \"x\", [], {}]", "{\"data\": 5}", "{\"data\": [7]}", "\"text\"", "nul", "[", "{", "]]]",
            String(repeating: "[", count: 100_000),
            #"[{"request_id":"a","startTime":"2026-01-05","model":"m","prompt_tokens":9223372036854775807,"completion_tokens":1,"metadata":{"additional_usage_values":{"cache_read_input_tokens":9223372036854775807}}}]"#,
            #"[{"request_id":"a","startTime":"2026-01-05","model":"m","prompt_tokens":-1,"completion_tokens":1}]"#,
            #"[{"request_id":"a","startTime":"2026-01-05","model":"m","prompt_tokens":1,"completion_tokens":1,"spend":1e400,"metadata":"{\"attempted_retries\": 99999999999}"}]"#,
            #"[{"request_id":"a","startTime":"2026-01-05","model":"m","prompt_tokens":5,"completion_tokens":1,"metadata":"[1,2]"}]"#,
        ]
        for text in cases {
            for call in parseItems(LiteLLMSpendLogImporter.self, text).calls { #expect(call.validationProblem() == nil) }
        }
        let csv = "request_id,startTime,model,prompt_tokens,spend\n\"a\"x,1,2,3,4\n\"unclosed,1\nb,2026-01-05,m,1,2\n"
        #expect(parseItems(LiteLLMSpendLogCSVImporter.self, csv).calls.count == 1)
        #expect(parseItems(LiteLLMSpendLogCSVImporter.self, "no,header,here\nx,y,z\n").rejectReasons.count == 1)
    }
}
