import ArgumentParser
import Foundation
import TokenLedger

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Requests, actions, tokens and spend per group, unpriced traffic shown apart.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var range: DateRangeOptions

    @Option(help: ArgumentHelp("Group by \(SummaryGrouping.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "dimension"))
    var by: String = "model"

    @Option(help: "text, json or csv.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard SummaryGrouping(rawValue: by) != nil else {
            throw ValidationError("--by must be one of \(SummaryGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard format == .text || format == .json || format == .csv else { throw ValidationError("--format must be text, json or csv") }
    }

    func run() throws {
        let db = try global.open(.readOnly)
        let zone = try range.zone()
        // One snapshot for the period, the names and the rows, however an import goes on meanwhile.
        let summary = try db.readTransaction {
            let scan = RequestScan(db: db)
            let period = try range.period(dataSpan: try scan.dataSpan())
            var builder = UsageSummary.Builder(grouping: SummaryGrouping(rawValue: by)!, names: try NameDirectory(db: db), zone: zone, zoneName: range.tz)
            try scan.forEach(in: period?.interval(in: zone)) { builder.add($0) }
            return builder.build(period: period)
        }
        switch format {
        case .json: try emit(SummaryReport.json(summary), to: output)
        case .csv: try emit(SummaryReport.csv(summary), to: output)
        default: try emit(SummaryReport.text(summary), to: output)
        }
    }
}
