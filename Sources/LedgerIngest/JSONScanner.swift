import LedgerValues

/// A pull parser over the bytes of one JSON text, for importers' hot paths.
///
/// It reads objects key by key, so an importer dispatches on the keys it knows and skips the rest
/// without building a tree. Strings become `String` only when asked; numbers are read from their
/// text, never through `Double`. Every value it skips is still validated, so a line that is not JSON
/// is always rejected. Nesting deeper than ``maxDepth`` is an error, not a stack overflow.
///
/// The scanner borrows its buffer: use it only inside the `withUnsafeBufferPointer` that made it.
public struct JSONScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var position: Int
    var depth = 0
    /// Set when any string held a byte ≥ 0x80; the caller validates UTF-8 once for the whole text.
    public var sawNonASCII = false
    /// Whether the string read last held a byte ≥ 0x80 (then it must be validated as UTF-8).
    var lastStringNonASCII = false
    /// Whether the string read last held a backslash escape.
    var lastStringEscaped = false

    public static let maxDepth = 128

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.position = 0
    }

    public var atEnd: Bool { position >= bytes.count }

    @inline(__always) mutating func skipWhitespace() {
        guard let base = bytes.baseAddress else { return }
        var p = position
        let n = bytes.count
        while p < n {
            let c = base[p]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { p += 1 } else { break }
        }
        position = p
    }

    @inline(__always) func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    func error(_ message: String) -> JSONError { JSONError(message: message, offset: position) }

    @inline(__always) mutating func expect(_ c: UInt8, _ what: @autoclosure () -> String) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == c else {
            throw error(position < bytes.count ? "expected \(what())" : "unexpected end of input, expected \(what())")
        }
        position += 1
    }

    /// After the top-level value: only whitespace may follow.
    public mutating func expectEnd() throws {
        skipWhitespace()
        if position < bytes.count { throw error("unexpected text after the JSON value") }
    }

    /// The kind of the next value, without consuming it.
    public mutating func nextKind() -> JSONKind? {
        skipWhitespace()
        guard let c = peek() else { return nil }
        switch c {
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x22: return .string
        case 0x74, 0x66: return .bool
        case 0x6E: return .null
        case 0x2D, 0x30...0x39: return .number
        default: return nil
        }
    }

    // MARK: Objects and arrays

    /// Reads an object, calling `body` with each key (as raw bytes, escapes undecoded) while the
    /// scanner stands on its value. `body` must consume the value (read or skip it).
    public mutating func readObject(_ body: (inout JSONScanner, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try expect(0x7B, "`{`")
        depth += 1
        if depth > JSONScanner.maxDepth { throw error("nesting deeper than \(JSONScanner.maxDepth)") }
        skipWhitespace()
        if peek() == 0x7D { position += 1; depth -= 1; return }
        while true {
            skipWhitespace()
            guard peek() == 0x22 else { throw error(atEnd ? "unexpected end of input in object" : "expected a key string") }
            let key = try readRawString()
            try expect(0x3A, "`:` after key")
            let before = position
            try body(&self, key)
            if position == before { try skipValue() }
            skipWhitespace()
            guard let c = peek() else { throw error("unexpected end of input in object") }
            position += 1
            if c == 0x2C { continue }
            if c == 0x7D { break }
            throw error("expected `,` or `}` in object")
        }
        depth -= 1
    }

    /// Reads an array, calling `body` for each element while the scanner stands on it.
    public mutating func readArray(_ body: (inout JSONScanner) throws -> Void) throws {
        try expect(0x5B, "`[`")
        depth += 1
        if depth > JSONScanner.maxDepth { throw error("nesting deeper than \(JSONScanner.maxDepth)") }
        skipWhitespace()
        if peek() == 0x5D { position += 1; depth -= 1; return }
        while true {
            skipWhitespace()
            let before = position
            try body(&self)
            if position == before { try skipValue() }
            skipWhitespace()
            guard let c = peek() else { throw error("unexpected end of input in array") }
            position += 1
            if c == 0x2C { continue }
            if c == 0x5D { break }
            throw error("expected `,` or `]` in array")
        }
        depth -= 1
    }

    /// Skips one value of any kind, validating it.
    public mutating func skipValue() throws {
        guard let kind = nextKind() else {
            throw error(atEnd ? "unexpected end of input, expected a value" : "expected a value")
        }
        switch kind {
        case .object: try readObject { s, _ in try s.skipValue() }
        case .array: try readArray { s in try s.skipValue() }
        case .string: _ = try readRawString()
        case .number: _ = try readNumberBytes()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    /// Skips one value and returns its exact source bytes (for keeping an object as JSON text).
    public mutating func captureValue() throws -> UnsafeBufferPointer<UInt8> {
        skipWhitespace()
        let start = position
        try skipValue()
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    // MARK: Scalars

    /// Reads a string and returns its raw content between the quotes (escapes not decoded).
    mutating func readRawString() throws -> UnsafeBufferPointer<UInt8> {
        skipWhitespace()
        let n = bytes.count
        guard position < n, let base = bytes.baseAddress, base[position] == 0x22 else {
            throw error(position < n ? "expected a string" : "unexpected end of input, expected a string")
        }
        let start = position + 1
        var p = start
        var nonASCII = false
        var escaped = false
        while p < n {
            let c = base[p]
            if c == 0x22 {
                position = p + 1
                lastStringNonASCII = nonASCII
                lastStringEscaped = escaped
                if nonASCII { sawNonASCII = true }
                return UnsafeBufferPointer(start: base + start, count: p - start)
            }
            if c >= 0x20 && c != 0x5C {
                if c >= 0x80 { nonASCII = true }
                p += 1
                continue
            }
            if c < 0x20 {
                position = p
                throw error("control character in string")
            }
            // A backslash escape.
            escaped = true
            p += 1
            guard p < n else { break }
            switch base[p] {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: p += 1
            case 0x75:
                guard p + 4 < n, (1...4).allSatisfy({ JSONScanner.hexValue(base[p + $0]) != nil }) else {
                    position = p
                    throw error("invalid \\u escape")
                }
                p += 5
            default:
                position = p
                throw error("invalid escape")
            }
        }
        position = n
        throw error("unterminated string")
    }

    /// Reads a string value, decoding escapes. Throws on invalid UTF-8 and lone surrogates.
    public mutating func readString() throws -> String {
        let raw = try readRawString()
        if !lastStringNonASCII && !lastStringEscaped {
            return String(decoding: raw, as: UTF8.self)
        }
        return try JSONScanner.decode(raw, at: position)
    }

    /// Reads a string or null.
    public mutating func readOptionalString() throws -> String? {
        if nextKind() == .null { try readNull(); return nil }
        return try readString()
    }

    static func decode(_ raw: UnsafeBufferPointer<UInt8>, at offset: Int) throws -> String {
        if !raw.contains(0x5C) {
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw JSONError(message: "invalid UTF-8 in string", offset: offset, isEncoding: true)
            }
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let c = raw[i]
            if c != 0x5C { out.append(c); i += 1; continue }
            let e = raw[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = hex4(raw, i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 5 < raw.count, raw[i] == 0x5C, raw[i + 1] == 0x75 else {
                        throw JSONError(message: "lone surrogate in \\u escape", offset: offset, isEncoding: true)
                    }
                    let low = hex4(raw, i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw JSONError(message: "lone surrogate in \\u escape", offset: offset, isEncoding: true)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONError(message: "lone surrogate in \\u escape", offset: offset, isEncoding: true)
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: out.append(e)  // " \ /
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw JSONError(message: "invalid UTF-8 in string", offset: offset, isEncoding: true)
        }
        return s
    }

    static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 4 | UInt32(hexValue(raw[i + k])!) }
        return v
    }

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// Reads a number and returns its text, validated against the JSON grammar.
    public mutating func readNumberBytes() throws -> UnsafeBufferPointer<UInt8> {
        skipWhitespace()
        let start = position
        let n = bytes.count
        if position < n, bytes[position] == 0x2D { position += 1 }
        guard position < n, bytes[position] >= 0x30, bytes[position] <= 0x39 else { throw error("invalid number") }
        if bytes[position] == 0x30 {
            position += 1
        } else {
            while position < n, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
        }
        if position < n, bytes[position] == 0x2E {
            position += 1
            guard position < n, bytes[position] >= 0x30, bytes[position] <= 0x39 else { throw error("invalid number") }
            while position < n, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
        }
        if position < n, bytes[position] == 0x65 || bytes[position] == 0x45 {
            position += 1
            if position < n, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
            guard position < n, bytes[position] >= 0x30, bytes[position] <= 0x39 else { throw error("invalid number") }
            while position < n, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw error("expected true or false")
    }

    public mutating func readNull() throws {
        skipWhitespace()
        if !matchLiteral("null") { throw error("expected null") }
    }

    mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let p = literal.utf8Start
        for k in 0..<count where bytes[position + k] != p[k] { return false }
        position += count
        return true
    }
}

/// The kinds of JSON value.
public enum JSONKind: Sendable { case object, array, string, number, bool, null }

/// A JSON syntax or encoding problem, with the byte offset where it was found.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    /// True for invalid UTF-8 and lone surrogates (rejected as `invalid_utf8`).
    public var isEncoding = false

    public var description: String { "\(message) at byte \(offset + 1)" }

    public var rejectReason: RejectReason {
        isEncoding ? .invalidUTF8 : .malformedJSON(description)
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Compares these bytes with an ASCII literal.
    @inline(__always) public func equals(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard self.count == count else { return false }
        let p = literal.utf8Start
        for k in 0..<count where self[k] != p[k] { return false }
        return true
    }
}

/// Integer and decimal readers shared by the importers.
extension JSONScanner {
    /// Reads a non-fractional number (`1500`, `1500.0`, `1.5e3`) or a string holding one, as `Int64`.
    /// Returns nil for JSON null and for an empty string.
    public mutating func readInteger(field: StaticString) throws -> Int64? {
        guard let text = try readNumberText(field: field, expected: "an integer") else { return nil }
        return try Self.integer(from: text, field: field)
    }

    /// Reads a number (or a string holding one) as an exact decimal; nil for null or an empty string.
    public mutating func readDecimal(field: StaticString) throws -> ExactDecimal? {
        guard let text = try readNumberText(field: field, expected: "a number") else { return nil }
        guard let d = ExactDecimal(bytes: ArraySlice(text)) else {
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "a number"))
        }
        return d
    }

    /// The text of a number, or of a string that should hold one; nil for null or "".
    mutating func readNumberText(field: StaticString, expected: String) throws -> UnsafeBufferPointer<UInt8>? {
        switch nextKind() {
        case .null: try readNull(); return nil
        case .number: return try readNumberBytes()
        case .string:
            let raw = try readRawString()
            return raw.isEmpty ? nil : raw
        default:
            try skipValue()
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: expected))
        }
    }

    static func integer(from text: UnsafeBufferPointer<UInt8>, field: StaticString) throws -> Int64 {
        // Fast path: plain digits with an optional minus sign.
        var v: Int64 = 0
        var i = 0
        var negative = false
        if text.count > 0, text[0] == 0x2D { negative = true; i = 1 }
        var plain = i < text.count && text.count - i <= 18
        if plain {
            while i < text.count {
                let c = text[i]
                guard c >= 0x30 && c <= 0x39 else { plain = false; break }
                v = v * 10 + Int64(c - 0x30)
                i += 1
            }
        }
        if plain { return negative ? -v : v }
        guard let d = ExactDecimal(bytes: ArraySlice(text)) else {
            throw RecordProblem.reason(.wrongType(field: "\(field)", expected: "an integer"))
        }
        guard let n = d.scaled(byPowerOfTen: 0, rounding: false) else {
            if d.scaled(byPowerOfTen: 0, rounding: true) == nil {
                throw RecordProblem.reason(.outOfRange("`\(field)` is too large"))
            }
            throw RecordProblem.reason(.outOfRange("`\(field)` must be a whole number"))
        }
        guard let n64 = Int64(exactly: n) else { throw RecordProblem.reason(.outOfRange("`\(field)` is too large")) }
        return n64
    }
}

