import Foundation
import LedgerIngest
import LedgerValues
import Yams

/// TokenLedger's own price-book format: YAML, prices in US dollars per one million tokens.
///
/// ```yaml
/// currency: USD
/// prices:
///   - model: claude-sonnet-4-5
///     provider: anthropic
///     aliases: [claude-sonnet-4-5-latest]
///     effective_from: 2025-09-29
///     source: https://platform.claude.com/docs/en/about-claude/pricing
///     per_million_tokens: {input: 3, cached_input: 0.30, cache_write_5m: 3.75, cache_write_1h: 6, output: 15}
///     batch: {input: 1.50, output: 7.50}
///     long_context:
///       above_input_tokens: 200000
///       input: 6
///       cached_input: 0.60
///       cache_write_5m: 7.50
///       output: 22.50
///       batch: {input: 3, output: 11.25}
/// ```
///
/// A card (`per_million_tokens`, `batch`, `flex`, `priority`, `long_context` and the tier cards inside
/// it) takes `input` and `output` (required), `cached_input`, `cache_write_5m`, `cache_write_1h` and
/// `reasoning`; components it omits are derived as ``PriceEntry/card(tier:longContext:)`` describes.
/// Numbers are read from the YAML text and held exactly: at most six decimals (one picodollar per token).
/// Unknown keys are errors, so a typo never silently drops a price. `source` defaults to the file's path.
/// See `docs/price-book.md`.
public struct PriceBookFile: Sendable, Equatable {
    /// The currency of every entry; TokenLedger holds amounts in US dollars, so only `USD` is accepted.
    public var currency: String
    /// The entries in file order.
    public var entries: [PriceEntry]

    /// A book of `entries` to write or hold.
    public init(currency: String = "USD", entries: [PriceEntry]) {
        self.currency = currency
        self.entries = entries
    }

    /// The entries as a ``PriceBook``.
    public var book: PriceBook { PriceBook(entries: entries) }

    /// Reads and parses the file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file, named in errors as given.
    ///   - defaultEffectiveFrom: the day from which an entry without `effective_from` holds; when nil,
    ///     such an entry is an error.
    public static func load(path: String, defaultEffectiveFrom: CivilDate? = nil) throws(PriceBookFileError) -> PriceBookFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PriceBookFileError(file: path, line: nil, key: "", message: FileReadProblem.message(path, error: error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PriceBookFileError(file: path, line: nil, key: "", message: "the file is not UTF-8 text")
        }
        return try parse(text: text, path: path, defaultEffectiveFrom: defaultEffectiveFrom)
    }

    /// Parses price-book YAML.
    ///
    /// - Parameters:
    ///   - text: the YAML text.
    ///   - path: the file name used in errors and as the default `source`.
    ///   - defaultEffectiveFrom: the day from which an entry without `effective_from` holds; when nil,
    ///     such an entry is an error.
    /// - Throws: ``PriceBookFileError`` naming the line and key of the first problem.
    public static func parse(text: String, path: String,
                             defaultEffectiveFrom: CivilDate? = nil) throws(PriceBookFileError) -> PriceBookFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw YAMLDiagnostics.syntaxError(error, file: path, text: text)
        }
        let reader = PriceBookFileReader(file: path, defaultEffectiveFrom: defaultEffectiveFrom)
        return try reader.read(root)
    }

    /// The book as YAML in this format, deterministic (entries in the order held, keys in a fixed order,
    /// numbers exact). Parsing the text gives back equal entries (ids aside, which the format does not hold).
    /// Long-context cards of an entry without a threshold can never apply and are not written.
    public func yamlText() -> String {
        var out = "# TokenLedger price book. Prices in US dollars per 1M tokens; see docs/price-book.md.\n"
        out += "currency: \(PriceBookFileWriter.scalar(currency))\n"
        if entries.isEmpty {
            out += "prices: []\n"
            return out
        }
        out += "prices:\n"
        for e in entries { PriceBookFileWriter.write(e, fileCurrency: currency, to: &out) }
        return out
    }
}

