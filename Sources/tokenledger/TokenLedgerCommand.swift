import ArgumentParser
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
}
