import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Words for what loading a budget found against the price book.
public enum BudgetCheckReport {
    /// One warning line per unknown model:
    /// `warning: budget.yaml: routes.faq.primary: gpt-4o-mni is not a model the price book knows; did you mean gpt-4o-mini?`
    public static func warnings(_ unknown: [UnknownBudgetModel], file: String) -> [String] {
        unknown.map { u in
            let guess = u.closest.map { "; did you mean \($0)?" } ?? "; `tokenledger prices list` shows the models it knows"
            return "warning: \(file): routes.\(u.workflow).\(u.role.rawValue): \(u.model) is not a model the price book knows\(guess)"
        }
    }
}
