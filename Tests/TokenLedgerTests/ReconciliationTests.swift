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

/// Builds reconciliation inputs by hand: one provider (`acme`) and one model (`m`) priced at $1 per 1M
/// input tokens, $0.10 cached, $2 output and $0.01 per web search, so every expected amount can be worked
/// out on paper.
struct ReconciliationScenario {
    static let book = PriceBook(entries: [
        PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2025-01-01"),
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("1"), cachedInput: perMillion("0.10"), output: perMillion("2")),
                           RateCardKey(.batch): RateCard(input: perMillion("0.50"), output: perMillion("1"))],
                   toolFees: [CallExtras.Tool.webSearch: Rate(perToken: "0.01")!]),
    ])
    static let asOf = instant("2026-04-01T00:00:00Z")

    var period = Period(first: day("2026-03-01"), last: day("2026-03-07"))
    var usage: [ProviderUsageRecord] = []
    var costs: [ProviderCostRecord] = []
    var logged: [LoggedUsageGroup] = []
    var tolerances = ReconciliationTolerances()

    static func start(_ d: String) -> Timestamp { Timestamp(milliseconds: Int64(day(d).daysSinceEpoch) * 86_400_000) }

    /// A daily usage row of the provider.
    mutating func provided(_ d: String, requests: Int64?, input: Int64, output: Int64, cached: Int64 = 0, key: String? = "k1",
                           project: String? = nil, model: String? = "m", batch: Bool? = false, hours: (Int, Int)? = nil,
                           source: Int64 = 1) {
        let s = Self.start(d).milliseconds + Int64(hours?.0 ?? 0) * 3_600_000
        let e = hours.map { Self.start(d).milliseconds + Int64($0.1) * 3_600_000 } ?? s + 86_400_000
        var r = ProviderUsageRow(provider: "acme", export: .api, bucketStart: Timestamp(milliseconds: s), bucketEnd: Timestamp(milliseconds: e))
        r.requests = requests
        r.uncachedInputTokens = input - cached
        r.cachedInputTokens = cached
        r.outputTokens = output
        r.apiKey = key
        r.project = project
        r.model = model
        r.batch = batch
        usage.append(ProviderUsageRecord(r, sourceID: source))
    }

    /// A daily cost line of the provider.
    mutating func billed(_ d: String, _ amount: String, model: String? = "m", kind: ProviderTokenKind? = nil,
                         category: ChargeCategory = .usage, quantity: Int64? = nil, item: String? = nil) {
        var c = ProviderCostRow(provider: "acme", export: .api, bucketStart: Self.start(d),
                                bucketEnd: Timestamp(milliseconds: Self.start(d).milliseconds + 86_400_000),
                                category: category, amount: ProviderFixtures.usd(amount), amountText: amount)
        c.model = model
        c.tokenKind = kind
        c.quantityTokens = quantity
        c.lineItem = item ?? kind?.rawValue
        costs.append(ProviderCostRecord(c))
    }

    /// Logged calls of a day, priced with the book as the importer prices them.
    mutating func logs(_ d: String, requests: Int64, input: Int64, output: Int64, cached: Int64 = 0, key: String? = "k1",
                       project: String? = nil, model: String = "m", gateway: String? = nil, batch: Bool = false,
                       webSearches: Int64 = 0) {
        var g = LoggedUsageGroup(day: day(d), provider: "acme", model: model)
        g.requests = requests
        g.inputTokens = input
        g.cachedInputTokens = cached
        g.outputTokens = output
        g.apiKey = key
        g.project = project
        g.batch = batch
        if let entry = Self.book.entry(for: model, on: day(d)),
           let card = entry.card(tier: batch ? .batch : .standard, longContext: false),
           let cost = PriceEntry.cost(card: card, input: input, cached: cached, write5m: 0, write1h: 0, output: output, reasoning: 0) {
            g.cost = Money(picos: cost)
            if webSearches > 0, let fee = entry.toolFees[CallExtras.Tool.webSearch]?.cost(of: webSearches) {
                g.toolCalls[CallExtras.Tool.webSearch] = webSearches
                g.cost = g.cost + Money(picos: fee)
            }
        } else {
            g.unpricedRequests = requests
            g.unpriced = UsageFigures(requests: requests)
            g.unpriced.inputTokens = input
            g.unpriced.cachedInputTokens = cached
            g.unpriced.outputTokens = output
        }
        if let gateway {
            g.gatewayRequests = requests
            g.gatewayCost = ProviderFixtures.usd(gateway)
            g.gatewayBookCost = g.cost
        }
        logged.append(g)
    }

    func run(providers: Set<String>? = nil) -> ReconciliationResult {
        Reconciliation.run(ReconciliationInput(period: period, usage: usage, costs: costs, logged: logged, book: Self.book,
                                               sourcePaths: [1: "first.json", 2: "second.json"]),
                           providers: providers, tolerances: tolerances, asOf: Self.asOf)
    }
}

