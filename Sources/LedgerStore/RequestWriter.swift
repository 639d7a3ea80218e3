import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Stores calls: maps their dimension symbols to ids, deduplicates them by request id, and keeps the
/// facts of their actions and the rollups, in two steps per transaction:
///
/// 1. ``stage(_:sourceID:)`` stores each row at once. Row ids order requests by time,
///    `id = timestamp_ms << 20 | 20 bits of the id's hash`, so these writes append.
/// 2. ``finishTransaction(_:)`` claims the rows' dedup keys in sorted key order, so that each page of
///    the key table is visited once per transaction rather than once per row. A row whose request id
///    is already stored is removed again: a duplicate when its content is the same, a conflict when
///    not. Only then are the remaining calls added to the rollups and to their actions' facts (see
///    ``ActionWriter``).
///
/// Calls arrive prepared by the parser thread (``PreparedCall``): the names they refer to come as
/// local symbols, learnt with ``learn(_:)`` before the calls that use them.
///
/// All writes happen inside the caller's transaction.
final class RequestWriter {
    let db: Database
    let interner: DimensionInterner
    private let insert: Statement
    private let claimKey: Statement
    private let lookupKey: Statement
    private let readContent: Statement
    private let deleteRow: Statement
    private let readRequestID: Statement
    private let actions: ActionWriter
    private var staged: [StagedRequest] = []
    /// The action id of each action key staged in the open transaction (calls without one have none).
    private var stagedActionIDs: [Int64: TextRange] = [:]
    /// The bytes of ``stagedActionIDs``.
    private var stagedActionText = BatchText()
    /// Reused from one transaction to the next, so that the heap does not grow by fragments.
    private var order: [UInt64] = []
    private var inserted: [Bool] = []
    /// The transaction's action facts, densely, and the position of each action key's facts.
    private var facts: [ActionFacts] = []
    private var factKeys: [Int64] = []
    private var factPositions: [Int64: Int32] = [:]
    /// The database id of each local symbol of the input being read, per dimension (see ``DimensionSymbols``).
    private var symbolIDs: [[Int64]]
    /// Names of models, for the summary's unpriced models.
    private var modelNames: [Int64: String] = [:]

    /// Action facts that could not be merged because two action ids share a 63-bit key.
    var actionKeyCollisions: Int { actions.keyCollisions }

    /// What became of one staged row.
    enum Outcome {
        case inserted(priced: Bool)
        case duplicate
        /// The request id was already stored, from another place, with different content.
        case conflict(sourceID: Int64, line: Int64, raw: [UInt8], requestID: String)
    }

    /// A row stored in step 1, waiting for its key: what the rollups and the action's facts need of it,
    /// without strings (the request id is read back from the row in the rare case it is needed), and
    /// without optionals, which would pad every field. Ids of missing names are 0.
    struct StagedRequest {
        var rowID: Int64
        var line: Int
        var actionKey: Int64
        var modelID: Int64
        var workflowID: Int64
        var teamID: Int64
        var userID: Int64
        var segmentID: Int64
        var tierID: Int64
        var fallbackReasonID: Int64
        var inputTokens: Int64
        var outputTokens: Int64
        var cachedInputTokens: Int64
        var cacheWriteTokens: Int64
        var cacheWrite1hTokens: Int64
        var reasoningTokens: Int64
        /// The cost by component, picodollars, when ``priced``.
        var components: CostComponents
        /// Billed server-side tool uses.
        var toolCalls: Int64
        /// Picodollars when ``hasGatewayCost``.
        var gatewayCostPicos: Int64
        /// Milliseconds when ``hasLatency``.
        var latencyMilliseconds: Int64
        /// The dedup key: 32 bits of the request id's hash, or a following key after a collision.
        var key: UInt32
        /// 1 when the log gave none.
        var attempt: Int64
        var kind: CallKind
        var status: CallStatus
        var actionOutcome: ActionOutcome?
        var priced: Bool
        var hasGatewayCost: Bool
        var hasLatency: Bool

