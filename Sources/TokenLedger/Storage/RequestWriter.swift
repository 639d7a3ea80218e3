/// The price of one call: the entry that priced it and the exact cost in picodollars.
public struct PriceQuote: Sendable, Equatable {
    public var entryID: Int64
    /// The cost by token component; `cost` is their sum.
    public var components: CostComponents
    public var cost: Int64 { components.total }

    /// Prices `call` with `book` (nil: unpriced).
    public static func of(_ call: CallRecord, in resolver: inout PriceBook.Resolver) -> PriceQuote? {
        guard let entry = resolver.entry(for: call.model, at: call.timestamp),
              let parts = entry.costComponents(of: call) else { return nil }
        return PriceQuote(entryID: entry.id, components: parts)
    }
}

/// Stores calls: interns their strings, deduplicates them by request id, and keeps the facts of their
/// actions, in two steps per transaction:
///
/// 1. ``stage(_:price:sourceID:line:seeds:)`` stores each row at once. Row ids order requests by
///    time, `id = timestamp_ms << 20 | 20 bits of the id's hash`, so these writes append.
/// 2. ``finishTransaction(_:)`` claims the rows' dedup keys in sorted key order, so that each page of
///    the key table is visited once per transaction rather than once per row. A row whose request id
///    is already stored is removed again: a duplicate when its content is the same, a conflict when
///    not. Only then are the remaining calls added to their actions' facts, which are written in
///    action-key order.
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
    private let moveKey: Statement
    private let upsertAction: Statement
    private var staged: [StagedRequest] = []

    /// Action facts that could not be merged because two action ids share a 63-bit key.
    private(set) var actionKeyCollisions = 0

    /// What became of one staged row.
    enum Outcome {
        case inserted(priced: Bool)
        case duplicate
        /// The request id was already stored, from another place, with different content.
        case conflict(sourceID: Int64, line: Int64, raw: [UInt8])
    }

    /// A row stored in step 1, waiting for its key.
    struct StagedRequest {
        var key: Int64
        var rowID: Int64
        var line: Int
        var requestID: String
        var model: String
        var priced: Bool
        var contribution: ActionContribution
        var sample: CallSample
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
        self.moveKey = try db.prepare("UPDATE request_keys SET request = ? WHERE key = ?")
        self.upsertAction = try db.prepare(ActionFacts.upsertSQL)
    }

    /// Seeds that keep each family's request ids (and action ids) in their own key space.
    static func seeds(family: String) -> (request: UInt64, action: UInt64) {
        let base = XXHash64.hash(family)
        return (base, base ^ 0x5A5A_5A5A_A5A5_A5A5)
    }

    /// Rows staged in the open transaction.
    var stagedCount: Int { staged.count }

    /// Step 1: stores one call's row. Not thread-safe; one writer per connection.
    func stage(_ call: CallRecord, price: PriceQuote?, sourceID: Int64, line: Int,
               seeds: (request: UInt64, action: UInt64)) throws {
        let hash = XXHash64.hash(call.requestID, seed: seeds.request)
        let actionKey = call.actionID.map { XXHash64.key($0, seed: seeds.action) }
            ?? XXHash64.key(call.requestID, seed: seeds.action ^ 1)
        let modelID = try interner.id(.model, named: call.model)
        let row = RequestRow(
            actionKey: actionKey,
            modelID: modelID,
            workflowID: try interner.id(.workflow, call.workflow),
            teamID: try interner.id(.team, call.team),
            userID: try interner.id(.user, call.userID),
            segmentID: try interner.id(.segment, call.userSegment),
            projectID: try interner.id(.project, call.project),
            apiKeyID: try interner.id(.apiKey, call.apiKeyID),
            providerID: try interner.id(.provider, call.provider),
            tierID: try interner.id(.tier, call.tier),
            fallbackReasonID: try interner.id(.fallbackReason, call.fallbackReason),
            fallbackFromID: try interner.id(.model, call.fallbackFrom),
            metadataID: try interner.id(.metadata, call.metadata),
            call: call,
            priceID: price?.entryID,
            cost: price?.cost)
        // Under the timestamp, other bits of the same hash, so that the requests of one millisecond
        // rarely compete for an id; when they do, the next id is taken.
        var id = (call.timestamp.milliseconds << 20) | Int64((hash >> 32) & 0xFFFFF)
        var stored = false
        for _ in 0..<1024 {
            row.bind(to: insert, id: id, sourceID: sourceID, line: Int64(line))
            do {
                try insert.step()
                stored = true
                break
            } catch let e as DatabaseError where e.code == 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */ {
                id = (call.timestamp.milliseconds << 20) | ((id + 1) & 0xFFFFF)
            }
        }
        guard stored else {
            throw DatabaseError(code: 1, message: "no free row id in the millisecond of request \(call.requestID)")
        }
        staged.append(StagedRequest(
            key: Int64(hash & 0xFFFF_FFFF), rowID: id, line: line,
            requestID: call.requestID, model: call.model, priced: price != nil,
            contribution: ActionContribution(
                actionKey: actionKey, actionID: call.actionID, requestRowID: id, workflowID: row.workflowID,
                teamID: row.teamID, userID: row.userID, segmentID: row.segmentID, modelID: modelID,
                kind: call.kind, status: call.status, attempt: Int64(call.attempt ?? 1), outcome: call.actionOutcome,
                cost: price?.cost),
            sample: CallSample(rowID: id, call: call, row: row, components: price?.components)))
    }

    /// Step 2: claims the staged rows' keys, removes duplicates, writes action facts. Reports each
    /// staged row's outcome, in key order.
    func finishTransaction(_ report: (StagedRequest, Outcome) throws -> Void) throws {
        // Sort positions, not the (large) staged values; equal keys keep their arrival order.
        let order = staged.indices.sorted { a, b in
            staged[a].key != staged[b].key ? staged[a].key < staged[b].key : a < b
        }
        var facts: [Int64: ActionFacts] = [:]
        facts.reserveCapacity(staged.count / 2)
        var rollups = RollupAccumulator()
        for i in order {
            let outcome = try claim(&staged[i])
            if case .inserted = outcome {
                rollups.add(staged[i].sample)
                let c = staged[i].contribution
                if facts[c.actionKey] == nil {
                    facts[c.actionKey] = ActionFacts(c)
                }
                facts[c.actionKey]!.add(c)
            }
            try report(staged[i], outcome)
        }
        staged.removeAll(keepingCapacity: true)
        try rollups.write(to: db)
        for key in facts.keys.sorted() {
            upsertAction.reset()
            facts[key]!.bind(to: upsertAction, key: key)
            try upsertAction.step()
            if db.changes == 0 { actionKeyCollisions += 1 }
        }
    }

    /// Claims a staged row's key. A taken key holds this request already (a duplicate, or a conflict
    /// when the content differs) or another request whose id hashes alike: then the next key is tried.
    private func claim(_ s: inout StagedRequest) throws -> Outcome {
        for _ in 0..<64 {
            claimKey.reset()
            claimKey.bind(s.key, at: 1)
            claimKey.bind(s.rowID, at: 2)
            try claimKey.step()
            if db.changes == 1 { return .inserted(priced: s.priced) }
            lookupKey.reset()
            lookupKey.bind(s.key, at: 1)
            guard try lookupKey.step() else {
                throw DatabaseError(code: 1, message: "request key \(s.key) points to no stored request")
            }
            let storedRowID = lookupKey.int64(0)
            let storedRequestID = lookupKey.text(1) ?? ""
            let location = (sourceID: lookupKey.int64(2), line: lookupKey.int64(3))
            lookupKey.reset()
            if storedRequestID == s.requestID {
                let same = try content(of: storedRowID) == content(of: s.rowID)
                let raw = same ? [] : try summary(of: s.rowID)
                deleteRow.reset()
                deleteRow.bind(s.rowID, at: 1)
                try deleteRow.step()
                return same ? .duplicate : .conflict(sourceID: location.sourceID, line: location.line, raw: raw)
            }
            s.key = (s.key &+ 1) & 0xFFFF_FFFF
        }
        throw DatabaseError(code: 1, message: "could not place request \(s.requestID): too many key collisions")
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
        interner.invalidate()
    }
}

