import Foundation

/// Number formatting for reports: grouped integers and fixed-decimal ratios.
public enum NumberText {
    /// `1234567` → `1,234,567`.
    public static func integer(_ v: Int64) -> String {
        let s = String(v.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return v < 0 ? "-" + out : out
    }

    public static func integer(_ v: Int) -> String { integer(Int64(v)) }

    /// `0.0532` → `5.3%`.
    public static func percent(_ v: Double?, decimals: Int = 1) -> String {
        guard let v, v.isFinite else { return "–" }
        return formatDecimal(v * 100, decimals: decimals) + "%"
    }

    /// Token counts in a compact form: `950`, `12.3k`, `4.56M`, `7.8B`.
    public static func tokens(_ v: Int64) -> String {
        let d = Double(v)
        switch v.magnitude {
        case ..<1_000: return String(v)
        case ..<1_000_000: return formatDecimal(d / 1e3, decimals: 1) + "k"
        case ..<1_000_000_000: return formatDecimal(d / 1e6, decimals: 2) + "M"
        default: return formatDecimal(d / 1e9, decimals: 2) + "B"
        }
    }
}
