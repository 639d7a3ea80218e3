import Foundation

/// Totals of a set of calls: requests, actions, tokens and spend, with unpriced traffic apart.
public struct UsageTotals: Sendable, Equatable {
    public var requests: Int64 = 0
    /// Distinct actions among the calls.
    public var actions: Int64 = 0
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheWriteTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    /// Spend of the priced calls (exact).
    public var cost = Money.zero
    public var unpricedRequests: Int64 = 0
    /// Tokens of the unpriced calls: spend at risk that the book cannot value.
    public var unpricedTokens: Int64 = 0

    public init() {}

    mutating func add(_ c: StoredCall) {
        requests += 1
        inputTokens += c.inputTokens
        cachedInputTokens += c.cachedInputTokens
        cacheWriteTokens += c.cacheWriteTokens + c.cacheWrite1hTokens
        outputTokens += c.outputTokens
        reasoningTokens += c.reasoningTokens
        if let cost = c.cost {
            self.cost = self.cost + Money(picos: cost)
        } else {
            unpricedRequests += 1
            unpricedTokens += c.inputTokens + c.outputTokens
        }
    }

    mutating func add(_ other: UsageTotals) {
        requests += other.requests
        actions += other.actions
        inputTokens += other.inputTokens
        cachedInputTokens += other.cachedInputTokens
        cacheWriteTokens += other.cacheWriteTokens
        outputTokens += other.outputTokens
        reasoningTokens += other.reasoningTokens
        cost = cost + other.cost
        unpricedRequests += other.unpricedRequests
        unpricedTokens += other.unpricedTokens
    }
}

/// How a summary groups calls.
public enum SummaryGrouping: String, Sendable, CaseIterable {
    case model, tier, workflow, team, day
}

/// Spend per group over a period: the first look at imported data.
///
/// Pure: it takes stored calls and names and returns values. The groups' totals add up exactly to
/// ``total``; an action whose calls fall in several groups counts once in each of them (so action
/// counts of groups may add up to more than the total's).
public struct UsageSummary: Sendable {
    public struct Group: Sendable, Equatable {
        public var name: String
        public var totals: UsageTotals
    }

    public var period: Period?
    public var timeZone: String
    public var grouping: SummaryGrouping
    public var groups: [Group]
    public var total: UsageTotals

    /// The label used for calls without a value of the grouping dimension.
    public static func missingLabel(_ g: SummaryGrouping) -> String {
        switch g {
        case .workflow: "unassigned"
        case .tier: "(no tier)"
        case .team: "(no team)"
        case .model, .day: "(none)"
        }
    }

    /// Builds the summary from calls (fed in any order).
    public struct Builder {
        let grouping: SummaryGrouping
        let names: NameDirectory
        let zone: TimeZone
        var groups: [String: UsageTotals] = [:]
        var groupActions: [String: Set<Int64>] = [:]
        var allActions = Set<Int64>()
        var total = UsageTotals()
        var dayCache: [Int64: String] = [:]

        let zoneName: String

        public init(grouping: SummaryGrouping, names: NameDirectory, zone: TimeZone, zoneName: String? = nil) {
            self.grouping = grouping
            self.names = names
            self.zone = zone
            self.zoneName = zoneName ?? zone.identifier
        }

        public mutating func add(_ c: StoredCall) {
            let key = groupName(c)
            groups[key, default: UsageTotals()].add(c)
            groupActions[key, default: []].insert(c.actionKey)
            allActions.insert(c.actionKey)
            total.add(c)
        }

        mutating func groupName(_ c: StoredCall) -> String {
            switch grouping {
            case .model: return names.name(.model, c.modelID) ?? UsageSummary.missingLabel(.model)
            case .workflow: return names.name(.workflow, c.workflowID) ?? UsageSummary.missingLabel(.workflow)
            case .team: return names.name(.team, c.teamID) ?? UsageSummary.missingLabel(.team)
            case .tier: return names.name(.tier, c.tierID) ?? UsageSummary.missingLabel(.tier)
            case .day:
                // Local midnight and offset changes fall on quarter hours (UTC) in current zones, not always on
                // whole hours (+05:30, +05:45, -02:30); remember each quarter hour's local day.
                let quarter = (c.rowID >> 20).floorDiv(900_000)
                if let d = dayCache[quarter] { return d }
                let d = c.timestamp.day(in: zone).description
                dayCache[quarter] = d
                return d
            }
        }

        public func build(period: Period?) -> UsageSummary {
            var total = self.total
            total.actions = Int64(allActions.count)
            var out: [Group] = []
            for (name, var t) in groups {
                t.actions = Int64(groupActions[name]?.count ?? 0)
                out.append(Group(name: name, totals: t))
            }
            if grouping == .day {
                out.sort { $0.name < $1.name }
            } else {
                out.sort { ($0.totals.cost, $1.name) > ($1.totals.cost, $0.name) }
            }
            return UsageSummary(period: period, timeZone: zoneName, grouping: grouping, groups: out, total: total)
        }
    }
}
