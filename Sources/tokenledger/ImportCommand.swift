import ArgumentParser
import Foundation
import TokenLedger

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import routing logs, OpenTelemetry traces, LiteLLM spend logs, Claude Code, Codex and Gemini CLI sessions, batch results, Langfuse exports, Cloudflare AI Gateway logs and provider usage or cost exports.",
        discussion: """
        Formats are detected from each file's content; --format forces one. Re-importing is safe: an \
        unchanged file is skipped, a grown file resumes where it stopped, and a request already stored is \
        never counted twice. Rows that cannot be imported are kept in the rejects table (see `rejects`).
        Exit status: 0 when every named input was read (rejected rows are reported, not fatal); 1 when an \
        input could not be read, its format was not recognised, or it had rows and every one was rejected \
        (after importing everything else). The header of a CSV file is not a row. Ctrl-C stops the import \
        after committing the current batch, says how far it got and exits 130; running the same import \
        again resumes there (a second Ctrl-C stops at once, which is safe too).
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Files, directories (searched recursively) or - for standard input. With --format claude-code and no path: Claude Code's own folders ($CLAUDE_CONFIG_DIR, else ~/.config/claude/projects and ~/.claude/projects); with --format codex and no path: Codex's ($CODEX_HOME, else ~/.codex: sessions and archived_sessions).", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Input format (auto: detected from each file's content).", valueName: "name"))
    var format = InputFormat.auto

    @Option(help: ArgumentHelp("Which source attributes fill routing fields, e.g. workflow=gen_ai.agent.name,team=team.name.", valueName: "pairs"))
    var map: String?

    @Option(name: .customLong("currency-rate"), help: ArgumentHelp("US dollars per unit of another currency for cost exports billed in it, e.g. EUR=1.0825,GBP=1.27 (without one, such lines are refused).", valueName: "pairs"))
    var currencyRate: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(name: .long, help: "Do not show a progress bar.")
    var quiet = false

    func validate() throws {
        if paths.isEmpty && format.name != ClaudeCodeImporter.formatName && format.name != CodexImporter.formatName {
            throw ValidationError("give the files or directories to import (or - for standard input); only --format \(ClaudeCodeImporter.formatName) and --format \(CodexImporter.formatName) have default locations")
        }
    }

    /// The inputs: as given, or Claude Code's or Codex's folders when none are given.
    func inputs() throws -> [String] {
        guard paths.isEmpty else { return paths }
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? NSHomeDirectory()
        if format.name == CodexImporter.formatName {
            let found = CodexImporter.defaultDirectories(environment: environment, home: home)
            guard !found.isEmpty else {
                let searched = CodexImporter.candidateDirectories(environment: environment, home: home)
                throw CLIError("no Codex sessions in \(searched.joined(separator: ", ")); set CODEX_HOME or give paths")
            }
            return found
        }
        let found = ClaudeCodeImporter.defaultDirectories(environment: environment, home: home)
        guard !found.isEmpty else {
            let searched = ClaudeCodeImporter.candidateDirectories(environment: environment, home: home)
            throw CLIError("no Claude Code data in \(searched.joined(separator: ", ")); set CLAUDE_CONFIG_DIR or give paths")
        }
        return found
    }

    func run() throws {
        let inputs = try inputs()
        let ledger = try global.ledger()
        var options = ImportOptions(format: format.name)
        if let map {
            do { options.settings = try ImporterSettings(parsingMap: map) } catch { throw ValidationError(String(describing: error)) }
        }
        options.settings.home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        if let currencyRate {
            do { options.settings.currencyRates = try ImporterSettings.parseCurrencyRates(currencyRate) } catch {
                throw ValidationError(String(describing: error))
            }
        }
        let progress = ProgressLine(enabled: !quiet && Terminal.isInteractive(fd: 2))
        let started = Date()
        var interrupts: [any DispatchSourceSignal] = []
        defer { interrupts.forEach { $0.cancel() } }
        var importing: Importer?
        let summary: ImportSummary
        do {
            summary = try ledger.importFiles(inputs, options: options) { importer in
                importing = importer
                importer.onProgress = { progress.update($0) }
                interrupts = Self.stopOnInterrupt(importer.stop)
            }
        } catch let e as DatabaseError {
            progress.finish()
            let input = importing?.currentInput.map { " while importing \($0 == "-" ? "standard input" : $0)" } ?? ""
            throw CLIError("\(e)\nThe import stopped\(input). What it committed before is kept and consistent; once the problem is solved, run the same import again: it resumes where it stopped.")
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        if json {
            print(ImportSummaryReport.json(summary, seconds: seconds))
        } else {
            print(ImportSummaryReport.text(summary, seconds: seconds), terminator: "")
        }
        if summary.interrupted { throw ExitCode(130) }
        if !summary.allInputsRead { throw ExitCode(1) }
    }

    /// On the first Ctrl-C (or SIGTERM), asks the import to stop after its next commit; the signal's
    /// default comes back, so a second one ends the process at once.
    static func stopOnInterrupt(_ stop: ImportStop) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stop.request()
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                FileHandle.standardError.write(Data("\nStopping after the current batch is committed (press Ctrl-C again to stop at once; what is committed is kept).\n".utf8))
            }
            source.resume()
            return source
        }
    }
}
