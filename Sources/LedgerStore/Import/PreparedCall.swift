import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// A call made ready for storage on the parser thread: priced, hashed, its dimension names replaced
/// by local symbols (see ``DimensionSymbols``), so that the writer only binds integers and the two ids.
/// The ids' bytes are in the batch's text (``BatchText``), so that the writer allocates and frees no
/// string per call.
///
/// Preparing is the pipeline step after parsing; importers still produce ``CallRecord``s.
struct PreparedCall: Sendable {
    var requestID: TextRange
    var actionID: TextRange?
    /// The stored text of the call's extras (``CallExtras/storedText``); nil for a call without any.
    var extras: TextRange?
    /// Billed server-side tool uses, for the rollups.
    var toolCalls: Int64
    var line: Int
    var timestampMs: Int64
    /// The request id's hash in its family's key space: its low 32 bits are the dedup key, bits 32…51
    /// the low bits of the row id.
    var requestHash: UInt64
    /// The action's 63-bit key: the hash of its action id, or of the request id for a call without one.
    var actionKey: Int64
    var symbols: CallSymbols
    var kind: CallKind
    var status: CallStatus
    var attempt: Int64?
    var actionOutcome: ActionOutcome?
    var batch: Bool
    var serviceTier: ServiceTier
    var inputTokens: Int64
    var outputTokens: Int64
    var cachedInputTokens: Int64
    var cacheWriteTokens: Int64
    var cacheWrite1hTokens: Int64
    var reasoningTokens: Int64
    var latencyMs: Int64?
    /// The stored form (see ``QualityScore``).
    var qualityScore: Int64?
    /// Picodollars; nil when the log gave none or it does not fit 64 bits.
    var gatewayCost: Int64?
    var priceID: Int64?
    /// The cost by component, in picodollars; nil when unpriced.
    var components: CostComponents?
    /// Picodollars; nil when unpriced.
    var cost: Int64? { components?.total }

    /// The dedup key: 32 bits of the request id's hash.
    var dedupKey: Int64 { Int64(requestHash & 0xFFFF_FFFF) }
    /// The preferred row id: the timestamp above 20 other bits of the hash, so that the requests of
    /// one millisecond rarely compete for an id.
    var preferredRowID: Int64 { (timestampMs << 20) | Int64((requestHash >> 32) & 0xFFFFF) }

    init(_ call: CallRecord, line: Int, price: PriceQuote?, seeds: (request: UInt64, action: UInt64),
         symbols table: inout DimensionSymbols, text: inout BatchText) {
        requestID = text.append(call.requestID)
        actionID = call.actionID.map { text.append($0) }
        if let e = call.extras, !e.isEmpty {
            extras = text.append(e.storedText)
            toolCalls = e.toolCalls.values.reduce(0, &+)
        } else {
            extras = nil
            toolCalls = 0
        }
        self.line = line
        timestampMs = call.timestamp.milliseconds
        requestHash = XXHash64.hash(call.requestID, seed: seeds.request)
        actionKey = call.actionID.map { XXHash64.key($0, seed: seeds.action) }
            ?? XXHash64.key(call.requestID, seed: seeds.action ^ 1)
        // The order of first appearance decides the order in which new names get their ids.
        var s = CallSymbols()
        s.model = table.symbol(.model, call.model)
        s.workflow = table.symbol(.workflow, call.workflow)
        s.team = table.symbol(.team, call.team)
        s.user = table.symbol(.user, call.userID)
        s.segment = table.symbol(.segment, call.userSegment)
        s.project = table.symbol(.project, call.project)
        s.apiKey = table.symbol(.apiKey, call.apiKeyID)
        s.provider = table.symbol(.provider, call.provider)
        s.tier = table.symbol(.tier, call.tier)
        s.fallbackReason = table.symbol(.fallbackReason, call.fallbackReason)
        s.fallbackFrom = table.symbol(.model, call.fallbackFrom)
        s.metadata = table.symbol(.metadata, call.metadata)
        symbols = s
        kind = call.kind
        status = call.status
        attempt = call.attempt.map(Int64.init)
        actionOutcome = call.actionOutcome
        batch = call.batch
        serviceTier = call.serviceTier
        inputTokens = call.inputTokens
        outputTokens = call.outputTokens
        cachedInputTokens = call.cachedInputTokens
        cacheWriteTokens = call.cacheWriteTokens
        cacheWrite1hTokens = call.cacheWrite1hTokens
        reasoningTokens = call.reasoningTokens
        latencyMs = call.latencyMs
        qualityScore = call.qualityScore.map(QualityScore.stored)
        gatewayCost = call.gatewayCost.flatMap(\.int64Picos)
        priceID = price?.entryID
        components = price?.components
    }
}

