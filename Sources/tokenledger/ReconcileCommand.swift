import ArgumentParser
import Foundation
import TokenLedger

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the providers' own usage and cost exports with the routing logs: coverage and gaps by class.",
        discussion: """
        Day by day (UTC) and model by model: how much of the provider's bill the logs explain, and what the rest \
        is — boundary effects, bypass, unlogged attempts, calls logged but not billed, token mismatch, price drift, \
        non-usage lines. Import the exports first (`tokenledger import`, formats in docs/provider-exports.md); the \
        method and tolerances are in docs/reconciliation.md.
        Exit status: 0, or with --check 4 when the period's total gap exceeds the total tolerance.
        """)

    @OptionGroup var global: GlobalOptions

    /// UTC days; default: the days the providers' exports cover.
    @OptionGroup var periodSelection: PeriodSelection

    @Option(help: ArgumentHelp("Only this provider (openai, anthropic, openrouter); repeat or separate with commas.", valueName: "name"))
    var provider: [String] = []

    @OptionGroup var formats: FormatOptions<PageFormat>

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Requests a cell may differ by (default 0).", valueName: "n"))
    var requestTolerance: Int64 = 0

    @Option(help: ArgumentHelp("Tokens of one kind a cell may differ by (default 0).", valueName: "n"))
    var tokenTolerance: Int64 = 0

    @Option(help: ArgumentHelp("A cell's cost gap up to this many dollars is matched (default 0.01).", valueName: "usd"))
    var cellToleranceUsd: String = "0.01"

    @Option(help: ArgumentHelp("…or up to this percentage of the cell's bill, whichever is larger (default 0.5).", valueName: "percent"))
    var cellTolerancePercent: String = "0.5"

    @Option(help: ArgumentHelp("The period reconciles when its total gap is within this percentage (default 0.1).", valueName: "percent"))
    var totalTolerancePercent: String = "0.1"

    @Option(help: ArgumentHelp("Days that ended less than this many hours ago are provisional (default 48).", valueName: "hours"))
    var openHours: Int64 = 48

    @Option(help: ArgumentHelp("Take \"now\" to be this instant (for reproducible reports).", valueName: "RFC 3339 time"))
    var asOf: String?

    @Flag(help: "Exit with status 4 when the total gap exceeds the total tolerance.")
    var check = false

    func validate() throws {
        _ = try tolerances()
        if let asOf, Timestamp.parse(iso: asOf) == nil { throw ValidationError("--as-of must be an RFC 3339 time, got `\(asOf)`") }
    }

    func tolerances() throws -> ReconciliationTolerances {
        var t = ReconciliationTolerances()
        guard requestTolerance >= 0, tokenTolerance >= 0, openHours >= 0 else {
            throw ValidationError("tolerances and --open-hours must not be negative")
        }
        t.requests = requestTolerance
        t.tokens = tokenTolerance
        t.openHours = openHours
        guard let usd = Money(parsing: cellToleranceUsd, rounding: false), !usd.isNegative else {
            throw ValidationError("--cell-tolerance-usd must be a non-negative amount, got `\(cellToleranceUsd)`")
        }
        t.cellCost = usd
        t.cellCostPartsPerMillion = try ppm(cellTolerancePercent, "--cell-tolerance-percent")
        t.totalPartsPerMillion = try ppm(totalTolerancePercent, "--total-tolerance-percent")
        return t
    }

    /// A percentage as exact parts per million (`0.5` → 5000).
    func ppm(_ text: String, _ flag: String) throws -> Int64 {
        guard let d = ExactDecimal(parsing: text), !d.isNegative, let v = d.scaled(byPowerOfTen: 4, rounding: false),
              let n = Int64(exactly: v), n <= 1_000_000 else {
            throw ValidationError("\(flag) must be a percentage between 0 and 100 with at most 4 decimals, got `\(text)`")
        }
        return n
    }

    func run() throws {
        let ledger = try global.ledger()
        let providers = provider.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
        let result = try using {
            try ledger.reconcile(ReconcileRequest(period: try periodSelection.request, providers: providers, tolerances: try tolerances(),
                                                  asOf: asOf.flatMap { Timestamp.parse(iso: $0) }))
        }
        switch formats.chosen {
        case .json: try emit(ReconciliationJSONReport.render(result), to: output)
        case .markdown: try emit(ReconciliationMarkdownReport.render(result), to: output)
        case .html: try emit(ReconciliationHTMLReport.render(result), to: output)
        case .text: try emit(ReconciliationTextReport.render(result), to: output)
        }
        if check && !result.withinTolerance { throw ExitCode(4) }
    }
}
