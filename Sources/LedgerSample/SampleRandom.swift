import LedgerValues

/// The seeded pseudo-random source of the sample-traffic generator: xoshiro256** seeded through SplitMix64.
///
/// Everything the generator draws comes from here, so one seed gives the same bytes on every run and
/// platform. Floating-point draws use only IEEE 754 basic operations (add, multiply, divide, exact
/// conversions and ``SampleMath/exp(_:)``), which every conforming platform rounds identically; no libm
/// function is called, because their last bits differ between C libraries.
///
///     var random = SampleRandom(seed: 42, stream: 7)
///     random.below(6)        // a die roll in 0..<6, the same on every machine
struct SampleRandom {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose state is expanded from `seed` by SplitMix64 (never all zero).
    init(seed: UInt64) {
        var x = seed
        s0 = SampleRandom.splitMix(&x)
        s1 = SampleRandom.splitMix(&x)
        s2 = SampleRandom.splitMix(&x)
        s3 = SampleRandom.splitMix(&x)
    }

    /// An independent stream for one unit of work (an action, an hour), so units can be drawn in any
    /// order and a change in one leaves the others alone.
    init(seed: UInt64, stream: UInt64) {
        self.init(seed: SampleRandom.mix(seed ^ SampleRandom.mix(stream &+ 0x6A09_E667_F3BC_C909)))
    }

    /// SplitMix64's step: advances `state` by the golden gamma and returns the mixed value.
    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's finaliser, a bijection on 64-bit values: distinct inputs give distinct outputs,
    /// which is what makes request and action ids unique without remembering them.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits (xoshiro256**).
    @inline(__always) mutating func next() -> UInt64 {
        let result = SampleRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = SampleRandom.rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform integer in `0..<n` (multiply-high; the bias is below 2⁻⁴⁰ for every n used here).
    @inline(__always) mutating func below(_ n: Int) -> Int {
        guard n > 1 else { return 0 }
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// A uniform integer in `range`.
    @inline(__always) mutating func int(in range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(below(Int(range.upperBound - range.lowerBound) + 1))
    }

    /// True with probability `p`.
    @inline(__always) mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An approximately standard-normal value: the Irwin–Hall sum of four uniforms, rescaled. Its tails
    /// stop at ±3.46, which keeps token counts and latencies free of absurd outliers.
    @inline(__always) mutating func normal() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.7320508075688772
    }

    /// A log-normal value with the given median and log-space standard deviation.
    @inline(__always) mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * SampleMath.exp(sigma * normal())
    }

    /// A log-normal token count, rounded and clamped to `lower...upper`.
    @inline(__always) mutating func tokens(median: Double, sigma: Double, lower: Int64 = 1, upper: Int64 = 180_000) -> Int64 {
        let v = logNormal(median: median, sigma: sigma).rounded()
        return min(max(Int64(v), lower), upper)
    }

    /// An index drawn in proportion to `weights` (all ≥ 0, not all zero).
    mutating func pick(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        var r = unit() * total
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.lastIndex(where: { $0 > 0 }) ?? 0
    }
}

/// Elementary functions built from IEEE 754 basic operations only, so they round the same everywhere.
enum SampleMath {
    /// e^x to about 1e-15 relative error for |x| ≤ 30 (arguments outside are clamped): range reduction by
    /// ln 2, a degree-11 Taylor polynomial, and an exact power-of-two scaling.
    static func exp(_ x: Double) -> Double {
        let clamped = min(max(x, -30), 30)
        let k = (clamped * 1.4426950408889634).rounded()
        let r = (clamped - k * 0.6931471803691238) - k * 1.9082149292705877e-10
        var p = 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320
        p = p * r + 1.0 / 5_040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        return p * Double(sign: .plus, exponent: Int(k), significand: 1)
    }
}
