import Foundation
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Reads a whole CSV document back for tests: records end at CRLF outside quotes, each is parsed by
/// ``CSVRecord/fields(_:delimiter:)``.
enum CSVDocument {
    static func records(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var current: [UInt8] = []
        var quoted = false
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 { quoted.toggle() }
            if !quoted, c == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                records.append(try current.withUnsafeBufferPointer { try CSVRecord.fields($0) })
                current.removeAll()
                i += 2
                continue
            }
            current.append(c)
            i += 1
        }
        if !current.isEmpty { records.append(try current.withUnsafeBufferPointer { try CSVRecord.fields($0) }) }
        return records
    }

    /// The records as dictionaries keyed by the header's names.
    static func rows(_ text: String) throws -> (header: [String], rows: [[String: String]]) {
        let all = try records(text)
        guard let header = all.first else { return ([], []) }
        return (header, all.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
    }
}
