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

/// Parses one line the way the importer does; the reject code when it is refused.
private func parse(_ line: [UInt8]) -> Result<CallRecord, RejectReason> {
    do {
        return .success(try line.withUnsafeBufferPointer { try RoutingLogImporter.parseRecord($0) })
    } catch {
        return .failure(RecordProblem.reason(for: error))
    }
}

private func parse(_ line: String) -> Result<CallRecord, RejectReason> { parse(Array(line.utf8)) }

private func rejectCode(_ line: String) -> String? {
    if case .failure(let r) = parse(line) { return r.code }
    return nil
}

/// A record as a test expects it; timestamps in epoch milliseconds, worked out independently.
private func record(_ id: String, _ ms: Int64, _ model: String, _ input: Int64, _ output: Int64,
                    _ configure: (inout CallRecord) -> Void = { _ in }) -> CallRecord {
    var r = CallRecord(requestID: id, timestamp: Timestamp(milliseconds: ms), model: model, inputTokens: input, outputTokens: output)
    configure(&r)
    return r
}

@Suite struct RoutingLogParsingTests {
    /// What each line of `valid.jsonl` means (line numbers of the file; 6 and 7 are blank).
    static let expectedValid: [Int: CallRecord] = [
        1: record("req-full", 1_791_194_400_250, "gpt-4o-mini", 1200, 300) {
            $0.cachedInputTokens = 200
            $0.cacheWriteTokens = 100
            $0.cacheWrite1hTokens = 50
            $0.reasoningTokens = 40
            $0.actionID = "act-1"
            $0.workflow = "support-chat"
            $0.team = "support"
            $0.userID = "u-42"
            $0.userSegment = "enterprise"
            $0.project = "helpdesk"
            $0.apiKeyID = "key-7"
            $0.provider = "openai"
            $0.tier = "premium"
            $0.attempt = 2
            $0.kind = .fallback
            $0.fallbackReason = "timeout"
            $0.fallbackFrom = "gpt-4o"
            $0.status = .error
            $0.actionOutcome = .abandoned
            $0.latencyMs = 1534
            $0.batch = true
            $0.serviceTier = .flex
            $0.qualityScore = 0.875
            $0.gatewayCost = Money(picos: Int64(123_456_789))
            $0.metadata = #"{"env":"prod","region":"eu-west-1"}"#
        },
        // `ts` with a +02:00 offset; prompt_tokens / completion_tokens.
        2: record("req-ts-offset", 1_791_194_401_000, "claude-sonnet-4-5", 500, 20),
        // `time` as epoch milliseconds.
        3: record("req-time-epoch-ms", 1_791_194_402_000, "gemini-2.5-flash", 10, 5),
        // Chat Completions usage with its details objects.
        4: record("req-usage-chat", 1_791_203_400_000, "gpt-5", 2000, 800) {
            $0.cachedInputTokens = 1500
            $0.reasoningTokens = 600
        },
        // Responses usage; a -05:00 offset with a one-digit fraction.
        5: record("req-usage-responses", 1_791_203_400_500, "gpt-5", 900, 90) {
            $0.cachedInputTokens = 100
            $0.reasoningTokens = 30
        },
        // Epoch milliseconds as a string; attempt 3 without a kind is a retry.
        8: record("req-epoch-string", 1_791_244_799_000, "gpt-4o", 1, 1) {
            $0.attempt = 3
            $0.kind = .retry
        },
        // Microseconds are cut to milliseconds; fallback_from without a kind is a fallback.
        9: record("req-derived-fallback", 1_791_244_799_999, "gpt-4o", 10, 2) {
            $0.kind = .fallback
            $0.fallbackFrom = "claude-sonnet-4-5"
            $0.serviceTier = .priority
            $0.batch = false
            $0.status = .rateLimited
            $0.actionOutcome = .completed
        },
        // Tokens as a string and as 7.0; `auto` is the standard tier; batch 1; null and "" are absent.
        10: record("req-extras", 1_791_244_800_000, "my-finetune-v2", 42, 7) {
            $0.batch = true
            $0.kind = .classifier
            $0.status = .timeout
        },
        11: record("req-validation", 1_791_244_800_001, "gpt-4o-mini", 1500, 1) {
            $0.kind = .validation
            $0.status = .invalidOutput
            $0.actionOutcome = .failed
            $0.actionID = "act-1"
        },
        12: record("req-unicode", 1_791_244_801_000, "gpt-4o-mini", 3, 1) {
            $0.team = "équipe-支援"
            $0.userID = "café 😀"
        },
        // Anthropic-style cache names inside usage.
        13: record("req-usage-cache", 1_791_244_802_000, "claude-sonnet-4-5", 5000, 100) {
            $0.cachedInputTokens = 3000
            $0.cacheWriteTokens = 1000
            $0.cacheWrite1hTokens = 500
            $0.reasoningTokens = 10
        },
    ]

