import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// A plain-text table with aligned columns, for terminal reports.
///
///     var t = TextTable(columns: [.init("model"), .init("cost", align: .right)])
///     t.add(["gpt-4o", "$1.20"])
///     t.render()   // "model   cost\n------  -----\ngpt-4o  $1.20\n"
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public var title: String
        public var align: Alignment
        public init(_ title: String, align: Alignment = .left) {
            self.title = title
            self.align = align
        }
    }

    public var columns: [Column]
    public var rows: [[String]] = []
    /// Rows after which a rule is drawn (e.g. before a total).
    var rulesBefore: Set<Int> = []

    public init(columns: [Column]) { self.columns = columns }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// Adds a row preceded by a rule (for totals).
    public mutating func addTotal(_ row: [String]) {
        rulesBefore.insert(rows.count)
        rows.append(row)
    }

    public func render(indent: String = "") -> String {
        let rows = self.rows.map { $0.map(Self.visible) }
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, col) in columns.enumerated() {
                let cell = i < cells.count ? cells[i] : ""
                let padding = String(repeating: " ", count: max(0, widths[i] - cell.count))
                parts.append(col.align == .right ? padding + cell : cell + padding)
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return indent + text + "\n"
        }
        let rule = indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        var out = line(columns.map(\.title)) + rule
        for (i, row) in rows.enumerated() {
            if rulesBefore.contains(i) { out += rule }
            out += line(row)
        }
        return out
    }
}

extension TextTable {
    /// A cell as it can be shown on a terminal: control characters (which could move the cursor and
    /// write over a figure) and bidirectional overrides (which could reorder its digits) are shown as
    /// `\u{…}` escapes.
    static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isHidden) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            if isHidden(scalar) { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
