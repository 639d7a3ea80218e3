import Foundation
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Fixtures and helpers for the provider-export and reconciliation tests.
enum ProviderFixtures {
    static var root: URL { PricingFixtures.packageRoot.appendingPathComponent("fixtures/providers") }

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: url(path))) }

    /// Runs one format over bytes the way the import pipeline frames them (no database).
    static func items<F: FormatImporter>(_ format: F.Type, _ bytes: [UInt8], settings: ImporterSettings = ImporterSettings()) throws -> [ImportItem] {
        var importer = F(settings: settings)
        var items: [ImportItem] = []
        switch F.framing {
        case .document:
            try bytes.withUnsafeBufferPointer { try importer.parse($0, line: 1, into: &items) }
        case .lines, .csvRecords:
            var lineNumber = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
                let unit = Array(line)
                let count = items.count
                do {
                    try unit.withUnsafeBufferPointer { try importer.parse($0, line: lineNumber, into: &items) }
                } catch {
                    items.removeSubrange(count...)
                    items.append(.reject(RecordProblem.reason(for: error), line: lineNumber, raw: unit))
                }
            }
        }
        importer.finish(into: &items)
        return items
    }

    static func items<F: FormatImporter>(_ format: F.Type, text: String) throws -> [ImportItem] {
        try items(format, Array(text.utf8))
    }

    static func items<F: FormatImporter>(_ format: F.Type, file: String) throws -> [ImportItem] {
        try items(format, try bytes(file))
    }

    static func usage(_ items: [ImportItem]) -> [ProviderUsageRow] {
        items.compactMap { if case .providerUsage(let r, _) = $0 { r } else { nil } }
    }

    static func costs(_ items: [ImportItem]) -> [ProviderCostRow] {
        items.compactMap { if case .providerCost(let r, _) = $0 { r } else { nil } }
    }

    static func rejects(_ items: [ImportItem]) -> [(reason: RejectReason, line: Int)] {
        items.compactMap { if case .reject(let r, let line, _) = $0 { (r, line) } else { nil } }
    }

    /// The format detection picks for a file.
    static func detected(_ path: String) throws -> String? {
        ImportFormats.detect(InputSample(bytes: Array(try bytes(path).prefix(64 * 1024)), name: path))?.formatName
    }

    /// A new database in a temporary directory.
    static func temporaryDatabase() throws -> (Database, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-providers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (try Database(path: dir.appendingPathComponent("test.sqlite").path), dir)
    }

    /// The files of the end-to-end scenario, in import order.
    static let scenario = [
        "routing-log.jsonl",
        "openai/usage-2026-01-01-download-1.json",
        "openai/usage-2026-01-02-download-2.json",
        "openai/costs-2026-01.jsonl",
        "anthropic/usage-report-2026-01.json",
        "anthropic/cost-report-2026-01.json",
        "openrouter/activity-2026-01-01.csv",
        "openrouter/generations-2026-01-01.jsonl",
    ]

    /// Imports `files` into `db` with the price book stored in it.
    @discardableResult
    static func importFiles(_ files: [String], into db: Database) throws -> ImportSummary {
        let book = try PriceStore(db: db).loadBook()
        let importer = try Importer(database: db, prices: book)
        return try importer.run(paths: files.map { url($0).path })
    }

    /// Money from exact decimal text (test input is always valid).
    static func usd(_ text: String) -> Money {
        guard let m = Money(parsing: text, rounding: false) else { fatalError("bad test amount \(text)") }
        return m
    }
}
