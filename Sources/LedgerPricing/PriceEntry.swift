import LedgerIngest
import LedgerValues

/// The processing tier a call was billed at.
public enum PricingTier: String, Sendable, CaseIterable, Hashable, Codable {
    case standard, batch, flex, priority

    /// The position of the tier in listings: standard, batch, flex, priority.
    package var sortOrder: Int {
        switch self {
        case .standard: 0
        case .batch: 1
        case .flex: 2
        case .priority: 3
        }
    }

    /// The tier of a call: batch wins over the service tier.
    public init(batch: Bool, serviceTier: ServiceTier) {
        if batch { self = .batch; return }
        switch serviceTier {
        case .standard: self = .standard
        case .flex: self = .flex
        case .priority: self = .priority
        }
    }
}

/// The rates for one tier of one model, per token. A missing component is derived when the card is
/// resolved (see ``PriceEntry/card(tier:longContext:)``).
public struct RateCard: Sendable, Equatable, Hashable {
    /// Input tokens that are neither read from nor written to a cache.
    public var input: Rate
    /// Cache reads.
    public var cachedInput: Rate?
    /// Cache writes that live 5 minutes.
    public var cacheWrite5m: Rate?
    /// Cache writes that live 1 hour.
    public var cacheWrite1h: Rate?
    /// Output tokens (reasoning included unless `reasoning` prices it).
    public var output: Rate
    /// Reasoning tokens, when a provider prices them apart from other output.
    public var reasoning: Rate?
    /// Audio input tokens not read from a cache; nil when the model's audio price is unknown.
    public var audioInput: Rate?
    /// Audio input tokens read from a cache; derived as the cached input rate when absent.
    public var cachedAudioInput: Rate?
    /// Audio output tokens; nil when unknown.
    public var audioOutput: Rate?
    /// Image input tokens; derived as the input rate when absent (vision models bill images as input tokens).
    public var imageInput: Rate?
    /// Image output tokens (image generation by tokens); nil when unknown.
    public var imageOutput: Rate?

    /// A card; components left nil are derived when the card is resolved.
    public init(input: Rate, cachedInput: Rate? = nil, cacheWrite5m: Rate? = nil, cacheWrite1h: Rate? = nil,
                output: Rate, reasoning: Rate? = nil, audioInput: Rate? = nil, cachedAudioInput: Rate? = nil,
                audioOutput: Rate? = nil, imageInput: Rate? = nil, imageOutput: Rate? = nil) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
        self.output = output
        self.reasoning = reasoning
        self.audioInput = audioInput
        self.cachedAudioInput = cachedAudioInput
        self.audioOutput = audioOutput
        self.imageInput = imageInput
        self.imageOutput = imageOutput
    }

    /// A card with every text component present; the audio and image output rates stay nil where the
    /// price book does not know them (a call that uses them is then unpriced).
    public struct Resolved: Sendable, Equatable, Hashable {
        /// The rates, per token, of the same components as ``RateCard``.
        public var input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning: Rate
        /// Audio and image rates (see ``RateCard``); `imageInput` is always known.
        public var audioInput: Rate? = nil, cachedAudioInput: Rate? = nil, audioOutput: Rate? = nil
        public var imageInput: Rate? = nil, imageOutput: Rate? = nil

        public init(input: Rate, cachedInput: Rate, cacheWrite5m: Rate, cacheWrite1h: Rate, output: Rate, reasoning: Rate,
                    audioInput: Rate? = nil, cachedAudioInput: Rate? = nil, audioOutput: Rate? = nil, imageInput: Rate? = nil,
                    imageOutput: Rate? = nil) {
            self.input = input
            self.cachedInput = cachedInput
            self.cacheWrite5m = cacheWrite5m
            self.cacheWrite1h = cacheWrite1h
            self.output = output
            self.reasoning = reasoning
            self.audioInput = audioInput
            self.cachedAudioInput = cachedAudioInput
            self.audioOutput = audioOutput
            self.imageInput = imageInput ?? input
            self.imageOutput = imageOutput
        }
    }

    /// Fills the components this card lacks from `base`, scaled by this card's input (or output) rate
    /// relative to `base`'s: a batch card that lists only input and output gets the standard cache
    /// rates at the batch discount.
    func resolved(over base: Resolved) -> Resolved {
        func scaledIn(_ r: Rate) -> Rate {
            base.input.picosPerToken <= 0 ? r : r.scaled(input.picosPerToken, base.input.picosPerToken)
        }
        func scaledOut(_ r: Rate) -> Rate {
            base.output.picosPerToken <= 0 ? r : r.scaled(output.picosPerToken, base.output.picosPerToken)
        }
        let cached = cachedInput ?? scaledIn(base.cachedInput)
        return Resolved(
            input: input,
            cachedInput: cached,
            cacheWrite5m: cacheWrite5m ?? scaledIn(base.cacheWrite5m),
            cacheWrite1h: cacheWrite1h ?? scaledIn(base.cacheWrite1h),
            output: output,
            reasoning: reasoning ?? scaledOut(base.reasoning),
            audioInput: audioInput ?? base.audioInput.map(scaledIn),
            cachedAudioInput: cachedAudioInput ?? base.cachedAudioInput.map(scaledIn),
            audioOutput: audioOutput ?? base.audioOutput.map(scaledOut),
            imageInput: imageInput ?? base.imageInput.map(scaledIn),
            imageOutput: imageOutput ?? base.imageOutput.map(scaledOut))
    }

    /// Fills missing components from this card alone: cache reads and writes at the input rate
    /// (no discount or surcharge is assumed), a 1-hour write at the 5-minute rate, reasoning at the
    /// output rate.
    /// Audio: a cached audio read at the card's cached input rate; image input at the input rate.
    func resolvedAlone() -> Resolved {
        let w5 = cacheWrite5m ?? input
        let cached = cachedInput ?? input
        return Resolved(input: input, cachedInput: cached, cacheWrite5m: w5,
                        cacheWrite1h: cacheWrite1h ?? w5, output: output, reasoning: reasoning ?? output,
                        audioInput: audioInput, cachedAudioInput: cachedAudioInput ?? audioInput.map { _ in cached },
                        audioOutput: audioOutput, imageInput: imageInput ?? input, imageOutput: imageOutput)
    }
}

