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

/// The same logical traffic written as our routing log, as OTLP spans and as LiteLLM spend logs
/// (`fixtures/same-traffic/`) imports to the same requests, tokens, roles and cost.
@Suite struct SameTrafficTests {
    static let files = ["same-traffic/routing-log.jsonl", "same-traffic/otlp.jsonl", "same-traffic/litellm-spend-logs.json"]

    /// What must agree between the three imports.
    struct Totals: Equatable {
        var requests, actions, input, output, cached, write5m, write1h, reasoning, latency: Int64
        var cost, gatewayCost: Int64
        var unpriced: Int64
        var byKindAndStatus: [[String?]]
        var fallbacks: [[String?]]
        var perCall: [[String?]]
    }

    static func totals(_ file: String) throws -> (Totals, ImportedDatabase) {
        let t = try ImportedDatabase([ImportFixtures.path(file)])
        let totals = Totals(
            requests: try t.int("SELECT count(*) FROM requests"),
            actions: try t.int("SELECT count(*) FROM actions"),
            input: try t.int("SELECT sum(input_tokens) FROM requests"),
            output: try t.int("SELECT sum(output_tokens) FROM requests"),
            cached: try t.int("SELECT sum(cached_input_tokens) FROM requests"),
            write5m: try t.int("SELECT sum(cache_write_tokens) FROM requests"),
            write1h: try t.int("SELECT sum(cache_write_1h_tokens) FROM requests"),
            reasoning: try t.int("SELECT sum(reasoning_tokens) FROM requests"),
            latency: try t.int("SELECT sum(latency_ms) FROM requests"),
            cost: try t.int("SELECT sum(cost) FROM requests"),
            gatewayCost: try t.int("SELECT sum(gateway_cost) FROM requests"),
            unpriced: try t.int("SELECT count(*) FROM requests WHERE cost IS NULL"),
            byKindAndStatus: try t.rows("SELECT kind, status, attempt, count(*) FROM v_requests GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
            fallbacks: try t.rows("SELECT model, fallback_from FROM v_requests WHERE kind = 'fallback' ORDER BY ts_ms"),
            perCall: try t.rows("""
                SELECT timestamp, model, provider, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
                       reasoning_tokens, latency_ms, cost_usd FROM v_requests ORDER BY ts_ms
                """))
        return (totals, t)
    }

    @Test func threeFormatsOneTraffic() throws {
        let (routing, r) = try Self.totals(Self.files[0])
        let (otlp, o) = try Self.totals(Self.files[1])
        let (litellm, l) = try Self.totals(Self.files[2])
        for t in [r, o, l] { #expect(t.summary.rejected == 0) }
        #expect(routing.requests == 7 && routing.actions == 5)
        #expect(routing.cost > 0 && routing.unpriced == 0)
        #expect(otlp == routing)
        #expect(litellm == routing)
        // The gateways logged the default price book's own amounts.
        #expect(routing.cost == routing.gatewayCost)
        #expect(routing.cost == money("0.01558155").int64Picos)
    }
}
