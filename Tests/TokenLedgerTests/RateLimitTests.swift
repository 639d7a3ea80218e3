import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// The per-user rate limit: which minutes break it, and the user-day bound that decides which days'
/// calls are read to find them.
@Suite struct RateLimitTests {
    static let limit = 20
    static let utc = TimeZone(identifier: "UTC")!

    /// `n` calls of `user`, the first at `start` and then one every `step` seconds.
    static func calls(_ user: String, _ n: Int, from start: String, everySeconds step: Int) -> [String] {
        let base = Timestamp.parse(iso: start)!.milliseconds
        return (0..<n).map { i in
            let at = Timestamp(milliseconds: base + Int64(i * step) * 1000).iso8601
            return LogLine.call("\(user)-\(start)-\(i)", at: at, #","user_id":"\#(user)""#)
        }
    }

    /// - `burst`: 25 calls in one minute (over the limit of 20);
    /// - `steady`: 30 calls a day, one a minute (over the limit per day, never per minute);
    /// - `shuffled`: 22 calls in one minute and one in the next, written latest first (out of order
    ///   across minutes; within one minute the order does not matter).
    /// Imported five lines per transaction, so that each user-day's calls fall in several.
    static func ledger(_ scratch: Scratch) throws -> TestLedger {
        let lines = calls("steady", 30, from: "2026-10-05T09:00:00Z", everySeconds: 60)
            + calls("burst", 25, from: "2026-10-05T10:00:00Z", everySeconds: 2)
            + calls("steady", 30, from: "2026-10-06T09:00:00Z", everySeconds: 60)
            + calls("shuffled", 23, from: "2026-10-07T11:00:16Z", everySeconds: 2).reversed()
        let path = try scratch.write("log.jsonl", LogLine.file(lines))
        let ledger = try scratch.ledger()
        var options = ImportOptions()
        options.linesPerBatch = 5
        options.rowsPerTransaction = 5
        let summary = try ledger.importPaths([path], options: options)
        #expect(summary.rowsImported == 108)
        return ledger
    }

    static func userID(_ ledger: TestLedger, _ name: String) throws -> Int64 {
        try ledger.int("SELECT id FROM users WHERE name = '\(name)'")
    }

    static func day(_ iso: String) -> Int64 { Timestamp.parse(iso: iso)!.milliseconds / 86_400_000 }

    /// Each stored user-day: its bound, and its busiest minute counted from the calls.
    static func peaks(_ ledger: TestLedger) throws -> [(user: String, day: Int64, bound: Int64?, actual: Int64)] {
        try ledger.rows("""
            SELECT u.name, d.day, d.minute_peak,
                   (SELECT max(n) FROM (SELECT count(*) AS n FROM requests r
                                        WHERE r.user_id = d.user_id AND (r.id >> 20) / 86400000 = d.day
                                        GROUP BY (r.id >> 20) / 60000))
            FROM user_daily d JOIN users u ON u.id = d.user_id ORDER BY u.name, d.day
            """).map { row in
            guard case .text(let user) = row[0], case .integer(let day) = row[1], case .integer(let actual) = row[3] else {
                Issue.record("unexpected row \(row)")
                return ("?", 0, nil, 0)
            }
            if case .integer(let bound) = row[2] { return (user, day, bound, actual) }
            return (user, day, nil, actual)
        }
    }

    @Test func thePeakIsExactForCallsInOrderAnUpperBoundForInterleavedFilesAndUnknownOutOfOrder() throws {
        let scratch = try Scratch()
        let ledger = try Self.ledger(scratch)
        var peaks = try Self.peaks(ledger)
        #expect(peaks.map(\.user) == ["burst", "shuffled", "steady", "steady"])
        #expect(peaks.map(\.actual) == [25, 22, 1, 1])
        // burst's minute came in five transactions, steady's days in several: added up exactly.
        #expect(peaks.map(\.bound) == [25, nil, 1, 1])

        // A second file: one more call in burst's minute (meets it: exact), and six calls among steady's
        // minutes of 2026-10-06 (interleaved: the sum of the peaks, not below the true one).
        let late = try scratch.write("late.jsonl", LogLine.file(
            Self.calls("burst", 1, from: "2026-10-05T10:00:59Z", everySeconds: 1)
                + Self.calls("steady", 6, from: "2026-10-06T09:05:30Z", everySeconds: 60)))
        #expect(try ledger.importPaths([late]).rowsImported == 7)
        peaks = try Self.peaks(ledger)
        #expect(peaks.map(\.actual) == [26, 22, 1, 2])
        #expect(peaks.map(\.bound) == [26, nil, 1, 2])
        for p in peaks {
            if let bound = p.bound { #expect(bound >= p.actual, "\(p.user) \(p.day)") }
        }

        // A rebuild counts every cell from its calls, in time order: the exact peaks.
        try RollupStore(db: ledger.db).rebuild()
        #expect(try Self.peaks(ledger).map(\.bound) == [26, 22, 1, 2])
    }

    @Test func onlyTheDaysWhereAUserMayBeOverTheLimitAreRead() throws {
        let ledger = try Self.ledger(Scratch())
        let loader = AuditLoader(db: ledger.db)
        let week = Period(first: CivilDate(year: 2026, month: 10, day: 5), last: CivilDate(year: 2026, month: 10, day: 11))
        let interval = week.interval(in: Self.utc)
        let burst = try Self.userID(ledger, "burst")
        let shuffled = try Self.userID(ledger, "shuffled")

        // steady's days are over 20 calls but never over 20 in a minute; shuffled's bound is unknown.
        let candidates = try loader.rateLimitCandidates(limit: Self.limit, interval: interval)
        #expect(candidates == [Self.day("2026-10-05"): [burst], Self.day("2026-10-07"): [shuffled]])

        let breaches = try loader.rateLimitBreaches(limit: Self.limit, interval: interval)
        #expect(breaches.map(\.user) == [burst, shuffled])
        #expect(breaches.map(\.calls) == [25, 22])
        #expect(breaches.map(\.minute.iso8601) == ["2026-10-05T10:00:00.000Z", "2026-10-07T11:00:00.000Z"])

        // The audit's flag names the users and the busiest minute.
        let budget = try BudgetFile.parse(text: "limits:\n  per_user_per_minute: \(Self.limit)\n", path: "budget.yaml")
        let result = try Ledger(db: loader.db).audit(AuditRequest(period: .exactly(week), zone: Self.utc, zoneName: "UTC", budget: budget))
        let flag = try #require(result.flags.first { $0.rule == .userRateLimit })
        guard case let .userRateLimit(limit, users, peaks) = flag.figures else { Issue.record("\(flag.figures)"); return }
        #expect(limit == Self.limit && users == 2)
        #expect(peaks.map(\.user) == ["burst", "shuffled"] && peaks.map(\.calls) == [25, 22])
        #expect(flag.figures.summary.observed == .count(25))
        let words = AuditFlagWording(flag)
        #expect(words.actual == "2 user(s), peak 25 in one minute")
        #expect(words.evidence.hasPrefix("burst 2026-10-05T10:00Z: 25, shuffled 2026-10-07T11:00Z: 22"))
    }

    @Test func aLimitNoUserReachesReadsNoDay() throws {
        let ledger = try Self.ledger(Scratch())
        let loader = AuditLoader(db: ledger.db)
        let interval = Period(first: CivilDate(year: 2026, month: 10, day: 1), last: CivilDate(year: 2026, month: 10, day: 31))
            .interval(in: Self.utc)
        #expect(try loader.rateLimitCandidates(limit: 25, interval: interval).isEmpty)
        #expect(try loader.rateLimitBreaches(limit: 25, interval: interval).isEmpty)
        #expect(try loader.rateLimitBreaches(limit: 24, interval: interval).map(\.calls) == [25])
    }
}
