/// A parsed JSON value for importers off the hot path (provider exports, price catalogues).
///
/// Numbers keep their source text, so money and large integers stay exact:
///
///     let v = try JSONValue.parse(#"{"amount": 0.0016, "n": "10.0"}"#)
///     v["amount"]?.decimal   // ExactDecimal 16 × 10⁻⁴
///     v["n"]?.int64          // 10 (numeric strings are accepted)
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Follows a path of keys: `v[path: "usage", "input_tokens"]`.
    public subscript(path keys: String...) -> JSONValue? {
        var v: JSONValue? = self
        for k in keys { v = v?[k] }
        return v
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var string: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    /// A number or numeric string as an exact decimal.
    public var decimal: ExactDecimal? {
        switch self {
        case .number(let n): ExactDecimal(parsing: n)
        case .string(let s): ExactDecimal(parsing: s)
        default: nil
        }
    }

    /// A whole number (`10`, `10.0`, `"10"`) as `Int64`.
    public var int64: Int64? { decimal?.exactInt64 }

    public var bool: Bool? {
        switch self {
        case .bool(let b): b
        case .string(let s):
            switch s.lowercased() {
            case "true", "1", "yes": true
            case "false", "0", "no", "": false
            default: nil
            }
        case .number(let n): n == "1" ? true : (n == "0" ? false : nil)
        default: nil
        }
    }

    /// A double for non-money statistics only (scores, ratios).
    public var double: Double? {
        switch self {
        case .number(let n): Double(n)
        case .string(let s): Double(s)
        default: nil
        }
    }

    /// Compact JSON text, keys sorted (deterministic).
    public var compactText: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += JSONText.quote(s)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += JSONText.quote(k)
                out += ":"
                o[k]!.write(to: &out)
            }
            out += "}"
        }
    }
}

/// JSON text helpers for writers.
public enum JSONText {
    /// A JSON string literal with the required escapes.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }
}
