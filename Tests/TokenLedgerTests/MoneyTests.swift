import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

@Suite struct MoneyTests {
    @Test func parsesDecimalTextExactly() throws {
        #expect(Money(parsing: "0.00471")?.picos == 4_710_000_000)
        #expect(Money(parsing: "12")?.picos == 12_000_000_000_000)
        #expect(Money(parsing: "-0.5")?.picos == -500_000_000_000)
        #expect(Money(parsing: "1.25e-6")?.picos == 1_250_000)
        // Anthropic's cost report: decimal strings in cents.
        #expect(Money(parsing: "123.45", scale: 2)?.picos == 1_234_500_000_000)
        // 16-decimal amounts from OpenAI's CSV round half to even at the picodollar.
        #expect(Money(parsing: "0.0000000000015")?.picos == 2)
        #expect(Money(parsing: "0.0000000000025")?.picos == 2)
        #expect(Money(parsing: "0.0000000000025", rounding: false) == nil)
        #expect(Money(parsing: "NaN") == nil)
        #expect(Money(parsing: "Infinity") == nil)
        #expect(Money(parsing: "1e") == nil)
        #expect(Money(parsing: "") == nil)
    }

    @Test func roundsHalfToEvenOnlyWhenShown() {
        let m = Money(parsing: "2.345")!
        #expect(m.formatted(decimals: 2) == "2.34")
        #expect(Money(parsing: "2.355")!.formatted(decimals: 2) == "2.36")
        #expect(Money(parsing: "-2.355")!.formatted(decimals: 2) == "-2.36")
        #expect(Money(parsing: "-0.001")!.formatted(decimals: 2) == "0.00")
        #expect(Money(parsing: "1234567.891")!.display() == "$1,234,567.89")
        #expect(Money(parsing: "0.00421")!.display() == "$0.0042")
        #expect(Money(parsing: "-3")!.display() == "-$3.00")
    }

    @Test func exactStringKeepsEveryDigit() {
        #expect(Money(parsing: "1.5")!.exactString == "1.50")
        #expect(Money(picos: Int64(1)).exactString == "0.000000000001")
        #expect(Money(parsing: "-42")!.exactString == "-42.00")
    }

    @Test func sumsAreExactWhereDoublesDrift() {
        let tenth = Money(parsing: "0.1")!
        let total = Array(repeating: tenth, count: 10).sum()
        #expect(total == Money(dollars: 1))
        var d = 0.0
        for _ in 0..<10 { d += 0.1 }
        #expect(d != 1.0)  // why money never uses Double
    }

    @Test func totalsBeyondInt64DoNotOverflow() {
        let big = Money(picos: Int64.max)
        let total = [big, big, big].sum()
        #expect(total.picos == Int128(Int64.max) * 3)
        #expect(total.int64Picos == nil)
    }

    @Test func ratesParseBothUnits() {
        #expect(Rate(perMillion: "3")?.picosPerToken == 3_000_000)
        #expect(Rate(perMillion: "0.075")?.picosPerToken == 75_000)
        #expect(Rate(perToken: "3e-06")?.picosPerToken == 3_000_000)
        #expect(Rate(perToken: "1.25e-08")?.picosPerToken == 12_500)
        // Float noise below a picodollar in LiteLLM's catalogue rounds away.
        #expect(Rate(perToken: "2.9999900000000002e-06")?.picosPerToken == 2_999_990)
        #expect(Rate(perMillion: "-1") == nil)
        #expect(Rate(perMillion: "3")!.perMillionString == "3.00")
        #expect(Rate(perMillion: "3")!.scaled(1, 2).picosPerToken == 1_500_000)
    }
}
