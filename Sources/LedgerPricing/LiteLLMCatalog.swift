import Foundation
import LedgerIngest
import LedgerValues

/// Imports LiteLLM's community price catalogue, `model_prices_and_context_window.json`, as price entries.
///
/// The catalogue is an object keyed by model (`gpt-4o`, `gemini/gemini-2.5-flash`, …) with prices in
/// US dollars per token. It carries no dates, so the caller says from which day its prices hold and how
/// to cite it:
///
///     let result = try LiteLLMCatalog.load(path: "model_prices_and_context_window.json",
///                                          effectiveFrom: CivilDate(parsing: "2026-11-23")!,
///                                          source: "litellm 1.109.1")
///     result.entries.count   // models priced per token for chat, completion or responses
///
/// Mapping (every field may carry a tier suffix `_batches`, `_flex` or `_priority`, and a size suffix
/// `_above_{N}k_tokens` before it):
///
/// | catalogue field                               | card component |
/// |-----------------------------------------------|----------------|
/// | `input_cost_per_token`                         | input          |
/// | `output_cost_per_token`                        | output         |
/// | `cache_read_input_token_cost`                  | cached input (else `input_cost_per_token_cache_hit`) |
/// | `cache_creation_input_token_cost`              | 5-minute cache write |
/// | `cache_creation_input_token_cost_above_1hr`    | 1-hour cache write |
/// | `output_cost_per_reasoning_token`              | reasoning      |
///
/// Beside the cards: `search_context_cost_per_query` (medium) is the fee per web search,
/// `output_cost_per_image` the price per image, and `provider_specific_entry` the multipliers of request
/// attributes (`fast` is fast mode, any other key an inference geography such as `us`).
///
/// `_above_{N}k_tokens` fields form the long-context cards with threshold N × 1000: a call whose input
/// (cached included) exceeds it is billed at those rates for every token kind. A threshold whose fields
/// state no text input or output rate (only audio or image rates) forms no card: its fields are reported
/// in ``LiteLLMImport/ignoredFields``. When a model lists several
/// thresholds, the lowest is imported and the fields of the others are reported in ``LiteLLMImport/ignoredFields``.
/// A tier or long-context card that lacks `input` or `output` takes the rate the entry would charge
/// without that card (LiteLLM falls back the same way). `litellm_provider` becomes the provider.
///
/// Skipped, with the reason counted: `sample_spec` (the field documentation), values that are not
/// objects, `mode` other than `chat`, `completion` or `responses`, models without both an input and an
/// output price per token, and models with a price that is not a non-negative number. Prices finer than
/// one picodollar per token are rounded half to even and listed in ``LiteLLMImport/roundedValues``.
public enum LiteLLMCatalog {
    /// The `mode` values imported.
    public static let pricedModes: Set<String> = ["chat", "completion", "responses", "realtime", "embedding", "image_generation"]

    /// Modes whose models bill no output tokens: a missing output price is $0 for them.
    static let inputOnlyModes: Set<String> = ["embedding"]

