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

/// docs/schema.md is the user's map of the database: every table, column and view a new database has
/// must appear in it.
@Suite struct SchemaDocumentationTests {
    @Test func everyTableColumnAndViewIsDocumented() throws {
        let doc = try String(contentsOf: PricingFixtures.packageRoot.appendingPathComponent("docs/schema.md"), encoding: .utf8)
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        let rows = try ledger.rows("""
            SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name
            """)
        #expect(rows.count > 20)
        var missing: [String] = []
        for row in rows {
            guard case .text(let name) = row[0], case .text(let type) = row[1] else { continue }
            if !doc.contains("`\(name)`") { missing.append(name) }
            // Columns of tables (views are documented by what they show). Names come from the schema.
            guard type == "table" else { continue }
            let columns = try ledger.texts("SELECT name FROM pragma_table_xinfo('\(name)')")
            for column in columns where !doc.contains(column) { missing.append("\(name).\(column)") }
        }
        #expect(missing.isEmpty, "not in docs/schema.md: \(missing)")
    }

    /// The schema version the page names is the one this build writes.
    @Test func thePageNamesTheCurrentVersion() throws {
        let doc = try String(contentsOf: PricingFixtures.packageRoot.appendingPathComponent("docs/schema.md"), encoding: .utf8)
        #expect(doc.contains("schema version \(Schema.currentVersion)"))
    }
}
