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
        let db = try global.open(.readOnly)
        let budgetFile = try budget.map { try loadBudget($0, checkingModelsIn: db) }
        // One snapshot for the periods and the figures, however an import goes on meanwhile.
        let report = try db.readTransaction {
            guard let span = try RequestScan(db: db).dataSpan() else {
                throw CLIError("the database holds no requests; run `tokenledger import` first")
            }
            let (basePeriod, comparePeriod, chosen) = try BillChangeAnalysis.periods(
                base: base.map { try Period(parsing: $0) }, compare: compare.map { try Period(parsing: $0) },
                defaultCompare: { ReportPeriods.lastCompleteWeek(dataEnd: span.upperBound, zone: zone) })
            let loader = BillChangeLoader(db: db)
            var b = try loader.load(basePeriod, zone: zone), c = try loader.load(comparePeriod, zone: zone)
            let prepared = BillChangeAnalysis.prepare(base: &b, compare: &c, basePeriod: basePeriod, comparePeriod: comparePeriod,
                                                      dataFirst: span.lowerBound.day(in: zone), dataLast: span.upperBound.day(in: zone),
                                                      perDay: perDay)
            let book = try PriceStore(db: db).storedBook(), dimension = by
            let (names, spellings) = BillChangeAnalysis.groupedModels(base: &b, compare: &c, names: try NameDirectory(db: db), book: book,
                                                                      dimension: dimension)
            let d = BillChangeAnalysis.decompose(base: b, compare: c, perDay: prepared.perDay)
            let context = try loader.context(comparePeriod, zone: zone, budget: budgetFile, prices: book)
            return BillChangeReport.make(d, base: basePeriod, compare: comparePeriod, zoneName: tz,
                                         dimension: dimension, names: names,
                                         modelTiers: context.modelTiers, fallbackReasons: context.fallbackReasons, top: top,
                                         periodNotes: chosen + prepared.notes, modelSpellings: spellings)
        }
        switch formats.chosen {
        case .json: try emit(ExplainReportJSON.render(report), to: output)
        case .markdown: try emit(ExplainReportMarkdown.render(report), to: output)
        case .html: try emit(ExplainReportHTML.render(report), to: output)
        case .csv: try emit(ExplainReportJSON.csv(report), to: output)
        case .text: try emit(ExplainReportText.render(report), to: output)
        }
    }
}
