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

/// What a first import of a wrong or damaged file says: an input of which no row landed failed, the
/// header of a CSV is never a row, and a format no one claims is named by the closest one.
@Suite struct FirstUseImportTests {
    static let usageHeader = "start_time,end_time,project_id,num_model_requests,model,input_tokens,output_tokens"
    static let usageRow = "1759622400,1759708800,p,1,gpt-4o,100,10"

    @Test func aCSVWithARenamedColumnFailsAndItsHeaderIsNoReject() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let renamed = Self.usageHeader.replacingOccurrences(of: "output_tokens", with: "out_tokens")
        let csv = try scratch.write("usage.csv", [renamed, Self.usageRow, Self.usageRow].joined(separator: "\n") + "\n")
        let good = try scratch.write("calls.jsonl", LogLine.file([LogLine.call("g1")]))
        let summary = try ledger.importPaths([csv, good])
        #expect(summary.files.map(\.status) == [.failed, .imported])
        #expect(!summary.allInputsRead)
        #expect(summary.rowsImported == 1)
        let error = try #require(summary.files[0].error)
        #expect(error.contains("no row was imported: all 2 row(s) were rejected"), "\(error)")
        #expect(error.contains("output_tokens"), "\(error)")
        // The two data rows are rejects; the header (line 1) is not.
        #expect(try ledger.rejects(ofPathEndingWith: "usage.csv") == [2: "missing_field", 3: "missing_field"])

        // Importing it again unchanged still fails, and says why.
        let again = try ledger.importPaths([csv])
        #expect(again.files.first?.status == .failed)
        #expect(again.files.first?.error?.contains("unchanged since an import in which no row was imported") == true)
    }

    @Test func aLiteLLMCSVWithoutRequestIDColumnRejectsRowsNotItsHeader() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let csv = try scratch.write("spend.csv", """
            id,call_type,spend,startTime,endTime,model,prompt_tokens,completion_tokens
            a,acompletion,0.001,2026-01-08 12:00:00,2026-01-08 12:00:01,gpt-4o,20,10

            """)
        let summary = try ledger.importPaths([csv], options: ImportOptions(format: "litellm-csv"))
        #expect(summary.files.first?.status == .failed)
        #expect(try ledger.rejects(ofPathEndingWith: "spend.csv") == [2: "missing_field"])
    }

    @Test func anInputOfOnlyRejectsFailsButDuplicatesAndEmptyInputsDoNot() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let bad = try scratch.write("bad.jsonl", "not json\n{\"also\": \"not a call\"}\n")
        let summary = try ledger.importPaths([bad], options: ImportOptions(format: "routing-log"))
        #expect(summary.files.first?.status == .failed)
        #expect(summary.files.first?.error?.contains("all 2 row(s) were rejected (malformed_json") == true)

        // Rows that are all duplicates of stored rows landed earlier: success.
        let first = try scratch.write("first.jsonl", LogLine.file([LogLine.call("d1"), LogLine.call("d2")]))
        let copy = try scratch.write("copy.jsonl", LogLine.file([LogLine.call("d2"), LogLine.call("d1")]))
        let dup = try ledger.importPaths([first, copy])
        #expect(dup.allInputsRead)
        #expect(dup.files.map(\.status) == [.imported, .imported])
        #expect(dup.duplicates == 2)

        // An empty file, or one of blank lines, holds no rows: not a failure.
        let empty = try ledger.importPaths([try scratch.write("empty.jsonl", ""), try scratch.write("blank.jsonl", "\n \n")])
        #expect(empty.allInputsRead)

        // A file whose rows landed earlier and that grew by rejected lines only did not fail.
        let log = try scratch.write("grow.jsonl", LogLine.file([LogLine.call("r1")]))
        #expect(try ledger.importPaths([log]).allInputsRead)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n".utf8))
        try handle.close()
        let grown = try ledger.importPaths([log])
        #expect(grown.files.first?.status == .resumed)
        #expect(grown.allInputsRead)
    }

    @Test func anUnrecognisedInputNamesTheClosestFormatAndWhatItLacks() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let renamed = Self.usageHeader.replacingOccurrences(of: "num_model_requests", with: "requests")
        let csv = try scratch.write("usage.csv", renamed + "\n" + Self.usageRow + "\n")
        let summary = try ledger.importPaths([csv])
        let error = try #require(summary.files.first?.error)
        #expect(error.contains("format not recognised"))
        #expect(error.contains("closest format: openai-usage-csv (missing columns: num_model_requests)"), "\(error)")

        let json = InputSample(bytes: Array(#"{"request_id":"a","timestamp":"2026-10-05T10:00:00Z","tokens":3}"#.utf8), name: "x")
        #expect(ImportFormats.detect(json) == nil)
        #expect(ImportFormats.closest(json)?.description == "routing-log (missing keys: model, input_tokens (or prompt_tokens, usage))")
        // Nothing near: nothing named.
        #expect(ImportFormats.closest(InputSample(bytes: Array("# Notes\nhello\n".utf8), name: "x")) == nil)
    }
}