    /// Reads and imports the catalogue file at `path`.
    public static func load(path: String, effectiveFrom: CivilDate, source: String) throws(LiteLLMCatalogError) -> LiteLLMImport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LiteLLMCatalogError(file: path, line: nil, message: FileReadProblem.message(path, error: error))
        }
        return try parse(Array(data), file: path, effectiveFrom: effectiveFrom, source: source)
    }

    /// Imports catalogue JSON.
    ///
    /// - Parameters:
    ///   - bytes: the JSON text.
    ///   - file: the file name used in errors.
    ///   - effectiveFrom: the UTC day from which the catalogue's prices hold.
    ///   - source: how entries cite the catalogue, e.g. `litellm 1.109.1`.
    /// - Throws: ``LiteLLMCatalogError`` when the text is not JSON or not an object. A bad model is
    ///   skipped and reported, never thrown.
    public static func parse(_ bytes: [UInt8], file: String, effectiveFrom: CivilDate,
                             source: String) throws(LiteLLMCatalogError) -> LiteLLMImport {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch let e as JSONError {
            throw LiteLLMCatalogError(file: file, line: line(of: e.offset, in: bytes), message: "not valid JSON: \(e.message)")
        } catch {
            throw LiteLLMCatalogError(file: file, line: nil, message: "not valid JSON: \(error)")
        }
        guard let models = root.object else {
            throw LiteLLMCatalogError(file: file, line: 1, message: "expected a JSON object keyed by model name")
        }
        var result = LiteLLMImport(totalModels: models.count)
        for key in models.keys.sorted() {
            guard let value = models[key] else { continue }
            switch importModel(key, value, effectiveFrom: effectiveFrom, source: source) {
            case .imported(let entry, let rounded, let ignored):
                result.entries.append(entry)
                result.roundedValues += rounded
                for f in ignored { result.ignoredFields[f, default: 0] += 1 }
            case .skipped(let reason):
                result.skipped.append(LiteLLMImport.Skip(model: key, reason: reason))
            }
        }
        return result
    }

    // MARK: One model

    enum Outcome {
        case imported(PriceEntry, rounded: [LiteLLMImport.RoundedValue], ignored: [String])
        case skipped(LiteLLMImport.SkipReason)
    }

    /// A token kind a field prices.
    enum Component {
        case input, output, cacheRead, cacheHit, cacheWrite5m, cacheWrite1h, reasoning
        case audioInput, cachedAudioInput, audioOutput, imageInput, imageOutput
    }

    /// Which card a field belongs to: a tier, and the long-context threshold (in tokens) or nil.
    struct CardSlot: Hashable {
        var tier: PricingTier
        var threshold: Int64?
    }

    struct PartialCard {
        var values: [Component: Rate] = [:]
        func card(fallbackInput: Rate, fallbackOutput: Rate) -> RateCard {
            RateCard(input: values[.input] ?? fallbackInput, cachedInput: values[.cacheRead] ?? values[.cacheHit],
                     cacheWrite5m: values[.cacheWrite5m], cacheWrite1h: values[.cacheWrite1h],
                     output: values[.output] ?? fallbackOutput, reasoning: values[.reasoning],
                     audioInput: values[.audioInput], cachedAudioInput: values[.cachedAudioInput],
                     audioOutput: values[.audioOutput], imageInput: values[.imageInput], imageOutput: values[.imageOutput])
        }
    }

    /// Field base names, longest first where one is a prefix of another.
    static let bases: [(String, Component)] = [
        ("cache_read_input_audio_token_cost", .cachedAudioInput),
        ("input_cost_per_audio_token", .audioInput),
        ("output_cost_per_audio_token", .audioOutput),
        ("input_cost_per_image_token", .imageInput),
        ("output_cost_per_image_token", .imageOutput),
        ("cache_creation_input_token_cost_above_1hr", .cacheWrite1h),
        ("cache_creation_input_token_cost", .cacheWrite5m),
        ("cache_read_input_token_cost", .cacheRead),
        ("output_cost_per_reasoning_token", .reasoning),
        ("input_cost_per_token", .input),
        ("output_cost_per_token", .output),
    ]

    /// The component and card of a catalogue field, or nil when the field is not a per-token price this
    /// import maps (audio, images, 12-hour cache, other tiers, …).
    static func classify(_ field: String) -> (Component, CardSlot)? {
        if field == "input_cost_per_token_cache_hit" { return (.cacheHit, CardSlot(tier: .standard, threshold: nil)) }
        for (base, component) in bases where field.hasPrefix(base) {
            var rest = Substring(field.dropFirst(base.count))
            var threshold: Int64?
            if rest.hasPrefix("_above_") {
                let afterAbove = rest.dropFirst("_above_".count)
                let digits = afterAbove.prefix(while: { $0.isASCII && $0.isNumber })
                let tail = afterAbove.dropFirst(digits.count)
                guard !digits.isEmpty, tail.hasPrefix("k_tokens"), let n = Int64(digits), n > 0, n < 1_000_000_000 else {
                    continue
                }
                threshold = n * 1000
                rest = tail.dropFirst("k_tokens".count)
            }
            let tier: PricingTier
            switch rest {
            case "": tier = .standard
            case "_batches": tier = .batch
            case "_flex": tier = .flex
            case "_priority": tier = .priority
            default: continue
            }
            return (component, CardSlot(tier: tier, threshold: threshold))
        }
        return nil
    }

    static func importModel(_ key: String, _ value: JSONValue, effectiveFrom: CivilDate, source: String) -> Outcome {
        if key == "sample_spec" { return .skipped(.documentation) }
        guard let fields = value.object else { return .skipped(.notAnObject) }
        let mode = fields["mode"]?.string
        guard let mode, pricedModes.contains(mode) else { return .skipped(.unsupportedMode(mode ?? "(none)")) }

        var partial: [CardSlot: PartialCard] = [:]
        var rounded: [LiteLLMImport.RoundedValue] = []
        var ignored: [String] = []
        var fieldSlots: [String: CardSlot] = [:]
        var perImage: Rate?
        var toolFees: [String: Rate] = [:]
        var modifiers: [PriceModifier] = []
        for field in fields.keys.sorted() {
            guard let v = fields[field] else { continue }
            if field == "output_cost_per_image" || field == "search_context_cost_per_query" {
                if v.isNull { continue }
                // The fee of one web search at LiteLLM's default (medium) search context size.
                let priced = field == "output_cost_per_image" ? v : v.object?["search_context_size_medium"]
                guard let p = priced, let d = p.decimal, !d.isNegative, let text = p.string, let rate = Rate(perToken: text) else {
                    return .skipped(.invalidPrice(field: field, text: v.string ?? v.compactText))
                }
                if field == "output_cost_per_image" { perImage = rate } else { toolFees[CallExtras.Tool.webSearch] = rate }
                continue
            }
            if field == "provider_specific_entry" {
                // Multipliers by request attribute: `fast` is fast mode, any other key an inference
                // geography (`{"us": 1.1}` on Anthropic's models).
                for (name, factor) in v.object ?? [:] {
                    guard let text = factor.string, let f = PriceModifier.fraction(parsing: text) else {
                        ignored.append("provider_specific_entry.\(name)")
                        continue
                    }
                    let attribute: PriceModifier.Attribute = name.lowercased() == "fast" ? .speed : .inferenceGeo
                    modifiers.append(PriceModifier(attribute, name, numerator: f.numerator, denominator: f.denominator))
                }
                continue
            }
            guard let (component, slot) = classify(field) else {
                if field.contains("cost") { ignored.append(field) }
                continue
            }
            if v.isNull { continue }
            guard let d = v.decimal, !d.isNegative, let text = v.string,
                  let rate = Rate(perToken: text) else {
                return .skipped(.invalidPrice(field: field, text: v.string ?? v.compactText))
            }
            if d.scaled(byPowerOfTen: 12, rounding: false) == nil {
                rounded.append(LiteLLMImport.RoundedValue(model: key, field: field, text: text, rate: rate))
            }
            partial[slot, default: PartialCard()].values[component] = rate
            fieldSlots[field] = slot
        }

        // A long-context card is a tier of text prices: rates above a threshold for audio or images alone
        // (LiteLLM lists `input_cost_per_audio_token_above_200k_tokens` for `gemini-2.5-flash`, whose
        // provider bills no long-context tier) form no card and are reported as ignored.
        for (slot, card) in partial where slot.threshold != nil && card.values[.input] == nil && card.values[.output] == nil {
            for (field, s) in fieldSlots where s == slot {
                ignored.append(field)
                rounded.removeAll { $0.field == field }
            }
            partial[slot] = nil
        }
        // One long-context threshold: the lowest.
        let thresholds = Set(partial.keys.compactMap(\.threshold))
        if let lowest = thresholds.min(), thresholds.count > 1 {
            for (field, slot) in fieldSlots where slot.threshold != nil && slot.threshold != lowest {
                ignored.append(field)
                rounded.removeAll { $0.field == field }
            }
            partial = partial.filter { $0.key.threshold == nil || $0.key.threshold == lowest }
        }
        let threshold = thresholds.min()

        var std = partial[CardSlot(tier: .standard, threshold: nil)]?.values ?? [:]
        // An embedding model bills no output; an image model priced per image only bills no tokens.
        if inputOnlyModes.contains(mode), std[.input] != nil, std[.output] == nil { std[.output] = .zero }
        if mode == "image_generation" {
            // Image models bill their output as images (per image or per image token), not as text.
            if std[.output] == nil, perImage != nil || std[.imageOutput] != nil { std[.output] = .zero }
            if std[.input] == nil, perImage != nil { std[.input] = .zero }
        }
        switch (std[.input], std[.output]) {
        case (nil, nil): return .skipped(.noTokenPrices)
        case (nil, _): return .skipped(.incompleteTokenPrices(missing: "input_cost_per_token"))
        case (_, nil): return .skipped(.incompleteTokenPrices(missing: "output_cost_per_token"))
        case (let input?, let output?):
            let standardCard = PartialCard(values: std).card(fallbackInput: input, fallbackOutput: output)
            let provider = fields["litellm_provider"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
            var entry = PriceEntry(provider: provider, model: key, effectiveFrom: effectiveFrom, source: source,
                                   cards: [RateCardKey(.standard): standardCard], longContextThreshold: threshold,
                                   toolFees: toolFees, perImage: perImage, modifiers: modifiers.sorted())
            // Each card is added after those it may fall back to.
            var order: [CardSlot] = []
            if let t = threshold { order.append(CardSlot(tier: .standard, threshold: t)) }
            for tier in [PricingTier.batch, .flex, .priority] { order.append(CardSlot(tier: tier, threshold: nil)) }
            if let t = threshold {
                for tier in [PricingTier.batch, .flex, .priority] { order.append(CardSlot(tier: tier, threshold: t)) }
            }
            for slot in order {
                guard let p = partial[slot] else { continue }
                let longContext = slot.threshold != nil
                guard let fallback = entry.card(tier: slot.tier, longContext: longContext) else { continue }
                entry.cards[RateCardKey(slot.tier, longContext: longContext)] =
                    p.card(fallbackInput: fallback.input, fallbackOutput: fallback.output)
            }
            return .imported(entry, rounded: rounded, ignored: ignored)
        }
    }

    /// The 1-based line of a byte offset.
    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for b in bytes.prefix(max(0, offset)) where b == 0x0A { line += 1 }
        return line
    }
}

