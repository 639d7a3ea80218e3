import Foundation
import LedgerPricing
import LedgerValues

/// The audit's rules (`docs/budget.md` lists them with their defaults). Statistical rules are gated
/// as `METHODS.md` §B: an exact one-sided test (binomial for rates, t for averages), Benjamini–Hochberg
/// across every test of the report, a materiality gate (relative excess or dollars per month) and a
/// minimum expected count; a test that fails a gate is a "watch" or "not enough data", not a flag.
struct AuditRules {
    let ctx: AuditContext
    let result: AuditResult
    var flags: [AuditFlag] = []
    var watches: [AuditFlag] = []

    /// A statistical test waiting for the Benjamini–Hochberg step.
    struct PendingTest {
        var flag: AuditFlag
        var pValue: Double
        var material: Bool
    }
    var tests: [PendingTest] = []

    init(ctx: AuditContext, result: AuditResult) {
        self.ctx = ctx
        self.result = result
    }

    var thresholds: Budget.Thresholds { ctx.budget?.thresholds ?? Budget.Thresholds() }
    /// Months per period, to turn a period's excess into dollars per month.
    var perMonth: Double { 1 / ctx.prorate }

    mutating func evaluate() {
        if let budget = ctx.budget {
            for wf in result.workflows {
                guard let route = budget.route(wf.name) else { continue }
                rateTests(wf, route: route, budget: budget)
                tokenTests(wf, route: route)
                costPerCompletedAction(wf, route: route)
                volume(wf, route: route)
                inputLimit(wf, route: route)
                offRouteModels(wf, route: route, budget: budget)
                fallbackAttempts(wf, budget: budget)
            }
            unroutedWorkflows(budget: budget)
            segmentTiers(budget: budget)
            dailyCaps(budget: budget)
            userRateLimit(budget: budget)
            budgetBurn()
        }
        fallbacksWithoutReason()
        spendAnomalies()
        unpricedModels()
        settleTests()
    }

    // MARK: Tests (rules 1, 2, 3, 5)

    mutating func rateTests(_ wf: WorkflowReport, route: Budget.Route, budget: Budget) {
        let f = wf.figures.current
        let avgActionCost = f.actions > 0 ? f.actionCost.divided(by: f.actions) : .zero
        let avgFallbackCost = f.fallbackCalls > 0 ? (ctx.fallbackCost[workflowID(wf.name)] ?? .zero).divided(by: f.fallbackCalls) : .zero
        if let p0 = route.fallbackRate {
            rateTest(.fallbackRate, wf, what: "fallback rate", x: f.actionsWithFallback, n: f.actions, p0: p0, unitCost: avgFallbackCost,
                     check: "fallback reasons below; the primary model's errors, timeouts and confidence threshold")
        }
        if let p0 = route.retryRate {
            rateTest(.retryRate, wf, what: "retry rate", x: f.actionsWithRetry, n: f.actions, p0: p0, unitCost: avgFallbackCost == .zero ? avgActionCost : avgFallbackCost,
                     check: "invalid-output retries: prompt or schema changes, validation strictness")
        }
        if let p0 = budget.maxPremiumShare(for: route), p0 < 1 {
            rateTest(.premiumShare, wf, what: "premium share", x: f.premiumActions, n: f.actions, p0: p0, unitCost: avgActionCost,
                     check: "which models the workflow escalated to and why (fallback reasons, user tier routing)")
        }
    }

    mutating func rateTest(_ rule: AuditRule, _ wf: WorkflowReport, what: String, x: Int64, n: Int64, p0: Double,
                           unitCost: Money, check: String) {
        let observed = n > 0 ? Double(x) / Double(n) : 0
        var flag = AuditFlag(rule: rule, severity: .info, verdict: .notEnoughData, subject: wf.name,
                             expected: "≤ \(NumberText.percent(p0))", actual: n > 0 ? NumberText.percent(observed) : "–",
                             evidence: "\(x) of \(n) actions", check: check)
        guard n >= Int64(thresholds.minActions), Double(n) * p0 >= thresholds.minExpectedCount else {
            flag.evidence += "; needs ≥ \(thresholds.minActions) actions and ≥ \(formatDecimal(thresholds.minExpectedCount, decimals: 0)) expected"
            if observed > p0 { watches.append(flag) }
            return
        }
        let p = Statistics.binomialUpperTail(Int(x), Int(n), p0)
        let excess = max(0, Double(x) - Double(n) * p0)
        let impact = unitCost.scaled(by: excess * perMonth)
        flag.impact = impact
        flag.pValue = p
        flag.evidence += "; exact one-sided binomial \(Self.pText("p", p)); Wilson lower bound \(NumberText.percent(Statistics.wilsonLowerBound(Int(x), Int(n))))"
        if impact > .zero { flag.evidence += "; excess ≈ \(impact.display())/month" }
        flag.severity = observed >= 2 * p0 ? .critical : .warning
        let material = observed >= p0 * (1 + thresholds.rateTolerance) || impact >= thresholds.materialMonthlyUSD
        tests.append(PendingTest(flag: flag, pValue: p, material: material))
    }

