import Foundation
import Testing
import TokenLedger

@Suite struct WhatIfCLITests {
    static let budget = CLI.fixtures.appendingPathComponent("budget/budget.yaml").path
    static let scenarios = CLI.fixtures.appendingPathComponent("whatif/scenarios.yaml").path

    /// A workspace with two weeks of sample traffic imported.
    func workspace() throws -> CLIWorkspace {
        let w = try CLIWorkspace()
        let log = try w.sample("s.jsonl", calls: 6_000, seed: 11, days: 14)
        let r = try w.run(["import", log, "--quiet"])
        #expect(r.status == 0, "\(r.output)")
        return w
    }

    @Test func comparesScenariosSideBySideInEveryFormat() throws {
        let w = try workspace()
        let base = ["whatif", "--week", "2026-W42", "--all-on", "gpt-4o-mini", "--scenario-file", Self.scenarios,
                    "--baseline-budget", Self.budget]
        let text = try w.run(base)
        #expect(text.status == 0, "\(text.output)")
        #expect(text.stdout.contains("SIDE BY SIDE"))
        #expect(text.stdout.contains("all-on gpt-4o-mini") && text.stdout.contains("next-month-prices"))
        #expect(text.stdout.contains("Quality is not observed"))

        let json = try w.run(base + ["--format", "json"])
        #expect(json.status == 0)
        let doc = try json.json()
        #expect(doc["schema"]?.string == "tokenledger.whatif/1")
        let scenarios = try #require(doc["scenarios"]?.array)
        #expect(scenarios.map { $0["name"]?.string ?? "" } == ["actual", "all-on gpt-4o-mini", "everything-on-mini", "summaries-on-flash",
                                                              "next-month-prices", "free-on-economy"])
        // The actual column is the stored bill of the week; the price-book swap is exact.
        let summary = try w.summary(["--from", "2026-10-12", "--to", "2026-10-18"])
        let actual = picos(scenarios[0]["total"]?["amount_usd"]?["base"]?.string)
        #expect(actual != nil && actual == picos(summary["total"]?["cost_usd"]?.string))
        #expect(scenarios[4]["total"]?["basis"]?.string == "exact")
        #expect(scenarios[2]["total"]?["basis"]?.string == "modelled")
        // The direct options and the file's first scenario ask the same question.
        #expect(scenarios[1]["total"]?["amount_usd"]?.compactText == scenarios[2]["total"]?["amount_usd"]?.compactText)

        let md = try w.run(base + ["--format", "markdown"])
        #expect(md.status == 0 && md.stdout.hasPrefix("# What-if: 2026-W42"))
        let html = try w.run(base + ["--format", "html", "-o", w.path("w.html")])
        #expect(html.status == 0)
        let page = try String(contentsOfFile: w.path("w.html"), encoding: .utf8)
        #expect(page.lowercased().hasPrefix("<!doctype html>") && page.contains("</html>") && !page.contains("<script"))
    }

    @Test func usageErrorsExitWith64() throws {
        let w = try CLIWorkspace()
        for arguments in [
            ["whatif"],
            ["whatif", "--route", "faq"],
            ["whatif", "--all-on", "a", "--budget", "b.yaml"],
            ["whatif", "--scenario", "nocolon"],
            ["whatif", "--scenario", "a:--all-on x", "--scenario", "a:--all-on y"],
            ["whatif", "--all-on", "x", "--week", "2026-W42", "--month", "2026-10"],
            ["whatif", "--all-on", "x", "--format", "csv"],
        ] {
            let r = try w.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.status) \(r.output)")
        }
    }

    @Test func problemsWithTheScenarioExitWithOne() throws {
        let w = try workspace()
        let unknown = try w.run(["whatif", "--all-on", "no-such-model"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no price for `no-such-model`"))
        let tier = try w.run(["whatif", "--segment", "free=gold"])
        #expect(tier.status == 1 && tier.stderr.contains("unknown tier `gold`"))
        let missing = try w.run(["whatif", "--price-book", w.path("nope.yaml")])
        #expect(missing.status == 1 && missing.stderr.contains("nope.yaml"))
        let badFile = try w.write("bad.yaml", "scenarios:\n  x:\n    all_on: a\n    budget: b\n")
        let bad = try w.run(["whatif", "--scenario-file", badFile])
        #expect(bad.status == 1 && bad.stderr.contains("bad.yaml:3"))
    }
}
