import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders a ``ReconciliationResult`` for the terminal: the headline, then aligned tables.
public enum ReconciliationTextReport {
    /// The report as plain text.
    public static func render(_ r: ReconciliationResult) -> String {
        let t = ReconciliationTables(r: r)
        var out = t.title + "\n\n"
        for line in t.headline { out += line + "\n" }
        if r.hasProviderData {
            for table in t.tables {
                out += "\n" + table.title + "\n"
                var tt = TextTable(columns: table.columns)
                for row in table.rows { tt.add(row) }
                if let total = table.total { tt.addTotal(total) }
                out += tt.render()
            }
        }
        if !r.notes.isEmpty {
            out += "\nNotes\n"
            for n in r.notes { out += "- " + n + "\n" }
        }
        out += "\n" + t.footer + "\n"
        return out
    }
}
