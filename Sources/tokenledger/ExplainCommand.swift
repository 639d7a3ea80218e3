import ArgumentParser
import Foundation
import TokenLedger

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain why the bill changed between two periods, as an exact additive breakdown.",
        discussion: """
        PERIOD is a week (2026-W46), a month (2026-10) or DATE..DATE. Default: the last complete ISO week \
        against the one before it. Drivers: volume, workflow mix, call overhead, routing mix, input and \
        output tokens per call, cache hit rate, unit price, new and removed workflows or models (each \
        exactly its cost), and non-usage lines from provider cost exports.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The period to compare against.", valueName: "period"))
    var base: String?

    @Option(help: ArgumentHelp("The period to explain (default: the period right after --base, or the last complete week).",
                               valueName: "period"))
    var compare: String?

    @Option(help: "Break drivers down by workflow, model (every logged spelling of a model together), model-name (as logged), tier, team or segment.")
    var by: BillChangeDimension = .workflow

    @Option(help: "How many movers and breakdown lines to show.")
    var top: Int = 10

    @Flag(help: "Compare average daily cost (so that a 31-day month does not look costlier than a 30-day one); on by default when the periods' days with data differ.")
    var perDay = false

    @Option(help: ArgumentHelp("Time zone for calendar days (IANA name).", valueName: "zone"))
    var tz: String = "UTC"

    @Option(help: ArgumentHelp("A budget file, for the tier map of --by tier.", valueName: "file"))
    var budget: String?

    @OptionGroup var formats: FormatOptions<ExplainFormat>

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be positive") }
        do { _ = try TimeZone.named(tz) } catch { throw ValidationError(String(describing: error)) }
        for p in [base, compare].compactMap({ $0 }) {
            do { _ = try Period(parsing: p) } catch { throw ValidationError(String(describing: error)) }
        }
    }

    func run() throws {
        let zone = try TimeZone.named(tz)
        let ledger = try global.ledger(.readOnly)
        let budgetFile = try budget.map { try loadBudget($0, checkingModelsIn: ledger.db) }
        let report = try ledger.explain(ExplainRequest(
            base: try base.map { try Period(parsing: $0) }, compare: try compare.map { try Period(parsing: $0) }, by: by, top: top,
            perDay: perDay, zone: zone, zoneName: tz, budget: budgetFile))
        switch formats.chosen {
        case .json: try emit(ExplainReportJSON.render(report), to: output)
        case .markdown: try emit(ExplainReportMarkdown.render(report), to: output)
        case .html: try emit(ExplainReportHTML.render(report), to: output)
        case .csv: try emit(ExplainReportJSON.csv(report), to: output)
        case .text: try emit(ExplainReportText.render(report), to: output)
        }
    }
}
