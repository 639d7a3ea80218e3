import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// What TokenLedger keeps about one action (the calls behind one user-level request), updated as its
/// calls are imported. Facts from several transactions merge (``merge(_:)``): counts and costs add, the
/// owner call decides the action's workflow, team, user and segment (the earliest call that names a
/// workflow; when none does, the first call), the latest call decides its last status, and the latest
/// call that carried an `action_outcome` decides the explicit outcome.
///
/// "First" and "latest" compare request ids, which order calls by time (then by a hash), so the facts
/// are the same whatever order the files are imported in.
struct ActionFacts {
    var actionID: String?
    var firstRequest: Int64
    var lastRequest: Int64
    /// The call whose workflow, team, user and segment are the action's.
    var ownerRequest: Int64
    var workflowID: Int64?
    var teamID: Int64?
    var userID: Int64?
    var segmentID: Int64?
    var calls: Int64 = 0
    var retries: Int64 = 0
    var fallbacks: Int64 = 0
    var classifierCalls: Int64 = 0
    var validationCalls: Int64 = 0
    var failedCalls: Int64 = 0
    var maxAttempt: Int64 = 0
    var modelMask: Int64 = 0
    var cost: Int64 = 0
    var failedCost: Int64 = 0
    var unpricedCalls: Int64 = 0
    var lastStatus: Int64
    var outcome: Int64?
    var outcomeRequest: Int64?

    init(actionID: String?, first: ActionContribution) {
        self.actionID = actionID
        self.firstRequest = first.requestRowID
        self.lastRequest = first.requestRowID
        self.ownerRequest = first.requestRowID
        self.lastStatus = Int64(first.status.rawValue)
    }

    /// Adds one stored call.
    mutating func add(_ c: ActionContribution) {
        let id = c.requestRowID
        if calls == 0 || Self.ownerRank(workflowID: c.workflowID, request: id) < ownerRank {
            ownerRequest = id
            workflowID = c.workflowID
            teamID = c.teamID
            userID = c.userID
            segmentID = c.segmentID
        }
        if calls == 0 || id < firstRequest { firstRequest = id }
        if calls == 0 || id >= lastRequest {
            lastRequest = id
            lastStatus = Int64(c.status.rawValue)
        }
        calls += 1
        switch c.kind {
        case .retry: retries += 1
        case .fallback: fallbacks += 1
        case .classifier: classifierCalls += 1
        case .validation: validationCalls += 1
        case .primary: break
        }
        if c.status != .ok { failedCalls += 1 }
        maxAttempt = max(maxAttempt, c.attempt)
        modelMask |= RowID.modelMaskBit(modelID: c.modelID)
        if let cost = c.cost {
            self.cost += cost
            if c.status != .ok { failedCost += cost }
        } else {
            unpricedCalls += 1
        }
        if let o = c.outcome, outcomeRequest.map({ id >= $0 }) ?? true {
            outcome = Int64(o.rawValue)
            outcomeRequest = id
        }
    }

    /// Merges the facts of the same action gathered elsewhere (stored by an earlier transaction, or
    /// from other calls): the rules of ``add(_:)`` applied to two sets of calls.
    mutating func merge(_ o: ActionFacts) {
        if o.ownerRank < ownerRank {
            ownerRequest = o.ownerRequest
            workflowID = o.workflowID
            teamID = o.teamID
            userID = o.userID
            segmentID = o.segmentID
        }
        firstRequest = min(firstRequest, o.firstRequest)
        if o.lastRequest > lastRequest {
            lastRequest = o.lastRequest
            lastStatus = o.lastStatus
        }
        calls += o.calls
        retries += o.retries
        fallbacks += o.fallbacks
        classifierCalls += o.classifierCalls
        validationCalls += o.validationCalls
        failedCalls += o.failedCalls
        maxAttempt = max(maxAttempt, o.maxAttempt)
        modelMask |= o.modelMask
        cost += o.cost
        failedCost += o.failedCost
        unpricedCalls += o.unpricedCalls
        if let r = o.outcomeRequest, outcomeRequest.map({ r > $0 }) ?? true {
            outcome = o.outcome
            outcomeRequest = r
        }
    }

