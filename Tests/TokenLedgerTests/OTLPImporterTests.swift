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

@Suite struct OTLPImporterTests {
    static let current = "otel/genai-current.jsonl"

    /// The items of one line of a fixture.
    static func items(line: Int, of relative: String = current, settings: ImporterSettings = ImporterSettings()) throws -> [ImportItem] {
        let lines = try ImportFixtures.text(relative).components(separatedBy: "\n")
        return parseItems(OTLPImporter.self, lines[line - 1], settings: settings)
    }

    @Test func mapsCurrentAttributesAndDefaults() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.current)])
        let a = try t.request("5fb397be34d26b51")
        #expect(a["model"] == "gpt-4.1-2025-04-14")  // the response model wins over the request model
        #expect(a["provider"] == "openai")
        #expect(a["input_tokens"] == "2843")
        #expect(a["cached_input_tokens"] == "2048")
        #expect(a["output_tokens"] == "210")
        #expect(a["timestamp"] == "2026-01-06T14:00:00.200Z")
        #expect(a["latency_ms"] == "3000")
        #expect(a["action_id"] == "8a3c60f7d188f8fa79d48a391a778fa6")  // the trace
        #expect(a["workflow"] == "triage")  // gen_ai.agent.name of the parent agent span
        #expect(a["team"] == "support")  // service.namespace
        #expect(a["user_id"] == "user-0042")  // user.id on the root span
        #expect(a["metadata"] == #"{"conversation_id":"conv_5j66UpCpwteGg4YSxUnt7lPY","response_id":"chatcmpl-CZ1demoA"}"#)
        #expect(t.summary.rowsImported == 9)
    }

    @Test func skipsAgentToolAndHTTPSpansWithoutRejecting() throws {
        let items = try Self.items(line: 1)
        // Five spans: root HTTP, invoke_agent (with summed usage), two chats, one tool.
        #expect(items.calls.map(\.requestID) == ["5fb397be34d26b51", "7b2c3d4e5f607182"])
        #expect(items.rejectReasons.isEmpty)
        let text = try ImportFixtures.text(Self.current).components(separatedBy: "\n")[0]
        var sink: [ImportItem] = []
        let tally = try Array(text.utf8).withUnsafeBufferPointer { unit in
            OTLPCallBuilder(settings: ImporterSettings()).build(try OTLPTraceReader.read(unit), unit: unit, line: 1, into: &sink)
        }
        #expect(tally == OTLPCallBuilder.Tally(calls: 2, rejected: 0, skipped: 3))
        #expect(try Self.items(line: 6).isEmpty)
    }

    @Test func stepsOfAnAgentLoopAreAllPrimary() throws {
        let calls = try Self.items(line: 1).calls
        #expect(calls.map(\.kind) == [.primary, .primary])
        #expect(calls.map(\.attempt) == [1, 1])
    }

    @Test func siblingsAfterAFailureAreRetriesThenFallbacks() throws {
        let calls = try Self.items(line: 2).calls
        #expect(calls.map(\.status) == [.rateLimited, .timeout, .ok])
        #expect(calls.map(\.kind) == [.primary, .retry, .fallback])
        #expect(calls.map(\.attempt) == [1, 2, 3])
        #expect(calls[2].fallbackFrom == "claude-sonnet-4-5")
        #expect(calls[2].fallbackReason == "timeout")
        #expect(calls[1].fallbackFrom == nil)
        // Failed calls without usage are calls of zero tokens; they share the trace with their fallback.
        #expect(calls[0].inputTokens == 0 && calls[0].outputTokens == 0)
        #expect(Set(calls.map(\.actionID)) == ["b7ad6b7169203331b7ad6b7169203331"])
        #expect(calls.allSatisfy { $0.workflow == "summarise_ticket" })  // the root span's name
    }

    @Test func anthropicInputWithoutCacheIsCompleted() throws {
        let calls = try Self.items(line: 3).calls
        let haiku = try #require(calls.first { $0.requestID == "aa00000000000001" })
        // input 4 cannot include 14,700 read + 3,100 written: it is the uncached part.
        #expect(haiku.inputTokens == 17_804)
        #expect(haiku.cachedInputTokens == 14_700)
        #expect(haiku.cacheWriteTokens == 3_100)
        #expect(haiku.uncachedInputTokens == 4)
        #expect(haiku.workflow == "classifier")
        #expect(haiku.team == "data")  // resource attribute `team`
        #expect(haiku.timestamp == Timestamp(milliseconds: 1_767_708_600_000))  // int64 written as a JSON number

        // Input that already counts the cache is left alone.
        let gpt = try #require(try Self.items(line: 1).calls.first)
        #expect(gpt.inputTokens == 2_843 && gpt.uncachedInputTokens == 795)
    }

    @Test func embeddingsReasoningAndServiceTier() throws {
        let calls = try Self.items(line: 3).calls
        let embedding = try #require(calls.first { $0.model == "text-embedding-3-small" })
        #expect(embedding.inputTokens == 512 && embedding.outputTokens == 0)
        #expect(embedding.workflow == "batch-worker")  // service.name: no agent, no root span
        let o4 = try #require(calls.first { $0.model == "o4-mini-2025-04-16" })
        #expect(o4.reasoningTokens == 1_024 && o4.outputTokens == 1_400)
        #expect(o4.serviceTier == .flex)
    }

    @Test func rejectsBrokenModelSpansAloneAndSkipsBrokenOthers() throws {
        let items = try Self.items(line: 4)
        #expect(items.calls.map(\.requestID) == ["bb00000000000001"])
        #expect(items.rejectReasons == [
            .wrongType(field: "gen_ai.usage.input_tokens", expected: "a whole number"),
            .missingField("gen_ai.request.model"),
            .wrongType(field: "startTimeUnixNano", expected: "an integer"),
        ])
        // The broken HTTP span (bb…04) is not a model call: skipped, not rejected.
        let t = try ImportedDatabase([ImportFixtures.path(Self.current)])
        #expect(try t.rejects().map(\.line) == [4, 4, 4, 5])
        #expect(try t.rejects().last?.reason == "malformed_json")
    }

    @Test func legacyAttributeNames() throws {
        let t = try ImportedDatabase([ImportFixtures.path("otel/legacy-names.jsonl")])
        #expect(t.summary.rowsImported == 4)  // the workflow span's summed usage is not a call
        let claude = try t.request("ee00000000000002")
        #expect(claude["provider"] == "anthropic")  // gen_ai.system "Anthropic"
        #expect(claude["input_tokens"] == "2500")
        #expect(claude["cached_input_tokens"] == "2000")
        #expect(claude["cache_write_tokens"] == "400")
        #expect(claude["output_tokens"] == "120")
        #expect(claude["workflow"] == "support_flow")  // traceloop.workflow.name of the parent
        let mini = try t.request("ee00000000000003")
        #expect(mini["project"] == "helpdesk-bot")  // gen_ai.application_name
        #expect(try t.int("SELECT gateway_cost FROM requests WHERE request_id = 'ee00000000000003'") == 210_000_000)
        let o3 = try t.request("ee00000000000004")
        #expect(o3["reasoning_tokens"] == "640")
        // 0.0047300000000000007 is kept to the picodollar.
        #expect(try t.int("SELECT gateway_cost FROM requests WHERE request_id = 'ee00000000000004'") == 4_730_000_000)
        #expect(try t.request("ee00000000000005")["status"] == "error")  // "STATUS_CODE_ERROR"
    }

    @Test func prettyPrintedDocument() throws {
        #expect(try detectedFormat("otel/pretty-request.json") == "otlp-json")
        let t = try ImportedDatabase([ImportFixtures.path("otel/pretty-request.json")])
        #expect(t.summary.files.first?.format == "otlp-json")
        #expect(try t.rows("SELECT request_id, source_line FROM v_requests ORDER BY ts_ms").map { $0[0] ?? "" }
                == ["ff00000000000001", "ff00000000000002"])
        #expect(try t.request("ff00000000000001")["workflow"] == "report-builder")
    }

    @Test func documentOfSeveralRequestsKeepsWhatPrecedesAFault() {
        let one = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"t1","spanId":"s1","startTimeUnixNano":"1767700000000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"2"}}]}]}]}]}"#
        let two = one.replacingOccurrences(of: "\"s1\"", with: "\"s2\"")
        let wrongShape = #"{"resourceSpans":{"not":"a list"}}"#
        let text = "[\n" + one + ",\n" + wrongShape + ",\n" + two + "\n]\n" + "{\"resourceSpans\": [tru"
        let items = parseItems(OTLPDocumentImporter.self, text)
        #expect(items.calls.map(\.requestID) == ["s1", "s2"])
        #expect(items.map(\.line) == [2, 3, 4, 6])
        #expect(items.rejectReasons.first == .wrongType(field: "resourceSpans", expected: "an array"))
        #expect(items.rejectReasons.last?.code == "malformed_json")
    }

    @Test func fileExporterLinesReadAsOneDocument() throws {
        // `--format otlp-json` on the file exporter's lines (for lines longer than a line may be).
        let lines = try ImportFixtures.text(Self.current).components(separatedBy: "\n")
        let text = [lines[0], lines[1], lines[2]].joined(separator: "\n")
        let items = parseItems(OTLPDocumentImporter.self, text)
        #expect(items.calls.count == 8)
        #expect(items.map(\.line) == [1, 1, 2, 2, 2, 3, 3, 3])
        #expect(items.calls.map(\.kind) == parseItems(OTLPImporter.self, text).calls.map(\.kind))
    }

    @Test func fieldMapReadsSpanAncestorsThenResource() throws {
        let settings = ImporterSettings(fieldMap: [
            "workflow": "http.route",  // on the root span
            "team": "deployment.environment.name",  // a resource attribute
            "action_id": "gen_ai.conversation.id",  // on the span itself
            "user_segment": "no.such.attribute",
        ])
        let call = try #require(try Self.items(line: 1, settings: settings).calls.first)
        #expect(call.workflow == "/v1/answer")
        #expect(call.team == "prod")
        #expect(call.actionID == "conv_5j66UpCpwteGg4YSxUnt7lPY")
        #expect(call.userSegment == nil)
    }

    @Test func sameSpansTwiceAreOneRequest() throws {
        let t = try ImportedDatabase([ImportFixtures.path(Self.current)])
        // Exported again (here: the same lines and one more line end): the span ids are the request ids.
        let copy = t.directory.appendingPathComponent("again.jsonl")
        try (try ImportFixtures.text(Self.current) + "\n").write(to: copy, atomically: true, encoding: .utf8)
        let again = try t.importMore([copy.path])
        #expect(again.rowsImported == 0)
        #expect(again.duplicates == 9)
    }

    @Test func statusFromErrorTypeAndMessage() {
        func status(code: Int, errorType: String?, message: String?) -> CallStatus {
            var span = OTLPSpan()
            span.statusCode = code
            span.statusMessage = message
            if let errorType { span.attributes["error.type"] = .string(errorType) }
            return OTLPCallBuilder.status(of: span)
        }
        #expect(status(code: 0, errorType: nil, message: nil) == .ok)
        #expect(status(code: 1, errorType: nil, message: nil) == .ok)
        #expect(status(code: 2, errorType: nil, message: "boom") == .error)
        #expect(status(code: 0, errorType: "_OTHER", message: nil) == .error)
        #expect(status(code: 2, errorType: "429", message: nil) == .rateLimited)
        #expect(status(code: 2, errorType: nil, message: "Too Many Requests") == .rateLimited)
        #expect(status(code: 2, errorType: "DeadlineExceeded", message: nil) == .timeout)
        #expect(status(code: 2, errorType: "httpx.ReadTimeout", message: nil) == .timeout)
    }
}