/// Which card of an entry: a tier, at normal or long-context size.
public struct RateCardKey: Sendable, Hashable, Comparable {
    /// The processing tier.
    public var tier: PricingTier
    /// Whether the card is the one above the entry's long-context threshold.
    public var longContext: Bool

    /// The key of `tier`'s card, normal or long-context.
    public init(_ tier: PricingTier, longContext: Bool = false) {
        self.tier = tier
        self.longContext = longContext
    }

    /// Standard, batch, flex, priority; within a tier the normal card before the long-context one.
    public static func < (a: RateCardKey, b: RateCardKey) -> Bool {
        a.tier.sortOrder != b.tier.sortOrder ? a.tier.sortOrder < b.tier.sortOrder : (!a.longContext && b.longContext)
    }
}

/// One dated price of one model: it holds from `effectiveFrom` (a UTC day) until a later entry for the
/// same model supersedes it.
public struct PriceEntry: Sendable, Equatable {
    /// The storage id (0 until stored); every priced request records it.
    public var id: Int64 = 0
    /// The provider that bills the model, e.g. `anthropic`.
    public var provider: String
    /// The canonical model key, e.g. `claude-sonnet-4-5`.
    public var model: String
    /// Other names that resolve to this model (exact matches), e.g. `claude-sonnet-4-5-latest`.
    public var aliases: [String] = []
    /// The UTC day from which this price holds.
    public var effectiveFrom: CivilDate
    /// The currency of the rates; TokenLedger holds US dollars.
    public var currency: String = "USD"
    /// Where the figures come from (a file, a catalogue version, a URL).
    public var source: String = ""
    /// The rate cards by tier and size; the standard card is required to price anything.
    public var cards: [RateCardKey: RateCard]
    /// Input tokens (cached included) above which the whole call is billed at the long-context cards.
    public var longContextThreshold: Int64?
    /// Fees per use of a server-side tool, by tool name (`web_search`, `file_search`, …); a ``Rate`` here is
    /// picodollars per use. A call that used a tool without a fee here is unpriced.
    public var toolFees: [String: Rate] = [:]
    /// The price of one generated image; nil when unknown.
    public var perImage: Rate?
    /// Multipliers for request attributes (fast mode, data residency, regional endpoints). They apply to
    /// every token part of the cost (audio and image tokens too, not per-image or tool fees) and stack by
    /// multiplication. A call with an attribute value that no modifier names (other than the neutral
    /// `standard`, `global`, …) is unpriced.
    public var modifiers: [PriceModifier] = []