/// A LiteLLM catalogue that cannot be read at all.
public struct LiteLLMCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// 1-based line of the problem, when known.
    public var line: Int?
    /// What is wrong.
    public var message: String

    /// An error about `file`.
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`.
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// What an import of LiteLLM's catalogue produced, and what it left out and why.
public struct LiteLLMImport: Sendable {
    /// The imported entries, sorted by model key.
    public var entries: [PriceEntry] = []
    /// Top-level keys in the catalogue.
    public var totalModels: Int
    /// Models not imported, sorted by model key.
    public var skipped: [Skip] = []
    /// Prices finer than one picodollar per token, rounded half to even on import.
    public var roundedValues: [RoundedValue] = []
    /// For the imported models: cost fields with no place in a price entry (audio, images, per-query
    /// search, 12-hour cache writes, other tiers, a second long-context threshold), with how many models
    /// carry each.
    public var ignoredFields: [String: Int] = [:]

    /// An empty result for a catalogue of `totalModels` keys.
    public init(totalModels: Int) {
        self.totalModels = totalModels
    }

    /// The imported entries as a book.
    public var book: PriceBook { PriceBook(entries: entries) }

    /// How many models were skipped for each reason.
    public var skipCounts: [SkipReason: Int] {
        var out: [SkipReason: Int] = [:]
        for s in skipped { out[s.reason.counted, default: 0] += 1 }
        return out
    }

    /// A model left out of the import.
    public struct Skip: Sendable, Equatable {
        /// The catalogue key.
        public var model: String
        /// Why it was left out.
        public var reason: SkipReason
    }

    /// Why a model was left out.
    public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
        /// `sample_spec`, the catalogue's description of its own fields.
        case documentation
        /// The value is not a JSON object.
        case notAnObject
        /// `mode` is not chat, completion or responses (`(none)` when absent).
        case unsupportedMode(String)
        /// Neither `input_cost_per_token` nor `output_cost_per_token`.
        case noTokenPrices
        /// One of the two is missing (named).
        case incompleteTokenPrices(missing: String)
        /// A mapped field is not a non-negative number that fits.
        case invalidPrice(field: String, text: String)

        /// The reason without the offending text, for counting.
        var counted: SkipReason {
            if case .invalidPrice(let field, _) = self { return .invalidPrice(field: field, text: "") }
            return self
        }

        /// A short explanation for reports.
        public var description: String {
            switch self {
            case .documentation: "field documentation (sample_spec)"
            case .notAnObject: "not a JSON object"
            case .unsupportedMode(let m): "mode \(m) is not chat, completion or responses"
            case .noTokenPrices: "no per-token input or output price"
            case .incompleteTokenPrices(let missing): "no \(missing)"
            case .invalidPrice(let field, let text):
                text.isEmpty ? "invalid \(field)" : "invalid \(field): \(text)"
            }
        }
    }

    /// A catalogue price held to the nearest picodollar per token.
    public struct RoundedValue: Sendable, Equatable {
        /// The catalogue key.
        public var model: String
        /// The catalogue field, e.g. `input_cost_per_token`.
        public var field: String
        /// The catalogue's text, e.g. `2.9999900000000002e-06`.
        public var text: String
        /// The rate held.
        public var rate: Rate
    }
}