extension ExactDecimal {
    /// This value as a count for `field`: wrong_type when it is not a whole number, out_of_range when
    /// it does not fit in 64 bits (`99999999999999999999999`, `1e400`).
    func wholeCount(field: String) throws -> Int64 {
        guard let v = scaled(byPowerOfTen: 0, rounding: false) else {
            if scaled(byPowerOfTen: 0, rounding: true) == nil { throw RecordProblem.reason(.outOfRange("`\(field)` is too large")) }
            throw RecordProblem.reason(.wrongType(field: field, expected: "a whole number"))
        }
        guard let n = Int64(exactly: v) else { throw RecordProblem.reason(.outOfRange("`\(field)` is too large")) }
        return n
    }
}

/// Why one record could not be read: a JSON problem or a broken rule.
public enum RecordProblem: Error, Sendable {
    case json(JSONError)
    case reason(RejectReason)

    public var rejectReason: RejectReason {
        switch self {
        case .json(let e): e.rejectReason
        case .reason(let r): r
        }
    }

    /// The reject reason for any error thrown while reading a record.
    public static func reason(for error: any Error) -> RejectReason {
        switch error {
        case let p as RecordProblem: p.rejectReason
        case let j as JSONError: j.rejectReason
        case let r as RejectReason: r
        default: .malformedJSON(String(describing: error))
        }
    }
}
