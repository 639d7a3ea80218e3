import Foundation
/// Finds the price entry in force for a model at a time.
public protocol PriceLookup {
    func entry(for model: String, at time: Timestamp) -> PriceEntry?
}

/// Stores calls: interns their strings, prices them, deduplicates them by request id, and keeps the
/// facts of their actions. All writes happen inside the caller's transaction; call ``flush()`` before
/// committing.
///
/// Row ids order requests by time: `id = timestamp_ms << 20 | (key & 0xFFFFF)`, so a period is a range
/// of ids and "the latest call" is the largest id.
final class RequestWriter {
    let db: Database
    let interner: DimensionInterner
    let prices: PriceLookup
    private let insert: Statement
    private let lookup: Statement
    private let upsertAction: Statement
    let skipWrite = ProcessInfo.processInfo.environment["TL_SKIP_WRITE"] != nil
    /// Facts of actions touched since they were last written, in two generations: when the newer one
    /// grows past ``openActionLimit`` the older one is written. With time-ordered input an action's
    /// calls arrive close together, so most actions are written once.
    private var pendingActions: [Int64: ActionFacts] = [:]
    private var olderActions: [Int64: ActionFacts] = [:]
    let openActionLimit = 16_384
    private var priceCache: [PriceCacheKey: PriceEntry?] = [:]

    /// Action facts that could not be merged because two action ids share a 63-bit key.
    private(set) var actionKeyCollisions = 0

    struct PriceCacheKey: Hashable {
        var modelID: Int64
        var day: Int64
    }

    enum Outcome: Equatable {
        case inserted(priced: Bool)
        case duplicate
        /// The request id was already stored, from another place, with different content.
        case conflict(sourceID: Int64, line: Int64)
    }

    init(db: Database, prices: PriceLookup) throws {
        self.db = db
        self.interner = DimensionInterner(db: db)
        self.prices = prices
        if ProcessInfo.processInfo.environment["TL_NOUNIQUE"] != nil {
            try? db.execute("DROP INDEX IF EXISTS requests_key")
            self.insert = try db.prepare(RequestRow.insertSQL.replacingOccurrences(of: "ON CONFLICT(request_key) DO NOTHING", with: ""))
        } else {
            self.insert = try db.prepare(RequestRow.insertSQL)
        }
        self.lookup = try db.prepare("SELECT \(RequestRow.comparedColumns), source_id, line, request_id, id FROM requests WHERE request_key = ?")
        self.upsertAction = try db.prepare(ActionFacts.upsertSQL)
    }

    /// Seeds that keep each family's request ids (and action ids) in their own key space.
    static func seeds(family: String) -> (request: UInt64, action: UInt64) {
        let base = XXHash64.hash(family)
        return (base, base ^ 0x5A5A_5A5A_A5A5_A5A5)
    }

