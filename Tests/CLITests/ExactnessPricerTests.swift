import Foundation
import Testing
import TokenLedger

/// `scripts/exactness-pricer.py` prices routing logs on its own: Python, integers only, written from the
/// documents rather than from the Swift sources. These tests keep it and `import` in agreement on small
/// inputs, to the picodollar; `scripts/exactness` runs the same comparison on millions of calls
/// (`docs/exactness.md`). Skipped where python3 or PyYAML is missing.
@Suite struct ExactnessPricerTests {
    static let pricer = CLI.packageRoot.appendingPathComponent("scripts/exactness-pricer.py").path

    /// Whether `python3` with PyYAML can be run.
    static let pythonWithYAML: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import yaml"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// The pricer's JSON summary of `files`, read in that order.
    static func price(_ files: [String]) throws -> JSONValue {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", pricer] + files
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(String(decoding: errData, as: UTF8.self))")
        return try JSONValue.parse(String(decoding: data, as: UTF8.self))
    }

    /// What the database holds: the exact total, and per model name its cost and unpriced requests.
    struct Stored: Equatable {
        var requests: Int64 = 0
        var cost: Int64 = 0
        var unpriced: Int64 = 0
        var byModel: [String: [Int64]] = [:]

        init() {}

        init(db path: String) throws {
            let db = try Database(path: path, mode: .readOnly)
            requests = try db.scalarInt("SELECT count(*) FROM requests") ?? -1
            cost = try db.scalarInt("SELECT coalesce(sum(cost), 0) FROM requests") ?? -1
            unpriced = try db.scalarInt("SELECT count(*) FROM requests WHERE cost IS NULL") ?? -1
            let s = try db.prepare("""
                SELECT m.name, count(*), sum(r.cost IS NULL), coalesce(sum(r.cost), 0)
                FROM requests r JOIN models m ON m.id = r.model_id GROUP BY r.model_id
                """)
            while try s.step() { byModel[s.text(0) ?? ""] = [s.int64(1), s.int64(2), s.int64(3)] }
        }

        /// The same figures from the pricer's summary.
        init(pricer json: JSONValue) {
            requests = json["distinct"]?.int64 ?? -1
            cost = json["total_picos"]?.int64 ?? -1
            unpriced = json["unpriced"]?.int64 ?? -1
            for (name, m) in json["by_model"]?.object ?? [:] {
                byModel[name] = [m["requests"]?.int64 ?? -1, m["unpriced"]?.int64 ?? -1, m["picos"]?.int64 ?? -1]
            }
        }
    }

    /// Every pricing path of the default book: tier cards and the components they lack, long context
    /// at and above its threshold, snapshots, provider prefixes, aliases, dated prices at their edges
    /// (with offsets that move a call to the day before), names that must stay unpriced.
    @Test(.enabled(if: pythonWithYAML)) func agreesOnEveryPricingPath() throws {
        let w = try CLIWorkspace()
        let file = CLI.fixtures.appendingPathComponent("exactness/pricing-paths.jsonl").path
        let r = try w.run(["import", file, "--json"])
        #expect(r.status == 0, "\(r.output)")
        let json = try Self.price([file])
        let stored = try Stored(db: w.db)
        #expect(stored == Stored(pricer: json))
        #expect(stored.cost == 8_983_100_800_000)
        #expect(stored.unpriced == 5)
        #expect(json["duplicates"]?.int64 == 1)
        #expect(json["conflicts"]?.int64 == 1)
        #expect(try r.json()["duplicates"]?.int64 == 1)
    }

