import LedgerValues

/// Reads OTLP/JSON trace requests (`ExportTraceServiceRequest`, also called `TracesData`) into spans.
///
/// Field names are accepted in OTLP/JSON's lowerCamelCase and in the proto's snake_case; the old
/// `instrumentationLibrarySpans` grouping is read like `scopeSpans`. Each span's JSON is first checked
/// as a whole, then read: a span whose fields have the wrong types keeps a ``OTLPSpan/problem`` (it is
/// rejected alone), while text that is not JSON fails the whole request.
enum OTLPTraceReader {
    /// Reads one request object where the scanner stands, appending its resources and spans.
    static func read(_ s: inout JSONScanner, into request: inout OTLPTraceRequest) throws {
        guard s.nextKind() == .object else {
            if s.atEnd { throw RecordProblem.reason(.malformedJSON("empty input")) }
            try s.skipValue()
            throw RecordProblem.reason(.wrongType(field: "(top level)", expected: "an ExportTraceServiceRequest object"))
        }
        var sawResourceSpans = false
        try s.readObject { s, key in
            if key.equals("resourceSpans") || key.equals("resource_spans") {
                sawResourceSpans = true
                try readList(&s, field: "resourceSpans") { s in try readResourceSpans(&s, into: &request) }
            }
        }
        if !sawResourceSpans { throw RecordProblem.reason(.missingField("resourceSpans")) }
    }

