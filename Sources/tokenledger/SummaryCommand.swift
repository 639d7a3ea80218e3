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
        let ledger = try global.ledger(.readOnly)
        let summary = try using {
            try ledger.summary(SummaryRequest(period: try range.period(), dimensions: by.dimensions, zone: try range.zone(),
                                              zoneName: range.tz))
        }
        switch formats.chosen {
        case .json: try emit(SummaryReport.json(summary), to: output)
        case .csv: try emit(SummaryReport.csv(summary), to: output)
        case .text: try emit(SummaryReport.text(summary), to: output)
        }
    }
}