    mutating func tokenTests(_ wf: WorkflowReport, route: Budget.Route) {
        let f = wf.figures.current
        let generationSpend = f.spend
        if let budgeted = route.avgInputTokens {
            tokenTest(.inputTokens, wf, what: "input", n: f.generationCalls, sum: f.generationInput,
                      squares: f.generationInputSquares, budget: budgeted, spend: generationSpend,
                      check: "prompt templates, retrieved context size, conversation history kept per turn")
        }
        if let budgeted = route.avgOutputTokens {
            tokenTest(.outputTokens, wf, what: "output", n: f.generationCalls, sum: f.generationOutput,
                      squares: f.generationOutputSquares, budget: budgeted, spend: generationSpend,
                      check: "max_tokens settings, verbosity instructions, reasoning effort")
        }
    }

    mutating func tokenTest(_ rule: AuditRule, _ wf: WorkflowReport, what: String, n: Int64, sum: Int64, squares: Double,
                            budget: Double, spend: Money, check: String) {
        let (mean, sd) = Statistics.meanAndDeviation(n: Double(n), sum: Double(sum), sumOfSquares: squares)
        let bound = budget * (1 + thresholds.tokenTolerance)
        var flag = AuditFlag(rule: rule, severity: .info, verdict: .notEnoughData, subject: wf.name,
                             expected: "≤ \(NumberText.integer(Int64(budget.rounded()))) (+\(NumberText.percent(thresholds.tokenTolerance, decimals: 0)) tolerance)",
                             actual: n > 0 ? NumberText.integer(Int64(mean.rounded())) : "–",
                             evidence: "\(n) generation calls, mean \(formatDecimal(mean, decimals: 0)), sd \(formatDecimal(sd, decimals: 0)) \(what) tokens",
                             check: check)
        guard n >= Int64(thresholds.minActions), sd > 0 || mean > bound else {
            if mean > bound { watches.append(flag) }
            return
        }
        let t = sd > 0 ? (mean - bound) / (sd / Double(n).squareRoot()) : .infinity
        let p = Statistics.studentTUpperTail(t, df: Double(n - 1))
        let impact = mean > budget ? spend.scaled(by: (1 - budget / mean) * perMonth) : .zero
        flag.pValue = p
        flag.impact = impact
        flag.evidence += "; one-sided t = \(formatDecimal(t, decimals: 2)), \(Self.pText("p", p))"
        flag.severity = mean >= 1.5 * budget ? .critical : .warning
        let material = impact >= thresholds.materialMonthlyUSD || mean >= budget * (1 + 2 * thresholds.tokenTolerance)
        tests.append(PendingTest(flag: flag, pValue: p, material: material))
    }

    /// Benjamini–Hochberg over every test of the report, then the gates.
    mutating func settleTests() {
        let q = Statistics.benjaminiHochberg(tests.map(\.pValue))
        for (i, t) in tests.enumerated() {
            var flag = t.flag
            flag.qValue = q[i]
            flag.evidence += "; BH \(Self.pText("q", q[i])) over \(tests.count) tests"
            if q[i] < thresholds.alpha && t.material {
                flag.verdict = .drift
                flags.append(flag)
            } else if t.pValue < thresholds.watchAlpha {
                flag.verdict = .watch
                flag.severity = .info
                watches.append(flag)
            }
        }
        tests = []
    }

    // MARK: Cost, volume, limits (rules 4, 6–11)

