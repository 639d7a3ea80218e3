import ArgumentParser
import Foundation
import TokenLedger

struct PricesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices",
        abstract: "Manage the dated price book that prices every request.",
        subcommands: [Import.self, Diff.self, List.self, Check.self])
}

extension PricesCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import prices from our price-book format (YAML) or LiteLLM's model_prices_and_context_window.json.",
            discussion: """
            Imported entries override the built-in ones on the same model and date. An entry keeps, from \
            the entry of the same model and provider in force the day before, what it does not state: \
            long-context cards, batch/flex/priority cards, cache and reasoning rates. The import prints what \
            it changed against the book in force (`prices diff` shows all of it without importing). \
            LiteLLM's file has no dates: --effective-from says from which day its prices hold. Stored \
            requests keep their cost until you run `tokenledger reprice`.
            """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The price file.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("The day from which prices without a date hold (required for LiteLLM's file).", valueName: "YYYY-MM-DD"))
        var effectiveFrom: String?

        func run() throws {
            let ledger = try global.ledger()
            let file = try PriceFileInput.read(file, effectiveFrom: effectiveFrom)
            let changes = try ledger.importPrices(file.entries)
            let n = changes.entries.count
            print("Imported \(n) price entr\(n == 1 ? "y" : "ies") from \(self.file).")
            for note in file.notes { print(note) }
            print(PriceChangeReport.text(changes, limit: 20), terminator: "")
            print("Stored requests keep their cost until you run `tokenledger reprice`.")
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what `prices import` would change against the book in force, without importing.",
            discussion: """
            The same comparison `prices import` prints, complete: rates raised or lowered, cards added, \
            parts kept from the earlier entry, models new to the book. The database is only read.
            """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The price file.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("The day from which prices without a date hold (required for LiteLLM's file).", valueName: "YYYY-MM-DD"))
        var effectiveFrom: String?

        @OptionGroup var formats: FormatOptions<ListFormat>

        func run() throws {
            let input = try PriceFileInput.read(file, effectiveFrom: effectiveFrom)
            // Without a database, against the built-in book.
            let changes = FileManager.default.fileExists(atPath: global.databasePath)
                ? try global.ledger(.readOnly).priceChanges(importing: input.entries)
                : try PriceBook.defaultBook().changes(importing: input.entries)
            if formats.chosen == .json {
                print(PriceChangeReport.json(changes), terminator: "")
            } else {
                for note in input.notes { print(note) }
                print(PriceChangeReport.text(changes), terminator: "")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the price entries with their dates (USD per 1M tokens).")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this model (names are matched as at import: aliases, prefixes, dated snapshots).", valueName: "model"))
        var model: String?

        @OptionGroup var formats: FormatOptions<PriceListFormat>

        func run() throws {
            let entries = try global.ledger().priceEntries(model: model)
            switch formats.chosen {
            case .yaml: print(PriceBookFile(entries: entries).yamlText(), terminator: "")
            case .json: print(PriceListReport.json(entries), terminator: "")
            case .text: print(PriceListReport.text(entries), terminator: "")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List models with unpriced requests: counts, tokens (the spend at risk), dates and what price is missing.",
            discussion: "Exit status 0 when every stored request is priced, 3 when some are not.")

        @OptionGroup var global: GlobalOptions

        @OptionGroup var formats: FormatOptions<ListFormat>

        func run() throws {
            let unpriced = try global.ledger().unpricedModels()
            print(formats.chosen == .json ? PriceListReport.unpricedJSON(unpriced) : PriceListReport.unpricedText(unpriced), terminator: "")
            if !unpriced.isEmpty { throw ExitCode(3) }
        }
    }
}

struct RepriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprice",
        abstract: "Price stored requests again with the current price book (after `prices import`).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var range: DateRangeOptions

    func run() throws {
        let ledger = try global.ledger()
        let r = try using { try ledger.reprice(period: try range.period(), zone: try range.zone()) }
        print("Repriced \(r.examined) request(s): \(r.changed) changed (\(r.newlyPriced) newly priced, \(r.newlyUnpriced) now unpriced).")
        print("Spend \(r.before.display()) → \(r.after.display()) (\((r.after - r.before).display())).")
    }
}

/// The entries of a price file given to `prices import` or `prices diff`, with notes on what a LiteLLM
/// catalogue left out.
struct PriceFileInput {
    var entries: [PriceEntry]
    var notes: [String] = []

    static func read(_ file: String, effectiveFrom: String?) throws -> PriceFileInput {
        let from = try effectiveFrom.map { s -> CivilDate in
            guard let d = CivilDate(parsing: s) else { throw ValidationError("--effective-from must be a date YYYY-MM-DD") }
            return d
        }
        let kind: PriceFileKind
        do { kind = try PriceFileKind.detect(path: file) } catch {
            throw CLIError(String(describing: ConfigFileError(file: file, line: nil, key: "", message: FileReadProblem.message(file, error: error))))
        }
        if kind == .liteLLM {
            guard let from else {
                throw CLIError("\(file) is LiteLLM's catalogue, which has no dates: pass --effective-from YYYY-MM-DD")
            }
            do {
                let imported = try LiteLLMCatalog.load(path: file, effectiveFrom: from,
                                                       source: "litellm catalogue \((file as NSString).lastPathComponent)")
                var input = PriceFileInput(entries: imported.entries)
                input.notes.append("\(imported.totalModels) catalogue entries, \(imported.entries.count) with token prices, \(imported.skipped.count) skipped.")
                for (reason, n) in imported.skipCounts.sorted(by: { ($0.value, $1.key.description) > ($1.value, $0.key.description) }) {
                    input.notes.append("  skipped \(n): \(reason)")
                }
                if !imported.roundedValues.isEmpty {
                    input.notes.append("\(imported.roundedValues.count) price(s) finer than $0.000001 per 1M tokens were rounded half to even.")
                }
                return input
            } catch {
                throw CLIError(String(describing: error))
            }
        }
        do {
            return PriceFileInput(entries: try PriceBookFile.load(path: file, defaultEffectiveFrom: from).entries)
        } catch {
            throw CLIError(String(describing: error))
        }
    }
}
