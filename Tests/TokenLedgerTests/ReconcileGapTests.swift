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

/// `reconcile` has one gap total, defined once, whose parts add up to it.
@Suite struct ReconcileOneGapTests {
    @Test func theGapIsOneTotalWhosePartsAddUpToIt() throws {
        let (r, _) = try ReconciliationEndToEndTests.reconcile()
        // Billed usage − logged ($2.4648) and the day's web search line the logs do not show ($0.02).
        #expect(r.totals.billedUsage - r.totals.logged == usd("2.4648"))
        #expect(r.toolFees.map(\.gap).sum() == usd("0.02"))
        #expect(r.totals.gap == usd("2.4848"))
        #expect(r.totals.gapParts.map(\.amount).sum() == r.totals.gap)
        #expect(r.totals.gapParts.contains { $0.part == .withinTolerance && $0.amount == usd("0.0048") })
        #expect(!r.totals.gapParts.contains { $0.part == .gapClass(.nonUsage) })

        let text = ReconciliationTextReport.render(r)
        // One gap total: stated once in the headline and once as the total of its parts' table.
        #expect(!text.contains("Total gap"))
        #expect(!text.contains("Unexplained:"))
        #expect(text.contains("Gap (billed usage and tool use − logged): $2.48, 10.4% of billed usage: outside the 0.10% tolerance."))
        let totalRow = text.split(separator: "\n").filter { $0.hasPrefix("gap (billed usage and tool use − logged)") }
        #expect(totalRow.count == 1 && totalRow[0].hasSuffix("$2.48            10.4%"))
        // The within-tolerance amount is a part of the gap, listed once among its parts.
        #expect(text.components(separatedBy: "within tolerance (counted as matched)").count == 3)  // headline and table
        let html = ReconciliationHTMLReport.render(r)
        #expect(!html.contains("Total gap") && !html.contains(">Unexplained<"))
    }
}
