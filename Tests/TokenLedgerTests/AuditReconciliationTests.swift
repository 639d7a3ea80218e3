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

/// The weekly report carries the reconciliation when provider exports cover its period.
@Suite struct AuditReconciliationTests {
    func database() throws -> Database {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-auditrec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = try Database(path: dir.appendingPathComponent("t.sqlite").path)
        _ = try Importer(database: db, prices: try PriceStore(db: db).loadBook())
            .run(paths: [SampleDatabase.packageRoot.appendingPathComponent("fixtures/providers").path])
        return db
    }

    @Test func theReportHasTheReconciliationOfItsPeriod() throws {
        let db = try database()
        let period = try Period(parsing: "2026-01-01..2026-01-04")
        let utc = TimeZone(identifier: "UTC")!
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(period), zone: utc, zoneName: "UTC"))
        let rec = try #require(r.reconciliation)
        let standalone = Reconciliation.run(try ReconciliationInput.load(db: db, period: period, book: try PriceStore(db: db).storedBook()),
                                            asOf: rec.asOf)
        #expect(rec.totals == standalone.totals)
        #expect(rec.totals.billed > .zero)
        #expect(AuditReportText.render(r, budgetName: nil).contains("RECONCILIATION WITH PROVIDER BILLS"))
        let json = try JSONValue.parse(AuditReportJSON.render(r, budgetName: nil))
        #expect(json["reconciliation"]?["totals"] != nil)
    }

    @Test func aPeriodWithoutExportsHasNone() throws {
        let db = try database()
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(try Period(parsing: "2025-06-01..2025-06-07")),
                                                      zone: TimeZone(identifier: "UTC")!, zoneName: "UTC"))
        #expect(r.reconciliation == nil)
        #expect(try JSONValue.parse(AuditReportJSON.render(r, budgetName: nil))["reconciliation"] == .null)
    }
}
