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

/// Names come from the logs (workflow, team, user, model): in Markdown output they must stay text, never
/// become a table column, a heading, a link, HTML or emphasis; on a terminal they must not move the
/// cursor or reorder what is shown.
@Suite struct ReportEscapingTests {
    static let hostile = [
        "**<img src=x onerror=alert(1)>",
        "a|b\n# heading\r\n| x | y |",
        "[click](javascript:alert(1))",
        "`code` <script>alert(1)</script>",
        "**bold|pipe**",
        "\\|escaped already\\",
        "x|\u{301}<\u{301}img src=y>",  // a combining mark makes `|` and `<` part of another Character
    ]

    /// Whether `needle` occurs in `text` not preceded by a backslash, compared scalar by scalar (as a
    /// Markdown reader sees the text).
    static func unescaped(_ needle: String, in text: String) -> Bool {
        let t = Array(text.unicodeScalars), n = Array(needle.unicodeScalars)
        guard !n.isEmpty, t.count >= n.count else { return false }
        for i in 0...(t.count - n.count) where t[i..<(i + n.count)].elementsEqual(n) {
            if i == 0 || t[i - 1] != "\\" { return true }
        }
        return false
    }

    /// The number of cell separators (`|` not escaped) in a table line.
    static func separators(_ line: Substring) -> Int {
        var n = 0
        var escaped = false
        for scalar in line.unicodeScalars {
            if escaped { escaped = false; continue }
            if scalar == "\\" { escaped = true } else if scalar == "|" { n += 1 }
        }
        return n
    }

    /// Every row of every table has as many cells as its header.
    static func expectWellFormedTables(_ markdown: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var columns: Int?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let n = separators(line)
            if let columns {
                #expect(n == columns, "row with \(n - 1) cells under a \(columns - 1)-column header: \(line)", sourceLocation: sourceLocation)
            } else {
                columns = n
            }
        }
    }

    /// No HTML, link, code span or heading from a name, and tables intact. (`#` only starts a heading at
    /// the start of a line, which a name never is once its line ends are gone.)
    static func expectNoMarkup(_ markdown: String, headingsEscaped: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        for needle in ["<img", "<script", "<\u{301}img", "](javascript", "[click]", "`code`"] + (headingsEscaped ? ["# heading"] : []) {
            #expect(!unescaped(needle, in: markdown), "unescaped \(needle)", sourceLocation: sourceLocation)
        }
        expectWellFormedTables(markdown, sourceLocation: sourceLocation)
    }

    @Test func escapeLeavesNoActiveCharacter() {
        for s in Self.hostile {
            let e = Markdown.escape(s)
            #expect(!e.unicodeScalars.contains("\n") && !e.unicodeScalars.contains("\r"))
            for ch in ["|", "`", "*", "_", "[", "]", "<", ">", "#"] {
                #expect(!Self.unescaped(ch, in: e.replacingOccurrences(of: "\\\\", with: "")), "\(ch) in \(e)")
            }
        }
        #expect(Markdown.escape("a|b") == "a\\|b")
        #expect(Markdown.code("x`y\nz") == "x'y z")
    }

    @Test func tableCellsAreEscapedEvenWhenTheyLookBold() {
        let table = Markdown.table(["name", "n"], Self.hostile.map { [$0, "1"] } + [["**total**", "6"]], right: [1])
        Self.expectNoMarkup(table)
        #expect(table.contains("| **total** | 6 |"))
        #expect(table.contains("| **bold\\|pipe** | 1 |"))
        #expect(table.contains("| \\*\\*\\<img src=x onerror=alert(1)\\> | 1 |"))
    }

    @Test func reconciliationCellsAreEscaped() {
        for s in Self.hostile {
            let e = ReconciliationMarkdownReport.escape(s)
            Self.expectNoMarkup("| a |\n| \(e) |\n", headingsEscaped: false)
            #expect(!e.unicodeScalars.contains("\n") && !e.unicodeScalars.contains("\r"))
        }
    }

    @Test func textTableCellsCannotMoveTheCursorOrReorderDigits() {
        var t = TextTable(columns: [.init("model"), .init("cost", align: .right)])
        t.add(["gpt-4o\r$0.00", "$12.00"])
        t.add(["\u{1B}[2Jclear", "$1.00"])
        t.add(["x\u{202E}00.21$", "$2.00"])
        t.add(["\u{9B}31m", "$3.00"])
        let text = t.render()
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!text.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) })
        #expect(text.contains("gpt-4o\\u{d}$0.00"))
        #expect(text.contains("\\u{1b}[2Jclear"))
        // Every row is as wide as the header says: the escapes are counted in the widths.
        let lines = text.split(separator: "\n")
        #expect(Set(lines.dropFirst(2).map { $0.count }).count == 1)
    }

    @Test func theAuditReportShowsHostileNamesAsText() throws {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        var lines: [String] = []
        for (i, name) in Self.hostile.enumerated() {
            for k in 0..<3 {
                lines.append(#"{"timestamp":"2026-10-0\#(5 + k)T10:00:00Z","request_id":"h-\#(i)-\#(k)","model":\#(JSONText.quote(name)),"input_tokens":100,"output_tokens":10,"workflow":\#(JSONText.quote(name)),"team":\#(JSONText.quote(name)),"user_id":\#(JSONText.quote(name)),"action_id":"a-\#(i)-\#(k)","action_outcome":"completed"}"#)
            }
        }
        let path = try scratch.write("hostile.jsonl", LogLine.file(lines))
        let summary = try ledger.importPaths([path])
        #expect(summary.rowsImported == Int64(lines.count), "\(summary.rejectsByReason)")
        let utc = try #require(TimeZone(identifier: "UTC"))
        let r = try Ledger(db: ledger.db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-W41")), zone: utc, zoneName: "UTC", budget: nil))
        let markdown = AuditReportMarkdown.render(r, budgetName: "budget`|<b>.yaml")
        #expect(markdown.contains("onerror"))  // the names are there, as text
        Self.expectNoMarkup(markdown)
    }
}
