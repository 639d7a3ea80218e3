/// Renders a ``UsageSummary`` as a terminal table or JSON.
public enum SummaryReport {
    public static func text(_ s: UsageSummary) -> String {
        var out = "Summary"
        if let p = s.period { out += " for \(p.first) to \(p.last)" } else { out += " of all stored requests" }
        out += " (\(s.timeZone)), by \(s.grouping.rawValue)\n\n"
        var t = TextTable(columns: [
            .init(s.grouping.rawValue), .init("requests", align: .right), .init("actions", align: .right),
            .init("input", align: .right), .init("cached", align: .right), .init("output", align: .right),
            .init("spend", align: .right), .init("share", align: .right), .init("unpriced", align: .right),
        ])
        for g in s.groups {
            t.add(row(g.name, g.totals, total: s.total))
        }
        t.addTotal(row("total", s.total, total: s.total))
        out += t.render()
        if s.total.unpricedRequests > 0 {
            out += "\n\(NumberText.integer(s.total.unpricedRequests)) request(s) are unpriced (no price for their model and date); "
            out += "their \(NumberText.tokens(s.total.unpricedTokens)) tokens are not in the spend. See `tokenledger prices check`.\n"
        }
        out += "\nSpend is exact and rounded half to even for display only.\n"
        return out
    }

    static func row(_ name: String, _ t: UsageTotals, total: UsageTotals) -> [String] {
        let share = total.cost.picos == 0 ? nil : Double(t.cost.picos) / Double(total.cost.picos)
        return [name, NumberText.integer(t.requests), NumberText.integer(t.actions), NumberText.tokens(t.inputTokens),
                NumberText.tokens(t.cachedInputTokens), NumberText.tokens(t.outputTokens), t.cost.display(),
                NumberText.percent(share), t.unpricedRequests == 0 ? "" : NumberText.integer(t.unpricedRequests)]
    }

    public static func json(_ s: UsageSummary) -> String {
        func totals(_ t: UsageTotals) -> [(String, JSONOutput)] {
            [
                ("requests", .int(t.requests)),
                ("actions", .int(t.actions)),
                ("input_tokens", .int(t.inputTokens)),
                ("cached_input_tokens", .int(t.cachedInputTokens)),
                ("cache_write_tokens", .int(t.cacheWriteTokens)),
                ("output_tokens", .int(t.outputTokens)),
                ("reasoning_tokens", .int(t.reasoningTokens)),
                ("cost_usd", .money(t.cost)),
                ("unpriced_requests", .int(t.unpricedRequests)),
                ("unpriced_tokens", .int(t.unpricedTokens)),
            ]
        }
        var doc: [(String, JSONOutput)] = [
            ("schema", .string("tokenledger.summary/1")),
            ("period", s.period.map { .object([("from", .string($0.first.description)), ("to", .string($0.last.description))]) } ?? .null),
            ("time_zone", .string(s.timeZone)),
            ("group_by", .string(s.grouping.rawValue)),
            ("total_cost_usd", .money(s.total.cost)),
        ]
        doc.append(("total", .object(totals(s.total))))
        doc.append(("groups", .array(s.groups.map { g in .object([("name", .string(g.name))] + totals(g.totals)) })))
        return JSONOutput.object(doc).render()
    }

    public static func csv(_ s: UsageSummary) -> String {
        var out = CSVText.row([s.grouping.rawValue, "requests", "actions", "input_tokens", "cached_input_tokens",
                               "cache_write_tokens", "output_tokens", "reasoning_tokens", "cost_usd", "unpriced_requests"])
        func line(_ name: String, _ t: UsageTotals) -> String {
            CSVText.row([name, String(t.requests), String(t.actions), String(t.inputTokens), String(t.cachedInputTokens),
                         String(t.cacheWriteTokens), String(t.outputTokens), String(t.reasoningTokens), t.cost.exactString,
                         String(t.unpricedRequests)])
        }
        for g in s.groups { out += line(g.name, g.totals) }
        out += line("total", s.total)
        return out
    }
}
