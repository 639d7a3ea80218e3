import LedgerIngest
import LedgerValues

/// A multiplier that a request attribute puts on a model's token prices: Anthropic's fast mode (`speed:
/// fast`, 6× on Opus 4.6), US-only inference (`inference_geo: us`, 1.1×), a cloud's regional endpoint over
/// its global one (`region: us`, 1.1× for Claude 4.5 on Bedrock and Vertex).
public struct PriceModifier: Sendable, Hashable, Comparable {
    /// The request attributes that change a price.
    public enum Attribute: String, Sendable, CaseIterable, Hashable {
        case speed
        case inferenceGeo = "inference_geo"
        case region
    }

    /// The attribute.
    public var attribute: Attribute
    /// Its value, lowercased (`fast`, `us`, `eu`).
    public var value: String
    /// The factor as an exact fraction: 1.1 is 11/10.
    public var numerator: Int64
    public var denominator: Int64

    /// A modifier of `numerator / denominator`.
    public init(_ attribute: Attribute, _ value: String, numerator: Int64, denominator: Int64 = 1) {
        self.attribute = attribute
        self.value = value.lowercased()
        self.numerator = numerator
        self.denominator = denominator
    }

    /// By attribute name, then value (the order in which they are stored and listed).
    public static func < (a: PriceModifier, b: PriceModifier) -> Bool {
        (a.attribute.rawValue, a.value) < (b.attribute.rawValue, b.value)
    }

    /// A positive factor written as decimal text with at most 6 decimals (`1.1`, `6`), as an exact fraction
    /// in lowest terms; nil for anything else.
    public static func fraction(parsing text: String) -> (numerator: Int64, denominator: Int64)? {
        guard let d = ExactDecimal(parsing: text), !d.isNegative, let n = d.scaled(byPowerOfTen: 6, rounding: false), n > 0,
              let num = Int64(exactly: n) else { return nil }
        var x = num, y: Int64 = 1_000_000
        while y != 0 { (x, y) = (y, x % y) }
        return (num / x, 1_000_000 / x)
    }

