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

@Suite(.serialized) struct AuditTests {
    static let shared: Result<SampleDatabase, Error> = Result { try SampleDatabase(calls: 40_000, days: 14) }
    var sample: SampleDatabase { get throws { try Self.shared.get() } }
    let week = try! Period(parsing: "2026-W42")
    let utc = TimeZone(identifier: "UTC")!

    @Test func storedRollupsEqualTheRawRows() throws {
        let db = try sample.db
        let raw = try RollupStore.fromRawRows(db: db)
        let stored = try RollupStore(db: db).usage(hours: Int64.min..<Int64.max)
        #expect(stored.count == raw.usage.count)
        for (key, sums) in stored {
            let r = try #require(raw.usage[key])
            #expect(sums.sameTotals(r), "cell \(key)")
        }
        let latency = try RollupStore(db: db).latency(days: Int64.min..<Int64.max)
        #expect(Dictionary(uniqueKeysWithValues: latency.map { ($0.key, $0.calls) }) == raw.latency)
        let users = try RollupStore(db: db).users(days: Int64.min..<Int64.max)
        #expect(Dictionary(uniqueKeysWithValues: users.map { ($0.key, $0.sums) }) == raw.users)
        // And the money in them is the money of the rows, to the picodollar.
        let rowCost = try #require(try db.scalarInt("SELECT sum(cost) FROM requests"))
        #expect(stored.reduce(Int64(0)) { $0 + $1.sums.cost } == rowCost)
    }

    @Test func theReportFromRollupsEqualsTheReportFromRawRows() throws {
        let db = try sample.db
        let budget = try SampleDatabase.budget
        let fromRollups = try Ledger(db: db).audit(AuditRequest(period: .exactly(week), zone: utc, zoneName: "UTC", budget: budget))
        let fromRows = Audit.run(try AuditLoader(db: db).load(period: week, zone: utc, zoneName: "UTC", budget: budget, forceRawRows: true))
        #expect(AuditReportJSON.render(fromRollups, budgetName: "b") == AuditReportJSON.render(fromRows, budgetName: "b"))
        #expect(!fromRollups.flags.isEmpty)
    }

    @Test func aHalfHourZoneReadsRawRowsAndStillAddsUp() throws {
        let db = try sample.db
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        #expect(!AuditLoader.hourAligned(week, kolkata))
        #expect(AuditLoader.hourAligned(week, try #require(TimeZone(identifier: "Europe/Berlin"))))
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(week), zone: kolkata, zoneName: "Asia/Kolkata", budget: nil))
        let interval = week.interval(in: kolkata)
        let ids = RowID.range(interval)
        let cost = try #require(try db.scalarInt("SELECT sum(cost) FROM requests WHERE id BETWEEN ? AND ?",
                                                 .integer(ids.lowerBound), .integer(ids.upperBound)))
        #expect(r.total.current.spend == Money(picos: cost))
    }

    @Test func costPerCompletedActionPartsAddUpExactly() throws {
        let db = try sample.db
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(week), zone: utc, zoneName: "UTC", budget: nil))
        var all = Money.zero
        for w in r.workflows {
            let f = w.figures.current
            #expect(f.completedUseful + f.wasteInCompleted + f.failedCost + f.abandonedCost == f.actionCost)
            #expect(f.completed + f.failed + f.abandoned == f.actions)
            all = all + f.actionCost
        }
        let ids = RowID.range(week.interval(in: utc))
        let actionCost = try #require(try db.scalarInt("SELECT sum(cost) FROM actions WHERE first_request BETWEEN ? AND ?",
                                                       .integer(ids.lowerBound), .integer(ids.upperBound)))
        #expect(all == Money(picos: actionCost))
    }

    /// Actions are read added up (alike ones in one row); the figures per workflow equal plain SQL over
    /// the `actions` table, for the period and the one before it.
    @Test func actionFiguresEqualSQLOverTheActionsTable() throws {
        let db = try sample.db
        let r = try Ledger(db: db).audit(AuditRequest(period: .exactly(week), zone: utc, zoneName: "UTC", budget: nil))
        for (slot, period) in [(0, week), (1, week.previous)] {
            let ids = RowID.range(period.interval(in: utc))
            let s = try db.prepare("""
                SELECT coalesce(w.name, 'unassigned'), count(*), sum(a.calls), sum(a.cost),
                       sum(coalesce(a.outcome, CASE WHEN a.last_status = 1 THEN 1 ELSE 2 END) = 1),
                       sum(a.fallbacks > 0), sum(a.retries > 0), sum(a.unpriced_calls > 0)
                FROM actions a LEFT JOIN workflows w ON w.id = a.workflow_id
                WHERE a.id BETWEEN ? AND ? GROUP BY 1
                """)
            s.bind(ids.lowerBound, at: 1)
            s.bind(ids.upperBound, at: 2)
            var seen = 0
            while try s.step() {
                let name = try #require(s.text(0))
                let w = try #require(r.workflows.first { $0.name == name })
                let f = slot == 0 ? w.figures.current : w.figures.previous
                #expect(f.actions == s.int64(1), "\(name)")
                #expect(f.actionCalls == s.int64(2), "\(name)")
                #expect(f.actionCost == Money(picos: s.int64(3)), "\(name)")
                #expect(f.completed == s.int64(4), "\(name)")
                #expect(f.actionsWithFallback == s.int64(5), "\(name)")
                #expect(f.actionsWithRetry == s.int64(6), "\(name)")
                #expect(f.unpricedActions == s.int64(7), "\(name)")
                seen += 1
            }
            #expect(seen >= 3)
        }
        // Far fewer rows than actions.
        let loaded = try AuditLoader(db: db).load(period: week, zone: utc, zoneName: "UTC", budget: nil)
        let actions = loaded.actions.reduce(Int64(0)) { $0 + $1.count }
        #expect(Int64(loaded.actions.count) * 2 < actions)
    }

    @Test func theDriftWeekFlagsTheDriftAndTheSteadyWeekDoesNot() throws {
        let db = try sample.db
        let budget = try SampleDatabase.budget
        let steady = try Ledger(db: db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-W41")), zone: utc, zoneName: "UTC", budget: budget))
        let drift = try Ledger(db: db).audit(AuditRequest(period: .exactly(week), zone: utc, zoneName: "UTC", budget: budget))
        func has(_ r: AuditResult, _ rule: AuditRule, _ subject: String) -> Bool {
            r.flags.contains { $0.rule == rule && AuditFlagWording.subject($0.subject) == subject }
        }
        // The drift scenario: faq falls back far more often, summarize prompts grow, agent appears.
        #expect(has(drift, .fallbackRate, "faq"))
        #expect(has(drift, .inputTokens, "summarize"))
        #expect(has(drift, .unroutedWorkflow, "agent"))
        #expect(!has(steady, .fallbackRate, "faq"))
        #expect(!has(steady, .inputTokens, "summarize"))
        #expect(!has(steady, .unroutedWorkflow, "agent"))
    }
}

