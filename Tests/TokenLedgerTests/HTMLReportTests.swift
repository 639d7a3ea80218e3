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

/// Names that would break a page, a table or a CSV line if they were written as they are.
enum HostileNames {
    static let script = "<script>alert(1)</script>"
    static let quotes = "\"quoted\" & 'single'"
    static let style = "</style>"
    static let csv = "a,b \"c\"\nd"
    static let all = [script, quotes, style, csv]

    /// An audit whose every name (workflow, team, segment, tier, model, user, flag text, unpriced model,
    /// fallback reason) is hostile, with a budget so that every chart and table is drawn.
    static func auditResult() throws -> AuditResult {
        let period = try Period(parsing: "2026-W43")
        let previous = period.previous
        var current = WorkflowFigures()
        current.actions = 120
        current.completed = 100
        current.failed = 15
        current.abandoned = 5
        current.actionsWithFallback = 24
        current.actionsWithRetry = 3
        current.calls = 200
        current.spend = Money(dollars: 12)
        current.completedUseful = Money(dollars: 9)
        current.wasteInCompleted = Money(dollars: 1)
        current.failedCost = Money(dollars: 1)
        current.abandonedCost = Money(dollars: 1)
        current.generationCalls = 180
        current.generationInput = 180_000
        current.generationOutput = 18_000
        current.inputTokens = 200_000
        current.outputTokens = 20_000
        current.latencyP50 = 800
        current.latencyP95 = 2400
        var before = current
        before.spend = Money(dollars: 8)
        before.actionsWithFallback = 6
        let figures = Compared(current: current, previous: before)
        func workflow(_ name: String) -> WorkflowReport {
            WorkflowReport(name: name, figures: figures, fallbackReasons: [(reason: script, calls: 5), (reason: quotes, calls: 2)],
                           budgetedCPCA: Money(parsing: "0.10"), budgetedFallbackRate: 0.1, budgetedRetryRate: 0.05,
                           expectedActions: 100)
        }
        func line(_ name: String) -> Compared<SpendLine> {
            Compared(current: SpendLine(name: name, calls: 100, spend: Money(dollars: 6), inputTokens: 10, outputTokens: 5),
                     previous: SpendLine(name: name, calls: 80, spend: Money(dollars: 4)))
        }
        let flag = AuditFlag(rule: .modelOffRoute, severity: .critical, verdict: .breach,
                             subject: .workflowModel(workflow: script, model: quotes),
                             figures: .modelOffRoute(allowed: [style, csv], calls: 3, spend: Money(dollars: 3), loggedAs: [script, quotes]),
                             impact: Money(dollars: 3))
        let watch = AuditFlag(rule: .fallbackRate, severity: .info, verdict: .watch, subject: .workflow(csv),
                              figures: .rate(.init(events: 24, actions: 120, ceiling: 0.1, lowerBound: 0.14)), impact: Money(dollars: 3),
                              pValue: 0.001, qValue: 0.002, testCount: 4)
        let month = Period.month(year: 2026, month: 10)!
        let burn = BurnReport(month: month, asOf: period.last, lines: [
            BurnLine(name: "total", budget: Money(dollars: 310), spent: Money(dollars: 120), forecast: Money(dollars: 290),
                     forecastLow: Money(dollars: 250), forecastHigh: Money(dollars: 330), capDay: nil, crossed: 0.25),
            BurnLine(name: script, budget: Money(dollars: 100), spent: Money(dollars: 60), forecast: Money(dollars: 120),
                     forecastLow: Money(dollars: 100), forecastHigh: Money(dollars: 140), capDay: period.last, crossed: 0.5),
        ])
        let total = SpendFigures(calls: 800, actions: 480, spend: Money(dollars: 48), inputTokens: 800_000, outputTokens: 80_000)
        var previousTotal = total
        previousTotal.spend = Money(dollars: 32)
        var result = AuditResult(
            period: period, previous: previous, zoneName: "UTC", hasBudget: true,
            dataEnd: Timestamp.parse(iso: "2026-10-25T23:00:00Z")!, total: Compared(current: total, previous: previousTotal),
            workflows: all.map(workflow), teams: all.map { GroupReport(name: $0, figures: figures) },
            segments: all.map { GroupReport(name: $0, figures: figures) }, tiers: all.map(line), models: all.map(line),
            topUsers: all.map(line), burn: burn, flags: [flag], unpriced: all.map {
                UnpricedModel(model: $0, requests: 3, inputTokens: 30, outputTokens: 3, first: Timestamp(seconds: 0), last: Timestamp(seconds: 1))
            }, watches: [watch])
        result.daily = (previous.days + period.days).map { d in
            DaySpend(day: d, inPeriod: period.contains(d), byTier: all.map { (tier: $0, spend: Money(dollars: 2)) })
        }
        result.charges = all.map { name in
            var c = ChargeLine(workflow: name, model: name)
            c.toolCalls = 3
            c.toolFees = Money(parsing: "0.03")!
            return Compared(current: c, previous: ChargeLine(workflow: name, model: name))
        }
        return result
    }
}

