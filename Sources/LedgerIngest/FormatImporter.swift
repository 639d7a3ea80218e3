import LedgerValues

/// What an importer makes of one unit of input.
public enum ImportItem: Sendable {
    /// A model call, from `line` of the input.
    case call(CallRecord, line: Int)
    /// A row of a provider's usage export (not a call), from `line` of the input.
    case providerUsage(ProviderUsageRow, line: Int)
    /// A line of a provider's cost export, from `line` of the input.
    case providerCost(ProviderCostRow, line: Int)
    /// A unit (or part of one) that could not be imported, kept with its raw bytes.
    case reject(RejectReason, line: Int, raw: [UInt8])
    /// A unit read and left out on purpose, with why (a cloud bill's line of a service that is not a model's):
    /// counted in the import summary, not stored.
    case skipped(String, line: Int)
}

extension ImportItem {
    /// The line of the input the item came from.
    public var line: Int {
        switch self {
        case .call(_, let line), .reject(_, let line, _), .providerUsage(_, let line), .providerCost(_, let line),
             .skipped(_, let line): line
        }
    }
}

/// How an input is cut into the units an importer parses.
public enum Framing: Sendable {
    /// One unit per line (JSON Lines).
    case lines
    /// The whole input is one unit (a JSON document); bounded by ``ImportLimits/maxDocumentBytes``.
    case document
    /// One unit per CSV record: a record continues over line ends inside quoted fields. The first
    /// unit is the header row.
    case csvRecords
}

/// A sample of the start of an input, for format detection.
public struct InputSample {
    /// Up to 64 KiB from the start, with a byte-order mark removed.
    public var bytes: [UInt8]
    /// The name of the input (file name or `-`).
    public var name: String

    public init(bytes: [UInt8], name: String) {
        var b = bytes
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { b.removeFirst(3) }
        self.bytes = b
        self.name = name
    }

    /// The first non-blank line.
    public var firstLine: ArraySlice<UInt8> {
        var i = 0
        while i < bytes.count {
            var j = i
            while j < bytes.count, bytes[j] != 0x0A { j += 1 }
            let line = bytes[i..<j]
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { return line }
            i = j + 1
        }
        return []
    }

    /// Whether the sample contains an ASCII needle (e.g. a JSON key with its quotes).
    public func contains(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty, bytes.count >= n.count else { return false }
        var i = 0
        while i <= bytes.count - n.count {
            if bytes[i] == n[0] && bytes[i..<(i + n.count)].elementsEqual(n) { return true }
            i += 1
        }
        return false
    }

    /// The first non-whitespace byte.
    public var firstByte: UInt8? { bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }) }
}

/// One input format. Each format is one type behind this protocol; ``ImportFormats`` lists them and
/// detection picks the one that claims a sample most confidently.
public protocol FormatImporter: SendableMetatype {
    /// The name used with `--format` and stored with each source, e.g. `routing-log`.
    static var formatName: String { get }
    /// Request ids are unique within a family: the same id from two files of one family is one request.
    static var family: String { get }
    static var framing: Framing { get }
    /// How sure (0–100) this format is that the sample is its own; 0 means no.
    static func detect(_ sample: InputSample) -> Int
    /// What ``detect(_:)`` looks for, to name the closest format to an input none claims (nil: not said).
    static var detectionSignature: FormatSignature? { get }

    init(settings: ImporterSettings)
    /// Parses one unit (a line, or the whole document), appending calls and rejects.
    mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws
    /// Emits anything held back until the end of the input.
    mutating func finish(into items: inout [ImportItem])
}

extension FormatImporter {
    public mutating func finish(into items: inout [ImportItem]) {}
    public static var detectionSignature: FormatSignature? { nil }
}