    /// An entry; `id` stays 0 until storage assigns one.
    public init(provider: String, model: String, aliases: [String] = [], effectiveFrom: CivilDate,
                currency: String = "USD", source: String = "", cards: [RateCardKey: RateCard],
                longContextThreshold: Int64? = nil, toolFees: [String: Rate] = [:], perImage: Rate? = nil,
                modifiers: [PriceModifier] = []) {
        self.provider = provider
        self.model = model
        self.aliases = aliases
        self.effectiveFrom = effectiveFrom
        self.currency = currency
        self.source = source
        self.cards = cards
        self.longContextThreshold = longContextThreshold
        self.toolFees = toolFees
        self.perImage = perImage
        self.modifiers = modifiers
    }

    /// The standard card, as written (not resolved).
    public var standard: RateCard? { cards[RateCardKey(.standard)] }

    /// The complete rates for a tier and size.
    ///
    /// Resolution: the standard card fills its own gaps (``RateCard/resolvedAlone()``); another tier's
    /// card fills gaps from the standard card scaled by its input/output ratio; a tier the entry does
    /// not price is billed at standard rates. For long context, the tier's long-context card is used
    /// when present; otherwise the standard long-context card scaled by the tier's discount; otherwise
    /// the normal card.
    public func card(tier: PricingTier, longContext: Bool) -> RateCard.Resolved? {
        guard let std = standard?.resolvedAlone() else { return nil }
        let short: RateCard.Resolved = tier == .standard ? std : (cards[RateCardKey(tier)]?.resolved(over: std) ?? std)
        guard longContext else { return short }
        if let own = cards[RateCardKey(tier, longContext: true)] { return own.resolved(over: short) }
        if tier != .standard, let stdLong = cards[RateCardKey(.standard, longContext: true)] {
            let long = stdLong.resolved(over: std)
            func ratio(_ l: Rate, _ s: Rate, _ base: Rate) -> Rate {
                base.picosPerToken <= 0 ? l : l.scaled(s.picosPerToken, base.picosPerToken)
            }
            func optional(_ l: Rate?, _ s: Rate?, _ base: Rate?) -> Rate? {
                guard let l else { return nil }
                guard let s, let base else { return l }
                return ratio(l, s, base)
            }
            return RateCard.Resolved(
                input: ratio(long.input, short.input, std.input),
                cachedInput: ratio(long.cachedInput, short.cachedInput, std.cachedInput),
                cacheWrite5m: ratio(long.cacheWrite5m, short.cacheWrite5m, std.cacheWrite5m),
                cacheWrite1h: ratio(long.cacheWrite1h, short.cacheWrite1h, std.cacheWrite1h),
                output: ratio(long.output, short.output, std.output),
                reasoning: ratio(long.reasoning, short.reasoning, std.reasoning),
                audioInput: optional(long.audioInput, short.audioInput, std.audioInput),
                cachedAudioInput: optional(long.cachedAudioInput, short.cachedAudioInput, std.cachedAudioInput),
                audioOutput: optional(long.audioOutput, short.audioOutput, std.audioOutput),
                imageInput: optional(long.imageInput, short.imageInput, std.imageInput),
                imageOutput: optional(long.imageOutput, short.imageOutput, std.imageOutput))
        }
        return short
    }

    /// Whether a call with this many input tokens (cached included) is billed at long-context rates.
    public func isLongContext(inputTokens: Int64) -> Bool {
        guard let t = longContextThreshold else { return false }
        return inputTokens > t
    }

    /// The exact cost of one call in picodollars, or nil if it overflows 64 bits, if the token counts
    /// contradict each other (see ``cost(card:input:cached:write5m:write1h:output:reasoning:)``) or if the
    /// entry has no standard card.
    public func cost(of call: CallRecord) -> Int64? {
        costComponents(of: call)?.total
    }

    /// The cost of one call split by component; the parts add up to ``cost(of:)`` exactly. Nil when the
    /// entry cannot price the call (see ``priceGaps(of:)``), when its counts contradict each other, or when
    /// the cost overflows.
    public func costComponents(of call: CallRecord) -> CostComponents? {
        let tier = PricingTier(batch: call.batch, serviceTier: call.serviceTier)
        guard let c = card(tier: tier, longContext: isLongContext(inputTokens: call.inputTokens)) else { return nil }
        guard let extras = call.extras else {
            return Self.costComponents(card: c, input: call.inputTokens, cached: call.cachedInputTokens,
                                       write5m: call.cacheWriteTokens, write1h: call.cacheWrite1hTokens,
                                       output: call.outputTokens, reasoning: call.reasoningTokens)
        }
        return costComponents(of: call, extras: extras, card: c)
    }