    mutating func costPerCompletedAction(_ wf: WorkflowReport, route: Budget.Route) {
        let f = wf.figures.current
        guard let budgeted = route.costPerCompletedAction, let loaded = f.loadedCPCA, f.completed >= Int64(thresholds.minActions) else { return }
        let bound = budgeted.scaled(by: 1 + thresholds.costTolerance)
        guard loaded > bound else { return }
        let impact = (loaded - budgeted).scaled(by: Double(f.completed) * perMonth)
        guard impact >= thresholds.materialMonthlyUSD else { return }
        flags.append(AuditFlag(
            rule: .costPerCompletedAction, severity: loaded >= budgeted.scaled(by: 1.5) ? .critical : .warning, verdict: .drift,
            subject: wf.name, expected: "≤ \(budgeted.displayAsWritten()) (+\(NumberText.percent(thresholds.costTolerance, decimals: 0)))",
            actual: loaded.display(),
            evidence: "\(f.completed) completed actions; direct \(f.directCPCA?.display() ?? "–"), waste \(f.waste.display()) of \(f.actionCost.display())",
            check: "what rose: fallback and retry overhead, tokens per call, routing to pricier models, failed and abandoned actions",
            impact: impact))
    }

    mutating func volume(_ wf: WorkflowReport, route: Budget.Route) {
        guard let expected = wf.expectedActions, expected >= Double(thresholds.minActions) else { return }
        let actual = Double(wf.figures.current.actions)
        let deviation = actual / expected - 1
        let z = (actual - expected) / expected.squareRoot()
        guard abs(deviation) > thresholds.volumeTolerance, abs(z) > 3 else { return }
        flags.append(AuditFlag(
            rule: .volume, severity: deviation > 0 ? .warning : .info, verdict: .drift, subject: wf.name,
            expected: "\(NumberText.integer(Int64(expected.rounded()))) actions (monthly \(NumberText.integer(Int64(route.monthlyRequests ?? 0))) prorated)",
            actual: "\(NumberText.integer(Int64(actual))) (\(deviation >= 0 ? "+" : "")\(NumberText.percent(deviation, decimals: 0)))",
            evidence: "z = \(formatDecimal(z, decimals: 1)) against a Poisson count",
            check: deviation > 0 ? "new callers, a loop or a client retrying, a launch the budget did not plan" : "an outage or a client that stopped calling"))
    }

    mutating func inputLimit(_ wf: WorkflowReport, route: Budget.Route) {
        guard let limit = route.maxInputTokens, let n = ctx.input.callsOverInputLimit[workflowID(wf.name)], n > 0 else { return }
        flags.append(AuditFlag(
            rule: .inputLimit, severity: .warning, verdict: .breach, subject: wf.name,
            expected: "no call above \(NumberText.integer(limit)) input tokens", actual: "\(NumberText.integer(n)) call(s) above",
            evidence: "\(n) of \(wf.figures.current.calls) calls", check: "context truncation and retrieval limits in the client"))
    }

    mutating func offRouteModels(_ wf: WorkflowReport, route: Budget.Route, budget: Budget) {
        // One flag per model (the price book's identity), whatever spellings the calls logged.
        var offRoute: [Int64: (calls: Int64, spend: Money, names: Set<String>)] = [:]
        for (modelID, use) in ctx.routeUse[workflowID(wf.name)] ?? [:] {
            let model = ctx.names.name(.model, modelID) ?? "?"
            guard !budget.allows(model: model, canonical: ctx.input.canonicalModels[modelID], tier: ctx.modelTier[modelID],
                                 on: route) else { continue }
            var o = offRoute[ctx.modelGroups.group(modelID)] ?? (0, .zero, [])
            o.calls += use.calls
            o.spend = o.spend + use.spend
            o.names.insert(model)
            offRoute[ctx.modelGroups.group(modelID)] = o
        }
        for (group, use) in offRoute {
            let model = ctx.modelGroups.name[group] ?? use.names.sorted().first ?? "?"
            let allowed = ([route.primary].compactMap { $0 } + route.fallback).joined(separator: ", ")
            let spellings = use.names.count > 1 || use.names.first != model ? "; logged as \(use.names.sorted().joined(separator: ", "))" : ""
            flags.append(AuditFlag(
                rule: .modelOffRoute, severity: .warning, verdict: .breach, subject: "\(wf.name) → \(model)",
                expected: "only \(allowed)", actual: "\(NumberText.integer(use.calls)) call(s), \(use.spend.display())",
                evidence: "generation calls (classifier and validation calls are exempt)\(spellings)",
                check: "the gateway's routing rules and model aliases", impact: use.spend.scaled(by: perMonth)))
        }
    }