func usd(_ s: String) -> Money { ProviderFixtures.usd(s) }

@Suite struct ReconciliationGapClassTests {
    @Test func matchingBillAndLogsLeaveNoGap() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.20")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.billed == usd("1.20") && cell.loggedCost == usd("1.20") && cell.gap == .zero)
        #expect(cell.classes.isEmpty && cell.withinTolerance)
        #expect(r.totals.coverage == 1.0)
        #expect(r.withinTolerance)
        #expect(r.coveredDays == [day("2026-03-01")])
        #expect(!r.coversPeriod)
    }

    @Test func unloggedAttempts() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 12, input: 1_200_000, output: 120_000)
        s.billed("2026-03-01", "1.44")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.gap == usd("0.24"))
        #expect(cell.classes == GapAmounts([.unloggedAttempts: usd("0.24")]))
        #expect(r.totals.byClass == GapAmounts([.unloggedAttempts: usd("0.24")]))
        #expect(r.totals.explained == usd("1.20"))
        #expect(r.totals.unexplained == usd("0.24"))
        #expect(!r.withinTolerance)
    }

    @Test func loggedButNotBilled() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 8, input: 800_000, output: 80_000)
        s.billed("2026-03-01", "0.96")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let cell = try #require(s.run().cells.first)
        #expect(cell.classes == GapAmounts([.loggedNotBilled: usd("-0.24")]))
        #expect(cell.explained == usd("0.96"))
    }

    @Test func tokenMismatchWithTheSameRequests() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 150_000, cached: 200_000)
        s.billed("2026-03-01", "1.12")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, cached: 400_000)
        // Provider: 0.8M × $1 + 0.2M × $0.10 + 0.15M × $2 = 1.12; logs: 0.6 + 0.04 + 0.20 = 0.84.
        let cell = try #require(s.run().cells.first)
        #expect(cell.loggedCost == usd("0.84"))
        #expect(cell.classes == GapAmounts([.tokenMismatch: usd("0.28")]))
    }

    @Test func priceDriftShowsTheImpliedUnitPrice() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.00", kind: .uncachedInput, quantity: 1_000_000)
        s.billed("2026-03-01", "0.30", kind: .output)  // no quantity: the usage export's output tokens are used
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.classes == GapAmounts([.priceDrift: usd("0.10")]))
        #expect(r.priceDrift.count == 2)
        let output = try #require(r.priceDrift.first { $0.kind == .output })
        #expect(output.tokens == 100_000)
        #expect(output.impliedPerMillion == usd("3.00"))
        #expect(output.bookPerMillion == usd("2.00"))
        #expect(output.bookCost == usd("0.20"))
        #expect(output.difference == usd("0.10"))
        #expect(output.outsideTolerance)
        let input = try #require(r.priceDrift.first { $0.kind == .uncachedInput })
        #expect(input.difference == .zero && !input.outsideTolerance)
    }

    @Test func bypassFromAKeyTheLogsNeverCarry() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: "k1")
        s.provided("2026-03-01", requests: 5, input: 500_000, output: 50_000, key: "k-rogue")
        s.billed("2026-03-01", "1.80")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: "k1")
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.classes == GapAmounts([.bypass: usd("0.60")]))
        let bypass = try #require(cell.comparisons.first { $0.bypass })
        #expect(bypass.apiKey == "k-rogue" && bypass.provided.requests == 5)
        #expect(r.providers.first?.bypassByKey == true)
        #expect(r.providers.first?.refinedBy == ["api_key", "tier"])
    }

    @Test func bypassByProjectToo() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: nil, project: "p1")
        s.provided("2026-03-01", requests: 1, input: 100_000, output: 0, key: nil, project: "p-shadow")
        s.billed("2026-03-01", "1.30")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: nil, project: "p1")
        let cell = try #require(s.run().cells.first)
        #expect(cell.classes == GapAmounts([.bypass: usd("0.10")]))
    }

    @Test func keysThatNeverMatchAreNotCalledBypass() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: "Key name")
        s.billed("2026-03-01", "1.20")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: "key_id_1")
        let r = s.run()
        #expect(r.cells.first?.classes.isEmpty == true)
        #expect(r.providers.first?.bypassByKey == false)
        #expect(r.notes.contains { $0.contains("bypass by key not judged") })
    }

    @Test func boundaryGapsCancelAcrossMidnight() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.provided("2026-03-02", requests: 12, input: 1_200_000, output: 120_000)
        s.billed("2026-03-01", "1.20")
        s.billed("2026-03-02", "1.44")
        s.logs("2026-03-01", requests: 12, input: 1_200_000, output: 120_000)
        s.logs("2026-03-02", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        #expect(r.cells.map(\.classes) == [GapAmounts([.boundary: usd("-0.24")]), GapAmounts([.boundary: usd("0.24")])])
        #expect(r.totals.byClass.isEmpty)  // nets to zero over the period
        #expect(r.totals.boundaryShifted == usd("0.24"))
        #expect(r.totals.explained == usd("2.64"))
        #expect(r.totals.coverage == 1.0)
        #expect(r.withinTolerance)
        #expect(r.topDays.isEmpty)
    }

    @Test func boundaryPairsWithTheNeighbourThatMirrorsIt() throws {
        var s = ReconciliationScenario()
        // Day 1: 10 unlogged attempts. Day 2: 2 calls logged before midnight that the provider counts on day 3.
        s.provided("2026-03-01", requests: 20, input: 2_000_000, output: 0)
        s.provided("2026-03-02", requests: 10, input: 1_000_000, output: 0)
        s.provided("2026-03-03", requests: 12, input: 1_200_000, output: 0)
        for (d, b) in [("2026-03-01", "2.00"), ("2026-03-02", "1.00"), ("2026-03-03", "1.20")] { s.billed(d, b) }
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 0)
        s.logs("2026-03-02", requests: 12, input: 1_200_000, output: 0)
        s.logs("2026-03-03", requests: 10, input: 1_000_000, output: 0)
        let r = s.run()
        #expect(r.cells.map(\.classes) == [GapAmounts([.unloggedAttempts: usd("1.00")]), GapAmounts([.boundary: usd("-0.20")]),
                                           GapAmounts([.boundary: usd("0.20")])])
    }

    @Test func partOfAGapCanBeBoundaryAndTheRestUnlogged() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 13, input: 1_300_000, output: 0)
        s.provided("2026-03-02", requests: 8, input: 800_000, output: 0)
        s.billed("2026-03-01", "1.30")
        s.billed("2026-03-02", "0.80")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 0)
        s.logs("2026-03-02", requests: 10, input: 1_000_000, output: 0)
        let r = s.run()
        #expect(r.cells.map(\.classes) == [GapAmounts([.boundary: usd("0.20"), .unloggedAttempts: usd("0.10")]),
                                           GapAmounts([.boundary: usd("-0.20")])])
        #expect(r.totals.byClass == GapAmounts([.unloggedAttempts: usd("0.10")]))
    }

    @Test func nonUsageLinesAreTheirOwnClass() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.20")
        s.billed("2026-03-01", "0.50", model: nil, category: .tax, item: "Tax")
        s.billed("2026-03-01", "-1.00", model: nil, category: .credit, item: "Credit")
        s.billed("2026-03-01", "0.03", model: nil, category: .tool, item: "Web search")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        #expect(r.totals.nonUsage == usd("-0.47"))
        #expect(r.totals.billed == usd("0.73"))
        #expect(r.totals.billedUsage == usd("1.20"))
        // The web search line is tool use the logs do not show (no logged search): its own class.
        #expect(r.totals.byClass == GapAmounts([.nonUsage: usd("-0.50"), .toolFees: usd("0.03")]))
        #expect(r.nonUsage.map(\.category) == [.credit, .tax, .tool])
        #expect(r.toolFees.map(\.gap) == [usd("0.03")])
        #expect(r.cells.first?.classes.isEmpty == true)
    }

    /// Anthropic bills web searches as their own cost line (`cost_type: web_search`), $10 per 1,000
    /// (https://platform.claude.com/docs/en/about-claude/pricing, "Web search tool", read 2026-12-07). The
    /// logged calls' fees are part of their cost; the token cell compares tokens only, and the tool line is
    /// matched with the fees.
    @Test func toolLinesAreMatchedWithTheLoggedFees() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.20")
        s.billed("2026-03-01", "0.03", model: "m", category: .tool, item: "web_search")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, webSearches: 3)
        var r = s.run()
        let cell = try #require(r.cells.first)
        // $1 input + $0.20 output: the $0.03 of fees are not usage the provider lacks.
        #expect(cell.loggedCost == usd("1.20"))
        #expect(cell.classes.isEmpty)
        #expect(r.totals.logged == usd("1.20"))
        #expect(r.totals.loggedToolFees == usd("0.03"))
        #expect(r.totals.byClass.isEmpty)
        let tools = try #require(r.toolFees.first)
        #expect(tools.billed == usd("0.03") && tools.logged == usd("0.03") && tools.gap == .zero)
        #expect(tools.toolCalls == [CallExtras.Tool.webSearch: 3])

        // Five searches billed, three logged: $0.02 of tool use the logs do not show.
        s.costs.removeLast()
        s.billed("2026-03-01", "0.05", model: "m", category: .tool, item: "web_search")
        r = s.run()
        #expect(r.totals.byClass == GapAmounts([.toolFees: usd("0.02")]))
        #expect(r.topDays.first?.byClass == GapAmounts([.toolFees: usd("0.02")]))
        #expect(r.cells.first?.classes.isEmpty == true)
        let text = ReconciliationTextReport.render(r)
        #expect(text.contains("and $0.03 of tool fees beside the providers' tool lines"))
        #expect(text.contains("Tool use billed beside the logged calls' tool fees"))
        #expect(text.contains("web_search 3"))

        // Without a cost export the day's bill is estimated from usage: the fees are not compared.
        s.costs.removeAll()
        r = s.run()
        #expect(r.toolFees.isEmpty)
        #expect(r.totals.loggedToolFees == .zero)
        #expect(r.cells.first?.classes.isEmpty == true)
    }

    @Test func smallGapsAreWithinTolerance() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.205")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.withinTolerance)
        #expect(cell.classes == GapAmounts([.priceDrift: usd("0.005")]))
        #expect(r.totals.byClass.isEmpty)
        #expect(r.totals.withinTolerance == usd("0.005"))
        #expect(r.totals.explained == usd("1.205"))
        // The period total is judged on its own: 0.005 of 1.205 is above 0.1 %.
        #expect(!r.withinTolerance)
    }

    @Test func tolerancesAreSettable() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 11, input: 1_100_000, output: 110_000)
        s.billed("2026-03-01", "1.32")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        #expect(s.run().cells.first?.classes == GapAmounts([.unloggedAttempts: usd("0.12")]))
        s.tolerances.requests = 1
        #expect(s.run().cells.first?.classes == GapAmounts([.tokenMismatch: usd("0.12")]))
        s.tolerances.tokens = 100_000
        #expect(s.run().cells.first?.classes == GapAmounts([.priceDrift: usd("0.12")]))
        #expect(s.run().cells.first?.withinTolerance == false)
        s.tolerances.cellCost = usd("0.12")
        #expect(s.run().cells.first?.withinTolerance == true)
    }

    @Test func anExtraRequestWithoutTokensCostsNothing() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 11, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.20")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let cell = try #require(s.run().cells.first)
        #expect(cell.classes.isEmpty && cell.gap == .zero)
    }

    @Test func unpricedModelsAreNotSplit() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, model: "mystery-1")
        s.billed("2026-03-01", "5.00", model: "mystery-1")
        s.logs("2026-03-01", requests: 9, input: 900_000, output: 90_000, model: "mystery-1")
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.model == "mystery-1")
        #expect(cell.loggedUnpriced == 9)
        #expect(cell.classes == GapAmounts([.unpriced: usd("5.00")]))
        #expect(r.notes.contains { $0.contains("mystery-1") })
    }

    @Test func costWithoutUsageIsUnclassified() throws {
        var s = ReconciliationScenario()
        s.billed("2026-03-01", "2.00")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        #expect(r.cells.first?.classes == GapAmounts([.unclassified: usd("0.80")]))
        #expect(r.cells.first?.provided.requests == nil)
    }

    @Test func usageWithoutCostIsBilledAtBookPrices() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 12, input: 1_200_000, output: 120_000)
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.billedBasis == .estimated)
        #expect(cell.billed == usd("1.44"))
        #expect(cell.classes == GapAmounts([.unloggedAttempts: usd("0.24")]))
        #expect(r.totals.estimatedCells == 1)
    }

    @Test func withoutRequestCountsUnloggedUsageIsToldFromTokens() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: nil, input: 1_000_000, output: 100_000, key: "k1")
        s.provided("2026-03-01", requests: nil, input: 500_000, output: 0, key: "k2")
        s.billed("2026-03-01", "1.70")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 90_000, key: "k1")
        s.logs("2026-03-01", requests: 1, input: 10, output: 0, key: "k2")
        s.logs("2026-03-02", requests: 1, input: 10, output: 0, key: "k3")
        let r = s.run()
        let cell = try #require(r.cells.first)
        // k1: same calls, 10,000 fewer output tokens logged → token mismatch $0.02; k2: logged 10 of 500,000 tokens.
        #expect(cell.classes == GapAmounts([.tokenMismatch: usd("0.519990")]))
        #expect(r.notes.contains { $0.contains("no request counts") })
        #expect(r.notes.contains { $0.contains("1 logged call(s) fall on days without") })
    }

    @Test func gatewayCostIsComparedWithThePriceBook() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        s.billed("2026-03-01", "1.50")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, gateway: "1.50")
        let g = try #require(s.run().gateway.first)
        #expect(g.calls == 10 && g.gatewayCost == usd("1.50") && g.bookCost == usd("1.20") && g.billed == usd("1.50"))
        #expect(g.disagrees)
    }

    @Test func batchUsageIsPricedAtBatchRates() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, batch: true)
        s.billed("2026-03-01", "0.60")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, batch: true)
        let cell = try #require(s.run().cells.first)
        #expect(cell.providerBookCost == usd("0.60") && cell.loggedCost == usd("0.60"))
        #expect(cell.classes.isEmpty)
        #expect(cell.comparisons.first?.tier == .batch)
    }

    @Test func classesAddUpToTheGapInEveryCell() {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 12, input: 1_300_000, output: 100_000, key: "k1")
        s.provided("2026-03-01", requests: 3, input: 100_000, output: 10_000, key: "k9")
        s.provided("2026-03-02", requests: 9, input: 900_000, output: 70_000, key: "k1")
        s.billed("2026-03-01", "2.013")
        s.billed("2026-03-02", "0.80")
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: "k1")
        s.logs("2026-03-02", requests: 11, input: 1_100_000, output: 110_000, key: "k1")
        for cell in s.run().cells { #expect(cell.classes.total == cell.gap) }
    }

    @Test func provisionalDaysAreMarked() {
        var s = ReconciliationScenario()
        s.provided("2026-03-30", requests: 10, input: 1_000_000, output: 100_000)
        s.provided("2026-03-28", requests: 10, input: 1_000_000, output: 100_000)
        s.period = Period(first: day("2026-03-28"), last: day("2026-03-31"))
        let r = s.run()
        #expect(r.cells.map(\.provisional) == [false, true])
    }

    @Test func providerFilter() {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        #expect(s.run(providers: ["other"]).cells.isEmpty)
        #expect(s.run(providers: ["ACME"]).cells.count == 1)
    }
}

