import ArgumentParser
import Foundation
import TokenLedger

struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List input rows that were not imported, with file, line, reason and raw text.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only rejects from sources whose path contains this text.", valueName: "text"))
    var source: String?

    @Option(help: ArgumentHelp("Only this reason code (e.g. malformed_json, conflict).", valueName: "code"))
    var reason: String?

    @Option(help: "Show at most this many (0 for all).")
    var limit: Int = 50

    @OptionGroup var formats: FormatOptions<ListFormat>

    func run() throws {
        let list = try global.ledger(.readOnly).rejects(source: source, reason: reason, limit: limit)
        if formats.chosen == .json {
            try emit(RejectListReport.json(list), to: nil)
        } else {
            try emit(RejectListReport.text(list), to: nil)
        }
    }
}
