import Foundation

/// The kinds of tokens a call is billed for, each at its own rate: the rows of a FOCUS export.
public enum BilledTokenKind: String, Sendable, CaseIterable, Hashable {
    /// Input neither read from nor written to a cache.
    case input
    /// Input read from a cache.
    case cachedInput = "cached_input"
    /// Input written to a 5-minute cache.
    case cacheWrite5m = "cache_write_5m"
    /// Input written to a 1-hour cache.
    case cacheWrite1h = "cache_write_1h"
    /// Output other than reasoning.
    case output
    /// Reasoning (priced apart from other output only where the price book says so).
    case reasoning
    /// Audio input not read from a cache.
    case audioInput = "audio_input"
    /// Audio input read from a cache.
    case cachedAudioInput = "cached_audio_input"
    /// Audio output.
    case audioOutput = "audio_output"
    /// Image input tokens.
    case imageInput = "image_input"
    /// Image output tokens.
    case imageOutput = "image_output"
    /// Generated images (priced per image, not per token).
    case images
    /// Uses of one server-side tool (priced per use; the row names the tool).
    case toolUse = "tool_use"
    /// What request-attribute multipliers (fast mode, data residency) added to the tokens.
    case uplift

    /// The rate of this kind in a resolved card; nil for the kinds not priced per token, and for an audio
    /// or image rate the card does not know.
    public func rate(in card: RateCard.Resolved) -> Rate? {
        switch self {
        case .input: card.input
        case .cachedInput: card.cachedInput
        case .cacheWrite5m: card.cacheWrite5m
        case .cacheWrite1h: card.cacheWrite1h
        case .output: card.output
        case .reasoning: card.reasoning
        case .audioInput: card.audioInput
        case .cachedAudioInput: card.cachedAudioInput
        case .audioOutput: card.audioOutput
        case .imageInput: card.imageInput
        case .imageOutput: card.imageOutput
        case .images, .toolUse, .uplift: nil
        }
    }

    /// Whether the kind counts tokens (its quantity's unit is `Tokens`).
    public var isTokens: Bool { self != .images && self != .toolUse && self != .uplift }

    /// Words for a description: `cached input`.
    public var words: String {
        switch self {
        case .input: "input (uncached)"
        case .cachedInput: "cached input"
        case .cacheWrite5m: "5-minute cache write"
        case .cacheWrite1h: "1-hour cache write"
        case .output: "output"
        case .reasoning: "reasoning"
        case .audioInput: "audio input (uncached)"
        case .cachedAudioInput: "cached audio input"
        case .audioOutput: "audio output"
        case .imageInput: "image input"
        case .imageOutput: "image output"
        case .images: "generated images"
        case .toolUse: "tool use"
        case .uplift: "attribute multiplier uplift"
        }
    }
}

/// The priced calls of one UTC day that share a provider, a price-book entry, a tier and size (normal
/// or long context), a project and an API key: everything that fixes the unit price of each token kind.
public struct FocusUsage: Sendable, Equatable {
    /// The UTC day the calls were made.
    public var day: CivilDate
    /// The provider the log names for the calls (nil when it names none).
    public var provider: String?
    /// The price-book entry that priced the calls (``PriceEntry/id``).
    public var priceEntryID: Int64
    /// The tier the calls were billed at.
    public var tier: PricingTier
    /// Whether the calls were above the entry's long-context threshold.
    public var longContext: Bool
    /// The project (or workspace) the log names.
    public var project: String?
    /// The API key the log names.
    public var apiKey: String?
    /// How many calls.
    public var calls: Int64 = 0
    /// Tokens of each kind (disjoint: input here is uncached text input, output excludes reasoning, audio
    /// and image tokens are apart from text), and generated images under `.images`.
    public var tokens: [BilledTokenKind: Int64] = [:]
    /// Uses of each server-side tool.
    public var toolUses: [String: Int64] = [:]
    /// What attribute multipliers added, picodollars (part of ``cost``).
    public var uplift = Money.zero
    /// The calls' stored cost (what every other report adds up).
    public var cost = Money.zero
}

/// Reads the stored calls of a range of UTC days grouped for a FOCUS export (``FocusUsage``), with the
/// price-book entries that priced them. Reads the requests table (a range of row ids per period), since
/// the hourly rollups carry neither provider, project nor API key.
public struct FocusQuery {
    let db: Database

    /// A reader of `db`.
    public init(db: Database) { self.db = db }

    /// The groups of a period and what was left out.
    public struct Result: Sendable {
        /// The UTC days read (nil: every stored call).
        public var period: Period?
        /// The groups, in no particular order.
        public var usage: [FocusUsage]
        /// The price-book entries the groups name, by id.
        public var entries: [Int64: PriceEntry]
        /// Calls with no price: they have no cost to export.
        public var unpricedCalls: Int64
        /// Their tokens (input and output).
        public var unpricedTokens: Int64
        /// The stored cost of every priced call in the period.
        public var cost: Money
    }

    struct Key: Hashable {
        var day: Int
        var providerID: Int64?
        var priceID: Int64
        var tier: PricingTier
        var longContext: Bool
        var projectID: Int64?
        var apiKeyID: Int64?
    }