/// A log whose first line is bad is still recognised: the bad lines are rejects with their reason, and
/// the good ones land.
@Suite(.timeLimit(.minutes(5)))
struct BadFirstLineTests {
    static let good = (1...3).map { LogLine.call("g\($0)") }

    /// Imports `head` followed by three good lines, with the format detected.
    static func importAfter(_ head: [UInt8], name: String) throws -> (summary: ImportSummary, ids: [String], rejects: [Int: String]) {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let path = try scratch.write(name, bytes: head + Array(LogLine.file(good).utf8))
        let summary = try ledger.importPaths([path])
        return (summary, try ledger.texts("SELECT request_id FROM v_requests ORDER BY source_line"), try ledger.rejects(ofPathEndingWith: name))
    }

    static func expectRecovered(_ r: (summary: ImportSummary, ids: [String], rejects: [Int: String]), rejects: [Int: String],
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.summary.files.first?.status == .imported, "\(r.summary.files.first?.error ?? "")", sourceLocation: sourceLocation)
        #expect(r.summary.files.first?.format == "routing-log", sourceLocation: sourceLocation)
        #expect(r.ids == ["g1", "g2", "g3"], sourceLocation: sourceLocation)
        #expect(r.rejects == rejects, sourceLocation: sourceLocation)
        #expect(r.summary.allInputsRead, sourceLocation: sourceLocation)
    }

    @Test func aPartialFirstLine() throws {
        // The end of a line, as in a log rotated or copied in the middle of a write.
        let partial = Array(#"put_tokens":12,"output_tokens":3,"latency_ms":40}"#.utf8) + [0x0A]
        Self.expectRecovered(try Self.importAfter(partial, name: "partial.jsonl"), rejects: [1: "malformed_json"])
    }

    @Test func aNULBlock() throws {
        // A block of NUL bytes, as a crash leaves in a file written through a page cache, on its own line and
        // run into the next line.
        Self.expectRecovered(try Self.importAfter(Array(repeating: 0, count: 4096) + [0x0A], name: "nul.jsonl"), rejects: [1: "malformed_json"])
        let runIn = Array(repeating: 0, count: 4096) + Array(LogLine.call("lost").utf8) + [0x0A]
        Self.expectRecovered(try Self.importAfter(runIn, name: "nul-run-in.jsonl"), rejects: [1: "malformed_json"])
    }

    @Test func aDeeplyNestedFirstLine() throws {
        let depth = 10_000
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        Self.expectRecovered(try Self.importAfter(Array(arrays.utf8), name: "deep-arrays.jsonl"), rejects: [1: "malformed_json"])
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth) + "\n"
        Self.expectRecovered(try Self.importAfter(Array(objects.utf8), name: "deep-objects.jsonl"), rejects: [1: "malformed_json"])
    }

    @Test func anOversizeFirstRecord() throws {
        // One 50 MB record, larger than any line the reader holds (made here, not kept in the repository).
        let record = Array(#"{"blob":""#.utf8) + Array(repeating: 0x61, count: 50 << 20) + Array("\"}\n".utf8)
        Self.expectRecovered(try Self.importAfter(record, name: "oversize.jsonl"), rejects: [1: "line_too_long"])
    }

    @Test func recoveryNeedsAWholeObjectAndLeavesDocumentsAlone() throws {
        // A pretty-printed document is claimed from its start, as before.
        let scratch = try Scratch()
        let doc = try ImportFixtures.text("litellm/spend-logs.json")
        #expect(ImportFormats.detect(InputSample(bytes: Array(doc.utf8), name: "x")) != nil)
        // Text with no whole JSON object in it is not recovered into anything.
        let notes = try scratch.write("notes.txt", "# notes\nsome text\n{\"a\":\n")
        let r = try scratch.ledger().importPaths([notes])
        #expect(r.files.first?.status == .failed)
        #expect(r.files.first?.error?.contains("format not recognised") == true)
        // `{}` says nothing about a format.
        #expect(!Array("{}".utf8).withUnsafeBufferPointer { InputSample.isWholeJSONObject($0) })
        #expect(Array(#" {"a":1} "#.utf8).withUnsafeBufferPointer { InputSample.isWholeJSONObject($0) })
    }
}

