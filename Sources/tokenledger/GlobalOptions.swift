import ArgumentParser
import Foundation
import TokenLedger

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file (default: $TOKENLEDGER_DB, else ./tokenledger.sqlite).", valueName: "path"))
    var db: String?

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["TOKENLEDGER_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "tokenledger.sqlite"
    }

    /// The use cases over the database.
    func ledger(_ mode: Database.Mode = .readWrite) throws -> Ledger { Ledger(db: try open(mode)) }

    /// Opens the database, turning low-level failures into a clear message.
    func open(_ mode: Database.Mode = .readWrite) throws -> Database {
        if mode == .readOnly && !FileManager.default.fileExists(atPath: databasePath) {
            throw CLIError("no database at \(databasePath); run `tokenledger import` first or pass --db")
        }
        do {
            return try Database(path: databasePath, mode: mode)
        } catch let e as DatabaseError where mode == .readWrite && (e.isReadOnly || e.isReadOnlyFolder) {
            throw CLIError("\(e) Commands that only read (summary, report, explain, rejects, export) can still use it.")
        } catch let e as DatabaseError where e.isCorrupt {
            throw CLIError("\(e) It was not changed. Restore it from a backup, or salvage what is readable with `sqlite3 \(databasePath) .recover`.")
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        }
    }
}

/// Runs a use case; a period whose ends are the wrong way round is a usage error (status 64), like a bad
/// option.
func using<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as PeriodRequestError { throw ValidationError(e.description) }
}

/// A message for the user, printed as `Error: …` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Standard error, for progress and diagnostics.
nonisolated(unsafe) var standardError = FileHandle.standardError

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}

/// Reads a `--budget` file, warning on standard error of every route model the price book does not know
/// (with the nearest known name).
func loadBudget(_ path: String, checkingModelsIn db: Database) throws -> Budget {
    let budget: Budget
    do { budget = try BudgetFile.load(path: path) } catch { throw CLIError(String(describing: error)) }
    let book = try PriceStore(db: db).storedBook()
    for line in BudgetCheckReport.warnings(book.unknownModels(in: budget), file: path) { print(line, to: &standardError) }
    return budget
}
