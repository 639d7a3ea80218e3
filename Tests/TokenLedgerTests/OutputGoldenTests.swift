import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Golden files of the audit's CSV tables, `explain` as Markdown and HTML, `summary` in each format and the
/// import summary; `RECORD_SNAPSHOTS=1 swift test` records them again (after an intended change of the sample traffic,
/// the price book, a fixture or a renderer).
@Suite struct OutputGoldenTests {
    /// Pins every table of the W42 audit as CSV (the data of `report-W42.*`), one file per table:
    /// headers, row order, exact money strings, six-decimal ratios and CRLF line ends.
    @Test(arguments: AuditReportCSV.Table.allCases)
    func auditCSVMatchesTheGoldenFile(_ table: AuditReportCSV.Table) throws {
        let csv = AuditReportCSV.render(try AuditGoldenTests.result.get(), table: table)
        try Golden.check(csv, name: "report-W42.\(table.rawValue).csv")
    }

    /// Pins the charges table as CSV for the audit of `AuditChargesTests` (web searches, a fast-mode call, audio
    /// input), since the sample traffic of `report-W42` has no charges beyond text tokens and its charges
    /// table is only a header.
    @Test func auditChargesCSVMatchesTheGoldenFile() throws {
        let (r, _) = try AuditChargesTests.audit()
        try Golden.check(AuditReportCSV.render(r, table: .charges), name: "audit-charges.charges.csv")
    }

    /// Pins `explain` from W41 to W42 by workflow (the data of `explain-W41-W42.*`) as Markdown and as a
    /// self-contained HTML page: the waterfall, each driver's breakdown and the top movers.
    @Test(arguments: ["md", "html"])
    func explainMatchesTheGoldenFile(_ ext: String) throws {
        let r = try ExplainTests().report("2026-W41", "2026-W42")
        try Golden.check(ext == "html" ? ExplainReportHTML.render(r) : ExplainReportMarkdown.render(r), name: "explain-W41-W42.\(ext)")
    }

    /// The W42 summary of the audit tests' sample database, by workflow and then model, in UTC, built the
    /// way the `summary` command builds it (labels with the stored price book's model grouping).
    static let summary: Result<UsageSummary, Error> = Result {
        let db = try AuditTests.shared.get().db
        let week = try Period(parsing: "2026-W42")
        let utc = TimeZone(identifier: "UTC")!
        let dimensions: [SummaryDimension] = [.workflow, .model]
        let labels = try SummaryLabelQuery(db: db).labels(for: dimensions, book: try PriceStore(db: db).storedBook())
        var builder = UsageSummary.Builder(dimensions: dimensions, labels: labels, zone: utc, zoneName: "UTC")
        try RequestScan(db: db).forEach(in: week.interval(in: utc)) { builder.add($0) }
        return builder.build(period: week)
    }

    /// Pins `summary --by workflow,model` for W42 as text, JSON and CSV: nested group order (by spend),
    /// token and request counts, shares, the total line, and the unpriced note when there is one.
    @Test(arguments: ["txt", "json", "csv"])
    func summaryMatchesTheGoldenFile(_ ext: String) throws {
        let s = try Self.summary.get()
        let text: String
        switch ext {
        case "json": text = SummaryReport.json(s)
        case "csv": text = SummaryReport.csv(s)
        default: text = SummaryReport.text(s)
        }
        try Golden.check(text, name: "summary-W42.\(ext)")
    }

    /// Imports the routing-log fixtures `valid.jsonl`, `malformed.jsonl` (a reject of every rule) and
    /// `duplicates/a.jsonl`, `duplicates/b.jsonl` (requests logged twice) into a new database, and returns
    /// the summary with the scratch directory taken out of every path.
    static func fixtureImport(_ render: (ImportSummary) -> String) throws -> String {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let paths = try ["valid.jsonl", "malformed.jsonl", "duplicates/a.jsonl", "duplicates/b.jsonl"].map {
            try scratch.copy(fixture: $0, as: $0)
        }
        var out = render(try ledger.importPaths(paths))
        for directory in Set([scratch.url.path, scratch.url.resolvingSymlinksInPath().path]) {
            out = out.replacingOccurrences(of: directory + "/", with: "$SCRATCH/")
        }
        return out
    }

    /// Pins the import summary as text and JSON for the fixture import above, with the elapsed time fixed
    /// at 2 s (so the rate is rows / 2): per-input lines, duplicates, rejects by reason with their first
    /// `file:line`, and unpriced models.
    @Test(arguments: ["txt", "json"])
    func importSummaryMatchesTheGoldenFile(_ ext: String) throws {
        let text = try Self.fixtureImport {
            ext == "json" ? ImportSummaryReport.json($0, seconds: 2) : ImportSummaryReport.text($0, seconds: 2)
        }
        #expect(!text.contains(FileManager.default.temporaryDirectory.path))
        try Golden.check(text, name: "import-summary.\(ext)")
    }
}
