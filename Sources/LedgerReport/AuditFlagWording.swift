import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// A flag in words, composed from its figures: what it is about, what was expected, what was found, the
/// numbers that back it, and what to look at first. Every report format words flags through this.
public struct AuditFlagWording: Sendable, Equatable {
    public var subject: String
    public var expected: String
    public var actual: String
    public var evidence: String
    public var check: String

    public init(_ f: AuditFlag) {
        subject = Self.subject(f.subject)
        check = Self.check(f)
        (expected, actual, evidence) = Self.words(f)
        if let q = f.qValue, let n = f.testCount { evidence += "; BH \(Self.pText("q", q)) over \(n) tests" }
    }

    public static func subject(_ s: AuditSubject) -> String {
        switch s {
        case let .workflow(n), let .budgetLine(n), let .model(n): n
        case let .workflowModel(w, m): "\(w) → \(m)"
        case let .segment(n): "segment \(n)"
        case let .tier(n): "tier \(n)"
        case let .team(n): "team \(n)"
        case .users: "users"
        case let .workflowDays(w, first, last): first == last ? "\(w) on \(first)" : "\(w) on \(first) … \(last)"
        }
    }

    static func words(_ f: AuditFlag) -> (expected: String, actual: String, evidence: String) {
        switch f.figures {
        case let .rate(r):
            var evidence = "\(r.events) of \(r.actions) actions"
            if let g = r.needs {
                evidence += "; needs ≥ \(g.actions) actions and ≥ \(formatDecimal(g.expectedEvents, decimals: 0)) expected"
            }
            if let p = f.pValue, let w = r.lowerBound {
                evidence += "; exact one-sided binomial \(pText("p", p)); Wilson lower bound \(NumberText.percent(w))"
            }
            if let impact = f.impact, impact > .zero { evidence += "; excess ≈ \(impact.display())/month" }
            return ("≤ \(NumberText.percent(r.ceiling))", r.observed.map { NumberText.percent($0) } ?? "–", evidence)

        case let .tokens(t):
            var evidence = "\(t.calls) generation calls, mean \(formatDecimal(t.mean, decimals: 0)), sd \(formatDecimal(t.deviation, decimals: 0)) \(t.side.rawValue) tokens"
            if let stat = t.t, let p = f.pValue { evidence += "; one-sided t = \(formatDecimal(stat, decimals: 2)), \(pText("p", p))" }
            return ("≤ \(NumberText.integer(Int64(t.budget.rounded()))) (+\(NumberText.percent(t.tolerance, decimals: 0)) tolerance)",
                    t.calls > 0 ? NumberText.integer(Int64(t.mean.rounded())) : "–", evidence)

        case let .costPerCompletedAction(c):
            return ("≤ \(c.budget.displayAsWritten()) (+\(NumberText.percent(c.tolerance, decimals: 0)))", c.loaded.display(),
                    "\(c.completed) completed actions; direct \(c.direct?.display() ?? "–"), waste \(c.waste.display()) of \(c.actionCost.display())")

        case let .volume(expected, monthly, actual, z):
            let deviation = Double(actual) / expected - 1
            return ("\(NumberText.integer(Int64(expected.rounded()))) actions (monthly \(NumberText.integer(monthly)) prorated)",
                    "\(NumberText.integer(actual)) (\(deviation >= 0 ? "+" : "")\(NumberText.percent(deviation, decimals: 0)))",
                    "z = \(formatDecimal(z, decimals: 1)) against a Poisson count")

        case let .inputLimit(limit, over, calls):
            return ("no call above \(NumberText.integer(limit)) input tokens", "\(NumberText.integer(over)) call(s) above",
                    "\(over) of \(calls) calls")

        case let .modelOffRoute(allowed, calls, spend, loggedAs):
            let spellings = loggedAs.isEmpty ? "" : "; logged as \(loggedAs.joined(separator: ", "))"
            return ("only \(allowed.joined(separator: ", "))", "\(NumberText.integer(calls)) call(s), \(spend.display())",
                    "generation calls (classifier and validation calls are exempt)\(spellings)")

        case let .fallbackAttempts(limit, over, most, actions):
            let share = actions > 0 ? Double(over) / Double(actions) : 0
            return ("≤ \(limit) fallback(s) per action", "\(over) action(s) with more (up to \(most))",
                    "\(NumberText.percent(share, decimals: 2)) of the workflow's actions")

        case let .unroutedWorkflow(calls, spend):
            return ("a route in the budget", "\(NumberText.integer(calls)) call(s), \(spend.display())",
                    "the routing table has no entry for this workflow")

        case let .segmentTier(allowed, over, actions, models):
            let share = actions > 0 ? Double(over) / Double(actions) : 0
            return ("only \(allowed.joined(separator: ", ")) tiers", "\(over) action(s) served by \(models.joined(separator: ", "))",
                    "\(NumberText.percent(share, decimals: 2)) of the segment's actions")

        case let .dailySpendCap(cap, days):
            let worst = days.map { $0.spend - cap }.max() ?? .zero
            return ("≤ \(cap.displayAsWritten()) a day", "\(days.count) day(s) over, worst +\(worst.display())",
                    days.map { "\($0.day) \($0.spend.display())" }.joined(separator: ", "))

        case let .userDailySpendCap(cap, users, days):
            return ("≤ \(cap.displayAsWritten()) per user a day", "\(users) user(s) on \(days.count) user-day(s) over",
                    days.prefix(5).map { "\($0.user) \($0.day) \($0.spend.display())" }.joined(separator: ", ") + (days.count > 5 ? ", …" : ""))

        case let .userRateLimit(limit, users, peaks):
            return ("≤ \(limit) requests per user per minute", "\(users) user(s), peak \(peaks.first?.calls ?? 0) in one minute",
                    peaks.prefix(5).map { "\($0.user) \($0.minute.iso8601.prefix(16))Z: \($0.calls)" }.joined(separator: ", "))

        case let .budgetBurn(b):
            return ("< \(NumberText.percent(b.crossed, decimals: 0)) of \(b.budget.display()) by \(b.asOf)",
                    "\(b.spent.display()) (\(NumberText.percent(b.share)))",
                    "month-to-date \(b.month.first) … \(b.asOf); alert thresholds \(b.alerts.map { NumberText.percent($0, decimals: 0) }.joined(separator: ", "))"
                        + (b.ranOutOn.map { "; the budget ran out on \($0)" } ?? ""))

        case let .budgetForecast(b):
            return ("≤ \(b.budget.display()) by month end",
                    "forecast \(b.forecast.display()) (\(NumberText.percent(b.share, decimals: 0)))",
                    "day-of-week weighted; " + (b.range == .band ? "range " : "") + ReportText.forecastRange(b.range, low: b.low, high: b.high)
                        + (b.ranOutOn.map { "; the budget ran out on \($0)" } ?? b.runsOutOn.map { "; the budget runs out on \($0)" } ?? ""))

        case let .fallbackWithoutReason(missing, fallbacks):
            let share = fallbacks > 0 ? Double(missing) / Double(fallbacks) : 0
            return ("a fallback_reason on every fallback", "\(missing) of \(fallbacks) fallback call(s) without one",
                    NumberText.percent(share))

        case let .spendAnomaly(days):
            guard let first = days.first else { return ("", "", "") }
            if days.count == 1 {
                return ("about \(first.median.display()) (median of \(first.historyDays) days)", first.spend.display(),
                        "modified z = \(zText(first.z)) (median/MAD of the previous \(first.historyDays) days)")
            }
            let total = days.reduce(Money.zero) { $0 + $1.spend }
            let peak = days.max { $0.z < $1.z }!
            return ("about \(first.median.display()) a day (median of the \(first.historyDays) days before \(first.day))",
                    "\(total.display()) over \(days.count) days (\(days.map { $0.spend.display() }.joined(separator: ", ")))",
                    "\(days.count) consecutive days; modified z up to \(zText(peak.z)) on \(peak.day)")

        case let .unpricedModel(requests, input, output):
            return ("a price for every model", "\(NumberText.integer(requests)) unpriced request(s)",
                    "\(NumberText.tokens(input)) input and \(NumberText.tokens(output)) output tokens not in the spend")
        }
    }

