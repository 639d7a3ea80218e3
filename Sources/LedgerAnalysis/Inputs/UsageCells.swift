import Foundation
import LedgerPricing
import LedgerValues

/// The key of a `usage_hourly` cell. Missing ids are 0.
public struct UsageCellKey: Hashable, Sendable, Comparable {
    /// UTC hours since the epoch.
    public var hour: Int64
    public var workflowID: Int64
    public var modelID: Int64
    public var kind: Int64
    public var segmentID: Int64
    public var teamID: Int64
    /// The log's own tier (0 when the log gave none).
    public var tierID: Int64
    public var fallbackReasonID: Int64

    public static func < (a: UsageCellKey, b: UsageCellKey) -> Bool {
        (a.hour, a.workflowID, a.modelID, a.kind, a.segmentID, a.teamID) < (b.hour, b.workflowID, b.modelID, b.kind, b.segmentID, b.teamID)
            || ((a.hour, a.workflowID, a.modelID, a.kind, a.segmentID, a.teamID) == (b.hour, b.workflowID, b.modelID, b.kind, b.segmentID, b.teamID)
                && (a.tierID, a.fallbackReasonID) < (b.tierID, b.fallbackReasonID))
    }

    /// Every stored property, as the memberwise initializer takes them.
    public init(hour: Int64, workflowID: Int64, modelID: Int64, kind: Int64, segmentID: Int64, teamID: Int64, tierID: Int64, fallbackReasonID: Int64) {
        self.hour = hour
        self.workflowID = workflowID
        self.modelID = modelID
        self.kind = kind
        self.segmentID = segmentID
        self.teamID = teamID
        self.tierID = tierID
        self.fallbackReasonID = fallbackReasonID
    }
}

/// A usage cell of one local calendar day (the audit's grain): a ``UsageCellKey`` with its hour
/// replaced by the day it falls on in the report's time zone.
public struct UsageDayKey: Hashable, Sendable {
    /// Days since the epoch, local to the report's zone.
    public var day: Int64
    public var workflowID: Int64
    public var modelID: Int64
    public var kind: Int64
    public var segmentID: Int64
    public var teamID: Int64
    public var tierID: Int64
    public var fallbackReasonID: Int64

    public init(_ k: UsageCellKey, day: Int64) {
        self.day = day
        workflowID = k.workflowID
        modelID = k.modelID
        kind = k.kind
        segmentID = k.segmentID
        teamID = k.teamID
        tierID = k.tierID
        fallbackReasonID = k.fallbackReasonID
    }

    public var date: CivilDate { CivilDate(daysSinceEpoch: Int(day)) }
    public var callKind: CallKind { CallKind(rawValue: Int(kind)) ?? .primary }
}

/// What the calls of one usage cell add up to. Money in picodollars.
public struct UsageSums: Sendable, Equatable {
    public var calls: Int64 = 0
    public var failedCalls: Int64 = 0
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheWriteTokens: Int64 = 0
    public var cacheWrite1hTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    /// Σ input², Σ output² (for standard deviations); approximate by nature, not money.
    public var inputSquares: Double = 0
    public var outputSquares: Double = 0
    public var maxInputTokens: Int64 = 0
    public var cost: Int64 = 0
    /// `cost` split by token component (their sum is `cost`).
    public var components = CostComponents()
    public var failedCost: Int64 = 0
    public var unpricedCalls: Int64 = 0
    public var unpricedTokens: Int64 = 0
    /// The gateway's own `cost_usd`, summed over the calls that logged it.
    public var gatewayCost: Int64 = 0
    public var gatewayCalls: Int64 = 0
    /// Billed server-side tool uses (web searches, …).
    public var toolCalls: Int64 = 0

    public init() {}

    public mutating func add(_ o: UsageSums) {
        calls += o.calls
        failedCalls += o.failedCalls
        inputTokens += o.inputTokens
        cachedInputTokens += o.cachedInputTokens
        cacheWriteTokens += o.cacheWriteTokens
        cacheWrite1hTokens += o.cacheWrite1hTokens
        outputTokens += o.outputTokens
        reasoningTokens += o.reasoningTokens
        inputSquares += o.inputSquares
        outputSquares += o.outputSquares
        maxInputTokens = max(maxInputTokens, o.maxInputTokens)
        cost += o.cost
        components = components + o.components
        failedCost += o.failedCost
        unpricedCalls += o.unpricedCalls
        unpricedTokens += o.unpricedTokens
        gatewayCost += o.gatewayCost
        gatewayCalls += o.gatewayCalls
        toolCalls += o.toolCalls
    }

    /// Same totals, ignoring the float sums of squares (compared with a tolerance instead).
    public func sameTotals(_ o: UsageSums) -> Bool {
        var a = self, b = o
        a.inputSquares = 0; a.outputSquares = 0; b.inputSquares = 0; b.outputSquares = 0
        return a == b && abs(inputSquares - o.inputSquares) <= 1e-9 * max(1, inputSquares)
            && abs(outputSquares - o.outputSquares) <= 1e-9 * max(1, outputSquares)
    }
}

public struct LatencyCellKey: Hashable, Sendable, Comparable {
    /// UTC days since the epoch (latency percentiles are approximate; a day's grain is enough).
    public var day: Int64
    public var workflowID: Int64
    public var modelID: Int64
    /// Quarter-octave bucket: ⌊4·log₂(latency_ms + 1)⌋.
    public var bucket: Int64

    public static func < (a: LatencyCellKey, b: LatencyCellKey) -> Bool {
        (a.day, a.workflowID, a.modelID, a.bucket) < (b.day, b.workflowID, b.modelID, b.bucket)
    }

    public static func bucket(ofMilliseconds ms: Int64) -> Int64 { Int64((4 * log2(Double(max(0, ms)) + 1)).rounded(.down)) }
    /// The latencies a bucket holds: [lower, upper).
    public static func bounds(ofBucket b: Int64) -> (lower: Double, upper: Double) {
        (pow(2, Double(b) / 4) - 1, pow(2, Double(b + 1) / 4) - 1)
    }

    /// Every stored property, as the memberwise initializer takes them.
    public init(day: Int64, workflowID: Int64, modelID: Int64, bucket: Int64) {
        self.day = day
        self.workflowID = workflowID
        self.modelID = modelID
        self.bucket = bucket
    }
}

public struct UserDayKey: Hashable, Sendable, Comparable {
    /// UTC days since the epoch.
    public var day: Int64
    public var userID: Int64
    public static func < (a: UserDayKey, b: UserDayKey) -> Bool { (a.day, a.userID) < (b.day, b.userID) }

    /// Every stored property, as the memberwise initializer takes them.
    public init(day: Int64, userID: Int64) {
        self.day = day
        self.userID = userID
    }
}

public struct UserDaySums: Sendable, Equatable {
    public var calls: Int64 = 0
    public var cost: Int64 = 0
    public var unpricedCalls: Int64 = 0
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0

    public mutating func add(_ o: UserDaySums) {
        calls += o.calls
        cost += o.cost
        unpricedCalls += o.unpricedCalls
        inputTokens += o.inputTokens
        outputTokens += o.outputTokens
    }

    /// Every stored property, as the memberwise initializer takes them.
    public init(calls: Int64 = 0, cost: Int64 = 0, unpricedCalls: Int64 = 0, inputTokens: Int64 = 0, outputTokens: Int64 = 0) {
        self.calls = calls
        self.cost = cost
        self.unpricedCalls = unpricedCalls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
