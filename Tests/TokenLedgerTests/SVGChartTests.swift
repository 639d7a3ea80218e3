import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// The chart kit: exact waterfall steps, deterministic markup, escaped text, no broken numbers.
@Suite struct SVGChartTests {
    static func usd(_ s: String) -> Money { Money(parsing: s, rounding: false)! }

    /// A bill that went from $1,000 to $1,234.56: volume up, price down, a new workflow, cache savings.
    static let drivers: [(label: String, amount: Money)] = [
        ("volume", usd("300.00")), ("price book", usd("-120.50")), ("new workflow <agent>", usd("75.06")),
        ("cache hits", usd("-20.00")),
    ]

    static func waterfall(end: Money = usd("1234.56")) -> SVGChart.Waterfall {
        SVGChart.Waterfall(title: "Bill change", startLabel: "2026-W42", start: usd("1000"), drivers: drivers, endLabel: "2026-W43",
                           end: end)
    }

    @Test func waterfallStepsAreExactAndChained() {
        let rows = Self.waterfall().rows
        #expect(rows.map(\.label) == ["2026-W42", "volume", "price book", "new workflow <agent>", "cache hits", "2026-W43"])
        #expect(rows.map(\.kind) == [.total, .increase, .decrease, .increase, .decrease, .total])
        #expect(rows.map(\.valueText) == ["$1,000.00", "+$300.00", "-$120.50", "+$75.06", "-$20.00", "$1,234.56"])
        // Each driver starts where the one before ended, and the last ends at the new total.
        for i in 1..<(rows.count - 1) {
            #expect(rows[i].from == (i == 1 ? rows[0].to : rows[i - 1].to))
        }
        #expect(rows[rows.count - 2].to == Self.usd("1234.56"))
        #expect(rows.last!.from == .zero)
    }

    @Test func aResidualRowClosesTheGapWhenDriversDoNotAddUp() {
        let rows = Self.waterfall(end: Self.usd("1250.00")).rows
        #expect(rows.count == 7)
        #expect(rows[5].label == "other")
        #expect(rows[5].valueText == "+$15.44")
        #expect(rows[5].to == Self.usd("1250.00"))
        // No residual row when they do.
        #expect(!Self.waterfall().rows.contains { $0.label == "other" })
    }

    @Test func waterfallMarkupIsDeterministicEscapedAndWellFormed() throws {
        let a = Self.waterfall().render().html
        let b = Self.waterfall().render().html
        #expect(a == b)
        #expect(a.hasPrefix("<svg viewBox=\"0 0 960 "))
        #expect(a.hasSuffix("</svg>"))
        #expect(a.contains("new workflow &lt;agent&gt;"))
        #expect(!a.contains("<agent>"))
        #expect(a.components(separatedBy: "<rect ").count - 1 == 6)
        // Red for what adds to the bill, green for what takes away, blue totals.
        #expect(a.components(separatedBy: "fill=\"\(SVGChart.increase)\"").count - 1 == 2)
        #expect(a.components(separatedBy: "fill=\"\(SVGChart.decrease)\"").count - 1 == 2)
        #expect(a.components(separatedBy: "fill=\"\(SVGChart.totalColor)\"").count - 1 == 2)
        // A change of a quarter of the total: the axis is zoomed and says so.
        #expect(a.contains("The axis starts at"))
        try expectFixedDecimals(a)
        try expectWellFormed(a)
    }

    @Test func aWaterfallWithANegativeRunningTotalKeepsZeroOnTheAxis() throws {
        let w = SVGChart.Waterfall(title: "t", startLabel: "before", start: Self.usd("10"),
                                   drivers: [("refund", Self.usd("-25")), ("usage", Self.usd("5"))], endLabel: "after", end: Self.usd("-10"))
        let svg = w.render().html
        #expect(!svg.contains("The axis starts at"))
        #expect(svg.contains(">-$10.00</text>"))
        try expectFixedDecimals(svg)
        try expectWellFormed(svg)
    }

    @Test func emptyAndDegenerateChartsStillRender() throws {
        let empty = SVGChart.Waterfall(title: "t", startLabel: "a", start: .zero, drivers: [], endLabel: "b", end: .zero).render().html
        try expectWellFormed(empty)
        let bars = SVGChart.StackedBars(title: "t", series: [], bars: []).render().html
        #expect(bars.contains("No data"))
        try expectWellFormed(bars)
        let weird = SVGChart.StackedBars(title: "t", series: ["a", "b"], bars: [
            .init(label: "x", values: [.nan, .infinity]), .init(label: "y", values: [-5, 3]), .init(label: "z", values: [1]),
        ], reference: .init(value: .nan, label: "n")).render().html
        try expectFixedDecimals(weird)
        try expectWellFormed(weird)
        // Amounts far apart in size: a change of a dollar on 10²⁰ dollars, the largest money there is.
        let huge = Money(picos: pow10(32))
        let cases: [(Money, Money)] = [(huge, Money(dollars: 1)), (Money(picos: Int128.max / 4), Money(picos: Int128.max / 4)),
                                       (Money(picos: Int128.min / 4), Money(picos: Int128(1)))]
        for (start, change) in cases {
            let w = SVGChart.Waterfall(title: "t", startLabel: "a", start: start, drivers: [(label: "x", amount: change)], endLabel: "b",
                                       end: start + change)
            try expectFixedDecimals(w.render().html)
            try expectWellFormed(w.render().html)
        }
        let extremes = SVGChart.StackedBars(title: "t", series: ["a"], bars: [.init(label: "x", values: [1e300]), .init(label: "y", values: [1e-300])])
        try expectWellFormed(extremes.render().html)
        #expect(SVGChart.ticks(from: 0, to: 1e300, step: 1e-300).count == 41)
        #expect(SVGChart.ticks(from: 1, to: 0, step: 1).isEmpty)
        let h = SVGChart.HorizontalBars(title: "t", rows: [.init(label: "a", value: .nan, valueText: "?", target: -.infinity)]).render().html
        try expectFixedDecimals(h)
        try expectWellFormed(h)
    }

