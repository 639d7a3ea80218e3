import Foundation
import LedgerPricing
import LedgerValues

/// The statistics behind the audit's flags (`METHODS.md` §B). Not money: these work in `Double`.
public enum Statistics {
    /// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; relative error below 1e-15).
    public static func logGamma(_ x: Double) -> Double {
        if x < 0.5 {
            return log(Double.pi / sin(Double.pi * x)) - logGamma(1 - x)
        }
        let g = 7.0
        let c: [Double] = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                           -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                           1.5056327351493116e-7]
        let z = x - 1
        var a = c[0]
        let t = z + g + 0.5
        for i in 1..<9 { a += c[i] / (z + Double(i)) }
        return 0.5 * log(2 * Double.pi) + (z + 0.5) * log(t) - t + log(a)
    }

    /// The regularized incomplete beta function I_x(a, b).
    public static func incompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log(1 - x)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * betaContinuedFraction(a, b, x) / a
        }
        return 1 - exp(lnFront) * betaContinuedFraction(b, a, 1 - x) / b
    }

    /// Lentz's method for the continued fraction of I_x(a, b).
    static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            var aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// P(X ≥ x) for X ~ Binomial(n, p): the exact one-sided p-value of x successes in n trials when the
    /// true rate is p. `binomialUpperTail(3, 15, 0.1)` is 0.184061069…
    public static func binomialUpperTail(_ x: Int, _ n: Int, _ p: Double) -> Double {
        if x <= 0 { return 1 }
        if x > n { return 0 }
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        return incompleteBeta(Double(x), Double(n - x + 1), p)
    }

    /// The lower end of the Wilson score interval for x successes in n trials (`z` 1.645: one-sided 95%).
    public static func wilsonLowerBound(_ x: Int, _ n: Int, z: Double = 1.645) -> Double {
        guard n > 0 else { return 0 }
        let nn = Double(n), p = Double(x) / nn, z2 = z * z
        let centre = p + z2 / (2 * nn)
        let spread = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return max(0, (centre - spread) / (1 + z2 / nn))
    }

    /// Benjamini–Hochberg adjusted p-values (q-values), in the order given.
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let m = p.count
        guard m > 0 else { return [] }
        let order = p.indices.sorted { p[$0] < p[$1] }
        var q = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, p[i] * Double(m) / Double(rank))
            q[i] = min(1, running)
        }
        return q
    }

    /// P(T > t) for Student's t with `df` degrees of freedom.
    public static func studentTUpperTail(_ t: Double, df: Double) -> Double {
        guard df > 0, t.isFinite else { return t > 0 ? 0 : 1 }
        let x = df / (df + t * t)
        let tail = 0.5 * incompleteBeta(df / 2, 0.5, x)
        return t >= 0 ? tail : 1 - tail
    }

    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// Median absolute deviation.
    public static func mad(_ values: [Double]) -> Double {
        let m = median(values)
        return median(values.map { abs($0 - m) })
    }

    /// The modified z-score of `x` against `history` (Iglewicz–Hoaglin): 0.6745 (x − median) / MAD.
    /// When MAD is 0, 1.253314 × the mean absolute deviation stands in (and 0 when that is 0 too).
    public static func modifiedZ(_ x: Double, history: [Double]) -> Double {
        let m = median(history)
        let spread = mad(history)
        if spread == 0 {
            let meanAbs = history.isEmpty ? 0 : history.map { abs($0 - m) }.reduce(0, +) / Double(history.count)
            guard meanAbs > 0 else { return x == m ? 0 : (x > m ? .infinity : -.infinity) }
            return (x - m) / (1.253314 * meanAbs)
        }
        return 0.6745 * (x - m) / spread
    }

    /// Mean and sample standard deviation from sums (n, Σx, Σx²).
    public static func meanAndDeviation(n: Double, sum: Double, sumOfSquares: Double) -> (mean: Double, sd: Double) {
        guard n > 0 else { return (0, 0) }
        let mean = sum / n
        guard n > 1 else { return (mean, 0) }
        let variance = max(0, (sumOfSquares - sum * sum / n) / (n - 1))
        return (mean, variance.squareRoot())
    }
}

/// A month-end spend forecast weighted by day of week (`METHODS.md` §B).
///
/// Weights w_g are the mean spend on weekday g divided by the mean daily spend over the history (they
/// add up to 7). With S spent over the elapsed days, base = S / Σ_elapsed w and the forecast is
/// S + base × Σ_remaining w. The cap is reached on the first day where the running forecast passes it.
public struct BurnForecast: Sendable, Equatable {
    public var spent: Double
    public var forecast: Double
    /// A ±1.645σ band around the forecast (σ from the residual spread of the history), in dollars.
    public var low: Double
    public var high: Double
    /// The day of the month (1-based, fractional) on which the cap would be reached; nil if not this month.
    public var capDay: Double?

    /// - Parameters:
    ///   - dailySpend: spend of each elapsed day of the month, in order (day 1 first).
    ///   - firstWeekday: ISO weekday (1 = Monday) of day 1.
    ///   - daysInMonth: length of the month.
    ///   - weights: weight per ISO weekday (index 0 = Monday), summing to 7; nil for a linear forecast.
    ///   - sigma: standard deviation of a weighted day's spend around its expectation, in dollars.
    public static func make(dailySpend: [Double], firstWeekday: Int, daysInMonth: Int, weights: [Double]?,
                            cap: Double?, sigma: Double = 0) -> BurnForecast {
        let w = weights ?? Array(repeating: 1, count: 7)
        func weight(_ day: Int) -> Double { w[(firstWeekday - 1 + day - 1) % 7] }
        let elapsed = dailySpend.count
        let spent = dailySpend.reduce(0, +)
        let elapsedWeight = (1...max(1, elapsed)).prefix(elapsed).map(weight).reduce(0, +)
        let base = elapsedWeight > 0 ? spent / elapsedWeight : 0
        var remainingWeight = 0.0, remainingSquares = 0.0
        if elapsed < daysInMonth {
            for d in (elapsed + 1)...daysInMonth {
                remainingWeight += weight(d)
                remainingSquares += weight(d) * weight(d)
            }
        }
        let forecast = spent + base * remainingWeight
        let band = 1.645 * sigma * remainingSquares.squareRoot()
        var capDay: Double?
        if let cap {
            var running = 0.0
            for d in 1...daysInMonth {
                let today = d <= elapsed ? dailySpend[d - 1] : base * weight(d)
                if running + today >= cap && today > 0 {
                    capDay = Double(d - 1) + (cap - running) / today
                    break
                }
                running += today
            }
        }
        return BurnForecast(spent: spent, forecast: forecast, low: max(spent, forecast - band), high: forecast + band,
                            capDay: capDay)
    }

    /// Weekday weights from a history of (ISO weekday, spend) days: mean per weekday / overall mean
    /// daily spend, scaled to add up to 7. Weekdays missing from the history get weight 1.
    public static func weekdayWeights(history: [(weekday: Int, spend: Double)]) -> [Double]? {
        guard history.count >= 7 else { return nil }
        let overall = history.map(\.spend).reduce(0, +) / Double(history.count)
        guard overall > 0 else { return nil }
        var w = [Double](repeating: 1, count: 7)
        for g in 1...7 {
            let days = history.filter { $0.weekday == g }.map(\.spend)
            if !days.isEmpty { w[g - 1] = days.reduce(0, +) / Double(days.count) / overall }
        }
        let total = w.reduce(0, +)
        return total > 0 ? w.map { $0 * 7 / total } : nil
    }
}
