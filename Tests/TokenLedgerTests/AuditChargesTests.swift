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

/// The audit shows tool fees, audio and images, and multipliers per workflow and model
/// (``AuditResult/charges``) in every format. Prices from the shipped book: OpenAI web search $10 per 1,000
/// calls (https://platform.openai.com/docs/pricing, "Built-in tools"); Claude Opus 4.6 $5 / $25 per 1M, fast
/// mode 6× (https://platform.claude.com/docs/en/build-with-claude/fast-mode); Gemini 2.5 Flash audio input
/// $1.00 per 1M (https://ai.google.dev/gemini-api/docs/pricing); all read 2026-12-07.
@Suite struct AuditChargesTests {
    static let lines = [
        // The previous week: one search.
        #"{"timestamp":"2026-03-03T10:00:00Z","request_id":"p1","workflow":"research","model":"gpt-4o","input_tokens":1000,"output_tokens":100,"web_search_calls":1}"#,
        // The week: two searches, a fast call, an audio call and a plain one.
        #"{"timestamp":"2026-03-10T10:00:00Z","request_id":"c1","workflow":"research","model":"gpt-4o","input_tokens":1000,"output_tokens":100,"web_search_calls":2}"#,
        #"{"timestamp":"2026-03-10T11:00:00Z","request_id":"c2","workflow":"review","model":"claude-opus-4-6","input_tokens":10000,"output_tokens":2000,"speed":"fast"}"#,
        #"{"timestamp":"2026-03-11T11:00:00Z","request_id":"c3","workflow":"transcribe","model":"gemini-2.5-flash","input_tokens":10000,"output_tokens":2000,"audio_input_tokens":4000}"#,
        #"{"timestamp":"2026-03-11T12:00:00Z","request_id":"c4","workflow":"research","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":100}"#,
    ]

    static func audit() throws -> (AuditResult, Scratch) {
        let scratch = try Scratch()
        let ledger = try scratch.ledger()
        #expect(try ledger.importPaths([try scratch.write("calls.jsonl", LogLine.file(lines))]).rowsImported == 5)
        let r = try Ledger(db: ledger.db).audit(AuditRequest(period: .exactly(try Period(parsing: "2026-03-09..2026-03-15")),
                                                             zone: TimeZone(identifier: "UTC")!, zoneName: "UTC"))
        return (r, scratch)
    }

    @Test func chargesPerWorkflowAndModel() throws {
        let (r, _) = try Self.audit()
        #expect(r.charges.map { "\($0.current.workflow) \($0.current.model)" }
            == ["research gpt-4o", "review claude-opus-4-6", "transcribe gemini-2.5-flash"])
        let search = r.charges[0]
        #expect(search.current.toolCalls == 2 && search.current.toolFees == usd("0.02"))
        #expect(search.previous.toolCalls == 1 && search.previous.toolFees == usd("0.01"))
        // (10,000 × $5/M + 2,000 × $25/M) × (6 − 1) = $0.50 added by fast mode.
        let fast = r.charges[1]
        #expect(fast.current.uplift == usd("0.50") && fast.current.toolFees == .zero && fast.previous.total == .zero)
        // 4,000 audio tokens × $1/M.
        #expect(r.charges[2].current.modality == usd("0.004"))
        // The charges are part of the spend.
        let opus = try #require(r.models.first { $0.current.name == "claude-opus-4-6" })
        #expect(opus.current.spend == usd("0.60"))
    }

    @Test func everyFormatShowsThem() throws {
        let (r, _) = try Self.audit()
        let text = AuditReportText.render(r, budgetName: nil)
        #expect(text.contains("CHARGES BEYOND TEXT TOKENS"))
        let row = try #require(text.split(separator: "\n").first { $0.contains("research") && $0.contains("gpt-4o ") && $0.contains("$0.02") })
        // The data covers 6 days of the previous week and 3 of this one: the change is per day,
        // $0.02 / 3 against $0.01 / 6, +300%.
        #expect(row.contains("$0.01") && row.contains("+300.0%"))
        #expect(AuditReportMarkdown.render(r, budgetName: nil).contains("## Charges beyond text tokens"))
        #expect(AuditReportHTML.render(r, budgetName: nil).contains("Charges beyond text tokens"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(AuditReportJSON.render(r, budgetName: nil).utf8)) as? [String: Any])
        let charges = try #require(json["charges"] as? [[String: Any]])
        #expect(charges.count == 3)
        let current = try #require(charges[1]["current"] as? [String: Any])
        #expect(current["uplift_usd"] as? String == "0.50")
        let csv = AuditReportCSV.render(r, table: .charges).split(separator: "\r\n")
        #expect(csv.first == "workflow,model,tool_calls,tool_fees_usd,modality_usd,uplift_usd,total_usd,previous_tool_calls,previous_total_usd")
        #expect(csv[1] == "research,gpt-4o,2,0.02,0.00,0.00,0.02,1,0.01")
    }
}