    /// `a + b`, held at `Int64.max` instead of trapping, so that no stored value stops an export.
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (v, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : v
    }

    /// Groups the calls made on the UTC days of `period` (every stored call when nil).
    public func load(period: Period?) throws -> Result {
        let utc = TimeZone(identifier: "UTC")!
        let range = period.map { RequestScan.rowIDs($0.interval(in: utc)) } ?? (Int64.min...Int64.max)
        var entries: [Int64: PriceEntry] = [:]
        for e in try PriceStore(db: db).entries() { entries[e.id] = e }

        var groups: [Key: FocusUsage] = [:]
        var unpricedCalls: Int64 = 0
        var unpricedTokens: Int64 = 0
        var total = Money.zero
        let s = try db.prepare("""
            SELECT id, provider_id, project_id, api_key_id, price_id, batch, service_tier, input_tokens, cached_input_tokens,
                   cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, cost, extras
            FROM requests WHERE id BETWEEN ? AND ? ORDER BY id
            """)
        s.bind(range.lowerBound, at: 1)
        s.bind(range.upperBound, at: 2)
        while try s.step() {
            let input = s.int64(7), cached = s.int64(8), write5m = s.int64(9), write1h = s.int64(10)
            let output = s.int64(11), reasoning = s.int64(12)
            guard let cost = s.optionalInt64(13), let priceID = s.optionalInt64(4) else {
                unpricedCalls += 1
                unpricedTokens = Self.add(unpricedTokens, Self.add(input, output))
                continue
            }
            let tier = PricingTier(batch: s.int64(5) != 0, serviceTier: ServiceTier(rawValue: Int(s.int64(6))) ?? .standard)
            let key = Key(day: Int((s.int64(0) >> 20).floorDiv(86_400_000)), providerID: s.optionalInt64(1), priceID: priceID, tier: tier,
                          longContext: entries[priceID]?.isLongContext(inputTokens: input) ?? false,
                          projectID: s.optionalInt64(2), apiKeyID: s.optionalInt64(3))
            var g = groups[key] ?? FocusUsage(day: CivilDate(daysSinceEpoch: key.day), provider: nil, priceEntryID: priceID, tier: tier,
                                              longContext: key.longContext, project: nil, apiKey: nil)
            g.calls += 1
            let cacheTokens = Self.add(Self.add(max(0, cached), max(0, write5m)), max(0, write1h))
            var parts: [(BilledTokenKind, Int64)] = [
                (.input, max(0, input - min(input, cacheTokens))), (.cachedInput, cached), (.cacheWrite5m, write5m),
                (.cacheWrite1h, write1h), (.output, max(0, output - min(output, max(0, reasoning)))), (.reasoning, reasoning),
            ]
            if let e = s.text(14).flatMap(CallExtras.init(storedText:)) {
                // Audio and image tokens come out of the text kinds they are part of.
                parts[0].1 = max(0, parts[0].1 - e.uncachedAudioTokens - e.imageInputTokens)
                parts[1].1 = max(0, parts[1].1 - e.cachedAudioTokens)
                parts[4].1 = max(0, parts[4].1 - e.audioOutputTokens - e.imageOutputTokens)
                parts += [(.audioInput, e.uncachedAudioTokens), (.cachedAudioInput, e.cachedAudioTokens), (.audioOutput, e.audioOutputTokens),
                          (.imageInput, e.imageInputTokens), (.imageOutput, e.imageOutputTokens), (.images, e.images)]
                for (tool, n) in e.toolCalls where n > 0 { g.toolUses[tool] = Self.add(g.toolUses[tool] ?? 0, n) }
                if let entry = entries[priceID] {
                    var call = CallRecord(requestID: "", timestamp: Timestamp(milliseconds: s.int64(0) >> 20), model: entry.model,
                                          inputTokens: input, outputTokens: output)
                    call.cachedInputTokens = cached
                    call.cacheWriteTokens = write5m
                    call.cacheWrite1hTokens = write1h
                    call.reasoningTokens = reasoning
                    call.batch = s.int64(5) != 0
                    call.serviceTier = ServiceTier(rawValue: Int(s.int64(6))) ?? .standard
                    call.extras = e
                    if let uplift = entry.costComponents(of: call)?.uplift { g.uplift = g.uplift + Money(picos: uplift) }
                }
            }
            for (kind, n) in parts where n > 0 { g.tokens[kind] = Self.add(g.tokens[kind] ?? 0, n) }
            g.cost = g.cost + Money(picos: cost)
            total = total + Money(picos: cost)
            groups[key] = g
        }

        let providers = try DimensionInterner.names(.provider, in: db)
        let projects = try DimensionInterner.names(.project, in: db)
        let keys = try DimensionInterner.names(.apiKey, in: db)
        let usage = groups.map { key, g -> FocusUsage in
            var g = g
            g.provider = key.providerID.flatMap { providers[$0] }
            g.project = key.projectID.flatMap { projects[$0] }
            g.apiKey = key.apiKeyID.flatMap { keys[$0] }
            return g
        }
        return Result(period: period, usage: usage, entries: entries, unpricedCalls: unpricedCalls, unpricedTokens: unpricedTokens,
                      cost: total)
    }
}
