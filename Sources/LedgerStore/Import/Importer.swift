import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Settings of one import.
public struct ImportOptions: Sendable {
    /// A format name (`routing-log`, …), or nil to detect each input's format from its content.
    public var format: String?
    /// Settings passed to every format's importer.
    public var settings = ImporterSettings()
    /// Lines parsed per batch handed from the parser to the writer.
    public var linesPerBatch = 2_048
    /// Batches parsed ahead of the writer. With ``linesPerBatch`` this bounds the memory of the calls
    /// in flight.
    public var batchesAhead = 2
    /// Rows written per transaction. In larger transactions the dedup keys and action facts, written in
    /// sorted order at commit, share more pages (the key tables are random: a transaction touches most
    /// of their pages once the database is large); the staged rows (under 200 bytes each) are held in
    /// memory until then.
    public var rowsPerTransaction = 50_000
    /// SQLite's page cache of the importing connection, in KiB. Rows append and keys are claimed in
    /// sorted order, so a small cache costs little; it bounds the import's memory whatever the input size.
    public var cacheKiB = 4_096
    /// WAL pages after which a commit copies the log into the database. Larger than SQLite's default
    /// (1,000), so that the key pages that every transaction touches are copied once per checkpoint
    /// rather than once per transaction.
    public var walCheckpointPages = 8_192

    public init(format: String? = nil) { self.format = format }
}

/// Imports inputs into a database: detects each one's format, skips what was already read, resumes a
/// file that only grew, parses on one thread while storing on another, and commits in batches, each
/// batch together with how far the file got. Killing it at any moment leaves a consistent database;
/// running it again finishes the job without counting anything twice.
public final class Importer {
    let db: Database
    let writer: RequestWriter
    let providerWriter: ProviderExportWriter
    let prices: PriceBook
    let sources: SourceStore
    let rejects: RejectStore
    let options: ImportOptions
    /// Called on the importing thread after each batch.
    public var onProgress: ((ImportProgress) -> Void)?
    /// The clock for the `started_at` / `finished_at` bookkeeping columns.
    public var now: () -> Date = Date.init
    /// The input being imported (the one a thrown error stopped at).
    public private(set) var currentInput: String?
    /// Asks a running import to stop after its next commit (e.g. on Ctrl-C); safe from any thread.
    public let stop = ImportStop()

    public init(database: Database, prices: PriceBook, options: ImportOptions = ImportOptions()) throws {
        self.db = database
        self.prices = prices
        self.writer = try RequestWriter(db: database)
        self.providerWriter = try ProviderExportWriter(db: database, book: prices)
        self.sources = SourceStore(db: database)
        self.rejects = RejectStore(db: database)
        self.options = options
        try database.execute("PRAGMA cache_size = -\(max(1_024, options.cacheKiB))")
        try database.execute("PRAGMA wal_autocheckpoint = \(max(1_000, options.walCheckpointPages))")
    }

    /// Imports every input (files, directories searched recursively, `-` for standard input).
    /// Throws only for what stops the whole job (the database cannot be written); a file that cannot
    /// be read is reported in the summary and the other files are still imported.
    public func run(paths: [String]) throws -> ImportSummary {
        var summary = ImportSummary()
        for input in InputPaths.expand(paths) {
            if summary.interrupted || stop.isRequested {
                summary.interrupted = true
                summary.inputsNotRead += 1
                continue
            }
            switch input {
            case .problem(let path, let message):
                summary.add(FileSummary(path: path, status: .failed, error: message))
            case .standardInput:
                summary.add(try importInput(path: "-", isStandardInput: true))
            case .file(let path):
                summary.add(try importInput(path: path, isStandardInput: false))
            }
            if summary.files.last?.status == .interrupted { summary.interrupted = true }
        }
        summary.actionKeyCollisions = writer.actionKeyCollisions
        return summary
    }

    // MARK: One input

    func importInput(path: String, isStandardInput: Bool) throws -> FileSummary {
        currentInput = path
        var file = FileSummary(path: path, status: .imported)
        do {
            return try importInputOrThrow(path: path, isStandardInput: isStandardInput, summary: &file)
        } catch let e as InputError {
            file.status = .failed
            file.error = e.message
            return file
        }
    }

