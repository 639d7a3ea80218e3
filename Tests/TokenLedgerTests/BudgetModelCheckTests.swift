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

@Suite struct BudgetModelCheckTests {
    @Test func theClosestKnownNameIsNamed() throws {
        let book = try PriceBook.defaultBook()
        #expect(book.closestModel(to: "gpt-4o-mni") == "gpt-4o-mini")
        #expect(book.closestModel(to: "claude-haiku-4.5") == "claude-haiku-4-5")
        #expect(book.closestModel(to: "openai/gpt-4o-mni") == "gpt-4o-mini")
        #expect(book.closestModel(to: "GPT-4O-MNI") == "gpt-4o-mini")
        #expect(book.closestModel(to: "totally-made-up-model") == nil)
    }

    @Test func routesNamingUnknownModelsButNotTiers() throws {
        let book = try PriceBook.defaultBook()
        let budget = try BudgetFile.parse(text: """
            tiers:
              premium: [gpt-5]
            routes:
              faq:
                primary: gpt-4o-mni
                fallback: [premium, gpt-4o, claude-haiku-4.5]
              chat:
                primary: gpt-4o-mini
            """, path: "b.yaml")
        let unknown = book.unknownModels(in: budget)
        #expect(unknown == [
            UnknownBudgetModel(workflow: "faq", role: .primary, model: "gpt-4o-mni", closest: "gpt-4o-mini"),
            UnknownBudgetModel(workflow: "faq", role: .fallback, model: "claude-haiku-4.5", closest: "claude-haiku-4-5"),
        ])
        #expect(BudgetCheckReport.warnings(unknown, file: "b.yaml").first
                == "warning: b.yaml: routes.faq.primary: gpt-4o-mni is not a model the price book knows; did you mean gpt-4o-mini?")
    }
}
