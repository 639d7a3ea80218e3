/// What TokenLedger keeps about one action (the calls behind one user-level request), updated as its
/// calls are imported. Facts from several imports merge with one upsert: counts and costs add, the
/// first call decides the action's workflow and owner, the latest call decides its last status, and
/// the latest call that carried an `action_outcome` decides the explicit outcome.
///
/// "First" and "latest" compare request ids, which order calls by time (then by a hash), so the facts
/// are the same whatever order the files are imported in.
struct ActionFacts {
    var actionID: String?
    var firstRequest: Int64
    var lastRequest: Int64
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

    /// The bit of a model in `model_mask`: ids 1…61 have their own bit; bit 62 stands for "a model with
    /// a larger id", for which readers consult the requests themselves.
    static func maskBit(modelID: Int64) -> Int64 {
        modelID >= 1 && modelID < 62 ? Int64(1) << modelID : Int64(1) << 62
    }

    init(_ first: ActionContribution) {
        self.actionID = first.actionID
        self.firstRequest = first.requestRowID
        self.lastRequest = first.requestRowID
        self.lastStatus = Int64(first.status.rawValue)
    }

    /// Adds one stored call.
    mutating func add(_ c: ActionContribution) {
        let id = c.requestRowID
        if calls == 0 || id < firstRequest {
            firstRequest = id
            if let v = c.workflowID { workflowID = v }
            if let v = c.teamID { teamID = v }
            if let v = c.userID { userID = v }
            if let v = c.segmentID { segmentID = v }
        } else {
            if workflowID == nil { workflowID = c.workflowID }
            if teamID == nil { teamID = c.teamID }
            if userID == nil { userID = c.userID }
            if segmentID == nil { segmentID = c.segmentID }
        }
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
        modelMask |= ActionFacts.maskBit(modelID: c.modelID)
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

    static let upsertSQL = """
        INSERT INTO actions(id, action_id, first_request, last_request, workflow_id, team_id,
            user_id, segment_id, calls, retries, fallbacks, classifier_calls, validation_calls, failed_calls,
            max_attempt, model_mask, cost, failed_cost, unpriced_calls, last_status, outcome, outcome_request)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
        ON CONFLICT(id) DO UPDATE SET
            workflow_id = CASE WHEN excluded.first_request < first_request
                THEN coalesce(excluded.workflow_id, workflow_id) ELSE coalesce(workflow_id, excluded.workflow_id) END,
            team_id = CASE WHEN excluded.first_request < first_request
                THEN coalesce(excluded.team_id, team_id) ELSE coalesce(team_id, excluded.team_id) END,
            user_id = CASE WHEN excluded.first_request < first_request
                THEN coalesce(excluded.user_id, user_id) ELSE coalesce(user_id, excluded.user_id) END,
            segment_id = CASE WHEN excluded.first_request < first_request
                THEN coalesce(excluded.segment_id, segment_id) ELSE coalesce(segment_id, excluded.segment_id) END,
            first_request = min(first_request, excluded.first_request),
            last_status = CASE WHEN excluded.last_request > last_request THEN excluded.last_status ELSE last_status END,
            last_request = max(last_request, excluded.last_request),
            calls = calls + excluded.calls,
            retries = retries + excluded.retries,
            fallbacks = fallbacks + excluded.fallbacks,
            classifier_calls = classifier_calls + excluded.classifier_calls,
            validation_calls = validation_calls + excluded.validation_calls,
            failed_calls = failed_calls + excluded.failed_calls,
            max_attempt = max(max_attempt, excluded.max_attempt),
            model_mask = model_mask | excluded.model_mask,
            cost = cost + excluded.cost,
            failed_cost = failed_cost + excluded.failed_cost,
            unpriced_calls = unpriced_calls + excluded.unpriced_calls,
            outcome = CASE WHEN excluded.outcome_request IS NOT NULL
                AND (outcome_request IS NULL OR excluded.outcome_request > outcome_request)
                THEN excluded.outcome ELSE outcome END,
            outcome_request = CASE WHEN excluded.outcome_request IS NOT NULL
                AND (outcome_request IS NULL OR excluded.outcome_request > outcome_request)
                THEN excluded.outcome_request ELSE outcome_request END
        WHERE action_id IS excluded.action_id
        """

    func bind(to s: Statement, key: Int64) {
        s.bind(key, at: 1)
        s.bind(actionID, at: 2)
        s.bind(firstRequest, at: 3)
        s.bind(lastRequest, at: 4)
        s.bind(workflowID, at: 5)
        s.bind(teamID, at: 6)
        s.bind(userID, at: 7)
        s.bind(segmentID, at: 8)
        s.bind(calls, at: 9)
        s.bind(retries, at: 10)
        s.bind(fallbacks, at: 11)
        s.bind(classifierCalls, at: 12)
        s.bind(validationCalls, at: 13)
        s.bind(failedCalls, at: 14)
        s.bind(maxAttempt, at: 15)
        s.bind(modelMask, at: 16)
        s.bind(cost, at: 17)
        s.bind(failedCost, at: 18)
        s.bind(unpricedCalls, at: 19)
        s.bind(lastStatus, at: 20)
        s.bind(outcome, at: 21)
        s.bind(outcomeRequest, at: 22)
    }
}

/// What one stored call adds to its action's facts.
struct ActionContribution {
    var actionKey: Int64
    var actionID: String?
    var requestRowID: Int64
    var workflowID, teamID, userID, segmentID: Int64?
    var modelID: Int64
    var kind: CallKind
    var status: CallStatus
    var attempt: Int64
    var outcome: ActionOutcome?
    var cost: Int64?
}
