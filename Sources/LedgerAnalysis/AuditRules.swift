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
            rateTest(.fallbackRate, wf, x: f.actionsWithFallback, n: f.actions, p0: p0, unitCost: avgFallbackCost)
        }
        if let p0 = route.retryRate {
            rateTest(.retryRate, wf, x: f.actionsWithRetry, n: f.actions, p0: p0, unitCost: avgFallbackCost == .zero ? avgActionCost : avgFallbackCost)
        }
        if let p0 = budget.maxPremiumShare(for: route), p0 < 1 {
            rateTest(.premiumShare, wf, x: f.premiumActions, n: f.actions, p0: p0, unitCost: avgActionCost)
        }
    }

    mutating func rateTest(_ rule: AuditRule, _ wf: WorkflowReport, x: Int64, n: Int64, p0: Double, unitCost: Money) {
        let observed = n > 0 ? Double(x) / Double(n) : 0
        var test = AuditFigures.RateTest(events: x, actions: n, ceiling: p0)
        guard n >= Int64(thresholds.minActions), Double(n) * p0 >= thresholds.minExpectedCount else {
            test.needs = AuditFigures.SampleGate(actions: thresholds.minActions, expectedEvents: thresholds.minExpectedCount)
            if observed > p0 {
                watches.append(AuditFlag(rule: rule, severity: .info, verdict: .notEnoughData, subject: .workflow(wf.name), figures: .rate(test)))
            }
            return
        }
        let p = Statistics.binomialUpperTail(Int(x), Int(n), p0)
        let excess = max(0, Double(x) - Double(n) * p0)
        let impact = unitCost.scaled(by: excess * perMonth)
        test.lowerBound = Statistics.wilsonLowerBound(Int(x), Int(n))
        var flag = AuditFlag(rule: rule, severity: .info, verdict: .notEnoughData, subject: .workflow(wf.name), figures: .rate(test),
                             impact: impact, pValue: p)
        flag.severity = observed >= 2 * p0 ? .critical : .warning
        let material = observed >= p0 * (1 + thresholds.rateTolerance) || impact >= thresholds.materialMonthlyUSD
        tests.append(PendingTest(flag: flag, pValue: p, material: material))
    }

    mutating func tokenTests(_ wf: WorkflowReport, route: Budget.Route) {
        let f = wf.figures.current
        let generationSpend = f.spend
        if let budgeted = route.avgInputTokens {
            tokenTest(.inputTokens, wf, side: .input, n: f.generationCalls, sum: f.generationInput,
                      squares: f.generationInputSquares, budget: budgeted, spend: generationSpend)
        }
        if let budgeted = route.avgOutputTokens {
            tokenTest(.outputTokens, wf, side: .output, n: f.generationCalls, sum: f.generationOutput,
                      squares: f.generationOutputSquares, budget: budgeted, spend: generationSpend)
        }
    }

    mutating func tokenTest(_ rule: AuditRule, _ wf: WorkflowReport, side: AuditFigures.TokenTest.Side, n: Int64, sum: Int64,
                            squares: Double, budget: Double, spend: Money) {
        let (mean, sd) = Statistics.meanAndDeviation(n: Double(n), sum: Double(sum), sumOfSquares: squares)
        let bound = budget * (1 + thresholds.tokenTolerance)
        var test = AuditFigures.TokenTest(side: side, calls: n, mean: mean, deviation: sd, budget: budget,
                                          tolerance: thresholds.tokenTolerance)
        guard n >= Int64(thresholds.minActions), sd > 0 || mean > bound else {
            if mean > bound {
                watches.append(AuditFlag(rule: rule, severity: .info, verdict: .notEnoughData, subject: .workflow(wf.name), figures: .tokens(test)))
            }
            return
        }
        let t = sd > 0 ? (mean - bound) / (sd / Double(n).squareRoot()) : .infinity
        let p = Statistics.studentTUpperTail(t, df: Double(n - 1))
        let impact = mean > budget ? spend.scaled(by: (1 - budget / mean) * perMonth) : .zero
        test.t = t
        var flag = AuditFlag(rule: rule, severity: .info, verdict: .notEnoughData, subject: .workflow(wf.name), figures: .tokens(test),
                             impact: impact, pValue: p)
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
            flag.testCount = tests.count
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
            subject: .workflow(wf.name),
            figures: .costPerCompletedAction(AuditFigures.CostPerAction(
                budget: budgeted, tolerance: thresholds.costTolerance, loaded: loaded, direct: f.directCPCA, completed: f.completed,
                waste: f.waste, actionCost: f.actionCost)),
            impact: impact))
    }

    mutating func volume(_ wf: WorkflowReport, route: Budget.Route) {
        guard let expected = wf.expectedActions, expected >= Double(thresholds.minActions) else { return }
        let actual = Double(wf.figures.current.actions)
        let deviation = actual / expected - 1
        let z = (actual - expected) / expected.squareRoot()
        guard abs(deviation) > thresholds.volumeTolerance, abs(z) > 3 else { return }
        flags.append(AuditFlag(
            rule: .volume, severity: deviation > 0 ? .warning : .info, verdict: .drift, subject: .workflow(wf.name),
            figures: .volume(expected: expected, monthly: Int64(route.monthlyRequests ?? 0), actual: wf.figures.current.actions, z: z)))
    }

    mutating func inputLimit(_ wf: WorkflowReport, route: Budget.Route) {
        guard let limit = route.maxInputTokens, let n = ctx.input.callsOverInputLimit[workflowID(wf.name)], n > 0 else { return }
        flags.append(AuditFlag(
            rule: .inputLimit, severity: .warning, verdict: .breach, subject: .workflow(wf.name),
            figures: .inputLimit(limit: Int64(limit), callsOver: n, calls: wf.figures.current.calls)))
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
            let allowed = [route.primary].compactMap { $0 } + route.fallback
            let spellings = use.names.count > 1 || use.names.first != model ? use.names.sorted() : []
            flags.append(AuditFlag(
                rule: .modelOffRoute, severity: .warning, verdict: .breach, subject: .workflowModel(workflow: wf.name, model: model),
                figures: .modelOffRoute(allowed: allowed, calls: use.calls, spend: use.spend, loggedAs: spellings),
                impact: use.spend.scaled(by: perMonth)))
        }
    }

    mutating func fallbackAttempts(_ wf: WorkflowReport, budget: Budget) {
        guard let limit = budget.limits.maxFallbackAttemptsPerAction, let o = ctx.overFallbackLimit[workflowID(wf.name)] else { return }
        let share = wf.figures.current.actions > 0 ? Double(o.actions) / Double(wf.figures.current.actions) : 0
        flags.append(AuditFlag(
            rule: .fallbackAttempts, severity: share >= 0.05 ? .critical : .warning, verdict: .breach, subject: .workflow(wf.name),
            figures: .fallbackAttempts(limit: limit, actionsOver: Int64(o.actions), most: Int64(o.most), actions: wf.figures.current.actions)))
    }

    mutating func unroutedWorkflows(budget: Budget) {
        guard !budget.routes.isEmpty else { return }
        for wf in result.workflows where budget.route(wf.name) == nil && wf.figures.current.calls > 0 {
            let spend = wf.figures.current.spend
            flags.append(AuditFlag(
                rule: .unroutedWorkflow, severity: spend.scaled(by: perMonth) >= thresholds.materialMonthlyUSD ? .warning : .info,
                verdict: .breach, subject: .workflow(wf.name), figures: .unroutedWorkflow(calls: wf.figures.current.calls, spend: spend),
                impact: spend.scaled(by: perMonth)))
        }
    }

    mutating func segmentTiers(budget: Budget) {
        for (sid, v) in ctx.segmentViolations {
            let segment = ctx.names.name(.segment, sid) ?? "?"
            let allowed = budget.limits.segments[segment] ?? []
            let total = result.segments.first { $0.name == segment }?.figures.current.actions ?? 0
            let share = total > 0 ? Double(v.actions) / Double(total) : 0
            let models = Set(v.models.map { ctx.modelGroups.name[ctx.modelGroups.group($0)] ?? ctx.names.name(.model, $0) ?? "?" }).sorted()
            flags.append(AuditFlag(
                rule: .segmentTier, severity: share >= 0.01 ? .critical : .warning, verdict: .breach, subject: .segment(segment),
                figures: .segmentTier(allowed: allowed, actionsOver: Int64(v.actions), actions: total, models: models)))
        }
    }

    mutating func dailyCaps(budget: Budget) {
        func check(_ subject: AuditSubject, _ days: [Int64: Money], cap: Money) {
            let over = days.filter { $0.value > cap }.sorted { $0.key < $1.key }
            guard !over.isEmpty else { return }
            let worst = over.max { ($0.value - cap) < ($1.value - cap) }!
            flags.append(AuditFlag(
                rule: .dailySpendCap, severity: worst.value > cap.scaled(by: 1.5) ? .critical : .warning, verdict: .breach,
                subject: subject,
                figures: .dailySpendCap(cap: cap, daysOver: over.map { .init(day: CivilDate(daysSinceEpoch: Int($0.key)), spend: $0.value) })))
        }
        for (tier, cap) in budget.limits.dailySpendPerTier.sorted(by: { $0.key < $1.key }) {
            check(.tier(tier), ctx.dailyTierSpend[tier] ?? [:], cap: cap)
        }
        if !budget.limits.dailySpendPerTeam.isEmpty {
            for (teamID, days) in ctx.dailyTeamSpend {
                let team = ctx.names.name(.team, teamID == 0 ? nil : teamID) ?? "(no team)"
                if let cap = budget.dailyCap(team: team) { check(.team(team), days, cap: cap) }
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
                subject: .users,
                figures: .userDailySpendCap(cap: cap, users: users, daysOver: over.map { .init(user: $0.user, day: $0.day, spend: $0.spend) })))
        }
    }

    mutating func userRateLimit(budget: Budget) {
        guard let limit = budget.limits.perUserPerMinute, !ctx.input.rateLimitBreaches.isEmpty else { return }
        let b = ctx.input.rateLimitBreaches
        let users = Set(b.map(\.user)).count
        let peaks = b.sorted { $0.calls > $1.calls }.map {
            AuditFigures.UserMinutePeak(user: ctx.names.name(.user, $0.user) ?? "?", minute: $0.minute, calls: $0.calls)
        }
        flags.append(AuditFlag(
            rule: .userRateLimit, severity: .warning, verdict: .breach, subject: .users,
            figures: .userRateLimit(limit: limit, users: users, peaks: peaks)))
    }

    // MARK: Budget burn (rule 13)

    mutating func budgetBurn() {
        guard let burn = result.burn, let spend = ctx.budget?.spend else { return }
        for line in burn.lines {
            if let crossed = line.crossed {
                let severity: AuditFlag.Severity = crossed >= 1 ? .critical : (crossed >= 0.9 ? .warning : .info)
                flags.append(AuditFlag(
                    rule: .budgetBurn, severity: severity, verdict: .breach, subject: .budgetLine(line.name),
                    figures: .budgetBurn(AuditFigures.BudgetBurn(
                        crossed: crossed, alerts: spend.alerts, budget: line.budget, spent: line.spent, share: line.share,
                        month: burn.month, asOf: burn.asOf, ranOutOn: line.ranOutOn))))
            }
            if line.forecast > line.budget {
                flags.append(AuditFlag(
                    rule: .budgetForecast, severity: line.forecastLow > line.budget ? .critical : .warning, verdict: .drift,
                    subject: .budgetLine(line.name),
                    figures: .budgetForecast(AuditFigures.BudgetForecast(
                        budget: line.budget, forecast: line.forecast, share: line.forecastShare, low: line.forecastLow,
                        high: line.forecastHigh, range: line.range, ranOutOn: line.ranOutOn, runsOutOn: line.runsOutOn)),
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
                rule: .fallbackWithoutReason, severity: share >= 0.10 ? .warning : .info, verdict: .breach, subject: .workflow(wf.name),
                figures: .fallbackWithoutReason(missing: missing, fallbacks: all)))
        }
    }

    /// Spend far above a workflow's recent median; consecutive days of one workflow are one flag with
    /// their date range.
    mutating func spendAnomalies() {
        for (workflowID, days) in ctx.dailyWorkflowSpend.sorted(by: { $0.key < $1.key }) {
            let name = ctx.names.name(.workflow, workflowID == 0 ? nil : workflowID) ?? "unassigned"
            let firstDay = days.keys.min() ?? 0
            var found: [AuditFigures.AnomalyDay] = []
            for day in ctx.periodDays {
                let x = (days[day] ?? .zero).approximateDollars
                let start = max(firstDay, day - Int64(Audit.anomalyHistoryDays))
                guard day - start >= 7 else { continue }
                let history = (start..<day).map { (days[$0] ?? .zero).approximateDollars }
                let z = Statistics.modifiedZ(x, history: history)
                let median = Statistics.median(history)
                guard z > thresholds.anomalyZ, x - median >= thresholds.anomalyMinUSD.approximateDollars else { continue }
                found.append(AuditFigures.AnomalyDay(
                    day: CivilDate(daysSinceEpoch: Int(day)), spend: days[day] ?? .zero,
                    median: Money(parsing: formatDecimal(median, decimals: 6)) ?? .zero, historyDays: history.count, z: z))
            }
            var runs: [[AuditFigures.AnomalyDay]] = []
            for a in found {
                if let last = runs.last?.last, last.day.daysSinceEpoch + 1 == a.day.daysSinceEpoch {
                    runs[runs.count - 1].append(a)
                } else {
                    runs.append([a])
                }
            }
            for run in runs {
                flags.append(AuditFlag(
                    rule: .spendAnomaly, severity: .warning, verdict: .drift,
                    subject: .workflowDays(workflow: name, first: run.first!.day, last: run.last!.day), figures: .spendAnomaly(days: run)))
            }
        }
    }

    mutating func unpricedModels() {
        for m in ctx.input.unpriced {
            flags.append(AuditFlag(
                rule: .unpricedModel, severity: .warning, verdict: .breach, subject: .model(m.model),
                figures: .unpricedModel(requests: m.requests, inputTokens: m.inputTokens, outputTokens: m.outputTokens)))
        }
    }

    // MARK: Helpers

    func workflowID(_ name: String) -> Int64 {
        ctx.names.all(.workflow).first { $0.value == name }?.key ?? 0
    }
}