/// An import asked to stop (Ctrl-C) stops after a commit, says how far it got, and the next import of the
/// same input says it is resuming, and finishes the job.
@Suite struct InterruptedImportTests {
    @Test func aStoppedImportSaysHowFarItCommittedAndTheNextOneResumes() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let log = try scratch.write("calls.jsonl", LogLine.file((1...5_000).map { LogLine.call("c\($0)") }))
        let later = try scratch.write("later.jsonl", LogLine.file([LogLine.call("later")]))
        var options = ImportOptions()
        options.linesPerBatch = 500
        options.rowsPerTransaction = 1_000
        let importer = try Importer(database: ledger.db, prices: ledger.book, options: options)
        importer.onProgress = { _ in importer.stop.request() }  // as if Ctrl-C came during the first transaction
        let first = try importer.run(paths: [log, later])
        #expect(first.interrupted)
        #expect(!first.allInputsRead)
        #expect(first.inputsNotRead == 1)
        #expect(first.files.map(\.status) == [.interrupted])
        #expect(first.files[0].linesCommitted == 1_000)
        #expect(first.rowsImported == 1_000)
        let text = ImportSummaryReport.text(first, seconds: 1)
        #expect(text.contains("calls.jsonl: interrupted: committed up to line 1000 (1000 requests stored by this run)"), "\(text)")
        #expect(text.contains("1 input(s) not started. Run the same import again: it resumes where it stopped."), "\(text)")
        #expect(try ledger.int("SELECT count(*) FROM requests") == 1_000)

        let second = try ledger.importPaths([log, later])
        #expect(second.allInputsRead && !second.interrupted)
        #expect(second.files.map(\.status) == [.resumed, .imported])
        #expect(second.files[0].continuesStoppedImport)
        #expect(second.files[0].resumedAtLine == 1_000)
        let again = ImportSummaryReport.text(second, seconds: 1)
        #expect(again.contains("calls.jsonl: resuming after line 1000, where an earlier import stopped (4000 new)"), "\(again)")
        #expect(!again.contains("grown since the last import"))
        #expect(try ledger.int("SELECT count(*) FROM requests") == 5_001)

        // A log that grew after an import that finished still says so.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(LogLine.file([LogLine.call("c5001")]).utf8))
        try handle.close()
        let grown = try ledger.importPaths([log])
        #expect(!grown.files[0].continuesStoppedImport)
        #expect(ImportSummaryReport.text(grown, seconds: 1).contains("grown since the last import, resumed after line 5000 (1 new)"))
    }

    @Test func aStoppedCSVImportIsReadAgainFromTheStartAndSaysSo() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let rows = (0..<3_000).map { "\(1759622400 + $0 * 86_400),\(1759708800 + $0 * 86_400),p,1,gpt-4o,100,10" }
        let csv = try scratch.write("usage.csv", ([FirstUseImportTests.usageHeader] + rows).joined(separator: "\n") + "\n")
        var options = ImportOptions()
        options.linesPerBatch = 500
        options.rowsPerTransaction = 1_000
        let importer = try Importer(database: ledger.db, prices: ledger.book, options: options)
        importer.onProgress = { _ in importer.stop.request() }
        let first = try importer.run(paths: [csv])
        #expect(first.files.first?.status == .interrupted)
        let stored = try ledger.int("SELECT count(*) FROM provider_usage")
        #expect(stored > 0 && stored < 3_000)

        let second = try ledger.importPaths([csv])
        #expect(second.files.first?.status == .imported)
        #expect(second.files.first?.continuesStoppedImport == true)
        #expect(ImportSummaryReport.text(second, seconds: 1).contains("usage.csv: resuming an earlier import that stopped, read again from the start"))
        #expect(try ledger.int("SELECT count(*) FROM provider_usage") == 3_000)
    }
}