/// One row of the `requests` table, as bound for insertion.
struct RequestRow {
    var actionKey: Int64
    var modelID: Int64
    var workflowID, teamID, userID, segmentID, projectID, apiKeyID, providerID, tierID: Int64?
    var fallbackReasonID, fallbackFromID, metadataID: Int64?
    var call: CallRecord
    var priceID: Int64?
    var cost: Int64?

    static let insertSQL = """
        INSERT INTO requests(id, request_id, source_id, line, action_key, model_id, workflow_id, team_id,
            user_id, segment_id, project_id, api_key_id, provider_id, tier_id, kind, status, attempt,
            fallback_reason_id, fallback_from_id, action_outcome, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier, latency_ms,
            quality_score, gateway_cost, price_id, cost, metadata_id)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
            ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)
        """

    /// The columns that make a request's content; a stored request with the same id and different
    /// values here is a conflict. (Cost and price are not content: they follow the price book.)
    static let comparedColumns = """
        action_key, model_id, workflow_id, team_id, user_id, segment_id, project_id, api_key_id, provider_id, tier_id,
        kind, status, attempt, fallback_reason_id, fallback_from_id, action_outcome, input_tokens, output_tokens,
        cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier,
        latency_ms, quality_score, gateway_cost, metadata_id
        """

