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

@Suite struct BudgetFileTests {
    static let example = """
    currency: USD
    tiers:
      premium:  [claude-sonnet-4-5*, gpt-5, o3]
      standard: [claude-haiku-4-5*, gpt-4o]
      economy:  [gpt-4o-mini, gemini-2.5-flash]
    routes:
      faq:
        primary: gpt-4o-mini
        fallback: [gpt-4o]
        monthly_requests: 12000
        avg_input_tokens: 1500
        avg_output_tokens: 250
        fallback_rate: 0.05
        retry_rate: 0.02
        cost_per_completed_action: 0.0009
        max_input_tokens: 12000
        max_premium_share: 0.05
    limits:
      max_fallback_attempts_per_action: 2
      max_premium_share: 0.20
      daily_spend_per_tier: {premium: 150, standard: 60, economy: 20}
      daily_spend_per_team: {support: 40, default: 200}
      per_user_per_minute: 20
      per_user_daily_usd: 5
      segments:
        free: {allowed_tiers: [economy, standard]}
    budget:
      monthly: 6000
      categories:
        critical: {share: 0.40, routes: [code_review]}
        standard: {share: 0.35, routes: [faq, summarize]}
        batch:    {share: 0.25, routes: [extract]}
      alerts: [0.7, 0.9, 1.0]
    """

    @Test func readsTheDocumentedExample() throws {
        let b = try BudgetFile.parse(text: Self.example, path: "budget.yaml")
        #expect(b.tiers.map(\.tier) == ["premium", "standard", "economy"])
        #expect(b.tier(ofModel: "claude-sonnet-4-5-20250929") == "premium")
        #expect(b.tier(ofModel: "gpt-4o") == "standard")
        #expect(b.tier(ofModel: "gpt-4o-mini") == "economy")
        #expect(b.tier(ofModel: "mystery") == nil)
        let faq = try #require(b.route("faq"))
        #expect(faq.primary == "gpt-4o-mini")
        #expect(faq.fallback == ["gpt-4o"])
        #expect(faq.fallbackRate == 0.05)
        #expect(faq.costPerCompletedAction == Money(parsing: "0.0009"))
        #expect(faq.maxInputTokens == 12000)
        #expect(b.limits.dailySpendPerTier["premium"] == Money(dollars: 150))
        #expect(b.dailyCap(team: "support") == Money(dollars: 40))
        #expect(b.dailyCap(team: "growth") == Money(dollars: 200))
        #expect(b.limits.segments["free"] == ["economy", "standard"])
        #expect(b.spend?.monthly == Money(dollars: 6000))
        #expect(b.spend?.categories.map(\.name) == ["critical", "standard", "batch"])
        #expect(b.spend?.alerts == [0.7, 0.9, 1.0])
        #expect(b.thresholds == Budget.Thresholds())
    }

    @Test func theFixtureIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/budget/budget.yaml").path
        let b = try BudgetFile.load(path: path)
        #expect(!b.routes.isEmpty)
    }

    @Test(arguments: [
        ("routes:\n  faq:\n    fallback_rate: 5%\n", 3, "routes.faq.fallback_rate", "share between 0 and 1"),
        ("routes:\n  faq:\n    fallback_rte: 0.05\n", 3, "routes.faq.fallback_rte", "unknown key"),
        ("limits:\n  per_user_daily_usd: lots\n", 2, "limits.per_user_daily_usd", "amount in dollars"),
        ("budget:\n  categories:\n    a: {share: 0.8}\n    b: {share: 0.5}\n", 2, "budget", "missing required key `monthly`"),
        ("budget:\n  monthly: 10\n  categories:\n    a: {share: 0.8}\n    b: {share: 0.5}\n", 4, "budget.categories", "add up to 1.300"),
        ("currency: EUR\n", 1, "currency", "expected USD"),
        ("tiers:\n  premium: gpt-5\n", 2, "tiers.premium", "list"),
        ("routes:\n  faq: [1, 2\n", 3, "", "invalid YAML"),
    ] as [(String, Int, String, String)])
    func errorsNameLineKeyAndExpectation(_ text: String, _ line: Int, _ key: String, _ fragment: String) {
        do {
            _ = try BudgetFile.parse(text: text, path: "b.yaml")
            Issue.record("expected an error for \(text.debugDescription)")
        } catch {
            #expect(error.file == "b.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
            #expect(error.description.hasPrefix("b.yaml:\(line): "))
        }
    }

    @Test func globsMatchLikeAShell() {
        #expect(Glob.matches("claude-sonnet-4-5*", "claude-sonnet-4-5-20250929"))
        #expect(Glob.matches("gpt-?o", "gpt-4o"))
        #expect(!Glob.matches("gpt-?o", "gpt-4o-mini"))
        #expect(Glob.matches("*", ""))
        #expect(!Glob.matches("gpt-5", "gpt-5-nano"))
    }
}
