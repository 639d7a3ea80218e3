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

/// The worked example of `docs/whatif.md`: a month of a service company's traffic, 30% simple, 50% medium
/// and 20% complex interactions, logged on a routed mix (simple on gpt-4o-mini, medium on
/// claude-haiku-4-5, complex on claude-sonnet-4-5), costed on one premium, one mid and one cheap model.
enum ServiceCompany {
    static let mini: Int64 = 1, haiku: Int64 = 2, sonnet: Int64 = 3
    static let simple: Int64 = 1, medium: Int64 = 2, complex: Int64 = 3
    static let actions = 30_000
    static let month = Period.month(year: 2026, month: 10)!

    static let names = NameDirectory([
        .model: [mini: "gpt-4o-mini", haiku: "claude-haiku-4-5", sonnet: "claude-sonnet-4-5"],
        .workflow: [simple: "simple", medium: "medium", complex: "complex"],
    ])

    /// The tier map in force.
    static var budget: Budget {
        var b = Budget()
        b.tiers = [.init(tier: "premium", patterns: ["claude-sonnet-4-5"]), .init(tier: "balanced", patterns: ["claude-haiku-4-5"]),
                   .init(tier: "economy", patterns: ["gpt-4o-mini"])]
        return b
    }

    static func context() throws -> WhatIfContext {
        WhatIfContext(period: month, zoneName: "UTC", names: names, book: try PriceBook.defaultBook(), baseline: budget)
    }

    /// Action i is simple when i mod 10 is 0–2, medium for 3–7, complex for 8–9; every 50th action of a
    /// workflow retries its call once. Tokens per call: simple 600 in / 120 out, medium 2,000 / 350,
    /// complex 6,000 / 900. Each answer carries a quality score around its workflow's mean.
    static func traffic() throws -> [WhatIfAction] {
        let book = try PriceBook.defaultBook()
        let start = month.first.start(in: TimeZone(identifier: "UTC")!).milliseconds
        let step = Int64(month.dayCount) * 86_400_000 / Int64(actions)
        var seen: [Int64: Int] = [:]
        var out: [WhatIfAction] = []
        for i in 0..<actions {
            let w: Int64, model: Int64, input: Int64, output: Int64, quality: Double
            switch i % 10 {
            case 0...2: (w, model, input, output, quality) = (simple, mini, 600, 120, 0.90)
            case 3...7: (w, model, input, output, quality) = (medium, haiku, 2_000, 350, 0.85)
            default: (w, model, input, output, quality) = (complex, sonnet, 6_000, 900, 0.88)
            }
            let n = seen[w, default: 0]
            seen[w] = n + 1
            let t = start + Int64(i) * step
            func call(_ offset: Int64, _ kind: CallKind, _ status: CallStatus) -> WhatIfCall {
                var c = WhatIfCall(rowID: (t + offset) << 20 | Int64(i & 0xFFFFF), modelID: model, workflowID: w, kind: kind, status: status,
                                   inputTokens: input, outputTokens: output, cost: nil)
                let name = names.name(.model, model)!
                c.cost = book.entry(for: name, at: c.timestamp)?.cost(of: c.record(model: name))
                if status == .ok { c.qualityScore = quality + Double((i / 10) % 5 - 2) / 100 }
                return c
            }
            let calls = n % 50 == 49 ? [call(0, .primary, .timeout), call(2_000, .retry, .ok)] : [call(0, .primary, .ok)]
            out.append(WhatIfAction(key: Int64(i + 1), workflowID: w, calls: calls))
        }
        return out
    }

    static let scenarios = [
        WhatIfScenario(name: "all premium", summary: "--all-on claude-sonnet-4-5", allOn: "claude-sonnet-4-5"),
        WhatIfScenario(name: "all mid", summary: "--all-on claude-haiku-4-5", allOn: "claude-haiku-4-5"),
        WhatIfScenario(name: "all cheap", summary: "--all-on gpt-4o-mini", allOn: "gpt-4o-mini"),
    ]

    /// Computed once for the suite.
    static let shared: Result<WhatIfResult, any Error> = Result { try compute() }

    static func result() throws -> WhatIfResult { try shared.get() }

