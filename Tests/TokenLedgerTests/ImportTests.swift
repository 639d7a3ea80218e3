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

@Suite struct ImportDeduplicationTests {
    @Test func duplicatesAndConflictsInsideAndAcrossFiles() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let a = try scratch.copy(fixture: "duplicates/a.jsonl")
        let b = try scratch.copy(fixture: "duplicates/b.jsonl")
        let summary = try ledger.importPaths([a, b])

        // dup-1, dup-2, dup-3 from a.jsonl, dup-4 from b.jsonl: each request id once.
        #expect(try ledger.texts("SELECT request_id FROM requests ORDER BY request_id") == ["dup-1", "dup-2", "dup-3", "dup-4"])
        #expect(summary.rowsImported == 4)
        // a.jsonl:3 repeats a.jsonl:1; b.jsonl:1 repeats a.jsonl:2.
        #expect(summary.duplicates == 2)
        #expect(summary.files.map(\.duplicates) == [1, 1])
        // a.jsonl:5 contradicts a.jsonl:4; b.jsonl:2 contradicts a.jsonl:1.
        #expect(try ledger.rejects(ofPathEndingWith: "a.jsonl") == [5: "conflict"])
        #expect(try ledger.rejects(ofPathEndingWith: "b.jsonl") == [2: "conflict"])
        let list = try RejectList.read(db: ledger.db, source: nil, reason: "conflict", limit: 0)
        #expect(list.total == 2)
        let found = list.rows.map { "\($0.path):\($0.line) ← \($0.conflictPath ?? "nil"):\($0.conflictLine ?? -1)" }
        #expect(found == ["\(a):5 ← \(a):4", "\(b):2 ← \(a):1"])
        // The message names the first copy's place; the reject row is the second copy's place.
        #expect(list.rows[1].message.contains("\(a):1"))
        #expect(list.rows[1].message.contains("dup-1"))
        #expect(summary.rejectsByReason["conflict"]?.examples == ["\(a):5", "\(b):2"])

        // The first copy is kept.
        #expect(try ledger.texts("SELECT model FROM v_requests WHERE request_id = 'dup-1'") == ["gpt-4o-mini"])
        #expect(try ledger.int("SELECT output_tokens FROM requests WHERE request_id = 'dup-3'") == 10)
        #expect(try ledger.texts("SELECT source_path || ':' || source_line FROM v_requests WHERE request_id = 'dup-1'") == ["\(a):1"])
        // The action counts each stored call once: dup-1 and dup-4.
        #expect(try ledger.int("SELECT calls FROM actions WHERE action_id = 'act-dup'") == 2)
    }

    @Test func importingTheSameFilesAgainAddsNothing() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let a = try scratch.copy(fixture: "duplicates/a.jsonl")
        let b = try scratch.copy(fixture: "duplicates/b.jsonl")
        try ledger.importPaths([a, b])
        let before = try ledger.totals
        let again = try ledger.importPaths([b, a])
        #expect(again.files.map(\.status) == [.unchanged, .unchanged])
        #expect(again.rowsImported == 0 && again.rejected == 0 && again.duplicates == 0)
        #expect(try ledger.totals == before)
        #expect(try ledger.int("SELECT count(*) FROM sources") == 2)
    }

    @Test func theSameContentUnderAnotherPathIsSkipped() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let first = try scratch.copy(fixture: "valid.jsonl", as: "first.jsonl")
        let copy = try scratch.copy(fixture: "valid.jsonl", as: "elsewhere/copy.jsonl")
        try ledger.importPaths([first])
        let before = try ledger.totals
        let summary = try ledger.importPaths([copy])
        #expect(summary.files.first?.status == .sameContent)
        #expect(summary.files.first?.sameAs == first)
        #expect(try ledger.totals == before)
    }

    @Test func aDifferentFileWithTheSameRequestsStoresNothingNew() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let lines = [LogLine.call("r1"), LogLine.call("r2", at: "2026-10-05T10:00:01Z")]
        let one = try scratch.write("one.jsonl", LogLine.file(lines))
        // Same requests, other order and spacing: not the same bytes, the same requests.
        let two = try scratch.write("two.jsonl", LogLine.file(lines.reversed()) + "\n")
        try ledger.importPaths([one])
        let summary = try ledger.importPaths([two])
        #expect(summary.files.first?.status == .imported)
        #expect(summary.duplicates == 2 && summary.rowsImported == 0 && summary.rejected == 0)
        #expect(try ledger.int("SELECT count(*) FROM requests") == 2)
    }
}