/// The names of a card's components in the file.
enum PriceBookFileKeys {
    static let input = "input", cachedInput = "cached_input", cacheWrite5m = "cache_write_5m"
    static let cacheWrite1h = "cache_write_1h", output = "output", reasoning = "reasoning"
    static let audioInput = "audio_input", cachedAudioInput = "cached_audio_input", audioOutput = "audio_output"
    static let imageInput = "image_input", imageOutput = "image_output"
    static let card = [input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning, audioInput, cachedAudioInput,
                       audioOutput, imageInput, imageOutput]
    static let tiers: [(String, PricingTier)] = [("batch", .batch), ("flex", .flex), ("priority", .priority)]
    static let toolFees = "tool_fees_per_1000", perImage = "per_image", modifiers = "modifiers", factor = "factor"
    static let entry = ["model", "provider", "aliases", "effective_from", "currency", "source", "per_million_tokens",
                        "batch", "flex", "priority", "long_context", toolFees, perImage, modifiers]
    static let aboveInputTokens = "above_input_tokens"
}

/// Turns a YAML node tree into entries, failing on the first problem with its line and key.
struct PriceBookFileReader: YAMLNodeReading {
    let file: String
    let defaultEffectiveFrom: CivilDate?

    typealias Keys = PriceBookFileKeys

    func read(_ root: Node?) throws(PriceBookFileError) -> PriceBookFile {
        guard let root else {
            throw PriceBookFileError(file: file, line: nil, key: "",
                                     message: "the file is empty; expected a mapping with `currency` and `prices`")
        }
        let top = try mapping(root, "", allowed: ["currency", "prices"])
        var currency = "USD"
        if let c = top["currency"] { currency = try self.currency(c.value, "currency") }
        guard let prices = top["prices"] else {
            throw fail(root, "", "missing required key `prices` (a list of price entries)")
        }
        guard case .sequence(let items) = prices.value else {
            throw fail(prices.value, "prices", "expected a list of price entries, got \(describe(prices.value))")
        }
        var entries: [PriceEntry] = []
        var lines: [Int?] = []
        for (i, item) in items.enumerated() {
            entries.append(try entry(item, "prices[\(i)]", fileCurrency: currency))
            lines.append(item.mark?.line)
        }
        try checkConsistency(entries, lines: lines)
        return PriceBookFile(currency: currency, entries: entries)
    }

    // MARK: Entries

    func entry(_ node: Node, _ path: String, fileCurrency: String) throws(PriceBookFileError) -> PriceEntry {
        let m = try mapping(node, path, allowed: Keys.entry)
        let model = try required(m, "model", node, path) { (n, k) throws(PriceBookFileError) in try name(n, k, what: "a model name") }
        let provider = try required(m, "provider", node, path) { (n, k) throws(PriceBookFileError) in
            try name(n, k, what: "a provider name such as `openai`")
        }
        var aliases: [String] = []
        if let a = m["aliases"] { aliases = try names(a.value, "\(path).aliases") }
        if aliases.contains(model) {
            throw fail(m["aliases"]?.value, "\(path).aliases", "the alias `\(model)` repeats the model name")
        }
        let effectiveFrom: CivilDate
        if let d = m["effective_from"] {
            effectiveFrom = try date(d.value, "\(path).effective_from")
        } else if let d = defaultEffectiveFrom {
            effectiveFrom = d
        } else {
            throw fail(node, path, "missing required key `effective_from` (a UTC day as YYYY-MM-DD), and no default effective date was given")
        }
        var currency = fileCurrency
        if let c = m["currency"] { currency = try self.currency(c.value, "\(path).currency") }
        var source = file
        if let s = m["source"] { source = try name(s.value, "\(path).source", what: "a source (a URL, file or catalogue version)") }

        var cards: [RateCardKey: RateCard] = [:]
        let standard = try required(m, "per_million_tokens", node, path) { (n, k) throws(PriceBookFileError) in
            try card(n, k, extra: []).card
        }
        cards[RateCardKey(.standard)] = standard
        for (key, tier) in Keys.tiers {
            if let c = m[key] { cards[RateCardKey(tier)] = try card(c.value, "\(path).\(key)", extra: []).card }
        }
        var threshold: Int64?
        if let lc = m["long_context"] {
            let lpath = "\(path).long_context"
            let (longCard, extras) = try card(lc.value, lpath, extra: [Keys.aboveInputTokens] + Keys.tiers.map(\.0))
            guard let t = extras[Keys.aboveInputTokens] else {
                throw fail(lc.value, lpath, "missing required key `above_input_tokens` (the input tokens, cached included, above which the whole call is billed at these rates)")
            }
            threshold = try tokens(t.value, "\(lpath).above_input_tokens")
            cards[RateCardKey(.standard, longContext: true)] = longCard
            for (key, tier) in Keys.tiers {
                if let c = extras[key] {
                    cards[RateCardKey(tier, longContext: true)] = try card(c.value, "\(lpath).\(key)", extra: []).card
                }
            }
        }
        var toolFees: [String: Rate] = [:]
        if let f = m[Keys.toolFees] {
            let fpath = "\(path).\(Keys.toolFees)"
            guard case .mapping(let pairs) = f.value else {
                throw fail(f.value, fpath, "expected a mapping of tool name to dollars per 1,000 uses, e.g. {web_search: 10}")
            }
            for (k, v) in pairs {
                let tool = try name(k, fpath, what: "a tool name")
                if toolFees[tool] != nil { throw fail(k, "\(fpath).\(tool)", "the tool is given twice") }
                toolFees[tool] = try amount(v, "\(fpath).\(tool)", per: 1_000, what: "dollars per 1,000 uses")
            }
        }
        var perImage: Rate?
        if let pi = m[Keys.perImage] { perImage = try amount(pi.value, "\(path).\(Keys.perImage)", per: 1, what: "dollars per image") }
        var modifiers: [PriceModifier] = []
        if let ms = m[Keys.modifiers] {
            let mpath = "\(path).\(Keys.modifiers)"
            guard case .sequence(let items) = ms.value else {
                throw fail(ms.value, mpath, "expected a list of modifiers such as {speed: fast, factor: 6}")
            }
            for (i, item) in items.enumerated() {
                let ipath = "\(mpath)[\(i)]"
                let im = try mapping(item, ipath, allowed: PriceModifier.Attribute.allCases.map(\.rawValue) + [Keys.factor])
                let attributes = PriceModifier.Attribute.allCases.filter { im[$0.rawValue] != nil }
                guard attributes.count == 1, let attribute = attributes.first, let valueNode = im[attribute.rawValue] else {
                    throw fail(item, ipath, "expected exactly one of speed, inference_geo, region beside `factor`")
                }
                let value = try name(valueNode.value, "\(ipath).\(attribute.rawValue)", what: "an attribute value such as `fast` or `us`")
                guard let fnode = im[Keys.factor] else { throw fail(item, ipath, "missing required key `factor` (e.g. 1.1)") }
                let (num, den) = try factor(fnode.value, "\(ipath).factor")
                let modifier = PriceModifier(attribute, value, numerator: num, denominator: den)
                if modifiers.contains(where: { $0.attribute == attribute && $0.value == modifier.value }) {
                    throw fail(item, ipath, "\(attribute.rawValue) `\(modifier.value)` is given twice")
                }
                modifiers.append(modifier)
            }
        }
        return PriceEntry(provider: provider, model: model, aliases: aliases, effectiveFrom: effectiveFrom,
                          currency: currency, source: source, cards: cards, longContextThreshold: threshold,
                          toolFees: toolFees, perImage: perImage, modifiers: modifiers.sorted())
    }