    /// What to look at first, by rule.
    static func check(_ f: AuditFlag) -> String {
        switch f.rule {
        case .fallbackRate: "fallback reasons below; the primary model's errors, timeouts and confidence threshold"
        case .retryRate: "invalid-output retries: prompt or schema changes, validation strictness"
        case .premiumShare: "which models the workflow escalated to and why (fallback reasons, user tier routing)"
        case .inputTokens: "prompt templates, retrieved context size, conversation history kept per turn"
        case .outputTokens: "max_tokens settings, verbosity instructions, reasoning effort"
        case .costPerCompletedAction: "what rose: fallback and retry overhead, tokens per call, routing to pricier models, failed and abandoned actions"
        case .volume:
            if case let .volume(expected, _, actual, _) = f.figures, Double(actual) > expected {
                "new callers, a loop or a client retrying, a launch the budget did not plan"
            } else {
                "an outage or a client that stopped calling"
            }
        case .inputLimit: "context truncation and retrieval limits in the client"
        case .modelOffRoute: "the gateway's routing rules and model aliases"
        case .fallbackAttempts: "the gateway's fallback loop limit"
        case .unroutedWorkflow: "add a route, or fix the workflow name the gateway logs"
        case .segmentTier: "plan checks before escalation to premium models"
        case .dailySpendCap:
            f.subject == .users ? "per-user quotas; automated clients using a person's key" : "the day's top workflows and users; caps in the gateway"
        case .userRateLimit: "the gateway's rate limiter configuration"
        case .budgetBurn: "the largest workflows of the month and this report's drift flags"
        case .budgetForecast: "spend pace per workflow; whether the month has unusual days ahead"
        case .fallbackWithoutReason: "the gateway's logging of fallback decisions"
        case .spendAnomaly:
            if case let .spendAnomaly(days) = f.figures, days.count > 1 {
                "those days' calls: a batch job, a loop, a new client"
            } else {
                "that day's calls: a batch job, a loop, a new client"
            }
        case .unpricedModel: "`tokenledger prices import` then `tokenledger reprice`"
        }
    }

    /// `p = 0.0123`, or `p < 0.0001` below what four decimals show.
    static func pText(_ name: String, _ p: Double) -> String {
        if p < 0.0001 { return "\(name) < 0.0001" }
        return "\(name) = \(formatDecimal(p, decimals: 4))"
    }

    static func zText(_ z: Double) -> String { z.isFinite ? formatDecimal(z, decimals: 1) : "∞" }
}