@Suite struct ImportResumeTests {
    @Test func aGrownFileResumesAfterTheLastLineRead() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.write("grow.jsonl", LogLine.file((1...5).map { LogLine.call("g\($0)", at: "2026-10-05T10:00:0\($0)Z") }))
        #expect(try ledger.importPaths([path]).rowsImported == 5)

        try scratch.append("grow.jsonl", bytes: Array(LogLine.file([
            LogLine.call("g6", at: "2026-10-05T10:00:06Z"),
            "not json",
            LogLine.call("g7", at: "2026-10-05T10:00:07Z"),
        ]).utf8))
        let summary = try ledger.importPaths([path])
        let file = try #require(summary.files.first)
        #expect(file.status == .resumed)
        #expect(file.resumedAtLine == 5)
        #expect(file.rows == 2)
        #expect(file.duplicates == 0)  // the first five lines were not read again
        #expect(try ledger.rejects(ofPathEndingWith: "grow.jsonl") == [7: "malformed_json"])
        #expect(try ledger.texts("SELECT request_id || ':' || source_line FROM v_requests ORDER BY id")
                == ["g1:1", "g2:2", "g3:3", "g4:4", "g5:5", "g6:6", "g7:8"])
        // One source, read to its new end.
        #expect(try ledger.int("SELECT count(*) FROM sources") == 1)
        #expect(try ledger.int("SELECT lines_done FROM sources") == 8)
        #expect(try ledger.importPaths([path]).files.first?.status == .unchanged)
    }

    @Test func aRewrittenFileIsReadAgainFromTheStart() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.write("log.jsonl", LogLine.file([LogLine.call("w1"), LogLine.call("w2")]))
        try ledger.importPaths([path])
        // Same size or longer, but the first bytes changed: not a grown file.
        try scratch.write("log.jsonl", LogLine.file([LogLine.call("w9"), LogLine.call("w2"), LogLine.call("w3")]))
        let summary = try ledger.importPaths([path])
        #expect(summary.files.first?.status == .imported)
        #expect(summary.rowsImported == 2)
        #expect(summary.duplicates == 1)
        #expect(try ledger.texts("SELECT request_id FROM requests ORDER BY request_id") == ["w1", "w2", "w3", "w9"])

        // Rotated: shorter than what was read before.
        try scratch.write("log.jsonl", LogLine.file([LogLine.call("w4")]))
        let rotated = try ledger.importPaths([path])
        #expect(rotated.files.first?.status == .imported)
        #expect(rotated.rowsImported == 1)
    }

    @Test func aTruncatedLastLineIsImportedOnceTheLineIsCompleted() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.copy(fixture: "truncated.jsonl")
        let first = try ledger.importPaths([path])
        #expect(first.rowsImported == 2)
        #expect(first.allInputsRead)
        #expect(try ledger.rejects(ofPathEndingWith: "truncated.jsonl") == [3: "truncated_line"])
        // Not complete: it has not been read to a line end.
        #expect(try ledger.int("SELECT complete FROM sources") == 0)
        #expect(try ledger.int("SELECT lines_done FROM sources") == 2)

        // Unchanged and imported again: still one reject for the line, no new rows.
        let again = try ledger.importPaths([path])
        #expect(again.rowsImported == 0 && again.duplicates == 0)
        #expect(try ledger.int("SELECT count(*) FROM rejects") == 1)
        #expect(try ledger.int("SELECT rejected FROM sources") == 1)

        // The writer finishes the line and adds another.
        try scratch.append("truncated.jsonl", bytes: try RoutingLogFixtures.bytes("truncated.rest"))
        let completed = try ledger.importPaths([path])
        #expect(completed.files.first?.status == .resumed)
        #expect(completed.rowsImported == 2)
        #expect(completed.rejected == 0)
        #expect(try ledger.int("SELECT count(*) FROM rejects") == 0)
        // The source's count of rejects agrees with its reject rows.
        #expect(try ledger.int("SELECT rejected FROM sources") == 0)
        #expect(try ledger.texts("SELECT request_id || ':' || source_line FROM v_requests ORDER BY id")
                == ["trunc-1:1", "trunc-2:2", "trunc-3:3", "trunc-4:4"])
        #expect(try ledger.int("SELECT input_tokens FROM requests WHERE request_id = 'trunc-3'") == 300)
        #expect(try ledger.int("SELECT complete FROM sources") == 1)
        #expect(try ledger.importPaths([path]).files.first?.status == .unchanged)
    }

    @Test func aValidLastLineWithoutLineEndCountsAsRead() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.write("open.jsonl", LogLine.call("o1") + "\n" + LogLine.call("o2"))
        #expect(try ledger.importPaths([path]).rowsImported == 2)
        #expect(try ledger.importPaths([path]).files.first?.status == .unchanged)
        try scratch.append("open.jsonl", bytes: Array(("\n" + LogLine.call("o3") + "\n").utf8))
        let summary = try ledger.importPaths([path])
        #expect(summary.files.first?.status == .resumed)
        #expect(summary.rowsImported == 1 && summary.duplicates == 0 && summary.rejected == 0)
    }

    @Test func eachCommittedBatchRecordsHowFarTheFileGot() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let bytes = sampleLog(calls: 3_000, seed: 11, days: 2)
        let path = try scratch.write("sample.jsonl", bytes: bytes)
        var options = ImportOptions()
        options.linesPerBatch = 100
        options.rowsPerTransaction = 400
        let importer = try Importer(database: ledger.db, prices: ledger.book, options: options)
        var commits = 0
        var problems: [String] = []
        importer.onProgress = { progress in
            // Called after each commit: what is stored is exactly the lines the source says were read.
            commits += 1
            do {
                let done = try ledger.int("SELECT bytes_done FROM sources ORDER BY id DESC LIMIT 1")
                let lines = try ledger.int("SELECT lines_done FROM sources ORDER BY id DESC LIMIT 1")
                let stored = try ledger.int("SELECT count(*) FROM requests")
                let maxLine = try ledger.int("SELECT coalesce(max(line), 0) FROM requests")
                let calls = try ledger.int("SELECT coalesce(sum(calls), 0) FROM actions")
                if done != progress.bytesDone { problems.append("bytes_done \(done) ≠ \(progress.bytesDone)") }
                if stored != progress.rows { problems.append("stored \(stored) ≠ rows \(progress.rows)") }
                if maxLine != lines { problems.append("last stored line \(maxLine) ≠ lines_done \(lines)") }
                if calls != stored { problems.append("action calls \(calls) ≠ requests \(stored)") }
                // The recorded byte offset is a line boundary of the file.
                if done > 0 && bytes[Int(done) - 1] != 0x0A { problems.append("bytes_done \(done) is not after a line end") }
            } catch {
                problems.append("\(error)")
            }
        }
        let summary = try importer.run(paths: [path])
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(commits >= 7)
        #expect(summary.rowsImported == Int64(splitLines(bytes).count))

        // The same file in one big transaction gives the same database content.
        let other = try scratch.ledger("other.sqlite")
        try other.importPaths([path])
        #expect(try other.requestRows() == ledger.requestRows())
        #expect(try other.actionFacts() == ledger.actionFacts())
    }
}