    mutating func fallbackAttempts(_ wf: WorkflowReport, budget: Budget) {
        guard let limit = budget.limits.maxFallbackAttemptsPerAction, let o = ctx.overFallbackLimit[workflowID(wf.name)] else { return }
        let share = wf.figures.current.actions > 0 ? Double(o.actions) / Double(wf.figures.current.actions) : 0
        flags.append(AuditFlag(
            rule: .fallbackAttempts, severity: share >= 0.05 ? .critical : .warning, verdict: .breach, subject: wf.name,
            expected: "≤ \(limit) fallback(s) per action", actual: "\(o.actions) action(s) with more (up to \(o.most))",
            evidence: "\(NumberText.percent(share, decimals: 2)) of the workflow's actions",
            check: "the gateway's fallback loop limit"))
    }

    mutating func unroutedWorkflows(budget: Budget) {
        guard !budget.routes.isEmpty else { return }
        for wf in result.workflows where budget.route(wf.name) == nil && wf.figures.current.calls > 0 {
            let spend = wf.figures.current.spend
            flags.append(AuditFlag(
                rule: .unroutedWorkflow, severity: spend.scaled(by: perMonth) >= thresholds.materialMonthlyUSD ? .warning : .info,
                verdict: .breach, subject: wf.name, expected: "a route in the budget",
                actual: "\(NumberText.integer(wf.figures.current.calls)) call(s), \(spend.display())",
                evidence: "the routing table has no entry for this workflow", check: "add a route, or fix the workflow name the gateway logs",
                impact: spend.scaled(by: perMonth)))
        }
    }

    mutating func segmentTiers(budget: Budget) {
        for (sid, v) in ctx.segmentViolations {
            let segment = ctx.names.name(.segment, sid) ?? "?"
            let allowed = budget.limits.segments[segment] ?? []
            let total = result.segments.first { $0.name == segment }?.figures.current.actions ?? 0
            let share = total > 0 ? Double(v.actions) / Double(total) : 0
            let models = Set(v.models.map { ctx.modelGroups.name[ctx.modelGroups.group($0)] ?? ctx.names.name(.model, $0) ?? "?" })
                .sorted().joined(separator: ", ")
            flags.append(AuditFlag(
                rule: .segmentTier, severity: share >= 0.01 ? .critical : .warning, verdict: .breach, subject: "segment \(segment)",
                expected: "only \(allowed.joined(separator: ", ")) tiers", actual: "\(v.actions) action(s) served by \(models)",
                evidence: "\(NumberText.percent(share, decimals: 2)) of the segment's actions",
                check: "plan checks before escalation to premium models"))
        }
    }

    mutating func dailyCaps(budget: Budget) {
        func check(_ subject: String, _ days: [Int64: Money], cap: Money) {
            let over = days.filter { $0.value > cap }.sorted { $0.key < $1.key }
            guard !over.isEmpty else { return }
            let worst = over.max { ($0.value - cap) < ($1.value - cap) }!
            let list = over.map { "\(CivilDate(daysSinceEpoch: Int($0.key))) \($0.value.display())" }.joined(separator: ", ")
            flags.append(AuditFlag(
                rule: .dailySpendCap, severity: worst.value > cap.scaled(by: 1.5) ? .critical : .warning, verdict: .breach,
                subject: subject, expected: "≤ \(cap.displayAsWritten()) a day", actual: "\(over.count) day(s) over, worst +\((worst.value - cap).display())",
                evidence: list, check: "the day's top workflows and users; caps in the gateway"))
        }
        for (tier, cap) in budget.limits.dailySpendPerTier.sorted(by: { $0.key < $1.key }) {
            check("tier \(tier)", ctx.dailyTierSpend[tier] ?? [:], cap: cap)
        }
        if !budget.limits.dailySpendPerTeam.isEmpty {
            for (teamID, days) in ctx.dailyTeamSpend {
                let team = ctx.names.name(.team, teamID == 0 ? nil : teamID) ?? "(no team)"
                if let cap = budget.dailyCap(team: team) { check("team \(team)", days, cap: cap) }
            }
        }
        if let cap = budget.limits.perUserDailyUSD {
            var over: [(user: String, day: CivilDate, spend: Money)] = []
            for (user, day, s) in ctx.input.userDays where ctx.periodDays.contains(Int64(day.daysSinceEpoch)) {
                let m = Money(picos: s.cost)
                if m > cap { over.append((ctx.names.name(.user, user) ?? "?", day, m)) }
            }
            guard !over.isEmpty else { return }
            over.sort { ($0.spend, $1.user) > ($1.spend, $0.user) }
            let users = Set(over.map(\.user)).count
            let worst = over[0]
            flags.append(AuditFlag(
                rule: .dailySpendCap, severity: worst.spend > cap.scaled(by: 1.5) ? .critical : .warning, verdict: .breach,
                subject: "users", expected: "≤ \(cap.displayAsWritten()) per user a day",
                actual: "\(users) user(s) on \(over.count) user-day(s) over",
                evidence: over.prefix(5).map { "\($0.user) \($0.day) \($0.spend.display())" }.joined(separator: ", ") + (over.count > 5 ? ", …" : ""),
                check: "per-user quotas; automated clients using a person's key"))
        }
    }