    private func importInputOrThrow(path: String, isStandardInput: Bool, summary file: inout FileSummary) throws -> FileSummary {
        let source: ByteSource
        var size: Int64?
        if isStandardInput {
            source = FileByteSource(standardInput: ())
        } else {
            size = try Self.fileSize(path)
            source = try FileByteSource(path: path)
        }
        // Decide from the first bytes whether the input is gzip.
        let probe = LineReader(source: source)
        let magic = try probe.peek(2)
        let gzip = GzipByteSource.looksLikeGzip(magic)

        var resume: (record: SourceRecord, hash: XXHash64)?
        if let size, !isStandardInput {
            if let prior = try sources.latest(path: path), prior.bytesDone <= size {
                let state = try Self.hashPrefix(path: path, bytes: prior.bytesDone)
                if XXHash64.signed(state.finalize()) == prior.prefixHash {
                    file.continuesStoppedImport = !prior.finished && !prior.complete
                    if prior.complete && prior.bytesDone == size {
                        file.status = .unchanged
                        file.format = prior.format
                        try failIfNothingLanded(sourceID: prior.id, prefix: "unchanged since an import in which ", &file)
                        return file
                    }
                    // Only line-by-line formats can start in the middle: a JSON document or a CSV file
                    // (its header is on top) is read again from the start; deduplication keeps it exact.
                    if !gzip, ImportFormats.named(prior.format)?.framing == .lines, options.format.map({ $0 == prior.format }) ?? true {
                        resume = (prior, state)
                    }
                }
            }
            // A file the size of one read completely before is hashed whole and looked up by that hash
            // (not compared with every file of its size: thousands of equal-sized files stay linear).
            if resume == nil, try sources.anyComplete(size: size) {
                let full = XXHash64.signed(try Self.hashPrefix(path: path, bytes: size).finalize())
                if let same = try sources.complete(size: size, contentHash: full) {
                    file.status = .sameContent
                    file.sameAs = same.path
                    file.format = same.format
                    try failIfNothingLanded(sourceID: same.id, prefix: "same content as \(same.path), from which ", &file)
                    return file
                }
            }
        }

        // The reader that feeds the parser: the probe itself for a new read (nothing consumed yet),
        // or a fresh one positioned where the last read stopped.
        let reader: LineReader
        if let resume {
            reader = LineReader(source: try FileByteSource(path: path, offset: resume.record.bytesDone),
                                startOffset: resume.record.bytesDone, startLine: Int(resume.record.linesDone),
                                hash: resume.hash)
        } else if gzip && isStandardInput {
            // Standard input cannot be read twice: inflate what the probe took, then the rest.
            reader = LineReader(source: try GzipByteSource(source: PrefixedByteSource(prefix: probe.bufferedBytes, rest: source), path: path))
        } else if gzip {
            reader = LineReader(source: try GzipByteSource(path: path))
        } else {
            reader = probe
        }

        // The format: as asked, as stored for a resumed file, or detected from the content.
        let format: any FormatImporter.Type
        if let name = options.format {
            guard let f = ImportFormats.named(name) else {
                throw InputError(path: path, message: "unknown format `\(name)`")
            }
            format = f
        } else if let resume, let f = ImportFormats.named(resume.record.format) {
            format = f
        } else {
            let sampleReader = resume == nil ? reader : LineReader(source: try FileByteSource(path: path))
            let window = Array(try sampleReader.peek(64 * 1024))
            let sample = InputSample(bytes: window, name: path)
            if sample.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                // An empty input is read fine and holds nothing.
                format = RoutingLogImporter.self
            } else {
                // When nothing claims the start, a damaged first line may hide a good log: sample again from
                // its first whole JSON object (standard input only within the bytes already read).
                func recovered() throws -> (any FormatImporter.Type)? {
                    let source: any ByteSource
                    if isStandardInput { source = MemoryByteSource(window) }
                    else if gzip { source = try GzipByteSource(path: path) }
                    else { source = try FileByteSource(path: path) }
                    guard let again = try InputSample.fromFirstWholeObject(LineReader(source: source), name: path) else { return nil }
                    return ImportFormats.detect(again.sample)
                }
                guard let f = ImportFormats.detect(sample) ?? (try? recovered()) ?? nil else {
                    let first = String(decoding: sample.firstLine.prefix(80), as: UTF8.self)
                    let closest = ImportFormats.closest(sample).map { "; closest format: \($0)" } ?? ""
                    throw InputError(path: path, message: "format not recognised (first line: \(first.debugDescription))\(closest); pass --format")
                }
                format = f
            }
        }
        file.format = format.formatName

