/// A JSON document built for output, with keys in the order they were added, so that reports are
/// deterministic and read top-down. Money goes in as decimal strings (``Money/exactString``).
public indirect enum JSONOutput: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number already formatted (a ratio, a score).
    case number(String)
    case string(String)
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    public static func == (a: JSONOutput, b: JSONOutput) -> Bool { a.render() == b.render() }

    public static func money(_ m: Money) -> JSONOutput { .string(m.exactString) }
    public static func money(_ m: Money?) -> JSONOutput { m.map { .string($0.exactString) } ?? .null }
    public static func int(_ v: Int) -> JSONOutput { .int(Int64(v)) }
    public static func string(_ s: String?) -> JSONOutput { s.map { .string($0) } ?? .null }

    /// A ratio or other measured number with fixed decimals (`0.0500`); never used for money.
    public static func ratio(_ v: Double?, decimals: Int = 6) -> JSONOutput {
        guard let v, v.isFinite else { return .null }
        return .number(formatDecimal(v, decimals: decimals))
    }

    /// A measured number to six significant digits (`0.0123`, `3.10245e-12`): for p-values and the like,
    /// whose size matters more than a fixed number of decimals. Never used for money.
    public static func measure(_ v: Double?) -> JSONOutput {
        guard let v, v.isFinite else { return .null }
        return .number(String(format: "%.6g", v))
    }

    /// Pretty-printed with two-space indentation and a final newline.
    public func render() -> String {
        var out = ""
        write(&out, indent: 0)
        out += "\n"
        return out
    }

    func write(_ out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let v): out += String(v)
        case .number(let n): out += n
        case .string(let s): out += JSONText.quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(&out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in pairs.enumerated() {
                out += pad + JSONText.quote(k) + ": "
                v.write(&out, indent: indent + 1)
                out += i + 1 < pairs.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        }
    }
}

/// `v` with `decimals` places, rounded half away from zero, without locale or exponent (`-0` is `0`).
public func formatDecimal(_ v: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(v) * scale).rounded(.toNearestOrAwayFromZero)
    guard scaled < 9e18 else { return String(v) }
    let n = Int64(scaled)
    let whole = n / Int64(scale)
    var frac = String(n % Int64(scale))
    frac = String(repeating: "0", count: max(0, decimals - frac.count)) + frac
    let sign = (v < 0 && n != 0) ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(frac)"
}