/// The rate rule on hand-made inputs, with METHODS.md §B's numbers.
@Suite struct AuditRateRuleTests {
    func input(actions n: Int, withFallback x: Int, budgetRate p0: Double) throws -> AuditInput {
        let period = try Period(parsing: "2026-W42")
        var budget = Budget()
        var route = Budget.Route(workflow: "faq")
        route.fallbackRate = p0
        budget.routes = [route]
        let start = period.first.start(in: TimeZone(identifier: "UTC")!).milliseconds
        let actions = (0..<n).map { i in
            ActionRow(key: Int64(i + 1), firstRequest: (start + Int64(i) * 60_000) << 20, workflowID: 1, teamID: nil,
                      segmentID: nil, calls: i < x ? 2 : 1, retries: 0, fallbacks: i < x ? 1 : 0,
                      modelMask: 2, cost: 1_000_000_000, failedCost: 0, unpricedCalls: 0, outcome: .completed)
        }
        return AuditInput(period: period, previous: period.previous, zone: TimeZone(identifier: "UTC")!, zoneName: "UTC",
                          names: NameDirectory([.workflow: [1: "faq"], .model: [1: "gpt-4o-mini"]]), budget: budget,
                          dataEnd: Timestamp(milliseconds: start), usage: [], latency: [], userDays: [], actions: actions,
                          extraModels: [:], callsOverInputLimit: [:], rateLimitBreaches: [], unpriced: [])
    }

    @Test func elevenOfAHundredAndTwentyAgainstFivePercentIsDrift() throws {
        let r = Audit.run(try input(actions: 120, withFallback: 11, budgetRate: 0.05))
        let flag = try #require(r.flags.first { $0.rule == .fallbackRate })
        #expect(flag.verdict == .drift)
        #expect(flag.severity == .warning)
        #expect(abs((flag.pValue ?? 1) - 0.038450) < 5e-6)
    }

    @Test func tenOfAHundredAndTwentyIsOnlyWatched() throws {
        let r = Audit.run(try input(actions: 120, withFallback: 10, budgetRate: 0.05))
        #expect(!r.flags.contains { $0.rule == .fallbackRate })
        #expect(r.watches.contains { $0.rule == .fallbackRate && $0.verdict == .watch })
    }

    @Test func doubleTheBudgetedRateIsCritical() throws {
        let r = Audit.run(try input(actions: 400, withFallback: 60, budgetRate: 0.05))
        #expect(r.flags.first { $0.rule == .fallbackRate }?.severity == .critical)
    }

    @Test func thirtyActionsAreNotEnoughData() throws {
        let r = Audit.run(try input(actions: 40, withFallback: 8, budgetRate: 0.05))
        #expect(!r.flags.contains { $0.rule == .fallbackRate })
        #expect(r.watches.contains { $0.rule == .fallbackRate && $0.verdict == .notEnoughData })
    }
}

/// Golden files of the three report formats; `RECORD_SNAPSHOTS=1 swift test` records them again
/// (after an intended change of the sample traffic, the price book or a renderer).
@Suite struct AuditGoldenTests {
    static let result: Result<AuditResult, Error> = Result {
        let sample = try AuditTests.shared.get()
        return try Ledger(db: sample.db).audit(AuditRequest(
            period: .exactly(try Period(parsing: "2026-W42")), zone: TimeZone(identifier: "UTC")!, zoneName: "UTC",
            budget: try SampleDatabase.budget))
    }

    @Test(arguments: ["text", "markdown", "json"])
    func matchesTheGoldenFile(_ format: String) throws {
        let r = try Self.result.get()
        let text: String
        switch format {
        case "markdown": text = AuditReportMarkdown.render(r, budgetName: "budget.yaml")
        case "json": text = AuditReportJSON.render(r, budgetName: "budget.yaml")
        default: text = AuditReportText.render(r, budgetName: "budget.yaml")
        }
        try Golden.check(text, name: "report-W42.\(format == "markdown" ? "md" : (format == "json" ? "json" : "txt"))")
    }
}
