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

/// What-ifs over stored traffic: the sample database of the audit tests, and small imported logs.
@Suite struct WhatIfLedgerTests {
    let utc = TimeZone(identifier: "UTC")!
    let week = try! Period(parsing: "2026-W42")

    static var budgetPath: String { SampleDatabase.packageRoot.appendingPathComponent("fixtures/budget/budget.yaml").path }

    func run(_ db: Database, _ scenarios: [WhatIfScenario], baseline: Budget? = nil, period: Period? = nil) throws -> WhatIfResult {
        try Ledger(db: db).whatIf(WhatIfRequest(period: .exactly(period ?? week), zone: utc, zoneName: "UTC", scenarios: scenarios,
                                                baseline: baseline))
    }

    func storedSpend(_ db: Database) throws -> Money {
        let ids = RowID.range(week.interval(in: utc))
        return Money(picos: try #require(try db.scalarInt("SELECT sum(cost) FROM requests WHERE id BETWEEN ? AND ?",
                                                          .integer(ids.lowerBound), .integer(ids.upperBound))))
    }

    @Test func theActualColumnAndTheScenarioOfNoChangeAreTheStoredBill() throws {
        let db = try AuditTests.shared.get().db
        let r = try run(db, [WhatIfScenario(name: "nothing")])
        let bill = try storedSpend(db)
        #expect(r.actual.total.figure.amount == .exactly(bill))
        #expect(r.scenarios[1].total.figure.amount == .exactly(bill))
        #expect(r.scenarios[1].tiers == r.actual.tiers)
        #expect(r.scenarios[1].workflows == r.actual.workflows)
        // Per workflow, the stored spend of each workflow's calls.
        let ids = RowID.range(week.interval(in: utc))
        let s = try db.prepare("""
            SELECT coalesce(w.name, 'unassigned'), sum(r.cost) FROM requests r LEFT JOIN workflows w ON w.id = r.workflow_id
            WHERE r.id BETWEEN ? AND ? GROUP BY 1
            """)
        s.bind(ids.lowerBound, at: 1)
        s.bind(ids.upperBound, at: 2)
        var n = 0
        while try s.step() {
            let line = try #require(r.actual.workflow(s.text(0) ?? ""))
            #expect(line.figure.exact == Money(picos: s.int64(1)))
            n += 1
        }
        #expect(n == r.actual.workflows.count)
        // The actions, completed actions and premium share of each workflow, as `report` counts them.
        let audit = try Ledger(db: db).audit(AuditRequest(period: .exactly(week), zone: utc, zoneName: "UTC", budget: try SampleDatabase.budget))
        #expect(r.actual.total.actions == audit.total.current.actions)
        let withBudget = try run(db, [], baseline: try SampleDatabase.budget)
        for w in audit.workflows {
            let line = try #require(withBudget.actual.workflow(w.name))
            #expect(line.actions == w.figures.current.actions, "\(w.name)")
            #expect(line.completed == w.figures.current.completed, "\(w.name)")
            #expect(line.premiumShare?.base == w.figures.current.premiumShare, "\(w.name)")
        }
    }

    @Test func theStoredPriceBookAsAScenarioChangesNothing() throws {
        let db = try AuditTests.shared.get().db
        let book = try PriceStore(db: db).storedBook()
        let scratch = try Scratch()
        let path = try scratch.write("same.yaml", PriceBookFile(entries: book.entries).yamlText())
        let scenario = try WhatIfScenarioSpec(name: "same prices", arguments: ["--price-book", path]).load()
        let r = try run(db, [scenario])
        #expect(r.scenarios[1].total.figure.amount == .exactly(try storedSpend(db)))
        #expect(r.scenarios[1].total.figure.isExact && r.scenarios[1].total.figure.repriced)
    }

    @Test func doublingOneModelsPricesAddsExactlyItsBill() throws {
        let db = try AuditTests.shared.get().db
        let book = try PriceStore(db: db).storedBook()
        var entry = try #require(book.history(of: "gpt-4o-mini").last)
        for (key, card) in entry.cards {
            func double(_ r: Rate?) -> Rate? { r.map { Rate(picosPerToken: $0.picosPerToken * 2) } }
            entry.cards[key] = RateCard(input: double(card.input)!, cachedInput: double(card.cachedInput), cacheWrite5m: double(card.cacheWrite5m),
                                        cacheWrite1h: double(card.cacheWrite1h), output: double(card.output)!, reasoning: double(card.reasoning))
        }
        let scenario = WhatIfScenario(name: "mini x2", prices: PriceBook(entries: [entry]))
        let r = try run(db, [scenario])
        let names = try NameDirectory(db: db)
        let miniIDs = names.all(.model).filter { book.match($0.value)?.model == "gpt-4o-mini" }.map(\.key)
        #expect(!miniIDs.isEmpty)
        let ids = RowID.range(week.interval(in: utc))
        let miniSpend = try #require(try db.scalarInt(
            "SELECT sum(cost) FROM requests WHERE id BETWEEN ? AND ? AND model_id IN (\(miniIDs.map(String.init).joined(separator: ",")))",
            .integer(ids.lowerBound), .integer(ids.upperBound)))
        #expect(r.scenarios[1].total.figure.amount == .exactly(try storedSpend(db) + Money(picos: miniSpend)))
        #expect(r.scenarios[1].tier("economy")!.figure.exact == r.actual.tier("economy")!.figure.exact + Money(picos: miniSpend))
    }

    @Test func reroutesOfTheSampleStayInsideTheirRangeAndAreDeterministic() throws {
        let db = try AuditTests.shared.get().db
        let scenarios = try Self.sampleScenarios()
        let a = try run(db, scenarios, baseline: try SampleDatabase.budget)
        let b = try run(db, scenarios, baseline: try SampleDatabase.budget)
        #expect(WhatIfReportJSON.render(a) == WhatIfReportJSON.render(b))
        for s in a.scenarios {
            let t = s.total.figure.amount
            #expect(t.low <= t.base && t.base <= t.high, "\(s.name)")
            // Lines add up to the total in every estimate.
            for i in 0..<3 {
                #expect(s.tiers.reduce(Money.zero) { $0 + $1.figure.amount[i] } == t[i], "\(s.name) tiers")
                #expect(s.workflows.reduce(Money.zero) { $0 + $1.figure.amount[i] } == t[i], "\(s.name) workflows")
            }
        }
        let mini = try #require(a.scenarios.first { $0.name == "mini" })
        #expect(mini.total.figure.amount.base < a.actual.total.figure.amount.base)
        #expect(mini.tier("premium")!.figure.amount.base == .zero)
        #expect(!mini.total.figure.isExact)
        // A cap on free users moves only their traffic above economy; premium spend can only fall.
        let free = try #require(a.scenarios.first { $0.name == "free-economy" })
        #expect(free.tier("premium")!.figure.amount.base <= a.actual.tier("premium")!.figure.amount.base)
        #expect(free.tier("premium")!.figure.isExact)
    }

    static func sampleScenarios() throws -> [WhatIfScenario] {
        try [
            WhatIfScenarioSpec(definition: "mini:--all-on gpt-4o-mini").load(),
            WhatIfScenarioSpec(definition: "flash-summaries:--route summarize=gemini-2.5-flash").load(),
            WhatIfScenarioSpec(definition: "free-economy:--segment free=economy").load(),
            WhatIfScenarioSpec(name: "table", arguments: ["--budget", budgetPath]).load(),
        ]
    }

    @Test(arguments: ["txt", "md", "json", "html"]) func matchesTheGoldenFile(_ ext: String) throws {
        let db = try AuditTests.shared.get().db
        var scenarios = try Self.sampleScenarios()
        scenarios[3].summary = "--budget fixtures/budget/budget.yaml"
        let r = try run(db, scenarios, baseline: try SampleDatabase.budget)
        let text: String
        switch ext {
        case "md": text = WhatIfReportMarkdown.render(r)
        case "json": text = WhatIfReportJSON.render(r)
        case "html": text = WhatIfReportHTML.render(r)
        default: text = WhatIfReportText.render(r)
        }
        try Golden.check(text, name: "whatif-W42.\(ext)")
    }

    // MARK: Imported logs

    @Test func qualityComesFromTheLogOrItsMetadata() throws {
        let scratch = try Scratch()
        let lines = [
            #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r1","action_id":"a1","workflow":"faq","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":200,"quality_score":0.9}"#,
            #"{"timestamp":"2026-10-05T10:01:00Z","request_id":"r2","action_id":"a2","workflow":"faq","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":200,"metadata":{"quality_score":0.5,"corrected":true}}"#,
            #"{"timestamp":"2026-10-05T10:02:00Z","request_id":"r3","action_id":"a3","workflow":"faq","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":200,"metadata":{"quality_score":"0.4","corrected":false}}"#,
            #"{"timestamp":"2026-10-05T10:03:00Z","request_id":"r4","action_id":"a4","workflow":"faq","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":200,"metadata":{"quality_score":7}}"#,
        ]
        let log = try scratch.write("q.jsonl", lines.joined(separator: "\n") + "\n")
        let ledger = try scratch.ledger()
        try ledger.importPaths([log])
        var actions: [WhatIfAction] = []
        try WhatIfLoader(db: ledger.db).forEachAction(in: try Period(parsing: "2026-10-05").interval(in: utc)) { actions.append($0) }
        #expect(actions.count == 4)
        let calls = actions.flatMap(\.calls).sorted { $0.rowID < $1.rowID }
        #expect(calls.map(\.qualityScore) == [0.9, 0.5, 0.4, nil])
        #expect(calls.map(\.corrected) == [nil, true, false, nil])
        let r = try run(ledger.db, [], period: try Period(parsing: "2026-10-05"))
        let q = try #require(r.quality.first { $0.workflow == "faq" })
        #expect(q.scoredCalls == 3 && q.correctionKnown == 2 && q.correctedShare == 0.5)
        #expect(abs(q.meanScore! - 0.6) < 1e-12)
        #expect(WhatIfLoader.qualityFacts(metadata: #"{"spend_logs_metadata":{"quality_score":0.25}}"#)?.quality == 0.25)
        #expect(WhatIfLoader.qualityFacts(metadata: #"{"env":"prod"}"#) == nil)
    }
}
