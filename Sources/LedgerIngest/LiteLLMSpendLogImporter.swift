import LedgerValues

/// LiteLLM proxy spend logs as JSON (`docs/formats.md`, LiteLLM): the row array of `GET /spend/logs`,
/// a page of `GET /spend/logs/v2` (`{"data":[…],"total","page","page_size","total_pages"}`), or JSON
/// Lines of either (one row or one page per line).
///
/// The whole input is one unit. Each row becomes a call or a reject on the line its object starts on.
/// When the text stops being JSON, JSON Lines resume at the next line; in any other layout the rows
/// read so far are kept and the rest is rejected from the line of the fault.
public struct LiteLLMSpendLogImporter: FormatImporter {
    public static let formatName = "litellm"
    public static let family = "litellm"
    public static let framing = Framing.document

    let settings: ImporterSettings

    public init(settings: ImporterSettings = ImporterSettings()) {
        self.settings = settings
    }

    /// Claims JSON that holds spend-log rows: a `request_id` with LiteLLM's own columns.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        guard sample.contains("\"request_id\""), sample.contains("\"startTime\"") else { return 0 }
        let ownColumns = ["\"call_type\"", "\"spend\"", "\"model_group\"", "\"custom_llm_provider\"", "\"api_key\""]
        return ownColumns.filter { sample.contains($0) }.count >= 2 ? 90 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        var lines = DocumentLineCounter(unit, firstLine: line)
        let lineDelimited = Self.looksLineDelimited(unit)
        var s = JSONScanner(unit)
        while true {
            guard s.nextKind() != nil || !s.atEnd else { break }
            let valueStart = s.position
            do {
                switch s.nextKind() {
                case .array:
                    try s.readArray { s in try readRow(&s, base: 0, lines: &lines, into: &items) }
                default:
                    let bytes = try s.captureValue()
                    try readObject(bytes, base: s.position - bytes.count, lines: &lines, into: &items)
                }
            } catch {
                if lineDelimited {
                    // Reject the line the broken value starts on and go on with the next one.
                    let end = Self.lineEnd(unit, from: valueStart)
                    items.append(.reject(RecordProblem.reason(for: error), line: lines.line(at: valueStart),
                                         raw: Array(unit[valueStart..<min(end, valueStart + ImportLimits.rejectRawBytes)])))
                    s = JSONScanner(unit)
                    s.position = min(end + 1, unit.count)
                    continue
                }
                let at = min(max((error as? JSONError)?.offset ?? s.position, 0), unit.count)
                items.append(.reject(RecordProblem.reason(for: error), line: lines.line(at: at),
                                     raw: Array(unit[at..<min(unit.count, at + ImportLimits.rejectRawBytes)])))
                break
            }
        }
    }

    /// A top-level object: a v2 page (its `data` rows) or a single row.
    func readObject(_ bytes: UnsafeBufferPointer<UInt8>, base: Int, lines: inout DocumentLineCounter,
                    into items: inout [ImportItem]) throws {
        var inner = JSONScanner(bytes)
        var isPage = false
        if inner.nextKind() == .object {
            try inner.readObject { s, key in
                guard key.equals("data"), s.nextKind() == .array else { return }
                isPage = true
                try s.readArray { s in try readRow(&s, base: base, lines: &lines, into: &items) }
            }
        }
        if !isPage { appendRow(bytes, line: lines.line(at: base), into: &items) }
    }

    /// One element of a row array, where the scanner stands (`base`: where the scanner's text starts).
    func readRow(_ s: inout JSONScanner, base: Int, lines: inout DocumentLineCounter, into items: inout [ImportItem]) throws {
        let bytes = try s.captureValue()
        appendRow(bytes, line: lines.line(at: base + s.position - bytes.count), into: &items)
    }

    /// Turns one row's JSON into a call, nothing (a row that is not a model call) or a reject.
    func appendRow(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) {
        do {
            guard case .object(let fields) = try JSONValue.parse(bytes) else {
                throw RecordProblem.reason(.wrongType(field: "row", expected: "an object"))
            }
            if let call = try LiteLLMSpendLogRow(fields: fields).record(settings: settings) {
                items.append(.call(call, line: line))
            }
        } catch {
            items.append(.reject(RecordProblem.reason(for: error), line: line, raw: Array(bytes.prefix(ImportLimits.rejectRawBytes))))
        }
    }

    /// Whether one of the first two non-blank lines is a whole JSON value by itself (JSON Lines).
    static func looksLineDelimited(_ unit: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        var checked = 0
        while start < unit.count, checked < 2 {
            let end = lineEnd(unit, from: start)
            let line = UnsafeBufferPointer(rebasing: unit[start..<end])
            if !InputSample.isBlank(line) {
                checked += 1
                var s = JSONScanner(line)
                if (s.nextKind() == .object || s.nextKind() == .array), (try? s.skipValue()) != nil, (try? s.expectEnd()) != nil {
                    return true
                }
            }
            start = end + 1
        }
        return false
    }

    /// The offset of the line end (or the end of the text) at or after `from`.
    static func lineEnd(_ unit: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var i = max(0, from)
        while i < unit.count, unit[i] != 0x0A { i += 1 }
        return i
    }
}
