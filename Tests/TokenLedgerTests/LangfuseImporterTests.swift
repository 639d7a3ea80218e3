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

// Prices are the providers' list prices per 1M tokens as the default book holds them: gpt-4o $2.50 input,
// $1.25 cached, $10 output; gpt-5-mini $0.25, $0.025 cached, $2 output (https://platform.openai.com/docs/pricing);
// claude-sonnet-4-5 $3 input, $0.30 cache read, $3.75 5-minute cache write, $15 output
// (https://platform.claude.com/docs/en/about-claude/pricing); figures read 2026-11-23.
@Suite struct LangfuseImporterTests {
    static let jsonl = "langfuse/observations.jsonl"
    static let blobCSV = "langfuse/blob-export-observations.csv"
    static let uiCSV = "langfuse/ui-export-observations.csv"

    static func importAll(settings: ImporterSettings = ImporterSettings()) throws -> ImportedDatabase {
        try ImportedDatabase([ImportFixtures.path("langfuse")], settings: settings)
    }

    @Test func generationsAreCallsWithTheTraceAsAction() throws {
        let t = try Self.importAll()
        #expect(Set(t.summary.files.map(\.format)) == ["langfuse", "langfuse-csv"])
        #expect(t.summary.rowsImported == 8)
        let a = try t.request("obs-0001")
        #expect(a["model"] == "gpt-4o" && a["action_id"] == "trace-ticket-1001" && a["workflow"] == "langfuse")
        // Langfuse's input is the uncached part: 800 + 1,200 cached.
        #expect(a["input_tokens"] == "2000" && a["cached_input_tokens"] == "1200" && a["output_tokens"] == "300")
        #expect(a["user_id"] == "user-17" && a["latency_ms"] == "2400" && a["timestamp"] == "2026-01-23T10:00:00.000Z")
        #expect(a["metadata"] == #"{"environment":"production","name":"draft-reply","prompt":"reply-v2","tags":["team:support","prod"]}"#)
        // Anthropic's counts: cache reads and writes are added to the input.
        let b = try t.request("obs-0003")
        #expect(b["input_tokens"] == "7400" && b["cached_input_tokens"] == "6000" && b["cache_write_tokens"] == "1000")
        // Reasoning is a usage type of its own in Langfuse and part of output in TokenLedger.
        let c = try t.request("obs-0004")
        #expect(c["output_tokens"] == "840" && c["reasoning_tokens"] == "640")
        // Spans and events are not calls.
        #expect(try t.int("SELECT count(*) FROM v_requests WHERE request_id IN ('obs-0002', 'obs-0010', 'obs-0102')") == 0)
        #expect(try t.int("SELECT count(*) FROM v_requests WHERE action_id = 'trace-ticket-1001'") == 2)
    }

