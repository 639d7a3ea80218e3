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

/// Every amount `explain` says in words is one its tables show, rounded the same way.
@Suite struct ExplainFiguresAgreeTests {
    /// Dollar amounts in a text, without their sign (`$1,234.56`).
    static func amounts(_ text: String) -> [String] {
        let regex = /\$[0-9][0-9,]*\.[0-9]+/
        return text.matches(of: regex).map { String($0.output) }
    }

    @Test(arguments: BillChangeDimension.allCases) func everyAmountOfTheSummaryIsInATable(_ by: BillChangeDimension) throws {
        for (base, compare) in [("2026-W41", "2026-W42"), ("2026-W42", "2026-W41")] {
            let r = try ExplainTests().report(base, compare, by: by)
            let text = ExplainReportText.render(r)
            let waterfall = try #require(text.range(of: "WATERFALL"))
            let tables = String(text[waterfall.lowerBound...])
            let said = Self.amounts(r.explanation)
            #expect(said.count >= 3)
            for amount in said { #expect(tables.contains(amount), "\(amount) of the summary is in no table (\(by), \(base))") }
            let markdown = ExplainReportMarkdown.render(r)
            for amount in said { #expect(markdown.components(separatedBy: amount).count >= 3, "\(amount) only in the summary (markdown)") }
        }
    }

    @Test func aDriverHasOneShownAmountAndItsPartsAddUpToIt() throws {
        let r = try ExplainTests().report("2026-W41", "2026-W42")
        let text = ExplainReportText.render(r)
        for d in r.drivers where !d.breakdown.isEmpty {
            #expect(d.breakdown.map(\.shown).sum() == d.shown)
            #expect(text.contains("  \(d.driver.label): \(d.shown.signedDollars)\n"))
        }
    }

    @Test func growthFromANewWorkflowIsNotCalledMoreActions() throws {
        // In the sample's second week the existing workflows keep their actions; the agent workflow is new.
        let r = try ExplainTests().report("2026-W41", "2026-W42")
        let v = try #require(r.summary.volume)
        #expect(abs(v.existingCompare - v.existingBase) / v.existingBase <= 0.02)
        #expect(!r.explanation.contains("more actions (volume)"))
        #expect(r.explanation.contains("the new agent workflow"))
    }

    @Test func theMoversNameTheirDriverAsTheWaterfallDoes() throws {
        let r = try ExplainTests().report("2026-W41", "2026-W42")
        let text = ExplainReportText.render(r) + ExplainReportMarkdown.render(r) + ExplainReportHTML.render(r)
        for d in BillChangeDriver.allCases where d.rawValue.contains("_") { #expect(!text.contains(d.rawValue), "\(d.rawValue)") }
        let agent = try #require(r.movers.first { $0.workflow == "agent" })
        #expect(agent.mainDriver?.shortLabel == "new workflows or models")
    }
}
