import LedgerValues

/// Cloudflare AI Gateway logs from the REST API (`docs/formats.md`, Cloudflare AI Gateway): a page of
/// `GET /accounts/{account}/ai-gateway/gateways/{gateway}/logs` (`{"result":[…],"result_info":…,"success":…}`),
/// a bare array of log rows, or JSON Lines of pages or rows, as saved from the API.
///
/// Every row the gateway sent to a provider is a call (`id`, `created_at`, `model`, `provider`, `tokens_in`,
/// `tokens_out`, `cost`, `duration`, `status_code`, `success`, `metadata`, `step`); a row served from the
/// gateway's cache (`cached` true) reached no provider and is not a call. The gateway's `cost` is kept as
/// the gateway's cost, for cross-checking the price book.
public struct CloudflareAIGatewayImporter: FormatImporter {
    public static let formatName = "cloudflare-ai-gateway"
    public static let family = "cloudflare-ai-gateway"
    public static let framing = Framing.document

    let settings: ImporterSettings

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims JSON holding log rows: `tokens_in`, `tokens_out` and `provider` keys (with `cached` or
    /// `created_at`).
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        guard sample.hasJSONKey("tokens_in"), sample.hasJSONKey("tokens_out"), sample.hasJSONKey("provider") else { return 0 }
        return sample.hasJSONKey("cached") || sample.hasJSONKey("created_at") ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        if LiteLLMSpendLogImporter.looksLineDelimited(unit) {
            DocumentLines.forEach(unit, firstLine: line) { bytes, number in
                var lines = DocumentLineCounter(bytes, firstLine: number)
                readValue(bytes, lines: &lines, into: &items)
            }
        } else {
            var lines = DocumentLineCounter(unit, firstLine: line)
            readValue(unit, lines: &lines, into: &items)
        }
    }

    /// One JSON value: a page (its `result` rows), an array of rows, or one row. Text that stops being
    /// JSON rejects the rest of the value from the line of the fault; the rows before it are kept.
    func readValue(_ unit: UnsafeBufferPointer<UInt8>, lines: inout DocumentLineCounter, into items: inout [ImportItem]) {
        var s = JSONScanner(unit)
        do {
            switch s.nextKind() {
            case .array:
                try s.readArray { s in try readRow(&s, base: 0, lines: &lines, into: &items) }
            case .object:
                let bytes = try s.captureValue()
                let base = s.position - bytes.count
                var page = JSONScanner(bytes)
                var isPage = false
                try page.readObject { p, key in
                    guard key.equals("result"), p.nextKind() == .array else { return }
                    isPage = true
                    try p.readArray { p in try readRow(&p, base: base, lines: &lines, into: &items) }
                }
                if !isPage { appendRow(bytes, line: lines.line(at: base), into: &items) }
            default:
                try s.skipValue()
                throw RecordProblem.reason(.wrongType(field: "(top level)", expected: "a page of logs, an array of logs or a log"))
            }
            try s.expectEnd()
        } catch {
            let at = min(max((error as? JSONError)?.offset ?? s.position, 0), unit.count)
            items.append(.reject(RecordProblem.reason(for: error), line: lines.line(at: at),
                                 raw: Array(unit[at..<min(unit.count, at + ImportLimits.rejectRawBytes)])))
        }
    }

    /// One row where the scanner stands (`base`: where the scanner's text starts in the unit).
    func readRow(_ s: inout JSONScanner, base: Int, lines: inout DocumentLineCounter, into items: inout [ImportItem]) throws {
        let bytes = try s.captureValue()
        appendRow(bytes, line: lines.line(at: base + s.position - bytes.count), into: &items)
    }

    func appendRow(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) {
        do {
            guard case .object(let o) = try JSONValue.parse(bytes) else {
                throw RecordProblem.reason(.wrongType(field: "result[]", expected: "an object"))
            }
            if let call = try CloudflareGatewayLog(fields: o, raw: bytes).record(settings: settings) {
                items.append(.call(call, line: line))
            }
        } catch {
            items.append(.reject(RecordProblem.reason(for: error), line: line, raw: Array(bytes.prefix(ImportLimits.rejectRawBytes))))
        }
    }
}