    /// `uncached×input + cached×read + writes×write + (output − reasoning)×output + reasoning×reasoning`.
    ///
    /// `input` counts all input (cache reads and writes included) and `output` counts reasoning. Returns
    /// nil when a part would be negative (cache tokens above `input`, reasoning above `output`, a negative
    /// count): such a call has no meaningful price, and a negative one would silently lower a total.
    public static func cost(card c: RateCard.Resolved, input: Int64, cached: Int64, write5m: Int64, write1h: Int64,
                            output: Int64, reasoning: Int64) -> Int64? {
        costComponents(card: c, input: input, cached: cached, write5m: write5m, write1h: write1h, output: output,
                       reasoning: reasoning)?.total
    }

    /// The parts of ``cost(card:input:cached:write5m:write1h:output:reasoning:)``.
    public static func costComponents(card c: RateCard.Resolved, input: Int64, cached: Int64, write5m: Int64, write1h: Int64,
                                      output: Int64, reasoning: Int64) -> CostComponents? {
        guard input >= 0, cached >= 0, write5m >= 0, write1h >= 0, output >= 0, reasoning >= 0 else { return nil }
        let (cacheTokens, o1) = cached.addingReportingOverflow(write5m)
        let (allCacheTokens, o2) = cacheTokens.addingReportingOverflow(write1h)
        guard !o1, !o2, allCacheTokens <= input, reasoning <= output else { return nil }
        func price(_ parts: [(Int64, Rate)]) -> Int64? {
            var total: Int64 = 0
            for (tokens, rate) in parts where tokens != 0 {
                guard let v = rate.cost(of: tokens) else { return nil }
                let (t, o) = total.addingReportingOverflow(v)
                if o { return nil }
                total = t
            }
            return total
        }
        guard let uncached = price([(input - allCacheTokens, c.input)]), let read = price([(cached, c.cachedInput)]),
              let write = price([(write5m, c.cacheWrite5m), (write1h, c.cacheWrite1h)]),
              let out = price([(output - reasoning, c.output), (reasoning, c.reasoning)]) else { return nil }
        let parts = CostComponents(uncachedInput: uncached, cachedInput: read, cacheWrite: write, output: out)
        let (a, s1) = uncached.addingReportingOverflow(read)
        let (b, s2) = a.addingReportingOverflow(write)
        let (_, s3) = b.addingReportingOverflow(out)
        return s1 || s2 || s3 ? nil : parts
    }
}

/// The cost of calls split by component, in picodollars. `total` is their exact sum.
public struct CostComponents: Sendable, Equatable, Hashable {
    /// Text input tokens neither read from nor written to a cache.
    public var uncachedInput: Int64
    /// Text input tokens read from a cache.
    public var cachedInput: Int64
    /// 5-minute and 1-hour cache writes.
    public var cacheWrite: Int64
    /// Text output, reasoning included.
    public var output: Int64
    /// Audio and image tokens at their own rates, and generated images.
    public var modality: Int64
    /// Server-side tool fees (web search, file search, …).
    public var toolFees: Int64
    /// What request-attribute multipliers (fast mode, data residency, regional endpoints) add to the token
    /// parts above.
    public var uplift: Int64

    public init(uncachedInput: Int64 = 0, cachedInput: Int64 = 0, cacheWrite: Int64 = 0, output: Int64 = 0,
                modality: Int64 = 0, toolFees: Int64 = 0, uplift: Int64 = 0) {
        self.uncachedInput = uncachedInput
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.output = output
        self.modality = modality
        self.toolFees = toolFees
        self.uplift = uplift
    }

    public var total: Int64 { uncachedInput + cachedInput + cacheWrite + output + modality + toolFees + uplift }

    public static func + (a: CostComponents, b: CostComponents) -> CostComponents {
        CostComponents(uncachedInput: a.uncachedInput + b.uncachedInput, cachedInput: a.cachedInput + b.cachedInput,
                       cacheWrite: a.cacheWrite + b.cacheWrite, output: a.output + b.output, modality: a.modality + b.modality,
                       toolFees: a.toolFees + b.toolFees, uplift: a.uplift + b.uplift)
    }

    public static prefix func - (a: CostComponents) -> CostComponents {
        CostComponents(uncachedInput: -a.uncachedInput, cachedInput: -a.cachedInput, cacheWrite: -a.cacheWrite, output: -a.output,
                       modality: -a.modality, toolFees: -a.toolFees, uplift: -a.uplift)
    }
}