    static func compute() throws -> WhatIfResult {
        var r = WhatIf.run(context: try context(), scenarios: scenarios, actions: try traffic())
        r.scenarios[0].name = "routed mix"
        r.scenarios[0].summary = "the logged routing: simple on gpt-4o-mini, medium on claude-haiku-4-5, complex on claude-sonnet-4-5"
        return r
    }
}

@Suite struct WhatIfServiceCompanyTests {
    func dollars(_ text: String) -> Money { Money(parsing: text)! }

    /// Per call (dollars per 1M tokens: gpt-4o-mini 0.15/0.60, claude-haiku-4-5 1/5, claude-sonnet-4-5 3/15):
    /// simple on mini 600×0.15 + 120×0.60 = $0.000162; medium on haiku 2,000×1 + 350×5 = $0.00375; complex on
    /// sonnet 6,000×3 + 900×15 = $0.0315. Every workflow makes 1.02 calls per action.
    @Test func theRoutedMixIsTheLoggedBill() throws {
        let r = try ServiceCompany.result()
        #expect(r.actual.total.figure.amount == .exactly(dollars("251.64216")))
        #expect(r.actual.workflow("simple")!.figure.exact == dollars("1.48716"))    // 9,180 calls × $0.000162
        #expect(r.actual.workflow("medium")!.figure.exact == dollars("57.375"))     // 15,300 × $0.00375
        #expect(r.actual.workflow("complex")!.figure.exact == dollars("192.78"))    // 6,120 × $0.0315
        #expect(r.actual.total.premiumShare == .exactly(0.2))
        #expect(r.actual.total.completed == 30_000)
    }

    /// A replayed call keeps its action's input re-tokenised (OpenAI → Anthropic ×1.2, Anthropic → OpenAI
    /// ×1/1.2, within a family ×1) and, as no target model was seen in another workflow, the same ratio on
    /// output; the workflow's own 0.02 retries per action.
    @Test func eachSingleModelScenarioMatchesTheHandComputation() throws {
        let r = try ServiceCompany.result()
        let premium = r.scenarios[1], mid = r.scenarios[2], cheap = r.scenarios[3]
        // All on claude-sonnet-4-5: simple 720 in, 144 out = $0.00432 × 9,180; medium ×1 = $0.01125 × 15,300;
        // complex as logged.
        #expect(premium.total.figure.amount.base == dollars("39.6576") + dollars("172.125") + dollars("192.78"))
        // All on claude-haiku-4-5: simple $0.00144 × 9,180; medium as logged; complex 6,000×1 + 900×5 = $0.0105 × 6,120.
        #expect(mid.total.figure.amount.base == dollars("13.2192") + dollars("57.375") + dollars("64.26"))
        // All on gpt-4o-mini: simple as logged; medium 1,667 in, 292 out = $0.00042525 × 15,300; complex
        // 5,000 in, 750 out = $0.0012 × 6,120.
        #expect(cheap.total.figure.amount.base == dollars("1.48716") + dollars("6.506325") + dollars("7.344"))
        #expect(premium.total.premiumShare?.base == 1)
        #expect(cheap.total.premiumShare?.base == 0)
        for s in r.scenarios.dropFirst() {
            #expect(s.total.figure.assumptions == [.tokenizerRatio, .loggedTokens, .workflowRates, .cacheUnchanged].filter { a in
                a != .loggedTokens || s.moves.contains { $0.inputTokens == .loggedTokens }
            })
            #expect(s.total.figure.amount.low < s.total.figure.amount.base && s.total.figure.amount.base < s.total.figure.amount.high)
        }
        // Quality is shown as logged, per model, and never modelled for a scenario.
        #expect(r.quality.count == 6)
        #expect(r.quality.contains { $0.model == "claude-sonnet-4-5" && $0.workflow == "complex" })
    }

    @Test(arguments: ["md", "txt"]) func theDocumentedReportMatchesTheGoldenFile(_ ext: String) throws {
        let r = try ServiceCompany.result()
        try Golden.check(ext == "md" ? WhatIfReportMarkdown.render(r) : WhatIfReportText.render(r), name: "whatif-service-company.\(ext)")
    }
}
