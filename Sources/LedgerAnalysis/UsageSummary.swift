import Foundation
import LedgerPricing
import LedgerValues

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

/// What a summary groups calls by: a routing field, the source they were imported from, a span of time
/// (in the summary's time zone), or a key of their metadata.
public enum SummaryDimension: Hashable, Sendable, CustomStringConvertible {
    /// The price book's model: every logged spelling of it together (`claude-sonnet-4-5`,
    /// `anthropic/claude-sonnet-4-5`, `claude-sonnet-4-5-20250929`).
    case model
    /// The model as logged.
    case modelName
    case tier, workflow, team, user, segment, project, apiKey, provider, source
    case hour, day, week, month
    /// The value of a metadata key (a LiteLLM row's `tags`, a key of its `spend_logs_metadata`, …).
    case tag(String)

    /// Every dimension with a fixed name (all but ``tag(_:)``), in the order help lists them.
    public static let named: [SummaryDimension] = [
        .model, .modelName, .tier, .workflow, .team, .user, .segment, .project, .apiKey, .provider, .source, .hour, .day, .week, .month,
    ]

    /// `model`, `api-key`, `tag:NAME`, … as the command line spells it.
    public var name: String {
        switch self {
        case .model: "model"
        case .modelName: "model-name"
        case .tier: "tier"
        case .workflow: "workflow"
        case .team: "team"
        case .user: "user"
        case .segment: "segment"
        case .project: "project"
        case .apiKey: "api-key"
        case .provider: "provider"
        case .source: "source"
        case .hour: "hour"
        case .day: "day"
        case .week: "week"
        case .month: "month"
        case .tag(let key): "tag:\(key)"
        }
    }

    public var description: String { name }

    /// Parses a name as ``name`` spells it; a tag needs a key without `"`.
    public init?(name: String) {
        if name.hasPrefix("tag:") {
            let key = String(name.dropFirst(4))
            guard !key.isEmpty, !key.contains("\""), key.trimmingCharacters(in: .whitespaces) == key else { return nil }
            self = .tag(key)
            return
        }
        guard let d = Self.named.first(where: { $0.name == name }) else { return nil }
        self = d
    }

    /// Parses `day,model`: one or more dimensions, each at most once.
    public static func list(parsing text: String) -> [SummaryDimension]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [SummaryDimension] = []
        for p in parts {
            guard let d = SummaryDimension(name: p), !out.contains(d) else { return nil }
            out.append(d)
        }
        return out.isEmpty ? nil : out
    }

    /// Spans of time: their groups are listed in time order, the others by spend.
    public var isTime: Bool {
        switch self {
        case .hour, .day, .week, .month: true
        default: false
        }
    }

    /// The label used for calls without a value of this dimension.
    public var missingLabel: String {
        switch self {
        case .workflow: "unassigned"
        case .tier: "(no tier)"
        case .team: "(no team)"
        case .user: "(no user)"
        case .segment: "(no segment)"
        case .project: "(no project)"
        case .apiKey: "(no api key)"
        case .provider: "(no provider)"
        case .tag(let key): "(no \(key))"
        case .model, .modelName, .source, .hour, .day, .week, .month: "(none)"
        }
    }
}

/// What the ids of stored calls stand for, as a summary shows them: dimension names, source paths and
/// the metadata values of the tags asked for.
public struct SummaryLabels: Sendable {
    public var names: NameDirectory
    /// Each model id's price-book model (``ModelGrouping``); a model not in it is shown as logged.
    public var models: [Int64: String] = [:]
    /// Source id → the path it was imported from.
    public var sources: [Int64: String]
    /// Tag key → metadata id → the key's value as text (a list's values joined by `, `).
    public var tags: [String: [Int64: String]]

    public init(names: NameDirectory, sources: [Int64: String] = [:], tags: [String: [Int64: String]] = [:]) {
        self.names = names
        self.sources = sources
        self.tags = tags
    }
}

/// Spend per group over a period: the first look at imported data.
///
/// Pure: it takes stored calls and labels and returns values. Groups nest in the order of the
/// dimensions (`day,model`: each day's models); at every level the groups' totals add up exactly to
/// their parent's (to ``total`` at the top); an action whose calls fall in several groups counts once
/// in each of them (so action counts of groups may add up to more than their parent's).
public struct UsageSummary: Sendable {
    public struct Group: Sendable, Equatable {
        public var name: String
        public var totals: UsageTotals
        /// The breakdown by the next dimension; empty at the last.
        public var groups: [Group] = []
    }

    public var period: Period?
    public var timeZone: String
    public var dimensions: [SummaryDimension]
    public var groups: [Group]
    public var total: UsageTotals

