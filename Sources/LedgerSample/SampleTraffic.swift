#if canImport(Glibc)
import LedgerValues
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Sample traffic: a deterministic, realistic gateway routing log for the demo, benchmarks and tests.
//
// What it looks like (docs/sample-data.md has the same in prose, with the rates):
// - Workflows. `faq` (gpt-4o-mini, falling back to gpt-4o on low confidence or for enterprise users),
//   `summarize` (claude-haiku-4-5; prompts over 24k tokens go straight to claude-sonnet-4-5 as a
//   `long_context` fallback), `code_review` (claude-sonnet-4-5 or gpt-5 with reasoning tokens, escalating to
//   claude-opus-4-5 on `complexity`), `extract` (gemini-2.5-flash, batch jobs at night and at weekends,
//   escalating to gemini-2.5-pro), `agent` (claude-sonnet-4-5, 2–12 turns over a cached 14k-token prefix
//   with 5-minute and 1-hour cache writes). A `classifier` call (gpt-4o-mini, gpt-5-nano, or the unpriced
//   `my-finetune-v2`) precedes many actions; a `validation` call on gpt-4.1-mini follows some answers.
// - Failures. Per call: rate limits 0.5–1 % by provider, timeouts 0.3 % (0.6 % on premium models),
//   errors 0.4 % (0.8 % on Anthropic), invalid output 0.5–3 % by workflow. Invalid output is retried on the
//   same model (twice), then falls back; a rate limit is retried once half the time, else falls back; a
//   timeout falls back, fails the action (25 %) or loses the user (20 %); an error falls back or, for
//   40 % (a refused request), fails the action. Actions end `completed`, `failed` or `abandoned`.
// - Who. Five teams own eleven projects reached through eighteen API keys, a few of them rare (a legacy
//   client that logs no action or workflow, a personal key). 5,000 users, free 60 % / pro 30 % /
//   enterprise 10 %, with skewed activity; premium workflows admit pro and enterprise users, but 4 % of
//   their actions come from free users anyway. Batch and half of the extraction jobs have no user.
// - Names. Some keys pin dated snapshots (`claude-sonnet-4-5-20250929`, `gpt-4.1-mini-2025-04-14`), some
//   go through a proxy that writes `gemini/gemini-2.5-flash`; `my-finetune-v2` has no price.
// - Time. Working-hours (UTC) diurnal curve, weekends at about a third of a weekday, calls of an action
//   seconds apart (batch jobs minutes), log-normal token counts and latencies by workflow and model.
// - Scenario `.drift`: in the second half, faq's low-confidence fallbacks to gpt-4o rise from 7 % to 28 %,
//   summarize prompts grow from a 6k to a 13k median (so more long-context fallbacks), the `agent`
//   workflow appears, and helpdesk-bot moves 40 % of its traffic to OpenAI's `priority` service tier.
//
// Determinism: every draw comes from SampleRandom (xoshiro256**, IEEE basic operations only); actions and
// hours draw from their own streams; numbers are written from integers. The same configuration gives
// the same bytes on every machine.

/// A deterministic generator of gateway routing logs (JSON Lines, one call per line) with realistic
/// workflows, routing, retries, fallbacks, caching and daily rhythm.
///
///     let sample = SampleTraffic(.init(seed: 7, days: 14, targetCalls: 50_000, scenario: .drift))
///     let summary = try sample.write(toFile: "calls.jsonl")
///     summary.lines   // ≈ 50,000
///
/// Lines come out in timestamp order (ties in generation order); only the duplicate lines asked for by
/// ``Configuration/duplicateShare`` repeat an earlier line a few lines later. Memory stays constant:
/// lines go through one fixed buffer, and only calls of actions still running are held.
public struct SampleTraffic: Sendable {
    /// How the traffic changes over the timeline.
    public enum Scenario: Int, Sendable, CaseIterable {
        /// The same mix and rates from start to end.
        case steady = 1
        /// From the midpoint on: more faq fallbacks, longer summarize prompts, a new `agent` workflow (absent
        /// in the first half), and a share of faq traffic on the pricier `priority` service tier.
        case drift = 2

        /// The name used on command lines and in reports: `steady`, `drift`.
        public var name: String {
            switch self {
            case .steady: "steady"
            case .drift: "drift"
            }
        }

        /// The scenario called `name`, or nil.
        public init?(name: String) {
            guard let s = Scenario.allCases.first(where: { $0.name == name }) else { return nil }
            self = s
        }
    }

    /// What to generate.
    public struct Configuration: Sendable, Equatable {
        /// The seed of every random draw; the same configuration always gives the same bytes.
        public var seed: UInt64
        /// The first UTC day.
        public var start: CivilDate
        /// The number of UTC days; timestamps fall in `[start, start + days)`. At least 1.
        public var days: Int
        /// The approximate number of calls to write (duplicate lines not included). Each hour gets its
        /// share of the calls still to come, so the total lands within a few calls of it (the last
        /// actions may overshoot by their size).
        public var targetCalls: Int
        /// How the traffic changes over the timeline.
        public var scenario: Scenario
        /// Share of calls whose line is written a second time, a few lines later (0 ... 0.5).
        public var duplicateShare: Double
        /// Share of calls written as a broken line instead: a missing required field, negative tokens,
        /// cached tokens above input, or invalid JSON (0 ... 0.5).
        public var malformedShare: Double

