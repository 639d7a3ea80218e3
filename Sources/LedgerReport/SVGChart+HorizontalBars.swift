import LedgerAnalysis
import LedgerPricing
import LedgerValues

extension SVGChart {
    /// One horizontal bar per row (a workflow's fallback rate, a model's spend), each with an optional
    /// target marker (its budget, or last period's value) drawn as a vertical tick across the bar. With
    /// `flagOverTarget`, a bar longer than its target is drawn in red and one within it in green.
    ///
    ///     let chart = SVGChart.HorizontalBars(
    ///         title: "Fallback rate", rows: [.init(label: "faq", value: 0.16, valueText: "16.0%", target: 0.11)],
    ///         format: .percent(decimals: 0), markerLabel: "budget", flagOverTarget: true)
    ///     chart.render().html   // "<svg viewBox=\"0 0 480 …\" …>…</svg>"
    public struct HorizontalBars: Sendable {
        /// One row.
        public struct Row: Sendable {
            /// Left of the bar (shortened when long; the whole name is in the tooltip).
            public var label: String
            /// The bar's length in the chart's values; negative counts as zero.
            public var value: Double
            /// Right of the bar (the exact figure as the tables show it).
            public var valueText: String
            /// Where the marker goes, or nil for none.
            public var target: Double?
            /// Shown on hover (defaults to the label, value and target).
            public var tooltip: String?
            /// A low-to-high range drawn as a whisker across the bar (a modelled figure's band), or nil.
            public var range: ClosedRange<Double>?

            /// A row.
            public init(label: String, value: Double, valueText: String, target: Double? = nil, tooltip: String? = nil,
                        range: ClosedRange<Double>? = nil) {
                self.label = label
                self.value = value
                self.valueText = valueText
                self.target = target
                self.tooltip = tooltip
                self.range = range
            }
        }

        /// The chart's accessible name.
        public var title: String
        /// The rows, top to bottom.
        public var rows: [Row]
        /// How axis ticks are written.
        public var format: ValueFormat
        /// The marker's legend entry ("budget", "previous week"); no legend when nil.
        public var markerLabel: String?
        /// Red bars over their target, green within it.
        public var flagOverTarget: Bool
        /// The width of the view box.
        public var width: Double
        /// The bar colour when targets do not colour it.
        public var barColor: String

        /// A chart.
        public init(title: String, rows: [Row], format: ValueFormat = .dollars, markerLabel: String? = nil,
                    flagOverTarget: Bool = false, width: Double = 480, barColor: String = SVGChart.palette[0]) {
            self.title = title
            self.rows = rows
            self.format = format
            self.markerLabel = markerLabel
            self.flagOverTarget = flagOverTarget
            self.width = width
            self.barColor = barColor
        }

        /// The chart as inline SVG.
        public func render() -> HTMLMarkup {
            let rowHeight = 24.0
            let barHeight = 14.0
            let values = rows.map { max(0, SVGChart.finite($0.value)) }
            let targets = rows.compactMap { $0.target.map { max(0, SVGChart.finite($0)) } }
            let highs = rows.compactMap { $0.range.map { max(0, SVGChart.finite($0.upperBound)) } }
            let (top, step) = SVGChart.axis(max: max(values.max() ?? 0, targets.max() ?? 0, highs.max() ?? 0))
            let maxLabel = 28
            let left = 8 + max(30, rows.map { SVGChart.textWidth(SVGChart.shortened($0.label, to: maxLabel)) }.max() ?? 0)
            let valueColumn = 8 + min(SVGChart.textWidth(String(repeating: "0", count: 24)),
                                      rows.map { SVGChart.textWidth($0.valueText) }.max() ?? 0)
            let right = 10.0
            let plotLeft = left + 6
            let plotRight = width - right - valueColumn
            let plotWidth = max(40, plotRight - plotLeft)

            var legendItems: [(name: String, color: String, mark: LegendMark)] = []
            if let markerLabel, !targets.isEmpty {
                if flagOverTarget {
                    legendItems = [("within " + markerLabel, SVGChart.decrease, .square), ("over " + markerLabel, SVGChart.increase, .square)]
                    if rows.contains(where: { $0.target == nil }) { legendItems.append(("no " + markerLabel, barColor, .square)) }
                }
                legendItems.append((markerLabel, SVGChart.ink, .tick))
            }
            let (legendMarkup, legendRows) = legendItems.isEmpty
                ? ("", 0.0) : SVGChart.legend(legendItems, x: plotLeft, y: 16, width: width - right - plotLeft)
            let legendHeight = legendItems.isEmpty ? 0 : legendRows + 4
            let plotTop = 8 + legendHeight
            let plotBottom = plotTop + max(1, Double(rows.count)) * rowHeight
            let height = plotBottom + 26

            var out = SVGChart.open(width: width, height: height, title: title) + legendMarkup
            func x(_ value: Double) -> Double { plotLeft + value / top * plotWidth }
            for tick in SVGChart.ticks(from: 0, to: top, step: step) {
                let xx = x(tick)
                out += SVGChart.line(x1: xx, y1: plotTop, x2: xx, y2: plotBottom, color: tick == 0 ? SVGChart.muted : SVGChart.grid)
                out += SVGChart.text(format.tick(tick, step: step), x: xx, y: plotBottom + 15, anchor: "middle", size: 11,
                                     color: SVGChart.muted)
            }
            if rows.isEmpty {
                out += SVGChart.text("No data", x: plotLeft + plotWidth / 2, y: plotTop + 16, anchor: "middle", color: SVGChart.muted)
            }
            for (i, row) in rows.enumerated() {
                let yMid = plotTop + (Double(i) + 0.5) * rowHeight
                let value = values[i]
                let target = row.target.map { max(0, SVGChart.finite($0)) }
                var fill = barColor
                if flagOverTarget, let target { fill = value > target ? SVGChart.increase : SVGChart.decrease }
                let tip = row.tooltip ?? (row.label + ": " + row.valueText + (target.map { " (\(markerLabel ?? "target") \(format.label($0)))" } ?? ""))
                out += SVGChart.text(SVGChart.shortened(row.label, to: maxLabel), x: left, y: yMid + 4, anchor: "end")
                out += SVGChart.rect(x: plotLeft, y: yMid - barHeight / 2, width: x(value) - plotLeft, height: barHeight, fill: fill,
                                     tooltip: tip)
                if let range = row.range {
                    let lo = x(max(0, SVGChart.finite(range.lowerBound))), hi = x(max(0, SVGChart.finite(range.upperBound)))
                    out += SVGChart.line(x1: lo, y1: yMid, x2: hi, y2: yMid, color: SVGChart.ink, width: 1.5)
                    for end in [lo, hi] { out += SVGChart.line(x1: end, y1: yMid - 5, x2: end, y2: yMid + 5, color: SVGChart.ink, width: 1.5) }
                }
                if let target {
                    let tx = x(target)
                    out += SVGChart.line(x1: tx, y1: yMid - barHeight / 2 - 4, x2: tx, y2: yMid + barHeight / 2 + 4, color: SVGChart.ink,
                                         width: 2.5)
                }
                out += SVGChart.text(row.valueText, x: width - right, y: yMid + 4, anchor: "end")
            }
            return HTMLMarkup(trusted: out + "</svg>")
        }
    }
}