/// Cloudflare AI Gateway logs from Logpush (`cloudflare-logpush`): the `ai_gateway_events` dataset, one
/// JSON event per line (`Timestamp`, `Gateway`, `Provider`, `Model`, `Cached`, `StatusCode`, `Metadata`,
/// `Metrics`, …), as Logpush writes its files. Events map as the API's rows do
/// (``CloudflareAIGatewayImporter``), in the same family.
public struct CloudflareLogpushImporter: FormatImporter {
    public static let formatName = "cloudflare-logpush"
    public static let family = CloudflareAIGatewayImporter.family
    public static let framing = Framing.lines

    let settings: ImporterSettings

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims JSON Lines whose first line is an AI Gateway event: `Gateway` and `Provider`, with `Model`
    /// or `Cached`.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B), sample.firstLineContains("\"Gateway\""), sample.firstLineContains("\"Provider\"") else { return 0 }
        return sample.firstLineContains("\"Model\"") || sample.firstLineContains("\"Cached\"") ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard case .object(let o) = try JSONValue.parse(unit) else {
            throw RecordProblem.reason(.malformedJSON("a line must be a JSON object"))
        }
        if let call = try CloudflareGatewayLog(fields: o, raw: unit).record(settings: settings) {
            items.append(.call(call, line: line))
        }
    }
}

/// One AI Gateway log row (REST API, snake_case) or Logpush event (PascalCase), and the call it records.
struct CloudflareGatewayLog {
    /// The model of a row that names none: no price matches it (listed by `prices check`).
    static let unrecordedModel = "cloudflare-model-unrecorded"
    static let defaultWorkflow = "cloudflare-ai-gateway"

    /// Fields keyed by lowercased name with `_` removed (`tokens_in`, `TokensIn` → `tokensin`).
    let fields: [String: JSONValue]
    /// `Metrics` of a Logpush event, keyed alike.
    let metrics: [String: JSONValue]
    let metadata: [String: JSONValue]
    /// A stable id for an event that carries none: a hash of its bytes.
    let contentID: String

    init(fields o: [String: JSONValue], raw: UnsafeBufferPointer<UInt8>) throws {
        fields = Self.normalised(o)
        metrics = fields["metrics"]?.object.map(Self.normalised) ?? [:]
        switch fields["metadata"] {
        case .object(let m)?:
            metadata = m
        case .string(let text)?:
            // The API returns the request's `cf-aig-metadata` as JSON text.
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t == "null" { metadata = [:] }
            else if case .object(let m)? = try? JSONValue.parse(t) { metadata = m }
            else { throw RecordProblem.reason(.wrongType(field: "metadata", expected: "a JSON object")) }
        case nil, .null?:
            metadata = [:]
        default:
            throw RecordProblem.reason(.wrongType(field: "metadata", expected: "a JSON object"))
        }
        contentID = "h" + String(XXHash64.hash(UnsafeRawBufferPointer(raw)), radix: 16)
    }

