import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// One input that was imported (a file, or one read of standard input), and how far it got.
public struct SourceRecord: Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var format: String
    public var size: Int64
    /// Bytes consumed, up to the end of the last line that was stored or rejected for good.
    public var bytesDone: Int64
    public var linesDone: Int64
    /// XXH64 of the first `bytesDone` bytes.
    public var prefixHash: Int64
    /// XXH64 of the whole file, once it was read to its end.
    public var contentHash: Int64?
    public var complete: Bool
    /// Whether the read that made this record came to its end (false for an import that was stopped:
    /// interrupted, killed, or ended by an error of the database).
    public var finished: Bool = true
}

/// The `sources` table: which inputs were read, so that an unchanged file is skipped and a grown one
/// resumes where it stopped.
struct SourceStore {
    let db: Database

    static let columns = "id, path, format, size, bytes_done, lines_done, prefix_hash, content_hash, complete, finished_at IS NOT NULL"

    func read(_ s: Statement) -> SourceRecord {
        SourceRecord(id: s.int64(0), path: s.text(1) ?? "", format: s.text(2) ?? "", size: s.int64(3),
                     bytesDone: s.int64(4), linesDone: s.int64(5), prefixHash: s.int64(6),
                     contentHash: s.optionalInt64(7), complete: s.int64(8) != 0, finished: s.int64(9) != 0)
    }

    /// The most recent read of `path`.
    func latest(path: String) throws -> SourceRecord? {
        let s = try db.cached("SELECT \(Self.columns) FROM sources WHERE path = ? ORDER BY id DESC LIMIT 1")
        s.bind(path, at: 1)
        defer { s.reset() }
        return try s.step() ? read(s) : nil
    }

    /// Whether a source of exactly this size was read completely (then a new file of that size may
    /// hold the same content).
    func anyComplete(size: Int64) throws -> Bool {
        let s = try db.cached("SELECT 1 FROM sources WHERE size = ? AND complete = 1 AND content_hash IS NOT NULL LIMIT 1")
        s.bind(size, at: 1)
        defer { s.reset() }
        return try s.step()
    }

    /// A completely read source with this size and content hash (found through the content index).
    func complete(size: Int64, contentHash: Int64) throws -> SourceRecord? {
        let s = try db.cached("SELECT \(Self.columns) FROM sources WHERE content_hash = ? AND size = ? AND complete = 1 ORDER BY id LIMIT 1")
        s.bind(contentHash, at: 1)
        s.bind(size, at: 2)
        defer { s.reset() }
        return try s.step() ? read(s) : nil
    }

    func create(path: String, format: String, size: Int64, now: Date) throws -> Int64 {
        try db.run("INSERT INTO sources(path, format, size, started_at) VALUES(?, ?, ?, ?)",
                   .text(path), .text(format), .integer(size), .text(Self.iso(now)))
        return db.lastInsertRowID
    }

    /// Records progress inside the same transaction as the rows it covers.
    func progress(id: Int64, bytesDone: Int64, linesDone: Int64, prefixHash: UInt64, size: Int64,
                  rows: Int64, duplicates: Int64, rejected: Int64) throws {
        try db.run("""
            UPDATE sources SET bytes_done = ?, lines_done = ?, prefix_hash = ?, size = max(size, ?),
                rows_imported = rows_imported + ?, duplicates = duplicates + ?, rejected = rejected + ?
            WHERE id = ?
            """, .integer(bytesDone), .integer(linesDone), .integer(XXHash64.signed(prefixHash)), .integer(size),
                   .integer(rows), .integer(duplicates), .integer(rejected), .integer(id))
    }

    func finish(id: Int64, size: Int64, complete: Bool, contentHash: UInt64?, now: Date) throws {
        try db.run("UPDATE sources SET size = ?, complete = ?, content_hash = ?, finished_at = ? WHERE id = ?",
                   .integer(size), .integer(complete ? 1 : 0), SQLValue(contentHash.map(XXHash64.signed)),
                   .text(Self.iso(now)), .integer(id))
    }