@Suite struct ReconciliationOverlapTests {
    @Test func dailyBucketsWinOverHourlyOnesOfTheSameDay() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, source: 1)
        for h in 0..<10 { s.provided("2026-03-01", requests: 1, input: 100_000, output: 10_000, hours: (h, h + 1), source: 2) }
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        #expect(r.cells.first?.provided.requests == 10)
        #expect(r.cells.first?.classes.isEmpty == true)
        #expect(r.notes.contains { $0.contains("10 usage row(s) from second.json on 1 day(s) set aside") })
    }

    @Test func theFinerGroupingWinsOverACoarserDownload() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: nil, source: 1)
        s.provided("2026-03-01", requests: 6, input: 600_000, output: 60_000, key: "k1", source: 2)
        s.provided("2026-03-01", requests: 4, input: 400_000, output: 40_000, key: "k2", source: 2)
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, key: nil)
        let r = s.run()
        #expect(r.cells.first?.provided.requests == 10)
        #expect(r.notes.contains { $0.contains("1 usage row(s) from first.json") })
    }

    @Test func usageExportsWithoutModelsArePooled() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 10, input: 1_000_000, output: 100_000, model: nil)
        s.billed("2026-03-01", "1.30", model: nil)
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.model == nil)
        #expect(cell.classes == GapAmounts([.unpriced: usd("0.10")]))  // the pooled usage has no model to price
    }

    @Test func costExportsWithoutModelsPoolTheDay() throws {
        var s = ReconciliationScenario()
        s.provided("2026-03-01", requests: 12, input: 1_200_000, output: 120_000)
        s.billed("2026-03-01", "1.50", model: nil)
        s.logs("2026-03-01", requests: 10, input: 1_000_000, output: 100_000)
        let r = s.run()
        let cell = try #require(r.cells.first)
        #expect(cell.model == nil)
        #expect(cell.classes == GapAmounts([.unloggedAttempts: usd("0.24"), .priceDrift: usd("0.06")]))
        #expect(cell.comparisons.first?.model == "m")
    }
}

