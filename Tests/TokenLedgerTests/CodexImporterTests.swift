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

@Suite struct CodexImporterTests {
    static let main = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    static let noModel = "0199b7e0-1a2b-7c3d-9e4f-5a6b7c8d9e0f"
    static let fork = "0199c0f4-5d6e-7f80-a1b2-c3d4e5f60718"
    static let mainFile = "codex/sessions/2026/01/12/rollout-2026-01-12T09-30-00-\(main).jsonl"
    static let noModelFile = "codex/sessions/2026/01/12/rollout-2026-01-12T14-02-11-\(noModel).jsonl"
    static let forkFile = "codex/sessions/2026/01/14/rollout-2026-01-14T10-05-00-\(fork).jsonl"

    static func importAll() throws -> ImportedDatabase {
        try ImportedDatabase([ImportFixtures.path("codex")], format: "codex")
    }

    /// Cost in picodollars of one request.
    static func cost(_ t: ImportedDatabase, _ id: String) throws -> Int64? {
        let rows = try t.rows("SELECT cost FROM requests WHERE request_id = ?", .text(id))
        guard let text = rows.first?.first ?? nil else { return nil }
        return Int64(text)
    }

    @Test func oneCallPerStepOfTheRunningTotal() throws {
        let t = try Self.importAll()
        #expect(t.summary.rowsImported == 6)
        let ids = try t.rows("SELECT request_id FROM v_requests WHERE action_id = ? ORDER BY ts_ms", .text(Self.main)).map { $0[0] ?? "" }
        // Ids are the session and the running input + output; the repeated 12,800 event is not a call.
        #expect(ids == ["\(Self.main):12800", "\(Self.main):28600", "\(Self.main):43000", "\(Self.main):55600"])

        let first = try t.request("\(Self.main):12800")
        #expect(first["model"] == "gpt-5.2")
        #expect(first["input_tokens"] == "12000" && first["cached_input_tokens"] == "9000")
        #expect(first["output_tokens"] == "800" && first["reasoning_tokens"] == "320")
        #expect(first["provider"] == "openai" && first["workflow"] == "codex" && first["action_id"] == Self.main)
        #expect(first["timestamp"] == "2026-01-12T09:30:09.902Z")
        #expect(first["source_line"] == "9")
        // The second call is the step from 12,000/9,000/800/320 to 26,500/21,000/2,100/900.
        let second = try t.request("\(Self.main):28600")
        #expect(second["input_tokens"] == "14500" && second["cached_input_tokens"] == "12000")
        #expect(second["output_tokens"] == "1300" && second["reasoning_tokens"] == "580")
        // After the turn_context that switched to gpt-5.
        #expect(try t.request("\(Self.main):43000")["model"] == "gpt-5")
        // The rejected lines 18 and 19 do not move the running total: the last call steps from 43,000.
        let last = try t.request("\(Self.main):55600")
        #expect(last["input_tokens"] == "12000" && last["cached_input_tokens"] == "9000" && last["output_tokens"] == "600")
    }

    @Test func pricedFromTheDefaultBook() throws {
        let t = try Self.importAll()
        // gpt-5.2 $1.75 / $0.175 cached / $14 per 1M: 3,000 × 1.75 + 9,000 × 0.175 + 800 × 14 = 18,025 µ$.
        #expect(try Self.cost(t, "\(Self.main):12800") == 18_025_000_000)
        // 2,500 × 1.75 + 12,000 × 0.175 + 1,300 × 14 = 24,675 µ$ (reasoning is inside output, not added).
        #expect(try Self.cost(t, "\(Self.main):28600") == 24_675_000_000)
        // gpt-5 $1.25 / $0.125 / $10: 4,500 × 1.25 + 9,000 × 0.125 + 900 × 10 = 15,750 µ$.
        #expect(try Self.cost(t, "\(Self.main):43000") == 15_750_000_000)
        // 3,000 × 1.25 + 9,000 × 0.125 + 600 × 10 = 10,875 µ$.
        #expect(try Self.cost(t, "\(Self.main):55600") == 10_875_000_000)
        // The fork's own call: 2,000 × 1.25 + 6,000 × 0.125 + 500 × 10 = 8,250 µ$.
        #expect(try Self.cost(t, "\(Self.fork):37100") == 8_250_000_000)
    }

    @Test func aSessionWithoutAModelIsUnpricedNotFree() throws {
        let t = try Self.importAll()
        let r = try t.request("\(Self.noModel):6000")
        #expect(r["model"] == CodexImporter.unrecordedModel)
        #expect(r["input_tokens"] == "5000" && r["output_tokens"] == "1000")
        #expect(try Self.cost(t, "\(Self.noModel):6000") == nil)
        #expect(t.summary.unpricedModels == [CodexImporter.unrecordedModel: 1])
        let unpriced = try UnpricedModels.read(db: t.db, book: try PriceStore(db: t.db).loadBook())
        #expect(unpriced.map(\.model) == [CodexImporter.unrecordedModel])
    }