/// Choices a user makes for formats that leave them open.
public struct ImporterSettings: Sendable, Equatable {
    /// Which source attribute fills a routing field, from `--map workflow=ATTR,team=ATTR` (keys are
    /// routing-log field names: workflow, team, user_id, user_segment, project, action_id).
    public var fieldMap: [String: String] = [:]
    /// The path of the input being read (nil for standard input). The importer sets it per file, for
    /// formats whose records take a field from where the file lies (Claude Code's project folder).
    public var inputPath: String?
    /// The home folder of the user who imports, so that paths under it read `~/…` (Claude Code's projects).
    public var home: String?
    /// US dollars per unit of other currencies, from `--currency-rate EUR=1.08`, for cost exports billed in
    /// them (rates as written; a format refuses amounts in a currency without one).
    public var currencyRates: [String: String] = [:]

    public init(fieldMap: [String: String] = [:], inputPath: String? = nil, home: String? = nil,
                currencyRates: [String: String] = [:]) {
        self.fieldMap = fieldMap
        self.inputPath = inputPath
        self.home = home
        self.currencyRates = currencyRates
    }

    /// Parses `EUR=1.0825,GBP=1.27` (US dollars per unit of each currency).
    public static func parseCurrencyRates(_ text: String) throws -> [String: String] {
        var rates: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].count == 3, parts[0].allSatisfy({ $0.isASCII && $0.isLetter }),
                  let rate = ExactDecimal(parsing: parts[1]), !rate.isNegative, (rate.scaled(byPowerOfTen: 12, rounding: true) ?? 0) > 0 else {
                throw InputError(path: "--currency-rate", message: "expected CODE=RATE pairs (US dollars per unit, e.g. EUR=1.0825) separated by commas, got `\(pair)`")
            }
            rates[parts[0].uppercased()] = parts[1]
        }
        return rates
    }

    /// Parses `workflow=app.route,team=team.name`.
    public init(parsingMap text: String) throws {
        var map: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError(path: "--map", message: "expected FIELD=ATTRIBUTE pairs separated by commas, got `\(pair)`")
            }
            map[parts[0]] = parts[1]
        }
        self.fieldMap = map
    }
}

/// Limits that keep memory bounded whatever the input.
public enum ImportLimits {
    /// Raw bytes kept with a reject.
    public static let rejectRawBytes = 4096
    /// The largest document read whole (formats with ``Framing/document``).
    public static let maxDocumentBytes = 512 << 20
    /// The largest CSV record (quoted fields may span lines).
    public static let maxCSVRecordBytes = 8 << 20
}

/// The formats TokenLedger reads.
public enum ImportFormats {
    public static let all: [any FormatImporter.Type] = [
        RoutingLogImporter.self,
        OTLPImporter.self,
        OTLPDocumentImporter.self,
        LiteLLMSpendLogImporter.self,
        LiteLLMSpendLogCSVImporter.self,
        ClaudeCodeImporter.self,
        CodexImporter.self,
        GeminiCLITelemetryImporter.self, GeminiCLIChatImporter.self,
        LangfuseImporter.self, LangfuseCSVImporter.self,
        CloudflareAIGatewayImporter.self, CloudflareLogpushImporter.self,
        OpenAIBatchImporter.self, AnthropicBatchImporter.self,
        OpenAIUsageImporter.self, OpenAICostsImporter.self, OpenAIUsageCSVImporter.self, OpenAICostsCSVImporter.self,
        AnthropicUsageReportImporter.self, AnthropicCostReportImporter.self,
        AnthropicConsoleUsageCSVImporter.self, AnthropicConsoleCostCSVImporter.self,
        OpenRouterActivityCSVImporter.self, OpenRouterGenerationImporter.self,
        BedrockInvocationLogImporter.self, FocusCostImporter.self,
    ]

    public static func named(_ name: String) -> (any FormatImporter.Type)? {
        all.first { $0.formatName == name }
    }

    /// The format that claims the sample most confidently, or nil.
    public static func detect(_ sample: InputSample) -> (any FormatImporter.Type)? {
        var best: (any FormatImporter.Type)?
        var bestScore = 0
        for format in all {
            let score = format.detect(sample)
            if score > bestScore {
                best = format
                bestScore = score
            }
        }
        return best
    }
}
