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

@Suite struct BatchResultImporterTests {
    static let openAIOutput = "batch/openai/batch_6964c1f0a2d88190b7e3c4d5e6f70812_output.jsonl"
    static let openAIErrors = "batch/openai/batch_6964c1f0a2d88190b7e3c4d5e6f70812_error.jsonl"
    static let anthropic = "batch/anthropic/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d_results.jsonl"
    static let anthropicBatch = "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d"

    static func importAll() throws -> ImportedDatabase {
        try ImportedDatabase([ImportFixtures.path("batch")])
    }

    static func cost(_ t: ImportedDatabase, _ id: String) throws -> Int64? {
        let rows = try t.rows("SELECT cost FROM requests WHERE request_id = ?", .text(id))
        guard let text = rows.first?.first ?? nil else { return nil }
        return Int64(text)
    }

    /// The file's modification time, as the calls without a time of their own are stamped.
    static func fileTime(_ relative: String) throws -> String {
        let date = try #require(try FileManager.default.attributesOfItem(atPath: ImportFixtures.path(relative))[.modificationDate] as? Date)
        return Timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down))).iso8601
    }

    @Test func openAIResponsesAreBatchCallsAtBatchRates() throws {
        let t = try Self.importAll()
        #expect(t.summary.rowsImported == 11)
        let a = try t.request("batch_req_6964c2a1b3c48190a1b2c3d4e5f60001")
        #expect(a["action_id"] == "ticket-1001" && a["model"] == "gpt-5-mini-2025-08-07" && a["provider"] == "openai")
        #expect(a["batch"] == "1" && a["status"] == "ok" && a["workflow"] == "batch")
        #expect(a["input_tokens"] == "1200" && a["cached_input_tokens"] == "1024")
        #expect(a["output_tokens"] == "300" && a["reasoning_tokens"] == "192")
        #expect(a["timestamp"] == "2026-01-12T12:00:00.000Z")  // body.created
        // gpt-5-mini batch: $0.125 input, $0.0125 cached, $1.00 output per 1M:
        // 176 × 0.125 + 1,024 × 0.0125 + 300 × 1.00 = 334.8 µ$.
        #expect(try Self.cost(t, "batch_req_6964c2a1b3c48190a1b2c3d4e5f60001") == 334_800_000)
        // 800 × 0.125 + 150 × 1.00 = 250 µ$ (at the standard rates it would be 500).
        #expect(try Self.cost(t, "batch_req_6964c2a1b3c48190a1b2c3d4e5f60002") == 250_000_000)
    }

    @Test func openAIFailuresAreFailedCallsWithoutTokens() throws {
        let t = try Self.importAll()
        let rows = try t.rows("""
            SELECT request_id, status, input_tokens + output_tokens, timestamp FROM v_requests
            WHERE request_id IN ('batch_req_6964c2a1b3c48190a1b2c3d4e5f60005', 'batch_req_6964c2a1b3c48190a1b2c3d4e5f60006',
                                 'batch_req_6964c2a1b3c48190a1b2c3d4e5f60007') ORDER BY request_id
            """)
        let time = try Self.fileTime(Self.openAIErrors)
        #expect(rows.map { $0.compactMap { $0 } } == [
            ["batch_req_6964c2a1b3c48190a1b2c3d4e5f60005", "error", "0", time],
            ["batch_req_6964c2a1b3c48190a1b2c3d4e5f60006", "timeout", "0", time],
            ["batch_req_6964c2a1b3c48190a1b2c3d4e5f60007", "error", "0", time],
        ])
        let expired = try t.request("batch_req_6964c2a1b3c48190a1b2c3d4e5f60006")
        #expect(expired["model"] == BatchFileContext.unrecordedModel && expired["action_id"] == "ticket-1006")
        #expect(expired["metadata"] == #"{"batch_result":"expired","error":"batch_expired"}"#)
        #expect(try t.request("batch_req_6964c2a1b3c48190a1b2c3d4e5f60005")["metadata"]?.contains(#""status_code":400"#) == true)
    }

    @Test func anthropicResultsAddUpTheCacheCounts() throws {
        let t = try Self.importAll()
        let a = try t.request("msg_01SyntheticBatchA1b2c3d4")
        #expect(a["action_id"] == "doc-0001" && a["provider"] == "anthropic" && a["batch"] == "1")
        #expect(a["input_tokens"] == "11500" && a["cached_input_tokens"] == "8000" && a["cache_write_tokens"] == "2000")
        #expect(a["timestamp"] == (try Self.fileTime(Self.anthropic)))
        // claude-sonnet-4-5 batch: 1,500 × 1.50 + 8,000 × 0.15 + 2,000 × 1.875 + 400 × 7.50 = 10,200 µ$.
        #expect(try Self.cost(t, "msg_01SyntheticBatchA1b2c3d4") == 10_200_000_000)
        // claude-haiku-4-5 batch: 900 × 0.50 + 120 × 2.50 = 750 µ$.
        #expect(try Self.cost(t, "msg_01SyntheticBatchA1b2c3d6") == 750_000_000)
    }

    @Test func anthropicFailuresAreKeptByBatchAndCustomID() throws {
        let t = try Self.importAll()
        let rows = try t.rows("""
            SELECT request_id, status, input_tokens + output_tokens, json_extract(metadata, '$.batch_result') FROM v_requests
            WHERE provider = 'anthropic' AND status <> 'ok' ORDER BY request_id
            """)
        let b = Self.anthropicBatch
        #expect(rows.map { $0.compactMap { $0 } } == [
            ["\(b):doc-0002", "error", "0", "errored"], ["\(b):doc-0003", "error", "0", "errored"],
            ["\(b):doc-0004", "timeout", "0", "expired"], ["\(b):doc-0005", "error", "0", "canceled"],
        ])
        #expect(try t.request("\(b):doc-0002")["metadata"]?.contains(#""request_id":"req_011SyntheticErr0002""#) == true)
        // No price matches the failures' model: they are listed as unpriced (with no tokens), not priced.
        #expect(try t.int("SELECT count(*) FROM requests WHERE cost IS NULL") == 7)
        #expect(t.summary.unpricedModels == [BatchFileContext.unrecordedModel: 7])
    }

    @Test func unusableLinesAreRejectedWithTheirLines() throws {
        let t = try Self.importAll()
        let rows = try t.rows("SELECT s.path, r.line, r.reason FROM rejects r JOIN sources s ON s.id = r.source_id ORDER BY s.path, r.line")
        #expect(rows.map { "\(($0[0] ?? "").split(separator: "/").last ?? ""):\($0[1] ?? "") \($0[2] ?? "")" } == [
            "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d_results.jsonl:7 unknown_value",
            "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d_results.jsonl:8 malformed_json",
            "batch_6964c1f0a2d88190b7e3c4d5e6f70812_output.jsonl:3 wrong_type",
            "batch_6964c1f0a2d88190b7e3c4d5e6f70812_output.jsonl:4 malformed_json",
        ])
    }

    @Test func reimportingAddsNothing() throws {
        let t = try Self.importAll()
        #expect(try t.importMore([ImportFixtures.path("batch")]).rowsImported == 0)
        // The same results downloaded again under another name are read again and are all duplicates.
        let copy = t.directory.appendingPathComponent("results-again.jsonl")
        try (try ImportFixtures.text(Self.openAIOutput) + "\n").write(to: copy, atomically: true, encoding: .utf8)
        let again = try t.importMore([copy.path])
        #expect(again.files.map(\.format) == ["openai-batch"])
        #expect(again.rowsImported == 0 && again.duplicates == 2)
    }

    @Test func responsesAPIBodiesAndStatusCodes() {
        let ok = #"{"id":"batch_req_r1","custom_id":"c1","response":{"status_code":200,"request_id":"r","body":{"object":"response","created_at":1768219300,"model":"gpt-5-mini","usage":{"input_tokens":2000,"input_tokens_details":{"cached_tokens":500},"output_tokens":400,"output_tokens_details":{"reasoning_tokens":128},"total_tokens":2400}}},"error":null}"#
        let limited = #"{"id":"batch_req_r2","custom_id":"c2","response":{"status_code":429,"request_id":"r2","body":{"error":{"type":"rate_limit_exceeded","code":"rate_limit_exceeded"}}},"error":null}"#
        let neither = #"{"id":"batch_req_r3","custom_id":"c3"}"#
        let noUsage = #"{"id":"batch_req_r4","custom_id":"c4","response":{"status_code":200,"body":{"model":"gpt-5-mini","created":1768219300}}}"#
        let settings = ImporterSettings(inputPath: "/nonexistent/batch_abcd1234_output.jsonl")
        let items = parseItems(OpenAIBatchImporter.self, [ok, limited, neither, noUsage].joined(separator: "\n"), settings: settings)
        let calls = items.calls
        #expect(calls.count == 1)
        #expect(calls.first?.inputTokens == 2000 && calls.first?.cachedInputTokens == 500)
        #expect(calls.first?.outputTokens == 400 && calls.first?.reasoningTokens == 128 && calls.first?.batch == true)
        // Without a file there is no time for a result that has none: rejected, as are the others.
        let rejects = items.compactMap { item -> String? in
            if case .reject(let r, let line, _) = item { return "\(line) \(r.code)" }
            return nil
        }
        #expect(rejects == ["2 missing_field", "3 missing_field", "4 missing_field"])
        let fromFile = parseItems(OpenAIBatchImporter.self, limited, settings: ImporterSettings(inputPath: ImportFixtures.path(Self.openAIErrors)))
        #expect(fromFile.calls.map(\.status) == [.rateLimited])
    }

    @Test func mapNamesTheCustomIDOrTheBatch() throws {
        let settings = try ImporterSettings(parsingMap: "workflow=batch_id,team=custom_id")
        let t = try ImportedDatabase([ImportFixtures.path(Self.anthropic)], settings: settings)
        let r = try t.request("msg_01SyntheticBatchA1b2c3d4")
        #expect(r["workflow"] == Self.anthropicBatch && r["team"] == "doc-0001")
    }

    @Test func batchIDFromTheFileName() {
        #expect(BatchFileContext.batchID(inPath: "/d/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d_results.jsonl") == "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d")
        #expect(BatchFileContext.batchID(inPath: "/d/batch_6964c1f0_output.jsonl") == "batch_6964c1f0")
        #expect(BatchFileContext.batchID(inPath: "/d/results.jsonl") == nil)
    }

    @Test func detection() throws {
        #expect(try detectedFormat(Self.openAIOutput) == "openai-batch")
        #expect(try detectedFormat(Self.openAIErrors) == "openai-batch")
        #expect(try detectedFormat(Self.anthropic) == "anthropic-batch")
        // A batch input file is not a results file.
        let input = #"{"custom_id": "request-1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-5-mini", "messages": []}}"#
        #expect(ImportFormats.detect(InputSample(bytes: Array(input.utf8), name: "in.jsonl")) == nil)
    }
}
