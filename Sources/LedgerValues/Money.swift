/// An exact amount of US dollars, held as an integer count of picodollars (10⁻¹² USD).
///
/// Every cost in TokenLedger is an integer: a request's cost is `tokens × rate` where the rate is an
/// integer number of picodollars per token (see ``Rate``), and a total is the plain integer sum of its
/// lines. Floating point never touches money. The backing integer is 128 bits wide, so a total never
/// overflows (a single request is bounded far below `Int64.max` picodollars, about $9.2 million).
///
/// Rounding happens once, when an amount is shown: ``formatted(decimals:)`` rounds half to even.
///
///     Money(parsing: "0.00471")!.formatted(decimals: 4)   // "0.0047"
///     Money(parsing: "123.45", scale: 2)                  // cents → $1.2345
public struct Money: Hashable, Comparable, Sendable, AdditiveArithmetic, CustomStringConvertible {
    /// Picodollars per dollar.
    public static let picosPerDollar: Int128 = 1_000_000_000_000
    /// Number of decimal places a ``Money`` holds exactly.
    public static let exactDecimals = 12

    public var picos: Int128

    public init(picos: Int128) { self.picos = picos }
    public init(picos: Int64) { self.picos = Int128(picos) }

    public static let zero = Money(picos: Int128(0))

    /// Whole dollars (for tests and budgets).
    public init(dollars: Int) { picos = Int128(dollars) * Money.picosPerDollar }

    public static func + (a: Money, b: Money) -> Money { Money(picos: a.picos + b.picos) }
    public static func - (a: Money, b: Money) -> Money { Money(picos: a.picos - b.picos) }
    public static prefix func - (a: Money) -> Money { Money(picos: -a.picos) }
    public static func < (a: Money, b: Money) -> Bool { a.picos < b.picos }
    public static func * (a: Money, n: Int) -> Money { Money(picos: a.picos * Int128(n)) }

    public var isNegative: Bool { picos < 0 }

    /// The amount as an `Int64` of picodollars, or nil when it does not fit (storage boundary).
    public var int64Picos: Int64? { Int64(exactly: picos) }

    /// An approximation for statistics and charts only, never for sums.
    public var approximateDollars: Double { Double(picos) / 1e12 }

    /// Parses a decimal text such as `"12"`, `"-0.5"`, `"1.25e-6"`, `"0.0016"` exactly.
    ///
    /// - Parameters:
    ///   - text: the decimal text (an optional sign, digits, an optional fraction and exponent).
    ///   - scale: the power of ten the text is expressed in relative to dollars: 0 for dollars, 2 for
    ///     cents (Anthropic's cost report). The amount is `text / 10^scale` dollars.
    /// - Returns: the amount, or nil when the text is not a number or needs more than 12 decimals
    ///   after scaling and `rounding` is false.
    public init?(parsing text: some StringProtocol, scale: Int = 0, rounding: Bool = true) {
        guard let d = ExactDecimal(parsing: text) else { return nil }
        guard let p = d.scaled(byPowerOfTen: Money.exactDecimals - scale, rounding: rounding) else { return nil }
        self.picos = p
    }

