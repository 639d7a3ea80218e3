import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// A routing log's `status` takes the words other tools write (LiteLLM's `success`, `failed`, HTTP codes),
/// in any case, as `kind` does.
@Suite struct CallStatusSynonymTests {
    static func status(_ value: String) throws -> CallStatus {
        let line = #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"r","model":"m","input_tokens":1,"output_tokens":1,"status":"\#(value)"}"#
        return try Array(line.utf8).withUnsafeBufferPointer { try RoutingLogImporter.parseRecord($0) }.status
    }

    @Test(arguments: [
        ("success", CallStatus.ok), ("SUCCESS", .ok), ("Succeeded", .ok), ("completed", .ok), ("OK", .ok), ("200", .ok), ("204", .ok),
        ("error", .error), ("Failed", .error), ("failure", .error), ("500", .error), ("400", .error),
        ("timeout", .timeout), ("Timed Out", .timeout), ("timed-out", .timeout), ("504", .timeout), ("408", .timeout),
        ("rate_limited", .rateLimited), ("Rate-Limited", .rateLimited), ("throttled", .rateLimited), ("429", .rateLimited),
        ("INVALID_OUTPUT", .invalidOutput),
    ])
    func synonymsAreRead(_ value: String, _ expected: CallStatus) throws {
        #expect(try Self.status(value) == expected, "\(value)")
    }

    @Test func otherWordsAreStillUnknownValues() {
        for value in ["exploded", "maybe", "100", "600", "2000", "okay-ish"] {
            #expect(throws: (any Error).self, "\(value)") { try Self.status(value) }
            #expect(CallStatus(loggedName: value) == nil, "\(value)")
        }
    }

    /// Every synonym is documented in docs/routing-log.md and in the JSON schema.
    @Test func synonymsAreDocumented() throws {
        let root = PricingFixtures.packageRoot
        let doc = try String(contentsOf: root.appendingPathComponent("docs/routing-log.md"), encoding: .utf8)
        let schema = try String(contentsOf: root.appendingPathComponent("docs/routing-log.schema.json"), encoding: .utf8)
        for name in CallStatus.synonyms.values.flatMap({ $0 }) {
            #expect(doc.contains("`\(name)`"), "\(name) not in routing-log.md")
            #expect(schema.contains("\"\(name)\""), "\(name) not in routing-log.schema.json")
        }
    }
}
