import ArgumentParser
import Foundation
import TokenLedger

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The audit: cost per completed action, fallback and retry rates, tier spend, drift against a budget.",
        discussion: """
        Default period: the last complete ISO week in the data, compared with the week before. Without \
        --budget the report shows every metric and the checks that need no budget (anomalies, unpriced \
        models, fallbacks without a reason).
        Exit status: 0; with --fail-on, 2 when a flag of that severity or higher fired; 1 on errors.
        """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var periodSelection: PeriodSelection

    @Option(help: ArgumentHelp("Time zone for calendar days (IANA name).", valueName: "zone"))
    var tz: String = "UTC"

    @Option(help: ArgumentHelp("The budgeted routing table (YAML, see docs/budget.md).", valueName: "file"))
    var budget: String?

    @OptionGroup var formats: FormatOptions<ReportFormat>

    @Option(help: ArgumentHelp("The table --format csv writes.", valueName: "name"))
    var table: AuditReportCSV.Table = .workflows

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Exit with status 2 when a flag of this severity or higher fired.", valueName: "severity"))
    var failOn: FailOnSeverity?

    func validate() throws {
        do { _ = try TimeZone.named(tz) } catch { throw ValidationError(String(describing: error)) }
    }

    func run() throws {
        let zone = try TimeZone.named(tz)
        let ledger = try global.ledger(.readOnly)
        let budgetFile = try budget.map { try loadBudget($0, checkingModelsIn: ledger.db) }
        let result = try using {
            try ledger.audit(AuditRequest(period: try periodSelection.request, zone: zone, zoneName: tz, budget: budgetFile))
        }
        let name = budget.map { ($0 as NSString).lastPathComponent }
        switch formats.chosen {
        case .json: try emit(AuditReportJSON.render(result, budgetName: name), to: output)
        case .markdown: try emit(AuditReportMarkdown.render(result, budgetName: name), to: output)
        case .html: try emit(AuditReportHTML.render(result, budgetName: name), to: output)
        case .csv: try emit(AuditReportCSV.render(result, table: table), to: output)
        case .text: try emit(AuditReportText.render(result, budgetName: name, color: output == nil && Terminal.colorEnabled()), to: output)
        }
        if let threshold = failOn?.severity, result.flags.contains(where: { $0.severity >= threshold }) {
            throw ExitCode(2)
        }
    }
}