@Suite struct ImportInputTests {
    @Test func directoriesAreWalkedRecursivelyInOrderThroughSymbolicLinksWithoutLooping() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let root = scratch.path("logs")
        try scratch.write("logs/b.jsonl", LogLine.file([LogLine.call("d-b")]))
        try scratch.write("logs/a/z.ndjson", LogLine.file([LogLine.call("d-az")]))
        try scratch.write("logs/a/deeper/y.jsonl.gz", bytes: gzipCompress(Array(LogLine.file([LogLine.call("d-ay")]).utf8)))
        try scratch.write("logs/c.txt", LogLine.file([LogLine.call("d-txt")]))
        try scratch.write("logs/.hidden.jsonl", LogLine.file([LogLine.call("d-hidden")]))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: scratch.path("logs/a/deeper/loop"), withDestinationPath: "../..")  // back to logs/
        try fm.createSymbolicLink(atPath: scratch.path("logs/a/self"), withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: scratch.path("logs/dangling.jsonl"), withDestinationPath: "missing.jsonl")

        let expanded = InputPaths.expand([root])
        #expect(expanded == [
            .file("\(root)/a/deeper/y.jsonl.gz"),
            .file("\(root)/a/z.ndjson"),
            .file("\(root)/b.jsonl"),
        ])
        let summary = try ledger.importPaths([root])
        #expect(summary.allInputsRead)
        #expect(summary.rowsImported == 3)
        #expect(try ledger.texts("SELECT request_id FROM requests ORDER BY request_id") == ["d-ay", "d-az", "d-b"])
    }

    @Test func theFormatIsTakenFromTheContentNotTheName() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let log = try scratch.write("gateway-2026-10-05.log", LogLine.file([LogLine.call("n1")]))
        let noName = try scratch.write("calls", LogLine.file([LogLine.call("n2")]))
        let summary = try ledger.importPaths([log, noName])
        #expect(summary.files.map(\.status) == [.imported, .imported])
        #expect(summary.files.map(\.format) == ["routing-log", "routing-log"])
        // A file whose content does not say what it is can be named on the command line.
        let bare = try scratch.write("bare.jsonl", LogLine.file([#"{"event":"login","user":"u1"}"#]))
        #expect(try ledger.importPaths([bare]).files.first?.status == .failed)
        #expect(try ledger.importPaths([bare], options: ImportOptions(format: "no-such-format")).files.first?.error
                == "unknown format `no-such-format`")
        // Read as a routing log, its only row is rejected: nothing landed, so the input failed.
        let forced = try ledger.importPaths([bare], options: ImportOptions(format: "routing-log"))
        #expect(forced.files.first?.status == .failed)
        #expect(forced.rejectsByReason["missing_field"]?.count == 1)
    }

    @Test func anUnreadableInputIsReportedAndTheOthersAreImported() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let good = try scratch.write("good.jsonl", LogLine.file([LogLine.call("u1")]))
        let csv = try scratch.write("notes.jsonl", "name,value\nfoo,1\n")
        let missing = scratch.path("missing.jsonl")
        let summary = try ledger.importPaths([missing, csv, good])
        #expect(!summary.allInputsRead)
        #expect(summary.files.map(\.status) == [.failed, .failed, .imported])
        #expect(summary.files[0].error?.contains("cannot read") == true)
        #expect(summary.files[1].error?.contains("format not recognised") == true)
        #expect(summary.rowsImported == 1)
    }
}