    /// Writes one call. Not thread-safe; one writer per connection.
    func write(_ call: CallRecord, sourceID: Int64, line: Int, seeds: (request: UInt64, action: UInt64)) throws -> Outcome {
        if skipWrite { return .inserted(priced: false) }
        let modelID = try interner.id(.model, named: call.model)
        let hash = XXHash64.hash(call.requestID, seed: seeds.request)
        var row = RequestRow(
            requestKey: Int64(hash & 0xFFFF_FFFF),
            actionKey: call.actionID.map { XXHash64.key($0, seed: seeds.action) }
                ?? XXHash64.key(call.requestID, seed: seeds.action ^ 1),
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
            call: call)
        if let entry = price(call, modelID: modelID), let cost = entry.cost(of: call) {
            row.priceID = entry.id
            row.cost = cost
        }
        // Under the timestamp, other bits of the same hash, so that requests of one millisecond rarely
        // compete for an id.
        var id = (call.timestamp.milliseconds << 20) | Int64((hash >> 32) & 0xFFFFF)
        for _ in 0..<64 {
            row.bind(to: insert, id: id, sourceID: sourceID, line: Int64(line))
            do {
                try insert.step()
            } catch let e as DatabaseError where e.code == 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */ {
                // Another request has this id (same millisecond, same low key bits): take the next.
                id = (call.timestamp.milliseconds << 20) | ((id + 1) & 0xFFFFF)
                continue
            }
            if db.changes == 1 {
                addToAction(row: row, requestRowID: id, call: call)
                return .inserted(priced: row.cost != nil)
            }
            // The key is taken: the same request again, a changed one, or a different request whose id
            // hashes to the same key (then probe the next key).
            lookup.reset()
            lookup.bind(row.requestKey, at: 1)
            guard try lookup.step() else { throw DatabaseError(code: 1, message: "request key vanished during import") }
            let storedID = lookup.text(RequestRow.comparedCount + 2) ?? ""
            if storedID == call.requestID {
                let storedRowID = lookup.int64(RequestRow.comparedCount + 3)
                let same = row.matches(lookup, storedTimestamp: storedRowID >> 20, timestamp: call.timestamp.milliseconds)
                let location = (lookup.int64(RequestRow.comparedCount), lookup.int64(RequestRow.comparedCount + 1))
                lookup.reset()
                return same ? .duplicate : .conflict(sourceID: location.0, line: location.1)
            }
            lookup.reset()
            row.requestKey = (row.requestKey &+ 1) & 0xFFFF_FFFF
        }
        throw DatabaseError(code: 1, message: "could not place request \(call.requestID): too many key collisions")
    }

    func price(_ call: CallRecord, modelID: Int64) -> PriceEntry? {
        let key = PriceCacheKey(modelID: modelID, day: call.timestamp.milliseconds.floorDiv(86_400_000))
        if let cached = priceCache[key] { return cached }
        let entry = prices.entry(for: call.model, at: call.timestamp)
        priceCache[key] = entry
        return entry
    }

    private func addToAction(row: RequestRow, requestRowID: Int64, call: CallRecord) {
        var facts = pendingActions[row.actionKey] ?? olderActions.removeValue(forKey: row.actionKey)
            ?? ActionFacts(actionID: call.actionID, requestRowID: requestRowID, status: call.status)
        facts.add(requestRowID: requestRowID, call: call, workflowID: row.workflowID, teamID: row.teamID,
                  userID: row.userID, segmentID: row.segmentID, modelID: row.modelID, cost: row.cost)
        pendingActions[row.actionKey] = facts
    }

    /// Writes the older generation of action facts when the newer one is full. Call between batches.
    func flushIfLarge() throws {
        guard pendingActions.count > openActionLimit else { return }
        try write(olderActions)
        olderActions = pendingActions
        pendingActions = [:]
    }

    /// Writes all pending action facts; call before each commit.
    func flush() throws {
        try write(olderActions)
        try write(pendingActions)
        olderActions = [:]
        pendingActions = [:]
    }

    /// Upserts facts in key order (neighbouring keys share B-tree pages).
    private func write(_ facts: [Int64: ActionFacts]) throws {
        for key in facts.keys.sorted() {
            upsertAction.reset()
            facts[key]!.bind(to: upsertAction, key: key)
            try upsertAction.step()
            if db.changes == 0 { actionKeyCollisions += 1 }
        }
    }

    /// After a rollback: forget everything cached from the rolled-back transaction.
    func discardPending() {
        pendingActions.removeAll()
        olderActions.removeAll()
        interner.invalidate()
    }
}

/// One row of the `requests` table, as bound for insertion.
struct RequestRow {
    /// The 32-bit dedup key: low bits of the request id's hash. Different ids may share a key; the
    /// writer then compares the stored request_id and moves to the next key.
    var requestKey: Int64
    var actionKey: Int64
    var modelID: Int64
    var workflowID, teamID, userID, segmentID, projectID, apiKeyID, providerID, tierID: Int64?
    var fallbackReasonID, fallbackFromID: Int64?
    var call: CallRecord
    var priceID: Int64?
    var cost: Int64?

