import ArgumentParser
import Foundation
import TokenLedger

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the stored usage in a format other tools read.",
        subcommands: [FocusExportCommand.self])
}

struct FocusExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "focus",
        abstract: "FinOps FOCUS 1.2 cost and usage rows (CSV): one per UTC day, provider, model, token kind, project and API key.",
        discussion: """
        Costs are the price book's (list) and the stored cost of the calls (billed, contracted, effective), exact to \
        the picodollar; unpriced calls are left out and counted on standard error. docs/focus-export.md maps every \
        column.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("First UTC day (inclusive); default: the first day with data.", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("Last UTC day (inclusive); default: the last day with data.", valueName: "YYYY-MM-DD"))
    var to: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The CSV file to write, or - for standard output.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("BillingAccountId of every row (default: the provider's name).", valueName: "id"))
    var billingAccount: String?

    @Option(help: ArgumentHelp("BillingAccountName of every row (default: empty).", valueName: "name"))
    var billingAccountName: String?

    func validate() throws {
        for (flag, value) in [("--from", from), ("--to", to)] {
            if let value, CivilDate(parsing: value) == nil { throw ValidationError("\(flag) must be a date YYYY-MM-DD, got `\(value)`") }
        }
        if let f = from.flatMap({ CivilDate(parsing: $0) }), let t = to.flatMap({ CivilDate(parsing: $0) }), f > t {
            throw ValidationError("--from \(f) is after --to \(t)")
        }
    }

    func run() throws {
        let db = try global.open(.readOnly)
        let (result, rows) = try db.readTransaction { () -> (FocusQuery.Result, [FocusExport.Row]) in
            var period: Period?
            if from != nil || to != nil, let span = try RequestScan(db: db).dataSpan() {
                let first = from.flatMap { CivilDate(parsing: $0) } ?? span.lowerBound.utcDay
                let last = to.flatMap { CivilDate(parsing: $0) } ?? span.upperBound.utcDay
                period = Period(first: first, last: max(first, last))
            }
            let result = try FocusQuery(db: db).load(period: period)
            return (result, FocusExport.rows(result, options: .init(billingAccountID: billingAccount, billingAccountName: billingAccountName)))
        }
        try emit(FocusExport.csv(rows), to: output)
        print(FocusExport.summary(result, rows: rows), to: &standardError)
    }
}