        /// Picodollars; nil when unpriced.
        var cost: Int64? { priced ? components.total : nil }
        var gatewayCost: Int64? { hasGatewayCost ? gatewayCostPicos : nil }
        var latencyMs: Int64? { hasLatency ? latencyMilliseconds : nil }
    }

    init(db: Database) throws {
        self.db = db
        self.interner = DimensionInterner(db: db)
        self.insert = try db.prepare(RequestRow.insertSQL)
        self.claimKey = try db.prepare("INSERT OR IGNORE INTO request_keys(key, request) VALUES(?, ?)")
        self.lookupKey = try db.prepare("""
            SELECT r.id, r.request_id, r.source_id, r.line
            FROM request_keys k JOIN requests r ON r.id = k.request WHERE k.key = ?
            """)
        self.readContent = try db.prepare("SELECT \(RequestRow.comparedColumns) FROM requests WHERE id = ?")
        self.deleteRow = try db.prepare("DELETE FROM requests WHERE id = ?")
        self.readRequestID = try db.prepare("SELECT request_id FROM requests WHERE id = ?")
        self.actions = try ActionWriter(db: db)
        self.symbolIDs = Array(repeating: [], count: CallDimension.allCases.count)
    }

    /// Seeds that keep each family's request ids (and action ids) in their own key space.
    static func seeds(family: String) -> (request: UInt64, action: UInt64) {
        let base = XXHash64.hash(family)
        return (base, base ^ 0x5A5A_5A5A_A5A5_A5A5)
    }

    /// Rows staged in the open transaction.
    var stagedCount: Int { staged.count }

    /// Starts an input: its parser numbers names afresh.
    func beginInput() {
        for d in symbolIDs.indices { symbolIDs[d].removeAll(keepingCapacity: false) }
    }

    /// Learns the database ids of newly numbered names, inserting the names not stored yet.
    func learn(_ news: [NewSymbol]) throws {
        for n in news {
            let id = try interner.storedID(n.dimension, named: n.name)
            let d = n.dimension.rawValue
            let s = Int(n.symbol)
            while symbolIDs[d].count <= s { symbolIDs[d].append(0) }
            symbolIDs[d][s] = id
        }
    }

    /// The database id of a local symbol; nil for a missing name.
    @inline(__always)
    private func id(_ dimension: CallDimension, _ symbol: Int32) -> Int64? {
        symbol < 0 ? nil : symbolIDs[dimension.rawValue][Int(symbol)]
    }

    /// The name of a stored model.
    func modelName(_ id: Int64) throws -> String {
        if let name = modelNames[id] { return name }
        let name = try db.scalarText("SELECT name FROM models WHERE id = ?", .integer(id)) ?? "?"
        if modelNames.count < 10_000 { modelNames[id] = name }
        return name
    }

