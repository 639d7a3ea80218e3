import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Process-wide SQLite settings that the import's speed depends on.
@Suite struct DatabaseSettingsTests {
    @Test func sqliteKeepsNoMemoryStatisticsOnceADatabaseIsOpen() throws {
        let imported = try ImportedDatabase([ImportFixtures.path("routing-log/valid.jsonl")])
        #expect(imported.summary.rowsImported > 0)
        // With statistics on, SQLite reports the page cache and statements held by this connection.
        #expect(!Database.countsMemory)
    }
}
