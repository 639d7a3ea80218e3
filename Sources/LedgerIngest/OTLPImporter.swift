import LedgerValues

/// OpenTelemetry GenAI spans in OTLP/JSON, as the Collector's file exporter writes them: one
/// `ExportTraceServiceRequest` per line (`docs/formats.md`, OpenTelemetry).
///
/// Every model-call span becomes a call: tokens, model and provider from the `gen_ai.*` attributes
/// (current and older names), the trace as the action, the span id as the request id. Spans that are
/// not model calls are skipped. Retries and fallbacks are recognised among the model calls that share
/// a parent inside one line; a trace split over several lines is numbered per line.
///
/// A single JSON document spread over many lines is the ``OTLPDocumentImporter`` format (`otlp-json`).
public struct OTLPImporter: FormatImporter {
    public static let formatName = "otlp"
    public static let family = "otlp"
    public static let framing = Framing.lines

    let builder: OTLPCallBuilder

    public init(settings: ImporterSettings = ImporterSettings()) {
        builder = OTLPCallBuilder(settings: settings)
    }

    /// Claims a sample whose first line is a request object holding `resourceSpans`.
    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstLineStarts(with: 0x7B) else { return 0 }
        return sample.firstLineContains("\"resourceSpans\"") || sample.firstLineContains("\"resource_spans\"") ? 95 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        var s = JSONScanner(unit)
        var request = OTLPTraceRequest()
        try OTLPTraceReader.read(&s, into: &request)
        try s.expectEnd()
        builder.build(request, unit: unit, line: line, into: &items)
    }
}