    static let insertSQL = """
        INSERT INTO requests(id, request_key, request_id, source_id, line, action_key, model_id, workflow_id, team_id,
            user_id, segment_id, project_id, api_key_id, provider_id, tier_id, kind, status, attempt,
            fallback_reason_id, fallback_from_id, action_outcome, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier, latency_ms,
            quality_score, gateway_cost, price_id, cost, metadata)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
            ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)
        ON CONFLICT(request_key) DO NOTHING
        """

    /// The columns that make a request's content; a stored request with the same id and different
    /// values here is a conflict. (Cost and price are not content: they follow the price book.)
    static let comparedColumns = """
        action_key, model_id, workflow_id, team_id, user_id, segment_id, project_id, api_key_id, provider_id, tier_id,
        kind, status, attempt, fallback_reason_id, fallback_from_id, action_outcome, input_tokens, output_tokens,
        cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier,
        latency_ms, quality_score, gateway_cost, metadata
        """
    static let comparedCount: Int32 = 28

    func bind(to s: Statement, id: Int64, sourceID: Int64, line: Int64) {
        s.reset()
        s.bind(id, at: 1)
        s.bind(requestKey, at: 2)
        s.bind(call.requestID, at: 3)
        s.bind(sourceID, at: 4)
        s.bind(line, at: 5)
        s.bind(actionKey, at: 6)
        s.bind(modelID, at: 7)
        s.bind(workflowID, at: 8)
        s.bind(teamID, at: 9)
        s.bind(userID, at: 10)
        s.bind(segmentID, at: 11)
        s.bind(projectID, at: 12)
        s.bind(apiKeyID, at: 13)
        s.bind(providerID, at: 14)
        s.bind(tierID, at: 15)
        s.bind(Int64(call.kind.rawValue), at: 16)
        s.bind(Int64(call.status.rawValue), at: 17)
        s.bind(call.attempt.map(Int64.init), at: 18)
        s.bind(fallbackReasonID, at: 19)
        s.bind(fallbackFromID, at: 20)
        s.bind(call.actionOutcome.map { Int64($0.rawValue) }, at: 21)
        s.bind(call.inputTokens, at: 22)
        s.bind(call.outputTokens, at: 23)
        s.bind(call.cachedInputTokens, at: 24)
        s.bind(call.cacheWriteTokens, at: 25)
        s.bind(call.cacheWrite1hTokens, at: 26)
        s.bind(call.reasoningTokens, at: 27)
        s.bind(Int64(call.batch ? 1 : 0), at: 28)
        s.bind(Int64(call.serviceTier.rawValue), at: 29)
        s.bind(call.latencyMs, at: 30)
        s.bind(call.qualityScore, at: 31)
        s.bind(call.gatewayCost.flatMap(\.int64Picos), at: 32)
        s.bind(priceID, at: 33)
        s.bind(cost, at: 34)
        s.bind(call.metadata, at: 35)
    }

    /// Whether the stored row read by `s` (columns in ``comparedColumns`` order) has this content.
    func matches(_ s: Statement, storedTimestamp: Int64, timestamp: Int64) -> Bool {
        let ints: [Int64?] = [
            actionKey, modelID, workflowID, teamID, userID, segmentID, projectID, apiKeyID, providerID, tierID,
            Int64(call.kind.rawValue), Int64(call.status.rawValue), call.attempt.map(Int64.init), fallbackReasonID,
            fallbackFromID, call.actionOutcome.map { Int64($0.rawValue) }, call.inputTokens, call.outputTokens,
            call.cachedInputTokens, call.cacheWriteTokens, call.cacheWrite1hTokens, call.reasoningTokens,
            call.batch ? 1 : 0, Int64(call.serviceTier.rawValue), call.latencyMs,
        ]
        guard storedTimestamp == timestamp else { return false }
        for (i, v) in ints.enumerated() where s.optionalInt64(Int32(i)) != v { return false }
        guard s.optionalDouble(25) == call.qualityScore else { return false }
        guard s.optionalInt64(26) == call.gatewayCost.flatMap(\.int64Picos) else { return false }
        return s.text(27) == call.metadata
    }
}