    /// Which of two candidate owner calls wins: one that names a workflow, then the earlier. The same
    /// whatever order calls arrive in.
    static func ownerRank(workflowID: Int64?, request: Int64) -> (Int, Int64) { (workflowID == nil ? 1 : 0, request) }
    var ownerRank: (Int, Int64) { Self.ownerRank(workflowID: workflowID, request: ownerRequest) }

    /// The stored columns after the id, in the order of ``insertSQL``'s parameters 2…22.
    static let columns = """
        action_id, last_request, workflow_id, team_id, user_id, segment_id, calls, retries, fallbacks,
        classifier_calls, validation_calls, failed_calls, max_attempt, model_mask, cost, failed_cost,
        unpriced_calls, last_status, outcome, outcome_request, owner_request
        """

    static let insertSQL = """
        INSERT INTO actions(id, \(columns))
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
        """

    static let updateSQL = """
        UPDATE actions SET action_id = ?2, last_request = ?3, workflow_id = ?4, team_id = ?5, user_id = ?6,
            segment_id = ?7, calls = ?8, retries = ?9, fallbacks = ?10, classifier_calls = ?11, validation_calls = ?12,
            failed_calls = ?13, max_attempt = ?14, model_mask = ?15, cost = ?16, failed_cost = ?17,
            unpriced_calls = ?18, last_status = ?19, outcome = ?20, outcome_request = ?21, owner_request = ?22
        WHERE id = ?1
        """

    /// Binds the facts to ``insertSQL`` or ``updateSQL``; the id is the first request's row id.
    func bind(to s: Statement) {
        s.bind(firstRequest, at: 1)
        s.bind(actionID, at: 2)
        s.bind(lastRequest, at: 3)
        s.bind(workflowID, at: 4)
        s.bind(teamID, at: 5)
        s.bind(userID, at: 6)
        s.bind(segmentID, at: 7)
        s.bind(calls, at: 8)
        s.bind(retries, at: 9)
        s.bind(fallbacks, at: 10)
        s.bind(classifierCalls, at: 11)
        s.bind(validationCalls, at: 12)
        s.bind(failedCalls, at: 13)
        s.bind(maxAttempt, at: 14)
        s.bind(modelMask, at: 15)
        s.bind(cost, at: 16)
        s.bind(failedCost, at: 17)
        s.bind(unpricedCalls, at: 18)
        s.bind(lastStatus, at: 19)
        s.bind(outcome, at: 20)
        s.bind(outcomeRequest, at: 21)
        // NULL when the owner is the first call (most actions): no bytes stored.
        s.bind(ownerRequest == firstRequest ? nil : ownerRequest, at: 22)
    }

    /// Reads stored facts from a row of `SELECT id, <columns>`.
    init(stored s: Statement) {
        firstRequest = s.int64(0)
        actionID = s.text(1)
        lastRequest = s.int64(2)
        workflowID = s.optionalInt64(3)
        teamID = s.optionalInt64(4)
        userID = s.optionalInt64(5)
        segmentID = s.optionalInt64(6)
        calls = s.int64(7)
        retries = s.int64(8)
        fallbacks = s.int64(9)
        classifierCalls = s.int64(10)
        validationCalls = s.int64(11)
        failedCalls = s.int64(12)
        maxAttempt = s.int64(13)
        modelMask = s.int64(14)
        cost = s.int64(15)
        failedCost = s.int64(16)
        unpricedCalls = s.int64(17)
        lastStatus = s.int64(18)
        outcome = s.optionalInt64(19)
        outcomeRequest = s.optionalInt64(20)
        ownerRequest = s.optionalInt64(21) ?? firstRequest
    }
}

/// What one stored call adds to its action's facts.
struct ActionContribution {
    var requestRowID: Int64
    var workflowID, teamID, userID, segmentID: Int64?
    var modelID: Int64
    var kind: CallKind
    var status: CallStatus
    var attempt: Int64
    var outcome: ActionOutcome?
    var cost: Int64?