    @Test func stackedBarsDrawEverySegmentWithItsTooltipAndTheBudgetLine() throws {
        let chart = SVGChart.StackedBars(
            title: "Daily <spend>", series: ["premium", "economy"],
            bars: [.init(label: "10-12", values: [12.5, 2.5], group: "W42", muted: true, tooltip: "2026-10-12: $15.00"),
                   .init(label: "10-19", values: [30, 0], group: "W43", segmentTooltips: ["premium: $30.00", "economy: $0.00"])],
            reference: .init(value: 20, label: "daily budget $20.00"))
        let svg = chart.render().html
        #expect(svg.contains("aria-label=\"Daily &lt;spend&gt;\""))
        #expect(svg.contains("<title>2026-10-12: $15.00\npremium: $12.50</title>"))
        #expect(svg.contains("<title>premium: $30.00</title>"))
        #expect(!svg.contains("economy: $0.00"))  // a zero segment is not drawn
        #expect(svg.contains("stroke-dasharray=\"6 4\""))  // the budget line
        #expect(svg.contains("fill-opacity=\"0.5\""))  // the comparison period, lighter
        #expect(svg.contains(">W42</text>") && svg.contains(">W43</text>"))
        try expectFixedDecimals(svg)
        try expectWellFormed(svg)
    }

    @Test func horizontalBarsColourByTarget() throws {
        let svg = SVGChart.HorizontalBars(title: "Fallback rate", rows: [
            .init(label: "faq", value: 0.16, valueText: "16.0%", target: 0.11),
            .init(label: "extract", value: 0.05, valueText: "5.0%", target: 0.07),
            .init(label: "agent", value: 0.02, valueText: "2.0%"),
        ], format: .percent(decimals: 0), markerLabel: "budget", flagOverTarget: true).render().html
        #expect(svg.contains(">within budget</text>") && svg.contains(">over budget</text>") && svg.contains(">no budget</text>"))
        #expect(svg.contains(">20%</text>"))
        #expect(svg.components(separatedBy: "fill=\"\(SVGChart.increase)\"").count - 1 == 2)  // legend + faq
        try expectFixedDecimals(svg)
        try expectWellFormed(svg)
    }

    @Test func valueFormats() {
        #expect(SVGChart.ValueFormat.dollars.tick(1500, step: 500) == "$1,500")
        #expect(SVGChart.ValueFormat.dollars.tick(2500, step: 2500) == "$2.5k")
        #expect(SVGChart.ValueFormat.dollars.tick(2.5, step: 2.5) == "$2.5")
        #expect(SVGChart.ValueFormat.dollars.tick(0, step: 2.5) == "$0")
        #expect(SVGChart.ValueFormat.dollars.tick(0.05, step: 0.05) == "$0.05")
        #expect(SVGChart.ValueFormat.percent(decimals: 0).tick(0.025, step: 0.025) == "2.5%")
        #expect(SVGChart.ValueFormat.percent(decimals: 1).label(0.1234) == "12.3%")
        #expect(SVGChart.ValueFormat.count.label(1_234_567) == "1,234,567")
        #expect(SVGChart.ValueFormat.dollars.label(.nan) == "$0")
        #expect(SVGChart.niceStep(7.3) == 2)
        #expect(SVGChart.axis(max: 470).top == 500)
        #expect(SVGChart.n(12.345) == "12.3" && SVGChart.n(-0.04) == "0" && SVGChart.n(3) == "3")
    }

    /// Every number in an attribute has at most one decimal and none is NaN or infinite.
    func expectFixedDecimals(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pattern = try NSRegularExpression(pattern: " (?:x|y|x1|y1|x2|y2|width|height|font-size|stroke-width|fill-opacity)=\"([^\"]*)\"")
        let ns = svg as NSString
        let matches = pattern.matches(in: svg, range: NSRange(location: 0, length: ns.length))
        #expect(!matches.isEmpty, sourceLocation: sourceLocation)
        let number = try NSRegularExpression(pattern: "^-?[0-9]+(\\.[0-9])?$")
        for m in matches {
            let v = ns.substring(with: m.range(at: 1))
            #expect(number.firstMatch(in: v, range: NSRange(location: 0, length: (v as NSString).length)) != nil,
                    "attribute value \(v)", sourceLocation: sourceLocation)
        }
    }

    /// The SVG parses as XML (so tags are balanced and text is escaped).
    func expectWellFormed(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { String(describing: $0) } ?? "")", sourceLocation: sourceLocation)
    }
}