    /// A non-negative amount of dollars per `per` units, held in picodollars per unit (exact).
    func amount(_ node: Node, _ path: String, per: Int64, what: String) throws(PriceBookFileError) -> Rate {
        let t = try text(node, path, expected: "a non-negative number of \(what)")
        guard let d = ExactDecimal(parsing: t), !d.isNegative else {
            throw fail(node, path, "expected a non-negative number of \(what), got \"\(t)\"")
        }
        guard let picos = d.scaled(byPowerOfTen: 12, rounding: false), picos % Int128(per) == 0,
              let v = Int64(exactly: picos / Int128(per)) else {
            throw fail(node, path, "\"\(t)\" is finer than one picodollar per use, or too large")
        }
        return Rate(picosPerToken: v)
    }

    /// A positive factor such as `1.1` or `6`, as an exact fraction.
    func factor(_ node: Node, _ path: String) throws(PriceBookFileError) -> (Int64, Int64) {
        let t = try text(node, path, expected: "a positive factor such as 1.1")
        guard let f = PriceModifier.fraction(parsing: t) else {
            throw fail(node, path, "expected a positive factor with at most 6 decimals, such as 1.1, got \"\(t)\"")
        }
        return f
    }

    /// A card, plus the values of the `extra` keys the caller allows beside the components.
    func card(_ node: Node, _ path: String,
              extra: [String]) throws(PriceBookFileError) -> (card: RateCard, extras: [String: (key: Node, value: Node)]) {
        let m = try mapping(node, path, allowed: Keys.card + extra)
        func rate(_ key: String) throws(PriceBookFileError) -> Rate? {
            guard let v = m[key] else { return nil }
            return try self.rate(v.value, "\(path).\(key)")
        }
        guard let input = try rate(Keys.input) else {
            throw fail(node, path, "missing required key `input` (dollars per 1M input tokens)")
        }
        guard let output = try rate(Keys.output) else {
            throw fail(node, path, "missing required key `output` (dollars per 1M output tokens)")
        }
        let card = RateCard(input: input, cachedInput: try rate(Keys.cachedInput), cacheWrite5m: try rate(Keys.cacheWrite5m),
                            cacheWrite1h: try rate(Keys.cacheWrite1h), output: output, reasoning: try rate(Keys.reasoning),
                            audioInput: try rate(Keys.audioInput), cachedAudioInput: try rate(Keys.cachedAudioInput),
                            audioOutput: try rate(Keys.audioOutput), imageInput: try rate(Keys.imageInput),
                            imageOutput: try rate(Keys.imageOutput))
        var extras: [String: (key: Node, value: Node)] = [:]
        for k in extra { if let v = m[k] { extras[k] = v } }
        return (card, extras)
    }