@Suite struct ReconciliationToleranceTests {
    @Test func defaultsFollowTheMethod() {
        let t = ReconciliationTolerances()
        #expect(t.requests == 0 && t.tokens == 0)
        #expect(t.cellCost == usd("0.01"))
        #expect(t.cellCostPartsPerMillion == 5_000 && t.totalPartsPerMillion == 1_000 && t.openHours == 48)
        // max($0.01, 0.5 %): $0.01 below $2 of bill, 0.5 % above.
        #expect(t.cellAllows(usd("0.01"), billed: usd("1")))
        #expect(!t.cellAllows(usd("0.010000000001"), billed: usd("1")))
        #expect(t.cellAllows(usd("0.05"), billed: usd("10")))
        #expect(!t.cellAllows(usd("0.050000000001"), billed: usd("10")))
        #expect(t.cellAllows(usd("-0.05"), billed: usd("10")))
        #expect(t.totalAllows(usd("1"), billed: usd("1000")))
        #expect(!t.totalAllows(usd("1.01"), billed: usd("1000")))
    }
}

/// One unpriced model beside a priced one, in a day whose cost export is not split by model: the unpriced
/// class holds at most what the unpriced calls can cost, and the unlogged usage and price drift of the
/// priced model are still found.
@Suite struct ReconciliationUnpricedTests {
    /// Provider `acme` prices three models; `mystery-9` is not in the book.
    static let book = PriceBook(entries: [
        PriceEntry(provider: "acme", model: "m-small", effectiveFrom: day("2025-01-01"),
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("0.10"), output: perMillion("0.40"))]),
        PriceEntry(provider: "acme", model: "m", effectiveFrom: day("2025-01-01"),
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("1"), output: perMillion("2"))]),
        PriceEntry(provider: "acme", model: "m-big", effectiveFrom: day("2025-01-01"),
                   cards: [RateCardKey(.standard): RateCard(input: perMillion("3"), output: perMillion("15"))]),
    ])

    static func run(billed: String, mysteryLogged: Int64 = 5) -> ReconciliationResult {
        var s = ReconciliationScenario()
        // m: 12 requests billed, 10 logged (2 unlogged attempts: 200,000 input + 20,000 output = $0.24 at the book).
        s.provided("2026-03-01", requests: 12, input: 1_200_000, output: 120_000, model: "m")
        s.provided("2026-03-01", requests: 5, input: 500_000, output: 50_000, model: "mystery-9")
        s.billed("2026-03-01", billed, model: nil)
        var logs: [LoggedUsageGroup] = []
        var g = LoggedUsageGroup(day: day("2026-03-01"), provider: "acme", model: "m")
        g.requests = 10
        g.inputTokens = 1_000_000
        g.outputTokens = 100_000
        g.cost = usd("1.20")
        logs.append(g)
        var u = LoggedUsageGroup(day: day("2026-03-01"), provider: "acme", model: "mystery-9")
        u.requests = mysteryLogged
        u.inputTokens = 100_000 * mysteryLogged
        u.outputTokens = 10_000 * mysteryLogged
        u.unpricedRequests = mysteryLogged
        u.unpriced = UsageFigures(requests: mysteryLogged)
        u.unpriced.inputTokens = u.inputTokens
        u.unpriced.outputTokens = u.outputTokens
        logs.append(u)
        return Reconciliation.run(ReconciliationInput(period: s.period, usage: s.usage, costs: s.costs, logged: logs, book: book,
                                                      sourcePaths: [:]),
                                  asOf: ReconciliationScenario.asOf)
    }

    @Test func anUnpricedModelNoLongerRelabelsTheGap() throws {
        // The bill: m's 1,200,000 input and 120,000 output at 6 % over the book (1.44 × 1.06 = 1.5264) and
        // mystery-9's 500,000 input and 50,000 output at $0.50 / $1 per 1M (0.25 + 0.05 = 0.30): $1.8264.
        let r = Self.run(billed: "1.8264")
        let cell = try #require(r.cells.first)
        #expect(cell.model == nil)  // pooled: the cost export is not by model
        #expect(cell.loggedUnpriced == 5)
        // mystery-9's tokens at acme's lowest rates ($0.10 / $0.40): 0.05 + 0.02; median ($1 / $2): 0.50 + 0.10;
        // highest ($3 / $15): 1.50 + 0.75.
        #expect(cell.unpricedRange == CostRange(low: usd("0.07"), estimate: usd("0.60"), high: usd("2.25")))
        // Gap 1.8264 − 1.20 = 0.6264: unlogged attempts 0.24 (m's two extra requests; mystery-9's requests
        // and tokens agree), and the rest, 0.3864, is within what mystery-9's calls can cost: all unpriced.
        #expect(cell.classes == GapAmounts([.unloggedAttempts: usd("0.24"), .unpriced: usd("0.3864")]))
        #expect(cell.classes.total == cell.gap)
        #expect(r.notes.contains { $0.contains("$0.07–$2.25") })
    }

    @Test func driftBeyondWhatTheUnpricedCallsCanCostIsPriceDrift() throws {
        // As above, with m billed at twice the book (2.88) and mystery-9 at acme's highest rates (2.25): $5.13.
        let r = Self.run(billed: "5.13")
        let cell = try #require(r.cells.first)
        // Rest after unlogged attempts: 5.13 − 1.20 − 0.24 = 3.69; mystery-9 can cost at most 2.25 (unpriced),
        // so at least 1.44 is price drift.
        #expect(cell.classes == GapAmounts([.unloggedAttempts: usd("0.24"), .unpriced: usd("2.25"), .priceDrift: usd("1.44")]))
        #expect(r.totals.unpricedRange?.high == usd("2.25"))
    }

    @Test func aBillBelowWhatTheUnpricedCallsMustCostIsNegativeDrift() throws {
        // m at the book (1.44) and nothing for mystery-9, whose calls cost at least $0.07.
        let r = Self.run(billed: "1.44")
        let cell = try #require(r.cells.first)
        #expect(cell.classes == GapAmounts([.unloggedAttempts: usd("0.24"), .unpriced: usd("0.07"), .priceDrift: usd("-0.07")]))
    }

    @Test func theRangeIsShownInTheReport() throws {
        let r = Self.run(billed: "1.8264")
        let text = ReconciliationTextReport.render(r)
        #expect(text.contains("unpriced ($0.07–$2.25 at the provider's lowest and highest rates)"))
        let json = try #require(try JSONValue.parse(ReconciliationJSONReport.render(r)).object)
        let range = json["totals"]?.object?["unpriced_range_usd"]?.object
        #expect(range?["low"]?.string == "0.07" && range?["high"]?.string == "2.25")
    }
}

