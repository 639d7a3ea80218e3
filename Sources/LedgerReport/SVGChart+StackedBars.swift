import LedgerAnalysis
import LedgerPricing
import LedgerValues

extension SVGChart {
    /// Vertical bars, each a stack of series (spend by tier per day), with an optional horizontal
    /// reference line (a daily budget). Bars are grouped by their `group` (the previous period and this
    /// one): a divider and a caption mark each group, and bars marked `muted` are drawn lighter.
    ///
    ///     let chart = SVGChart.StackedBars(
    ///         title: "Daily spend by tier", series: ["premium", "economy"],
    ///         bars: [.init(label: "10-19", values: [12.5, 3.1], group: "this week")],
    ///         reference: .init(value: 20, label: "daily budget $20.00"))
    ///     chart.render().html   // "<svg viewBox=\"0 0 960 …\" …>…</svg>"
    public struct StackedBars: Sendable {
        /// One bar.
        public struct Bar: Sendable {
            /// Under the bar (a day: `10-19`).
            public var label: String
            /// One value per series, bottom to top; negative values count as zero.
            public var values: [Double]
            /// Consecutive bars with the same group share a caption.
            public var group: String
            /// Drawn lighter (the comparison period).
            public var muted: Bool
            /// Shown on hover over the bar, before each segment's own line (the day and its total).
            public var tooltip: String?
            /// The hover text of each segment (the exact amounts); defaults to the series name and value.
            public var segmentTooltips: [String]?

            /// A bar.
            public init(label: String, values: [Double], group: String = "", muted: Bool = false, tooltip: String? = nil,
                        segmentTooltips: [String]? = nil) {
                self.label = label
                self.values = values
                self.group = group
                self.muted = muted
                self.tooltip = tooltip
                self.segmentTooltips = segmentTooltips
            }
        }

        /// A horizontal line across the plot (a budget).
        public struct Reference: Sendable {
            /// Its height in the chart's values.
            public var value: Double
            /// Its legend entry.
            public var label: String

            /// A reference line.
            public init(value: Double, label: String) {
                self.value = value
                self.label = label
            }
        }

        /// The chart's accessible name.
        public var title: String
        /// The series names, bottom of the stack first.
        public var series: [String]
        /// The bars, left to right.
        public var bars: [Bar]
        /// A line across the plot, or nil.
        public var reference: Reference?
        /// How values are written.
        public var format: ValueFormat
        /// The width of the view box.
        public var width: Double
        /// The height of the plot area.
        public var plotHeight: Double
        /// Series colours by name (others come from ``SVGChart/palette`` in series order).
        public var colors: [String: String]

        /// A chart.
        public init(title: String, series: [String], bars: [Bar], reference: Reference? = nil, format: ValueFormat = .dollars,
                    width: Double = 960, plotHeight: Double = 240, colors: [String: String] = [:]) {
            self.title = title
            self.series = series
            self.bars = bars
            self.reference = reference
            self.format = format
            self.width = width
            self.plotHeight = plotHeight
            self.colors = colors
        }

        func color(_ i: Int) -> String { colors[series[i]] ?? SVGChart.color(i) }

