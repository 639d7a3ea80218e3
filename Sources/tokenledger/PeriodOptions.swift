import ArgumentParser
import Foundation
import TokenLedger

/// A day as `--from`, `--since`, `--to` and `--until` take it: `YYYY-MM-DD`, or `YYYYMMDD` as ccusage writes it.
func parseDay(_ text: String) -> CivilDate? {
    if text.count == 8, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
        let digits = Array(text)
        return CivilDate(parsing: String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8]))
    }
    return CivilDate(parsing: text)
}

/// `--from/--to` (inclusive calendar days) and `--tz`, for commands that read a span of time.
struct DateRangeOptions: ParsableArguments {
    @Option(name: [.customLong("from"), .customLong("since")], help: ArgumentHelp("First day (inclusive), YYYY-MM-DD or YYYYMMDD.", valueName: "day"))
    var from: String?

    @Option(name: [.customLong("to"), .customLong("until")], help: ArgumentHelp("Last day (inclusive), YYYY-MM-DD or YYYYMMDD.", valueName: "day"))
    var to: String?

    @Option(help: ArgumentHelp("Time zone for calendar days (IANA name).", valueName: "zone"))
    var tz: String = "UTC"

    func validate() throws {
        _ = try zone()
        _ = try period()
    }

    func zone() throws -> TimeZone {
        do { return try TimeZone.named(tz) } catch { throw ValidationError(String(describing: error)) }
    }

    /// The days asked for: the default (all data) without --from and --to. A lone --from runs to the end
    /// of the data, a lone --to from its start.
    func period() throws -> PeriodRequest {
        func day(_ s: String, _ flag: String) throws -> CivilDate {
            guard let d = parseDay(s) else { throw ValidationError("\(flag) must be a date YYYY-MM-DD or YYYYMMDD, got `\(s)`") }
            return d
        }
        let first = try from.map { try day($0, "--from") }, last = try to.map { try day($0, "--to") }
        if let first, let last, first > last { throw ValidationError("--from \(first) is after --to \(last)") }
        return .days(first: first, last: last)
    }
}

/// `--week`, `--month` or `--from/--to`: the period a command reads (at most one form).
struct PeriodSelection: ParsableArguments {
    @Option(help: ArgumentHelp("An ISO week.", valueName: "YYYY-Www"))
    var week: String?

    @Option(help: ArgumentHelp("A calendar month.", valueName: "YYYY-MM"))
    var month: String?

    @Option(name: [.customLong("from"), .customLong("since")], help: ArgumentHelp("First day (inclusive), YYYY-MM-DD or YYYYMMDD.", valueName: "day"))
    var from: String?

    @Option(name: [.customLong("to"), .customLong("until")], help: ArgumentHelp("Last day (inclusive), YYYY-MM-DD or YYYYMMDD.", valueName: "day"))
    var to: String?

    func validate() throws {
        let chosen = [week != nil, month != nil, from != nil || to != nil].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("give one of --week, --month, or --from/--to") }
        if let week { do { _ = try Period(parsingWeek: week) } catch { throw ValidationError("--week: \(error)") } }
        if let month { guard Period.month(month) != nil else { throw ValidationError("--month must be YYYY-MM, got `\(month)`") } }
        for (flag, value) in [("--from", from), ("--to", to)] {
            if let value, parseDay(value) == nil { throw ValidationError("\(flag) must be a date YYYY-MM-DD or YYYYMMDD, got `\(value)`") }
        }
    }

    /// Whether any of the options was given.
    var isChosen: Bool { week != nil || month != nil || from != nil || to != nil }

    /// The period chosen; what the options leave open (all of it, or one end of --from/--to) is the use
    /// case's default.
    var request: PeriodRequest {
        get throws {
            if let week { return .exactly(try Period(parsingWeek: week)) }
            if let month, let p = Period.month(month) { return .exactly(p) }
            return .days(first: from.flatMap(parseDay), last: to.flatMap(parseDay))
        }
    }
}

/// Writes a rendered document to a file, or to standard output.
func emit(_ text: String, to path: String?) throws {
    if let path, path != "-" {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