    init(_ s: RequestWriter.StagedRequest) {
        requestRowID = s.rowID
        workflowID = s.workflowID == 0 ? nil : s.workflowID
        teamID = s.teamID == 0 ? nil : s.teamID
        userID = s.userID == 0 ? nil : s.userID
        segmentID = s.segmentID == 0 ? nil : s.segmentID
        modelID = s.modelID
        kind = s.kind
        status = s.status
        attempt = s.attempt
        outcome = s.actionOutcome
        cost = s.cost
    }
}

/// Writes the action facts of a transaction.
///
/// An action's row id is the row id of its first request, so actions are stored in time order, new
/// ones append, and a period's actions are one range of ids. Requests refer to their action by its
/// 63-bit key (`requests.action_key`); `action_keys` maps each key to the action's current row. When
/// an import brings an earlier first call of a stored action, the action moves to the new id and its
/// key follows.
final class ActionWriter {
    let db: Database
    private let claimKey: Statement
    private let lookupKey: Statement
    private let moveKey: Statement
    private let read: Statement
    private let insert: Statement
    private let update: Statement
    private let delete: Statement

    /// Action facts that could not be merged because two action ids share a 63-bit key.
    private(set) var keyCollisions = 0

    init(db: Database) throws {
        self.db = db
        claimKey = try db.prepare("INSERT OR IGNORE INTO action_keys(key, action) VALUES(?, ?)")
        lookupKey = try db.prepare("SELECT action FROM action_keys WHERE key = ?")
        moveKey = try db.prepare("UPDATE action_keys SET action = ? WHERE key = ?")
        read = try db.prepare("SELECT id, \(ActionFacts.columns) FROM actions WHERE id = ?")
        insert = try db.prepare(ActionFacts.insertSQL)
        update = try db.prepare(ActionFacts.updateSQL)
        delete = try db.prepare("DELETE FROM actions WHERE id = ?")
    }

    /// Adds facts to the stored actions, `keys[i]` being the action key of `facts[i]`: keys are
    /// claimed in key order, then new and moved actions are inserted in id (time) order.
    func write(_ facts: [ActionFacts], keys: [Int64]) throws {
        // New actions by (id, position), and the few stored actions that move to an earlier id.
        var inserts: [(id: Int64, position: Int)] = []
        var moved: [Int: ActionFacts] = [:]
        var byKey = Array(keys.indices)
        byKey.sort { keys[$0] < keys[$1] }
        for position in byKey {
            let key = keys[position]
            let f = facts[position]
            claimKey.reset()
            claimKey.bind(key, at: 1)
            claimKey.bind(f.firstRequest, at: 2)
            try claimKey.step()
            if db.changes == 1 {
                inserts.append((f.firstRequest, position))
                continue
            }
            lookupKey.reset()
            lookupKey.bind(key, at: 1)
            guard try lookupKey.step() else {
                throw DatabaseError(code: 1, message: "action key \(key) is claimed but unreadable")
            }
            let storedID = lookupKey.int64(0)
            lookupKey.reset()
            read.reset()
            read.bind(storedID, at: 1)
            guard try read.step() else {
                read.reset()
                throw DatabaseError(code: 1, message: "action key \(key) points to no stored action")
            }
            var merged = ActionFacts(stored: read)
            read.reset()
            guard merged.actionID == f.actionID else {
                keyCollisions += 1
                continue
            }
            merged.merge(f)
            if merged.firstRequest == storedID {
                update.reset()
                merged.bind(to: update)
                try update.step()
                update.reset()
            } else {
                delete.reset()
                delete.bind(storedID, at: 1)
                try delete.step()
                moveKey.reset()
                moveKey.bind(merged.firstRequest, at: 1)
                moveKey.bind(key, at: 2)
                try moveKey.step()
                inserts.append((merged.firstRequest, position))
                moved[position] = merged
            }
        }
        inserts.sort { $0.id < $1.id }
        for (_, position) in inserts {
            insert.reset()
            if let m = moved[position] { m.bind(to: insert) } else { facts[position].bind(to: insert) }
            try insert.step()
        }
        insert.reset()
    }
}