    static func normalised(_ o: [String: JSONValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (k, v) in o { out[k.lowercased().replacingOccurrences(of: "_", with: "")] = v }
        return out
    }

    func value(_ key: String) -> JSONValue? {
        guard let v = fields[key] ?? metrics[key], !v.isNull else { return nil }
        return v
    }

    func text(_ key: String) -> String? { ProviderFields.text(value(key)) }

    /// The call; nil for a response served from the gateway's cache.
    func record(settings: ImporterSettings) throws -> CallRecord? {
        if try ProviderFields.flag(value("cached"), field: "cached") == true { return nil }
        let id = text("id") ?? text("eventid") ?? contentID
        guard let time = try Self.time(value("createdat") ?? value("timestamp")) else {
            throw RecordProblem.reason(.missingField("created_at"))
        }
        let input = try count("tokensin", "tokens_in")
        let output = try count("tokensout", "tokens_out")
        var r = CallRecord(requestID: id, timestamp: time, model: text("model") ?? Self.unrecordedModel,
                           inputTokens: input ?? 0, outputTokens: output ?? 0)
        r.provider = text("provider")?.lowercased()
        let code = try ProviderFields.count(value("statuscode"), field: "status_code")
        let success = try ProviderFields.flag(value("success"), field: "success")
        let limited = try ProviderFields.flag(value("ratelimited"), field: "RateLimited") == true
        if limited || code == 429 { r.status = .rateLimited }
        else if code == 408 || code == 504 { r.status = .timeout }
        else if success == false || (code.map { !(200..<300).contains($0) } ?? false) { r.status = .error }
        if r.status == .ok, input == nil { throw RecordProblem.reason(.missingField("tokens_in")) }
        // A duration of an odd shape (a fraction, text) leaves the latency unknown; the call is still read.
        if let ms = (try? ProviderFields.count(value("duration") ?? value("durationms"), field: "duration")) ?? nil, ms <= 86_400_000 * 7 {
            r.latencyMs = ms
        }
        if let step = try ProviderFields.count(value("step"), field: "step"), step > 0, step < 10_000 {
            // A later step of a gateway fallback chain (the universal endpoint).
            r.kind = .fallback
            r.attempt = Int(step) + 1
        }
        if let cost = value("cost"), let (m, _) = try ProviderFields.money(cost, field: "cost") { r.gatewayCost = m }

        func lookup(_ key: String) -> String? {
            ProviderFields.text(metadata[key]) ?? text(key.lowercased().replacingOccurrences(of: "_", with: ""))
        }
        settings.applyMap(to: &r, action: nil, workflow: Self.defaultWorkflow, lookup: lookup)
        // Only what the API's rows and Logpush's events both say, so that one request read from both is
        // the same request (a duplicate, not a conflict).
        var kept: [String: JSONValue] = [:]
        if !metadata.isEmpty { kept["metadata"] = .object(metadata) }
        if try ProviderFields.flag(value("customcost"), field: "custom_cost") == true { kept["custom_cost"] = .bool(true) }
        if !kept.isEmpty { r.metadata = JSONValue.object(kept).compactText }
        if let problem = r.validationProblem() { throw RecordProblem.reason(problem) }
        return r
    }

    func count(_ key: String, _ field: String) throws -> Int64? {
        guard let n = try ProviderFields.count(value(key), field: field) else { return nil }
        if n > CallRecord.maxTokens { throw RecordProblem.reason(.outOfRange("token count above \(CallRecord.maxTokens)")) }
        return n
    }

    /// RFC 3339 text, or an epoch number in seconds, milliseconds, microseconds or nanoseconds (Logpush's
    /// `unix`, `unixnano` timestamp formats), told apart by size.
    static func time(_ v: JSONValue?) throws -> Timestamp? {
        guard let v, !v.isNull else { return nil }
        if case .string(let s) = v, let t = Timestamp.parse(iso: s.trimmingCharacters(in: .whitespaces)) { return t }
        guard let d = v.decimal, !d.isNegative, let whole = d.scaled(byPowerOfTen: 0, rounding: true), let n = Int64(exactly: whole) else {
            throw RecordProblem.reason(.invalidTimestamp("`\((v.string ?? v.compactText).prefix(40))` in `created_at`"))
        }
        let ms: Int64
        switch n {
        case 100_000_000_000_000_000...: ms = n / 1_000_000
        case 100_000_000_000_000...: ms = n / 1_000
        case 100_000_000_000...: ms = n
        default: ms = n * 1_000
        }
        guard Timestamp.validRange.contains(ms) else { throw RecordProblem.reason(.invalidTimestamp("\(n) in `created_at`")) }
        return Timestamp(milliseconds: ms)
    }
}
