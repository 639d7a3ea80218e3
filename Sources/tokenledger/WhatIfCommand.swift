import ArgumentParser
import Foundation
import TokenLedger

struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Re-price a period's real traffic under another price book or routing table, side by side with the actual bill.",
        discussion: """
        A scenario is one or more of --price-book, --all-on, --route, --budget and --segment. Options given \
        directly form one scenario; --scenario NAME:ARGS (repeatable) and --scenario-file add named ones, \
        compared side by side with the actual period. A price-book swap is exact; a re-route is modelled \
        from the target model's own tokens and rates in the logs (low, base and high estimates). \
        docs/whatif.md describes the method. Default period: the last complete ISO week.
        Exit status: 0; 1 on errors (unreadable files, a target model without a price); 64 on usage errors.
        """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var periodSelection: PeriodSelection

    @Option(help: ArgumentHelp("Time zone for calendar days (IANA name).", valueName: "zone"))
    var tz: String = "UTC"

    @Option(help: ArgumentHelp("Price the period with another price book (our YAML, or LiteLLM's catalogue), e.g. next month's.", valueName: "file"))
    var priceBook: String?

    @Option(help: ArgumentHelp("Send every workflow's generation calls to one model.", valueName: "model"))
    var allOn: String?

    @Option(help: ArgumentHelp("Send one workflow to a model (repeatable).", valueName: "workflow=model"))
    var route: [String] = []

    @Option(help: ArgumentHelp("Route every workflow to the primary and fallbacks of another routing table.", valueName: "file"))
    var budget: String?

    @Option(help: ArgumentHelp("Cap a user segment at a tier (repeatable).", valueName: "segment=tier"))
    var segment: [String] = []

    @Option(help: ArgumentHelp("A named scenario, e.g. 'mini:--all-on gpt-4o-mini' (repeatable).", valueName: "name:args"))
    var scenario: [String] = []

    @Option(help: ArgumentHelp("A YAML file of named scenarios (docs/whatif.md).", valueName: "file"))
    var scenarioFile: String?

    @Option(help: ArgumentHelp("The routing table in force (a budget file): tier map, premium tiers, budgeted rates, fallback chains.", valueName: "file"))
    var baselineBudget: String?

    @OptionGroup var formats: FormatOptions<PageFormat>

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        do { _ = try TimeZone.named(tz) } catch { throw ValidationError(String(describing: error)) }
        let specs = try scenarioSpecs(readingFile: false)
        guard !specs.isEmpty || scenarioFile != nil else {
            throw ValidationError("give a scenario: --price-book, --all-on, --route, --budget or --segment, or --scenario NAME:ARGS, or --scenario-file")
        }
    }

    /// The scenarios asked for: the direct options first, then --scenario, then the file's.
    func scenarioSpecs(readingFile: Bool) throws -> [(spec: WhatIfScenarioSpec, directory: String?)] {
        var out: [(WhatIfScenarioSpec, String?)] = []
        do {
            var direct: [String] = []
            if let priceBook { direct += ["--price-book", priceBook] }
            if let budget { direct += ["--budget", budget] }
            if let allOn { direct += ["--all-on", allOn] }
            for r in route { direct += ["--route", r] }
            for s in segment { direct += ["--segment", s] }
            if !direct.isEmpty {
                let routes = try route.map { try WhatIfAssignment(parsing: $0, option: "--route") }
                let segments = try segment.map { try WhatIfAssignment(parsing: $0, option: "--segment") }
                let name = WhatIfScenarioSpec.defaultName(priceBook: priceBook, allOn: allOn, routes: routes, budget: budget, segments: segments)
                out.append((try WhatIfScenarioSpec(name: name, arguments: direct), nil))
            }
            for d in scenario { out.append((try WhatIfScenarioSpec(definition: d), nil)) }
        } catch let e as WhatIfScenarioError {
            throw ValidationError(e.message)
        }
        if readingFile, let scenarioFile {
            do {
                for s in try WhatIfScenarioFile.load(path: scenarioFile) { out.append((s, WhatIfScenarioFile.directory(of: scenarioFile))) }
            } catch {
                throw CLIError(String(describing: error))
            }
        }
        var names = Set<String>()
        for (s, _) in out where !names.insert(s.name).inserted {
            throw ValidationError("two scenarios are named `\(s.name)`; give each its own name")
        }
        return out
    }

    func run() throws {
        let zone = try TimeZone.named(tz)
        let specs = try scenarioSpecs(readingFile: true)
        var scenarios: [WhatIfScenario] = []
        for (spec, directory) in specs {
            do { scenarios.append(try spec.load(relativeTo: directory)) } catch { throw CLIError(String(describing: error)) }
        }
        let ledger = try global.ledger(.readOnly)
        let baseline = try baselineBudget.map { try loadBudget($0, checkingModelsIn: ledger.db) }
        let result = try using {
            try ledger.whatIf(WhatIfRequest(period: try periodSelection.request, zone: zone, zoneName: tz, scenarios: scenarios,
                                            baseline: baseline))
        }
        switch formats.chosen {
        case .json: try emit(WhatIfReportJSON.render(result), to: output)
        case .markdown: try emit(WhatIfReportMarkdown.render(result), to: output)
        case .html: try emit(WhatIfReportHTML.render(result), to: output)
        case .text: try emit(WhatIfReportText.render(result), to: output)
        }
    }
}
