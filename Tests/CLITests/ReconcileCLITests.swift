import Foundation
import Testing

@Suite struct ReconcileCLITests {
    static let files = [
        "routing-log.jsonl", "openai/usage-2026-01-01-download-1.json", "openai/usage-2026-01-02-download-2.json",
        "openai/costs-2026-01.jsonl", "anthropic/usage-report-2026-01.json", "anthropic/cost-report-2026-01.json",
        "openrouter/activity-2026-01-01.csv", "openrouter/generations-2026-01-01.jsonl",
    ]

    /// A database with the provider scenario imported.
    static func database() throws -> (String, URL) {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("t.sqlite").path
        let paths = files.map { CLI.fixtures.appendingPathComponent("providers/" + $0).path }
        let r = try CLI.run(["import", "--db", db, "--quiet"] + paths)
        #expect(r.status == 0, "\(r.stderr)")
        return (db, dir)
    }

    @Test func reconcilesTheImportedPeriod() throws {
        let (db, dir) = try Self.database()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try CLI.run(["reconcile", "--db", db, "--as-of", "2026-01-20T00:00:00Z"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("2026-01-01 to 2026-01-04"))
        #expect(text.stdout.contains("coverage 89.7%"))
        let json = try CLI.run(["reconcile", "--db", db, "--from", "2026-01-01", "--to", "2026-01-04", "--format", "json",
                                "--provider", "openai", "--as-of", "2026-01-20T00:00:00Z"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"schema\": \"tokenledger.reconcile/1\""))
        #expect(json.stdout.contains("\"billed_usage_usd\": \"12.272\""))
        let md = try CLI.run(["reconcile", "--db", db, "--month", "2026-01", "--format", "markdown", "--as-of", "2026-02-20T00:00:00Z"])
        #expect(md.status == 0)
        #expect(md.stdout.hasPrefix("## Reconciliation"))
    }

    @Test func checkExitsFourWhenTheGapIsOutsideTolerance() throws {
        let (db, dir) = try Self.database()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["reconcile", "--db", db, "--check", "--as-of", "2026-01-20T00:00:00Z"])
        #expect(r.status == 4)
        let loose = try CLI.run(["reconcile", "--db", db, "--check", "--total-tolerance-percent", "20", "--as-of", "2026-01-20T00:00:00Z"])
        #expect(loose.status == 0)
    }

    @Test func badOptionsAreUsageErrors() throws {
        #expect(try CLI.run(["reconcile", "--month", "2026-13"]).status == 64)
        #expect(try CLI.run(["reconcile", "--month", "2026-01", "--from", "2026-01-01"]).status == 64)
        #expect(try CLI.run(["reconcile", "--cell-tolerance-percent", "abc"]).status == 64)
        #expect(try CLI.run(["reconcile", "--format", "csv"]).status == 64)
    }

    @Test func withoutProviderExportsItSaysWhatToDo() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.sqlite").path
        let r = try CLI.run(["reconcile", "--db", db])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no provider exports imported"))
    }
}