@Suite struct GzipImportTests {
    static let lines = splitLines(sampleLog(calls: 4_000, seed: 5, days: 2))

    static func requestIDs(of lines: some Collection<ArraySlice<UInt8>>) throws -> [String] {
        try lines.map { line in
            guard let id = try JSONValue.parse(Array(line))["request_id"]?.string else { throw InputError(path: "", message: "no id") }
            return id
        }
    }

    @Test func aGzipFileAndConcatenatedMembers() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let half = Self.lines.count / 2
        let one = try scratch.write("one.jsonl.gz", bytes: gzipCompress(joinLines(Self.lines[..<half])))
        let two = try scratch.write("two.jsonl.gz", bytes: gzipCompress(joinLines(Self.lines[half...]))
                                    + gzipCompress(joinLines(Self.lines[..<10])))  // the last member repeats ten lines
        let summary = try ledger.importPaths([one, two])
        #expect(summary.allInputsRead)
        #expect(summary.rowsImported == Int64(Self.lines.count))
        #expect(summary.duplicates == 10)
        #expect(try Set(ledger.texts("SELECT request_id FROM requests")) == Set(Self.requestIDs(of: Self.lines)))
    }

    @Test func aGzipFileImportedTwiceIsSkippedTheSecondTime() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.write("log.jsonl.gz", bytes: gzipCompress(joinLines(Self.lines)))
        #expect(try ledger.importPaths([path]).rowsImported == Int64(Self.lines.count))
        let before = try ledger.totals
        let again = try ledger.importPaths([path])
        #expect(again.files.first?.status == .unchanged)
        #expect(again.duplicates == 0)
        let copy = try scratch.write("copy.jsonl.gz", bytes: gzipCompress(joinLines(Self.lines)))
        #expect(try ledger.importPaths([copy]).files.first?.status == .sameContent)
        #expect(try ledger.totals == before)
    }

    @Test func aCutShortGzipFileKeepsTheLinesBeforeTheCutAndFails() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let compressed = gzipCompress(joinLines(Self.lines))
        let cut = Array(compressed.prefix(compressed.count * 3 / 5))
        let path = try scratch.write("cut.jsonl.gz", bytes: cut)
        let other = try scratch.write("other.jsonl", LogLine.file([LogLine.call("after-the-broken-file")]))
        let summary = try ledger.importPaths([path, other])

        #expect(!summary.allInputsRead)
        let file = try #require(summary.files.first)
        #expect(file.status == .failed)
        #expect(file.error?.contains("truncated") == true)
        #expect(summary.files.last?.status == .imported)

        // Exactly the whole lines that can be inflated from what is left, in order, no gaps.
        let readable = splitLines(gunzipPrefix(cut))
        let complete = gunzipPrefix(cut).last == 0x0A ? readable.count : readable.count - 1
        #expect(complete > 0 && complete < Self.lines.count)
        #expect(file.rows == Int64(complete))
        let stored = try ledger.texts("SELECT request_id FROM v_requests WHERE source_path = '\(path)' ORDER BY source_line")
        #expect(stored == Array(try Self.requestIDs(of: Self.lines.prefix(complete))))
        #expect(try ledger.int("SELECT max(line) FROM requests WHERE request_id != 'after-the-broken-file'") == Int64(complete))
        #expect(try ledger.int("SELECT complete FROM sources WHERE path = '\(path)'") == 0)
    }
}

