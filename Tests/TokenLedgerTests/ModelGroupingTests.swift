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

/// Reports, explain's movers and flags show one model for every spelling the price book treats as one
/// (`claude-sonnet-4-5`, `anthropic/claude-sonnet-4-5`, `claude-sonnet-4-5-20250929`), with the logged
/// names still available.
@Suite struct ModelGroupingTests {
    let spellings = ["anthropic/claude-sonnet-4-5", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"]

    @Test func theGroupingFollowsThePriceBook() throws {
        let book = try PriceBook.defaultBook()
        let g = ModelGrouping(names: [1: "claude-sonnet-4-5", 2: "anthropic/claude-sonnet-4-5", 3: "claude-sonnet-4-5-20250929",
                                      4: "gpt-4o", 5: "my-finetune-v2"], identity: { book.identity(of: $0) })
        #expect(g.group(2) == 1 && g.group(3) == 1 && g.group(4) == 4 && g.group(5) == 5)
        #expect(g.name[1] == "claude-sonnet-4-5")
        #expect(g.loggedNames[1] == spellings)
        #expect(g.otherSpellings(4) == nil)
    }

    @Test func theReportListsOneModelWithItsLoggedNames() throws {
        let r = try AuditGoldenTests.result.get()
        let sonnet = r.models.filter { $0.current.name.contains("claude-sonnet-4-5") }
        #expect(sonnet.count == 1)
        #expect(sonnet.first?.current.name == "claude-sonnet-4-5")
        #expect(sonnet.first?.current.loggedNames == spellings)
        // Grouping moves no money.
        #expect(r.models.map(\.current.spend).sum() == r.total.current.spend)
        let text = AuditReportText.render(r, budgetName: "budget.yaml")
        let byModel = String(text[try #require(text.range(of: "SPEND BY MODEL")).lowerBound...])
        #expect(byModel.contains("MODELS BY LOGGED NAME"))
        #expect(byModel.contains("  claude-sonnet-4-5: anthropic/claude-sonnet-4-5, claude-sonnet-4-5, claude-sonnet-4-5-20250929\n"))
        let html = AuditReportHTML.render(r, budgetName: "budget.yaml")
        #expect(html.contains("title=\"logged as anthropic/claude-sonnet-4-5, claude-sonnet-4-5, claude-sonnet-4-5-20250929\""))
        #expect(AuditReportJSON.render(r, budgetName: "budget.yaml").contains("\"logged_names\": ["))
        for f in r.flags { #expect(!AuditFlagWording.subject(f.subject).contains("anthropic/claude-sonnet-4-5"), "\(f.subject)") }
    }

    @Test func explainGroupsByModelAndKeepsTheLoggedNamesByModelName() throws {
        let byModel = try ExplainTests().report("2026-W41", "2026-W42", by: .model)
        #expect(!byModel.movers.contains { $0.model == "anthropic/claude-sonnet-4-5" || $0.model == "claude-sonnet-4-5-20250929" })
        let names = Set(byModel.drivers.flatMap { $0.breakdown.map(\.name) })
        #expect(names.contains("claude-sonnet-4-5") && !names.contains("anthropic/claude-sonnet-4-5"))
        let byName = try ExplainTests().report("2026-W41", "2026-W42", by: .modelName)
        #expect(Set(byName.drivers.flatMap { $0.breakdown.map(\.name) }).contains("anthropic/claude-sonnet-4-5"))
        #expect(byName.change == byModel.change)
        let html = ExplainReportHTML.render(byModel)
        #expect(html.contains("title=\"logged as anthropic/claude-sonnet-4-5, claude-sonnet-4-5, claude-sonnet-4-5-20250929\""))
        #expect(ExplainReportJSON.render(byModel).contains("\"model_logged_names\": {"))
    }
}
