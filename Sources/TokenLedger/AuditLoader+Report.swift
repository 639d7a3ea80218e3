import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerReport
import LedgerSample
import LedgerStore
import LedgerValues

extension AuditLoader {
    /// The audit of a period in one snapshot: the figures and flags, and the reconciliation with the
    /// providers' bills when their exports cover the period. "Now" is the last stored call, so the same
    /// data always gives the same report.
    public func report(period: Period, zone: TimeZone, zoneName: String, budget: Budget?) throws -> AuditResult {
        try db.readTransaction {
            let book = try PriceStore(db: db).storedBook()
            var r = Audit.run(try load(period: period, zone: zone, zoneName: zoneName, budget: budget, prices: book))
            // Without provider exports for the period there is nothing to reconcile (and no need to add up
            // its calls once more).
            guard try ProviderExportStore(db: db).hasRows(in: period.interval(in: TimeZone(identifier: "UTC")!)) else { return r }
            let reconciliation = Reconciliation.run(try ReconciliationInput.load(db: db, period: period, book: book),
                                                    providers: nil, tolerances: ReconciliationTolerances(),
                                                    asOf: max(r.dataEnd, period.last.adding(days: 1).start(in: zone)))
            if reconciliation.hasProviderData { r.reconciliation = reconciliation }
            return r
        }
    }
}
