import Foundation
import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// The stored rejects as text and JSON.
public enum RejectListReport {
    /// `file:line: reason: message` and the raw text (shortened, control characters shown escaped).
    public static func text(_ list: (rows: [RejectRecord], total: Int64)) -> String {
        if list.total == 0 { return "No rejected rows.\n" }
        var out = ""
        for r in list.rows {
            out += "\(r.path):\(r.line): \(r.reason): \(r.message)\n"
            out += "    \(printable(r.raw, limit: 160))\n"
        }
        if Int64(list.rows.count) < list.total {
            out += "… \(list.total - Int64(list.rows.count)) more (use --limit 0 to list all).\n"
        }
        return out
    }

    public static func json(_ list: (rows: [RejectRecord], total: Int64)) -> String {
        JSONOutput.object([
            ("total", .int(list.total)),
            ("rejects", .array(list.rows.map { r in
                .object([
                    ("path", .string(r.path)), ("line", .int(r.line)), ("reason", .string(r.reason)),
                    ("message", .string(r.message)), ("raw", .string(String(decoding: r.raw, as: UTF8.self))),
                    ("conflict_path", .string(r.conflictPath)), ("conflict_line", r.conflictLine.map { .int($0) } ?? .null),
                ])
            })),
        ]).render()
    }

    /// Raw bytes as one printable line: invalid UTF-8 and control characters escaped.
    static func printable(_ raw: [UInt8], limit: Int) -> String {
        var out = ""
        for scalar in String(decoding: raw, as: UTF8.self).unicodeScalars {
            if out.count >= limit { out += "…"; break }
            switch scalar.value {
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