@Suite struct ActionFactsTests {
    /// The facts of every action are the same whatever order two files are imported in, and they equal
    /// the counts and sums of the stored calls.
    @Test func factsDoNotDependOnTheOrderOfFiles() throws {
        let scratch = try Scratch()
        // Every other line to each file, so that most actions have calls in both.
        let lines = splitLines(sampleLog(calls: 6_000, seed: 23, days: 3, duplicateShare: 0.02, malformedShare: 0.01))
        let odd = try scratch.write("odd.jsonl", bytes: joinLines(lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)))
        let even = try scratch.write("even.jsonl", bytes: joinLines(lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)))
        let forward = try scratch.ledger("forward.sqlite")
        let backward = try scratch.ledger("backward.sqlite")
        try forward.importPaths([odd, even])
        try backward.importPaths([even, odd])

        let facts = try forward.actionFacts()
        #expect(facts.count > 1_000)
        #expect(try backward.actionFacts() == facts)
        #expect(try backward.requestRows() == forward.requestRows())
        #expect(try backward.totals == forward.totals)
        // Some actions span both files, so the merge of facts was exercised.
        #expect(try forward.int("""
            SELECT count(*) FROM (SELECT action_key FROM requests GROUP BY action_key HAVING count(DISTINCT source_id) = 2)
            """) > 100)
        // Retries, fallbacks, failures and explicit outcomes occur in the sample.
        let t = try forward.totals
        #expect(t.retries > 0 && t.fallbacks > 0 && t.failedCalls > 0)
        #expect(try forward.int("SELECT count(*) FROM actions WHERE outcome IS NOT NULL") > 0)

        for ledger in [forward, backward] {
            // Each action's facts against its stored calls.
            #expect(try ledger.int("""
                SELECT count(*) FROM actions a LEFT JOIN (
                    SELECT ax.action, count(*) AS calls, sum(kind = 2) AS retries, sum(kind = 3) AS fallbacks,
                           sum(kind = 4) AS classifier, sum(kind = 5) AS validation, sum(status != 1) AS failed,
                           coalesce(sum(cost), 0) AS cost, coalesce(sum(CASE WHEN status != 1 THEN cost END), 0) AS failed_cost,
                           sum(cost IS NULL) AS unpriced, max(coalesce(attempt, 1)) AS max_attempt,
                           min(id) AS first, max(id) AS last
                    FROM requests JOIN action_keys ax ON ax.key = requests.action_key GROUP BY ax.action) r ON r.action = a.id
                WHERE r.calls IS NULL OR a.calls != r.calls OR a.retries != r.retries OR a.fallbacks != r.fallbacks
                   OR a.classifier_calls != r.classifier OR a.validation_calls != r.validation OR a.failed_calls != r.failed
                   OR a.cost != r.cost OR a.failed_cost != r.failed_cost OR a.unpriced_calls != r.unpriced
                   OR a.max_attempt != r.max_attempt OR a.first_request != r.first OR a.last_request != r.last
                """) == 0)
            #expect(try ledger.int("SELECT count(DISTINCT action_key) FROM requests") == ledger.int("SELECT count(*) FROM actions"))
            // The last call's status, and the latest explicit outcome.
            #expect(try ledger.int("""
                SELECT count(*) FROM actions a JOIN requests r ON r.id = a.last_request WHERE a.last_status != r.status
                """) == 0)
            #expect(try ledger.int("""
                SELECT count(*) FROM actions a LEFT JOIN (
                    SELECT action, action_outcome FROM (
                        SELECT ax.action, action_outcome, row_number() OVER (PARTITION BY ax.action ORDER BY id DESC) AS n
                        FROM requests JOIN action_keys ax ON ax.key = requests.action_key WHERE action_outcome IS NOT NULL)
                    WHERE n = 1) e ON e.action = a.id
                WHERE a.outcome IS NOT e.action_outcome
                """) == 0)
        }
    }

    /// Writes the calls of a few actions, each with a known outcome, split over two files.
    static let earlyCalls = [
        // Derived: the last call is ok → completed, though an earlier one failed.
        LogLine.call("o-1a", at: "2026-10-05T10:00:00Z", #","action_id":"derived-ok","status":"error""#),
        // Derived: the last call failed → failed.
        LogLine.call("o-2a", at: "2026-10-05T10:00:00Z", #","action_id":"derived-failed""#),
        // Explicit outcomes on two calls: the latest wins, and it wins over the derived one.
        LogLine.call("o-3a", at: "2026-10-05T10:00:00Z", #","action_id":"explicit-latest","action_outcome":"completed""#),
        LogLine.call("o-3b", at: "2026-10-05T10:00:01Z", #","action_id":"explicit-latest","action_outcome":"abandoned","status":"timeout""#),
        // An explicit failure on the first call; the last call is ok and has no outcome.
        LogLine.call("o-4a", at: "2026-10-05T10:00:00Z", #","action_id":"explicit-early","action_outcome":"failed""#),
        // A call without an action id is an action of its own.
        LogLine.call("o-5a", at: "2026-10-05T10:00:00Z", #","status":"rate_limited""#),
        // Counted facts: primary failed, a retry failed, a fallback succeeded.
        LogLine.call("o-6a", at: "2026-10-05T11:00:00Z", #","action_id":"counted","status":"error","attempt":1"#),
        LogLine.call("o-6b", at: "2026-10-05T11:00:01Z", #","action_id":"counted","kind":"retry","status":"timeout","attempt":2"#),
    ]
    static let lateCalls = [
        LogLine.call("o-1b", at: "2026-10-05T10:00:05Z", #","action_id":"derived-ok""#),
        LogLine.call("o-2b", at: "2026-10-05T10:00:05Z", #","action_id":"derived-failed","status":"invalid_output""#),
        LogLine.call("o-3c", at: "2026-10-05T10:00:05Z", #","action_id":"explicit-latest""#),
        LogLine.call("o-4b", at: "2026-10-05T10:00:05Z", #","action_id":"explicit-early""#),
        LogLine.call("o-6c", at: "2026-10-05T11:00:02Z", model: "claude-sonnet-4-5",
                     #","action_id":"counted","fallback_from":"gpt-4o-mini","attempt":1"#),
    ]

    @Test(arguments: [false, true])
    func explicitAndDerivedOutcomes(lateFileFirst: Bool) throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        // Each file lists its calls newest first.
        let early = try scratch.write("early.jsonl", LogLine.file(Self.earlyCalls.reversed()))
        let late = try scratch.write("late.jsonl", LogLine.file(Self.lateCalls.reversed()))
        try ledger.importPaths(lateFileFirst ? [late, early] : [early, late])

        let outcomes = try ledger.rows("SELECT coalesce(action_id, '-'), outcome FROM v_actions ORDER BY 1")
        #expect(outcomes == [
            [.text("-"), .text("failed")],
            [.text("counted"), .text("completed")],
            [.text("derived-failed"), .text("failed")],
            [.text("derived-ok"), .text("completed")],
            [.text("explicit-early"), .text("failed")],
            [.text("explicit-latest"), .text("abandoned")],
        ])
        let counted = try ledger.rows("""
            SELECT calls, retries, fallbacks, failed_calls, max_attempt, classifier_calls, validation_calls
            FROM actions WHERE action_id = 'counted'
            """)
        #expect(counted == [[.integer(3), .integer(1), .integer(1), .integer(2), .integer(2), .integer(0), .integer(0)]])
        let costs = try ledger.rows("""
            SELECT a.cost, a.failed_cost, (SELECT sum(cost) FROM requests r JOIN action_keys ax ON ax.key = r.action_key WHERE ax.action = a.id),
                   (SELECT sum(cost) FROM requests r JOIN action_keys ax ON ax.key = r.action_key WHERE ax.action = a.id AND r.status != 1)
            FROM actions a WHERE a.action_id = 'counted'
            """)
        #expect(costs.first?[0] == costs.first?[2])
        #expect(costs.first?[1] == costs.first?[3])
        if case .integer(let failed)? = costs.first?[1], case .integer(let all)? = costs.first?[0] {
            #expect(failed > 0 && failed < all)
        } else {
            Issue.record("costs missing: \(costs)")
        }
    }

    /// The first call of an action has no workflow and two later calls name different ones: the action
    /// takes the earlier of those two (its owner call), in every order of files.
    @Test func theWorkflowOfAnActionWhoseFirstCallHasNone() throws {
        let scratch = try Scratch()
        let a = try scratch.write("a.jsonl", LogLine.file([LogLine.call("A", at: "2026-10-05T10:00:00Z", #","action_id":"X""#)]))
        let b = try scratch.write("b.jsonl", LogLine.file([LogLine.call("B", at: "2026-10-05T10:00:01Z", #","action_id":"X","workflow":"wf-b""#)]))
        let c = try scratch.write("c.jsonl", LogLine.file([LogLine.call("C", at: "2026-10-05T10:00:02Z", #","action_id":"X","workflow":"wf-c""#)]))
        var workflows: [String] = []
        for (i, order) in [[a, b, c], [c, a, b], [b, c, a]].enumerated() {
            let ledger = try scratch.ledger("order\(i).sqlite")
            try ledger.importPaths(order)
            workflows += try ledger.texts("SELECT workflow FROM v_actions WHERE action_id = 'X'")
            #expect(try ledger.int("SELECT calls FROM actions WHERE action_id = 'X'") == 3)
        }
        // The owner is the earliest call that names a workflow, whatever order the files come in.
        #expect(workflows == ["wf-b", "wf-b", "wf-b"])
    }
}
