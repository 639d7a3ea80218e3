import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// `explain` as JSON (`docs/report-json.md`, schema `tokenledger.explain/1`): `base_total_usd`,
/// `compare_total_usd`, `change_usd`, and `drivers` whose exact `amount_usd` add up to `change_usd`.
public enum ExplainReportJSON {
    public static let schema = "tokenledger.explain/1"

    public static func render(_ r: BillChangeReport) -> String {
        func period(_ p: Period) -> JSONOutput {
            .object([("label", .string(p.label)), ("from", .string(p.first.description)), ("to", .string(p.last.description)),
                     ("days", .int(p.dayCount))])
        }
        func figures(_ f: BillChangeReport.MoverFigures) -> JSONOutput {
            .object([("actions", .int(f.actions)), ("calls", .int(f.calls)), ("calls_per_action", .ratio(f.callsPerAction)),
                     ("input_tokens_per_call", .ratio(f.inputPerCall, decimals: 1)),
                     ("output_tokens_per_call", .ratio(f.outputPerCall, decimals: 1)), ("cache_share", .ratio(f.cacheShare)),
                     ("usd_per_million_tokens", .ratio(f.pricePerMillion, decimals: 6)), ("cost_usd", .money(f.cost))])
        }
        return JSONOutput.object([
            ("schema", .string(schema)),
            ("base", period(r.base)),
            ("compare", period(r.compare)),
            ("time_zone", .string(r.zoneName)),
            ("per_day", .bool(r.perDay)),
            ("period_notes", .array(PeriodNoteText.lines(r.periodNotes).map { .string($0) })),
            ("model_logged_names", .object(r.modelSpellings.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map { .string($0) })) })),
            ("by", .string(r.dimension.rawValue)),
            ("base_total_usd", .money(r.baseTotal)),
            ("compare_total_usd", .money(r.compareTotal)),
            ("change_usd", .money(r.change)),
            ("shown_change_usd", .string(r.shownChange.formatted(decimals: 2))),
            ("change_share", .ratio(r.changeShare)),
            ("explanation", .string(r.explanation)),
            ("drivers", .array(r.drivers.map { d in
                .object([
                    ("driver", .string(d.driver.rawValue)), ("label", .string(d.driver.label)),
                    ("amount_usd", .money(d.amount)), ("shown_usd", .string(d.shown.formatted(decimals: 2))),
                    ("breakdown", .array(d.breakdown.map { .object([("name", .string($0.name)), ("amount_usd", .money($0.amount)), ("shown_usd", .money($0.shown))]) })),
                ])
            })),
            ("top_movers", .array(r.movers.map { m in
                .object([("workflow", .string(m.workflow)), ("team", .string(m.team)), ("segment", .string(m.segment)),
                         ("kind", .string(m.kind)), ("model", .string(m.model)), ("base", figures(m.base)),
                         ("compare", figures(m.compare)), ("change_usd", .money(m.change)),
                         ("main_driver", .string(m.mainDriver?.rawValue))])
            })),
            ("unpriced_calls", .object([("base", .int(r.unpricedCalls.base)), ("compare", .int(r.unpricedCalls.compare))])),
            ("non_usage_usd", .object([("base", .money(r.nonUsage.base)), ("compare", .money(r.nonUsage.compare))])),
        ]).render()
    }

    /// The drivers as CSV: one row per driver and dimension value, then each driver's total.
    public static func csv(_ r: BillChangeReport) -> String {
        var out = CSVText.row(["driver", r.dimension.rawValue, "amount_usd"])
        for d in r.drivers {
            for p in d.breakdown { out += CSVText.row([d.driver.rawValue, p.name, p.amount.exactString]) }
            out += CSVText.row([d.driver.rawValue, "(total)", d.amount.exactString])
        }
        out += CSVText.row(["change", "(total)", r.change.exactString])
        return out
    }
}
