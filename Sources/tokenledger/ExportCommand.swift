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

    /// Days are UTC days, as in the FOCUS columns.
    @OptionGroup var periodSelection: PeriodSelection

    @Option(name: .shortAndLong, help: ArgumentHelp("The CSV file to write, or - for standard output.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("BillingAccountId of every row (default: the provider's name).", valueName: "id"))
    var billingAccount: String?

    @Option(help: ArgumentHelp("BillingAccountName of every row (default: empty).", valueName: "name"))
    var billingAccountName: String?

    func run() throws {
        let ledger = try global.ledger(.readOnly)
        let (result, rows) = try using {
            try ledger.focusExport(FocusExportRequest(
                period: try periodSelection.request,
                options: .init(billingAccountID: billingAccount, billingAccountName: billingAccountName)))
        }
        try emit(FocusExport.csv(rows), to: output)
        print(FocusExport.summary(result, rows: rows), to: &standardError)
    }
}
