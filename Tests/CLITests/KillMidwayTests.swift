import Foundation
import Testing
import TokenLedger

#if canImport(Glibc)
import Glibc
#endif

/// An import killed with SIGKILL at several points leaves a sound, consistent database each time, and
/// running it again until it finishes gives exactly the database an uninterrupted import gives.
@Suite struct KillMidwayTests {
    /// When to kill one run of the import.
    enum KillPoint: CustomStringConvertible {
        /// A fixed time after the start.
        case after(seconds: Double)
        /// Once the run has committed a batch of its own, plus a little.
        case afterACommit(plus: Double)

        var description: String {
            switch self {
            case .after(let s): "\(s) s after the start"
            case .afterACommit(let s): "\(s) s after its first commit"
            }
        }
    }

    /// Totals and consistency facts of a database, read with plain SQL.
    struct State: Equatable, CustomStringConvertible {
        var integrity = ""
        var requests: Int64 = 0
        var distinctRequestIDs: Int64 = 0
        var requestKeys: Int64 = 0
        var cost: Int64 = 0
        var unpriced: Int64 = 0
        var inputTokens: Int64 = 0
        var outputTokens: Int64 = 0
        var cachedTokens: Int64 = 0
        var reasoningTokens: Int64 = 0
        var actions: Int64 = 0
        var actionCalls: Int64 = 0
        var actionCost: Int64 = 0
        var actionFailedCost: Int64 = 0
        var actionUnpriced: Int64 = 0
        var retries: Int64 = 0
        var fallbacks: Int64 = 0
        var failedCalls: Int64 = 0
        var rejects: Int64 = 0
        var rowsImported: Int64 = 0
        /// Sources whose stored requests are not exactly their lines 1…lines_done.
        var sourcesWithGaps: Int64 = 0
        /// Actions whose facts differ from their stored calls.
        var actionsOff: Int64 = 0

        init() {}

        init(path: String) throws {
            let db = try Database(path: path)
            func int(_ sql: String) throws -> Int64 { try db.scalarInt(sql) ?? 0 }
            integrity = try db.integrityCheck()
            requests = try int("SELECT count(*) FROM requests")
            distinctRequestIDs = try int("SELECT count(DISTINCT request_id) FROM requests")
            requestKeys = try int("SELECT count(*) FROM request_keys")
            cost = try int("SELECT coalesce(sum(cost), 0) FROM requests")
            unpriced = try int("SELECT count(*) FROM requests WHERE cost IS NULL")
            inputTokens = try int("SELECT coalesce(sum(input_tokens), 0) FROM requests")
            outputTokens = try int("SELECT coalesce(sum(output_tokens), 0) FROM requests")
            cachedTokens = try int("SELECT coalesce(sum(cached_input_tokens), 0) FROM requests")
            reasoningTokens = try int("SELECT coalesce(sum(reasoning_tokens), 0) FROM requests")
            actions = try int("SELECT count(*) FROM actions")
            actionCalls = try int("SELECT coalesce(sum(calls), 0) FROM actions")
            actionCost = try int("SELECT coalesce(sum(cost), 0) FROM actions")
            actionFailedCost = try int("SELECT coalesce(sum(failed_cost), 0) FROM actions")
            actionUnpriced = try int("SELECT coalesce(sum(unpriced_calls), 0) FROM actions")
            retries = try int("SELECT coalesce(sum(retries), 0) FROM actions")
            fallbacks = try int("SELECT coalesce(sum(fallbacks), 0) FROM actions")
            failedCalls = try int("SELECT coalesce(sum(failed_calls), 0) FROM actions")
            rejects = try int("SELECT count(*) FROM rejects")
            rowsImported = try int("SELECT coalesce(sum(rows_imported), 0) FROM sources")
            sourcesWithGaps = try int("""
                SELECT count(*) FROM sources s LEFT JOIN (
                    SELECT source_id, count(*) AS n, count(DISTINCT line) AS lines, min(line) AS first, max(line) AS last
                    FROM requests GROUP BY source_id) r ON r.source_id = s.id
                WHERE coalesce(r.n, 0) != s.lines_done OR coalesce(r.lines, 0) != s.lines_done
                   OR (s.lines_done > 0 AND (r.first != 1 OR r.last != s.lines_done))
                """)
            actionsOff = try int("""
                SELECT count(*) FROM actions a LEFT JOIN (
                    SELECT ax.action, count(*) AS calls, coalesce(sum(cost), 0) AS cost, sum(status != 1) AS failed,
                           min(id) AS first, max(id) AS last
                    FROM requests JOIN action_keys ax ON ax.key = requests.action_key GROUP BY ax.action) r ON r.action = a.id
                WHERE r.calls IS NULL OR a.calls != r.calls OR a.cost != r.cost OR a.failed_calls != r.failed
                   OR a.first_request != r.first OR a.last_request != r.last
                """)
        }

