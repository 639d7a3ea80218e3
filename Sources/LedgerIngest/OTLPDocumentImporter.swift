import LedgerValues

/// OTLP/JSON traces as one document over many lines (`otlp-json`): a pretty-printed
/// `ExportTraceServiceRequest`, a JSON array of them, or several of them one after another.
///
/// Spans are mapped as by ``OTLPImporter``; each request is grouped on its own, and its calls and
/// rejects carry the line its object starts on. Text that stops being JSON ends the document: the
/// requests read before it are kept and the rest is rejected from the line of the fault.
public struct OTLPDocumentImporter: FormatImporter {
    public static let formatName = "otlp-json"
    public static let family = OTLPImporter.family
    public static let framing = Framing.document

    let builder: OTLPCallBuilder

    public init(settings: ImporterSettings = ImporterSettings()) {
        builder = OTLPCallBuilder(settings: settings)
    }

    /// Claims OTLP text whose first line is not a whole request (so not the file exporter's lines).
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        guard sample.contains("\"resourceSpans\"") || sample.contains("\"resource_spans\"") else { return 0 }
        return OTLPImporter.detect(sample) > 0 ? 0 : 90
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        var s = JSONScanner(unit)
        var lines = DocumentLineCounter(unit, firstLine: line)
        do {
            while s.nextKind() != nil || !s.atEnd {
                if s.nextKind() == .array {
                    try s.readArray { s in try readRequest(&s, lines: &lines, into: &items) }
                } else {
                    try readRequest(&s, lines: &lines, into: &items)
                }
            }
        } catch {
            // Keep what was read; the rest of the document is one reject.
            let at = min(max((error as? JSONError)?.offset ?? s.position, 0), unit.count)
            let rest = Array(unit[at..<min(unit.count, at + ImportLimits.rejectRawBytes)])
            items.append(.reject(RecordProblem.reason(for: error), line: lines.line(at: at), raw: rest))
        }
    }

    /// Reads one request object; a request of the wrong shape is rejected alone.
    func readRequest(_ s: inout JSONScanner, lines: inout DocumentLineCounter, into items: inout [ImportItem]) throws {
        let bytes = try s.captureValue()
        let line = lines.line(at: s.position - bytes.count)
        do {
            var inner = JSONScanner(bytes)
            var request = OTLPTraceRequest()
            try OTLPTraceReader.read(&inner, into: &request)
            builder.build(request, unit: bytes, line: line, into: &items)
        } catch {
            items.append(.reject(RecordProblem.reason(for: error), line: line,
                                 raw: Array(bytes.prefix(ImportLimits.rejectRawBytes))))
        }
    }
}