    mutating func userRateLimit(budget: Budget) {
        guard let limit = budget.limits.perUserPerMinute, !ctx.input.rateLimitBreaches.isEmpty else { return }
        let b = ctx.input.rateLimitBreaches
        let users = Set(b.map(\.user)).count
        let worst = b.max { $0.calls < $1.calls }!
        flags.append(AuditFlag(
            rule: .userRateLimit, severity: .warning, verdict: .breach, subject: "users",
            expected: "≤ \(limit) requests per user per minute",
            actual: "\(users) user(s), peak \(worst.calls) in one minute",
            evidence: b.sorted { $0.calls > $1.calls }.prefix(5).map { "\(ctx.names.name(.user, $0.user) ?? "?") \($0.minute.iso8601.prefix(16))Z: \($0.calls)" }.joined(separator: ", "),
            check: "the gateway's rate limiter configuration"))
    }

    // MARK: Budget burn (rule 13)

    mutating func budgetBurn() {
        guard let burn = result.burn, let spend = ctx.budget?.spend else { return }
        for line in burn.lines {
            if let crossed = line.crossed {
                let severity: AuditFlag.Severity = crossed >= 1 ? .critical : (crossed >= 0.9 ? .warning : .info)
                flags.append(AuditFlag(
                    rule: .budgetBurn, severity: severity, verdict: .breach, subject: line.name,
                    expected: "< \(NumberText.percent(crossed, decimals: 0)) of \(line.budget.display()) by \(burn.asOf)",
                    actual: "\(line.spent.display()) (\(NumberText.percent(line.share)))",
                    evidence: "month-to-date \(burn.month.first) … \(burn.asOf); alert thresholds \(spend.alerts.map { NumberText.percent($0, decimals: 0) }.joined(separator: ", "))"
                        + (line.ranOutOn.map { "; the budget ran out on \($0)" } ?? ""),
                    check: "the largest workflows of the month and this report's drift flags"))
            }
            if line.forecast > line.budget {
                flags.append(AuditFlag(
                    rule: .budgetForecast, severity: line.forecastLow > line.budget ? .critical : .warning, verdict: .drift,
                    subject: line.name, expected: "≤ \(line.budget.display()) by month end",
                    actual: "forecast \(line.forecast.display()) (\(NumberText.percent(line.forecastShare, decimals: 0)))",
                    evidence: "day-of-week weighted; " + (line.range == .band ? "range " : "") + line.rangeText
                        + (line.ranOutOn.map { "; the budget ran out on \($0)" } ?? line.runsOutOn.map { "; the budget runs out on \($0)" } ?? ""),
                    check: "spend pace per workflow; whether the month has unusual days ahead",
                    impact: line.forecast - line.budget))
            }
        }
    }

    // MARK: Rules without a budget (12, 14, 15)

    mutating func fallbacksWithoutReason() {
        for wf in result.workflows {
            guard let missing = wf.fallbackReasons.first(where: { $0.reason == "(none)" })?.calls, missing > 0 else { continue }
            let all = wf.figures.current.fallbackCalls
            let share = all > 0 ? Double(missing) / Double(all) : 0
            flags.append(AuditFlag(
                rule: .fallbackWithoutReason, severity: share >= 0.10 ? .warning : .info, verdict: .breach, subject: wf.name,
                expected: "a fallback_reason on every fallback", actual: "\(missing) of \(all) fallback call(s) without one",
                evidence: NumberText.percent(share), check: "the gateway's logging of fallback decisions"))
        }
    }