        let sourceID: Int64
        if let resume {
            sourceID = resume.record.id
            try db.transaction { try rejects.removeAfter(sourceID: sourceID, line: resume.record.linesDone) }
            file.status = .resumed
            file.resumedAtLine = Int(resume.record.linesDone)
        } else {
            sourceID = try db.transaction {
                try sources.create(path: path, format: format.formatName, size: size ?? 0, now: now())
            }
        }

        let outcome = try pump(reader: reader, format: format, sourceID: sourceID, path: path, size: size, into: &file)
        if outcome.interrupted {
            // The source stays unfinished where the last commit left it: the next import resumes there.
            file.status = .interrupted
            file.linesCommitted = outcome.linesDone
            return file
        }
        // A gzip file read to its end is remembered by its compressed bytes (the offsets and hashes above
        // are of the inflated text), so that importing it again finds it unchanged.
        var gzipHash: Int64?
        if gzip && outcome.readError == nil, let size {
            gzipHash = XXHash64.signed(try Self.hashPrefix(path: path, bytes: size).finalize())
        }
        try db.transaction {
            let complete = outcome.readError == nil && !outcome.heldBackLastLine && !gzip
            try sources.finish(id: sourceID, size: max(size ?? 0, outcome.bytesDone), complete: complete || (gzip && outcome.readError == nil),
                               contentHash: (complete || (gzip && outcome.readError == nil)) ? outcome.contentHash : nil, now: now())
            if let gzipHash, let size {
                try db.run("UPDATE sources SET size = ?, bytes_done = ?, prefix_hash = ?, content_hash = ? WHERE id = ?",
                           .integer(size), .integer(size), .integer(gzipHash), .integer(gzipHash), .integer(sourceID))
            }
        }
        if let e = outcome.readError {
            file.status = .failed
            file.error = e
        } else {
            try failIfNothingLanded(sourceID: sourceID, prefix: "", &file)
        }
        return file
    }

    /// An input whose rows were all rejected failed, though it was read to its end: nothing of it is in
    /// the database. Rows that landed earlier (a resumed file's first part, duplicates of stored rows)
    /// count as landed; an input without rows (empty, or blank lines) did not fail.
    private func failIfNothingLanded(sourceID: Int64, prefix: String, _ file: inout FileSummary) throws {
        let outcome = try sources.outcome(id: sourceID)
        guard outcome.nothingLanded else { return }
        file.status = .failed
        file.error = prefix + outcome.failure
    }

    // MARK: The pipeline

    struct Batch: Sendable {
        /// What the importer made of the batch's lines; once the batch is prepared (see ``CallPreparer``),
        /// all but the calls.
        var items: [ImportItem] = []
        /// The calls, prepared for storage by the parser thread.
        var calls: [PreparedCall] = []
        /// The bytes of the calls' request and action ids.
        var text = BatchText()
        /// The names first used by these calls, to be learnt by the writer before it stores them.
        var newSymbols: [NewSymbol] = []
        /// The last line consumed for good, and the offset and hash just past it.
        var linesDone = 0
        var bytesDone: Int64 = 0
        var hash = XXHash64()
        var heldBackLastLine = false
        var readError: String?
    }

    struct PumpOutcome {
        var linesDone = 0
        var interrupted = false
        var bytesDone: Int64
        var contentHash: UInt64
        var heldBackLastLine: Bool
        var readError: String?
    }

    /// Parses on a second thread and stores on this one.
    private func pump(reader: LineReader, format: any FormatImporter.Type, sourceID: Int64, path: String, size: Int64?,
                      into file: inout FileSummary) throws -> PumpOutcome {
        let queue = BoundedQueue<Batch>(capacity: options.batchesAhead)
        let work = UncheckedSendable((reader, format))
        let linesPerBatch = options.linesPerBatch
        let book = prices
        var fileSettings = options.settings
        fileSettings.inputPath = path == "-" ? nil : path
        let settings = fileSettings
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            Self.nameThread("tl-parse")
            Self.parse(reader: work.value.0, format: work.value.1, settings: settings, prices: book,
                       linesPerBatch: linesPerBatch, into: queue)
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()

        writer.beginInput()
        var outcome = PumpOutcome(bytesDone: 0, contentHash: 0, heldBackLastLine: false, readError: nil)
        var pending = TransactionTally()
        var open = false
        do {
            while let batch = queue.take() {
                if !open {
                    try db.beginWrite()
                    open = true
                }
                try store(batch, sourceID: sourceID, path: path, tally: &pending, into: &file)
                pending.size = size
                outcome.bytesDone = batch.bytesDone
                outcome.linesDone = batch.linesDone
                outcome.contentHash = batch.hash.finalize()
                outcome.heldBackLastLine = batch.heldBackLastLine
                if let e = batch.readError { outcome.readError = e }
                pending.last = batch
                // Provider export rows are written as they come; they count toward the transaction's size too.
                if writer.stagedCount + Int(pending.rows) >= options.rowsPerTransaction {
                    try commit(&pending, sourceID: sourceID, path: path, into: &file)
                    open = false
                }
                if stop.isRequested {
                    // Commit what is staged, so that the stop lands on a batch boundary, and end the parser.
                    if open {
                        try commit(&pending, sourceID: sourceID, path: path, into: &file)
                        open = false
                    }
                    outcome.interrupted = true
                    queue.cancel()
                    break
                }
            }
            if open {
                try commit(&pending, sourceID: sourceID, path: path, into: &file)
                open = false
            }
        } catch {
            queue.cancel()
            done.wait()
            if open { try? db.execute("ROLLBACK") }
            writer.discardPending()
            throw error
        }
        done.wait()
        return outcome
    }

    /// What the open transaction holds, for the source's bookkeeping at commit.
    struct TransactionTally {
        var size: Int64?
        var rows: Int64 = 0
        var duplicates: Int64 = 0
        var rejected: Int64 = 0
        var last: Batch?
    }

    /// Settles the staged rows (keys, duplicates, action facts), records the source's progress, and
    /// commits.
    private func commit(_ t: inout TransactionTally, sourceID: Int64, path: String, into file: inout FileSummary) throws {
        try writer.finishTransaction { staged, outcome in
            switch outcome {
            case .inserted(let priced):
                t.rows += 1
                file.rows += 1
                if !priced { file.unpricedModels[try writer.modelName(staged.modelID), default: 0] += 1 }
            case .duplicate:
                t.duplicates += 1
                file.duplicates += 1
            case .conflict(let otherSource, let otherLine, let raw, let requestID):
                t.rejected += 1
                let otherPath = try sources.path(id: otherSource) ?? "?"
                let reason = RejectReason.conflict(
                    "request_id `\(requestID)` was already imported from \(otherPath):\(otherLine) with different content")
                try rejects.add(sourceID: sourceID, line: staged.line, reason: reason, raw: raw,
                                requestID: requestID, conflict: (otherSource, otherLine))
                file.noteReject(reason, path: path, line: staged.line)
            }
        }
        if let last = t.last {
            try sources.progress(id: sourceID, bytesDone: last.bytesDone, linesDone: Int64(last.linesDone),
                                 prefixHash: last.hash.finalize(), size: t.size ?? last.bytesDone,
                                 rows: t.rows, duplicates: t.duplicates, rejected: t.rejected)
        }
        try db.execute("COMMIT")
        onProgress?(ImportProgress(path: path, bytesDone: t.last?.bytesDone ?? 0, bytesTotal: t.size, rows: file.rows))
        t = TransactionTally()
    }

    /// The parser thread: reads units, parses them, hands over batches. With `prepareCalls` false the
    /// calls stay in the batches' items as parsed (for inspecting a parse without storing it).
    static func parse(reader: LineReader, format: any FormatImporter.Type, settings: ImporterSettings, prices: PriceBook,
                      linesPerBatch: Int, prepareCalls: Bool = true, into queue: BoundedQueue<Batch>) {
        var importer = format.init(settings: settings)
        var preparer = CallPreparer(prices: prices, family: format.family)
        /// Prepares the batch's calls for storage, once, before it is handed over.
        func prepare(_ batch: inout Batch) { if prepareCalls { preparer.prepare(&batch) } }
        var batch = Batch()
        batch.linesDone = reader.lineNumber
        batch.bytesDone = reader.offset
        batch.hash = reader.hash
        /// Hands over a full batch and starts the next one where it ended; false when the writer stopped.
        func handOver() -> Bool {
            prepare(&batch)
            guard queue.put(batch) else { return false }
            let carry = batch
            batch = Batch()
            batch.linesDone = carry.linesDone
            batch.bytesDone = carry.bytesDone
            batch.hash = carry.hash
            return true
        }
        do {
            switch format.framing {
            case .lines:
                var linesInBatch = 0
                while true {
                    let before = (line: reader.lineNumber, offset: reader.offset, hash: reader.hash)
                    guard let line = try reader.next() else { break }
                    if let oversize = line.oversizeLength {
                        batch.items.append(.reject(.tooLong(oversize), line: line.number, raw: Array(line.bytes)))
                    } else if !InputSample.isBlank(line.bytes) {
                        let count = batch.items.count
                        do {
                            try importer.parse(line.bytes, line: line.number, into: &batch.items)
                        } catch {
                            batch.items.removeSubrange(count...)
                            if !line.terminated {
                                // A cut-off last line: keep it as a reject, but do not count it as read, so
                                // that when the file grows the completed line is imported.
                                batch.items.append(.reject(.truncatedLine, line: line.number, raw: Array(line.bytes)))
                                batch.heldBackLastLine = true
                                batch.linesDone = before.line
                                batch.bytesDone = before.offset
                                batch.hash = before.hash
                                break
                            }
                            batch.items.append(.reject(RecordProblem.reason(for: error), line: line.number, raw: Array(line.bytes)))
                        }
                    }
                    batch.linesDone = line.number
                    batch.bytesDone = line.endOffset
                    batch.hash = reader.hash
                    linesInBatch += 1
                    if linesInBatch >= linesPerBatch {
                        guard handOver() else { return }
                        linesInBatch = 0
                    }
                }
            case .csvRecords:
                var record: [UInt8] = []
                var recordLine = 0
                var framing = CSVRecordFraming()
                var linesInBatch = 0
                while true {
                    guard let line = try reader.next() else {
                        // The input ended inside a quoted field: the unfinished record is a reject.
                        if !record.isEmpty {
                            batch.items.append(.reject(Self.unclosedQuote(from: recordLine, to: reader.lineNumber), line: recordLine,
                                                       raw: Array(record.prefix(ImportLimits.rejectRawBytes))))
                            batch.linesDone = reader.lineNumber
                            batch.bytesDone = reader.offset
                            batch.hash = reader.hash
                        }
                        break
                    }
                    if record.isEmpty { recordLine = line.number } else { record.append(0x0A) }
                    record.append(contentsOf: line.bytes)
                    framing.feed(line.bytes)
                    let insideQuotes = framing.insideQuotes
                    // A line over the reader's limit comes cut to its first bytes: its record is too long.
                    let length = line.oversizeLength.map { record.count - line.bytes.count + $0 } ?? record.count
                    if insideQuotes && line.terminated && line.oversizeLength == nil && length <= ImportLimits.maxCSVRecordBytes { continue }
                    if line.oversizeLength != nil || length > ImportLimits.maxCSVRecordBytes {
                        batch.items.append(.reject(.tooLong(length), line: recordLine, raw: Array(record.prefix(ImportLimits.rejectRawBytes))))
                    } else if insideQuotes {
                        batch.items.append(.reject(Self.unclosedQuote(from: recordLine, to: line.number), line: recordLine,
                                                   raw: Array(record.prefix(ImportLimits.rejectRawBytes))))
                    } else if !InputSample.isBlank(record) {
                        let count = batch.items.count
                        do {
                            try record.withUnsafeBufferPointer { try importer.parse($0, line: recordLine, into: &batch.items) }
                        } catch {
                            batch.items.removeSubrange(count...)
                            batch.items.append(.reject(RecordProblem.reason(for: error), line: recordLine,
                                                       raw: Array(record.prefix(ImportLimits.rejectRawBytes))))
                        }
                    }
                    record.removeAll(keepingCapacity: true)
                    framing.reset()
                    batch.linesDone = line.number
                    batch.bytesDone = line.endOffset
                    batch.hash = reader.hash
                    linesInBatch += 1
                    if linesInBatch >= linesPerBatch {
                        guard handOver() else { return }
                        linesInBatch = 0
                    }
                }
            case .document:
                var bytes: [UInt8] = []
                var lines = 0
                while let line = try reader.next(maxLength: ImportLimits.maxDocumentBytes) {
                    if line.oversizeLength != nil {
                        throw InputError(path: "", message: "document larger than \(ImportLimits.maxDocumentBytes >> 20) MiB")
                    }
                    bytes.append(contentsOf: line.bytes)
                    bytes.append(0x0A)
                    lines = line.number
                    if bytes.count > ImportLimits.maxDocumentBytes {
                        throw InputError(path: "", message: "document larger than \(ImportLimits.maxDocumentBytes >> 20) MiB")
                    }
                }
                if !InputSample.isBlank(bytes) {
                    do {
                        try bytes.withUnsafeBufferPointer { try importer.parse($0, line: 1, into: &batch.items) }
                    } catch {
                        batch.items.append(.reject(RecordProblem.reason(for: error), line: 1,
                                                   raw: Array(bytes.prefix(ImportLimits.rejectRawBytes))))
                    }
                }
                batch.linesDone = lines
                batch.bytesDone = reader.offset
                batch.hash = reader.hash
            }
            importer.finish(into: &batch.items)
        } catch {
            batch.readError = (error as? InputError)?.message ?? String(describing: error)
            // Calls held back from the lines read so far belong with them: progress counts those lines.
            importer.finish(into: &batch.items)
        }
        prepare(&batch)
        _ = queue.put(batch)
        queue.close()
    }

    /// The reject of a CSV record whose quoted field runs to the end of the input.
    static func unclosedQuote(from first: Int, to last: Int) -> RejectReason {
        .malformedJSON("CSV quoted field opened on line \(first) is never closed (lines \(first)–\(last) read as one record)")
    }

    /// Names the calling thread (seen in `top -H` and profilers).
    static func nameThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = name.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #endif
    }


    /// Stores one batch inside the open transaction: calls are staged, rejects written.
    private func store(_ batch: Batch, sourceID: Int64, path: String, tally: inout TransactionTally,
                       into file: inout FileSummary) throws {
        try writer.learn(batch.newSymbols)
        try batch.text.bytes.withUnsafeBufferPointer { text in
            for i in batch.calls.indices {
                try writer.stage(batch.calls[i], text: text, sourceID: sourceID)
            }
        }
        for i in batch.items.indices {
            switch batch.items[i] {
            case .call:
                // Prepared into `batch.calls` by the parser thread.
                break
            case .providerUsage(let row, let line):
                note(try providerWriter.write(row, sourceID: sourceID, line: line), tally: &tally, file: &file)
            case .providerCost(let row, let line):
                note(try providerWriter.write(row, sourceID: sourceID, line: line), tally: &tally, file: &file)
            case .reject(let reason, let line, let raw):
                tally.rejected += 1
                try rejects.add(sourceID: sourceID, line: line, reason: reason, raw: raw)
                file.noteReject(reason, path: path, line: line)
            case .skipped(let why, _):
                file.skippedByReason[why, default: 0] += 1
            }
        }
    }

    /// Counts a provider row: every one lands (new, added to a row of the same file, or replacing a row of an
    /// earlier download); none is a duplicate.
    private func note(_ outcome: ProviderExportWriter.Outcome, tally: inout TransactionTally, file: inout FileSummary) {
        tally.rows += 1
        file.providerRows += 1
        switch outcome {
        case .inserted: break
        case .added: file.providerRowsAdded += 1
        case .replaced: file.providerRowsReplacing += 1
        }
    }

    // MARK: Files

    static func fileSize(_ path: String) throws -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw InputError.errno(path, "cannot read") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(path: path, message: "is a directory") }
        return Int64(st.st_size)
    }

    /// The running hash of the first `bytes` bytes of a file.
    static func hashPrefix(path: String, bytes: Int64) throws -> XXHash64 {
        var hash = XXHash64()
        guard bytes > 0 else { return hash }
        let source = try FileByteSource(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = bytes
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            if n == 0 { break }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            remaining -= Int64(n)
        }
        return hash
    }
}

