import Foundation
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// A temporary database with sample traffic imported, for tests of analysis and reports. Tests share
/// its path and open their own connection (a connection belongs to one thread).
struct SampleDatabase: Sendable {
    let path: String

    /// Generates `calls` sample calls from 2026-10-05 (a Monday) over `days` days and imports them.
    init(calls: Int, days: Int, scenario: SampleTraffic.Scenario = .drift, seed: UInt64 = 7) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("sample.jsonl").path
        try SampleTraffic(.init(seed: seed, start: CivilDate(year: 2026, month: 10, day: 5), days: days, targetCalls: calls,
                                scenario: scenario)).write(toFile: log)
        path = directory.appendingPathComponent("test.sqlite").path
        let db = try Database(path: path)
        let importer = try Importer(database: db, prices: try PriceStore(db: db).loadBook())
        _ = try importer.run(paths: [log])
    }

    /// A new connection to the database.
    var db: Database { get throws { try Database(path: path) } }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var budget: Budget {
        get throws { try BudgetFile.load(path: packageRoot.appendingPathComponent("fixtures/budget/budget.yaml").path) }
    }
}
