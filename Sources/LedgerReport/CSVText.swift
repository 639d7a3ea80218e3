import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// CSV writing (RFC 4180): fields with a comma, quote, CR or LF are quoted and quotes doubled; lines end
/// with CRLF.
public enum CSVText {
    /// One field, quoted when it holds a comma, a quote or a line end: `a,b` → `"a,b"`.
    public static func field(_ s: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character, equal neither to "\r" nor to "\n".
        if s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// One line: the fields separated by commas, ending with CRLF.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A header line and one line per row: a whole CSV document.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        row(header) + rows.map(row).joined()
    }
}
