import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Inline SVG charts for the HTML reports: ``StackedBars`` (daily spend by tier with a budget line),
/// ``HorizontalBars`` (one bar per row with a target marker) and ``Waterfall`` (a total, the drivers of
/// its change, the new total).
///
/// The output is deterministic: the same data gives the same bytes. Every coordinate is written with
/// one decimal, every value label is formatted with fixed decimals, and every piece of text is escaped.
/// Doubles are used for pixel geometry only; money labels come from ``Money`` itself. Values that are
/// not finite are drawn as zero. The SVG has a `viewBox` and no fixed size, so it scales with the page.
public enum SVGChart {
    /// How values are written on axes and labels.
    public enum ValueFormat: Sendable, Equatable {
        /// US dollars: `$1,234`, `$12.50`, `$0.042`; axes in compact form (`$1.5k`).
        case dollars
        /// A ratio shown as a percentage with `decimals` places (`0.125` → `12.5%`).
        case percent(decimals: Int)
        /// A plain number with grouping (`12,345`).
        case count

        /// The label of a value.
        public func label(_ v: Double) -> String {
            let v = SVGChart.finite(v)
            switch self {
            case .dollars:
                let a = abs(v)
                let sign = v < 0 ? "-" : ""
                let decimals = a == 0 ? 0 : (a < 0.1 ? 4 : (a < 100 ? 2 : 0))
                return sign + "$" + SVGChart.grouped(formatDecimal(a, decimals: decimals))
            case .percent(let decimals):
                return formatDecimal(v * 100, decimals: decimals) + "%"
            case .count:
                return SVGChart.grouped(formatDecimal(v, decimals: 0))
            }
        }

        /// An axis tick: compact, with as many decimals as the tick step needs.
        public func tick(_ v: Double, step: Double) -> String {
            let v = SVGChart.finite(v)
            switch self {
            case .dollars:
                let a = abs(v)
                let sign = v < 0 ? "-" : ""
                if step >= 1000 { return sign + "$" + SVGChart.trimmed(formatDecimal(a / 1000, decimals: step >= 10_000 ? 0 : 1)) + "k" }
                // Whole dollars without decimals ($0, $5), others with what the step needs ($2.5, $0.05).
                let whole = a.rounded() == a
                return sign + "$" + SVGChart.grouped(formatDecimal(a, decimals: whole ? 0 : SVGChart.decimals(for: step)))
            case .percent:
                return formatDecimal(v * 100, decimals: SVGChart.decimals(for: step * 100)) + "%"
            case .count:
                return SVGChart.grouped(formatDecimal(v, decimals: SVGChart.decimals(for: step)))
            }
        }
    }