    /// Step 1: stores one call's row. Not thread-safe; one writer per connection.
    func stage(_ call: PreparedCall, text: UnsafeBufferPointer<UInt8>, sourceID: Int64) throws {
        let s = call.symbols
        let ids = RequestRow.DimensionIDs(
            model: id(.model, s.model) ?? 0, workflow: id(.workflow, s.workflow), team: id(.team, s.team),
            user: id(.user, s.user), segment: id(.segment, s.segment), project: id(.project, s.project),
            apiKey: id(.apiKey, s.apiKey), provider: id(.provider, s.provider), tier: id(.tier, s.tier),
            fallbackReason: id(.fallbackReason, s.fallbackReason), fallbackFrom: id(.model, s.fallbackFrom),
            metadata: id(.metadata, s.metadata))
        // When the preferred id is taken (requests of one millisecond with alike hashes), the next id is taken.
        var id = call.preferredRowID
        var stored = false
        RequestRow.bind(call, ids: ids, text: text, sourceID: sourceID, to: insert)
        for _ in 0..<1024 {
            insert.bind(id, at: 1)
            do {
                try insert.step()
                stored = true
                break
            } catch let e as DatabaseError where e.code == 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */ {
                id = (call.timestampMs << 20) | ((id + 1) & 0xFFFFF)
            }
        }
        insert.reset()
        guard stored else {
            throw DatabaseError(code: 1, message: "no free row id in the millisecond of request \(text.string(call.requestID))")
        }
        if let actionID = call.actionID, stagedActionIDs[call.actionKey] == nil {
            stagedActionIDs[call.actionKey] = stagedActionText.append(text[text: actionID])
        }
        staged.append(StagedRequest(
            rowID: id, line: call.line, actionKey: call.actionKey, modelID: ids.model, workflowID: ids.workflow ?? 0,
            teamID: ids.team ?? 0, userID: ids.user ?? 0, segmentID: ids.segment ?? 0, tierID: ids.tier ?? 0,
            fallbackReasonID: ids.fallbackReason ?? 0, inputTokens: call.inputTokens, outputTokens: call.outputTokens,
            cachedInputTokens: call.cachedInputTokens, cacheWriteTokens: call.cacheWriteTokens,
            cacheWrite1hTokens: call.cacheWrite1hTokens, reasoningTokens: call.reasoningTokens,
            components: call.components ?? CostComponents(), toolCalls: call.toolCalls, gatewayCostPicos: call.gatewayCost ?? 0, latencyMilliseconds: call.latencyMs ?? 0,
            key: UInt32(truncatingIfNeeded: call.dedupKey), attempt: call.attempt ?? 1, kind: call.kind,
            status: call.status, actionOutcome: call.actionOutcome, priced: call.cost != nil,
            hasGatewayCost: call.gatewayCost != nil, hasLatency: call.latencyMs != nil))
    }

    /// Step 2: claims the staged rows' keys, removes duplicates, writes rollups and action facts.
    /// Reports each staged row's outcome, in key order.
    func finishTransaction(_ report: (StagedRequest, Outcome) throws -> Void) throws {
        var rows: [StagedRequest] = []
        swap(&rows, &staged)
        defer {
            // Keep the buffers for the next transaction.
            rows.removeAll(keepingCapacity: true)
            swap(&rows, &staged)
            stagedActionIDs.removeAll(keepingCapacity: true)
            stagedActionText.removeAll()
            order.removeAll(keepingCapacity: true)
            inserted.removeAll(keepingCapacity: true)
            facts.removeAll(keepingCapacity: true)
            factKeys.removeAll(keepingCapacity: true)
            factPositions.removeAll(keepingCapacity: true)
        }
        // Sort positions by key, packed as key << 32 | position so that plain integers are sorted;
        // equal keys keep their arrival order.
        for i in rows.indices { order.append(UInt64(rows[i].key) << 32 | UInt64(i)) }
        order.sort()
        inserted.append(contentsOf: repeatElement(false, count: rows.count))
        for packed in order {
            let i = Int(packed & 0xFFFF_FFFF)
            let outcome = try claim(&rows[i])
            if case .inserted = outcome { inserted[i] = true }
            try report(rows[i], outcome)
        }
        // Then in arrival (time) order, in which one action's calls come together. Facts are written
        // every few thousand calls, so that their memory does not grow with the transaction (an action
        // whose calls fall on both sides of a flush is merged with what was just written).
        var rollups = RollupAccumulator()
        for i in rows.indices where inserted[i] {
            if facts.count >= Self.actionsPerFlush {
                try flushFacts()
            }
            rollups.add(CallSample(rows[i]))
            let c = ActionContribution(rows[i])
            let key = rows[i].actionKey
            if let p = factPositions[key] {
                facts[Int(p)].add(c)
            } else {
                factPositions[key] = Int32(facts.count)
                let actionID = stagedActionIDs[key].map { r in
                    stagedActionText.bytes.withUnsafeBufferPointer { $0.string(r) }
                }
                var f = ActionFacts(actionID: actionID, first: c)
                f.add(c)
                facts.append(f)
                factKeys.append(key)
            }
        }
        try flushFacts()
        try rollups.write(to: db)
    }