/// Inputs no exporter writes: the importers must reject or skip them, never crash.
@Suite struct OTLPImporterRobustnessTests {
    static let validLine = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"x"}}]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"aa","spanId":"bb","parentSpanId":"cc","name":"chat m","startTimeUnixNano":"1767700000000000000","endTimeUnixNano":"1767700001000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"100"}},{"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"40"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"7"}},{"key":"gen_ai.usage.cost","value":{"doubleValue":1.5e-05}}],"status":{"code":0}}]}]}]}"#

    @Test func deepNestingIsRejected() {
        for opener in ["[", "{\"a\":", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"arrayValue\":{\"values\":["] {
            let text = String(repeating: opener, count: 50_000)
            let items = parseItems(OTLPImporter.self, text)
            #expect(items.calls.isEmpty)
            #expect(items.count == 1 && items.rejectReasons.count == 1)
            #expect(parseItems(OTLPDocumentImporter.self, text).calls.isEmpty)
        }
    }

    @Test func wrongTypesEverywhere() {
        let cases = [
            #"[]"#, #""resourceSpans""#, #"{}"#, #"{"resourceSpans":null}"#, #"{"resourceSpans":7}"#,
            #"{"resourceSpans":[7]}"#, #"{"resourceSpans":[{"scopeSpans":"x"}]}"#, #"{"resourceSpans":[{"resource":[]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[1,null,"s",[]]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":"x"}]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":1,"value":{}},{"value":{"stringValue":{}}},7]}]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-5","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1"}}]}]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"a","startTimeUnixNano":"99999999999999999999","attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1"}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}}]}]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"a","startTimeUnixNano":1767700000000000000,"attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"9223372036854775807"}},{"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"9223372036854775807"}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}}]}]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"a","startTimeUnixNano":1767700000000000000,"attributes":[{"key":"gen_ai.usage.input_tokens","value":{"doubleValue":1e400}},{"key":"gen_ai.usage.cost","value":{"doubleValue":"NaN"}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}}]}]}]}]}"#,
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"t","spanId":"a","parentSpanId":"b","startTimeUnixNano":1767700000000000000,"attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":1}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}}]},{"traceId":"t","spanId":"b","parentSpanId":"a","name":"loop"}]}]}]}"#,
        ]
        for text in cases {
            let items = parseItems(OTLPImporter.self, text)
            for call in items.calls { #expect(call.validationProblem() == nil) }
        }
        // A parent cycle still yields the call (its ancestors are walked once).
        let cycle = parseItems(OTLPImporter.self, cases[cases.count - 1])
        #expect(cycle.calls.count == 1)
        // Counts that would overflow a sum are rejected, not added.
        #expect(parseItems(OTLPImporter.self, cases[cases.count - 3]).rejectReasons.first?.code == "out_of_range")
    }

    @Test func everyTruncationAndByteFlipIsHandled() {
        let full = parseItems(OTLPImporter.self, Self.validLine)
        #expect(full.calls.count == 1)
        #expect(full.calls.first?.inputTokens == 100)
        #expect(full.calls.first?.gatewayCost == money("0.000015"))
        let bytes = Array(Self.validLine.utf8)
        for cut in 0..<bytes.count {
            let text = String(decoding: bytes[0..<cut], as: UTF8.self)
            #expect(parseItems(OTLPImporter.self, text).calls.isEmpty, "a cut line is never a call")
        }
        var random = SplitMix(seed: 7)
        for _ in 0..<2_000 {
            var mutated = bytes
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let at = Int(random.next() % UInt64(mutated.count))
                mutated[at] = UInt8(truncatingIfNeeded: random.next())
            }
            let text = String(decoding: mutated, as: UTF8.self)
            for call in parseItems(OTLPImporter.self, text).calls { #expect(call.validationProblem() == nil) }
            _ = parseItems(OTLPDocumentImporter.self, text)
        }
    }
}

/// A small deterministic generator for the mutation tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