    /// Series colours, in order (colour-blind-safe Tableau 10).
    public static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                                 "#9c755f", "#bab0ac"]

    /// The colour of series `i`.
    public static func color(_ i: Int) -> String { palette[((i % palette.count) + palette.count) % palette.count] }

    static let ink = "#1f2328"
    static let muted = "#59636e"
    static let grid = "#e4e8ec"
    static let increase = "#cf222e"
    static let decrease = "#1a7f37"
    static let totalColor = "#4e79a7"
    static let fontSize = 12.0

    /// A coordinate or length with one decimal (`12.3`, `-0.5`, `0`).
    static func n(_ v: Double) -> String {
        let s = formatDecimal(finite(v), decimals: 1)
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    static func finite(_ v: Double) -> Double { v.isFinite ? v : 0 }

    /// `1234567.5` → `1,234,567.5`.
    static func grouped(_ text: String) -> String {
        var s = Substring(text)
        var sign = ""
        if s.hasPrefix("-") { sign = "-"; s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0])
        var out = ""
        for (i, ch) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return sign + out + (parts.count > 1 ? "." + parts[1] : "")
    }

    static func trimmed(_ s: String) -> String { s.hasSuffix(".0") ? String(s.dropLast(2)) : s }

    /// Decimals needed to write multiples of `step` exactly enough.
    static func decimals(for step: Double) -> Int {
        var d = 0
        var s = abs(step)
        while s > 0 && s < 1 && d < 6 {
            s *= 10
            d += 1
        }
        if s - s.rounded(.down) > 1e-9 && d < 6 { d += 1 }
        return d
    }

    /// A tick step of 1, 2, 2.5 or 5 times a power of ten that divides `span` into at most `count` parts.
    static func niceStep(_ span: Double, count: Int = 5) -> Double {
        let span = finite(span)
        guard span > 0 else { return 1 }
        let raw = span / Double(max(1, count))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    /// The top of an axis that starts at zero and holds `maxValue`: a whole number of steps.
    static func axis(max maxValue: Double, count: Int = 5) -> (top: Double, step: Double) {
        let m = finite(maxValue)
        guard m > 0 else { return (1, 0.25) }
        let step = niceStep(m, count: count)
        let steps = min(100, max(1, (m / step - 1e-9).rounded(.up)))
        return (steps * step, step)
    }

    /// `low`, `low + step`, … up to `high` (at most 40 ticks; none when the numbers make no sense).
    static func ticks(from low: Double, to high: Double, step: Double) -> [Double] {
        guard low.isFinite, high.isFinite, step.isFinite, step > 0, high >= low else { return [] }
        let n = ((high - low) / step + 1e-9).rounded(.down)
        let count = n.isFinite ? Int(min(40, max(0, n))) : 40
        return (0...count).map { low + Double($0) * step }
    }

    /// An estimate of the width of `text` at `size`, bold when `bold` (no font metrics offline: 0.62 em
    /// per character, 0.68 bold, is wide enough for digits and most letters of the common sans-serif
    /// fonts, DejaVu Sans included).
    static func textWidth(_ text: String, size: Double = fontSize, bold: Bool = false) -> Double {
        Double(text.count) * size * (bold ? 0.68 : 0.62)
    }

    /// `text` cut to `limit` characters with an ellipsis.
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    /// An SVG `text` element; `content` is escaped.
    static func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double = fontSize,
                     color: String = ink, weight: String? = nil) -> String {
        var out = "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" fill=\"\(color)\""
        if anchor != "start" { out += " text-anchor=\"\(anchor)\"" }
        if let weight { out += " font-weight=\"\(weight)\"" }
        return out + ">\(HTMLText.escape(content))</text>"
    }

    /// An SVG `rect` with a tooltip (escaped).
    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, opacity: Double? = nil,
                     tooltip: String? = nil) -> String {
        var out = "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, width)))\" height=\"\(n(max(0, height)))\" fill=\"\(fill)\""
        if let opacity { out += " fill-opacity=\"\(n(opacity))\"" }
        guard let tooltip else { return out + "/>" }
        return out + "><title>\(HTMLText.escape(tooltip))</title></rect>"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, color: String, width: Double = 1, dash: String? = nil) -> String {
        var out = "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(color)\" stroke-width=\"\(n(width))\""
        if let dash { out += " stroke-dasharray=\"\(dash)\"" }
        return out + "/>"
    }

    /// The opening `svg` element: a view box drawn at its own size in pixels (so that labels keep one size at
    /// every page width; a figure narrower than the chart scrolls), an accessible name (escaped) and a
    /// description.
    static func open(width: Double, height: Double, title: String) -> String {
        "<svg viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
            + "<title>\(HTMLText.escape(title))</title>"
    }

    /// How a legend entry is drawn.
    enum LegendMark { case square, dashedLine, tick }

    /// A legend row of coloured marks and names starting at (`x`, `y`); returns the markup and the
    /// height it took (it wraps within `width`).
    static func legend(_ items: [(name: String, color: String, mark: LegendMark)], x: Double, y: Double, width: Double) -> (String, Double) {
        var out = ""
        var cx = x
        var cy = y
        for item in items {
            let label = shortened(item.name, to: 64)
            let w = 18 + textWidth(label) + 16
            if cx > x && cx + w > x + width {
                cx = x
                cy += 18
            }
            switch item.mark {
            case .square: out += rect(x: cx, y: cy - 10, width: 12, height: 12, fill: item.color)
            case .dashedLine: out += line(x1: cx, y1: cy - 4, x2: cx + 12, y2: cy - 4, color: item.color, width: 2, dash: "4 3")
            case .tick: out += line(x1: cx + 6, y1: cy - 11, x2: cx + 6, y2: cy + 2, color: item.color, width: 2.5)
            }
            out += text(label, x: cx + 17, y: cy)
            cx += w
        }
        return (out, cy - y + 18)
    }
}
