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

@Suite struct WhatIfScenarioTests {
    @Test func aDefinitionReadsEveryOption() throws {
        let s = try WhatIfScenarioSpec(definition: "mix:--route summarize=gemini-2.5-flash --route=faq=gpt-4o-mini --segment free=economy --price-book 'next month.yaml'")
        #expect(s.name == "mix")
        #expect(s.routes == [WhatIfAssignment(key: "summarize", value: "gemini-2.5-flash"), WhatIfAssignment(key: "faq", value: "gpt-4o-mini")])
        #expect(s.segments == [WhatIfAssignment(key: "free", value: "economy")])
        #expect(s.priceBook == "next month.yaml")
        #expect(s.arguments == ["--price-book", "next month.yaml", "--route", "summarize=gemini-2.5-flash", "--route", "faq=gpt-4o-mini",
                                "--segment", "free=economy"])
    }

    @Test(arguments: [
        ("no colon", "NAME:ARGS"),
        ("x:", "changes nothing"),
        (":--all-on a", "1 to 64 characters"),
        ("actual:--all-on a", "names the logged period"),
        ("x:--all-on a --budget b.yaml", "--all-on and --budget"),
        ("x:--route faq", "KEY=VALUE"),
        ("x:--route faq=a --route faq=b", "routed twice"),
        ("x:--all-on a --all-on b", "given twice"),
        ("x:--cheaper", "unknown argument"),
        ("x:--all-on", "needs a value"),
        ("x:--all-on 'a", "unclosed quote"),
    ])
    func badDefinitionsSayWhy(_ text: String, _ expected: String) {
        do {
            _ = try WhatIfScenarioSpec(definition: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func defaultNamesSayWhatChanges() {
        #expect(WhatIfScenarioSpec.defaultName(priceBook: "prices/next.yaml", allOn: nil, routes: [], budget: nil, segments: []) == "prices next.yaml")
        #expect(WhatIfScenarioSpec.defaultName(priceBook: nil, allOn: "gpt-4o-mini", routes: [], budget: nil,
                                               segments: [WhatIfAssignment(key: "free", value: "economy")]) == "all-on gpt-4o-mini + segment free=economy")
    }

    @Test func aScenarioFileReadsNamedScenariosInOrderWithPathsBesideIt() throws {
        let scratch = try Scratch()
        try scratch.write("prices.yaml", """
            prices:
              - model: gpt-4o-mini
                provider: openai
                effective_from: 2026-11-01
                per_million_tokens: {input: 0.30, output: 1.20}
            """)
        let path = try scratch.write("scenarios.yaml", """
            scenarios:
              next-month:
                price_book: prices.yaml
              flash:
                route: {summarize: gemini-2.5-flash, extract: gemini-2.5-flash}
                segment: {free: economy}
              mini:
                all_on: gpt-4o-mini
            """)
        let specs = try WhatIfScenarioFile.load(path: path)
        #expect(specs.map(\.name) == ["next-month", "flash", "mini"])
        #expect(specs[1].routes.map(\.key) == ["summarize", "extract"])
        #expect(specs[1].segments == [WhatIfAssignment(key: "free", value: "economy")])
        let loaded = try specs[0].load(relativeTo: WhatIfScenarioFile.directory(of: path))
        #expect(loaded.prices?.history(of: "gpt-4o-mini").last?.standard?.input == Rate(perMillion: "0.30"))
        #expect(loaded.summary == "--price-book prices.yaml")
    }

    @Test(arguments: [
        ("scenarios:\n  a:\n    all_on: x\n    budget: b.yaml\n", ":3: scenarios.a: scenario `a`: --all-on and --budget"),
        ("scenarios:\n  a:\n    cheaper: yes\n", ":3: scenarios.a.cheaper: unknown key"),
        ("scenarios:\n  a: {}\n", "changes nothing"),
        ("scenarios:\n  actual:\n    all_on: x\n", "names the logged period"),
        ("scenarios:\n  a:\n    route: [x]\n", "expected a mapping such as"),
        ("other: 1\n", "unknown key"),
        ("scenarios: []\n", "expected a mapping of scenario names"),
    ])
    func badScenarioFilesSayWhereAndWhy(_ yaml: String, _ expected: String) {
        do {
            _ = try WhatIfScenarioFile.parse(text: yaml, path: "s.yaml")
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func aMissingPriceBookIsAnErrorNamingTheFile() {
        do {
            _ = try WhatIfScenarioSpec(name: "x", arguments: ["--price-book", "/nonexistent/prices.yaml"]).load()
            Issue.record("loaded a missing file")
        } catch let e as ConfigFileError {
            #expect(e.file == "/nonexistent/prices.yaml")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct WhatIfScenarioPriceFileTests {
    @Test func litellmsCatalogueIsAPriceBookToo() throws {
        let path = PricingFixtures.packageRoot.appendingPathComponent("fixtures/prices/litellm-sample.json").path
        let s = try WhatIfScenarioSpec(name: "catalogue", arguments: ["--price-book", path]).load()
        #expect(s.prices?.history(of: "gpt-4o").last?.standard?.input == Rate(perMillion: "2.5"))
    }
}