    /// Actions whose facts are gathered before they are written (see ``finishTransaction(_:)``).
    static let actionsPerFlush = 4_096

    private func flushFacts() throws {
        try actions.write(facts, keys: factKeys)
        facts.removeAll(keepingCapacity: true)
        factKeys.removeAll(keepingCapacity: true)
        factPositions.removeAll(keepingCapacity: true)
    }

    /// The request id of a stored row.
    private func requestID(of rowID: Int64) throws -> String {
        readRequestID.reset()
        readRequestID.bind(rowID, at: 1)
        defer { readRequestID.reset() }
        return try readRequestID.step() ? readRequestID.text(0) ?? "" : ""
    }

    /// Claims a staged row's key. A taken key holds this request already (a duplicate, or a conflict
    /// when the content differs) or another request whose id hashes alike: then the next key is tried.
    private func claim(_ s: inout StagedRequest) throws -> Outcome {
        for _ in 0..<64 {
            claimKey.reset()
            claimKey.bind(Int64(s.key), at: 1)
            claimKey.bind(s.rowID, at: 2)
            try claimKey.step()
            if db.changes == 1 { return .inserted(priced: s.priced) }
            lookupKey.reset()
            lookupKey.bind(Int64(s.key), at: 1)
            guard try lookupKey.step() else {
                throw DatabaseError(code: 1, message: "request key \(s.key) points to no stored request")
            }
            let storedRowID = lookupKey.int64(0)
            let storedRequestID = lookupKey.text(1) ?? ""
            let location = (sourceID: lookupKey.int64(2), line: lookupKey.int64(3))
            lookupKey.reset()
            let incomingID = try requestID(of: s.rowID)
            if storedRequestID == incomingID {
                let same = try content(of: storedRowID) == content(of: s.rowID)
                let raw = same ? [] : try summary(of: s.rowID)
                deleteRow.reset()
                deleteRow.bind(s.rowID, at: 1)
                try deleteRow.step()
                return same ? .duplicate
                    : .conflict(sourceID: location.sourceID, line: location.line, raw: raw, requestID: incomingID)
            }
            s.key &+= 1
        }
        throw DatabaseError(code: 1, message: "could not place request \(try requestID(of: s.rowID)): too many key collisions")
    }

    /// A stored row's content: its timestamp and the columns that make it (see ``RequestRow/comparedColumns``).
    func content(of rowID: Int64) throws -> [SQLValue] {
        readContent.reset()
        readContent.bind(rowID, at: 1)
        defer { readContent.reset() }
        guard try readContent.step() else { return [] }
        return [.integer(rowID >> 20)] + (0..<readContent.columnCount).map { readContent.value($0) }
    }

    /// A short JSON text of a stored row, kept with a conflict's reject.
    func summary(of rowID: Int64) throws -> [UInt8] {
        let s = try db.cached("""
            SELECT r.request_id, m.name, r.input_tokens, r.output_tokens FROM requests r
            JOIN models m ON m.id = r.model_id WHERE r.id = ?
            """)
        s.bind(rowID, at: 1)
        defer { s.reset() }
        guard try s.step() else { return [] }
        let ts = Timestamp(milliseconds: rowID >> 20).iso8601
        return Array("{\"request_id\":\(JSONText.quote(s.text(0) ?? "")),\"timestamp\":\"\(ts)\",\"model\":\(JSONText.quote(s.text(1) ?? "")),\"input_tokens\":\(s.int64(2)),\"output_tokens\":\(s.int64(3))}".utf8)
    }

    /// After a rollback: forget everything cached from the rolled-back transaction.
    func discardPending() {
        staged.removeAll()
        // Ids learnt in the rolled-back transaction may not exist any more.
        beginInput()
        stagedActionIDs.removeAll()
        stagedActionText.removeAll()
        modelNames.removeAll()
    }
}

/// The `requests` table's insert, as bound for a ``PreparedCall``.
enum RequestRow {
    /// The ids of a call's names; nil where the call has none.
    struct DimensionIDs {
        var model: Int64
        var workflow, team, user, segment, project, apiKey, provider, tier, fallbackReason, fallbackFrom, metadata: Int64?
    }