    /// No two entries of one model on one day; no name that means two models.
    func checkConsistency(_ entries: [PriceEntry], lines: [Int?]) throws(PriceBookFileError) {
        var seen: [String: Int] = [:]  // "model@day" → index
        var owner: [String: (model: String, index: Int, isAlias: Bool)] = [:]  // normalized name → model
        for (i, e) in entries.enumerated() {
            let k = "\(e.model)@\(e.effectiveFrom)"
            if let j = seen[k] {
                throw PriceBookFileError(file: file, line: lines[i], key: "prices[\(i)]",
                                         message: "`\(e.model)` already has a price effective \(e.effectiveFrom) (prices[\(j)]\(lines[j].map { ", line \($0)" } ?? ""))")
            }
            seen[k] = i
        }
        for (i, e) in entries.enumerated() {
            let n = ModelNameIndex.normalize(e.model)
            if let o = owner[n], o.model != e.model {
                throw PriceBookFileError(file: file, line: lines[i], key: "prices[\(i)].model",
                                         message: "`\(e.model)` differs only in case from `\(o.model)` (prices[\(o.index)])")
            }
            owner[n] = (e.model, i, false)
        }
        for (i, e) in entries.enumerated() {
            for a in e.aliases {
                let n = ModelNameIndex.normalize(a)
                if let o = owner[n], o.model != e.model {
                    let what = o.isAlias ? "an alias of" : "the model"
                    throw PriceBookFileError(file: file, line: lines[i], key: "prices[\(i)].aliases",
                                             message: "the alias `\(a)` is already \(what) `\(o.model)` (prices[\(o.index)])")
                }
                if owner[n] == nil { owner[n] = (e.model, i, true) }
            }
        }
    }

    // MARK: Values

    func name(_ node: Node, _ path: String, what: String) throws(PriceBookFileError) -> String {
        let t = try text(node, path, expected: what).trimmingWhitespace()
        guard !t.isEmpty else { throw fail(node, path, "expected \(what), got an empty text") }
        return t
    }

    func names(_ node: Node, _ path: String) throws(PriceBookFileError) -> [String] {
        guard case .sequence(let items) = node else {
            throw fail(node, path, "expected a list of model names, got \(describe(node))")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            let n = try name(item, "\(path)[\(i)]", what: "a model name")
            if !out.contains(n) { out.append(n) }
        }
        return out
    }

    func rate(_ node: Node, _ path: String) throws(PriceBookFileError) -> Rate {
        let expected = "a non-negative number of dollars per 1M tokens"
        let t = try text(node, path, expected: expected)
        guard let d = ExactDecimal(parsing: t), !d.isNegative else {
            throw fail(node, path, "expected \(expected), got \"\(t)\"")
        }
        guard d.scaled(byPowerOfTen: 6, rounding: false) != nil else {
            throw fail(node, path, "\"\(t)\" is finer than one picodollar per token; use at most 6 decimals (dollars per 1M tokens)")
        }
        guard let r = Rate(perMillion: t) else {
            throw fail(node, path, "\"\(t)\" is too large for a price per token")
        }
        return r
    }

    func date(_ node: Node, _ path: String) throws(PriceBookFileError) -> CivilDate {
        let t = try text(node, path, expected: "a UTC day as YYYY-MM-DD")
        guard let d = CivilDate(parsing: t.trimmingWhitespace()) else {
            throw fail(node, path, "expected a UTC day as YYYY-MM-DD, got \"\(t)\"")
        }
        return d
    }

    func tokens(_ node: Node, _ path: String) throws(PriceBookFileError) -> Int64 {
        let expected = "a whole number of input tokens above 0"
        let t = try text(node, path, expected: expected)
        let digits = t.replacingOccurrences(of: "_", with: "")
        guard digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(digits), v > 0 else {
            throw fail(node, path, "expected \(expected), got \"\(t)\"")
        }
        return v
    }

