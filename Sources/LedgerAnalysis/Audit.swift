import Foundation
import LedgerPricing
import LedgerValues

/// The weekly audit, a pure function of an ``AuditInput``: metrics per workflow, team, segment, tier,
/// model and user beside the previous period, then the flags of ``AuditRules``.
public enum Audit {
    /// Users shown in the top-spenders table.
    public static let topUserCount = 10
    /// Days of history before the previous period used for anomaly medians.
    public static let anomalyHistoryDays = 28
    /// Weeks of history used for the burn forecast's weekday weights.
    public static let forecastHistoryWeeks = 8

    public static func run(_ input: AuditInput) -> AuditResult {
        var ctx = AuditContext(input)
        ctx.aggregate()
        var result = AuditResult(
            period: input.period, previous: input.previous, zoneName: input.zoneName, hasBudget: input.budget != nil,
            dataEnd: input.dataEnd, total: Compared(current: ctx.total[0], previous: ctx.total[1]),
            workflows: ctx.workflowReports(), teams: ctx.groupReports(ctx.teams, .team, missing: "(no team)"),
            segments: ctx.groupReports(ctx.segments, .segment, missing: "(no segment)"),
            tiers: ctx.spendLines(ctx.tiers), models: ctx.spendLines(ctx.models), topUsers: ctx.topUsers(),
            burn: ctx.burn(), flags: [], unpriced: input.unpriced, watches: [])
        result.daily = ctx.dailySeries()
        result.charges = ctx.chargeLines()
        result.periodNotes = periodNotes(input, result)
        var rules = AuditRules(ctx: ctx, result: result)
        rules.evaluate()
        result.flags = rules.flags.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            let ra = AuditRule.allCases.firstIndex(of: a.rule)!, rb = AuditRule.allCases.firstIndex(of: b.rule)!
            return ra != rb ? ra < rb : a.subject < b.subject
        }
        result.watches = rules.watches.sorted { ($0.subject, $0.rule.rawValue) < ($1.subject, $1.rule.rawValue) }
        return result
    }
}

extension Audit {
    /// The periods' notes: each empty or partly covered by the data (from the first day with usage in the
    /// loaded history to the last call), and their lengths when the days with data differ (the report's
    /// changes are then per day: ``AuditResult/previousScale``).
    static func periodNotes(_ input: AuditInput, _ r: AuditResult) -> [PeriodNote] {
        let first = input.usage.lazy.filter { $0.sums.calls > 0 }.map(\.key.day).min().map { CivilDate(daysSinceEpoch: Int($0)) }
        let last = input.dataEnd.day(in: input.zone)
        let previous = PeriodNote.coverage(of: input.previous, hasCalls: r.total.previous.calls > 0, dataFirst: first, dataLast: last)
        let current = PeriodNote.coverage(of: input.period, hasCalls: r.total.current.calls > 0, dataFirst: first, dataLast: last)
        var notes = current + previous
        let a = PeriodNote.coveredDays(of: input.previous, in: previous), b = PeriodNote.coveredDays(of: input.period, in: current)
        if a != b && !previous.contains(.empty(input.previous)) && !current.contains(.empty(input.period)) {
            notes.append(.lengthsDiffer(baseDays: a, compareDays: b, perDay: false))
        }
        return notes
    }
}

/// A workflow and a model, by id.
struct WorkflowModel: Hashable {
    var workflowID: Int64
    var modelID: Int64
}

extension AuditContext {
    /// ``AuditResult/charges``.
    func chargeLines() -> [Compared<ChargeLine>] {
        charges.values.map { Compared(current: $0[0], previous: $0[1]) }
            .sorted { ($0.current.workflow, $0.current.model) < ($1.current.workflow, $1.current.model) }
    }
}

/// The working state of one audit: figures of both periods and the daily series the rules need.
struct AuditContext {
    let input: AuditInput
    let budget: Budget?
    let names: NameDirectory
    /// Day numbers of the period and of the previous period.
    let periodDays: ClosedRange<Int64>
    let previousDays: ClosedRange<Int64>
    /// Row-id ranges of both periods (an action belongs to the period of its first call).
    let periodIDs: ClosedRange<Int64>
    let previousIDs: ClosedRange<Int64>

