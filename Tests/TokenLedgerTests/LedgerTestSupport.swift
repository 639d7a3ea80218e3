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

/// The routing-log fixtures (`fixtures/routing-log/`, described in `fixtures/README.md`).
enum RoutingLogFixtures {
    static var directory: URL { PricingFixtures.packageRoot.appendingPathComponent("fixtures/routing-log") }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }

    /// The lines of a fixture as raw bytes, split on `\n` (the last, empty piece after the final line end is dropped).
    static func lines(_ name: String) throws -> [[UInt8]] {
        var lines = try bytes(name).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// `malformed.expected`: the reason code of each rejected line of `malformed.jsonl`, by line number.
    static func expectedRejects() throws -> [Int: String] {
        let text = try String(contentsOf: url("malformed.expected"), encoding: .utf8)
        var out: [Int: String] = [:]
        for row in text.split(separator: "\n") where !row.isEmpty {
            let parts = row.split(separator: " ")
            guard parts.count == 2, let line = Int(parts[0]) else { Issue.record("bad row in malformed.expected: \(row)"); continue }
            out[line] = String(parts[1])
        }
        return out
    }
}

/// A directory of its own for one test, removed when the value goes away.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, bytes: Array(text.utf8)) }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func append(_ name: String, bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(name)))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    /// Copies a routing-log fixture into the directory.
    @discardableResult
    func copy(fixture name: String, as target: String? = nil) throws -> String {
        try write(target ?? (name as NSString).lastPathComponent, bytes: try RoutingLogFixtures.bytes(name))
    }

    /// A new database file in this directory.
    func ledger(_ name: String = "ledger.sqlite") throws -> TestLedger { try TestLedger(path: path(name)) }
}

/// A database with its price book, and the queries the tests ask of it.
final class TestLedger {
    let db: Database
    private(set) var book: PriceBook

    init(path: String) throws {
        db = try Database(path: path)
        book = try PriceStore(db: db).loadBook()
    }

    /// Imports the inputs with the book as it is now.
    @discardableResult
    func importPaths(_ paths: [String], options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        try Importer(database: db, prices: book, options: options).run(paths: paths)
    }

    /// Stores price entries as the user's own (as `prices import` does) and reloads the book.
    func addPrices(yaml: String) throws {
        let file = try PriceBookFile.parse(text: yaml, path: "test-prices.yaml")
        try db.transaction { _ = try PriceStore(db: db).save(file.entries, origin: .user) }
        book = try PriceStore(db: db).loadBook()
    }

    func int(_ sql: String) throws -> Int64 { try db.scalarInt(sql) ?? 0 }

    func optionalInt(_ sql: String) throws -> Int64? { try db.scalarInt(sql) }

    /// Every row of a query, each column as a value.
    func rows(_ sql: String) throws -> [[SQLValue]] {
        let s = try db.prepare(sql)
        var out: [[SQLValue]] = []
        while try s.step() { out.append((0..<s.columnCount).map { s.value($0) }) }
        return out
    }

    /// The first column of every row, as text.
    func texts(_ sql: String) throws -> [String] {
        try rows(sql).map { row in
            switch row.first {
            case .text(let t): t
            case .integer(let i): String(i)
            default: ""
            }
        }
    }

    /// `(line, reason)` of the rejects of sources whose path ends with `suffix`.
    func rejects(ofPathEndingWith suffix: String) throws -> [Int: String] {
        var out: [Int: String] = [:]
        for row in try rows("SELECT s.path, r.line, r.reason FROM rejects r JOIN sources s ON s.id = r.source_id ORDER BY r.line") {
            guard case .text(let path) = row[0], path.hasSuffix(suffix), case .integer(let line) = row[1],
                  case .text(let reason) = row[2] else { continue }
            out[Int(line)] = reason
        }
        return out
    }

    var totals: LedgerTotals { get throws { try LedgerTotals(self) } }

    /// Each action's facts with names instead of interned ids, ordered by key.
    func actionFacts() throws -> [[SQLValue]] {
        try rows("""
            SELECT a.id, a.action_id, a.first_request, a.last_request, w.name, t.name, u.name, sg.name, a.calls, a.retries,
                   a.fallbacks, a.classifier_calls, a.validation_calls, a.failed_calls, a.max_attempt, a.cost, a.failed_cost,
                   a.unpriced_calls, a.last_status, a.outcome, a.outcome_request, v.outcome
            FROM actions a LEFT JOIN workflows w ON w.id = a.workflow_id LEFT JOIN teams t ON t.id = a.team_id
            LEFT JOIN users u ON u.id = a.user_id LEFT JOIN segments sg ON sg.id = a.segment_id
            JOIN v_actions v ON v.id = a.id
            ORDER BY a.id
            """)
    }