    static let insertSQL = """
        INSERT INTO requests(id, request_id, source_id, line, action_key, model_id, workflow_id, team_id,
            user_id, segment_id, project_id, api_key_id, provider_id, tier_id, kind, status, attempt,
            fallback_reason_id, fallback_from_id, action_outcome, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier, latency_ms,
            quality_score, gateway_cost, price_id, cost, metadata_id, extras)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
            ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)
        """

    /// The columns that make a request's content; a stored request with the same id and different
    /// values here is a conflict. (Cost and price are not content: they follow the price book.)
    static let comparedColumns = """
        action_key, model_id, workflow_id, team_id, user_id, segment_id, project_id, api_key_id, provider_id, tier_id,
        kind, status, attempt, fallback_reason_id, fallback_from_id, action_outcome, input_tokens, output_tokens,
        cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier,
        latency_ms, quality_score, gateway_cost, metadata_id, extras
        """

    /// Binds every parameter but the row id (parameter 1).
    static func bind(_ call: PreparedCall, ids: DimensionIDs, text: UnsafeBufferPointer<UInt8>, sourceID: Int64,
                     to s: Statement) {
        s.reset()
        s.bindText(text[text: call.requestID], at: 2)
        s.bind(sourceID, at: 3)
        s.bind(Int64(call.line), at: 4)
        s.bind(call.actionKey, at: 5)
        s.bind(ids.model, at: 6)
        s.bind(ids.workflow, at: 7)
        s.bind(ids.team, at: 8)
        s.bind(ids.user, at: 9)
        s.bind(ids.segment, at: 10)
        s.bind(ids.project, at: 11)
        s.bind(ids.apiKey, at: 12)
        s.bind(ids.provider, at: 13)
        s.bind(ids.tier, at: 14)
        s.bind(Int64(call.kind.rawValue), at: 15)
        s.bind(Int64(call.status.rawValue), at: 16)
        s.bind(call.attempt, at: 17)
        s.bind(ids.fallbackReason, at: 18)
        s.bind(ids.fallbackFrom, at: 19)
        s.bind(call.actionOutcome.map { Int64($0.rawValue) }, at: 20)
        s.bind(call.inputTokens, at: 21)
        s.bind(call.outputTokens, at: 22)
        s.bind(call.cachedInputTokens, at: 23)
        s.bind(call.cacheWriteTokens, at: 24)
        s.bind(call.cacheWrite1hTokens, at: 25)
        s.bind(call.reasoningTokens, at: 26)
        s.bind(Int64(call.batch ? 1 : 0), at: 27)
        s.bind(Int64(call.serviceTier.rawValue), at: 28)
        s.bind(call.latencyMs, at: 29)
        s.bind(call.qualityScore, at: 30)
        s.bind(call.gatewayCost, at: 31)
        s.bind(call.priceID, at: 32)
        s.bind(call.cost, at: 33)
        s.bind(ids.metadata, at: 34)
        if let e = call.extras { s.bindText(text[text: e], at: 35) } else { s.bindNull(at: 35) }
    }
}


extension CallSample {
    init(_ s: RequestWriter.StagedRequest) {
        rowID = s.rowID
        workflowID = s.workflowID
        modelID = s.modelID
        kind = Int64(s.kind.rawValue)
        segmentID = s.segmentID
        teamID = s.teamID
        tierID = s.tierID
        fallbackReasonID = s.fallbackReasonID
        userID = s.userID
        failed = s.status != .ok
        inputTokens = s.inputTokens
        cachedInputTokens = s.cachedInputTokens
        cacheWriteTokens = s.cacheWriteTokens
        cacheWrite1hTokens = s.cacheWrite1hTokens
        outputTokens = s.outputTokens
        reasoningTokens = s.reasoningTokens
        latencyMs = s.latencyMs
        components = s.priced ? s.components : nil
        toolCalls = s.toolCalls
        gatewayCost = s.gatewayCost
    }
}