    /// Index 0: the period; 1: the previous period.
    var total = [SpendFigures(), SpendFigures()]
    var workflows: [Int64: [WorkflowFigures]] = [:]
    var teams: [Int64: [WorkflowFigures]] = [:]
    var segments: [Int64: [WorkflowFigures]] = [:]
    var tiers: [String: [SpendLine]] = [:]
    /// By model group (the price book's identity; the group's smallest model id).
    var models: [Int64: [SpendLine]] = [:]
    /// Charges beyond text tokens per workflow and model, where there are any.
    var charges: [WorkflowModel: [ChargeLine]] = [:]
    /// The logged models grouped by identity.
    let modelGroups: ModelGrouping
    var fallbackReasons: [Int64: [Int64: Int64]] = [:]
    /// Fallback-call cost per workflow in the period (to price excess fallbacks).
    var fallbackCost: [Int64: Money] = [:]
    /// Spend per day (every day of the history) per workflow, and in total.
    var dailyWorkflowSpend: [Int64: [Int64: Money]] = [:]
    var dailyTotalSpend: [Int64: Money] = [:]
    /// Spend per day of the period per tier and per team.
    var dailyTierSpend: [String: [Int64: Money]] = [:]
    /// Spend per day of both periods per tier (for the daily chart).
    var bothPeriodsTierSpend: [Int64: [String: Money]] = [:]
    var dailyTeamSpend: [Int64: [Int64: Money]] = [:]
    /// Generation calls per workflow and model in the period (for off-route models), with their spend.
    var routeUse: [Int64: [Int64: (calls: Int64, spend: Money)]] = [:]
    /// Actions breaking limits, per workflow or segment: count and the largest value seen.
    var overFallbackLimit: [Int64: (actions: Int64, most: Int64)] = [:]
    var segmentViolations: [Int64: (actions: Int64, models: Set<Int64>)] = [:]
    /// Model tiers resolved for the period: the log's own tier when its calls carry one, else the map.
    var modelTier: [Int64: String] = [:]

    init(_ input: AuditInput) {
        self.input = input
        self.budget = input.budget
        self.names = input.names
        periodDays = Int64(input.period.first.daysSinceEpoch)...Int64(input.period.last.daysSinceEpoch)
        previousDays = Int64(input.previous.first.daysSinceEpoch)...Int64(input.previous.last.daysSinceEpoch)
        periodIDs = RowID.range(input.period.interval(in: input.zone))
        previousIDs = RowID.range(input.previous.interval(in: input.zone))
        modelTier = Self.resolveTiers(input)
        modelGroups = input.modelGroups ?? ModelGrouping(names: input.names.all(.model), identity: { _ in nil })
    }

    /// A model's tier: the tier most of its calls in the data logged, else the budget's map.
    static func resolveTiers(_ input: AuditInput) -> [Int64: String] {
        ModelTiers.resolve(logged: input.usage.map { ($0.key.modelID, $0.key.tierID, $0.sums.calls) }, names: input.names,
                           budget: input.budget, canonical: input.canonicalModels)
    }

    func slot(ofDay day: Int64) -> Int? {
        if periodDays.contains(day) { return 0 }
        if previousDays.contains(day) { return 1 }
        return nil
    }

    func slot(ofRequest id: Int64) -> Int? {
        if periodIDs.contains(id) { return 0 }
        if previousIDs.contains(id) { return 1 }
        return nil
    }

    var premiumTiers: Set<String> { Set(budget?.thresholds.premiumTiers ?? ["premium"]) }