    /// Each request's stored values with names instead of interned ids, and its cost, ordered by row id.
    func requestRows() throws -> [[SQLValue]] {
        try rows("""
            SELECT id, request_id, timestamp, action_id, model, workflow, team, user_id, kind, status, attempt,
                   input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens,
                   reasoning_tokens, batch, service_tier, latency_ms, price_id,
                   (SELECT cost FROM requests r WHERE r.id = v.id)
            FROM v_requests v ORDER BY id
            """)
    }
}

/// Totals read straight from the tables, in integers.
struct LedgerTotals: Equatable, CustomStringConvertible {
    var requests: Int64
    var distinctRequestIDs: Int64
    var cost: Int64
    var pricedRequests: Int64
    var unpricedRequests: Int64
    var inputTokens: Int64
    var outputTokens: Int64
    var cachedTokens: Int64
    var cacheWriteTokens: Int64
    var reasoningTokens: Int64
    var actions: Int64
    var actionCalls: Int64
    var actionCost: Int64
    var actionUnpriced: Int64
    var retries: Int64
    var fallbacks: Int64
    var failedCalls: Int64
    var rejects: Int64

    init(_ l: TestLedger) throws {
        requests = try l.int("SELECT count(*) FROM requests")
        distinctRequestIDs = try l.int("SELECT count(DISTINCT request_id) FROM requests")
        cost = try l.int("SELECT coalesce(sum(cost), 0) FROM requests")
        pricedRequests = try l.int("SELECT count(cost) FROM requests")
        unpricedRequests = try l.int("SELECT count(*) FROM requests WHERE cost IS NULL")
        inputTokens = try l.int("SELECT coalesce(sum(input_tokens), 0) FROM requests")
        outputTokens = try l.int("SELECT coalesce(sum(output_tokens), 0) FROM requests")
        cachedTokens = try l.int("SELECT coalesce(sum(cached_input_tokens), 0) FROM requests")
        cacheWriteTokens = try l.int("SELECT coalesce(sum(cache_write_tokens + cache_write_1h_tokens), 0) FROM requests")
        reasoningTokens = try l.int("SELECT coalesce(sum(reasoning_tokens), 0) FROM requests")
        actions = try l.int("SELECT count(*) FROM actions")
        actionCalls = try l.int("SELECT coalesce(sum(calls), 0) FROM actions")
        actionCost = try l.int("SELECT coalesce(sum(cost), 0) FROM actions")
        actionUnpriced = try l.int("SELECT coalesce(sum(unpriced_calls), 0) FROM actions")
        retries = try l.int("SELECT coalesce(sum(retries), 0) FROM actions")
        fallbacks = try l.int("SELECT coalesce(sum(fallbacks), 0) FROM actions")
        failedCalls = try l.int("SELECT coalesce(sum(failed_calls), 0) FROM actions")
        rejects = try l.int("SELECT count(*) FROM rejects")
    }

    var description: String {
        "requests \(requests), cost \(cost), input \(inputTokens), output \(outputTokens), actions \(actions), calls \(actionCalls), action cost \(actionCost), rejects \(rejects)"
    }
}

/// Routing-log lines written by hand in tests.
enum LogLine {
    /// One call; `extra` is appended inside the object (start it with a comma).
    static func call(_ id: String, at time: String = "2026-10-05T10:00:00Z", model: String = "gpt-4o-mini",
                     input: Int = 1000, output: Int = 100, _ extra: String = "") -> String {
        #"{"timestamp":"\#(time)","request_id":"\#(id)","model":"\#(model)","input_tokens":\#(input),"output_tokens":\#(output)\#(extra)}"#
    }

    static func file(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }
}

/// Sample traffic for tests that need volume (the generator is deterministic for a seed).
func sampleLog(calls: Int, seed: UInt64, days: Int = 7, duplicateShare: Double = 0, malformedShare: Double = 0) -> [UInt8] {
    SampleTraffic(.init(seed: seed, start: CivilDate(year: 2026, month: 10, day: 5), days: days, targetCalls: calls,
                        duplicateShare: duplicateShare, malformedShare: malformedShare)).bytes()
}

/// Splits log bytes into lines (each without its line end).
func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
}

/// Joins lines, each followed by a line end.
func joinLines<S: Sequence>(_ lines: S) -> [UInt8] where S.Element == ArraySlice<UInt8> {
    var out: [UInt8] = []
    for l in lines {
        out.append(contentsOf: l)
        out.append(0x0A)
    }
    return out
}


/// A decimal dollar string (`"12.345"`, `"-0.5"`) as picodollars, read digit by digit.
func picos(fromDollars text: String) -> Int128? {
    var s = Substring(text)
    var negative = false
    if s.first == "-" { negative = true; s = s.dropFirst() }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isNumber) else { return nil }
    let fraction = parts.count == 2 ? parts[1] : ""
    guard fraction.count <= 12, fraction.allSatisfy(\.isNumber) else { return nil }
    guard let w = Int128(whole), let f = Int128(fraction + String(repeating: "0", count: 12 - fraction.count)) else { return nil }
    let v = w * 1_000_000_000_000 + f
    return negative ? -v : v
}