    /// Reads a complete text holding one request object.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws -> OTLPTraceRequest {
        var s = JSONScanner(bytes)
        var request = OTLPTraceRequest()
        try read(&s, into: &request)
        try s.expectEnd()
        return request
    }

    // MARK: Structure

    static func readResourceSpans(_ s: inout JSONScanner, into request: inout OTLPTraceRequest) throws {
        guard s.nextKind() == .object else {
            try s.skipValue()
            throw RecordProblem.reason(.wrongType(field: "resourceSpans[]", expected: "an object"))
        }
        let resource = request.resources.count
        request.resources.append([:])
        try s.readObject { s, key in
            if key.equals("resource") {
                if s.nextKind() == .null { try s.readNull(); return }
                guard s.nextKind() == .object else {
                    try s.skipValue()
                    throw RecordProblem.reason(.wrongType(field: "resource", expected: "an object"))
                }
                var attributes: [String: OTLPValue] = [:]
                try s.readObject { s, key in
                    if key.equals("attributes") { try readAttributes(&s, into: &attributes) }
                }
                request.resources[resource] = attributes
            } else if key.equals("scopeSpans") || key.equals("scope_spans")
                        || key.equals("instrumentationLibrarySpans") || key.equals("instrumentation_library_spans") {
                try readList(&s, field: "scopeSpans") { s in
                    try readScopeSpans(&s, resource: resource, into: &request)
                }
            }
        }
    }

    static func readScopeSpans(_ s: inout JSONScanner, resource: Int, into request: inout OTLPTraceRequest) throws {
        guard s.nextKind() == .object else {
            try s.skipValue()
            throw RecordProblem.reason(.wrongType(field: "scopeSpans[]", expected: "an object"))
        }
        try s.readObject { s, key in
            guard key.equals("spans") else { return }
            try readList(&s, field: "spans") { s in
                let bytes = try s.captureValue()
                let end = s.position
                var span = OTLPSpan()
                span.resource = resource
                span.byteRange = (end - bytes.count)..<end
                do {
                    try readSpan(bytes, into: &span)
                } catch {
                    span.problem = RecordProblem.reason(for: error)
                }
                request.spans.append(span)
            }
        }
    }

    /// A list that may also be null (read as empty); anything else is the wrong type.
    static func readList(_ s: inout JSONScanner, field: StaticString, _ body: (inout JSONScanner) throws -> Void) throws {
        switch s.nextKind() {
        case .null: try s.readNull()
        case .array: try s.readArray(body)
        default:
            try s.skipValue()
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "an array"))
        }
    }

    // MARK: One span

    /// Reads a span from its own JSON text (already checked to be valid JSON).
    static func readSpan(_ bytes: UnsafeBufferPointer<UInt8>, into span: inout OTLPSpan) throws {
        var s = JSONScanner(bytes)
        guard s.nextKind() == .object else {
            throw RecordProblem.reason(.wrongType(field: "spans[]", expected: "an object"))
        }
        try s.readObject { s, key in
            switch key.count {
            case 4:
                if key.equals("name") { span.name = try s.readText(field: "name") ?? "" }
            case 6:
                if key.equals("spanId") { span.spanID = try s.readText(field: "spanId") ?? "" }
                else if key.equals("status") { try readStatus(&s, into: &span) }
            case 7:
                if key.equals("traceId") { span.traceID = try s.readText(field: "traceId") ?? "" }
                else if key.equals("span_id") { span.spanID = try s.readText(field: "spanId") ?? "" }
            case 8:
                if key.equals("trace_id") { span.traceID = try s.readText(field: "traceId") ?? "" }
            case 10:
                if key.equals("attributes") { try readAttributes(&s, into: &span.attributes) }
            case 12:
                if key.equals("parentSpanId") { span.parentSpanID = try s.readText(field: "parentSpanId") ?? "" }
            case 14:
                if key.equals("parent_span_id") { span.parentSpanID = try s.readText(field: "parentSpanId") ?? "" }
            case 15:
                if key.equals("endTimeUnixNano") { span.endNanos = try s.readInteger(field: "endTimeUnixNano") }
            case 17:
                if key.equals("startTimeUnixNano") { span.startNanos = try s.readInteger(field: "startTimeUnixNano") }
            case 19:
                if key.equals("end_time_unix_nano") { span.endNanos = try s.readInteger(field: "endTimeUnixNano") }
            case 21:
                if key.equals("start_time_unix_nano") { span.startNanos = try s.readInteger(field: "startTimeUnixNano") }
            default:
                break
            }
        }
    }

    static func readStatus(_ s: inout JSONScanner, into span: inout OTLPSpan) throws {
        if s.nextKind() == .null { try s.readNull(); return }
        guard s.nextKind() == .object else {
            try s.skipValue()
            throw RecordProblem.reason(.wrongType(field: "status", expected: "an object"))
        }
        try s.readObject { s, key in
            if key.equals("code") {
                switch s.nextKind() {
                case .number:
                    let code = try s.readInteger(field: "status.code") ?? 0
                    span.statusCode = (0...2).contains(code) ? Int(code) : 0
                case .string:
                    // Some exporters write the enum's name.
                    let name = try s.readString().uppercased()
                    if name.hasSuffix("ERROR") { span.statusCode = 2 } else if name.hasSuffix("OK") { span.statusCode = 1 }
                case .null:
                    try s.readNull()
                default:
                    try s.skipValue()
                    throw RecordProblem.reason(.wrongType(field: "status.code", expected: "an integer"))
                }
            } else if key.equals("message") {
                span.statusMessage = try s.readText(field: "status.message")
            }
        }
    }

    // MARK: Attributes

    /// Reads a `KeyValue` list into a dictionary (a later duplicate key wins).
    static func readAttributes(_ s: inout JSONScanner, into attributes: inout [String: OTLPValue]) throws {
        try readList(&s, field: "attributes") { s in
            guard s.nextKind() == .object else {
                try s.skipValue()
                throw RecordProblem.reason(.wrongType(field: "attributes[]", expected: "a key and a value"))
            }
            var key: String?
            var value: OTLPValue?
            try s.readObject { s, field in
                if field.equals("key") {
                    key = try s.readText(field: "attributes[].key")
                } else if field.equals("value") {
                    value = try readValue(&s)
                }
            }
            if let key, let value { attributes[key] = value }
        }
    }

    /// Reads an `AnyValue` object; a bare scalar (written by some exporters) is accepted too.
    static func readValue(_ s: inout JSONScanner) throws -> OTLPValue? {
        switch s.nextKind() {
        case .null:
            try s.readNull()
            return nil
        case .string:
            return .string(try s.readString())
        case .number:
            let text = String(decoding: try s.readNumberBytes(), as: UTF8.self)
            return text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? .double(text) : .int(text)
        case .bool:
            return .bool(try s.readBool())
        case .array:
            try s.skipValue()
            return .other
        case .object:
            var value = OTLPValue.other
            try s.readObject { s, key in
                if key.equals("stringValue") || key.equals("string_value") {
                    value = .string(try scalarText(&s) ?? "")
                } else if key.equals("intValue") || key.equals("int_value") {
                    if let t = try scalarText(&s) { value = .int(t) }
                } else if key.equals("doubleValue") || key.equals("double_value") {
                    if let t = try scalarText(&s) { value = .double(t) }
                } else if key.equals("boolValue") || key.equals("bool_value") {
                    switch try scalarText(&s)?.lowercased() {
                    case "true": value = .bool(true)
                    case "false": value = .bool(false)
                    default: break
                    }
                }
            }
            return value
        case nil:
            try s.skipValue()
            return nil
        }
    }

    /// A scalar's text (strings decoded, numbers and booleans as written); nil for null, and for an
    /// object or array, which are skipped: an attribute of an odd shape is ignored, not fatal.
    static func scalarText(_ s: inout JSONScanner) throws -> String? {
        switch s.nextKind() {
        case .string: return try s.readString()
        case .number: return String(decoding: try s.readNumberBytes(), as: UTF8.self)
        case .bool: return try s.readBool() ? "true" : "false"
        case .null: try s.readNull(); return nil
        default: try s.skipValue(); return nil
        }
    }
}
