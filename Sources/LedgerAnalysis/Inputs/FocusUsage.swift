import Foundation
import LedgerPricing
import LedgerValues

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

    /// Every stored property, as the memberwise initializer takes them.
    public init(day: CivilDate, provider: String? = nil, priceEntryID: Int64, tier: PricingTier, longContext: Bool, project: String? = nil, apiKey: String? = nil, calls: Int64 = 0, tokens: [BilledTokenKind: Int64] = [:], toolUses: [String: Int64] = [:], uplift: Money = .zero, cost: Money = .zero) {
        self.day = day
        self.provider = provider
        self.priceEntryID = priceEntryID
        self.tier = tier
        self.longContext = longContext
        self.project = project
        self.apiKey = apiKey
        self.calls = calls
        self.tokens = tokens
        self.toolUses = toolUses
        self.uplift = uplift
        self.cost = cost
    }
}

/// The groups of a period and what was left out.
public struct FocusUsageSet: Sendable {
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

    /// Every stored property, as the memberwise initializer takes them.
    public init(period: Period? = nil, usage: [FocusUsage], entries: [Int64: PriceEntry], unpricedCalls: Int64, unpricedTokens: Int64, cost: Money) {
        self.period = period
        self.usage = usage
        self.entries = entries
        self.unpricedCalls = unpricedCalls
        self.unpricedTokens = unpricedTokens
        self.cost = cost
    }
}
