import ArgumentParser
import Foundation
import TokenLedger

@main
struct TokenLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenledger",
        abstract: "Audit what a team spends on large language models, offline, from its own logs.",
        version: TokenLedgerVersion.current,
        subcommands: [ImportCommand.self, SummaryCommand.self, ReportCommand.self, ExplainCommand.self, WhatIfCommand.self,
                      ReconcileCommand.self, ExportCommand.self, RejectsCommand.self,
                      PricesCommand.self, RepriceCommand.self, SampleCommand.self]
    )

    static func main() {
        // Over a file-size limit (`ulimit -f`) a write fails with an error, reported with the file's
        // name, instead of the signal ending the process.
        signal(SIGXFSZ, SIG_IGN)
        main(nil)
    }
}
