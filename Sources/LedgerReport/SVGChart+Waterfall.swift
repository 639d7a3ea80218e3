import LedgerAnalysis
import LedgerPricing
import LedgerValues

extension SVGChart {
    /// A bill-change waterfall, one row per bar: the starting total, each driver as a bar that floats
    /// from the running total (red when it adds to the bill, green when it takes away), and the ending
    /// total. When the drivers do not add up to `end − start`, a residual row (``residualLabel``) closes
    /// the gap, so the chart always adds up.
    ///
    /// When the change is small beside the totals, the value axis starts above zero so that the drivers
    /// stay visible; the chart says so under the axis.
    ///
    ///     let chart = SVGChart.Waterfall(
    ///         title: "Bill change", start: .init(label: "W42", amount: Money(dollars: 100)),
    ///         drivers: [.init(label: "faq", amount: Money(dollars: 30)), .init(label: "extract", amount: Money(dollars: -10))],
    ///         end: .init(label: "W43", amount: Money(dollars: 120)))
    ///     chart.rows.map(\.label)   // ["W42", "faq", "extract", "W43"]
    public struct Waterfall: Sendable {
        /// A labelled amount: a total or a driver.
        public struct Step: Sendable, Equatable {
            /// The row's name.
            public var label: String
            /// The amount (a total, or a signed change).
            public var amount: Money
            /// Shown on hover; defaults to the label and the amount.
            public var tooltip: String?

            /// A step.
            public init(label: String, amount: Money, tooltip: String? = nil) {
                self.label = label
                self.amount = amount
                self.tooltip = tooltip
            }
        }

        /// One bar of the chart, as drawn.
        public struct Row: Sendable, Equatable {
            /// What the bar is.
            public enum Kind: Sendable, Equatable { case total, increase, decrease }
            /// The row's name.
            public var label: String
            /// Its kind.
            public var kind: Kind
            /// Where the bar starts and ends (a total starts at zero).
            public var from: Money
            /// See ``from``.
            public var to: Money
            /// The amount written beside the bar (`$1,234.56`, `+$12.30`, `-$4.10`).
            public var valueText: String
            /// Shown on hover.
            public var tooltip: String
        }

        /// The chart's accessible name.
        public var title: String
        /// The total before.
        public var start: Step
        /// The changes, in the order to draw them.
        public var drivers: [Step]
        /// The total after.
        public var end: Step
        /// The name of the row that closes a gap between the drivers and the totals.
        public var residualLabel: String
        /// The width of the view box.
        public var width: Double

        /// A waterfall.
        public init(title: String, start: Step, drivers: [Step], end: Step, residualLabel: String = "other",
                    width: Double = 960) {
            self.title = title
            self.start = start
            self.drivers = drivers
            self.end = end
            self.residualLabel = residualLabel
            self.width = width
        }

        /// A waterfall from labelled amounts.
        public init(title: String, startLabel: String, start: Money, drivers: [(label: String, amount: Money)],
                    endLabel: String, end: Money, residualLabel: String = "other", width: Double = 960) {
            self.init(title: title, start: Step(label: startLabel, amount: start),
                      drivers: drivers.map { Step(label: $0.label, amount: $0.amount) },
                      end: Step(label: endLabel, amount: end), residualLabel: residualLabel, width: width)
        }

        static func signed(_ m: Money) -> String { m.isNegative ? m.display() : "+" + m.display() }

        /// The bars in order: the start, every driver (and the residual when one is needed), the end.
        /// Exact: each driver starts where the previous one ended, and the last one ends at `end`.
        public var rows: [Row] {
            var out: [Row] = [Row(label: start.label, kind: .total, from: .zero, to: start.amount, valueText: start.amount.display(),
                                  tooltip: start.tooltip ?? "\(start.label): \(start.amount.display())")]
            var running = start.amount
            var steps = drivers
            let residual = end.amount - start.amount - drivers.map(\.amount).sum()
            if residual != .zero { steps.append(Step(label: residualLabel, amount: residual)) }
            for s in steps {
                let next = running + s.amount
                out.append(Row(label: s.label, kind: s.amount.isNegative ? .decrease : .increase, from: running, to: next,
                               valueText: Self.signed(s.amount), tooltip: s.tooltip ?? "\(s.label): \(Self.signed(s.amount))"))
                running = next
            }
            out.append(Row(label: end.label, kind: .total, from: .zero, to: end.amount, valueText: end.amount.display(),
                           tooltip: end.tooltip ?? "\(end.label): \(end.amount.display())"))
            return out
        }