    @Test func aForkDoesNotCountTheHistoryItReplays() throws {
        let t = try Self.importAll()
        let ids = try t.rows("SELECT request_id FROM v_requests WHERE action_id = ?", .text(Self.fork)).map { $0[0] ?? "" }
        #expect(ids == ["\(Self.fork):37100"])
        let r = try t.request("\(Self.fork):37100")
        #expect(r["input_tokens"] == "8000" && r["cached_input_tokens"] == "6000" && r["output_tokens"] == "500")
        #expect(r["model"] == "gpt-5")
        #expect(r["metadata"] == #"{"forked_from":"\#(Self.main)"}"#)
        #expect(try t.int("SELECT sum(input_tokens) FROM requests") == 12_000 + 14_500 + 13_500 + 12_000 + 5_000 + 8_000)
    }

    @Test func brokenTokenCountsAreRejectedWithTheirLines() throws {
        let t = try Self.importAll()
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["18 wrong_type", "19 malformed_json"])
        #expect(try t.int("SELECT count(*) FROM rejects r JOIN sources s ON s.id = r.source_id WHERE s.path LIKE ?",
                          .text("%\(Self.main).jsonl")) == 2)
        // Lines that are not JSON but hold none of the line types read are neither calls nor rejects.
        #expect(parseItems(CodexImporter.self, "not json\n{\"type\":\"response_item\"}\n").isEmpty)
    }

    @Test func reimportingAddsNothing() throws {
        let t = try Self.importAll()
        let again = try t.importMore([ImportFixtures.path("codex")], format: "codex")
        #expect(again.rowsImported == 0)
        // A copy of a session that grew by a line elsewhere is read again: its calls are duplicates.
        let dir = t.directory.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let copy = dir.appendingPathComponent((Self.mainFile as NSString).lastPathComponent)
        try (try ImportFixtures.text(Self.mainFile) + #"{"timestamp":"2026-01-12T09:50:00.000Z","type":"event_msg","payload":{"type":"user_message","message":"thanks"}}"# + "\n")
            .write(to: copy, atomically: true, encoding: .utf8)
        let copied = try t.importMore([copy.path])
        #expect(copied.files.map(\.format) == ["codex"])
        #expect(copied.rowsImported == 0)
        #expect(copied.duplicates == 4)
        #expect(try t.int("SELECT count(*) FROM requests") == 6)
    }

    @Test func aResumedReadKnowsTheSessionModelAndRunningTotal() throws {
        let lines = try ImportFixtures.text(Self.mainFile).components(separatedBy: "\n")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codex-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // No session id in this name: the resumed read must take it from the session_meta line.
        let file = dir.appendingPathComponent("session.jsonl")
        // Up to the turn_context that switches to gpt-5 (line 15) and the user message after it.
        try (lines[0..<16].joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let t = try ImportedDatabase([file.path])
        #expect(t.summary.rowsImported == 2)
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((lines[16...].joined(separator: "\n")).utf8))
        try handle.close()
        let more = try t.importMore([file.path])
        #expect(more.files.map(\.status) == [.resumed])
        #expect(more.rowsImported == 2)
        let r = try t.request("\(Self.main):43000")
        #expect(r["model"] == "gpt-5")
        #expect(r["input_tokens"] == "13500" && r["output_tokens"] == "900")  // the step, not the running total
        #expect(try t.int("SELECT sum(input_tokens) FROM requests") == 12_000 + 14_500 + 13_500 + 12_000)
    }

    static func tokenCount(_ time: String, total: (Int, Int, Int)?, last: (Int, Int, Int)?) -> String {
        func usage(_ u: (Int, Int, Int)?) -> String {
            guard let u else { return "null" }
            return #"{"input_tokens":\#(u.0),"cached_input_tokens":\#(u.1),"output_tokens":\#(u.2),"reasoning_output_tokens":0,"total_tokens":\#(u.0 + u.2)}"#
        }
        return #"{"timestamp":"\#(time)","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":\#(usage(total)),"last_token_usage":\#(usage(last)),"model_context_window":272000},"rate_limits":null}}"#
    }

    static let meta = #"{"timestamp":"2026-02-01T08:00:00.000Z","type":"session_meta","payload":{"id":"s-1","model_provider":"openai"}}"#
    static let turn = #"{"timestamp":"2026-02-01T08:00:01.000Z","type":"turn_context","payload":{"model":"gpt-5"}}"#

    @Test func aRunningTotalThatGoesBackStartsOver() {
        let text = [
            Self.meta, Self.turn,
            Self.tokenCount("2026-02-01T08:00:02Z", total: (1000, 0, 100), last: (1000, 0, 100)),
            Self.tokenCount("2026-02-01T08:00:03Z", total: (3000, 500, 300), last: (2000, 500, 200)),
            // The counter restarted: the event's own usage is the call.
            Self.tokenCount("2026-02-01T08:00:04Z", total: (1000, 0, 100), last: (1000, 0, 100)),
            Self.tokenCount("2026-02-01T08:00:05Z", total: (1500, 0, 150), last: (500, 0, 50)),
        ].joined(separator: "\n")
        let calls = parseItems(CodexImporter.self, text).calls
        #expect(calls.map(\.requestID) == ["s-1:1100", "s-1:3300", "s-1:1.1100", "s-1:1.1650"])
        #expect(calls.map(\.inputTokens) == [1000, 2000, 1000, 500])
        #expect(calls.map(\.cachedInputTokens) == [0, 500, 0, 0])
    }

    @Test func eventsWithoutATotalAddUpTheirLastUsage() {
        let text = [
            Self.meta, Self.turn,
            Self.tokenCount("2026-02-01T08:00:02Z", total: nil, last: (1000, 200, 100)),
            Self.tokenCount("2026-02-01T08:00:03Z", total: nil, last: (400, 0, 40)),
            Self.tokenCount("2026-02-01T08:00:04Z", total: nil, last: (0, 0, 0)),
        ].joined(separator: "\n")
        let calls = parseItems(CodexImporter.self, text).calls
        #expect(calls.map(\.requestID) == ["s-1:1100", "s-1:1540"])
        #expect(calls.map(\.outputTokens) == [100, 40])
    }

    @Test func stepsThatBreakARecordRuleAreRejected() {
        let text = [
            Self.meta, Self.turn,
            // cached above input in the step
            Self.tokenCount("2026-02-01T08:00:02Z", total: (100, 500, 10), last: nil),
            #"{"timestamp":"2026-02-01T08:00:03Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":-5,"output_tokens":1}}}}"#,
            #"{"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":900,"output_tokens":1}}}}"#,
            #"{"timestamp":"2026-02-01T08:00:03Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":[1]}}}"#,
        ].joined(separator: "\n")
        let rejects = parseItems(CodexImporter.self, text).compactMap { item -> String? in
            if case .reject(let r, let line, _) = item { return "\(line) \(r.code)" }
            return nil
        }
        #expect(rejects == ["3 cached_exceeds_input", "4 negative_tokens", "5 missing_field", "6 wrong_type"])
    }

    @Test func withoutASessionTheFileNameNamesIt() {
        let line = Self.tokenCount("2026-02-01T08:00:02Z", total: (10, 0, 1), last: nil)
        let settings = ImporterSettings(inputPath: "/h/.codex/sessions/2026/02/01/rollout-2026-02-01T08-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl")
        #expect(parseItems(CodexImporter.self, line, settings: settings).calls.map(\.requestID) == ["0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b:11"])
        // From standard input with no session_meta there is no session to key the call by.
        let items = parseItems(CodexImporter.self, line)
        #expect(items.calls.isEmpty && items.count == 1)
    }

    @Test func mapFillsRoutingFieldsFromSessionAttributes() throws {
        let settings = try ImporterSettings(parsingMap: "workflow=cwd,team=git.branch,user_id=originator,project=agent_role")
        let t = try ImportedDatabase([ImportFixtures.path("codex")], format: "codex", settings: settings)
        let r = try t.request("\(Self.main):12800")
        #expect(r["workflow"] == "/home/dev/shop" && r["team"] == "checkout-retry" && r["user_id"] == "codex_cli_rs")
        #expect(r["project"] == nil)
        #expect(try t.request("\(Self.fork):37100")["project"] == "reviewer")
        #expect(try t.request("\(Self.noModel):6000")["workflow"] == "/home/dev/infra")
    }

    @Test func candidateDirectories() {
        #expect(CodexImporter.candidateDirectories(environment: [:], home: "/home/me")
                == ["/home/me/.codex/sessions", "/home/me/.codex/archived_sessions"])
        #expect(CodexImporter.candidateDirectories(environment: ["CODEX_HOME": "~/work/codex/"], home: "/home/me")
                == ["/home/me/work/codex/sessions", "/home/me/work/codex/archived_sessions"])
        #expect(CodexImporter.candidateDirectories(environment: ["CODEX_HOME": " "], home: "/home/me").first == "/home/me/.codex/sessions")
    }

    @Test func defaultDirectoriesThatExist() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("codex-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sessions"), withIntermediateDirectories: true)
        #expect(CodexImporter.defaultDirectories(environment: ["CODEX_HOME": root.path], home: "/nowhere") == [root.path + "/sessions"])
        #expect(CodexImporter.defaultDirectories(environment: [:], home: root.path + "/nowhere").isEmpty)
    }

    @Test func sessionFromFileName() {
        #expect(CodexImporter.session(fromPath: "/a/rollout-2025-09-12T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl")
                == "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
        #expect(CodexImporter.session(fromPath: "/a/my-session.jsonl") == "my-session")
        #expect(CodexImporter.session(fromPath: "-") == nil)
    }

    @Test func detection() throws {
        #expect(try detectedFormat(Self.mainFile) == "codex")
        #expect(try detectedFormat(Self.forkFile) == "codex")
        #expect(try detectedFormat(Self.noModelFile) == "codex")
        // A file that starts mid-session (a turn_context line) is still Codex.
        let sample = InputSample(bytes: Array((Self.turn + "\n").utf8), name: "x.jsonl")
        #expect(ImportFormats.detect(sample)?.formatName == "codex")
    }
}