    /// What the reads of a source stored (requests and provider rows, or duplicates of rows stored
    /// earlier) and rejected, and the most frequent reason of its rejects.
    func outcome(id: Int64) throws -> SourceOutcome {
        let s = try db.prepare("SELECT rows_imported + duplicates, rejected FROM sources WHERE id = ?")
        s.bind(id, at: 1)
        guard try s.step() else { return SourceOutcome() }
        var outcome = SourceOutcome(landed: s.int64(0), rejected: s.int64(1))
        let top = try db.prepare("""
            SELECT reason, message FROM rejects WHERE source_id = ? GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 1
            """)
        top.bind(id, at: 1)
        if try top.step() { outcome.topReject = (top.text(0) ?? "", top.text(1) ?? "") }
        return outcome
    }

    func path(id: Int64) throws -> String? {
        try db.scalarText("SELECT path FROM sources WHERE id = ?", .integer(id))
    }

    static func iso(_ date: Date) -> String {
        Timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down))).iso8601
    }
}

/// What the reads of one source came to (see ``SourceStore/outcome(id:)``).
struct SourceOutcome {
    var landed: Int64 = 0
    var rejected: Int64 = 0
    var topReject: (code: String, message: String)?

    /// Rows were read and none of them landed (an empty input, or one of blank lines, has no rows).
    var nothingLanded: Bool { landed == 0 && rejected > 0 }

    /// Why such an input failed, for the import summary.
    var failure: String {
        var out = "no row was imported: all \(rejected) row(s) were rejected"
        if let top = topReject { out += " (\(top.code): \(top.message))" }
        return out + "; see `tokenledger rejects`"
    }
}

/// The `rejects` table: every input row that was not imported, with where it came from and why.
struct RejectStore {
    let db: Database

    func add(sourceID: Int64, line: Int, reason: RejectReason, raw: [UInt8], requestID: String? = nil,
             conflict: (sourceID: Int64, line: Int64)? = nil) throws {
        let s = try db.cached("""
            INSERT INTO rejects(source_id, line, reason, message, raw, request_id, conflict_source_id, conflict_line)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?)
            """)
        s.bind(sourceID, at: 1)
        s.bind(Int64(line), at: 2)
        s.bind(reason.code, at: 3)
        s.bind(reason.description, at: 4)
        raw.prefix(ImportLimits.rejectRawBytes).withUnsafeBytes { s.bindBlob($0, at: 5) }
        s.bind(requestID, at: 6)
        s.bind(conflict?.sourceID, at: 7)
        s.bind(conflict?.line, at: 8)
        try s.step()
    }

    /// Removes the rejects of lines after `line` (they are read again when an import resumes, such as a
    /// cut-off last line kept as a reject until the file grew), and takes them off the source's count.
    func removeAfter(sourceID: Int64, line: Int64) throws {
        try db.run("DELETE FROM rejects WHERE source_id = ? AND line > ?", .integer(sourceID), .integer(line))
        let removed = Int64(db.changes)
        guard removed > 0 else { return }
        try db.run("UPDATE sources SET rejected = max(0, rejected - ?) WHERE id = ?", .integer(removed), .integer(sourceID))
    }
}

/// Reading the rejects table.
public enum RejectList {
    /// The rejects (newest sources last, by line), filtered; `limit` 0 means all. Also the total count
    /// matching the filters.
    public static func read(db: Database, source: String?, reason: String?, limit: Int) throws -> (rows: [RejectRecord], total: Int64) {
        let filter = "WHERE (?1 IS NULL OR instr(s.path, ?1) > 0) AND (?2 IS NULL OR r.reason = ?2)"
        let count = try db.prepare("SELECT count(*) FROM rejects r JOIN sources s ON s.id = r.source_id \(filter)")
        count.bind(source, at: 1)
        count.bind(reason, at: 2)
        let total = try count.step() ? count.int64(0) : 0
        let q = try db.prepare("""
            SELECT s.path, r.line, r.reason, r.message, r.raw, cs.path, r.conflict_line
            FROM rejects r JOIN sources s ON s.id = r.source_id LEFT JOIN sources cs ON cs.id = r.conflict_source_id
            \(filter) ORDER BY r.source_id, r.line LIMIT ?3
            """)
        q.bind(source, at: 1)
        q.bind(reason, at: 2)
        q.bind(Int64(limit <= 0 ? -1 : limit), at: 3)
        var rows: [RejectRecord] = []
        while try q.step() {
            rows.append(RejectRecord(path: q.text(0) ?? "", line: q.int64(1), reason: q.text(2) ?? "", message: q.text(3) ?? "",
                                     raw: q.blob(4), conflictPath: q.text(5), conflictLine: q.optionalInt64(6)))
        }
        return (rows, total)
    }
}
