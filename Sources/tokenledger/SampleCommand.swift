import ArgumentParser
import Foundation
import TokenLedger

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write realistic sample routing logs (deterministic for a seed), to try TokenLedger or benchmark it.",
        discussion: "docs/sample-data.md describes the traffic: workflows, models, fallbacks, retries and the drift scenario.")

    @Option(help: "Random seed; the same options always give the same bytes.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("First day (UTC).", valueName: "YYYY-MM-DD"))
    var start: String = "2026-10-05"

    @Option(help: "Number of days.")
    var days: Int = 28

    @Option(help: "Approximate number of calls (log lines).")
    var calls: Int = 100_000

    @Option(help: "steady, or drift (in the second half: more fallbacks, longer prompts, a new premium workflow).")
    var scenario: String = "steady"

    @Option(help: "Share of exact duplicate lines to add (0–1), to exercise deduplication.")
    var duplicateShare: Double = 0

    @Option(help: "Share of broken lines (0–1), to exercise the rejects table.")
    var malformedShare: Double = 0

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file, or - for standard output.", valueName: "file"))
    var output: String = "-"

    func validate() throws {
        guard CivilDate(parsing: start) != nil else { throw ValidationError("--start must be a date YYYY-MM-DD, got \(start)") }
        guard SampleTraffic.Scenario(name: scenario) != nil else { throw ValidationError("--scenario must be steady or drift") }
        guard days > 0, days <= 3660 else { throw ValidationError("--days must be between 1 and 3660") }
        guard calls > 0 else { throw ValidationError("--calls must be positive") }
        guard (0...1).contains(duplicateShare), (0...1).contains(malformedShare) else {
            throw ValidationError("shares must be between 0 and 1")
        }
    }

    func run() throws {
        let traffic = SampleTraffic(.init(seed: seed, start: CivilDate(parsing: start)!, days: days, targetCalls: calls,
                                          scenario: SampleTraffic.Scenario(name: scenario)!,
                                          duplicateShare: duplicateShare, malformedShare: malformedShare))
        let summary = output == "-" ? try traffic.write(toFileDescriptor: 1) : try traffic.write(toFile: output)
        if output != "-" {
            var defects = ""
            if summary.duplicateLines > 0 || summary.malformedLines > 0 {
                defects = "; \(summary.duplicateLines) duplicate lines, \(summary.malformedLines) broken lines"
            }
            print("Wrote \(summary.lines) lines (\(summary.calls) calls in \(summary.actions) actions\(defects)) to \(output).",
                  to: &standardError)
        }
    }
}
