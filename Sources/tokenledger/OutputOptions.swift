import ArgumentParser
import Foundation
import TokenLedger

/// The output formats of one command: exactly those it renders, so that `--format` refuses any other
/// and `--help` lists these.
protocol OutputFormatChoice: RawRepresentable<String>, ExpressibleByArgument, CaseIterable, Equatable, Sendable {
    static var text: Self { get }
    static var json: Self { get }
    /// What `--help` says of the formats beyond their names (empty: nothing).
    static var help: String { get }
}

/// `summary`: a table, JSON or CSV.
enum SummaryFormat: String, OutputFormatChoice {
    case text, json, csv
    static var help: String { "csv has a row per group of the last --by dimension" }
}

/// `report`: every format, CSV one table at a time.
enum ReportFormat: String, OutputFormatChoice {
    case text, markdown, json, html, csv
    static var help: String { "html is one self-contained page with charts, csv one table (see --table)" }
}

/// `explain`: every format, CSV the drivers.
enum ExplainFormat: String, OutputFormatChoice {
    case text, markdown, json, html, csv
    static var help: String { "csv holds the drivers" }
}

/// `whatif` and `reconcile`: documents, no CSV.
enum PageFormat: String, OutputFormatChoice {
    case text, markdown, json, html
    static var help: String { "html is one self-contained page with charts" }
}

/// Lists: `rejects`, `prices diff`, `prices check`.
enum ListFormat: String, OutputFormatChoice {
    case text, json
    static var help: String { "" }
}

/// `prices list`: also the price-book YAML that `prices import` reads back.
enum PriceListFormat: String, OutputFormatChoice {
    case text, json, yaml
    static var help: String { "yaml is the price-book format `prices import` reads" }
}

/// `--format` and its alias `--json`.
struct FormatOptions<Format: OutputFormatChoice>: ParsableArguments {
    @Option(help: ArgumentHelp("Output format\(Format.help.isEmpty ? "" : " (\(Format.help))"); default: text.", valueName: "format"))
    var format: Format?

    @Flag(help: "The same as --format json.")
    var json = false

    func validate() throws {
        if json, let format, format != .json {
            throw ValidationError("--json and --format \(format.rawValue) ask for two formats; give one")
        }
    }

    /// The format asked for.
    var chosen: Format { json ? .json : format ?? .text }
}

/// `--fail-on`: the least severity of flag that makes `report` exit with status 2.
enum FailOnSeverity: String, ExpressibleByArgument, CaseIterable {
    case warning, critical

    var severity: AuditFlag.Severity {
        switch self {
        case .warning: .warning
        case .critical: .critical
        }
    }
}

extension AuditReportCSV.Table: ExpressibleByArgument {}
extension BillChangeDimension: ExpressibleByArgument {}

/// `summary --by`: one dimension, or several separated by commas for a breakdown (`day,model`).
struct SummaryDimensions: ExpressibleByArgument {
    var dimensions: [SummaryDimension]

    init(_ dimensions: [SummaryDimension]) { self.dimensions = dimensions }

    init?(argument: String) {
        guard let list = SummaryDimension.list(parsing: argument) else { return nil }
        dimensions = list
    }

    var defaultValueDescription: String { dimensions.map(\.name).joined(separator: ",") }

    static var allValueStrings: [String] { SummaryDimension.named.map(\.name) + ["tag:NAME"] }
}

/// `import --format`: `auto`, or the name of a format TokenLedger reads.
struct InputFormat: ExpressibleByArgument {
    /// nil: detected.
    var name: String?

    static let auto = InputFormat(name: nil)

    init(name: String?) { self.name = name }

    init?(argument: String) {
        if argument == "auto" { name = nil; return }
        guard ImportFormats.named(argument) != nil else { return nil }
        name = argument
    }

    var defaultValueDescription: String { name ?? "auto" }

    static var allValueStrings: [String] { ["auto"] + ImportFormats.all.map { $0.formatName } }
}
