import Foundation
import LedgerAnalysis
import LedgerPricing
import LedgerValues

extension FocusExport {


    /// The rows as CSV (RFC 4180, CRLF line ends): the header, then one line per row.
    public static func csv(_ rows: [Row]) -> String {
        CSVText.table(columns, rows.map(\.fields))
    }

    /// One line for the terminal: what was written and what was left out.
    public static func summary(_ data: FocusUsageSet, rows: [Row]) -> String {
        let days = data.period.map { "\($0.first) to \($0.last) (UTC)" } ?? "all stored days"
        var s = "FOCUS \(version): \(NumberText.integer(rows.count)) row(s) for \(days); billed \(rows.map(\.billedCost).sum().display())."
        if data.unpricedCalls > 0 {
            s += " \(NumberText.integer(data.unpricedCalls)) unpriced call(s) (\(NumberText.tokens(data.unpricedTokens)) tokens) are left out;"
            s += " see `tokenledger prices check`."
        }
        let stale = Set(rows.filter(\.costDiffersFromBook).map { "\($0.chargePeriodStart) \($0.skuPriceID)" }).count
        if stale > 0 {
            s += " \(stale) group(s) were priced with an older price book (billed differs from list); `tokenledger reprice` updates them."
        }
        return s
    }
}