    /// Every charge beyond text tokens the default book prices, and the ones it must leave unpriced: fast mode
    /// and US-only inference stacked on Opus 4.6 (6 × 1.1 on the tokens, OpenAI-style tool fees on top), audio
    /// input of Gemini Flash (standard and batch, cached audio), OpenAI web and file search fees, Anthropic's
    /// `server_tool_use`, image input at the text rate, a neutral `global` and `standard`; a tool without a
    /// fee, an attribute value without a multiplier and audio output without a rate stay unpriced. The last
    /// line repeats a request id with one more web search: a conflict, so extras are content.
    ///
    /// Expected by hand from the pricing pages (platform.claude.com/docs/en/about-claude/pricing,
    /// platform.openai.com/docs/pricing, ai.google.dev/gemini-api/docs/pricing, read 2026-12-07):
    /// pe-001 (10,000 × $5 + 2,000 × $25) × 6 × 1.1 + 3 × $0.01 = $0.69; pe-002 6,000 × $0.30 + 4,000 × $1.00
    /// + 2,000 × $2.50 = $0.0108; pe-003 at batch (half) $0.0054; pe-004 $0.0045 + 2 × $0.01 + $0.0025 =
    /// $0.027; pe-006 $0.0165 + 2 × $0.01 (web fetch free) = $0.0365; pe-008 $0.0045; pe-009 2,000 × $0.10 +
    /// 1,000 × $0.025 (cached audio at the cached rate) + 2,000 × $0.70 + 100 × $0.40 = $0.001665; pe-011
    /// $0.0035; pe-012 $0.0075. Total $0.786865.
    @Test(.enabled(if: pythonWithYAML)) func agreesOnEveryChargeBeyondTextTokens() throws {
        let w = try CLIWorkspace()
        let file = CLI.fixtures.appendingPathComponent("exactness/pricing-paths-extras.jsonl").path
        let r = try w.run(["import", file, "--json"])
        #expect(r.status == 0, "\(r.output)")
        let json = try Self.price([file])
        let stored = try Stored(db: w.db)
        #expect(stored == Stored(pricer: json))
        #expect(stored.cost == 786_865_000_000)
        #expect(stored.unpriced == 3)
        #expect(json["conflicts"]?.int64 == 1)
        #expect(try r.json()["rejected"]?.int64 == 1)
    }

    /// Sample traffic with broken and duplicate lines, imported with an overlapping second file
    /// (duplicates across files) and a third that alters some of its requests (conflicts: the first copy
    /// imported wins).
    @Test(.enabled(if: pythonWithYAML)) func agreesOnSampleTraffic() throws {
        let w = try CLIWorkspace()
        let a = try w.sample("a.jsonl", calls: 20_000, seed: 17, days: 14,
                             extra: ["--duplicate-share", "0.01", "--malformed-share", "0.002"])
        let lines = try String(contentsOfFile: a, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let everyThird = lines.enumerated().filter { $0.offset % 3 == 0 && !$0.element.isEmpty }.map(\.element)
        let b = try w.write("b.jsonl", everyThird.joined(separator: "\n") + "\n")
        let altered = everyThird.enumerated().compactMap { i, line -> String? in
            guard i % 50 == 0, let r = line.range(of: #""output_tokens":"#) else { return nil }
            return String(line[..<r.upperBound]) + "1" + String(line[r.upperBound...])  // another count
        }
        let c = try w.write("c.jsonl", altered.joined(separator: "\n") + "\n")
        let files = [b, a, c]
        let r = try w.run(["import"] + files + ["--json"])
        // c.jsonl holds only conflicting copies: no row of it lands, so it is a failed input (exit 1) and
        // the other files are imported all the same.
        #expect(r.status == 1, "\(r.output)")
        let statuses = try r.json()["files"]?.array?.map { $0["status"]?.string ?? "" }
        #expect(statuses == ["imported", "imported", "failed"])
        let json = try Self.price(files)
        let stored = try Stored(db: w.db)
        #expect(stored == Stored(pricer: json))
        #expect(stored.cost > 0 && stored.unpriced > 0)
        let imported = try r.json()
        #expect(imported["duplicates"]?.int64 == json["duplicates"]?.int64)
        #expect(imported["rejected"]?.int64 == (json["rejected"]?.int64 ?? 0) + (json["conflicts"]?.int64 ?? 0))
        #expect((json["conflicts"]?.int64 ?? 0) > 0)
    }
}
