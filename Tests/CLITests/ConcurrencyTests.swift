import Foundation
import Testing
import TokenLedger

/// Readers while an import writes, and imports that run at the same time into one database.
@Suite(.timeLimit(.minutes(10)))
struct ConcurrencyTests {
    typealias State = KillMidwayTests.State

    /// An import running in the background.
    final class Background: @unchecked Sendable {
        private let group = DispatchGroup()
        private var result: Result<CLI.Result, any Error>?

        init(_ arguments: [String]) {
            group.enter()
            DispatchQueue.global().async {
                self.result = Result { try CLI.run(arguments) }
                self.group.leave()
            }
        }

        var isRunning: Bool { group.wait(timeout: .now()) == .timedOut }

        func wait() throws -> CLI.Result {
            group.wait()
            return try result!.get()
        }
    }

    /// Per line of a routing log (in file order): input and output tokens, and the action id.
    static func lineFacts(_ path: String) throws -> [(input: Int64, output: Int64, action: String)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let v = try JSONValue.parse(String(line))
            return (v["input_tokens"]?.int64 ?? -1, v["output_tokens"]?.int64 ?? -1, v["action_id"]?.string ?? "")
        }
    }

    /// Picodollars of a dollar string.
    static func money(_ v: JSONValue?) -> Int128 { picos(v?.string) ?? -1 }

    // MARK: Readers during an import

    @Test func reportsAndSummariesDuringAnImportSeeCommittedSnapshots() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("traffic.jsonl", calls: 200_000, seed: 77, days: 28)
        let lines = try Self.lineFacts(log)
        // Totals of the first n lines: a committed state holds a prefix of the file (no rejects, no duplicates).
        var input: [Int64] = [0], output: [Int64] = [0]
        var actions: [Int] = [0]
        var seen = Set<String>()
        for (i, l) in lines.enumerated() {
            input.append(input.last! + l.input)
            output.append(output.last! + l.output)
            // A call without an action id is an action of its own.
            seen.insert(l.action.isEmpty ? "line \(i)" : l.action)
            actions.append(seen.count)
        }

        let db = w.db
        let importer = Background(["import", log, "--db", db, "--quiet"])
        var summaries: [Int64] = [], reports: [Int64] = []
        var problems: [String] = []
        func read() throws {
            // The database appears when the import opens it.
            guard FileManager.default.fileExists(atPath: db) else { Thread.sleep(forTimeInterval: 0.05); return }

            let s = try CLI.run(["summary", "--format", "json", "--db", db])
            if s.status == 0 {
                let j = try s.json()
                let total = j["total"]
                let groups = j["groups"]?.array ?? []
                let n = total?["requests"]?.int64 ?? -1
                func check(_ ok: Bool, _ what: String) { if !ok { problems.append("summary \(n): \(what)") } }
                check(n >= 0 && n <= Int64(lines.count), "request count out of range")
                if n >= 0 && n <= Int64(lines.count) {
                    check(total?["input_tokens"]?.int64 == input[Int(n)], "input tokens are not those of the first \(n) lines")
                    check(total?["output_tokens"]?.int64 == output[Int(n)], "output tokens are not those of the first \(n) lines")
                    check(total?["actions"]?.int64 == Int64(actions[Int(n)]), "actions are not those of the first \(n) lines")
                }
                check(groups.reduce(0) { $0 + ($1["requests"]?.int64 ?? 0) } == n, "the groups' requests do not add up")
                check(groups.reduce(Int128(0)) { $0 + Self.money($1["cost_usd"]) } == Self.money(total?["cost_usd"]),
                      "the groups' costs do not add up to the total")
                check(Self.money(j["total_cost_usd"]) == Self.money(total?["cost_usd"]), "two totals differ")
                summaries.append(n)
            } else if !s.stderr.contains("holds no TokenLedger data yet") {
                problems.append("summary failed: \(s.output)")
            }

            let r = try CLI.run(["report", "--format", "json", "--from", "2026-10-01", "--to", "2026-11-30", "--db", db])
            if r.status == 0 {
                let j = try r.json()
                let calls = j["summary"]?["calls"]?.int64 ?? -1
                let workflows = j["workflows"]?.array ?? []
                func check(_ ok: Bool, _ what: String) { if !ok { problems.append("report \(calls): \(what)") } }
                // The rollups (calls, spend) and the action facts are written by the same transaction.
                check(workflows.reduce(0) { $0 + ($1["current"]?["calls"]?.int64 ?? 0) } == calls, "workflow calls do not add up")
                check(workflows.reduce(0) { $0 + ($1["current"]?["action_calls"]?.int64 ?? 0) } == calls,
                      "the actions' calls differ from the calls")
                check(workflows.reduce(0) { $0 + ($1["current"]?["actions"]?.int64 ?? 0) } == j["summary"]?["actions"]?.int64,
                      "workflow actions do not add up")
                let spend = workflows.reduce(Int128(0)) { $0 + Self.money($1["current"]?["spend_usd"]) }
                let actionCost = workflows.reduce(Int128(0)) { $0 + Self.money($1["current"]?["action_cost_usd"]) }
                check(spend == Self.money(j["total_cost_usd"]), "workflow spend does not add up to the total")
                check(actionCost == spend, "the actions' cost differs from the calls' cost")
                check(calls >= 0 && calls <= Int64(lines.count), "call count out of range")
                reports.append(calls)
            } else if !r.stderr.contains("holds no TokenLedger data yet") && !r.stderr.contains("holds no requests") {
                problems.append("report failed: \(r.output)")
            }
        }
        while importer.isRunning { try read() }
        let imported = try importer.wait()
        try read()
        #expect(imported.status == 0, "\(imported.output)")
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(summaries == summaries.sorted(), "request counts went down: \(summaries)")
        #expect(reports == reports.sorted(), "call counts went down: \(reports)")
        #expect(summaries.last == Int64(lines.count) && reports.last == Int64(lines.count))
        // Some reads came while the import was half done.
        let midway = summaries.filter { $0 > 0 && $0 < Int64(lines.count) } + reports.filter { $0 > 0 && $0 < Int64(lines.count) }
        #expect(!midway.isEmpty, "no read saw a partial import: summaries \(summaries), reports \(reports)")
    }

    // MARK: Two imports at once

    /// Rows of a query found in one database and not in the other, both ways. `{db}` in the query
    /// stands for the schema of the database it reads.
    static func differingRows(_ query: String, _ a: String, _ b: String) throws -> Int64 {
        let db = try Database(path: a, mode: .readOnly)
        let attach = try db.prepare("ATTACH DATABASE ? AS other")
        attach.bind(b, at: 1)
        try attach.step()
        let one = query.replacingOccurrences(of: "{db}", with: "main")
        let two = query.replacingOccurrences(of: "{db}", with: "other")
        let onlyInA = try db.scalarInt("SELECT count(*) FROM (\(one) EXCEPT \(two))") ?? -1
        let onlyInB = try db.scalarInt("SELECT count(*) FROM (\(two) EXCEPT \(one))") ?? -1
        return onlyInA + onlyInB
    }

    /// The stored facts, with names instead of ids: the ids of names follow the order in which an
    /// import met them, which differs when two files are imported the other way round. The
    /// requests' source and line are left out (a request in both files is kept from whichever came
    /// first), and so are the rollups' sums of squares (floating point, summed in arrival order).
    static let namedFacts: [(String, String)] = [
        ("requests", """
            SELECT id, request_id, action_id, model, workflow, team, user_id, user_segment, project, api_key_id, provider, tier,
                   kind, status, attempt, fallback_reason, fallback_from, action_outcome, input_tokens, output_tokens,
                   cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, batch, service_tier,
                   latency_ms, quality_score, gateway_cost_usd, cost_usd, priced, price_id, metadata
            FROM {db}.v_requests
            """),
        ("actions", "SELECT * FROM {db}.v_actions"),
        ("usage_hourly", """
            SELECT h.hour, w.name, m.name, h.kind, s.name, t.name, ti.name, f.name, h.calls, h.failed_calls, h.input_tokens,
                   h.cached_input_tokens, h.cache_write_tokens, h.cache_write_1h_tokens, h.output_tokens, h.reasoning_tokens,
                   h.max_input_tokens, h.cost, h.cost_uncached_input, h.cost_cached_input, h.cost_cache_write, h.cost_output,
                   h.failed_cost, h.unpriced_calls, h.unpriced_tokens, h.gateway_cost, h.gateway_calls
            FROM {db}.usage_hourly h
            LEFT JOIN {db}.workflows w ON w.id = h.workflow_id LEFT JOIN {db}.models m ON m.id = h.model_id
            LEFT JOIN {db}.segments s ON s.id = h.segment_id LEFT JOIN {db}.teams t ON t.id = h.team_id
            LEFT JOIN {db}.tiers ti ON ti.id = h.tier_id LEFT JOIN {db}.fallback_reasons f ON f.id = h.fallback_reason_id
            """),
        ("latency_daily", """
            SELECT l.day, w.name, m.name, l.bucket, l.calls FROM {db}.latency_daily l
            LEFT JOIN {db}.workflows w ON w.id = l.workflow_id LEFT JOIN {db}.models m ON m.id = l.model_id
            """),
        ("user_daily", """
            SELECT d.day, u.name, d.calls, d.cost, d.unpriced_calls, d.input_tokens, d.output_tokens FROM {db}.user_daily d
            LEFT JOIN {db}.users u ON u.id = d.user_id
            """),
    ]

    /// What must be equal to a clean import: the stored calls and actions, their totals and the
    /// rollups (the bookkeeping of sources differs: the second import finds the first one's rows).
    static func expectSameData(_ db: String, as clean: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let a = try State(path: db)
        let b = try State(path: clean)
        #expect(a.integrity == "ok", "\(a.integrity)", sourceLocation: sourceLocation)
        for (name, x, y) in [("requests", a.requests, b.requests), ("distinct request ids", a.distinctRequestIDs, b.distinctRequestIDs),
                             ("request keys", a.requestKeys, b.requestKeys), ("cost", a.cost, b.cost), ("unpriced", a.unpriced, b.unpriced),
                             ("input", a.inputTokens, b.inputTokens), ("output", a.outputTokens, b.outputTokens),
                             ("actions", a.actions, b.actions), ("action calls", a.actionCalls, b.actionCalls),
                             ("action cost", a.actionCost, b.actionCost), ("retries", a.retries, b.retries),
                             ("fallbacks", a.fallbacks, b.fallbacks), ("failed calls", a.failedCalls, b.failedCalls),
                             ("rejects", a.rejects, b.rejects), ("rows imported", a.rowsImported, b.rowsImported),
                             ("actions off", a.actionsOff, 0)] {
            #expect(x == y, "\(name): \(x), clean import \(y)", sourceLocation: sourceLocation)
        }
        for (name, query) in namedFacts {
            let n = try differingRows(query, db, clean)
            #expect(n == 0, "\(name): \(n) rows differ", sourceLocation: sourceLocation)
        }
        for table in ["request_keys", "action_keys"] {
            let n = try KillMidwayTests.differingRows(table, db, clean)
            #expect(n == 0, "\(table): \(n) rows differ", sourceLocation: sourceLocation)
        }
    }

    @Test func twoImportsOfTheSameFileAtOnceStoreEachRequestOnce() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("traffic.jsonl", calls: 80_000, seed: 78, days: 14)
        let count = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        let db = w.db
        // Both start on a database that does not exist yet: both create it.
        let one = Background(["import", log, "--db", db, "--quiet"])
        let two = Background(["import", log, "--db", db, "--quiet"])
        let a = try one.wait(), b = try two.wait()
        #expect(a.status == 0, "\(a.output)")
        #expect(b.status == 0, "\(b.output)")
        // Between them they imported every line once.
        let imported = [a, b].compactMap { r in r.stdout.firstMatch(of: /Imported (\d+) requests/).flatMap { Int($0.1) } }
        #expect(imported.count == 2 && imported.reduce(0, +) == count, "\(a.stdout)\n\(b.stdout)")

        let clean = w.path("clean.sqlite")
        #expect(try CLI.run(["import", log, "--db", clean, "--quiet"]).status == 0)
        try Self.expectSameData(db, as: clean)
    }

    @Test func twoImportsOfOverlappingFilesAtOnceGiveWhatTheyGiveOneAfterTheOther() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("traffic.jsonl", calls: 60_000, seed: 79, days: 14)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        // Two files that share their middle third (the same lines: duplicates, and actions across both).
        let third = lines.count / 3
        let first = try w.write("first.jsonl", lines[..<(2 * third)].joined(separator: "\n") + "\n")
        let second = try w.write("second.jsonl", lines[third...].joined(separator: "\n") + "\n")

        let db = w.db
        let one = Background(["import", first, "--db", db, "--quiet"])
        let two = Background(["import", second, "--db", db, "--quiet"])
        let a = try one.wait(), b = try two.wait()
        #expect(a.status == 0, "\(a.output)")
        #expect(b.status == 0, "\(b.output)")

        let sequential = w.path("sequential.sqlite")
        #expect(try CLI.run(["import", first, "--db", sequential, "--quiet"]).status == 0)
        #expect(try CLI.run(["import", second, "--db", sequential, "--quiet"]).status == 0)
        try Self.expectSameData(db, as: sequential)
        #expect(try State(path: db).requests == Int64(lines.count))

        // Whichever import commits first: one after the other the other way round gives the same.
        let reversed = w.path("reversed.sqlite")
        #expect(try CLI.run(["import", second, "--db", reversed, "--quiet"]).status == 0)
        #expect(try CLI.run(["import", first, "--db", reversed, "--quiet"]).status == 0)
        try Self.expectSameData(reversed, as: sequential)
    }
}