        /// What must hold in any committed state, finished or not.
        var consistencyProblems: [String] {
            var out: [String] = []
            if integrity != "ok" { out.append("integrity_check: \(integrity)") }
            if actionCalls != requests { out.append("action calls \(actionCalls) ≠ requests \(requests)") }
            if actionCost != cost { out.append("action cost \(actionCost) ≠ request cost \(cost)") }
            if actionUnpriced != unpriced { out.append("action unpriced \(actionUnpriced) ≠ unpriced requests \(unpriced)") }
            if distinctRequestIDs != requests { out.append("\(requests - distinctRequestIDs) request ids stored twice") }
            if requestKeys != requests { out.append("request keys \(requestKeys) ≠ requests \(requests)") }
            if rowsImported != requests { out.append("sources count \(rowsImported) rows, \(requests) stored") }
            if sourcesWithGaps != 0 { out.append("\(sourcesWithGaps) source(s) with stored lines that are not 1…lines_done") }
            if actionsOff != 0 { out.append("\(actionsOff) action(s) whose facts differ from their calls") }
            return out
        }

        var description: String {
            "requests \(requests), cost \(cost), input \(inputTokens), output \(outputTokens), actions \(actions), action calls \(actionCalls), rejects \(rejects)"
        }
    }

    /// Lines the import has committed so far (0 when the database is not there or not readable yet).
    static func committedLines(_ path: String) -> Int64 {
        guard FileManager.default.fileExists(atPath: path),
              let db = try? Database(path: path, mode: .readOnly, busyTimeoutMs: 2_000) else { return 0 }
        return (try? db.scalarInt("SELECT coalesce(max(lines_done), 0) FROM sources")) ?? 0
    }

    /// Rows of `table` in one database and not in the other, both ways, comparing `columns`.
    static func differingRows(_ table: String, columns: String = "*", _ a: String, _ b: String) throws -> Int64 {
        let db = try Database(path: a, mode: .readOnly)
        try db.execute("ATTACH DATABASE '\(b)' AS other")
        let one = try db.scalarInt("SELECT count(*) FROM (SELECT \(columns) FROM main.\(table) EXCEPT SELECT \(columns) FROM other.\(table))") ?? -1
        let two = try db.scalarInt("SELECT count(*) FROM (SELECT \(columns) FROM other.\(table) EXCEPT SELECT \(columns) FROM main.\(table))") ?? -1
        return one + two
    }

    /// Every column of `requests` but the id of the source row (the killed runs left sources of their own).
    static let requestColumns = """
        id, request_id, line, action_key, model_id, workflow_id, team_id, user_id, segment_id, project_id, api_key_id,
        provider_id, tier_id, kind, status, attempt, fallback_reason_id, fallback_from_id, action_outcome, input_tokens,
        output_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier,
        latency_ms, quality_score, gateway_cost, price_id, cost, metadata_id
        """

    @Test
    func killedImportsLeaveAConsistentDatabaseAndFinishWithTheTotalsOfAnUninterruptedOne() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("traffic.jsonl", calls: 300_000, seed: 2026, days: 28)
        let dbA = w.path("uninterrupted.sqlite")
        let dbB = w.path("killed.sqlite")

        // A: one uninterrupted import, alongside the killed ones.
        let uninterrupted = DispatchGroup()
        nonisolated(unsafe) var resultA: CLI.Result?
        nonisolated(unsafe) var errorA: (any Error)?
        DispatchQueue.global().async(group: uninterrupted) {
            do { resultA = try CLI.run(["import", log, "--db", dbA, "--quiet"]) } catch { errorA = error }
        }

        // B: killed at a few fixed times (before anything is committed) and a little after a commit of
        // its own (in the middle of a later batch).
        let plan: [KillPoint] = [.after(seconds: 0.3), .after(seconds: 1.2), .afterACommit(plus: 0.1), .afterACommit(plus: 1.5)]
        var partials: [Int64] = []
        var killed = 0
        for point in plan {
            let before = Self.committedLines(dbB)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["import", log, "--db", dbB, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            switch point {
            case .after(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            case .afterACommit(let plus):
                while process.isRunning && Self.committedLines(dbB) <= before { Thread.sleep(forTimeInterval: 0.05) }
                Thread.sleep(forTimeInterval: plus)
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
            let state = try State(path: dbB)
            #expect(state.consistencyProblems.isEmpty, "killed \(point): \(state.consistencyProblems)")
            partials.append(state.requests)
        }
        #expect(killed >= 3, "only \(killed) of the runs were still going when their kill came")

        // B: the same import again, to the end.
        let finish = try CLI.run(["import", log, "--db", dbB, "--json"])
        #expect(finish.status == 0, "\(finish.output)")

        uninterrupted.wait()
        if let errorA { throw errorA }
        #expect(resultA?.status == 0, "\(resultA?.output ?? "")")

        let a = try State(path: dbA)
        let b = try State(path: dbB)
        #expect(a.consistencyProblems.isEmpty, "\(a.consistencyProblems)")
        #expect(b.consistencyProblems.isEmpty, "\(b.consistencyProblems)")
        #expect(a.requests > 290_000)
        // Some kills came after a commit and before the end: the resumed runs had real work left.
        #expect(partials.contains { $0 > 0 && $0 < a.requests }, "requests stored after each kill: \(partials)")
        #expect(b == a, "killed and resumed: \(b); uninterrupted: \(a)")

        // Row by row, every column: the same requests (values, prices, costs), keys, action facts and names.
        #expect(try Self.differingRows("requests", columns: Self.requestColumns, dbA, dbB) == 0)
        for table in ["request_keys", "actions", "prices", "price_rates"] + Schema.dimensionTables {
            #expect(try Self.differingRows(table, dbA, dbB) == 0, "\(table) differs")
        }
    }
}