    /// Exact decimal text with all significant digits and at least two decimals: `"1.2345"`, `"-3.00"`.
    /// Used in JSON, where money fields are decimal strings.
    public var exactString: String {
        var s = Money.render(picos: picos, decimals: Money.exactDecimals)
        // Trim trailing zeros but keep at least two decimals.
        while s.hasSuffix("0"), let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) > 3 {
            s.removeLast()
        }
        return s
    }

    /// The amount rounded half to even to `decimals` places: `"1234.57"`.
    public func formatted(decimals: Int = 2) -> String {
        precondition(decimals >= 0 && decimals <= Money.exactDecimals)
        let rounded = Money.roundHalfEven(picos, toDecimals: decimals)
        return Money.render(picos: rounded, decimals: decimals)
    }

    /// The amount rounded half to even to `decimals` places, as picodollars.
    public func rounded(decimals: Int) -> Money {
        Money(picos: Money.roundHalfEven(picos, toDecimals: decimals))
    }

    /// A short human form for tables: `$1,234.57`, and `$0.0042` for sub-cent amounts.
    public func display(grouping: Bool = true) -> String {
        let magnitude = picos < 0 ? -picos : picos
        let decimals = (magnitude != 0 && magnitude < Money.picosPerDollar / 100) ? 4 : 2
        var text = formatted(decimals: decimals)
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        if grouping { text = Money.group(text) }
        return (negative ? "-$" : "$") + text
    }

    /// An amount written in a file (a budget's threshold), with every decimal it was given, and at least as
    /// many as ``display(grouping:)`` shows: `$0.018`, not `$0.02`; `$0.0013`; `$5.00`.
    public func displayAsWritten(grouping: Bool = true) -> String {
        let magnitude = picos < 0 ? -picos : picos
        var decimals = (magnitude != 0 && magnitude < Money.picosPerDollar / 100) ? 4 : 2
        var unit = pow10(Money.exactDecimals - decimals)
        while decimals < Money.exactDecimals && magnitude % unit != 0 {
            decimals += 1
            unit /= 10
        }
        var text = formatted(decimals: decimals)
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        if grouping { text = Money.group(text) }
        return (negative ? "-$" : "$") + text
    }

    public var description: String { display() }

    static func roundHalfEven(_ picos: Int128, toDecimals decimals: Int) -> Int128 {
        let step = pow10(Money.exactDecimals - decimals)
        if step == 1 { return picos }
        let q = picos / step
        let r = picos % step  // same sign as picos
        let twice = (r < 0 ? -r : r) * 2
        var result = q
        if twice > step || (twice == step && q % 2 != 0) {
            result += picos < 0 ? -1 : 1
        }
        return result * step
    }

    static func render(picos: Int128, decimals: Int) -> String {
        let negative = picos < 0
        let magnitude = negative ? -picos : picos
        let whole = magnitude / picosPerDollar
        var fraction = String(magnitude % picosPerDollar)
        fraction = String(repeating: "0", count: exactDecimals - fraction.count) + fraction
        fraction = String(fraction.prefix(decimals))
        let sign = negative && (whole != 0 || fraction.contains(where: { $0 != "0" })) ? "-" : ""
        return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    package static func group(_ text: String) -> String {
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = Array(parts[0])
        var out = ""
        for (i, ch) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return parts.count > 1 ? out + "." + parts[1] : out
    }
}

/// 10ⁿ as a 128-bit integer, for 0 ≤ n ≤ 38.
@inlinable func pow10(_ n: Int) -> Int128 {
    var v: Int128 = 1
    for _ in 0..<n { v *= 10 }
    return v
}

extension Sequence where Element == Money {
    /// The exact sum.
    public func sum() -> Money { reduce(Money.zero, +) }
}

/// A unit price: an integer number of picodollars per token.
///
/// `$3.00 per 1M tokens` is 3,000,000 picodollars per token. Prices finer than one picodollar per
/// token ($0.000001 per 1M) are rounded half to even when a price book is read; that is the only
/// rounding on the pricing path.
public struct Rate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var picosPerToken: Int64
    public init(picosPerToken: Int64) { self.picosPerToken = picosPerToken }
    public static let zero = Rate(picosPerToken: 0)
    public static func < (a: Rate, b: Rate) -> Bool { a.picosPerToken < b.picosPerToken }

    /// Parses a price in dollars per one million tokens (`"3"`, `"0.075"`).
    public init?(perMillion text: some StringProtocol) {
        guard let d = ExactDecimal(parsing: text), !d.isNegative,
              let p = d.scaled(byPowerOfTen: 6, rounding: true), let v = Int64(exactly: p) else { return nil }
        picosPerToken = v
    }

    /// Parses a price in dollars per token (`"3e-06"`, LiteLLM's unit).
    public init?(perToken text: some StringProtocol) {
        guard let d = ExactDecimal(parsing: text), !d.isNegative,
              let p = d.scaled(byPowerOfTen: 12, rounding: true), let v = Int64(exactly: p) else { return nil }
        picosPerToken = v
    }

    /// Dollars per one million tokens, exact: `"3.00"`, `"0.075"`.
    public var perMillionString: String {
        Money(picos: Int128(picosPerToken) * 1_000_000).exactString
    }

    public var description: String { "$" + perMillionString + "/M" }

    /// The cost of `tokens` tokens at this rate, or nil on overflow.
    public func cost(of tokens: Int64) -> Int64? {
        let (v, o) = tokens.multipliedReportingOverflow(by: picosPerToken)
        return o ? nil : v
    }

    /// This rate scaled by `numerator / denominator`, rounded half to even.
    public func scaled(_ numerator: Int64, _ denominator: Int64) -> Rate {
        precondition(denominator > 0)
        let n = Int128(picosPerToken) * Int128(numerator)
        let d = Int128(denominator)
        var q = n / d
        let r = n % d
        if r * 2 > d || (r * 2 == d && q % 2 != 0) { q += 1 }
        return Rate(picosPerToken: Int64(clamping: q))
    }
}