    @Test func pricedFromTheBookAndLangfusesCostKeptBeside() throws {
        let t = try Self.importAll()
        // 800 × 2.50 + 1,200 × 1.25 + 300 × 10 = 6,500 µ$.
        #expect(try t.cost("obs-0001") == 6_500_000_000)
        // 400 × 3 + 6,000 × 0.30 + 1,000 × 3.75 + 500 × 15 = 14,250 µ$.
        #expect(try t.cost("obs-0003") == 14_250_000_000)
        // 1,500 × 0.25 + 840 × 2 = 2,055 µ$.
        #expect(try t.cost("obs-0004") == 2_055_000_000)
        // Blob export: 976 × 0.25 + 1,024 × 0.025 + 60 × 2 = 389.6 µ$; UI CSV: 1,000 × 2.50 + 200 × 10 = 4,500 µ$.
        #expect(try t.cost("obs-0101") == 389_600_000)
        #expect(try t.cost("obs-0201") == 4_500_000_000)
        // Langfuse's own cost, exactly as exported.
        let gateway = try t.rows("SELECT request_id, gateway_cost FROM requests WHERE gateway_cost IS NOT NULL ORDER BY request_id")
        #expect(gateway.map { "\($0[0] ?? ""):\($0[1] ?? "")" } == [
            "obs-0001:6500000000", "obs-0003:14250000000", "obs-0004:2055000000",
            "obs-0101:389600000", "obs-0104:530000000", "obs-0201:4500000000",
        ])
    }

    @Test func failedGenerationsAndUnpricedModels() throws {
        let t = try Self.importAll()
        let failed = try t.request("obs-0005")
        #expect(failed["status"] == "rate_limited" && failed["input_tokens"] == "0" && failed["output_tokens"] == "0")
        let llama = try t.request("obs-0006")
        #expect(llama["input_tokens"] == "3000")
        #expect(try t.cost("obs-0006") == nil)
        #expect(t.summary.unpricedModels == ["llama-3.3-70b-instruct": 1])
    }

    @Test func unusableRowsAreRejectedWithTheirLines() throws {
        let t = try Self.importAll()
        let rows = try t.rows("SELECT s.path, r.line, r.reason FROM rejects r JOIN sources s ON s.id = r.source_id ORDER BY s.path, r.line")
        #expect(rows.map { "\(($0[0] ?? "").split(separator: "/").last ?? ""):\($0[1] ?? "") \($0[2] ?? "")" } == [
            "blob-export-observations.csv:4 wrong_type",
            "observations.jsonl:7 wrong_type", "observations.jsonl:8 missing_field", "observations.jsonl:9 malformed_json",
        ])
        // The record after a quoted field with a line break keeps its own line.
        #expect(try t.request("obs-0104")["source_line"] == "5")
    }

    @Test func blobExportColumnsAndTimes() throws {
        let t = try Self.importAll()
        let r = try t.request("obs-0101")
        #expect(r["model"] == "gpt-5-mini" && r["action_id"] == "trace-ingest-5")
        #expect(r["timestamp"] == "2026-01-24T08:15:00.000Z" && r["latency_ms"] == "900")
        #expect(r["input_tokens"] == "2000" && r["cached_input_tokens"] == "1024")
        // The UI's CSV writes times as JSON strings, quotes included.
        #expect(try t.request("obs-0201")["timestamp"] == "2026-01-25T09:00:00.000Z")
    }

    @Test func mapNamesTagsNamesAndMetadata() throws {
        let settings = try ImporterSettings(parsingMap: "workflow=traceName,team=tags.team,project=name,user_segment=feature")
        let t = try Self.importAll(settings: settings)
        let a = try t.request("obs-0001")
        #expect(a["workflow"] == "support-ticket" && a["team"] == "support" && a["project"] == "draft-reply" && a["user_segment"] == "inbox")
        #expect(try t.request("obs-0004")["team"] == "analytics")
        // In the blob export the team is a metadata key.
        let meta = try ImporterSettings(parsingMap: "workflow=workflow,team=team")
        let m = try ImportedDatabase([ImportFixtures.path(Self.blobCSV)], settings: meta)
        let b = try m.request("obs-0104")
        #expect(b["workflow"] == "triage" && b["team"] == "ingest")
    }

    @Test func audioAndImageUsageTypesAreParts() {
        let line = #"{"id":"o1","traceId":"t1","type":"GENERATION","startTime":"2026-01-23T10:00:00Z","model":"gpt-4o-audio-preview","usageDetails":{"input":100,"input_audio_tokens":500,"input_cached_audio_tokens":50,"output":20,"output_audio_tokens":200,"total":870}}"#
        let calls = parseItems(LangfuseImporter.self, line).calls
        #expect(calls.count == 1)
        #expect(calls.first?.inputTokens == 650 && calls.first?.cachedInputTokens == 50 && calls.first?.outputTokens == 220)
        #expect(calls.first?.extras?.audioInputTokens == 550 && calls.first?.extras?.cachedAudioTokens == 50)
        #expect(calls.first?.extras?.audioOutputTokens == 200)
        // A generation without usage that did not fail is rejected, not stored as a free call.
        let noUsage = #"{"id":"o2","traceId":"t1","type":"GENERATION","startTime":"2026-01-23T10:00:00Z","model":"gpt-4o","usageDetails":{}}"#
        #expect(parseItems(LangfuseImporter.self, noUsage).rejectReasons.map(\.code) == ["missing_field"])
    }

    @Test func reimportingAddsNothing() throws {
        let t = try Self.importAll()
        #expect(try t.importMore([ImportFixtures.path("langfuse")]).rowsImported == 0)
        let copy = t.directory.appendingPathComponent("export-again.jsonl")
        try (try ImportFixtures.text(Self.jsonl) + "\n").write(to: copy, atomically: true, encoding: .utf8)
        let again = try t.importMore([copy.path])
        #expect(again.files.map(\.format) == ["langfuse"])
        #expect(again.rowsImported == 0 && again.duplicates == 5)
    }

    @Test func detection() throws {
        try expectClaimedAlone(Self.jsonl, by: "langfuse")
        try expectClaimedAlone(Self.blobCSV, by: "langfuse-csv")
        try expectClaimedAlone(Self.uiCSV, by: "langfuse-csv")
        // LiteLLM's CSV and OTLP traces (which also carry trace ids) stay theirs.
        #expect(try detectedFormat("litellm/spend-logs.csv") == "litellm-csv")
        #expect(try detectedFormat("otel/genai-current.jsonl") == "otlp")
    }
}