/// Where a string's UTF-8 bytes are in a ``BatchText``.
struct TextRange: Sendable {
    var start: Int
    var count: Int
}

/// The UTF-8 bytes of a batch's ids, one buffer for all.
struct BatchText: Sendable {
    private(set) var bytes: [UInt8] = []

    /// Appends a string's bytes.
    mutating func append(_ s: String) -> TextRange {
        let start = bytes.count
        bytes.append(contentsOf: s.utf8)
        return TextRange(start: start, count: bytes.count - start)
    }

    /// Appends bytes.
    mutating func append(_ utf8: UnsafeBufferPointer<UInt8>) -> TextRange {
        let start = bytes.count
        bytes.append(contentsOf: utf8)
        return TextRange(start: start, count: utf8.count)
    }

    mutating func reserve(_ n: Int) { bytes.reserveCapacity(n) }

    /// Empties the buffer, keeping its capacity.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes of a range of a ``BatchText``.
    subscript(text r: TextRange) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: self[r.start..<r.start + r.count])
    }

    /// The string of a range of a ``BatchText``.
    func string(_ r: TextRange) -> String { String(decoding: self[text: r], as: UTF8.self) }
}

/// The local symbols of one call's dimension names; ``DimensionSymbols/none`` where a name is missing.
struct CallSymbols: Sendable {
    var model: Int32 = DimensionSymbols.none
    var workflow: Int32 = DimensionSymbols.none
    var team: Int32 = DimensionSymbols.none
    var user: Int32 = DimensionSymbols.none
    var segment: Int32 = DimensionSymbols.none
    var project: Int32 = DimensionSymbols.none
    var apiKey: Int32 = DimensionSymbols.none
    var provider: Int32 = DimensionSymbols.none
    var tier: Int32 = DimensionSymbols.none
    var fallbackReason: Int32 = DimensionSymbols.none
    /// A symbol of the model dimension.
    var fallbackFrom: Int32 = DimensionSymbols.none
    var metadata: Int32 = DimensionSymbols.none
}

/// A name that got a local symbol: the writer learns its database id before it stores the calls that
/// refer to it.
struct NewSymbol: Sendable {
    var dimension: CallDimension
    var symbol: Int32
    var name: String
}

/// The parser thread's numbering of dimension names for one import: each distinct name gets a small
/// local symbol, and the writer maps symbols to database ids through an array instead of hashing
/// strings. New names are collected in ``news`` and shipped with the batch that first uses them.
///
/// Memory stays bounded: a dimension past ``namesPerDimension`` names, or all of them past
/// ``bytesInAll`` bytes of names, start over with fresh symbols. That happens only between batches
/// (``startBatch()``), so that every symbol in a batch means one name.
struct DimensionSymbols {
    /// The symbol of a missing name.
    static let none: Int32 = -1
    static let namesPerDimension = 100_000
    static let bytesInAll = 8 << 20

    private var tables: [[String: Int32]]
    private var bytes = 0
    /// Names numbered since the last ``takeNews()``, in order of first use.
    private(set) var news: [NewSymbol] = []

    init() {
        tables = Array(repeating: [:], count: CallDimension.allCases.count)
    }

    /// The symbol of `name` in `dimension`, numbering it when new.
    mutating func symbol(_ dimension: CallDimension, _ name: String?) -> Int32 {
        guard let name else { return Self.none }
        let d = dimension.rawValue
        if let s = tables[d][name] { return s }
        let s = Int32(tables[d].count)
        tables[d][name] = s
        bytes += name.utf8.count + 32
        news.append(NewSymbol(dimension: dimension, symbol: s, name: name))
        return s
    }

    /// Called before a batch's calls are prepared: starts dimensions over when they grew too large.
    mutating func startBatch() {
        if bytes > Self.bytesInAll {
            for d in tables.indices { tables[d] = [:] }
            bytes = 0
            return
        }
        for d in tables.indices where tables[d].count >= Self.namesPerDimension {
            bytes -= tables[d].keys.reduce(0) { $0 + $1.utf8.count + 32 }
            tables[d] = [:]
        }
    }

    /// The names numbered since the last call.
    mutating func takeNews() -> [NewSymbol] {
        defer { news = [] }
        return news
    }
}
