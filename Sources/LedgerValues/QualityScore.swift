/// Quality scores (0–1) are stored as integer millionths: exact for up to six decimals, and a few
/// bytes instead of an 8-byte float.
package enum QualityScore {
    package static func stored(_ score: Double) -> Int64 { Int64((score * 1_000_000).rounded()) }
    package static func read(_ stored: Int64) -> Double { Double(stored) / 1_000_000 }
}
