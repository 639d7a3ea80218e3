import ArgumentParser
import Foundation
import TokenLedger

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Requests, actions, tokens and spend per group, unpriced traffic shown apart.",
        discussion: """
        --by takes a routing field (model, tier, workflow, team, user, segment, project, api-key, provider), \
        source (the file the calls were imported from), a span of time in --tz (hour, day, week, month) or \
        tag:NAME (the value of a metadata key, e.g. tag:tags for LiteLLM's request tags). Several, separated by \
        commas, nest: --by day,model breaks each day down by model.
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var range: DateRangeOptions

    @Option(help: ArgumentHelp("What to group by; several separated by commas nest (day,model).", valueName: "dimensions"))
    var by = SummaryDimensions([.model])

    @OptionGroup var formats: FormatOptions<SummaryFormat>

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    func run() throws {
        let db = try global.open(.readOnly)
        let zone = try range.zone()
        // One snapshot for the period, the names and the rows, however an import goes on meanwhile.
        let summary = try db.readTransaction {
            let scan = RequestScan(db: db)
            let period = try range.period(dataSpan: try scan.dataSpan())
            let labels = try SummaryLabelQuery(db: db).labels(for: by.dimensions, book: try PriceStore(db: db).storedBook())
            var builder = UsageSummary.Builder(dimensions: by.dimensions, labels: labels, zone: zone, zoneName: range.tz)
            try scan.forEach(in: period?.interval(in: zone)) { builder.add($0) }
            return builder.build(period: period)
        }
        switch formats.chosen {
        case .json: try emit(SummaryReport.json(summary), to: output)
        case .csv: try emit(SummaryReport.csv(summary), to: output)
        case .text: try emit(SummaryReport.text(summary), to: output)
        }
    }
}
