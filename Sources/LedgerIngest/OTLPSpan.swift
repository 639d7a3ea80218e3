import LedgerValues

/// One span of an OTLP/JSON trace request, reduced to what a model call needs.
///
/// Ids are kept as the text the exporter wrote (hex in OTLP/JSON). Times are nanoseconds since the
/// epoch; OTLP/JSON writes them as decimal strings, some exporters as numbers, and both are accepted.
struct OTLPSpan {
    var traceID = ""
    var spanID = ""
    /// Empty for a root span.
    var parentSpanID = ""
    var name = ""
    var startNanos: Int64?
    var endNanos: Int64?
    /// `status.code`: 0 unset, 1 ok, 2 error.
    var statusCode = 0
    var statusMessage: String?
    var attributes: [String: OTLPValue] = [:]
    /// Index of the span's resource in ``OTLPTraceRequest/resources``.
    var resource = 0
    /// Where the span's JSON lies in the unit, for a reject's raw bytes.
    var byteRange: Range<Int> = 0..<0
    /// Set when the span could not be read (a field of the wrong type); the span is then rejected.
    var problem: RejectReason?

    /// An attribute as text (strings, numbers and booleans), nil when absent or empty.
    func text(_ key: String) -> String? {
        attributes[key]?.text
    }
}

/// An OTLP `AnyValue`. Numbers keep their source text so that counts and amounts stay exact.
enum OTLPValue: Sendable, Equatable {
    case string(String)
    /// `intValue`: an int64, written as a decimal string or a number.
    case int(String)
    /// `doubleValue`: the number's text.
    case double(String)
    case bool(Bool)
    /// `arrayValue`, `kvlistValue`, `bytesValue` or an empty value: present but not a scalar.
    case other

    /// The scalar as text; nil for ``other`` and for an empty string.
    var text: String? {
        switch self {
        case .string(let s): s.isEmpty ? nil : s
        case .int(let t), .double(let t): t
        case .bool(let b): b ? "true" : "false"
        case .other: nil
        }
    }

    /// The value as an exact decimal: numbers, and strings that hold one.
    var decimal: ExactDecimal? {
        switch self {
        case .string(let s), .int(let s), .double(let s): ExactDecimal(parsing: s)
        case .bool, .other: nil
        }
    }
}

/// The spans of one `ExportTraceServiceRequest` (one line of the Collector's file exporter).
struct OTLPTraceRequest {
    /// The attributes of each `resourceSpans[].resource`.
    var resources: [[String: OTLPValue]] = []
    var spans: [OTLPSpan] = []
}