    func currency(_ node: Node, _ path: String) throws(PriceBookFileError) -> String {
        let t = try text(node, path, expected: "a currency code")
        guard t == "USD" else {
            throw fail(node, path, "expected USD (TokenLedger holds amounts in US dollars), got \"\(t)\"")
        }
        return t
    }

}

/// Writes entries in the price-book format.
enum PriceBookFileWriter {
    typealias Keys = PriceBookFileKeys

    static func write(_ e: PriceEntry, fileCurrency: String, to out: inout String) {
        out += "  - model: \(scalar(e.model))\n"
        out += "    provider: \(scalar(e.provider))\n"
        if !e.aliases.isEmpty { out += "    aliases: [\(e.aliases.map(scalar).joined(separator: ", "))]\n" }
        out += "    effective_from: \(e.effectiveFrom)\n"
        if e.currency != fileCurrency { out += "    currency: \(scalar(e.currency))\n" }
        if !e.source.isEmpty { out += "    source: \(scalar(e.source))\n" }
        if let std = e.cards[RateCardKey(.standard)] { out += "    per_million_tokens: \(flow(std))\n" }
        for (key, tier) in Keys.tiers {
            if let c = e.cards[RateCardKey(tier)] { out += "    \(key): \(flow(c))\n" }
        }
        if let t = e.longContextThreshold, let long = e.cards[RateCardKey(.standard, longContext: true)] {
            out += "    long_context:\n"
            out += "      above_input_tokens: \(t)\n"
            for (key, rate) in components(long) { out += "      \(key): \(rate.perMillionString)\n" }
            for (key, tier) in Keys.tiers {
                if let c = e.cards[RateCardKey(tier, longContext: true)] { out += "      \(key): \(flow(c))\n" }
            }
        }
        if !e.toolFees.isEmpty {
            let fees = e.toolFees.sorted { $0.key < $1.key }.map {
                "\(scalar($0.key)): \(Money(picos: Int128($0.value.picosPerToken) * 1_000).exactString)"
            }
            out += "    \(Keys.toolFees): {\(fees.joined(separator: ", "))}\n"
        }
        if let p = e.perImage { out += "    \(Keys.perImage): \(Money(picos: Int128(p.picosPerToken)).exactString)\n" }
        if !e.modifiers.isEmpty {
            out += "    \(Keys.modifiers):\n"
            for m in e.modifiers { out += "      - {\(m.attribute.rawValue): \(scalar(m.value)), \(Keys.factor): \(m.factorText)}\n" }
        }
    }

    static func components(_ c: RateCard) -> [(String, Rate)] {
        var out: [(String, Rate)] = [(Keys.input, c.input)]
        if let r = c.cachedInput { out.append((Keys.cachedInput, r)) }
        if let r = c.cacheWrite5m { out.append((Keys.cacheWrite5m, r)) }
        if let r = c.cacheWrite1h { out.append((Keys.cacheWrite1h, r)) }
        out.append((Keys.output, c.output))
        if let r = c.reasoning { out.append((Keys.reasoning, r)) }
        if let r = c.audioInput { out.append((Keys.audioInput, r)) }
        if let r = c.cachedAudioInput { out.append((Keys.cachedAudioInput, r)) }
        if let r = c.audioOutput { out.append((Keys.audioOutput, r)) }
        if let r = c.imageInput { out.append((Keys.imageInput, r)) }
        if let r = c.imageOutput { out.append((Keys.imageOutput, r)) }
        return out
    }

    static func flow(_ c: RateCard) -> String {
        "{" + components(c).map { "\($0.0): \($0.1.perMillionString)" }.joined(separator: ", ") + "}"
    }

    /// A string as a YAML scalar: plain when it is a simple name that no YAML reader would take for a
    /// number, boolean or null; otherwise double-quoted with escapes.
    static func scalar(_ s: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]
        let u = Array(s.utf8)
        let plain = !u.isEmpty && !reserved.contains(s.lowercased())
            && ((u[0] >= 0x61 && u[0] <= 0x7A) || (u[0] >= 0x41 && u[0] <= 0x5A))
            && u.allSatisfy { c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
                    || c == 0x2E || c == 0x2D || c == 0x5F || c == 0x2F || c == 0x40 || c == 0x2B
            }
        if plain { return s }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                // Control characters, and the characters YAML 1.1 reads as line breaks.
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
