import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The audit's table of charges beyond text tokens (``AuditResult/charges``), one model for every output
/// format: per workflow and model, tool uses and fees, audio and images, multipliers, and the previous
/// period's total of the three.
enum AuditChargeTable {
    static let title = "Charges beyond text tokens"

    static let columns: [TextTable.Column] = [
        .init("workflow"), .init("model"), .init("tool uses", align: .right), .init("tool fees", align: .right),
        .init("audio & images", align: .right), .init("multipliers", align: .right), .init("previous", align: .right),
        .init("Δ", align: .right),
    ]

    /// Right-aligned column indexes (for Markdown).
    static var rightAligned: Set<Int> { Set(columns.indices.filter { columns[$0].align == .right }) }

    /// The rows of lines with a charge in either period.
    static func rows(_ r: AuditResult) -> [[String]] {
        r.charges.map { l in
            let c = l.current
            return [c.workflow, c.model, NumberText.integer(c.toolCalls), c.toolFees.display(), c.modality.display(),
                    c.uplift.display(), l.previous.total.display(), ReportText.change(c.total, l.previous.total)]
        }
    }

    /// As text, indented like the audit's other tables; nil without rows.
    static func text(_ r: AuditResult) -> String? {
        let rows = rows(r)
        guard !rows.isEmpty else { return nil }
        var t = TextTable(columns: columns)
        for row in rows { t.add(row) }
        return t.render(indent: "  ")
    }
}
