import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// A self-contained HTML page: inline CSS and inline SVG, no scripts, fonts, images or links to anything
/// outside the file (a Content-Security-Policy in the page forbids them too). Built top-down; every
/// text argument is escaped, and charts come in as ``HTMLMarkup`` from ``SVGChart``.
///
///     var page = HTMLDocument(title: "Spend")
///     page.header(title: "Spend", lines: ["2026-10-19 to 2026-10-25"])
///     page.table(HTMLTable(columns: [.init("model"), .init("spend", align: .right)], rows: [["gpt-4o", "$1.20"]]))
///     page.render()   // "<!DOCTYPE html>\n<html lang=\"en\">…"
public struct HTMLDocument: Sendable {
    /// The page title (the browser tab).
    public var title: String
    var parts: [String] = []

    /// An empty page.
    public init(title: String) { self.title = title }

    /// The page heading with lines of context under it (period, data, budget).
    public mutating func header(title: String, lines: [String]) {
        var out = "<header>\n<h1>\(HTMLText.escape(title))</h1>\n"
        for l in lines { out += "<p class=\"meta\">\(HTMLText.escape(l))</p>\n" }
        parts.append(out + "</header>")
    }

    /// A section heading (`level` 2 to 4).
    public mutating func heading(_ text: String, level: Int = 2) {
        let l = min(max(level, 2), 4)
        parts.append("<h\(l)>\(HTMLText.escape(text))</h\(l)>")
    }

    /// A paragraph; `tone` colours it (a verdict, a warning).
    public mutating func paragraph(_ text: String, tone: HTMLTone = .neutral) {
        parts.append(tone == .neutral ? "<p>\(HTMLText.escape(text))</p>" : "<p class=\"tone-\(tone.rawValue)\">\(HTMLText.escape(text))</p>")
    }

    /// A bulleted list.
    public mutating func list(_ items: [String]) {
        guard !items.isEmpty else { return }
        parts.append("<ul>\n" + items.map { "<li>\(HTMLText.escape($0))</li>\n" }.joined() + "</ul>")
    }

    /// A row of large figures with a label and a note each (the page's headline numbers).
    public mutating func keyFigures(_ figures: [KeyFigure]) {
        guard !figures.isEmpty else { return }
        var out = "<div class=\"figures\">\n"
        for f in figures {
            out += "<div class=\"figure tone-\(f.tone.rawValue)\"><div class=\"label\">\(HTMLText.escape(f.label))</div>"
            out += "<div class=\"value\">\(HTMLText.escape(f.value))</div>"
            if let note = f.note { out += "<div class=\"note\">\(HTMLText.escape(note))</div>" }
            out += "</div>\n"
        }
        parts.append(out + "</div>")
    }

    /// Charts side by side (one per row on a narrow screen), each with a caption above it.
    public mutating func charts(_ charts: [(caption: String, chart: HTMLMarkup)]) {
        guard !charts.isEmpty else { return }
        var out = "<div class=\"charts\">\n"
        for c in charts {
            out += "<figure><figcaption>\(HTMLText.escape(c.caption))</figcaption>\n\(c.chart.html)\n</figure>\n"
        }
        parts.append(out + "</div>")
    }

    /// One chart across the page.
    public mutating func chart(_ chart: HTMLMarkup, caption: String) {
        parts.append("<figure class=\"wide\"><figcaption>\(HTMLText.escape(caption))</figcaption>\n\(chart.html)\n</figure>")
    }

    /// A table.
    public mutating func table(_ table: HTMLTable) { parts.append(table.markup.html) }

    /// Content folded away under a summary line.
    public mutating func details(summary: String, _ content: HTMLMarkup) {
        parts.append("<details><summary>\(HTMLText.escape(summary))</summary>\n\(content.html)\n</details>")
    }

    /// Markup built elsewhere by the kits.
    public mutating func append(_ markup: HTMLMarkup) { parts.append(markup.html) }

    /// Small print at the end of the page.
    public mutating func footer(_ lines: [String]) {
        parts.append("<footer>\n" + lines.map { "<p>\(HTMLText.escape($0))</p>\n" }.joined() + "</footer>")
    }

    /// The whole page, ending with a line end.
    public func render() -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(HTMLDocument.stylesheet)</style>
        </head>
        <body>
        <main>

