import ArgumentParser
import Foundation
import TokenLedger

struct PricesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices",
        abstract: "Manage the dated price book that prices every request.",
        subcommands: [Import.self, List.self, Check.self])
}

extension PricesCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import prices from our price-book format (YAML) or LiteLLM's model_prices_and_context_window.json.",
            discussion: """
            Imported entries override the built-in ones on the same model and date. LiteLLM's file has no \
            dates: --effective-from says from which day its prices hold. Stored requests keep their cost \
            until you run `tokenledger reprice`.
            """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The price file.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("The day from which prices without a date hold (required for LiteLLM's file).", valueName: "YYYY-MM-DD"))
        var effectiveFrom: String?

        func run() throws {
            let from = try effectiveFrom.map { s -> CivilDate in
                guard let d = CivilDate(parsing: s) else { throw ValidationError("--effective-from must be a date YYYY-MM-DD") }
                return d
            }
            let db = try global.open()
            let store = PriceStore(db: db)
            _ = try store.loadBook()
            let entries: [PriceEntry]
            var notes: [String] = []
            if try PriceFileKind.detect(path: file) == .liteLLM {
                guard let from else {
                    throw CLIError("\(file) is LiteLLM's catalogue, which has no dates: pass --effective-from YYYY-MM-DD")
                }
                do {
                    let imported = try LiteLLMCatalog.load(path: file, effectiveFrom: from,
                                                           source: "litellm catalogue \((file as NSString).lastPathComponent)")
                    entries = imported.entries
                    notes.append("\(imported.totalModels) catalogue entries, \(imported.entries.count) with token prices imported, \(imported.skipped.count) skipped.")
                    for (reason, n) in imported.skipCounts.sorted(by: { $0.value > $1.value }) {
                        notes.append("  skipped \(n): \(reason)")
                    }
                    if !imported.roundedValues.isEmpty {
                        notes.append("\(imported.roundedValues.count) price(s) finer than $0.000001 per 1M tokens were rounded half to even.")
                    }
                } catch {
                    throw CLIError(String(describing: error))
                }
            } else {
                do {
                    entries = try PriceBookFile.load(path: file, defaultEffectiveFrom: from).entries
                } catch {
                    throw CLIError(String(describing: error))
                }
            }
            try db.transaction { _ = try store.save(entries, origin: .user) }
            print("Imported \(entries.count) price entr\(entries.count == 1 ? "y" : "ies") from \(file).")
            for n in notes { print(n) }
            print("Stored requests keep their cost until you run `tokenledger reprice`.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the price entries with their dates (USD per 1M tokens).")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this model (names are matched as at import: aliases, prefixes, dated snapshots).", valueName: "model"))
        var model: String?

        @Option(help: "text, json or yaml.")
        var format: String = "text"

        func run() throws {
            let db = try global.open()
            let book = try PriceStore(db: db).loadBook()
            var entries = book.entries
            if let model {
                guard let match = book.match(model) else { throw CLIError("no price entry matches model `\(model)`") }
                entries = book.history(of: match.model)
            }
            switch format {
            case "yaml": print(PriceBookFile(entries: entries).yamlText(), terminator: "")
            case "json": print(PriceListReport.json(entries), terminator: "")
            default: print(PriceListReport.text(entries), terminator: "")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List models with unpriced requests: counts, tokens (the spend at risk) and dates.",
            discussion: "Exit status 0 when every stored request is priced, 3 when some are not.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "text or json.")
        var format: String = "text"

        func run() throws {
            let db = try global.open()
            _ = try PriceStore(db: db).loadBook()
            let unpriced = try UnpricedModels.read(db: db)
            print(format == "json" ? PriceListReport.unpricedJSON(unpriced) : PriceListReport.unpricedText(unpriced), terminator: "")
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
        let db = try global.open()
        let book = try PriceStore(db: db).loadBook()
        let zone = try range.zone()
        let period = try range.period(dataSpan: try RequestScan(db: db).dataSpan())
        let r = try Repricer(db: db, book: book).run(in: period?.interval(in: zone))
        print("Repriced \(r.examined) request(s): \(r.changed) changed (\(r.newlyPriced) newly priced, \(r.newlyUnpriced) now unpriced).")
        print("Spend \(r.before.display()) → \(r.after.display()) (\((r.after - r.before).display())).")
    }
}
