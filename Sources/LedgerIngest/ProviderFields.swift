/// Reading the fields of provider exports, from JSON values or CSV text, with the quirks those exports
/// have: counts written `10.0`, flags written `FALSE`, money as numbers or decimal strings (in dollars
/// or in cents), times as epoch seconds or RFC 3339. Every problem is thrown as a ``RecordProblem``
/// naming the field, so that the row goes to the rejects table with its reason.
enum ProviderFields {
    // MARK: JSON

    /// A string value; nil for a missing field, null or `""`. Numbers and booleans give their text.
    static func text(_ v: JSONValue?) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        return s
    }

    /// A non-negative whole count (`12`, `12.0`, `"12"`); nil for a missing field, null or `""`.
    static func count(_ v: JSONValue?, field: String) throws -> Int64? {
        guard let v, !v.isNull else { return nil }
        switch v {
        case .number(let n): return try count(n, field: field)
        case .string(let s): return try count(s, field: field)
        default: throw RecordProblem.reason(.wrongType(field: field, expected: "a whole number"))
        }
    }

    /// `true`/`false` in any of the spellings exports use; nil for a missing field or null.
    static func flag(_ v: JSONValue?, field: String) throws -> Bool? {
        guard let v, !v.isNull else { return nil }
        if case .string(let s) = v, s.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let b = v.bool else { throw RecordProblem.reason(.wrongType(field: field, expected: "true or false")) }
        return b
    }

    /// An amount, exact; `scale` 2 reads cents. Returns the amount and its text as exported.
    static func money(_ v: JSONValue?, field: String, scale: Int = 0) throws -> (Money, String)? {
        guard let v, !v.isNull else { return nil }
        switch v {
        case .number(let n): return try money(n, field: field, scale: scale).map { ($0, n) }
        case .string(let s): return try money(s, field: field, scale: scale).map { ($0, s.trimmingCharacters(in: .whitespaces)) }
        default: throw RecordProblem.reason(.wrongType(field: field, expected: "a decimal amount"))
        }
    }

    /// An instant: epoch seconds (or milliseconds, told apart by size) or RFC 3339 text.
    static func time(_ v: JSONValue?, field: String) throws -> Timestamp? {
        guard let v, !v.isNull else { return nil }
        switch v {
        case .number(let n): return try time(n, field: field)
        case .string(let s): return try time(s, field: field)
        default: throw RecordProblem.reason(.wrongType(field: field, expected: "epoch seconds or an RFC 3339 time"))
        }
    }

    // MARK: Text (CSV fields, JSON scalars)

    /// A non-negative whole count from text: `12`, `12.0`, `1.2e3`; nil for empty text.
    static func count(_ text: String?, field: String) throws -> Int64? {
        guard var t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        // Spreadsheets group thousands: `1,234,567`.
        if t.contains(","), t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "," || $0 == ".") }) { t.removeAll { $0 == "," } }
        guard let d = ExactDecimal(parsing: t) else {
            throw RecordProblem.reason(.wrongType(field: field, expected: "a whole number, got `\(t.prefix(40))`"))
        }
        guard let v = d.scaled(byPowerOfTen: 0, rounding: false) else {
            if d.scaled(byPowerOfTen: 0, rounding: true) == nil { throw RecordProblem.reason(.outOfRange("`\(field)` is too large")) }
            throw RecordProblem.reason(.wrongType(field: field, expected: "a whole number, got `\(t.prefix(40))`"))
        }
        guard let n = Int64(exactly: v), n <= ProviderUsageRow.maxCount else {
            throw RecordProblem.reason(.outOfRange("`\(field)` is too large"))
        }
        if n < 0 { throw RecordProblem.reason(.negativeTokens) }
        return n
    }

    /// A flag from text: `true`, `TRUE`, `1`, `yes` / `false`, `FALSE`, `0`, `no`; nil for empty text.
    static func flag(_ text: String?, field: String) throws -> Bool? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        switch t.lowercased() {
        case "true", "1", "yes", "t", "y": return true
        case "false", "0", "no", "f", "n": return false
        default: throw RecordProblem.reason(.wrongType(field: field, expected: "true or false, got `\(t.prefix(40))`"))
        }
    }

    /// An exact amount from decimal text; `scale` 2 reads cents. Nil for empty text.
    static func money(_ text: String?, field: String, scale: Int = 0) throws -> Money? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        guard let d = ExactDecimal(parsing: t) else {
            throw RecordProblem.reason(.wrongType(field: field, expected: "a decimal amount, got `\(t.prefix(40))`"))
        }
        // Digits below a picodollar round half to even; the exported text is kept beside the amount.
        guard let p = d.scaled(byPowerOfTen: Money.exactDecimals - scale, rounding: true), let v = Int64(exactly: p) else {
            throw RecordProblem.reason(.outOfRange("`\(field)` is too large"))
        }
        return Money(picos: v)
    }

    /// An instant from text: RFC 3339 (zone optional, UTC by default), a day, or epoch seconds.
    static func time(_ text: String?, field: String) throws -> Timestamp? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        if let ts = Timestamp.parse(iso: t) { return ts }
        if t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }), let d = ExactDecimal(parsing: t),
           let whole = d.scaled(byPowerOfTen: 0, rounding: false), let v = Int64(exactly: whole), let ts = Timestamp.fromEpoch(v) {
            return ts
        }
        throw RecordProblem.reason(.invalidTimestamp("`\(t.prefix(40))` in `\(field)`"))
    }
}