        """
        for p in parts { out += p + "\n" }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// The page's CSS: system fonts only, light colours, tables with figures aligned on the right,
    /// print-friendly.
    public static let stylesheet = """
    :root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --band: #f6f8fa; --accent: #0b5cad;
      --good: #1a7f37; --warning: #9a6700; --critical: #cf222e; }
    * { box-sizing: border-box; }
    body { margin: 0; color: var(--ink); background: #fff;
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
    main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
    header { border-bottom: 2px solid var(--ink); margin-bottom: 16px; padding-bottom: 8px; }
    h1 { font-size: 24px; margin: 0 0 6px; }
    h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 15px; margin: 18px 0 6px; }
    h4 { font-size: 14px; margin: 14px 0 4px; }
    p { margin: 6px 0; }
    p.meta { color: var(--muted); margin: 2px 0; }
    ul { margin: 6px 0; padding-left: 22px; }
    .tone-good { color: var(--good); }
    .tone-warning { color: var(--warning); }
    .tone-critical { color: var(--critical); }
    .tone-muted { color: var(--muted); }
    .figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 4px; }
    .figure { flex: 1 1 170px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--band); }
    .figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
    .figure .value { font-size: 22px; font-weight: 600; color: var(--ink); font-variant-numeric: tabular-nums; }
    .figure .note { font-size: 12px; color: var(--muted); }
    .figure.tone-good .value { color: var(--good); }
    .figure.tone-warning .value { color: var(--warning); }
    .figure.tone-critical .value { color: var(--critical); }
    .charts { display: flex; flex-wrap: wrap; gap: 16px; }
    .charts figure { flex: 1 1 480px; min-width: 0; }
    figure { margin: 10px 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
    figcaption { font-weight: 600; margin-bottom: 6px; }
    svg { display: block; max-width: none; font-family: inherit; }
    .table-wrap { overflow-x: auto; margin: 8px 0 12px; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12.5px; }
    caption { text-align: left; font-weight: 600; padding: 4px 0; }
    th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { text-align: left; background: var(--band); font-weight: 600; white-space: nowrap; }
    td { overflow-wrap: break-word; }
    td.nowrap { white-space: nowrap; }
    th.num, td.num { text-align: right; white-space: nowrap; }
    tbody tr:nth-child(even) td { background: #fbfcfd; }
    tr.total td { font-weight: 600; border-top: 2px solid var(--ink); background: #fff; }
    td.tone-critical, td.tone-warning, td.tone-good { font-weight: 600; }
    .badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
    .badge.tone-critical { background: var(--critical); color: #fff; }
    .badge.tone-warning { background: #bf8700; color: #fff; }
    .badge.tone-neutral, .badge.tone-muted { background: var(--muted); color: #fff; }
    .badge.tone-good { background: var(--good); color: #fff; }
    details { margin: 8px 0; }
    summary { cursor: pointer; color: var(--accent); }
    footer { margin-top: 28px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
    @media print { main { max-width: none; padding: 0; } figure, table { break-inside: avoid; } details { display: block; } }

    """
}

/// How a figure, a paragraph or a cell is coloured.
public enum HTMLTone: String, Sendable {
    /// Ink.
    case neutral
    /// Within budget, or an improvement.
    case good
    /// Worth a look.
    case warning
    /// Over budget, or a critical flag.
    case critical
    /// Secondary.
    case muted
}

/// One headline number of a page.
public struct KeyFigure: Sendable {
    /// What the number is ("Spend").
    public var label: String
    /// The number as shown ("$1,234.56").
    public var value: String
    /// A line under it ("+12.0% vs W42").
    public var note: String?
    /// Its colour.
    public var tone: HTMLTone

    /// A key figure.
    public init(_ label: String, _ value: String, note: String? = nil, tone: HTMLTone = .neutral) {
        self.label = label
        self.value = value
        self.note = note
        self.tone = tone
    }
}

/// One table cell: text (escaped), an optional colour, an optional badge style and a tooltip.
public struct HTMLCell: Sendable, ExpressibleByStringLiteral {
    /// The text shown.
    public var text: String
    /// Its colour.
    public var tone: HTMLTone
    /// Shown as a small coloured label (a severity).
    public var badge: Bool
    /// Shown on hover (the exact amount behind a rounded one).
    public var hint: String?

    /// A cell.
    public init(_ text: String, tone: HTMLTone = .neutral, badge: Bool = false, hint: String? = nil) {
        self.text = text
        self.tone = tone
        self.badge = badge
        self.hint = hint
    }

    /// A plain cell.
    public init(stringLiteral value: String) { self.init(value) }
}

/// A table for an ``HTMLDocument``: columns aligned as in the text report, an optional total row.
public struct HTMLTable: Sendable {
    /// Shown above the table.
    public var caption: String?
    /// Titles and alignment (right for figures).
    public var columns: [TextTable.Column]
    /// The body rows.
    public var rows: [[HTMLCell]] = []
    /// A last row set apart (totals).
    public var total: [HTMLCell]?
    /// Columns whose cells never wrap (codes, days).
    public var nowrap: Set<Int> = []

    /// A table with rows of plain text.
    public init(caption: String? = nil, columns: [TextTable.Column], rows: [[String]] = [], total: [String]? = nil) {
        self.caption = caption
        self.columns = columns
        self.rows = rows.map { $0.map { HTMLCell($0) } }
        self.total = total.map { $0.map { HTMLCell($0) } }
    }

    /// Adds a row of plain text.
    public mutating func add(_ cells: [String]) { rows.append(cells.map { HTMLCell($0) }) }

    /// Adds a row of cells.
    public mutating func add(cells: [HTMLCell]) { rows.append(cells) }

    /// The table's markup (inside a wrapper that scrolls sideways when the table is wider than the page).
    public var markup: HTMLMarkup {
        var out = "<div class=\"table-wrap\"><table>\n"
        if let caption { out += "<caption>\(HTMLText.escape(caption))</caption>\n" }
        out += "<thead><tr>"
        for c in columns {
            out += c.align == .right ? "<th class=\"num\">" : "<th>"
            out += HTMLText.escape(c.title) + "</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows { out += line(row, total: false) }
        if let total { out += line(total, total: true) }
        out += "</tbody>\n</table></div>"
        return HTMLMarkup(trusted: out)
    }

    func line(_ cells: [HTMLCell], total: Bool) -> String {
        var out = total ? "<tr class=\"total\">" : "<tr>"
        for (i, c) in columns.enumerated() {
            let cell = i < cells.count ? cells[i] : HTMLCell("")
            var classes: [String] = []
            if c.align == .right { classes.append("num") } else if nowrap.contains(i) { classes.append("nowrap") }
            if cell.tone != .neutral && !cell.badge { classes.append("tone-\(cell.tone.rawValue)") }
            out += classes.isEmpty ? "<td" : "<td class=\"\(classes.joined(separator: " "))\""
            if let hint = cell.hint { out += " title=\"\(HTMLText.escape(hint))\"" }
            out += ">"
            let text = HTMLText.escape(cell.text)
            out += cell.badge ? "<span class=\"badge tone-\(cell.tone.rawValue)\">\(text)</span>" : text
            out += "</td>"
        }
        return out + "</tr>\n"
    }
}
