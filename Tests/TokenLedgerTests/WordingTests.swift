import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Small wording of reports: a p-value reads `p < 0.0001` or `p = 0.0123`, and a threshold from a file keeps
/// the decimals it was written with.
@Suite struct WordingTests {
    @Test func pValues() {
        #expect(AuditFlagWording.pText("p", 0.00001) == "p < 0.0001")
        #expect(AuditFlagWording.pText("q", 0) == "q < 0.0001")
        #expect(AuditFlagWording.pText("p", 0.0123) == "p = 0.0123")
        #expect(AuditFlagWording.pText("p", 0.0001) == "p = 0.0001")
    }

    @Test func thresholdsKeepTheirDecimals() throws {
        func m(_ s: String) throws -> Money { try #require(Money(parsing: s, rounding: false)) }
        #expect(try m("0.018").displayAsWritten() == "$0.018")
        #expect(try m("0.018").display() == "$0.02")
        #expect(try m("0.055").displayAsWritten() == "$0.055")
        #expect(try m("0.0013").displayAsWritten() == "$0.0013")
        #expect(try m("0.00125").displayAsWritten() == "$0.00125")
        #expect(try m("5").displayAsWritten() == "$5.00")
        #expect(try m("1200.5").displayAsWritten() == "$1,200.50")
        #expect(try m("0.10").displayAsWritten() == "$0.10")
        #expect(Money.zero.displayAsWritten() == "$0.00")
        #expect(try m("-0.018").displayAsWritten() == "-$0.018")
    }
}
