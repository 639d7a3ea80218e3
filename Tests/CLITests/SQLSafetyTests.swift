import Foundation
import Testing
import TokenLedger

/// Names, ids and paths that look like SQL reach the database only as bound values: they are stored
/// verbatim and nothing else happens.
@Suite struct SQLSafetyTests {
    static let hostile = [
        "'; DROP TABLE requests; --",
        "Robert'); DROP TABLE actions; --",
        "x' OR '1'='1",
        "\" OR \"\"=\"",
        "a`b[c]d; DELETE FROM sources",
        "50% _off_ \\ LIKE '%'",
        "?1 ?2 :name @p $v",
        "-- not a comment /* nor this */",
        "'' '''",
        "名前 🚀 ünïcödé",
    ]

    /// The SQL-looking model that is given a price.
    static let pricedModel = "'; DROP TABLE prices; --"

    static func line(_ i: Int, _ name: String) throws -> String {
        let object: [String: Any] = [
            "timestamp": "2026-10-05T10:\(String(format: "%02d", i)):00Z",
            "request_id": "req-\(i)-\(name)",
            "action_id": "act-\(name)",
            "model": i == 0 ? pricedModel : name,
            "workflow": name, "team": name, "user_id": name, "user_segment": name, "project": name,
            "api_key_id": name, "provider": name, "tier": name, "fallback_reason": name, "kind": "fallback",
            "fallback_from": name,
            "input_tokens": 1_000 + i, "output_tokens": 100 + i,
            "metadata": ["note": name],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func sqlLookingNamesIdsAndPathsAreStoredVerbatim() throws {
        let w = try CLIWorkspace()
        let db = w.path("ledger'; DROP TABLE requests; --.sqlite")
        let yamlModel = "'" + Self.pricedModel.replacingOccurrences(of: "'", with: "''") + "'"
        let prices = try w.write("prices.yaml", """
            prices:
              - model: \(yamlModel)
                provider: openai
                effective_from: 2026-01-01
                per_million_tokens: {input: 1, output: 2}
            """)
        let p = try w.run(["prices", "import", prices], db: db)
        #expect(p.status == 0, "\(p.output)")

        let log = try w.write("calls '; DROP TABLE sources; --.jsonl",
                              try Self.hostile.indices.map { try Self.line($0, Self.hostile[$0]) }.joined(separator: "\n") + "\n")
        let r = try w.run(["import", log, "--quiet"], db: db)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("Imported \(Self.hostile.count) requests"), "\(r.stdout)")

        let store = try Database(path: db, mode: .readOnly)
        #expect(try store.integrityCheck() == "ok")
        for table in ["requests", "actions", "sources", "prices", "rejects"] + Schema.dimensionTables {
            #expect(try store.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", .text(table)) == 1,
                    "table \(table)")
        }
        #expect(try store.scalarInt("SELECT count(*) FROM requests") == Int64(Self.hostile.count))
        #expect(try store.scalarText("SELECT path FROM sources") == log)
        for (i, name) in Self.hostile.enumerated() {
            #expect(try store.scalarInt("SELECT count(*) FROM requests WHERE request_id = ?", .text("req-\(i)-\(name)")) == 1, "\(name)")
            #expect(try store.scalarInt("SELECT count(*) FROM actions WHERE action_id = ?", .text("act-\(name)")) == 1, "\(name)")
            for table in ["workflows", "teams", "users", "segments", "projects", "api_keys", "providers", "tiers", "fallback_reasons"] {
                #expect(try store.scalarInt("SELECT count(*) FROM \(table) WHERE name = ?", .text(name)) == 1, "\(table): \(name)")
            }
            #expect(try store.scalarInt("SELECT count(*) FROM models WHERE name = ?", .text(name)) == 1, "models: \(name)")
            #expect(try store.scalarInt("SELECT count(*) FROM v_requests WHERE workflow = ? AND team = ? AND fallback_from = ?",
                                        .text(name), .text(name), .text(name)) == 1, "v_requests: \(name)")
        }
        #expect(try store.scalarInt("SELECT count(*) FROM prices WHERE model = ?", .text(Self.pricedModel)) == 1)
        #expect(try store.scalarInt("SELECT count(*) FROM v_requests WHERE model = ? AND cost_usd > 0", .text(Self.pricedModel)) == 1,
                "the call of the SQL-looking model is priced by its SQL-looking price entry")

        // What the commands print: the names as they are.
        for by in ["workflow", "team", "model", "tier"] {
            let s = try w.run(["summary", "--by", by, "--format", "json"], db: db)
            #expect(s.status == 0, "\(s.output)")
            let names = Set((try s.json()["groups"]?.array ?? []).compactMap { $0["name"]?.string })
            for name in Self.hostile where !(by == "model" && name == Self.hostile[0]) {
                #expect(names.contains(name), "summary by \(by) lacks \(name): \(names)")
            }
        }
        let report = try w.run(["report", "--format", "json", "--from", "2026-10-05", "--to", "2026-10-05"], db: db)
        #expect(report.status == 0, "\(report.output)")
        let workflows = Set((try report.json()["workflows"]?.array ?? []).compactMap { $0["workflow"]?.string })
        #expect(workflows == Set(Self.hostile), "\(workflows)")
        for source in ["'; DROP TABLE sources; --", "' OR '1'='1"] {
            let rejects = try w.run(["rejects", "--source", source, "--format", "json"], db: db)
            #expect(rejects.status == 0, "\(rejects.output)")
            #expect(try rejects.json()["total"]?.int64 == 0)
        }
        let list = try w.run(["prices", "list"], db: db)
        #expect(list.status == 0 && list.stdout.contains(Self.pricedModel), "\(list.output)")
        let focus = try w.run(["export", "focus", "--output", "-"], db: db)
        #expect(focus.status == 0, "\(focus.output)")

        // Nothing was dropped or deleted along the way.
        let after = try KillMidwayTests.State(path: db)
        #expect(after.requests == Int64(Self.hostile.count) && after.integrity == "ok", "\(after)")
        #expect(after.consistencyProblems.isEmpty, "\(after.consistencyProblems)")
    }
}
