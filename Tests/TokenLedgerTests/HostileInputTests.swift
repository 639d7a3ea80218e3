import Foundation
import Testing
import TestSupport
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Inputs built to break an importer: each import must finish in bounded time and memory, keep the good
/// rows, reject the bad ones with the right reason, and leave a database that passes `integrity_check`.
/// Large and odd inputs are made here at run time, never kept in the repository.
@Suite(.timeLimit(.minutes(5)))
struct HostileInputTests {
    /// A good routing-log line.
    static func good(_ id: String) -> String { LogLine.call(id) }

    /// The imported request ids, in file and line order.
    static func requestIDs(_ ledger: TestLedger) throws -> [String] {
        try ledger.texts("SELECT request_id FROM v_requests ORDER BY source_path, source_line")
    }

    static func expectIntact(_ ledger: TestLedger, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try ledger.texts("PRAGMA integrity_check") == ["ok"], sourceLocation: sourceLocation)
        #expect(try ledger.texts("PRAGMA foreign_key_check").isEmpty, sourceLocation: sourceLocation)
    }

    // MARK: Deep nesting

    @Test func jsonNested100kDeepIsRejectedNotAStackOverflow() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let depth = 100_000
        let open = String(repeating: "[", count: depth), close = String(repeating: "]", count: depth)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        let log = try scratch.write("nested.jsonl", LogLine.file([
            Self.good("n1"),
            #"{"request_id":"n2","model":"gpt-4o","metadata":\#(open)\#(close)}"#,
            open + close,
            objects,
            Self.good("n3"),
        ]))
        // Documents: the whole file is one nested value.
        let otlpDoc = try scratch.write("nested-otlp.json", #"{"resourceSpans":"# + open + close + "}")
        let summary = try ledger.importPaths([log])
        #expect(summary.allInputsRead)
        #expect(try Self.requestIDs(ledger) == ["n1", "n3"])
        #expect(try ledger.rejects(ofPathEndingWith: "nested.jsonl") == [2: "malformed_json", 3: "malformed_json", 4: "malformed_json"])

        for format in ["otlp-json", "litellm", "openai-usage", "anthropic-costs", "openrouter-generations"] {
            let s = try scratch.ledger("\(format).sqlite").importPaths([otlpDoc], options: ImportOptions(format: format))
            #expect(s.rejectsByReason["malformed_json"]?.count == 1, "\(format)")
            #expect(s.rejectsByReason["malformed_json"]?.firstMessage.contains("nesting deeper than") == true, "\(format)")
        }
        // The same depth through the tree parser and the catalogue reader.
        #expect(throws: JSONError.self) { try JSONValue.parse(open + close) }
        #expect(throws: LiteLLMCatalogError.self) {
            try LiteLLMCatalog.parse(Array((open + close).utf8), file: "c.json", effectiveFrom: CivilDate(year: 2026, month: 1, day: 1), source: "t")
        }
        try Self.expectIntact(ledger)
    }

    @Test func yamlNested100kDeepIsAnErrorNotAStackOverflow() throws {
        let depth = 100_000
        let flow = "tiers: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        #expect(throws: ConfigFileError.self) { try BudgetFile.parse(text: flow, path: "budget.yaml") }
        #expect(throws: ConfigFileError.self) { try PriceBookFile.parse(text: "prices: " + flow, path: "prices.yaml") }
        let block = (0..<2_000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(throws: ConfigFileError.self) { try BudgetFile.parse(text: block, path: "budget.yaml") }
    }

    // MARK: Numbers and text

    @Test func numbersBeyond64BitsNaNInfinityAndNegativeCountsAreRejects() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        func call(_ id: String, input: String) -> String {
            #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"\#(id)","model":"gpt-4o-mini","input_tokens":\#(input),"output_tokens":5}"#
        }
        let log = try scratch.write("numbers.jsonl", LogLine.file([
            Self.good("ok1"),
            call("big", input: "99999999999999999999999"),  // 2
            call("huge", input: "1e400"),  // 3
            call("bigstr", input: #""18446744073709551616""#),  // 4: 2^64 as a string
            call("nan", input: "NaN"),  // 5: not JSON
            call("inf", input: "Infinity"),  // 6: not JSON
            call("ninf", input: "-Infinity"),  // 7: not JSON
            call("nanstr", input: #""NaN""#),  // 8
            call("infstr", input: #""Infinity""#),  // 9
            call("neg", input: "-5"),  // 10
            call("negzero", input: "-0"),  // 11: zero is fine
            call("frac", input: "1.5"),  // 12
            call("tiny", input: "1e-400"),  // 13
            Self.good("ok2"),
        ]))
        let summary = try ledger.importPaths([log])
        #expect(summary.allInputsRead)
        #expect(try Self.requestIDs(ledger) == ["ok1", "negzero", "ok2"])
        #expect(try ledger.rejects(ofPathEndingWith: "numbers.jsonl") == [
            2: "out_of_range", 3: "out_of_range", 4: "out_of_range",
            5: "malformed_json", 6: "malformed_json", 7: "malformed_json",
            8: "wrong_type", 9: "wrong_type", 10: "negative_tokens", 12: "out_of_range", 13: "out_of_range",
        ])
        try Self.expectIntact(ledger)
    }

    @Test func numbersBeyond64BitsInOtherFormats() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        // OTLP: int64 attributes as decimal strings (the proto3 JSON mapping) and as numbers.
        func span(_ id: String, _ tokens: String) -> String {
            #"{"traceId":"\#(id)","spanId":"00000000000000a1","name":"chat gpt-4o","startTimeUnixNano":"1791194400000000000","endTimeUnixNano":"1791194401000000000","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":\#(tokens)}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"3"}}]}"#
        }
        func request(_ spans: [String]) -> String {
            #"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"t"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
        }
        let otlp = try scratch.write("otlp.jsonl", LogLine.file([
            request([span("0000000000000000000000000000000a", #""12""#)]),
            request([span("0000000000000000000000000000000b", #""99999999999999999999999""#)]),
            request([span("0000000000000000000000000000000c", "1e400")]),
            request([span("0000000000000000000000000000000d", #""-5""#)]),
            request([span("0000000000000000000000000000000e", #""NaN""#)]),
        ]))
        let s = try ledger.importPaths([otlp], options: ImportOptions(format: "otlp"))
        #expect(s.allInputsRead)
        #expect(s.rowsImported == 1)
        #expect(s.rejected == 4)
        let reasons = try ledger.rejects(ofPathEndingWith: "otlp.jsonl")
        #expect(reasons[2] == "out_of_range" && reasons[3] == "out_of_range")
        #expect(reasons[4] == "negative_tokens")
        #expect(reasons[5] == "wrong_type")

        // A provider CSV export.
        let header = "start_time,end_time,project_id,num_model_requests,model,input_tokens,output_tokens,input_cached_tokens"
        let csv = try scratch.write("usage.csv", [
            header,
            "1759622400,1759708800,p,1,gpt-4o,100,10,0",
            "1759622400,1759708800,p,1,gpt-4o-mini,99999999999999999999999,10,0",
            "1759622400,1759708800,p,1,o3,NaN,10,0",
            "1759622400,1759708800,p,1,o4-mini,-5,10,0",
            "1759622400,1759708800,p,1,gpt-4.1,Infinity,10,0",
        ].joined(separator: "\n") + "\n")
        let c = try ledger.importPaths([csv], options: ImportOptions(format: "openai-usage-csv"))
        #expect(c.allInputsRead)
        #expect(c.providerRowsImported == 1)
        #expect(c.rejected == 4)
        let csvReasons = try ledger.rejects(ofPathEndingWith: "usage.csv")
        #expect(csvReasons[3] == "out_of_range")
        #expect(csvReasons[4] == "wrong_type")
        #expect(csvReasons[5] == "negative_tokens")
        #expect(csvReasons[6] == "wrong_type")
        try Self.expectIntact(ledger)
    }

    @Test func invalidUTF8LoneSurrogatesAndNULBytes() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        func line(_ s: String) -> [UInt8] { Array(s.utf8) + [0x0A] }
        var bytes: [UInt8] = []
        bytes += line(Self.good("u1"))
        bytes += Array(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"bad-"#.utf8) + [0xC3, 0x28, 0xFF]
            + Array(#"","model":"m","input_tokens":1,"output_tokens":1}"#.utf8) + [0x0A]  // 2: invalid UTF-8
        bytes += line(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"s\ud800","model":"m","input_tokens":1,"output_tokens":1}"#)  // 3
        bytes += line(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"s\udc00x","model":"m","input_tokens":1,"output_tokens":1}"#)  // 4
        bytes += line(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"s\ud800\u0041","model":"m","input_tokens":1,"output_tokens":1}"#)  // 5
        bytes += Array(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"nul"#.utf8) + [0x00]
            + Array(#"","model":"m","input_tokens":1,"output_tokens":1}"#.utf8) + [0x0A]  // 6: a raw NUL inside a string
        bytes += [0x00, 0x00, 0x0A]  // 7: a line of NULs
        bytes += line(LogLine.call("escaped\\u0000nul"))  // 8: an escaped NUL is valid JSON text
        bytes += [0x00] + line(Self.good("u-after-nul"))  // 9: a NUL before the object
        bytes += Array(#"{"timestamp":"2026-10-05T10:00:00Z","request_id":"key","model":"m","input_tokens":1,"output_tokens":1,"x"#.utf8)
            + [0xFF] + Array(#"":1}"#.utf8) + [0x0A]  // 10: invalid UTF-8 in an unknown key
        bytes += line(Self.good("u2"))
        let path = try scratch.write("text.jsonl", bytes: bytes)
        let summary = try ledger.importPaths([path])
        #expect(summary.allInputsRead)
        #expect(try Self.requestIDs(ledger) == ["u1", "escaped\u{0}nul", "u2"])
        #expect(try ledger.rejects(ofPathEndingWith: "text.jsonl") == [
            2: "invalid_utf8", 3: "invalid_utf8", 4: "invalid_utf8", 5: "invalid_utf8",
            6: "malformed_json", 7: "malformed_json", 9: "malformed_json", 10: "invalid_utf8",
        ])
        // The raw bytes of a reject are kept as they were.
        let raw = try ledger.rows("SELECT raw FROM rejects WHERE line = 2")
        guard case .blob(let kept) = raw.first?.first else { Issue.record("no raw bytes kept"); return }
        #expect(kept == Array(bytes.split(separator: 0x0A)[1]))
        try Self.expectIntact(ledger)
    }

    @Test func byteOrderMarksInTheMiddleOfAFile() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        var bytes = bom + Array(LogLine.file([Self.good("b1")]).utf8)
        bytes += bom + Array(LogLine.file([Self.good("b2")]).utf8)  // a second file appended with its own mark
        bytes += Array(#"{"timestamp":"2026-10-05T10:00:00Z","#.utf8) + bom + Array(#""request_id":"b3","model":"m","input_tokens":1,"output_tokens":1}"#.utf8) + [0x0A]
        bytes += bom + [0x0A]  // a line holding only the mark is blank
        bytes += Array(LogLine.file([Self.good("b4")]).utf8)
        let path = try scratch.write("bom.jsonl", bytes: bytes)
        let summary = try ledger.importPaths([path])
        #expect(summary.allInputsRead)
        #expect(try Self.requestIDs(ledger) == ["b1", "b2", "b4"])
        #expect(try ledger.rejects(ofPathEndingWith: "bom.jsonl") == [3: "malformed_json"])

        // A CSV export with a mark before its header and again before a record.
        let header = "start_time,end_time,project_id,num_model_requests,model,input_tokens,output_tokens,input_cached_tokens\n"
        let csv = bom + Array(header.utf8) + Array("1759622400,1759708800,p,1,gpt-4o,100,10,0\n".utf8)
            + bom + Array("1759622400,1759708800,p,1,gpt-4o-mini,100,10,0\n".utf8)
        let c = try ledger.importPaths([try scratch.write("usage.csv", bytes: csv)])
        #expect(c.files.first?.format == "openai-usage-csv")
        #expect(c.providerRowsImported == 2)
        #expect(c.rejected == 0)
        try Self.expectIntact(ledger)
    }

    // MARK: CSV

    @Test func csvWithEmbeddedNewlinesDoubledQuotesAndSemicolons() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        // A LiteLLM spend-log table written by a spreadsheet in a `;` locale, with CRLF line ends.
        let header = "request_id;call_type;spend;total_tokens;prompt_tokens;completion_tokens;startTime;endTime;model;custom_llm_provider;user;metadata;status"
        func row(_ id: String, user: String = "u", model: String = "gpt-4o", metadata: String = "{}", spend: String = "0.001") -> String {
            "\(id);acompletion;\(spend);30;20;10;2026-01-08 12:00:00;2026-01-08 12:00:01;\(model);openai;\(user);\(metadata);success"
        }
        let rows = [
            header,
            row("semi-1", metadata: #""{""user_api_key_team_alias"": ""a;b""}""#),  // 2: doubled quotes and `;` in a quoted field
            row("semi-2", user: "\"ali\"\"ce;\r\nsmith\r\n\"\"the second\"\"\""),  // 3–5: line ends inside a quoted field
            row("semi-3", model: #"gpt-4"o"#),  // 6: a quote inside an unquoted field is a character
            row("semi-4", model: #""gpt-4o"x"#),  // 7: text after a closing quote
            row("semi-5", spend: "0,5"),  // 8: a decimal comma is not a number
            row("semi-6", user: "\"\""),  // 9: an empty quoted field
            "",  // 10: blank
            row("semi-7"),  // 11
        ]
        let path = try scratch.write("spend.csv", rows.joined(separator: "\r\n") + "\r\n")
        let summary = try ledger.importPaths([path])
        #expect(summary.allInputsRead)
        #expect(summary.files.first?.format == "litellm-csv")
        #expect(try ledger.texts("SELECT request_id FROM requests ORDER BY line") == ["semi-1", "semi-2", "semi-3", "semi-6", "semi-7"])
        // Line numbers count the lines of the file: semi-2 starts on line 3 and spans three lines.
        #expect(try ledger.texts("SELECT line FROM requests ORDER BY line") == ["2", "3", "6", "9", "11"])
        #expect(try ledger.texts("SELECT u.name FROM requests r JOIN users u ON u.id = r.user_id WHERE request_id = 'semi-2'")
                == ["ali\"ce;\nsmith\n\"the second\""])
        #expect(try ledger.texts("SELECT m.name FROM requests r JOIN models m ON m.id = r.model_id WHERE request_id = 'semi-3'") == [#"gpt-4"o"#])
        #expect(try ledger.rejects(ofPathEndingWith: "spend.csv") == [7: "malformed_json", 8: "wrong_type"])
        try Self.expectIntact(ledger)
    }

    @Test func csvWithAnUnclosedQuoteIsOneRejectNamingTheLines() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let header = "start_time,end_time,project_id,num_model_requests,model,input_tokens,output_tokens,input_cached_tokens"
        let body = "1759622400,1759708800,p,1,gpt-4o,100,10,0\n1759622400,1759708800,\"p,1,gpt-4o,100,10,0\n"
            + String(repeating: "1759622400,1759708800,p,1,gpt-4o,100,10,0\n", count: 1_000)
        let path = try scratch.write("open-quote.csv", header + "\n" + body)
        let summary = try ledger.importPaths([path], options: ImportOptions(format: "openai-usage-csv"))
        #expect(summary.allInputsRead)
        #expect(summary.providerRowsImported == 1)
        // The record that opens the quote runs to the end of the file: it is rejected, saying so.
        #expect(try ledger.rejects(ofPathEndingWith: "open-quote.csv") == [3: "malformed_json"])
        #expect(try ledger.texts("SELECT message FROM rejects") == ["malformed JSON: CSV quoted field opened on line 3 is never closed (lines 3–1003 read as one record)"])
        #expect(try ledger.int("SELECT complete FROM sources") == 1)
        try Self.expectIntact(ledger)
    }

    // MARK: Files and folders

    @Test func mixedFormatsInOneDirectory() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let dir = scratch.path("mixed")
        try scratch.write("mixed/a-routing.jsonl", bytes: try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("same-traffic/routing-log.jsonl"))).map { $0 })
        try scratch.write("mixed/b-otlp.jsonl", bytes: try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("otel/genai-current.jsonl"))).map { $0 })
        try scratch.write("mixed/c-usage.csv", bytes: try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("providers/openai/usage-dashboard-2025-10.csv"))).map { $0 })
        try scratch.write("mixed/d-litellm.json", bytes: try Data(contentsOf: URL(fileURLWithPath: ImportFixtures.path("litellm/spend-logs.json"))).map { $0 })
        try scratch.write("mixed/README.md", "# Logs\n\nNot an input.\n")
        try scratch.write("mixed/notes.json", #"{"owner":"ops","note":"not a log"}"#)
        let summary = try ledger.importPaths([dir])
        #expect(summary.files.map { ($0.path as NSString).lastPathComponent } == ["a-routing.jsonl", "b-otlp.jsonl", "c-usage.csv", "d-litellm.json", "notes.json"])
        #expect(summary.files.map(\.format) == ["routing-log", "otlp", "openai-usage-csv", "litellm", nil])
        #expect(summary.files.map(\.status) == [.imported, .imported, .imported, .imported, .failed])
        #expect(summary.files.last?.error?.contains("format not recognised") == true)
        #expect(!summary.allInputsRead)
        #expect(summary.rowsImported > 0 && summary.providerRowsImported > 0)
        #expect(try ledger.int("SELECT count(*) FROM sources") == 4)
        try Self.expectIntact(ledger)
    }

    @Test func aGzipFileCutInHalf() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let text = Array(LogLine.file((0..<5_000).map { Self.good("gz-\($0)") }).utf8)
        let compressed = gzipCompress(text)
        let path = try scratch.write("cut.jsonl.gz", bytes: Array(compressed.prefix(compressed.count / 2)))
        let summary = try ledger.importPaths([path, try scratch.write("after.jsonl", LogLine.file([Self.good("after")]))])
        #expect(summary.files.map(\.status) == [.failed, .imported])
        #expect(summary.files[0].error?.contains("gzip data is truncated") == true)
        let rows = summary.files[0].rows
        #expect(rows > 0 && rows < 5_000)
        // Exactly the first lines, none twice.
        #expect(try ledger.int("SELECT count(DISTINCT request_id) FROM v_requests WHERE source_path = '\(path)'") == rows)
        #expect(try ledger.int("SELECT max(line) FROM requests r JOIN sources s ON s.id = r.source_id WHERE s.path = '\(path)'") == rows)
        // Gzip data that is not gzip after its magic bytes.
        let damaged = try scratch.write("damaged.jsonl.gz", bytes: [0x1F, 0x8B] + Array(repeating: 0x41, count: 100))
        let d = try ledger.importPaths([damaged])
        #expect(d.files.first?.status == .failed)
        #expect(d.files.first?.error?.contains("gzip") == true)
        try Self.expectIntact(ledger)
    }

    @Test func emptyAndBlankFiles() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let empty = try scratch.write("empty.jsonl", "")
        let blank = try scratch.write("blank.jsonl", "\n\n  \t\r\n")
        let emptyCSV = try scratch.write("empty.csv", "")
        let emptyJSON = try scratch.write("empty.json", "")
        let summary = try ledger.importPaths([empty, blank, emptyCSV, emptyJSON])
        #expect(summary.allInputsRead)
        // Two empty files have the same (no) content: the second is skipped as such.
        #expect(summary.files.map(\.status) == [.imported, .imported, .sameContent, .sameContent])
        #expect(summary.rowsImported == 0 && summary.rejected == 0)
        // Every format reads an empty input as nothing.
        for format in ImportFormats.all {
            let s = try scratch.ledger("\(format.formatName).sqlite").importPaths([empty], options: ImportOptions(format: format.formatName))
            #expect(s.files.first?.status == .imported, "\(format.formatName)")
            #expect(s.allInputsRead, "\(format.formatName)")
            #expect(s.rowsImported == 0 && s.providerRowsImported == 0 && s.rejected == 0, "\(format.formatName)")
        }
        try Self.expectIntact(ledger)
    }

    @Test func tenThousandSmallFilesInOneDirectory() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let dir = scratch.path("many")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for i in 0..<10_000 {
            let name = String(format: "%05d.jsonl", i)
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(LogLine.file([Self.good("f-\(i)")]).utf8)))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let summary = try ledger.importPaths([dir])
        let elapsed = clock.now - started
        #expect(summary.allInputsRead)
        #expect(summary.files.count == 10_000)
        #expect(summary.rowsImported == 10_000)
        #expect(try ledger.int("SELECT count(DISTINCT request_id) FROM requests") == 10_000)
        #expect(try ledger.int("SELECT count(*) FROM sources WHERE complete = 1") == 10_000)
        // No descriptor is left open on any of the files. Only descriptors into this folder count: the
        // process-wide total moves with the tests that run beside this one.
        #expect(try Self.openDescriptors(into: dir) == 0)
        #expect(elapsed < .seconds(240), "10,000 files took \(elapsed)")
        // Importing the folder again finds every file unchanged.
        let again = try ledger.importPaths([dir])
        #expect(again.files.allSatisfy { $0.status == .unchanged })
        #expect(again.rowsImported == 0)
        try Self.expectIntact(ledger)
    }

    /// How many of this process's open descriptors point at a file inside `folder`.
    static func openDescriptors(into folder: String) throws -> Int {
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let prefix = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path + "/"
        return fds.filter { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) else { return false }
            return target.hasPrefix(prefix)
        }.count
    }

    @Test func symbolicLinkLoops() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        try scratch.write("root/a/one.jsonl", LogLine.file([Self.good("l1")]))
        try scratch.write("root/two.jsonl", LogLine.file([Self.good("l2")]))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: scratch.path("root/a/loop"), withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: scratch.path("root/a/self"), withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: scratch.path("root/ping.jsonl"), withDestinationPath: "pong.jsonl")
        try fm.createSymbolicLink(atPath: scratch.path("root/pong.jsonl"), withDestinationPath: "ping.jsonl")
        try fm.createSymbolicLink(atPath: scratch.path("root/me.jsonl"), withDestinationPath: "me.jsonl")
        let summary = try ledger.importPaths([scratch.path("root")])
        #expect(summary.allInputsRead)
        #expect(summary.files.map { ($0.path as NSString).lastPathComponent } == ["one.jsonl", "two.jsonl"])
        #expect(try Self.requestIDs(ledger).sorted() == ["l1", "l2"])
        // A looping link named on the command line is a clear failure, and the other inputs are read.
        let named = try ledger.importPaths([scratch.path("root/ping.jsonl"), scratch.path("root/a/loop/a/loop/two.jsonl")])
        #expect(named.files.map(\.status) == [.failed, .sameContent])
        #expect(named.files[0].error?.contains("symbolic links") == true)
        try Self.expectIntact(ledger)
    }

    // MARK: Long lines

    @Test func a50MBSingleLineIsRejectedAndTheLinesAroundItKept() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = scratch.path("long.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data(LogLine.file([Self.good("before")]).utf8))
        try handle.write(contentsOf: Data(#"{"request_id":"long","model":"gpt-4o","pad":""#.utf8))
        let chunk = Data(repeating: 0x61, count: 1 << 20)
        for _ in 0..<50 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\"}\n".utf8))
        try handle.write(contentsOf: Data(LogLine.file([Self.good("after")]).utf8))
        try handle.close()
        let summary = try ledger.importPaths([path])
        #expect(summary.allInputsRead)
        #expect(try Self.requestIDs(ledger) == ["before", "after"])
        #expect(try ledger.rejects(ofPathEndingWith: "long.jsonl") == [2: "line_too_long"])
        // The reject keeps the first bytes only.
        #expect(try ledger.int("SELECT length(raw) FROM rejects") <= Int64(ImportLimits.rejectRawBytes))
        try Self.expectIntact(ledger)
    }

    @Test func a50MBLineWithoutLineEndAtTheEndOfTheFile() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        var bytes = Array(LogLine.file([Self.good("first")]).utf8)
        bytes += Array(repeating: 0x7B, count: 50 << 20)  // 50 MB of `{`, never ended
        let path = try scratch.write("tail.jsonl", bytes: bytes)
        let summary = try ledger.importPaths([path])
        #expect(summary.allInputsRead)
        #expect(try Self.requestIDs(ledger) == ["first"])
        #expect(try ledger.rejects(ofPathEndingWith: "tail.jsonl") == [2: "line_too_long"])
        try Self.expectIntact(ledger)
    }
}
