import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders a ``UsageSummary`` as a terminal table, JSON or CSV.
public enum SummaryReport {
    public static func text(_ s: UsageSummary) -> String {
        var out = "Summary"
        if let p = s.period { out += " for \(p.first) to \(p.last)" } else { out += " of all stored requests" }
        out += " (\(s.timeZone)), by \(s.dimensions.map(\.name).joined(separator: ", "))\n\n"
        let levels = s.dimensions.count
        var t = TextTable(columns: s.dimensions.map { .init($0.name) } + [
            .init("requests", align: .right), .init("actions", align: .right),
            .init("input", align: .right), .init("cached", align: .right), .init("output", align: .right),
            .init("spend", align: .right), .init("share", align: .right), .init("unpriced", align: .right),
        ])
        // A breakdown: each group's row carries its name in its own level's column, its subgroups follow it.
        func add(_ groups: [UsageSummary.Group], level: Int) {
            for g in groups {
                var names = Array(repeating: "", count: levels)
                names[level] = g.name
                t.add(names + figures(g.totals, total: s.total))
                add(g.groups, level: level + 1)
            }
        }
        add(s.groups, level: 0)
        t.addTotal(["total"] + Array(repeating: "", count: levels - 1) + figures(s.total, total: s.total))
        out += t.render()
        if s.total.unpricedRequests > 0 {
            out += "\n\(NumberText.integer(s.total.unpricedRequests)) request(s) are unpriced (no price for their model and date); "
            out += "their \(NumberText.tokens(s.total.unpricedTokens)) tokens are not in the spend. See `tokenledger prices check`.\n"
        }
        out += "\nSpend is exact and rounded half to even for display only.\n"
        return out
    }

    static func figures(_ t: UsageTotals, total: UsageTotals) -> [String] {
        let share = total.cost.picos == 0 ? nil : Double(t.cost.picos) / Double(total.cost.picos)
        return [NumberText.integer(t.requests), NumberText.integer(t.actions), NumberText.tokens(t.inputTokens),
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
        func group(_ g: UsageSummary.Group, level: Int) -> JSONOutput {
            var fields = [("name", JSONOutput.string(g.name))] + totals(g.totals)
            if level + 1 < s.dimensions.count {
                fields.append(("groups", .array(g.groups.map { group($0, level: level + 1) })))
            }
            return .object(fields)
        }
        var doc: [(String, JSONOutput)] = [
            ("schema", .string("tokenledger.summary/1")),
            ("period", s.period.map { .object([("from", .string($0.first.description)), ("to", .string($0.last.description))]) } ?? .null),
            ("time_zone", .string(s.timeZone)),
            ("group_by", .string(s.dimensions.map(\.name).joined(separator: ","))),
            ("dimensions", .array(s.dimensions.map { .string($0.name) })),
            ("total_cost_usd", .money(s.total.cost)),
        ]
        doc.append(("total", .object(totals(s.total))))
        doc.append(("groups", .array(s.groups.map { group($0, level: 0) })))
        return JSONOutput.object(doc).render()
    }

    /// One row per group of the last dimension, with a column for each dimension, then the total.
    public static func csv(_ s: UsageSummary) -> String {
        var out = CSVText.row(s.dimensions.map(\.name) + ["requests", "actions", "input_tokens", "cached_input_tokens",
                                                            "cache_write_tokens", "output_tokens", "reasoning_tokens", "cost_usd",
                                                            "unpriced_requests"])
        func line(_ names: [String], _ t: UsageTotals) -> String {
            CSVText.row(names + [String(t.requests), String(t.actions), String(t.inputTokens), String(t.cachedInputTokens),
                                 String(t.cacheWriteTokens), String(t.outputTokens), String(t.reasoningTokens), t.cost.exactString,
                                 String(t.unpricedRequests)])
        }
        func add(_ groups: [UsageSummary.Group], path: [String]) {
            for g in groups {
                if g.groups.isEmpty { out += line(path + [g.name], g.totals) } else { add(g.groups, path: path + [g.name]) }
            }
        }
        add(s.groups, path: [])
        out += line(["total"] + Array(repeating: "", count: s.dimensions.count - 1), s.total)
        return out
    }
}