    func bind(to s: Statement, id: Int64, sourceID: Int64, line: Int64) {
        s.reset()
        s.bind(id, at: 1)
        s.bind(call.requestID, at: 2)
        s.bind(sourceID, at: 3)
        s.bind(line, at: 4)
        s.bind(actionKey, at: 5)
        s.bind(modelID, at: 6)
        s.bind(workflowID, at: 7)
        s.bind(teamID, at: 8)
        s.bind(userID, at: 9)
        s.bind(segmentID, at: 10)
        s.bind(projectID, at: 11)
        s.bind(apiKeyID, at: 12)
        s.bind(providerID, at: 13)
        s.bind(tierID, at: 14)
        s.bind(Int64(call.kind.rawValue), at: 15)
        s.bind(Int64(call.status.rawValue), at: 16)
        s.bind(call.attempt.map(Int64.init), at: 17)
        s.bind(fallbackReasonID, at: 18)
        s.bind(fallbackFromID, at: 19)
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
        s.bind(call.qualityScore.map(QualityScore.stored), at: 30)
        s.bind(call.gatewayCost.flatMap(\.int64Picos), at: 31)
        s.bind(priceID, at: 32)
        s.bind(cost, at: 33)
        s.bind(metadataID, at: 34)
    }
}

/// Quality scores (0–1) are stored as integer millionths: exact for up to six decimals, and a few
/// bytes instead of an 8-byte float.
enum QualityScore {
    static func stored(_ score: Double) -> Int64 { Int64((score * 1_000_000).rounded()) }
    static func read(_ stored: Int64) -> Double { Double(stored) / 1_000_000 }
}

extension CallSample {
    init(rowID: Int64, call: CallRecord, row: RequestRow, components: CostComponents?) {
        self.rowID = rowID
        workflowID = row.workflowID ?? 0
        modelID = row.modelID
        kind = Int64(call.kind.rawValue)
        segmentID = row.segmentID ?? 0
        teamID = row.teamID ?? 0
        tierID = row.tierID ?? 0
        fallbackReasonID = row.fallbackReasonID ?? 0
        userID = row.userID ?? 0
        failed = call.status != .ok
        inputTokens = call.inputTokens
        cachedInputTokens = call.cachedInputTokens
        cacheWriteTokens = call.cacheWriteTokens
        cacheWrite1hTokens = call.cacheWrite1hTokens
        outputTokens = call.outputTokens
        reasoningTokens = call.reasoningTokens
        latencyMs = call.latencyMs
        self.components = components
        gatewayCost = call.gatewayCost.flatMap(\.int64Picos)
    }
}