extension InputSample {
    /// Whether the sample has `key` as a JSON object key (the quoted name followed by a colon), not
    /// merely as a string value.
    func hasJSONKey(_ key: String) -> Bool {
        let n = Array("\"\(key)\"".utf8)
        guard bytes.count >= n.count else { return false }
        var i = 0
        while i <= bytes.count - n.count {
            if bytes[i] == n[0] && bytes[i..<(i + n.count)].elementsEqual(n) {
                var j = i + n.count
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0A || bytes[j] == 0x0D { j += 1 }
                if j < bytes.count, bytes[j] == 0x3A { return true }
            }
            i += 1
        }
        return false
    }
}

/// A CSV export read by its header: the first record names the columns; every later record is a row.
/// Column names are matched trimmed and lowercased; columns an older export lacks read as empty.
struct ProviderCSVTable {
    private(set) var header: CSVHeader?
    /// Required columns the header lacks; every row is then rejected, naming them (the header itself is
    /// not a row and never a reject).
    private(set) var missing: [String] = []

    /// Reads one record: the header when none was read yet (returns nil), else the row's fields.
    mutating func read(_ unit: UnsafeBufferPointer<UInt8>, required: [String]) throws -> ProviderCSVRow? {
        guard let header else {
            let delimiter = CSVRecord.sniffDelimiter(unit)
            let h = CSVHeader(try CSVRecord.fields(unit, delimiter: delimiter), delimiter: delimiter)
            self.header = h
            missing = required.filter { !h.has($0) }
            return nil
        }
        if !missing.isEmpty {
            let columns = missing.count == 1 ? "no such column" : "no such columns"
            throw RecordProblem.reason(.missingField(missing.joined(separator: ", ") + " (\(columns) in the header)"))
        }
        return ProviderCSVRow(header: header, fields: try CSVRecord.fields(unit, delimiter: header.delimiter))
    }

    /// The column names of a CSV sample's header row (for detection), lowercased.
    static func headerNames(_ sample: InputSample) -> Set<String> {
        let line = Array(sample.firstLine)
        guard !line.isEmpty, line.first != 0x7B, line.first != 0x5B else { return [] }
        let delimiter = CSVRecord.sniffDelimiter(line)
        guard let fields = try? line.withUnsafeBufferPointer({ try CSVRecord.fields($0, delimiter: delimiter) }) else { return [] }
        return Set(CSVHeader(fields, delimiter: delimiter).names)
    }
}

/// One CSV row with access by column name.
struct ProviderCSVRow {
    let header: CSVHeader
    let fields: [String]

    /// The trimmed value of a column; nil when the column is missing or the field is empty.
    subscript(_ name: String) -> String? { header.value(name, in: fields) }

    /// Whether every named column is empty (an empty bucket in a dashboard export).
    func allEmpty(_ names: [String]) -> Bool { names.allSatisfy { self[$0] == nil } }
}

import LedgerValues
import Foundation
