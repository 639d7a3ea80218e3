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

/// CSV tables of the report: quoted as RFC 4180 asks, read back to the same values.
@Suite struct CSVReportTests {
    @Test func fieldsWithCommasQuotesAndLineEndsAreQuoted() throws {
        #expect(CSVText.field("plain") == "plain")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVText.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVText.field("cr\r") == "\"cr\r\"")
        #expect(CSVText.field("crlf\r\nline") == "\"crlf\r\nline\"")
        #expect(CSVText.row(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
        let back = try CSVDocument.records(CSVText.row(HostileNames.all + ["x\r\ny"]) + CSVText.row(["x"]))
        #expect(back == [HostileNames.all + ["x\r\ny"], ["x"]])
    }

    @Test(arguments: AuditReportCSV.Table.allCases)
    func everyTableReadsBackWithItsHostileNames(_ table: AuditReportCSV.Table) throws {
        let r = try HostileNames.auditResult()
        let csv = AuditReportCSV.render(r, table: table)
        let records = try CSVDocument.records(csv)
        let (header, rows) = AuditReportCSV.table(r, table)
        #expect(records.first == header)
        #expect(Array(records.dropFirst()) == rows)
        #expect(!rows.isEmpty)
        #expect(records.allSatisfy { $0.count == header.count })
    }

    @Test func theWorkflowTableOfTheSampleWeekHasExactMoney() throws {
        let r = try AuditGoldenTests.result.get()
        let (header, rows) = try CSVDocument.rows(AuditReportCSV.render(r, table: .workflows))
        #expect(header.first == "workflow")
        #expect(rows.map { $0["workflow"] ?? "" } == r.workflows.map(\.name))
        for (row, w) in zip(rows, r.workflows) {
            #expect(row["spend_usd"] == w.figures.current.spend.exactString)
            #expect(Money(parsing: row["spend_usd"] ?? "", rounding: false) == w.figures.current.spend)
            #expect(row["actions"] == String(w.figures.current.actions))
            #expect(row["budget_fallback_rate"] == (w.budgetedFallbackRate.map { formatDecimal($0, decimals: 6) } ?? ""))
        }
        // The model table adds up to the period's spend, to the picodollar.
        let models = try CSVDocument.rows(AuditReportCSV.render(r, table: .models)).rows
        let sum = try models.map { try #require(Money(parsing: $0["spend_usd"] ?? "", rounding: false)) }.sum()
        #expect(sum == r.total.current.spend)
        // Daily rows cover both periods, every tier.
        let daily = try CSVDocument.rows(AuditReportCSV.render(r, table: .daily)).rows
        #expect(Set(daily.map { $0["day"] ?? "" }).count == r.period.dayCount + r.previous.dayCount)
    }
}