/// The HTML pages: every user string escaped, nothing outside the file, stable output.
@Suite struct HTMLReportTests {
    /// What a page must never contain: anything that runs, loads or links outside the file.
    static let forbidden = ["<script", "http://", "https://", "src=", "<link", "@import", "<iframe", "<img", "<object", "<embed",
                            "javascript:", "url("]

    func expectSafe(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lower = html.lowercased()
        for f in Self.forbidden {
            #expect(!lower.contains(f), "page contains \(f)", sourceLocation: sourceLocation)
        }
        // The only style element is ours: a name cannot close it.
        #expect(html.components(separatedBy: "</style>").count == 2, sourceLocation: sourceLocation)
        #expect(html.components(separatedBy: "<style>").count == 2, sourceLocation: sourceLocation)
        // Every quote inside a tag belongs to an attribute we wrote: no raw hostile text survives.
        #expect(!html.contains(HostileNames.quotes), sourceLocation: sourceLocation)
        #expect(!html.contains("alert(1)</"), sourceLocation: sourceLocation)
    }

    @Test func hostileNamesAreEscapedInTheAuditPage() throws {
        let html = AuditReportHTML.render(try HostileNames.auditResult(), budgetName: HostileNames.script)
        expectSafe(html)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;quoted&quot; &amp; &#39;single&#39;"))
        #expect(html.contains("&lt;/style&gt;"))
        // In tables, in chart labels and tooltips, in the figure captions.
        #expect(html.components(separatedBy: "&lt;script&gt;").count > 20)
        #expect(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func hostileNamesAreEscapedInTheReconciliationPage() throws {
        var (r, _) = try ReconciliationEndToEndTests.reconcile()
        r.notes.append(HostileNames.script)
        r.cells[0].model = HostileNames.quotes
        r.providers[0].provider = HostileNames.style
        r.nonUsage.append(NonUsageLine(day: r.period.first, provider: HostileNames.script, category: .tool,
                                       lineItem: HostileNames.quotes, model: nil, amount: Money(dollars: 1)))
        let html = ReconciliationHTMLReport.render(r)
        expectSafe(html)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;quoted&quot; &amp; &#39;single&#39;"))
    }

    @Test func sampleReportsAreSelfContained() throws {
        expectSafe(AuditReportHTML.render(try AuditGoldenTests.result.get(), budgetName: "budget.yaml"))
        expectSafe(ReconciliationHTMLReport.render(try ReconciliationEndToEndTests.reconcile().0))
    }

    @Test func theEscapeFunctionCoversEveryCharacterThatMatters() {
        #expect(HTMLText.escape("<a href=\"x\" title='y'>&amp;</a>") == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        #expect(HTMLText.escape("tab\tline\nnul\u{0}bell\u{7}") == "tab\tline\nnul\u{FFFD}bell\u{FFFD}")
        #expect(HTMLText.escape("naïve — 東京 🙂") == "naïve — 東京 🙂")
    }

