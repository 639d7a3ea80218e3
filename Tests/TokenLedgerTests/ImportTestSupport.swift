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

/// Paths of the importer fixtures (`fixtures/README.md`).
enum ImportFixtures {
    static var root: URL { PricingFixtures.packageRoot.appendingPathComponent("fixtures") }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// The 1-based number of the first line of a fixture that contains `needle`.
    static func line(of needle: String, in relative: String) throws -> Int {
        let lines = try text(relative).components(separatedBy: "\n")
        let i = try #require(lines.firstIndex { $0.contains(needle) }, "\(needle) not in \(relative)")
        return i + 1
    }

    static let claudeSession = "8f6c2b7e-3d41-4c8a-9b0e-5a1f2c3d4e5f"
    static var claudeShopSession: String { "claude-code/projects/-home-dev-shop/\(claudeSession).jsonl" }
    static var claudeSubagent: String { "claude-code/projects/-home-dev-shop/\(claudeSession)/subagents/agent-a1b2c3d4.jsonl" }
}

/// Inputs imported into a new database with the default price book, in a temporary folder that is
/// removed with it.
final class ImportedDatabase {
    let directory: URL
    let db: Database
    let summary: ImportSummary

    init(_ paths: [String], format: String? = nil, settings: ImporterSettings = ImporterSettings()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        db = try Database(path: directory.appendingPathComponent("test.sqlite").path)
        var options = ImportOptions(format: format)
        options.settings = settings
        let importer = try Importer(database: db, prices: try PriceStore(db: db).loadBook(), options: options)
        summary = try importer.run(paths: paths)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Imports more inputs into the same database.
    func importMore(_ paths: [String], format: String? = nil) throws -> ImportSummary {
        let importer = try Importer(database: db, prices: try PriceStore(db: db).loadBook(), options: ImportOptions(format: format))
        return try importer.run(paths: paths)
    }

    func int(_ sql: String, _ bindings: SQLValue...) throws -> Int64 {
        let s = try db.prepare(sql)
        try s.bind(bindings)
        guard try s.step(), !s.isNull(0) else { return 0 }
        return s.int64(0)
    }

    /// Every row of a query, each column as text (nil for NULL).
    func rows(_ sql: String, _ bindings: SQLValue...) throws -> [[String?]] {
        let s = try db.prepare(sql)
        try s.bind(bindings)
        var out: [[String?]] = []
        while try s.step() {
            out.append((0..<s.columnCount).map { s.text($0) })
        }
        return out
    }

    /// One request of `v_requests` by request id, as column name → text (NULL columns left out).
    func request(_ id: String) throws -> [String: String] {
        let columns = Self.requestColumns
        let row = try rows("SELECT \(columns.joined(separator: ", ")) FROM v_requests WHERE request_id = ?", .text(id))
        guard let first = row.first else {
            Issue.record("request \(id) not imported")
            return [:]
        }
        var out: [String: String] = [:]
        for (name, value) in zip(columns, first) where value != nil { out[name] = value }
        return out
    }

    /// The rejects as (line, reason code), in line order.
    func rejects() throws -> [(line: Int, reason: String)] {
        try rows("SELECT line, reason FROM rejects ORDER BY line, id").map { (Int($0[0] ?? "0") ?? 0, $0[1] ?? "") }
    }
}

extension ImportedDatabase {
    /// The columns of `v_requests` that tests look at.
    static let requestColumns = [
        "timestamp", "ts_ms", "request_id", "action_id", "model", "workflow", "team", "user_id", "user_segment",
        "project", "api_key_id", "provider", "kind", "status", "attempt", "fallback_reason", "fallback_from",
        "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
        "reasoning_tokens", "batch", "service_tier", "latency_ms", "source_line", "metadata",
    ]
}

/// Runs one importer over text without a database, as the pipeline would: lines or the whole text as
/// units (a thrown error rejects its unit), then `finish`.
func parseItems<F: FormatImporter>(_ format: F.Type, _ text: String, settings: ImporterSettings = ImporterSettings()) -> [ImportItem] {
    var importer = F(settings: settings)
    var items: [ImportItem] = []
    let bytes = Array(text.utf8)
    func unit(_ slice: ArraySlice<UInt8>, line: Int) {
        let count = items.count
        do {
            try Array(slice).withUnsafeBufferPointer { try importer.parse($0, line: line, into: &items) }
        } catch {
            items.removeSubrange(count...)
            items.append(.reject(RecordProblem.reason(for: error), line: line, raw: Array(slice.prefix(200))))
        }
    }
    switch F.framing {
    case .document:
        if !InputSample.isBlank(bytes) { unit(bytes[...], line: 1) }
    case .lines, .csvRecords:
        for (i, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !InputSample.isBlank(line) {
            unit(line, line: i + 1)
        }
    }
    importer.finish(into: &items)
    return items
}

extension ImportItem {
    var call: CallRecord? { if case .call(let c, _) = self { return c } else { return nil } }
    var rejectReason: RejectReason? { if case .reject(let r, _, _) = self { return r } else { return nil } }
}

extension Array where Element == ImportItem {
    var calls: [CallRecord] { compactMap(\.call) }
    var rejectReasons: [RejectReason] { compactMap(\.rejectReason) }
}

/// The importer claiming a sample of the file, by name.
func detectedFormat(_ relative: String) throws -> String? {
    let bytes = try Data(contentsOf: ImportFixtures.root.appendingPathComponent(relative))
    return ImportFormats.detect(InputSample(bytes: Array(bytes.prefix(64 * 1024)), name: ImportFixtures.path(relative)))?.formatName
}

func money(_ text: String) -> Money {
    guard let m = Money(parsing: text) else { fatalError("bad test amount \(text)") }
    return m
}
