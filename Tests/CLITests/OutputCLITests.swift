import Foundation
import Testing

/// `--format html` and `--format csv`, and `export focus`, through the built binary.
@Suite struct OutputCLITests {
    @Test func reportAndReconcileWriteHTMLAndCSV() throws {
        let (db, dir) = try ReconcileCLITests.database()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html").path
        let html = try CLI.run(["report", "--db", db, "--from", "2026-01-01", "--to", "2026-01-04", "--format", "html", "-o", page])
        #expect(html.status == 0, "\(html.stderr)")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>"))
        #expect(text.contains("<svg "))

        let csv = try CLI.run(["report", "--db", db, "--from", "2026-01-01", "--to", "2026-01-04", "--format", "csv", "--table", "models"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.hasPrefix("model,calls,unpriced_calls,spend_usd,"))
        #expect(csv.stdout.contains("\r\ngpt-4.1-mini,"))
        #expect(try CLI.run(["report", "--db", db, "--format", "csv", "--table", "nope"]).status == 64)

        let reconcile = try CLI.run(["reconcile", "--db", db, "--as-of", "2026-01-20T00:00:00Z", "--format", "html"])
        #expect(reconcile.status == 0, "\(reconcile.stderr)")
        #expect(reconcile.stdout.contains("Reconciliation of provider bills"))
        #expect(!reconcile.stdout.contains("<script"))

        let summary = try CLI.run(["summary", "--db", db, "--format", "csv"])
        #expect(summary.status == 0)
        #expect(summary.stdout.hasPrefix("model,requests,"))
    }

    @Test func exportFocusWritesTheFileAndSaysWhatItWrote() throws {
        let (db, dir) = try ReconcileCLITests.database()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("focus.csv").path
        let r = try CLI.run(["export", "focus", "--db", db, "--from", "2026-01-01", "--to", "2026-01-02", "--output", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("FOCUS 1.2:"))
        #expect(r.stderr.contains("2026-01-01 to 2026-01-02 (UTC)"))
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        #expect(csv.hasPrefix("BillingAccountId,BillingAccountName,BillingCurrency,"))
        #expect(csv.contains(",2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,Usage,,"))
        #expect(!csv.contains("2026-01-03T00:00:00Z,2026-01-04"))
        let all = try CLI.run(["export", "focus", "--db", db, "-o", "-", "--billing-account", "acme"])
        #expect(all.status == 0)
        #expect(all.stdout.contains("\r\nacme,,USD,"))
        #expect(try CLI.run(["export", "focus", "--db", db, "--from", "2026-01-05", "--to", "2026-01-01", "-o", file]).status == 64)
        // --month is the month's days.
        let month = try CLI.run(["export", "focus", "--db", db, "--month", "2026-01", "-o", "-"])
        let days = try CLI.run(["export", "focus", "--db", db, "--from", "2026-01-01", "--to", "2026-01-31", "-o", "-"])
        #expect(month.status == 0 && month.stdout == days.stdout && month.stdout.count > 200)
        #expect(try CLI.run(["export", "focus", "--db", db, "--month", "2026-13", "-o", file]).status == 64)
        #expect(try CLI.run(["export", "focus", "--db", db]).status == 64)  // --output is required
    }
}
