import Foundation
import Testing
import TokenLedger

/// What loading a budget or a price file says when something is wrong with it.
@Suite struct BudgetAndPriceFileCLITests {
    @Test func aRouteModelThePriceBookDoesNotKnowIsAWarningWithTheClosestName() throws {
        let w = try TypedOptionsCLITests.workspace()
        let text = try String(contentsOfFile: CLI.fixtures.appendingPathComponent("budget/budget.yaml").path, encoding: .utf8)
        let typo = try w.write("typo.yaml", text.replacingOccurrences(of: "primary: gpt-4o-mini ", with: "primary: gpt-4o-mni ")
            .replacingOccurrences(of: "fallback: [gpt-4o, claude-haiku-4-5]", with: "fallback: [gpt-4o, totally-made-up-model]"))
        let r = try w.run(["report", "--from", "2026-10-05", "--to", "2026-10-05", "--budget", typo])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stderr.contains("warning: \(typo): routes.faq.primary: gpt-4o-mni is not a model the price book knows; did you mean gpt-4o-mini?"))
        #expect(r.stderr.contains("routes.faq.fallback: totally-made-up-model is not a model the price book knows; `tokenledger prices list`"))
        // Tiers named as a route's model, and a correct budget, say nothing.
        let good = try w.run(["report", "--from", "2026-10-05", "--to", "2026-10-05", "--budget", CLI.fixtures.appendingPathComponent("budget/budget.yaml").path])
        #expect(!good.stderr.contains("warning"), "\(good.stderr)")
        // explain and whatif's baseline load budgets the same way.
        let explain = try w.run(["explain", "--base", "2026-10-04", "--compare", "2026-10-05", "--budget", typo])
        #expect(explain.stderr.contains("did you mean gpt-4o-mini?"))
        let whatif = try w.run(["whatif", "--all-on", "gpt-4o-mini", "--from", "2026-10-05", "--to", "2026-10-05", "--baseline-budget", typo])
        #expect(whatif.stderr.contains("did you mean gpt-4o-mini?"))
    }

    @Test func aPriceFileThatIsAFolderSaysSo() throws {
        let w = try TypedOptionsCLITests.workspace()
        let folder = w.path("prices")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for command in [["prices", "import", folder], ["prices", "diff", folder]] {
            let r = try w.run(command)
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr.contains("\(folder): cannot read the file: it is a folder, not a file"), "\(command): \(r.stderr)")
        }
        let missing = try w.run(["prices", "import", w.path("nope/prices.yaml")])
        #expect(missing.stderr.contains("its folder \(w.path("nope")) does not exist"), "\(missing.stderr)")
    }
}