/// The parser thread's step after parsing: prices each call, hashes its ids and numbers its names,
/// turning the batch's ``CallRecord``s into ``PreparedCall``s.
struct CallPreparer {
    private var resolver: PriceBook.Resolver
    private var symbols = DimensionSymbols()
    private let seeds: (request: UInt64, action: UInt64)

    init(prices: PriceBook, family: String) {
        resolver = PriceBook.Resolver(prices)
        seeds = RequestWriter.seeds(family: family)
    }

    /// Moves the batch's calls from `items` to `calls`, prepared, with the names they use first.
    mutating func prepare(_ batch: inout Importer.Batch) {
        symbols.startBatch()
        var others: [ImportItem] = []
        batch.calls.reserveCapacity(batch.calls.count + batch.items.count)
        batch.text.reserve(batch.items.count * 48)
        for item in batch.items {
            if case .call(let call, let line) = item {
                let price = PriceQuote.of(call, in: &resolver)
                batch.calls.append(PreparedCall(call, line: line, price: price, seeds: seeds, symbols: &symbols,
                                                text: &batch.text))
            } else {
                others.append(item)
            }
        }
        batch.items = others
        batch.newSymbols += symbols.takeNews()
    }
}

/// Moves a non-`Sendable` value to another thread that becomes its only user.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#endif