/// The logged side read from the database: each group's tool uses, from the calls' extras.
@Suite struct LoggedToolUseTests {
    @Test func groupsCountTheToolUsesOfTheirPricedCalls() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let log = try scratch.write("calls.jsonl", LogLine.file([
            #"{"timestamp":"2026-03-01T10:00:00Z","request_id":"a","model":"claude-sonnet-4-5","input_tokens":1000,"output_tokens":100,"web_search_calls":2}"#,
            #"{"timestamp":"2026-03-01T11:00:00Z","request_id":"b","model":"claude-sonnet-4-5","input_tokens":1000,"output_tokens":100,"tool_calls":{"web_search":1,"web_fetch":4}}"#,
            #"{"timestamp":"2026-03-01T12:00:00Z","request_id":"c","model":"claude-sonnet-4-5","input_tokens":1000,"output_tokens":100}"#,
            #"{"timestamp":"2026-03-02T12:00:00Z","request_id":"d","model":"claude-sonnet-4-5","input_tokens":1000,"output_tokens":100,"web_search_calls":5}"#,
        ]))
        #expect(try ledger.importPaths([log]).rowsImported == 4)
        let input = try ReconciliationInput.load(db: ledger.db, period: Period(first: day("2026-03-01"), last: day("2026-03-01")),
                                                 book: ledger.book)
        #expect(input.logged.count == 1)
        let g = try #require(input.logged.first)
        #expect(g.requests == 3)
        #expect(g.toolCalls == ["web_search": 3, "web_fetch": 4])
        // Sonnet 4.5: 3 × $3/M × 1,000 + 3 × $15/M × 100 = $0.0135 of tokens; 3 web searches at $10/1,000
        // and 4 web fetches at $0 (https://platform.claude.com/docs/en/about-claude/pricing, read 2026-12-07).
        #expect(ReconciliationEngine.toolFees(of: g, book: ledger.book) == usd("0.03"))
        #expect(g.cost == usd("0.0435"))
    }
}