    mutating func aggregate() {
        let twoEmpty = [WorkflowFigures(), WorkflowFigures()]
        for (k, s) in input.usage {
            let money = Money(picos: s.cost)
            dailyTotalSpend[k.day, default: .zero] = dailyTotalSpend[k.day, default: .zero] + money
            dailyWorkflowSpend[k.workflowID, default: [:]][k.day, default: .zero] =
                dailyWorkflowSpend[k.workflowID, default: [:]][k.day, default: .zero] + money
            guard let i = slot(ofDay: k.day) else { continue }
            let dayTier = modelTier[k.modelID] ?? "(no tier)"
            bothPeriodsTierSpend[k.day, default: [:]][dayTier, default: .zero] =
                bothPeriodsTierSpend[k.day, default: [:]][dayTier, default: .zero] + money
            total[i].calls += s.calls
            total[i].spend = total[i].spend + money
            total[i].inputTokens += s.inputTokens
            total[i].outputTokens += s.outputTokens
            total[i].cachedInputTokens += s.cachedInputTokens
            total[i].unpricedCalls += s.unpricedCalls
            Self.addCalls(&workflows[k.workflowID, default: twoEmpty][i], k, s)
            Self.addCalls(&teams[k.teamID, default: twoEmpty][i], k, s)
            Self.addCalls(&segments[k.segmentID, default: twoEmpty][i], k, s)
            let tier = modelTier[k.modelID] ?? "(no tier)"
            Self.addLine(&tiers[tier, default: [SpendLine(name: tier), SpendLine(name: tier)]][i], s)
            let group = modelGroups.group(k.modelID)
            let modelName = modelGroups.name[group] ?? names.name(.model, k.modelID) ?? "?"
            let spellings = modelGroups.otherSpellings(k.modelID) ?? []
            Self.addLine(&models[group, default: [SpendLine(name: modelName, loggedNames: spellings),
                                                  SpendLine(name: modelName, loggedNames: spellings)]][i], s)
            if s.toolCalls != 0 || s.components.toolFees != 0 || s.components.modality != 0 || s.components.uplift != 0 {
                let empty = ChargeLine(workflow: names.name(.workflow, k.workflowID == 0 ? nil : k.workflowID) ?? "unassigned", model: modelName)
                charges[WorkflowModel(workflowID: k.workflowID, modelID: group), default: [empty, empty]][i].add(s)
            }
            if i == 0 {
                if k.callKind == .fallback {
                    fallbackReasons[k.workflowID, default: [:]][k.fallbackReasonID, default: 0] += s.calls
                    fallbackCost[k.workflowID, default: .zero] = fallbackCost[k.workflowID, default: .zero] + money
                }
                dailyTierSpend[tier, default: [:]][k.day, default: .zero] = dailyTierSpend[tier, default: [:]][k.day, default: .zero] + money
                dailyTeamSpend[k.teamID, default: [:]][k.day, default: .zero] = dailyTeamSpend[k.teamID, default: [:]][k.day, default: .zero] + money
                if [.primary, .retry, .fallback].contains(k.callKind) {
                    var u = routeUse[k.workflowID, default: [:]][k.modelID] ?? (0, .zero)
                    u.calls += s.calls
                    u.spend = u.spend + money
                    routeUse[k.workflowID, default: [:]][k.modelID] = u
                }
            }
        }
        aggregateActions()
        aggregateLatency()
    }

    static func addCalls(_ f: inout WorkflowFigures, _ k: UsageDayKey, _ s: UsageSums) {
        f.calls += s.calls
        f.spend = f.spend + Money(picos: s.cost)
        f.unpricedCalls += s.unpricedCalls
        f.inputTokens += s.inputTokens
        f.cachedInputTokens += s.cachedInputTokens
        f.outputTokens += s.outputTokens
        switch k.callKind {
        case .primary, .retry, .fallback:
            f.generationCalls += s.calls
            f.generationInput += s.inputTokens
            f.generationOutput += s.outputTokens
            f.generationInputSquares += s.inputSquares
            f.generationOutputSquares += s.outputSquares
        case .classifier, .validation: break
        }
        if k.callKind == .fallback { f.fallbackCalls += s.calls }
        if k.callKind == .retry { f.retryCalls += s.calls }
    }

    static func addLine(_ l: inout SpendLine, _ s: UsageSums) {
        l.calls += s.calls
        l.unpricedCalls += s.unpricedCalls
        l.spend = l.spend + Money(picos: s.cost)
        l.inputTokens += s.inputTokens
        l.outputTokens += s.outputTokens
    }

