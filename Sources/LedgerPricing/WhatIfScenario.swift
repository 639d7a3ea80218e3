import Foundation
import LedgerIngest
import LedgerValues

/// One `KEY=VALUE` pair of a scenario (`--route summarize=gemini-2.5-flash`, `--segment free=economy`),
/// kept in the order given.
public struct WhatIfAssignment: Sendable, Hashable, CustomStringConvertible {
    /// The workflow or segment.
    public var key: String
    /// The model or tier.
    public var value: String

    /// `key=value`.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `KEY=VALUE`; both sides are trimmed and must not be empty.
    ///
    ///     try WhatIfAssignment(parsing: "summarize=gemini-2.5-flash", option: "--route")
    ///     // key "summarize", value "gemini-2.5-flash"
    public init(parsing text: String, option: String) throws(WhatIfScenarioError) {
        guard let eq = text.firstIndex(of: "=") else {
            throw WhatIfScenarioError("\(option) expects KEY=VALUE, got `\(text)`")
        }
        let k = text[..<eq].trimmingCharacters(in: .whitespaces)
        let v = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !k.isEmpty, !v.isEmpty else { throw WhatIfScenarioError("\(option) expects KEY=VALUE, got `\(text)`") }
        self.init(key: k, value: v)
    }

    /// `key=value`.
    public var description: String { "\(key)=\(value)" }
}

/// A scenario that cannot be read: a bad argument, a conflict, a repeated name.
public struct WhatIfScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the scenario and the option.
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A what-if scenario as written: on the command line, in `--scenario NAME:ARGS`, or in a scenario file.
/// Files are named by path and not read yet (see ``load(relativeTo:)``).
///
///     let spec = try WhatIfScenarioSpec(definition: "mini:--all-on gpt-4o-mini --price-book next.yaml")
///     spec.name        // "mini"
///     spec.allOn       // "gpt-4o-mini"
///     spec.arguments   // ["--price-book", "next.yaml", "--all-on", "gpt-4o-mini"]
public struct WhatIfScenarioSpec: Sendable, Equatable {
    /// The column heading.
    public var name: String
    /// Another price book to price the period with: our YAML format, or LiteLLM's catalogue.
    public var priceBook: String?
    /// Every workflow's generation calls on this model.
    public var allOn: String?
    /// Workflows routed to a model (`WORKFLOW=MODEL`).
    public var routes: [WhatIfAssignment] = []
    /// Another routing table (a budget file): every workflow it lists goes to its primary and fallbacks.
    public var budget: String?
    /// Segments capped at a tier (`SEGMENT=TIER`).
    public var segments: [WhatIfAssignment] = []

    /// A scenario that changes nothing yet.
    public init(name: String) { self.name = name }

    /// The options that make up a scenario.
    public static let options = ["--price-book", "--all-on", "--route", "--budget", "--segment"]