    /// A day whose spend is far above the workflow's recent median.
    struct AnomalyDay {
        var day: Int64
        var spend: Money
        var median: Double
        var z: Double
        var historyDays: Int
    }

    /// Spend far above a workflow's recent median; consecutive days of one workflow are one flag with
    /// their date range.
    mutating func spendAnomalies() {
        for (workflowID, days) in ctx.dailyWorkflowSpend.sorted(by: { $0.key < $1.key }) {
            let name = ctx.names.name(.workflow, workflowID == 0 ? nil : workflowID) ?? "unassigned"
            let firstDay = days.keys.min() ?? 0
            var found: [AnomalyDay] = []
            for day in ctx.periodDays {
                let x = (days[day] ?? .zero).approximateDollars
                let start = max(firstDay, day - Int64(Audit.anomalyHistoryDays))
                guard day - start >= 7 else { continue }
                let history = (start..<day).map { (days[$0] ?? .zero).approximateDollars }
                let z = Statistics.modifiedZ(x, history: history)
                let median = Statistics.median(history)
                guard z > thresholds.anomalyZ, x - median >= thresholds.anomalyMinUSD.approximateDollars else { continue }
                found.append(AnomalyDay(day: day, spend: days[day] ?? .zero, median: median, z: z, historyDays: history.count))
            }
            var runs: [[AnomalyDay]] = []
            for a in found {
                if let last = runs.last?.last, last.day + 1 == a.day { runs[runs.count - 1].append(a) } else { runs.append([a]) }
            }
            for run in runs { flags.append(Self.anomalyFlag(name, run)) }
        }
    }

    static func anomalyFlag(_ name: String, _ run: [AnomalyDay]) -> AuditFlag {
        func date(_ d: Int64) -> CivilDate { CivilDate(daysSinceEpoch: Int(d)) }
        func dollars(_ x: Double) -> String { Money(parsing: formatDecimal(x, decimals: 6))?.display() ?? "–" }
        func zText(_ z: Double) -> String { z.isFinite ? formatDecimal(z, decimals: 1) : "∞" }
        let first = run.first!, last = run.last!
        if run.count == 1 {
            return AuditFlag(
                rule: .spendAnomaly, severity: .warning, verdict: .drift, subject: "\(name) on \(date(first.day))",
                expected: "about \(dollars(first.median)) (median of \(first.historyDays) days)", actual: first.spend.display(),
                evidence: "modified z = \(zText(first.z)) (median/MAD of the previous \(first.historyDays) days)",
                check: "that day's calls: a batch job, a loop, a new client")
        }
        let total = run.reduce(Money.zero) { $0 + $1.spend }
        let peak = run.max { $0.z < $1.z }!
        return AuditFlag(
            rule: .spendAnomaly, severity: .warning, verdict: .drift, subject: "\(name) on \(date(first.day)) … \(date(last.day))",
            expected: "about \(dollars(first.median)) a day (median of the \(first.historyDays) days before \(date(first.day)))",
            actual: "\(total.display()) over \(run.count) days (\(run.map { $0.spend.display() }.joined(separator: ", ")))",
            evidence: "\(run.count) consecutive days; modified z up to \(zText(peak.z)) on \(date(peak.day))",
            check: "those days' calls: a batch job, a loop, a new client")
    }

    mutating func unpricedModels() {
        for m in ctx.input.unpriced {
            flags.append(AuditFlag(
                rule: .unpricedModel, severity: .warning, verdict: .breach, subject: m.model,
                expected: "a price for every model", actual: "\(NumberText.integer(m.requests)) unpriced request(s)",
                evidence: "\(NumberText.tokens(m.inputTokens)) input and \(NumberText.tokens(m.outputTokens)) output tokens not in the spend",
                check: "`tokenledger prices import` then `tokenledger reprice`"))
        }
    }

    // MARK: Helpers


    func workflowID(_ name: String) -> Int64 {
        ctx.names.all(.workflow).first { $0.value == name }?.key ?? 0
    }

    /// `p = 0.0123`, or `p < 0.0001` below what four decimals show.
    static func pText(_ name: String, _ p: Double) -> String {
        if p < 0.0001 { return "\(name) < 0.0001" }
        return "\(name) = \(formatDecimal(p, decimals: 4))"
    }
}