        /// The chart as inline SVG.
        public func render() -> HTMLMarkup {
            let rows = self.rows
            let rowHeight = 26.0
            let barHeight = 16.0
            // Geometry in dollars (Double for pixels only).
            let ends = rows.flatMap { [$0.from.approximateDollars, $0.to.approximateDollars] }.map(SVGChart.finite)
            let totals = rows.filter { $0.kind == .total }.map { SVGChart.finite($0.to.approximateDollars) }
            let floating = rows.filter { $0.kind != .total }.flatMap { [$0.from.approximateDollars, $0.to.approximateDollars] }
                .map(SVGChart.finite)
            var low = min(0, ends.min() ?? 0)
            var high = max(0, ends.max() ?? 0)
            // Zoom in when the drivers move little beside totals that are all positive.
            let lowestTotal = totals.min() ?? 0
            let moving = (floating + totals)
            let moveSpan = (moving.max() ?? 0) - (moving.min() ?? 0)
            var zoomed = false
            if lowestTotal > 0, (moving.min() ?? 0) > 0, moveSpan > 0, moveSpan < 0.35 * (moving.max() ?? 0) {
                let step = SVGChart.niceStep(moveSpan * 1.3, count: 5)
                var bottom = ((moving.min() ?? 0) - moveSpan * 0.15) / step
                bottom = bottom.rounded(.down) * step
                if bottom > 0 {
                    low = bottom
                    zoomed = true
                }
            }
            func fit(_ a: Double, _ b: Double) -> (low: Double, high: Double, step: Double) {
                let step = SVGChart.niceStep(b > a ? b - a : 1, count: 5)
                let lo = (a / step).rounded(.down) * step
                var hi = (b / step).rounded(.up) * step
                if hi <= lo { hi = lo + step }
                return (lo, hi, step)
            }
            var axis = fit(low, high)
            if !(axis.high - axis.low > 0) || (axis.high - axis.low) / axis.step > 40 {
                // Amounts too large for the zoom to be drawn apart: an axis from zero.
                zoomed = false
                axis = fit(min(0, ends.min() ?? 0), max(0, ends.max() ?? 0))
                if !(axis.high - axis.low > 0) { axis = (0, 1, 0.25) }
            }
            (low, high) = (axis.low, axis.high)
            let step = axis.step

            let maxLabel = 32
            let left = 8 + max(30, rows.map { SVGChart.textWidth(SVGChart.shortened($0.label, to: maxLabel), bold: $0.kind == .total) }.max() ?? 0)
            let valueColumn = 10 + (rows.map { SVGChart.textWidth($0.valueText, bold: $0.kind == .total) }.max() ?? 40)
            let right = 10.0
            let plotLeft = left + 8
            let plotWidth = max(60, width - right - valueColumn - plotLeft)
            let plotTop = 10.0
            let plotBottom = plotTop + Double(rows.count) * rowHeight
            let height = plotBottom + (zoomed ? 40 : 26)
            func x(_ dollars: Double) -> Double { plotLeft + (SVGChart.finite(dollars) - low) / (high - low) * plotWidth }

            var out = SVGChart.open(width: width, height: height, title: title)
            for t in SVGChart.ticks(from: low, to: high, step: step) {
                let xx = x(t)
                out += SVGChart.line(x1: xx, y1: plotTop, x2: xx, y2: plotBottom, color: abs(t) < step * 1e-9 ? SVGChart.muted : SVGChart.grid)
                out += SVGChart.text(ValueFormat.dollars.tick(t, step: step), x: xx, y: plotBottom + 15, anchor: "middle", size: 11,
                                     color: SVGChart.muted)
            }
            if zoomed {
                out += SVGChart.text("The axis starts at \(ValueFormat.dollars.tick(low, step: step)), not zero, so that the changes show.",
                                     x: plotLeft, y: plotBottom + 32, size: 11, color: SVGChart.muted)
            }
            for (i, row) in rows.enumerated() {
                let yMid = plotTop + (Double(i) + 0.5) * rowHeight
                let a = max(low, min(high, row.from.approximateDollars))
                let b = max(low, min(high, row.to.approximateDollars))
                let x0 = x(min(a, b))
                let x1 = max(x(max(a, b)), x0 + 1.5)
                let fill: String
                switch row.kind {
                case .total: fill = SVGChart.totalColor
                case .increase: fill = SVGChart.increase
                case .decrease: fill = SVGChart.decrease
                }
                out += SVGChart.text(SVGChart.shortened(row.label, to: maxLabel), x: left, y: yMid + 4, anchor: "end",
                                     weight: row.kind == .total ? "600" : nil)
                out += SVGChart.rect(x: x0, y: yMid - barHeight / 2, width: x1 - x0, height: barHeight, fill: fill, tooltip: row.tooltip)
                if i + 1 < rows.count {
                    // Connect this bar's end to the next bar's start.
                    let joint = x(max(low, min(high, row.to.approximateDollars)))
                    out += SVGChart.line(x1: joint, y1: yMid + barHeight / 2, x2: joint, y2: yMid + rowHeight - barHeight / 2,
                                         color: SVGChart.muted, dash: "2 2")
                }
                out += SVGChart.text(row.valueText, x: width - right, y: yMid + 4, anchor: "end", weight: row.kind == .total ? "600" : nil)
            }
            return HTMLMarkup(trusted: out + "</svg>")
        }
    }
}