    /// The factor as exact decimal text without trailing zeros (`1.1`, `6`), for listings.
    public var factorText: String {
        var s = Money(picos: Int128(numerator) * 1_000_000_000_000 / Int128(max(1, denominator))).exactString
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

/// Why an entry cannot price a call it matches: a part of the call whose price the entry does not know.
/// Such a call is unpriced — shown as such, never as $0 — and `prices check` lists what is missing.
public enum PriceGap: Sendable, Hashable, CustomStringConvertible {
    case audioInputRate
    case audioOutputRate
    case imageOutputRate
    case imagePrice
    /// A tool the call used that has no fee.
    case toolFee(String)
    /// An attribute value no modifier names.
    case modifier(PriceModifier.Attribute, String)

    public var description: String {
        switch self {
        case .audioInputRate: "no audio input rate"
        case .audioOutputRate: "no audio output rate"
        case .imageOutputRate: "no image output rate"
        case .imagePrice: "no price per image"
        case .toolFee(let t): "no fee for tool `\(t)`"
        case .modifier(let a, let v): "no price for \(a.rawValue) `\(v)`"
        }
    }
}

extension PriceEntry {
    /// What of `call` this entry cannot price (empty when it can price all of it).
    public func priceGaps(of call: CallRecord) -> [PriceGap] {
        guard let e = call.extras else { return [] }
        let tier = PricingTier(batch: call.batch, serviceTier: call.serviceTier)
        guard let c = card(tier: tier, longContext: isLongContext(inputTokens: call.inputTokens)) else { return [] }
        return gaps(e, card: c)
    }

    func gaps(_ e: CallExtras, card c: RateCard.Resolved) -> [PriceGap] {
        var out: [PriceGap] = []
        if e.audioInputTokens > 0 && c.audioInput == nil { out.append(.audioInputRate) }
        if e.audioOutputTokens > 0 && c.audioOutput == nil { out.append(.audioOutputRate) }
        if e.imageOutputTokens > 0 && c.imageOutput == nil { out.append(.imageOutputRate) }
        if e.images > 0 && perImage == nil { out.append(.imagePrice) }
        for (tool, n) in e.toolCalls.sorted(by: { $0.key < $1.key }) where n > 0 && toolFees[tool] == nil {
            out.append(.toolFee(tool))
        }
        for (attribute, value) in Self.attributes(e) {
            guard let v = CallExtras.effective(value) else { continue }
            if !modifiers.contains(where: { $0.attribute == attribute && $0.value == v }) { out.append(.modifier(attribute, v)) }
        }
        return out
    }

    static func attributes(_ e: CallExtras) -> [(PriceModifier.Attribute, String?)] {
        [(.speed, e.speed), (.inferenceGeo, e.inferenceGeo), (.region, e.region)]
    }

    /// The cost of a call with extras: text tokens at the card's text rates, audio and image tokens at their
    /// own, images and tool uses at their fees, then the attribute multipliers on the token parts.
    ///
    /// Audio and image tokens are taken out of the text counts they are part of: uncached text input is
    /// `input − cached − writes − uncached audio − image input`, cached text is `cached − cached audio`, text
    /// output is `output − reasoning − audio output − image output`.
    func costComponents(of call: CallRecord, extras e: CallExtras, card c: RateCard.Resolved) -> CostComponents? {
        guard gaps(e, card: c).isEmpty else { return nil }
        let writes = call.cacheWriteTokens &+ call.cacheWrite1hTokens
        let textUncached = call.inputTokens - call.cachedInputTokens - writes - e.uncachedAudioTokens - e.imageInputTokens
        let textCached = call.cachedInputTokens - e.cachedAudioTokens
        let textOutput = call.outputTokens - call.reasoningTokens - e.audioOutputTokens - e.imageOutputTokens
        guard textUncached >= 0, textCached >= 0, textOutput >= 0, e.uncachedAudioTokens >= 0,
              let text = Self.costComponents(card: c, input: textUncached + textCached + writes, cached: textCached,
                                             write5m: call.cacheWriteTokens, write1h: call.cacheWrite1hTokens,
                                             output: textOutput + call.reasoningTokens, reasoning: call.reasoningTokens)
        else { return nil }
        func price(_ parts: [(Int64, Rate?)]) -> Int64? {
            var total: Int64 = 0
            for (n, rate) in parts where n != 0 {
                guard let rate, let v = rate.cost(of: n) else { return nil }
                let (t, o) = total.addingReportingOverflow(v)
                if o { return nil }
                total = t
            }
            return total
        }
        guard let modalityTokens = price([(e.uncachedAudioTokens, c.audioInput), (e.cachedAudioTokens, c.cachedAudioInput),
                                          (e.imageInputTokens, c.imageInput), (e.audioOutputTokens, c.audioOutput),
                                          (e.imageOutputTokens, c.imageOutput)]),
              let images = price([(e.images, perImage)]),
              let fees = price(e.toolCalls.sorted(by: { $0.key < $1.key }).map { ($0.value, toolFees[$0.key]) })
        else { return nil }
        // The multipliers of the call's attributes, as one fraction.
        var num: Int128 = 1, den: Int128 = 1
        for (attribute, value) in Self.attributes(e) {
            guard let v = CallExtras.effective(value),
                  let m = modifiers.first(where: { $0.attribute == attribute && $0.value == v }) else { continue }
            num *= Int128(m.numerator)
            den *= Int128(max(1, m.denominator))
            guard num < Int128(Int64.max), den < Int128(Int64.max) else { return nil }
        }
        let tokens = Int128(text.total) + Int128(modalityTokens)
        let uplift = Self.roundedHalfEven(tokens * num, den) - tokens
        var parts = text
        parts.modality = modalityTokens + images
        parts.toolFees = fees
        guard let u = Int64(exactly: uplift) else { return nil }
        parts.uplift = u
        let sum = Int128(parts.uncachedInput) + Int128(parts.cachedInput) + Int128(parts.cacheWrite) + Int128(parts.output)
            + Int128(parts.modality) + Int128(parts.toolFees) + Int128(parts.uplift)
        return sum <= Int128(Int64.max) ? parts : nil
    }

    /// `n / d` rounded half to even (d > 0).
    static func roundedHalfEven(_ n: Int128, _ d: Int128) -> Int128 {
        var q = n / d
        let r = n % d
        let twice = (r < 0 ? -r : r) * 2
        if twice > d || (twice == d && q % 2 != 0) { q += n < 0 ? -1 : 1 }
        return q
    }
}