    @Test func everyLineOfTheValidFixtureParsesToItsValues() throws {
        let lines = try RoutingLogFixtures.lines("valid.jsonl")
        #expect(lines.count == 13)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard let expected = Self.expectedValid[number] else {
                #expect(line.allSatisfy { $0 == 0x20 || $0 == 0x09 }, "line \(number) should be blank")
                continue
            }
            switch parse(line) {
            case .success(let r): #expect(r == expected, "line \(number)")
            case .failure(let reason): Issue.record("line \(number) rejected: \(reason)")
            }
        }
    }

    @Test func everyRejectedLineOfTheMalformedFixtureHasItsReason() throws {
        let expected = try RoutingLogFixtures.expectedRejects()
        let lines = try RoutingLogFixtures.lines("malformed.jsonl")
        #expect(expected.count >= 30)
        #expect(Set(expected.values) == ["missing_field", "negative_tokens", "cached_exceeds_input", "reasoning_exceeds_output",
                                         "invalid_utf8", "unknown_value", "out_of_range", "invalid_timestamp", "wrong_type",
                                         "malformed_json"])
        for (index, line) in lines.enumerated() {
            let number = index + 1
            switch (parse(line), expected[number]) {
            case (.success, nil): break
            case (.success(let r), let code?): Issue.record("line \(number) (\(r.requestID)) parsed, expected \(code)")
            case (.failure(let reason), nil): Issue.record("line \(number) rejected (\(reason)), expected to parse")
            case (.failure(let reason), let code?): #expect(reason.code == code, "line \(number): \(reason)")
            }
        }
    }

    @Test func eachMissingRequiredFieldIsNamed() {
        let full: [(String, String)] = [("timestamp", #""2026-10-05T10:00:00Z""#), ("request_id", #""r""#),
                                        ("model", #""m""#), ("input_tokens", "1"), ("output_tokens", "1")]
        for dropped in full.map(\.0) {
            let body = full.filter { $0.0 != dropped }.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",")
            #expect(parse("{\(body)}") == .failure(.missingField(dropped)), "without \(dropped)")
        }
        let all = full.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",")
        #expect(rejectCode("{\(all)}") == nil)
    }

    @Test func timestampForms() throws {
        func ms(_ value: String) -> Int64? {
            if case .success(let r) = parse(#"{"timestamp":\#(value),"request_id":"r","model":"m","input_tokens":1,"output_tokens":1}"#) {
                return r.timestamp.milliseconds
            }
            return nil
        }
        // 2026-10-05T10:00:00Z is 1791194400 s after the epoch.
        #expect(ms(#""2026-10-05T10:00:00Z""#) == 1_791_194_400_000)
        #expect(ms(#""2026-10-05T10:00:00.123Z""#) == 1_791_194_400_123)
        #expect(ms(#""2026-10-05T12:00:00+02:00""#) == 1_791_194_400_000)
        #expect(ms(#""2026-10-05T04:30:00-05:30""#) == 1_791_194_400_000)
        #expect(ms("1791194400123") == 1_791_194_400_123)
        #expect(ms(#""1791194400123""#) == 1_791_194_400_123)
        #expect(ms(#""2026-13-01T00:00:00Z""#) == nil)
        #expect(rejectCode(#"{"timestamp":"2026-10-05T10:00:00Q","request_id":"r","model":"m","input_tokens":1,"output_tokens":1}"#)
                == "invalid_timestamp")
        #expect(rejectCode(#"{"timestamp":"","request_id":"r","model":"m","input_tokens":1,"output_tokens":1}"#) == "invalid_timestamp")
        #expect(rejectCode(#"{"timestamp":{},"request_id":"r","model":"m","input_tokens":1,"output_tokens":1}"#) == "wrong_type")
    }

    @Test func theAliasesOfTimeAndTokens() {
        let viaTs = parse(#"{"ts":"2026-10-05T10:00:00Z","request_id":"r","model":"m","prompt_tokens":7,"completion_tokens":3}"#)
        let viaTime = parse(#"{"time":"2026-10-05T10:00:00Z","request_id":"r","model":"m","usage":{"input_tokens":7,"output_tokens":3}}"#)
        let canonical = parse(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":7,"output_tokens":3}"#)
        #expect(viaTs == canonical)
        #expect(viaTime == canonical)
        guard case .success(let r) = canonical else { Issue.record("canonical line rejected"); return }
        #expect(r.inputTokens == 7 && r.outputTokens == 3)
    }

    @Test func tokenLimits() {
        func tokens(_ input: String, _ output: String = "1") -> String {
            #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":\#(input),"output_tokens":\#(output)}"#
        }
        #expect(rejectCode(tokens("1000000000")) == nil)
        #expect(rejectCode(tokens("1000000001")) == "out_of_range")
        #expect(rejectCode(tokens("1", "1000000001")) == "out_of_range")
        #expect(rejectCode(tokens("9223372036854775807")) == "out_of_range")
        #expect(rejectCode(tokens("9223372036854775808")) == "out_of_range")
        #expect(rejectCode(tokens("-9223372036854775809")) == "out_of_range")
        #expect(rejectCode(tokens("1e30")) == "out_of_range")
        #expect(rejectCode(tokens("0.5")) == "out_of_range")
        #expect(rejectCode(tokens("1.25e1")) == "out_of_range")
        #expect(rejectCode(tokens("-1")) == "negative_tokens")
        #expect(rejectCode(tokens("0", "0")) == nil)
        #expect(rejectCode(tokens("true")) == "wrong_type")
        #expect(rejectCode(tokens("[1]")) == "wrong_type")
        // Numbers beyond 64 bits in other integer fields too.
        #expect(rejectCode(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"latency_ms":123456789012345678901234567890}"#)
                == "out_of_range")
        #expect(rejectCode(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"attempt":10001}"#)
                == "out_of_range")
    }

    @Test func cacheAndReasoningAgainstTheirTotals() {
        func line(_ input: Int, _ cached: Int, _ w5: Int, _ w1: Int, _ output: Int, _ reasoning: Int) -> String {
            #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":\#(input),"cached_input_tokens":\#(cached),"cache_write_tokens":\#(w5),"cache_write_1h_tokens":\#(w1),"output_tokens":\#(output),"reasoning_tokens":\#(reasoning)}"#
        }
        #expect(rejectCode(line(100, 50, 30, 20, 10, 10)) == nil)  // exactly all of input, all of output
        #expect(rejectCode(line(100, 50, 30, 21, 10, 10)) == "cached_exceeds_input")
        #expect(rejectCode(line(100, 101, 0, 0, 10, 0)) == "cached_exceeds_input")
        #expect(rejectCode(line(100, 0, 0, 0, 10, 11)) == "reasoning_exceeds_output")
        #expect(rejectCode(line(100, 0, -1, 0, 10, 0)) == "negative_tokens")
        // Through usage details.
        #expect(rejectCode(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","usage":{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":11}}}"#)
                == "cached_exceeds_input")
    }

    @Test func encodingProblems() {
        let head = Array(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"team":""#.utf8)
        let tail = Array(#""}"#.utf8)
        #expect(parse(head + [0xC3, 0x28] + tail) == .failure(.invalidUTF8))  // a lead byte without its continuation
        #expect(parse(head + [0xFF] + tail) == .failure(.invalidUTF8))
        #expect(parse(head + [0xED, 0xA0, 0x80] + tail) == .failure(.invalidUTF8))  // a surrogate encoded as UTF-8
        #expect(parse(head + Array(#"\udc00"#.utf8) + tail) == .failure(.invalidUTF8))  // a lone low surrogate
        #expect(parse(head + Array(#"\ud83d"#.utf8) + tail) == .failure(.invalidUTF8))  // a high surrogate alone
        if case .success(let r) = parse(head + Array("naïve".utf8) + tail) {
            #expect(r.team == "naïve")
        } else {
            Issue.record("valid UTF-8 rejected")
        }
    }

    @Test func unknownEnumerationValues() {
        for (field, value) in [("kind", "speculative"), ("status", "exploded"), ("action_outcome", "maybe"), ("service_tier", "turbo")] {
            let line = #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"\#(field)":"\#(value)"}"#
            #expect(parse(line) == .failure(.unknownValue(field: field, value: value)))
        }
        for (field, value) in [("kind", "retry"), ("status", "rate_limited"), ("action_outcome", "abandoned"), ("service_tier", "scale")] {
            let line = #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"\#(field)":"\#(value)"}"#
            #expect(rejectCode(line) == nil, "\(field) \(value)")
        }
    }

    @Test func malformedJSON() {
        for line in ["{", "{\"request_id\":", "[]", "\"text\"", "42", "{} {}", #"{"a":1,}"#, #"{"a" 1}"#, "nul"] {
            #expect(rejectCode(line) == "malformed_json", "\(line)")
        }
    }
}

@Suite struct RoutingLogFileTests {
    @Test func validFixtureImportsEveryRecordAndSkipsBlankLines() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.copy(fixture: "valid.jsonl")
        let summary = try ledger.importPaths([path])
        #expect(summary.rowsImported == Int64(RoutingLogParsingTests.expectedValid.count))
        #expect(summary.rejected == 0)
        #expect(summary.files.map(\.status) == [.imported])
        // Lines keep their numbers in the file, blank lines included.
        let lines = try ledger.rows("SELECT request_id, source_line FROM v_requests")
        var byID: [String: Int64] = [:]
        for row in lines { if case .text(let id) = row[0], case .integer(let n) = row[1] { byID[id] = n } }
        for (number, r) in RoutingLogParsingTests.expectedValid { #expect(byID[r.requestID] == Int64(number)) }
        // Stored values read back through the view, with names.
        let full = try ledger.rows("""
            SELECT timestamp, action_id, model, workflow, team, user_id, user_segment, project, api_key_id, provider, tier,
                   kind, status, attempt, fallback_reason, fallback_from, action_outcome, input_tokens, output_tokens,
                   cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier,
                   latency_ms, metadata
            FROM v_requests WHERE request_id = 'req-full'
            """)
        #expect(full.count == 1)
        #expect(full.first == [
            .text("2026-10-05T10:00:00.250Z"), .text("act-1"), .text("gpt-4o-mini"), .text("support-chat"), .text("support"),
            .text("u-42"), .text("enterprise"), .text("helpdesk"), .text("key-7"), .text("openai"), .text("premium"),
            .text("fallback"), .text("error"), .integer(2), .text("timeout"), .text("gpt-4o"), .text("abandoned"),
            .integer(1200), .integer(300), .integer(200), .integer(100), .integer(50), .integer(40), .integer(1), .text("flex"),
            .integer(1534), .text(#"{"env":"prod","region":"eu-west-1"}"#),
        ])
        #expect(try ledger.int("SELECT quality_score FROM requests WHERE request_id = 'req-full'") == 875_000)
        #expect(try ledger.int("SELECT gateway_cost FROM requests WHERE request_id = 'req-full'") == 123_456_789)
        #expect(try ledger.texts("SELECT team FROM v_requests WHERE request_id = 'req-unicode'") == ["équipe-支援"])
        #expect(try ledger.texts("SELECT workflow FROM v_requests WHERE request_id = 'req-extras'") == ["unassigned"])
    }

    @Test func malformedFixtureRejectsExactlyTheListedLinesAndKeepsTheRest() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.copy(fixture: "malformed.jsonl")
        let summary = try ledger.importPaths([path])
        let expected = try RoutingLogFixtures.expectedRejects()
        let lines = try RoutingLogFixtures.lines("malformed.jsonl")
        #expect(try ledger.rejects(ofPathEndingWith: "malformed.jsonl") == expected)
        #expect(summary.rejected == Int64(expected.count))
        #expect(summary.rowsImported == Int64(lines.count - expected.count))
        #expect(summary.allInputsRead)
        var byReason: [String: Int64] = [:]
        for code in expected.values { byReason[code, default: 0] += 1 }
        #expect(summary.rejectsByReason.mapValues(\.count) == byReason)
        // The good lines landed, with their line numbers.
        #expect(try ledger.texts("SELECT request_id || ':' || source_line FROM v_requests ORDER BY source_line")
                == ["mal-ok-1:1", "mal-ok-2:\(lines.count)"])
        // Each reject keeps the line's raw bytes.
        for row in try ledger.rows("SELECT line, raw FROM rejects") {
            guard case .integer(let n) = row[0], case .blob(let raw) = row[1] else { Issue.record("bad reject row \(row)"); continue }
            #expect(raw == lines[Int(n) - 1], "raw bytes of line \(n)")
        }
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.copy(fixture: "bom-crlf.jsonl")
        let bytes = try RoutingLogFixtures.bytes("bom-crlf.jsonl")
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(bytes.contains(0x0D))
        let summary = try ledger.importPaths([path])
        #expect(summary.rowsImported == 3)
        #expect(summary.rejected == 0)
        #expect(try ledger.texts("SELECT request_id || ' ' || team || ' ' || source_line FROM v_requests ORDER BY id")
                == ["bom-1 alpha 1", "bom-2 beta 3", "bom-3 gamma 4"])
        #expect(try ledger.int("SELECT count(*) FROM teams WHERE instr(name, char(13)) > 0") == 0)
        // Read to the end: a second import skips it.
        #expect(try ledger.importPaths([path]).files.map(\.status) == [.unchanged])
    }

    @Test func aLineTooLongIsRejectedAndTheNextLinesAreRead() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        /// A valid line of exactly `length` bytes (without its line end).
        func line(_ id: String, length: Int) -> String {
            let head = LogLine.call(id, #","metadata":{"pad":""#)
            let shell = head.dropLast() + "\"}}"  // close the string, metadata and the line
            return String(head.dropLast()) + String(repeating: "x", count: length - shell.utf8.count) + "\"}}"
        }
        let limit = LineReader.maxLineLength
        let atLimit = line("at-limit", length: limit)
        #expect(atLimit.utf8.count == limit)
        let text = LogLine.file([
            LogLine.call("before"),
            atLimit,
            line("just-over", length: limit + 1),
            LogLine.call("between"),
            line("far-over", length: 3 * limit),
            LogLine.call("after"),
        ])
        let path = try scratch.write("long.jsonl", text)
        let summary = try ledger.importPaths([path])
        #expect(summary.rowsImported == 4)
        #expect(try ledger.rejects(ofPathEndingWith: "long.jsonl") == [3: "line_too_long", 5: "line_too_long"])
        #expect(try ledger.texts("SELECT request_id FROM requests ORDER BY request_id") == ["after", "at-limit", "before", "between"])
        for kept in try ledger.rows("SELECT length(raw) FROM rejects") {
            guard case .integer(let n) = kept.first else { Issue.record("no raw length"); continue }
            #expect(n > 0 && n <= Int64(ImportLimits.rejectRawBytes))
        }
        #expect(try ledger.texts("SELECT message FROM rejects ORDER BY line")
                == ["line too long (\(limit + 1) bytes)", "line too long (\(3 * limit) bytes)"])
    }

    @Test func emptyAndBlankFilesAreReadAndHoldNothing() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let empty = try scratch.write("empty.jsonl", "")
        let blank = try scratch.write("blank.jsonl", "\n  \n\r\n")
        let summary = try ledger.importPaths([empty, blank])
        #expect(summary.allInputsRead)
        #expect(summary.rowsImported == 0 && summary.rejected == 0)
    }
}