    /// A name cannot be empty, hold a colon or control characters, or be `actual` (the logged period's column).
    public static func checkName(_ name: String) throws(WhatIfScenarioError) {
        guard !name.isEmpty, name.count <= 64 else { throw WhatIfScenarioError("a scenario name must have 1 to 64 characters, got `\(name)`") }
        guard !name.contains(":"), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw WhatIfScenarioError("a scenario name cannot hold `:` or control characters, got `\(name)`")
        }
        guard name.lowercased() != WhatIfScenario.actualName else {
            throw WhatIfScenarioError("`\(WhatIfScenario.actualName)` names the logged period; choose another scenario name")
        }
    }

    /// Parses `NAME:ARGS`, e.g. `flash:--route summarize=gemini-2.5-flash`. ARGS are split at spaces;
    /// single or double quotes keep a value with spaces together.
    public init(definition: String) throws(WhatIfScenarioError) {
        guard let colon = definition.firstIndex(of: ":") else {
            throw WhatIfScenarioError("--scenario expects NAME:ARGS (e.g. `mini:--all-on gpt-4o-mini`), got `\(definition)`")
        }
        let name = definition[..<colon].trimmingCharacters(in: .whitespaces)
        try self.init(name: name, arguments: try Self.split(String(definition[definition.index(after: colon)...])))
    }

    /// Reads scenario options (`--all-on MODEL`, `--route W=M`, … and their `--option=value` forms).
    public init(name: String, arguments: [String]) throws(WhatIfScenarioError) {
        try Self.checkName(name)
        self.init(name: name)
        var i = 0
        while i < arguments.count {
            var option = arguments[i]
            var value: String?
            if let eq = option.firstIndex(of: "="), option.hasPrefix("--") {
                value = String(option[option.index(after: eq)...])
                option = String(option[..<eq])
            }
            guard Self.options.contains(option) else {
                throw WhatIfScenarioError("scenario `\(name)`: unknown argument `\(arguments[i])` (expected \(Self.options.joined(separator: ", ")))")
            }
            if value == nil {
                i += 1
                guard i < arguments.count, !arguments[i].hasPrefix("--") else {
                    throw WhatIfScenarioError("scenario `\(name)`: \(option) needs a value")
                }
                value = arguments[i]
            }
            try set(option, value ?? "")
            i += 1
        }
        try validate()
    }

    /// Sets one option; a repeated single-valued option is an error.
    public mutating func set(_ option: String, _ value: String) throws(WhatIfScenarioError) {
        let v = value.trimmingCharacters(in: .whitespaces)
        guard !v.isEmpty else { throw WhatIfScenarioError("scenario `\(name)`: \(option) needs a value") }
        switch option {
        case "--price-book":
            guard priceBook == nil else { throw WhatIfScenarioError("scenario `\(name)`: --price-book given twice") }
            priceBook = v
        case "--all-on":
            guard allOn == nil else { throw WhatIfScenarioError("scenario `\(name)`: --all-on given twice") }
            allOn = v
        case "--budget":
            guard budget == nil else { throw WhatIfScenarioError("scenario `\(name)`: --budget given twice") }
            budget = v
        case "--route":
            let a = try WhatIfAssignment(parsing: v, option: "--route")
            guard !routes.contains(where: { $0.key == a.key }) else {
                throw WhatIfScenarioError("scenario `\(name)`: workflow `\(a.key)` is routed twice")
            }
            routes.append(a)
        case "--segment":
            let a = try WhatIfAssignment(parsing: v, option: "--segment")
            guard !segments.contains(where: { $0.key == a.key }) else {
                throw WhatIfScenarioError("scenario `\(name)`: segment `\(a.key)` is capped twice")
            }
            segments.append(a)
        default:
            throw WhatIfScenarioError("scenario `\(name)`: unknown argument `\(option)`")
        }
    }

    /// Checks what the options say together: something must change, and `--all-on` and `--budget` both
    /// decide every workflow's route, so they do not go together.
    public func validate() throws(WhatIfScenarioError) {
        if isEmpty {
            throw WhatIfScenarioError("scenario `\(name)` changes nothing; give at least one of \(Self.options.joined(separator: ", "))")
        }
        if allOn != nil && budget != nil {
            throw WhatIfScenarioError("scenario `\(name)`: --all-on and --budget both route every workflow; use one (--route overrides single workflows)")
        }
    }

    /// Whether no option is set.
    public var isEmpty: Bool { priceBook == nil && allOn == nil && routes.isEmpty && budget == nil && segments.isEmpty }

    /// The options in a fixed order, as they would be typed.
    public var arguments: [String] {
        var out: [String] = []
        if let priceBook { out += ["--price-book", priceBook] }
        if let budget { out += ["--budget", budget] }
        if let allOn { out += ["--all-on", allOn] }
        for r in routes { out += ["--route", r.description] }
        for s in segments { out += ["--segment", s.description] }
        return out
    }

    /// A short name for a scenario given by options alone: `all-on gpt-4o-mini`,
    /// `route summarize=gemini-2.5-flash`, `prices next.yaml`; several options joined with ` + `.
    public static func defaultName(priceBook: String?, allOn: String?, routes: [WhatIfAssignment], budget: String?,
                                   segments: [WhatIfAssignment]) -> String {
        var parts: [String] = []
        if let priceBook { parts.append("prices \(Self.fileName(priceBook))") }
        if let budget { parts.append("budget \(Self.fileName(budget))") }
        if let allOn { parts.append("all-on \(allOn)") }
        if !routes.isEmpty { parts.append("route " + routes.map(\.description).joined(separator: ",")) }
        if !segments.isEmpty { parts.append("segment " + segments.map(\.description).joined(separator: ",")) }
        let name = parts.isEmpty ? "scenario" : parts.joined(separator: " + ")
        return name.count <= 64 ? name : String(name.prefix(61)) + "..."
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// Splits an argument string at unquoted spaces; quotes group, and are removed.
    public static func split(_ text: String) throws(WhatIfScenarioError) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" || ch == "\n" {
                if inWord { out.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(ch)
                inWord = true
            }
        }
        guard quote == nil else { throw WhatIfScenarioError("unclosed quote in scenario arguments `\(text)`") }
        if inWord { out.append(current) }
        return out
    }
}