    mutating func aggregateActions() {
        // Bits of premium models, and per segment the bits of models its users may not be served by.
        var premiumMask: Int64 = 0
        var premiumHigh = Set<Int64>()
        var disallowed: [Int64: (mask: Int64, high: Set<Int64>)] = [:]
        let segmentIDs = Dictionary(names.all(.segment).map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        for (modelID, tier) in modelTier {
            let bit = RowID.modelMaskBit(modelID: modelID)
            if premiumTiers.contains(tier) {
                if modelID < 62 { premiumMask |= bit } else { premiumHigh.insert(modelID) }
            }
            for (segment, allowed) in budget?.limits.segments ?? [:] where !allowed.contains(tier) {
                guard let sid = segmentIDs[segment] else { continue }
                var d = disallowed[sid] ?? (0, [])
                if modelID < 62 { d.mask |= bit } else { d.high.insert(modelID) }
                disallowed[sid] = d
            }
        }
        let maxFallbacks = budget?.limits.maxFallbackAttemptsPerAction
        let twoEmpty = [WorkflowFigures(), WorkflowFigures()]
        for a in input.actions {
            guard let i = slot(ofRequest: a.firstRequest) else { continue }
            let extra = input.extraModels[a.key] ?? []
            let premium = a.modelMask & premiumMask != 0 || !extra.isDisjoint(with: premiumHigh)
            Self.addAction(&workflows[a.workflowID ?? 0, default: twoEmpty][i], a, premium: premium)
            Self.addAction(&teams[a.teamID ?? 0, default: twoEmpty][i], a, premium: premium)
            Self.addAction(&segments[a.segmentID ?? 0, default: twoEmpty][i], a, premium: premium)
            total[i].actions += a.count
            guard i == 0 else { continue }
            if let maxFallbacks, a.fallbacks > Int64(maxFallbacks) {
                var o = overFallbackLimit[a.workflowID ?? 0] ?? (0, 0)
                o.actions += a.count
                o.most = max(o.most, a.fallbacks)
                overFallbackLimit[a.workflowID ?? 0] = o
            }
            if let sid = a.segmentID, let d = disallowed[sid],
               a.modelMask & d.mask != 0 || !extra.isDisjoint(with: d.high) {
                var v = segmentViolations[sid] ?? (0, [])
                v.actions += a.count
                for m in modelTier.keys where m < 62 && a.modelMask & RowID.modelMaskBit(modelID: m) & d.mask != 0 { v.models.insert(m) }
                for m in extra where d.high.contains(m) { v.models.insert(m) }
                segmentViolations[sid] = v
            }
        }
    }

    static func addAction(_ f: inout WorkflowFigures, _ a: ActionRow, premium: Bool) {
        let n = a.count
        f.actions += n
        f.actionCalls += a.calls
        let cost = Money(picos: a.cost)
        switch a.outcome {
        case .completed:
            f.completed += n
            f.wasteInCompleted = f.wasteInCompleted + Money(picos: a.failedCost)
            f.completedUseful = f.completedUseful + cost - Money(picos: a.failedCost)
        case .failed:
            f.failed += n
            f.failedCost = f.failedCost + cost
        case .abandoned:
            f.abandoned += n
            f.abandonedCost = f.abandonedCost + cost
        }
        if a.fallbacks > 0 { f.actionsWithFallback += n }
        if a.retries > 0 { f.actionsWithRetry += n }
        if premium { f.premiumActions += n }
        if a.unpricedCalls > 0 { f.unpricedActions += n }
    }

    /// p50 and p95 per workflow from the latency histograms (interpolated within a bucket, so within
    /// about ±9%), of interactive and of batch calls apart.
    mutating func aggregateLatency() {
        func histograms(_ cells: [(key: LatencyCellKey, calls: Int64)], sign: Int64 = 1, into hist: inout [Int64: [[Int64: Int64]]]) {
            for (k, n) in cells {
                guard let i = slot(ofDay: k.day) else { continue }
                hist[k.workflowID, default: [[:], [:]]][i][k.bucket, default: 0] += sign * n
            }
        }
        var interactive: [Int64: [[Int64: Int64]]] = [:], batch: [Int64: [[Int64: Int64]]] = [:]
        histograms(input.latency, into: &interactive)
        histograms(input.batchLatency, sign: -1, into: &interactive)
        histograms(input.batchLatency, into: &batch)
        for (w, h) in interactive {
            for i in 0..<2 {
                workflows[w, default: [WorkflowFigures(), WorkflowFigures()]][i].latencyP50 = Self.percentile(0.50, h[i])
                workflows[w, default: [WorkflowFigures(), WorkflowFigures()]][i].latencyP95 = Self.percentile(0.95, h[i])
            }
        }
        for (w, h) in batch {
            for i in 0..<2 {
                workflows[w, default: [WorkflowFigures(), WorkflowFigures()]][i].batchLatencyP50 = Self.percentile(0.50, h[i])
                workflows[w, default: [WorkflowFigures(), WorkflowFigures()]][i].batchLatencyP95 = Self.percentile(0.95, h[i])
            }
        }
    }

    static func percentile(_ q: Double, _ buckets: [Int64: Int64]) -> Double? {
        let buckets = buckets.filter { $0.value > 0 }
        let total = buckets.values.reduce(0, +)
        guard total > 0 else { return nil }
        let target = q * Double(total)
        var seen = 0.0
        for b in buckets.keys.sorted() {
            let n = Double(buckets[b]!)
            if seen + n >= target {
                let (lo, hi) = LatencyCellKey.bounds(ofBucket: b)
                let f = n > 0 ? (target - seen) / n : 0
                return max(0, lo + (hi - lo) * f)
            }
            seen += n
        }
        return nil
    }

    // MARK: Tables

    func workflowReports() -> [WorkflowReport] {
        var out: [WorkflowReport] = []
        for (id, f) in workflows {
            let name = names.name(.workflow, id == 0 ? nil : id) ?? "unassigned"
            let route = budget?.route(name)
            let reasons = (fallbackReasons[id] ?? [:]).map { (names.name(.fallbackReason, $0.key == 0 ? nil : $0.key) ?? "(none)", $0.value) }
                .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            out.append(WorkflowReport(
                name: name, figures: Compared(current: f[0], previous: f[1]), fallbackReasons: reasons,
                budgetedCPCA: route?.costPerCompletedAction, budgetedFallbackRate: route?.fallbackRate,
                budgetedRetryRate: route?.retryRate, expectedActions: route?.monthlyRequests.map { $0 * prorate }))
        }
        return out.sorted { ($0.figures.current.spend, $1.name) > ($1.figures.current.spend, $0.name) }
    }

    /// The share of a month the period covers: its days over the days of the month it ends in.
    var prorate: Double {
        Double(input.period.dayCount) / Double(CivilDate.daysIn(month: input.period.last.month, year: input.period.last.year))
    }

    func groupReports(_ groups: [Int64: [WorkflowFigures]], _ d: CallDimension, missing: String) -> [GroupReport] {
        groups.map { id, f in GroupReport(name: names.name(d, id == 0 ? nil : id) ?? missing, figures: Compared(current: f[0], previous: f[1])) }
            .sorted { ($0.figures.current.spend, $1.name) > ($1.figures.current.spend, $0.name) }
    }

    func spendLines<K>(_ lines: [K: [SpendLine]]) -> [Compared<SpendLine>] {
        lines.values.map { Compared(current: $0[0], previous: $0[1]) }
            .sorted { ($0.current.spend, $1.current.name) > ($1.current.spend, $0.current.name) }
    }

    func topUsers() -> [Compared<SpendLine>] {
        var lines: [Int64: [SpendLine]] = [:]
        for (user, day, s) in input.userDays {
            guard let i = slot(ofDay: Int64(day.daysSinceEpoch)) else { continue }
            let name = names.name(.user, user) ?? "?"
            var l = lines[user] ?? [SpendLine(name: name), SpendLine(name: name)]
            l[i].calls += s.calls
            l[i].unpricedCalls += s.unpricedCalls
            l[i].spend = l[i].spend + Money(picos: s.cost)
            l[i].inputTokens += s.inputTokens
            l[i].outputTokens += s.outputTokens
            lines[user] = l
        }
        return Array(spendLines(lines).prefix(Audit.topUserCount))
    }

    /// Every day of both periods, tiers in a fixed order (premium tiers first, then by name).
    func dailySeries() -> [DaySpend] {
        let tiers = Set(bothPeriodsTierSpend.values.flatMap(\.keys)).sorted { a, b in
            let pa = premiumTiers.contains(a), pb = premiumTiers.contains(b)
            return pa != pb ? pa : a < b
        }
        return (previousDays.lowerBound...periodDays.upperBound).map { day in
            DaySpend(day: CivilDate(daysSinceEpoch: Int(day)), inPeriod: periodDays.contains(day),
                     byTier: tiers.map { ($0, bothPeriodsTierSpend[day]?[$0] ?? .zero) })
        }
    }

    // MARK: Budget burn

    /// Days of history with spend the forecast needs for weekday weights and a range.
    static let forecastMinimumHistory = 14

    func burn() -> BurnReport? {
        guard let spend = budget?.spend else { return nil }
        let last = input.period.last
        let month = Period.month(year: last.year, month: last.month)!
        let dataEndDay = input.dataEnd.day(in: input.zone)
        let asOf = min(last, max(dataEndDay, month.first))
        let elapsed = Int64(month.first.daysSinceEpoch)...Int64(asOf.daysSinceEpoch)
        let historyDays = (Int64(month.first.daysSinceEpoch) - Int64(7 * Audit.forecastHistoryWeeks))..<Int64(month.first.daysSinceEpoch)

        func line(_ name: String, budget: Money, workflows wf: Set<Int64>?) -> BurnLine {
            func spendOn(_ day: Int64) -> Money {
                guard let wf else { return dailyTotalSpend[day] ?? .zero }
                return wf.reduce(Money.zero) { $0 + (dailyWorkflowSpend[$1]?[day] ?? .zero) }
            }
            let daily = elapsed.map { spendOn($0).approximateDollars }
            let history = historyDays.map { (CivilDate(daysSinceEpoch: Int($0)).isoWeekday, spendOn($0).approximateDollars) }
                .filter { $0.1 > 0 }
            let weights = history.count >= Self.forecastMinimumHistory ? BurnForecast.weekdayWeights(history: history) : nil
            var sigma = 0.0
            if let weights {
                let mean = history.map(\.1).reduce(0, +) / Double(history.count)
                let residuals = history.map { $0.1 - mean * weights[$0.0 - 1] }
                sigma = (residuals.map { $0 * $0 }.reduce(0, +) / Double(max(1, residuals.count - 1))).squareRoot()
            }
            let f = BurnForecast.make(dailySpend: daily, firstWeekday: month.first.isoWeekday, daysInMonth: month.dayCount,
                                      weights: weights, cap: budget.approximateDollars, sigma: sigma)
            let spent = elapsed.reduce(Money.zero) { $0 + spendOn($1) }
            let crossed = spend.alerts.last { Double(spent.picos) >= $0 * Double(budget.picos) }
            let capDay = f.capDay.map { month.first.adding(days: Int($0.rounded(.down))) }
            let range: BurnLine.ForecastRange = elapsed.count >= month.dayCount ? .monthComplete
                : (weights == nil || sigma == 0 ? .tooLittleHistory(days: history.count, needed: Self.forecastMinimumHistory) : .band)
            // Reached on or before the last day counted: spent, not forecast.
            let ranOut = capDay.flatMap { $0 <= asOf && spent >= budget ? $0 : nil }
            return BurnLine(name: name, budget: budget, spent: spent, forecast: Money(parsing: formatDecimal(f.forecast, decimals: 6)) ?? spent,
                            forecastLow: Money(parsing: formatDecimal(f.low, decimals: 6)) ?? spent,
                            forecastHigh: Money(parsing: formatDecimal(f.high, decimals: 6)) ?? spent,
                            capDay: capDay, crossed: crossed, range: range, ranOutOn: ranOut)
        }
        var lines = [line("total", budget: spend.monthly, workflows: nil)]
        let workflowIDs = Dictionary(names.all(.workflow).map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        for c in spend.categories {
            let ids = Set(c.routes.compactMap { workflowIDs[$0] })
            lines.append(line(c.name, budget: spend.monthly.scaled(by: c.share), workflows: ids))
        }
        return BurnReport(month: month, asOf: asOf, lines: lines)
    }
}
