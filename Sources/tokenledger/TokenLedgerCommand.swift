import ArgumentParser
import Foundation
import TokenLedger

@main
struct TokenLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenledger",
        abstract: "Audit what a team spends on large language models, offline, from its own logs.",
        discussion: """
        Every command that reads or writes the database takes --db PATH, before the command's name \
        (tokenledger --db team.sqlite summary) or after it.
        """,
        version: TokenLedgerVersion.current,
        subcommands: [ImportCommand.self, SummaryCommand.self, ReportCommand.self, ExplainCommand.self, WhatIfCommand.self,
                      ReconcileCommand.self, ExportCommand.self, RejectsCommand.self,
                      PricesCommand.self, RepriceCommand.self, SampleCommand.self]
    )

    static func main() {
        // Over a file-size limit (`ulimit -f`) a write fails with an error, reported with the file's
        // name, instead of the signal ending the process.
        signal(SIGXFSZ, SIG_IGN)
        main(movingDatabaseOption(Array(CommandLine.arguments.dropFirst()), commands: configuration.subcommands))
    }

    /// `--db PATH` (or `--db=PATH`) given before the command's name, moved after it (and after a
    /// subcommand's, `prices import`), where the command's own options are parsed.
    static func movingDatabaseOption(_ arguments: [String], commands: [any ParsableCommand.Type]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            if arguments[i] == "--db", i + 1 < arguments.count {
                leading += arguments[i...(i + 1)]
                i += 2
            } else if arguments[i].hasPrefix("--db=") {
                leading.append(arguments[i])
                i += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments[i...])
        var end = 0
        var level = commands
        while end < rest.count, let command = level.first(where: { $0._commandName == rest[end] }) {
            end += 1
            level = command.configuration.subcommands
        }
        // Without a command after it, the option stays where it was, and the parser says what is wrong.
        guard end > 0 else { return arguments }
        rest.insert(contentsOf: leading, at: end)
        return rest
    }
}
