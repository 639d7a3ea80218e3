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

@Suite struct ClaudeCodeImporterTests {
    static let session = ImportFixtures.claudeSession

    static func importAll() throws -> ImportedDatabase {
        try ImportedDatabase([ImportFixtures.path("claude-code")], format: "claude-code")
    }

    @Test func oneCallPerResponseKeepingTheCompleteLine() throws {
        let t = try Self.importAll()
        #expect(t.summary.rowsImported == 6)
        let a = try t.request("msg_01DemoA:req_011DemoA")
        #expect(a["output_tokens"] == "212")  // the last of 1, 1, 212
        #expect(a["source_line"] == "5")
        #expect(a["timestamp"] == "2026-01-09T10:00:01.123Z")  // when its first line was written
        // Anthropic's disjoint counts, added up: 4 + 3,100 written + 14,700 read.
        #expect(a["input_tokens"] == "17804")
        #expect(a["cached_input_tokens"] == "14700")
        #expect(a["cache_write_tokens"] == "3100")
        #expect(a["provider"] == "anthropic")
        #expect(try t.int("SELECT count(*) FROM requests WHERE request_id LIKE 'msg_01DemoA:%'") == 1)
    }

    @Test func sidechainReplaysSyntheticAndAPIErrorsAreNotCalls() throws {
        let t = try Self.importAll()
        let ids = try t.rows("SELECT request_id FROM v_requests ORDER BY request_id").map { $0[0] ?? "" }
        #expect(ids == ["msg_01DemoA:req_011DemoA", "msg_01DemoB:req_011DemoB", "msg_01DemoC:req_011DemoC",
                        "msg_01DemoE:req_011DemoE", "msg_01DemoF:req_011DemoF", "msg_01DemoSub:req_011DemoSub"])
        // The replay's 50,000 cached tokens are not counted.
        #expect(try t.int("SELECT sum(cached_input_tokens) FROM requests") == 14_700 + 17_800 + 3_000 + 2_000)
        #expect(try t.request("msg_01DemoC:req_011DemoC")["metadata"] == #"{"sidechain":true}"#)
    }

    @Test func oneHourWritesCostAndTier() throws {
        let t = try Self.importAll()
        let b = try t.request("msg_01DemoB:req_011DemoB")
        #expect(b["cache_write_tokens"] == "1000")
        #expect(b["cache_write_1h_tokens"] == "4000")
        #expect(b["input_tokens"] == "22806")  // 6 + 17,800 + 1,000 + 4,000
        #expect(try t.int("SELECT gateway_cost FROM requests WHERE request_id = 'msg_01DemoB:req_011DemoB'") == 40_308_000_000)
        // Priced by the book at the same amount Claude Code logged.
        #expect(try t.int("SELECT cost FROM requests WHERE request_id = 'msg_01DemoB:req_011DemoB'") == 40_308_000_000)
        #expect(try t.request("msg_01DemoE:req_011DemoE")["service_tier"] == "priority")
        // Without the 5m/1h breakdown, cache_creation_input_tokens are 5-minute writes.
        let f = try t.request("msg_01DemoF:req_011DemoF")
        #expect(f["cache_write_tokens"] == "2200" && f["cache_write_1h_tokens"] == "0")
    }

    @Test func workflowAndProjectAreTheWorkingDirectoryAndActionTheSession() throws {
        let t = try Self.importAll()
        let rows = try t.rows("SELECT request_id, workflow, project, action_id FROM v_requests ORDER BY request_id")
        for row in rows {
            let infra = row[0] == "msg_01DemoF:req_011DemoF"
            #expect(row[1] == (infra ? "/home/dev/infra" : "/home/dev/shop"))
            #expect(row[2] == row[1])
            #expect(row[3] == (infra ? "0b5e9d1c-7a2f-4e63-8c14-9d2e3f4a5b6c" : Self.session))
        }
        // The subagent's call belongs to the parent session's action.
        #expect(try t.int("SELECT calls FROM actions WHERE action_id = ?", .text(Self.session)) == 5)
    }

    @Test func brokenLinesAreRejectedAndLinesWithoutUsageIgnored() throws {
        let t = try Self.importAll()
        #expect(try t.rejects().map { "\($0.line) \($0.reason)" } == ["12 malformed_json"])
        // A line that is not JSON but holds no usage is not a call and not a reject.
        let items = parseItems(ClaudeCodeImporter.self, "this is not json\n{\"type\":\"summary\"}\n")
        #expect(items.isEmpty)
    }

    static func line(_ message: String, request: String, output: Int, cacheRead: Int = 100, sidechain: Bool = false,
                     time: String = "2026-01-09T10:00:00.000Z", model: String = "claude-sonnet-4-5") -> String {
        #"{"isSidechain":\#(sidechain),"sessionId":"s-1","message":{"id":"\#(message)","model":"\#(model)","usage":{"input_tokens":5,"cache_read_input_tokens":\#(cacheRead),"output_tokens":\#(output)}},"requestId":"\#(request)","timestamp":"\#(time)"}"#
    }

    @Test func theLargestTotalWinsWhateverTheOrder() {
        let text = [
            Self.line("m1", request: "r1", output: 300, time: "2026-01-09T10:00:02.000Z"),
            Self.line("m1", request: "r1", output: 2, time: "2026-01-09T10:00:01.000Z"),
            Self.line("m2", request: "r2", output: 7),
        ].joined(separator: "\n")
        let calls = parseItems(ClaudeCodeImporter.self, text).calls
        #expect(calls.map(\.requestID) == ["m1:r1", "m2:r2"])
        #expect(calls[0].outputTokens == 300)
        #expect(calls[0].timestamp == Timestamp.parse(iso: "2026-01-09T10:00:01Z"))
    }

    @Test func theMainChainWinsOverASidechainReplaySeenFirst() {
        let text = [
            Self.line("m1", request: "r-replay", output: 10, cacheRead: 50_000, sidechain: true),
            Self.line("m1", request: "r-main", output: 10, cacheRead: 20),
            Self.line("m1", request: "r-main", output: 5, cacheRead: 5),
            Self.line("m2", request: "r-side", output: 30, cacheRead: 700, sidechain: true),
        ].joined(separator: "\n")
        let calls = parseItems(ClaudeCodeImporter.self, text).calls
        #expect(calls.map(\.requestID) == ["m1:r-main", "m2:r-side"])
        #expect(calls.map(\.cachedInputTokens) == [20, 700])
    }

    @Test func projectsUnderTheHomeFolderAreShownFromIt() {
        let text = #"{"cwd":"/home/me/dev/shop","sessionId":"s-9","message":{"id":"m","model":"claude-haiku-4-5","usage":{"input_tokens":1,"output_tokens":1}},"requestId":"r","timestamp":"2026-01-09T10:00:00Z"}"#
        // The home the session file lies under.
        let underHome = parseItems(ClaudeCodeImporter.self, text,
                                   settings: ImporterSettings(inputPath: "/home/me/.claude/projects/-home-me-dev-shop/s-9.jsonl")).calls.first
        #expect(underHome?.project == "~/dev/shop")
        #expect(underHome?.workflow == "~/dev/shop")
        let config = parseItems(ClaudeCodeImporter.self, text,
                                settings: ImporterSettings(inputPath: "/home/me/.config/claude/projects/-home-me-dev-shop/s-9.jsonl")).calls.first
        #expect(config?.project == "~/dev/shop")
        // Copied elsewhere: the importing user's home, else the whole path.
        let copied = ImporterSettings(inputPath: "/tmp/sessions/-home-me-dev-shop/s-9.jsonl", home: "/home/me/")
        #expect(parseItems(ClaudeCodeImporter.self, text, settings: copied).calls.first?.project == "~/dev/shop")
        let elsewhere = ImporterSettings(inputPath: "/tmp/sessions/-home-me-dev-shop/s-9.jsonl", home: "/home/other")
        #expect(parseItems(ClaudeCodeImporter.self, text, settings: elsewhere).calls.first?.project == "/home/me/dev/shop")
        // A folder that only starts like the home is not under it.
        #expect(ClaudeCodeImporter.projectPath("/home/melissa/x", homes: ["/home/me"]) == "/home/melissa/x")
        #expect(ClaudeCodeImporter.projectPath("/home/me", homes: ["/home/me"]) == "~")
        // --map still wins.
        let mappedProject = parseItems(ClaudeCodeImporter.self, text, settings: ImporterSettings(fieldMap: ["project": "sessionId"])).calls.first
        #expect(mappedProject?.project == "s-9")
    }

    @Test func workflowFromTheWorkingDirectoryWhenThereIsNoPath() {
        let text = #"{"cwd":"/home/dev/my.app","sessionId":"s-9","message":{"id":"m","model":"claude-haiku-4-5","usage":{"input_tokens":1,"output_tokens":1}},"requestId":"r","timestamp":"2026-01-09T10:00:00Z"}"#
        let call = parseItems(ClaudeCodeImporter.self, text).calls.first
        #expect(call?.workflow == "/home/dev/my.app")
        #expect(call?.project == "/home/dev/my.app")
        #expect(call?.actionID == "s-9")
        let mapped = parseItems(ClaudeCodeImporter.self, text.replacingOccurrences(of: "\"cwd\"", with: "\"gitBranch\":\"main\",\"cwd\""),
                                settings: ImporterSettings(fieldMap: ["team": "gitBranch", "user_id": "cwd"])).calls.first
        #expect(mapped?.team == "main")
        #expect(mapped?.userID == "/home/dev/my.app")
    }

    @Test func placeOfSessionFiles() {
        #expect(ClaudeCodeImporter.place(of: "/home/me/.claude/projects/-home-me-app/s-1.jsonl") == ("-home-me-app", "s-1"))
        #expect(ClaudeCodeImporter.place(of: "/home/me/.claude/projects/-home-me-app/s-1/subagents/agent-7.jsonl") == ("-home-me-app", "s-1"))
        #expect(ClaudeCodeImporter.place(of: "/home/me/projects/work/.claude/projects/-w/s-2.jsonl") == ("-w", "s-2"))
        #expect(ClaudeCodeImporter.place(of: "/tmp/export/s-3.jsonl") == ("export", "s-3"))
        #expect(ClaudeCodeImporter.place(of: "/tmp/export/s-3/subagents/a.jsonl") == ("export", "s-3"))
        #expect(ClaudeCodeImporter.place(of: "s-4.jsonl") == (nil, "s-4"))
        #expect(ClaudeCodeImporter.place(of: "-") == (nil, nil))
        #expect(ClaudeCodeImporter.place(of: nil) == (nil, nil))
    }

    @Test func candidateDirectories() {
        #expect(ClaudeCodeImporter.candidateDirectories(environment: [:], home: "/home/me")
                == ["/home/me/.config/claude/projects", "/home/me/.claude/projects"])
        #expect(ClaudeCodeImporter.candidateDirectories(environment: ["XDG_CONFIG_HOME": "/x"], home: "/home/me")
                == ["/x/claude/projects", "/home/me/.claude/projects"])
        #expect(ClaudeCodeImporter.candidateDirectories(environment: ["CLAUDE_CONFIG_DIR": " ~/a , /b/projects/,/b"], home: "/home/me")
                == ["/home/me/a/projects", "/b/projects"])
    }

    @Test func defaultDirectoriesThatExist() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("claude-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".claude/projects"), withIntermediateDirectories: true)
        #expect(ClaudeCodeImporter.defaultDirectories(environment: [:], home: root.path) == [root.path + "/.claude/projects"])
        #expect(ClaudeCodeImporter.defaultDirectories(environment: ["CLAUDE_CONFIG_DIR": root.path + "/nowhere"], home: root.path).isEmpty)
    }

    @Test func detection() throws {
        #expect(try detectedFormat(ImportFixtures.claudeShopSession) == "claude-code")
        #expect(try detectedFormat(ImportFixtures.claudeSubagent) == "claude-code")
    }

    @Test func oddLinesNeverCrash() {
        let cases = [
            #"{"message":{"usage":{}}}"#, #"{"message":{"usage":{"input_tokens":"x"}}}"#, #"{"message":"usage","usage":{}}"#,
            #"{"message":{"model":"m","usage":{"input_tokens":9223372036854775807,"output_tokens":1,"cache_read_input_tokens":9223372036854775807}},"timestamp":"2026-01-09T10:00:00Z","uuid":"u"}"#,
            #"{"message":{"model":"m","id":"i","usage":{"input_tokens":1,"output_tokens":-1}},"timestamp":"2026-01-09T10:00:00Z"}"#,
            #"{"message":{"model":"m","id":"i","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":"yesterday"}"#,
            #"{"message":{"model":"m","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":"2026-01-09T10:00:00Z"}"#,
            #"{"costUSD":"lots","message":{"model":"m","id":"i","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":"2026-01-09T10:00:00Z"}"#,
            String(repeating: #"{"usage":{"a":"#, count: 20_000),
        ]
        for text in cases {
            let items = parseItems(ClaudeCodeImporter.self, text)
            for call in items.calls { #expect(call.validationProblem() == nil) }
            #expect(items.calls.isEmpty)
        }
    }
}