/// A scenario ready to run: its price book and routing table read.
public struct WhatIfScenario: Sendable {
    /// The name of the logged period's column.
    public static let actualName = "actual"

    /// The column heading.
    public var name: String
    /// How it was asked for (`--all-on gpt-4o-mini`), for the report.
    public var summary: String
    /// Prices that replace the billed ones, for the models they list (each at its newest entry).
    public var prices: PriceBook?
    /// Every workflow's generation calls on this model.
    public var allOn: String?
    /// Workflows routed to a model; these win over `allOn` and `budget`.
    public var routes: [WhatIfAssignment]
    /// A routing table whose routes replace the logged ones for the workflows it lists.
    public var budget: Budget?
    /// Segments capped at a tier.
    public var segmentCaps: [WhatIfAssignment]

    /// A scenario of already-read parts.
    public init(name: String, summary: String = "", prices: PriceBook? = nil, allOn: String? = nil,
                routes: [WhatIfAssignment] = [], budget: Budget? = nil, segmentCaps: [WhatIfAssignment] = []) {
        self.name = name
        self.summary = summary
        self.prices = prices
        self.allOn = allOn
        self.routes = routes
        self.budget = budget
        self.segmentCaps = segmentCaps
    }

    /// The logged period as billed: the column every scenario is compared with.
    public static var actual: WhatIfScenario {
        WhatIfScenario(name: actualName, summary: "the logged traffic at the prices it was billed")
    }

    /// Whether the scenario changes nothing (then it equals the actual bill to the picodollar).
    public var changesNothing: Bool {
        prices == nil && allOn == nil && routes.isEmpty && budget == nil && segmentCaps.isEmpty
    }

    /// The route of `workflow` given with `--route`.
    public func route(_ workflow: String) -> String? { routes.first { $0.key == workflow }?.value }

    /// The tier `segment` is capped at.
    public func cap(_ segment: String) -> String? { segmentCaps.first { $0.key == segment }?.value }
}

extension WhatIfScenarioSpec {
    /// Reads the price book and routing table the scenario names. Relative paths are read from
    /// `directory` when given (a scenario file's folder), else from the working directory.
    public func load(relativeTo directory: String? = nil) throws(ConfigFileError) -> WhatIfScenario {
        func resolve(_ path: String) -> String {
            guard let directory, !path.hasPrefix("/") else { return path }
            return directory.hasSuffix("/") ? directory + path : directory + "/" + path
        }
        var s = WhatIfScenario(name: name, summary: arguments.map(Self.shellWord).joined(separator: " "), allOn: allOn,
                               routes: routes, segmentCaps: segments)
        if let priceBook {
            let path = resolve(priceBook)
            let entries: [PriceEntry]
            let kind: PriceFileKind
            do { kind = try PriceFileKind.detect(path: path) } catch {
                throw ConfigFileError(file: path, line: nil, key: "", message: FileReadProblem.message(path, error: error))
            }
            if kind == .liteLLM {
                // The catalogue has no dates; a what-if applies each model's price to the whole period anyway.
                do {
                    entries = try LiteLLMCatalog.load(path: path, effectiveFrom: CivilDate(year: 1970, month: 1, day: 1),
                                                      source: "litellm catalogue \(Self.fileName(path))").entries
                } catch {
                    throw ConfigFileError(file: path, line: nil, key: "", message: error.description)
                }
            } else {
                entries = try PriceBookFile.load(path: path).entries
            }
            guard !entries.isEmpty else {
                throw ConfigFileError(file: path, line: nil, key: "prices", message: "the price book lists no prices")
            }
            s.prices = PriceBook(entries: entries)
        }
        if let budget { s.budget = try BudgetFile.load(path: resolve(budget)) }
        return s
    }

    /// A word quoted when it holds a space or quote, so that the summary can be typed again.
    static func shellWord(_ w: String) -> String {
        guard w.isEmpty || w.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\t" }) else { return w }
        return "'" + w.replacingOccurrences(of: "'", with: "") + "'"
    }
}
