@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

extension ImportedDatabase {
    /// The priced cost of one request in picodollars; nil when it is unpriced (or not stored).
    func cost(_ id: String) throws -> Int64? {
        let rows = try rows("SELECT cost FROM requests WHERE request_id = ?", .text(id))
        guard let text = rows.first?.first ?? nil else { return nil }
        return Int64(text)
    }
}
