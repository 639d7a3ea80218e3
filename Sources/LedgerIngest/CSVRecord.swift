/// Reading CSV records (RFC 4180, as exported by dashboards): quoted fields with doubled quotes and
/// embedded line ends, a delimiter that may be `,`, `;` or a tab, and a header row naming the columns.
public enum CSVRecord {
    /// The fields of one record. Throws on a quote in the middle of an unquoted field or an unclosed one.
    public static func fields(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = 0x2C) throws -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var i = 0
        let n = bytes.count
        var atFieldStart = true
        var quoted = false
        var nonASCII = false
        func finish() throws {
            if nonASCII {
                guard let s = String(validating: field, as: UTF8.self) else { throw RecordProblem.reason(.invalidUTF8) }
                fields.append(s)
            } else {
                fields.append(String(decoding: field, as: UTF8.self))
            }
            field.removeAll(keepingCapacity: true)
            nonASCII = false
        }
        while i < n {
            let c = bytes[i]
            if quoted {
                if c == 0x22 {
                    if i + 1 < n, bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 2
                        continue
                    }
                    quoted = false
                    i += 1
                    // Only a delimiter (or the end) may follow a closing quote; tolerate spaces.
                    while i < n, bytes[i] == 0x20 { i += 1 }
                    if i < n, bytes[i] != delimiter, bytes[i] != 0x0D {
                        throw RecordProblem.reason(.malformedJSON("CSV: text after a closing quote at byte \(i + 1)"))
                    }
                    continue
                }
                if c >= 0x80 { nonASCII = true }
                if c == 0 { throw RecordProblem.reason(.malformedJSON("CSV: NUL byte in a field")) }
                field.append(c)
                i += 1
                continue
            }
            if c == delimiter {
                try finish()
                atFieldStart = true
                i += 1
                continue
            }
            if c == 0x22 && atFieldStart {
                quoted = true
                atFieldStart = false
                i += 1
                continue
            }
            if c == 0x0D, i + 1 == n { i += 1; continue }
            if c == 0 { throw RecordProblem.reason(.malformedJSON("CSV: NUL byte in a field")) }
            if c >= 0x80 { nonASCII = true }
            atFieldStart = false
            field.append(c)
            i += 1
        }
        if quoted { throw RecordProblem.reason(.malformedJSON("CSV: unclosed quoted field")) }
        try finish()
        return fields
    }

    /// The delimiter of a header line: the most frequent of `,`, `;` and tab outside quotes.
    public static func sniffDelimiter(_ header: some Collection<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var quoted = false
        for b in header {
            if b == 0x22 { quoted.toggle() } else if !quoted, counts[b] != nil { counts[b]! += 1 }
        }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }.map { $0.value > 0 ? $0.key : 0x2C } ?? 0x2C
    }
}

/// Where CSV records end, for an input read line by line: quoting is followed as
/// ``CSVRecord/fields(_:delimiter:)`` reads it (a quote opens a quoted field only at the start of a
/// field; `""` inside one is a quote), so a line end inside a quoted field continues the record and a
/// stray quote inside an unquoted field does not.
package struct CSVRecordFraming {
    /// The delimiter, sniffed from the first line that is not blank (the header).
    package private(set) var delimiter: UInt8?
    /// Whether the record read so far ends inside a quoted field.
    package private(set) var insideQuotes = false
    private var atFieldStart = true
    private var afterClosingQuote = false

    /// Starts the next record.
    package mutating func reset() {
        insideQuotes = false
        atFieldStart = true
        afterClosingQuote = false
    }

    /// Reads one line of the current record (without its line end).
    package mutating func feed(_ line: UnsafeBufferPointer<UInt8>) {
        if delimiter == nil, line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
            delimiter = CSVRecord.sniffDelimiter(line)
        }
        let delimiter = self.delimiter ?? 0x2C
        for c in line {
            if insideQuotes {
                if c == 0x22 {
                    insideQuotes = false
                    afterClosingQuote = true
                }
                continue
            }
            if c == 0x22 && (atFieldStart || afterClosingQuote) {
                // An opening quote, or the second quote of a doubled one.
                insideQuotes = true
                atFieldStart = false
                afterClosingQuote = false
                continue
            }
            afterClosingQuote = false
            atFieldStart = c == delimiter
        }
    }

    /// Every stored property, as the memberwise initializer takes them.
    package init(delimiter: UInt8? = nil) {
        self.delimiter = delimiter
    }
}

/// Column positions by name, from a CSV header row. Names are compared trimmed and lowercased.
public struct CSVHeader: Sendable {
    public let names: [String]
    let index: [String: Int]
    public let delimiter: UInt8

    public init(_ fields: [String], delimiter: UInt8 = 0x2C) {
        var names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
        self.names = names
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        self.index = index
        self.delimiter = delimiter
    }

    public func has(_ name: String) -> Bool { index[name] != nil }

    /// The value of column `name` in `row`, nil when the column is missing or the field is empty.
    public func value(_ name: String, in row: [String]) -> String? {
        guard let i = index[name], i < row.count else { return nil }
        let v = row[i].trimmingCharacters(in: .whitespaces)
        return v.isEmpty ? nil : v
    }
}

import LedgerValues
import Foundation