/// A decimal number parsed from text without floating point: `digits × 10^exponent`.
public struct ExactDecimal: Sendable, Equatable {
    public var isNegative: Bool
    /// Significant digits, without leading zeros; at most 36 of them are kept exactly.
    public var digits: [UInt8]
    public var exponent: Int

    /// Parses `-12.50`, `3e-06`, `1.2E+3`, `.5`, `+7`. Rejects `NaN`, `Infinity`, empty text, stray
    /// characters and more than 36 significant digits.
    public init?(parsing text: some StringProtocol) {
        var utf8 = Array(text.utf8)
        // Trim ASCII whitespace.
        while let f = utf8.first, f == 0x20 || f == 0x09 { utf8.removeFirst() }
        while let l = utf8.last, l == 0x20 || l == 0x09 { utf8.removeLast() }
        self.init(bytes: utf8[...])
    }

    public init?(bytes: ArraySlice<UInt8>) {
        var i = bytes.startIndex
        let end = bytes.endIndex
        var negative = false
        if i < end, bytes[i] == 0x2D || bytes[i] == 0x2B { negative = bytes[i] == 0x2D; i += 1 }
        var digits: [UInt8] = []
        var exponent = 0
        var sawDigit = false
        var sawDot = false
        while i < end {
            let c = bytes[i]
            if c >= 0x30 && c <= 0x39 {
                sawDigit = true
                if !(digits.isEmpty && c == 0x30) { digits.append(c - 0x30) }
                if sawDot { exponent -= 1 }
                if digits.count > 36 { return nil }
            } else if c == 0x2E && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i < end, bytes[i] == 0x65 || bytes[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < end, bytes[i] == 0x2D || bytes[i] == 0x2B { expNegative = bytes[i] == 0x2D; i += 1 }
            var e = 0
            var sawExpDigit = false
            while i < end, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                e = e * 10 + Int(bytes[i] - 0x30)
                if e > 10_000 { return nil }
                sawExpDigit = true
                i += 1
            }
            guard sawExpDigit else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == end else { return nil }
        self.isNegative = negative && !digits.isEmpty
        self.digits = digits
        self.exponent = exponent
    }

    /// The value times `10^power` as an integer. When digits remain below the unit, the value is
    /// rounded half to even if `rounding` is true, otherwise nil. Nil on overflow.
    public func scaled(byPowerOfTen power: Int, rounding: Bool) -> Int128? {
        if digits.isEmpty { return 0 }
        let shift = exponent + power  // value = digits × 10^shift in the target unit
        var v: Int128 = 0
        if shift >= 0 {
            if digits.count + shift > 37 { return nil }
            for d in digits { v = v * 10 + Int128(d) }
            for _ in 0..<shift { v *= 10 }
        } else {
            let keep = digits.count + shift  // digits that stay above the unit
            if keep > 37 { return nil }
            var dropped: ArraySlice<UInt8> = []
            if keep > 0 {
                for d in digits[0..<keep] { v = v * 10 + Int128(d) }
                dropped = digits[keep...]
            } else {
                dropped = ArraySlice(Array(repeating: 0, count: -keep) + digits)
            }
            if dropped.contains(where: { $0 != 0 }) {
                guard rounding else { return nil }
                let first = dropped.first!
                let restNonZero = dropped.dropFirst().contains(where: { $0 != 0 })
                if first > 5 || (first == 5 && (restNonZero || v % 2 != 0)) { v += 1 }
            }
        }
        return isNegative ? -v : v
    }

    /// The value as an exact integer, or nil when it has a fractional part or overflows `Int64`.
    public var exactInt64: Int64? {
        guard let v = scaled(byPowerOfTen: 0, rounding: false) else { return nil }
        return Int64(exactly: v)
    }
}