    @Test func markdownEscapesHostileNames() throws {
        let md = AuditReportMarkdown.render(try HostileNames.auditResult(), budgetName: "b`udget")
        // Every `<` of a name is escaped (`\<` shows as text): none opens a tag.
        let unescaped = md.replacingOccurrences(of: "\\<", with: "")
        #expect(!unescaped.contains("<script"))
        #expect(!unescaped.contains("</style"))
        #expect(md.contains("\\<script\\>alert(1)\\</script\\>"))
        // A newline in a name cannot end a table row early.
        #expect(!md.contains("a,b \"c\"\nd"))
        #expect(Markdown.escape("a|b") == "a\\|b")
    }

    @Test(arguments: ["report-W42.html", "reconcile.html"])
    func matchesTheGoldenFile(_ name: String) throws {
        let html = name == "reconcile.html"
            ? ReconciliationHTMLReport.render(try ReconciliationEndToEndTests.reconcile().0)
            : AuditReportHTML.render(try AuditGoldenTests.result.get(), budgetName: "budget.yaml")
        try Golden.check(html, name: name)
    }

    @Test func theAuditPageHasItsChartsAndTables() throws {
        let r = try AuditGoldenTests.result.get()
        let html = AuditReportHTML.render(r, budgetName: "budget.yaml")
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        #expect(html.contains("Daily spend by tier"))
        #expect(html.contains("daily budget"))
        #expect(html.contains("Bill change by workflow"))
        #expect(html.contains("Fallback rate per workflow"))
        #expect(html.contains("Retry rate per workflow"))
        #expect(html.contains("Spend by model"))
        // The waterfall ends at the period's spend, exactly as the tables show it.
        #expect(html.contains(">\(r.total.current.spend.display())</text>"))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func withoutABudgetTheDailyChartHasNoBudgetLine() throws {
        var r = try HostileNames.auditResult()
        r.burn = nil
        let html = AuditReportHTML.render(r, budgetName: nil)
        #expect(!html.contains("daily budget"))
        #expect(AuditReportHTML.dailyBudget(r) == nil)
        #expect(AuditReportHTML.dailyBudget(try HostileNames.auditResult()) == Money(dollars: 10))
    }

    @Test func anEmptyAuditStillRenders() throws {
        var r = try HostileNames.auditResult()
        r.workflows = []
        r.models = []
        r.tiers = []
        r.daily = []
        r.flags = []
        r.watches = []
        r.teams = []
        r.segments = []
        r.topUsers = []
        r.unpriced = []
        r.total = Compared(current: SpendFigures(), previous: SpendFigures())
        let html = AuditReportHTML.render(r, budgetName: nil)
        expectSafe(html)
        #expect(html.contains("No data"))
        for bad in ["\"nan", "\"-nan", "\"inf", "\"-inf", ">nan", ">inf"] { #expect(!html.contains(bad)) }
    }
}

/// `explain`'s page: names escaped, nothing outside the file, the waterfall closing on the totals.
@Suite struct ExplainHTMLTests {
    @Test func hostileNamesAreEscapedInTheExplainPage() throws {
        typealias F = BillChangeFixture.ModelFigures
        let u = BillChangeFixture.unit
        let base = BillChangeFixture.period(actions: [u: 100], [F(model: 1, calls: 100, input: 2, output: 0.5, inputPrice: 1, outputPrice: 4)])
        let compare = BillChangeFixture.period(actions: [u: 120], [
            F(model: 1, calls: 110, input: 2.2, output: 0.5, inputPrice: 1, outputPrice: 4),
            F(model: 2, calls: 30, kind: .fallback, input: 3, output: 1, inputPrice: 5, outputPrice: 15),
        ])
        let d = BillChangeAnalysis.decompose(base: base, compare: compare)
        let names = NameDirectory([.workflow: [1: HostileNames.script], .model: [1: HostileNames.quotes, 2: HostileNames.style],
                                   .team: [:], .segment: [:]])
        let r = BillChangeReport.make(d, base: try Period(parsing: "2026-W41"), compare: try Period(parsing: "2026-W42"),
                                      zoneName: "UTC", dimension: .model, names: names, modelTiers: [:])
        let html = ExplainReportHTML.render(r)
        HTMLReportTests().expectSafe(html)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let md = ExplainReportMarkdown.render(r)
        #expect(!md.contains("<script>"))
    }
}