        /// A configuration; the defaults give four weeks of steady traffic from Monday 2026-10-05,
        /// 100,000 calls, no broken or duplicate lines.
        public init(seed: UInt64 = 42, start: CivilDate = CivilDate(year: 2026, month: 10, day: 5), days: Int = 28,
                    targetCalls: Int = 100_000, scenario: Scenario = .steady, duplicateShare: Double = 0,
                    malformedShare: Double = 0) {
            self.seed = seed
            self.start = start
            self.days = days
            self.targetCalls = targetCalls
            self.scenario = scenario
            self.duplicateShare = duplicateShare
            self.malformedShare = malformedShare
        }

        /// The first instant after the timeline.
        public var end: Timestamp { Timestamp(milliseconds: Int64(start.daysSinceEpoch + days) * 86_400_000) }

        /// The midpoint, where a `.drift` scenario changes; nil for `.steady`.
        public var driftStart: Timestamp? {
            guard scenario == .drift else { return nil }
            return Timestamp(milliseconds: Int64(start.daysSinceEpoch) * 86_400_000 + Int64(days) * 43_200_000)
        }
    }

    /// Counts of what one run wrote.
    public struct Summary: Sendable, Equatable {
        /// Lines written, duplicates and broken lines included.
        public var lines = 0
        /// Calls written (one line each, broken or not).
        public var calls = 0
        /// Actions started in the timeline (their calls are ``calls``).
        public var actions = 0
        /// Lines that repeat an earlier line byte for byte.
        public var duplicateLines = 0
        /// Calls written as a broken line.
        public var malformedLines = 0
        /// Bytes passed to the sink.
        public var bytes = 0
    }

    /// The configuration, with values out of range clamped: `days` to 1 ... 100,000, `targetCalls` to
    /// 0 ... 10⁹, the shares to 0 ... 0.5, and `start` to 1970-01-01 ... 9000-01-01.
    public let configuration: Configuration

    /// The size of the write buffer (1 MiB): the sink gets chunks of about this size.
    public static let bufferSize = 1 << 20

    public init(_ configuration: Configuration) {
        var c = configuration
        c.days = min(max(c.days, 1), 100_000)
        c.targetCalls = min(max(c.targetCalls, 0), 1_000_000_000)
        c.duplicateShare = c.duplicateShare.isNaN ? 0 : min(max(c.duplicateShare, 0), 0.5)
        c.malformedShare = c.malformedShare.isNaN ? 0 : min(max(c.malformedShare, 0), 0.5)
        // Normalises an impossible date (month 13) the way day arithmetic reads it, then clamps.
        let lastStart = CivilDate(year: 9000, month: 1, day: 1).daysSinceEpoch
        c.start = CivilDate(daysSinceEpoch: min(max(c.start.daysSinceEpoch, 0), lastStart))
        self.configuration = c
    }

    /// Generates the traffic and passes it to `sink` in chunks of about ``bufferSize`` bytes, each ending
    /// at a line end. The bytes are valid only during the call.
    ///
    /// - Complexity: O(calls) time; memory independent of the number of calls.
    @discardableResult
    public func write(to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Summary {
        var engine = SampleTrafficEngine(configuration)
        return try engine.run(sink)
    }

    /// Writes the traffic to `path`, replacing the file.
    ///
    /// - Throws: ``SampleTrafficError`` when the file cannot be opened or written.
    @discardableResult
    public func write(toFile path: String) throws -> Summary {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SampleTrafficError.cannotOpen(path: path, errno: errno) }
        do {
            let summary = try write(toFileDescriptor: fd, path: path)
            guard close(fd) == 0 else { throw SampleTrafficError.writeFailed(path: path, errno: errno) }
            return summary
        } catch {
            _ = close(fd)
            throw error
        }
    }

    /// Writes the traffic to an open file descriptor (standard output, a pipe), which stays open.
    ///
    /// - Parameters:
    ///   - fd: a descriptor open for writing.
    ///   - path: how errors name the destination.
    /// - Throws: ``SampleTrafficError/writeFailed(path:errno:)``.
    @discardableResult
    public func write(toFileDescriptor fd: Int32, path: String = "<stdout>") throws -> Summary {
        try write { chunk in
            var offset = 0
            while offset < chunk.count {
                guard let base = chunk.baseAddress else { return }
                let n = systemWrite(fd, base + offset, chunk.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SampleTrafficError.writeFailed(path: path, errno: errno)
                }
                offset += n
            }
        }
    }

    /// The whole output in memory; for tests and small samples.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        write { out.append(contentsOf: $0) }
        return out
    }
}

/// Why sample traffic could not be written.
public enum SampleTrafficError: Error, Equatable, CustomStringConvertible {
    /// `open(2)` failed with `errno`.
    case cannotOpen(path: String, errno: Int32)
    /// `write(2)` or `close(2)` failed with `errno` (a full disk, a closed pipe).
    case writeFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let e): "cannot open \(path) for writing: \(String(cString: strerror(e)))"
        case .writeFailed(let path, let e): "cannot write \(path): \(String(cString: strerror(e)))"
        }
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Glibc.write(fd, buffer, count)
    #endif
}