        /// The chart as inline SVG.
        public func render() -> HTMLMarkup {
            let totals = bars.map { $0.values.reduce(0) { $0 + max(0, SVGChart.finite($1)) } }
            let referenceValue = reference.map { max(0, SVGChart.finite($0.value)) } ?? 0
            let (top, step) = SVGChart.axis(max: max(totals.max() ?? 0, referenceValue))
            let tickLabels = SVGChart.ticks(from: 0, to: top, step: step).map { format.tick($0, step: step) }
            let left = 12 + (tickLabels.map { SVGChart.textWidth($0) }.max() ?? 20)
            let right = 16.0
            var legendItems = series.indices.map { (name: series[$0], color: color($0), mark: LegendMark.square) }
            if let reference { legendItems.append((reference.label, SVGChart.ink, .dashedLine)) }
            let (legendMarkup, legendHeight) = SVGChart.legend(legendItems, x: left, y: 16, width: width - left - right)
            let groupCaptions = bars.contains { !$0.group.isEmpty }
            let plotTop = 10 + legendHeight + (groupCaptions ? 20 : 4)
            let plotBottom = plotTop + plotHeight
            let plotWidth = width - left - right
            let height = plotBottom + 34

            var out = SVGChart.open(width: width, height: height, title: title)
            out += legendMarkup
            func y(_ value: Double) -> Double { plotBottom - value / top * plotHeight }

            // Grid and axis labels.
            for (i, label) in tickLabels.enumerated() {
                let yy = y(Double(i) * step)
                out += SVGChart.line(x1: left, y1: yy, x2: width - right, y2: yy, color: i == 0 ? SVGChart.muted : SVGChart.grid)
                out += SVGChart.text(label, x: left - 6, y: yy + 4, anchor: "end", size: 11, color: SVGChart.muted)
            }
            guard !bars.isEmpty else {
                out += SVGChart.text("No data", x: left + plotWidth / 2, y: plotTop + plotHeight / 2, anchor: "middle", color: SVGChart.muted)
                return HTMLMarkup(trusted: out + "</svg>")
            }

            let slot = plotWidth / Double(bars.count)
            let barWidth = max(1, slot * 0.72)
            // Day labels: every bar when they fit, else every k-th.
            let labelWidth = (bars.map { SVGChart.textWidth($0.label, size: 11) }.max() ?? 0) + 6
            let every = max(1, Int((labelWidth / slot).rounded(.up)))

            var groupStart = 0
            for (i, bar) in bars.enumerated() {
                let x = left + Double(i) * slot + (slot - barWidth) / 2
                var base = 0.0
                var segments = ""
                for (s, raw) in bar.values.enumerated() where s < series.count {
                    let value = max(0, SVGChart.finite(raw))
                    guard value > 0 else { continue }
                    let tip = (bar.tooltip.map { $0 + "\n" } ?? "")
                        + (bar.segmentTooltips.flatMap { s < $0.count ? $0[s] : nil } ?? "\(series[s]): \(format.label(value))")
                    segments += SVGChart.rect(x: x, y: y(base + value), width: barWidth, height: y(base) - y(base + value),
                                              fill: color(s), opacity: bar.muted ? 0.5 : nil, tooltip: tip)
                    base += value
                }
                out += segments
                if i % every == 0 {
                    out += SVGChart.text(bar.label, x: x + barWidth / 2, y: plotBottom + 15, anchor: "middle", size: 11,
                                         color: bar.muted ? SVGChart.muted : SVGChart.ink)
                }
                // A group ends here: caption it and draw the divider before the next one.
                let last = i == bars.count - 1 || bars[i + 1].group != bar.group
                if last {
                    if !bar.group.isEmpty {
                        let from = left + Double(groupStart) * slot
                        let to = left + Double(i + 1) * slot
                        let caption = SVGChart.shortened(bar.group, to: max(4, Int((to - from) / (SVGChart.fontSize * 0.6))))
                        out += SVGChart.text(caption, x: (from + to) / 2, y: plotTop - 6, anchor: "middle", size: 11,
                                             color: SVGChart.muted, weight: "600")
                    }
                    if i < bars.count - 1 {
                        let xx = left + Double(i + 1) * slot
                        out += SVGChart.line(x1: xx, y1: plotTop - 2, x2: xx, y2: plotBottom, color: SVGChart.muted, dash: "2 3")
                    }
                    groupStart = i + 1
                }
            }
            if reference != nil, referenceValue > 0 {
                let yy = y(referenceValue)
                out += SVGChart.line(x1: left, y1: yy, x2: width - right, y2: yy, color: SVGChart.ink, width: 1.5, dash: "6 4")
            }
            return HTMLMarkup(trusted: out + "</svg>")
        }
    }
}