    /// Builds the summary from calls (fed in any order).
    public struct Builder {
        let dimensions: [SummaryDimension]
        let labels: SummaryLabels
        let zone: TimeZone
        /// Group path → totals, for every prefix of every call's path.
        var groups: [[String]: UsageTotals] = [:]
        var groupActions: [[String]: Set<Int64>] = [:]
        var allActions = Set<Int64>()
        var total = UsageTotals()
        /// Quarter hour → its local time's labels (day, hour).
        var timeCache: [Int64: (day: CivilDate, hour: Int)] = [:]

        let zoneName: String

        public init(dimensions: [SummaryDimension], labels: SummaryLabels, zone: TimeZone, zoneName: String? = nil) {
            precondition(!dimensions.isEmpty, "a summary groups by at least one dimension")
            self.dimensions = dimensions
            self.labels = labels
            self.zone = zone
            self.zoneName = zoneName ?? zone.identifier
        }

        public mutating func add(_ c: StoredCall) {
            var path: [String] = []
            path.reserveCapacity(dimensions.count)
            for d in dimensions {
                path.append(label(d, c))
                groups[path, default: UsageTotals()].add(c)
                groupActions[path, default: []].insert(c.actionKey)
            }
            allActions.insert(c.actionKey)
            total.add(c)
        }

        mutating func label(_ d: SummaryDimension, _ c: StoredCall) -> String {
            let names = labels.names
            switch d {
            case .model: return labels.models[c.modelID] ?? names.name(.model, c.modelID) ?? d.missingLabel
            case .modelName: return names.name(.model, c.modelID) ?? d.missingLabel
            case .workflow: return names.name(.workflow, c.workflowID) ?? d.missingLabel
            case .team: return names.name(.team, c.teamID) ?? d.missingLabel
            case .tier: return names.name(.tier, c.tierID) ?? d.missingLabel
            case .user: return names.name(.user, c.userID) ?? d.missingLabel
            case .segment: return names.name(.segment, c.segmentID) ?? d.missingLabel
            case .project: return names.name(.project, c.projectID) ?? d.missingLabel
            case .apiKey: return names.name(.apiKey, c.apiKeyID) ?? d.missingLabel
            case .provider: return names.name(.provider, c.providerID) ?? d.missingLabel
            case .source: return labels.sources[c.sourceID] ?? d.missingLabel
            case .tag(let key): return c.metadataID.flatMap { labels.tags[key]?[$0] } ?? d.missingLabel
            case .day: return localTime(c).day.description
            case .week: return Period.isoWeek(containing: localTime(c).day).label
            case .month: return String(localTime(c).day.description.prefix(7))
            case .hour:
                let t = localTime(c)
                return "\(t.day) \(t.hour < 10 ? "0" : "")\(t.hour):00"
            }
        }

        /// The local day and hour of a call. Local midnight, hours and offset changes fall on quarter hours
        /// (UTC) in current zones, not always on whole hours (+05:30, +05:45, -02:30); each quarter hour's
        /// local time is worked out once.
        mutating func localTime(_ c: StoredCall) -> (day: CivilDate, hour: Int) {
            let quarter = c.timestamp.milliseconds.floorDiv(900_000)
            if let t = timeCache[quarter] { return t }
            let ms = quarter * 900_000
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
            let local = ms + offset
            let t = (day: Timestamp(milliseconds: local).utcDay, hour: Int(local.floorDiv(3_600_000) - local.floorDiv(86_400_000) * 24))
            timeCache[quarter] = t
            return t
        }

        public func build(period: Period?) -> UsageSummary {
            var total = self.total
            total.actions = Int64(allActions.count)
            var children: [[String]: [Group]] = [:]
            // Deepest first, so that each group is complete before its parent takes it.
            for (path, t) in groups.sorted(by: { $0.key.count > $1.key.count }) {
                var totals = t
                totals.actions = Int64(groupActions[path]?.count ?? 0)
                var g = Group(name: path[path.count - 1], totals: totals, groups: children.removeValue(forKey: path) ?? [])
                Self.sort(&g.groups, by: path.count < dimensions.count ? dimensions[path.count] : nil)
                children[Array(path.dropLast()), default: []].append(g)
            }
            var top = children[[]] ?? []
            Self.sort(&top, by: dimensions[0])
            return UsageSummary(period: period, timeZone: zoneName, dimensions: dimensions, groups: top, total: total)
        }

        static func sort(_ groups: inout [Group], by d: SummaryDimension?) {
            guard let d else { return }
            if d.isTime {
                groups.sort { $0.name < $1.name }
            } else {
                groups.sort { ($0.totals.cost, $1.name) > ($1.totals.cost, $0.name) }
            }
        }
    }
}
