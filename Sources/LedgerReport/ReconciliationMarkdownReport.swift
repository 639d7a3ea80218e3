import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders a ``ReconciliationResult`` as Markdown: the headline as a list, then tables (cells escape `|`).
public enum ReconciliationMarkdownReport {
    /// The report as Markdown.
    public static func render(_ r: ReconciliationResult) -> String {
        let t = ReconciliationTables(r: r)
        var out = "## " + escape(t.title) + "\n\n"
        for line in t.headline { out += "- " + escape(line) + "\n" }
        if r.hasProviderData {
            for table in t.tables {
                out += "\n### " + escape(table.title) + "\n\n"
                out += "| " + table.columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
                out += "|" + table.columns.map { $0.align == .right ? " ---: |" : " --- |" }.joined() + "\n"
                for row in table.rows { out += line(row) }
                if let total = table.total { out += line(total, boldFirst: true) }
            }
        }
        if !r.notes.isEmpty {
            out += "\n### Notes\n\n"
            for n in r.notes { out += "- " + escape(n) + "\n" }
        }
        out += "\n" + escape(t.footer) + "\n"
        return out
    }

    static func line(_ cells: [String], boldFirst: Bool = false) -> String {
        let escaped = cells.enumerated().map { boldFirst && $0.offset == 0 ? "**" + escape($0.element) + "**" : escape($0.element) }
        return "| " + escaped.joined(separator: " | ") + " |\n"
    }

    /// Escapes the characters that would break a Markdown table (`|`, line ends), start emphasis (`*`),
    /// a code span (`` ` ``), a link (`[`, `]`) or HTML (`<`, `>`).
    /// Works on Unicode scalars, as ``Markdown/escape(_:)`` does.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "|", "*", "`", "[", "]", "<", ">": out += "\\" + String(scalar)
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
