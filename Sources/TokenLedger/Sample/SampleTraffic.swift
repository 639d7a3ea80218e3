#if canImport(Glibc)
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
// - Who. Five teams own eleven projects reached through sixteen API keys, a few of them rare (a legacy
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

        public var name: String {
            switch self {
            case .steady: "steady"
            case .drift: "drift"
            }
        }

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
        public var scenario: Scenario
        /// Share of calls whose line is written a second time, a few lines later (0 ... 0.5).
        public var duplicateShare: Double
        /// Share of calls written as a broken line instead: a missing required field, negative tokens,
        /// cached tokens above input, or invalid JSON (0 ... 0.5).
        public var malformedShare: Double

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
        public var duplicateLines = 0
        public var malformedLines = 0
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
    case cannotOpen(path: String, errno: Int32)
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

/// One run of the generator: the schedule of actions per hour, the actions, ordering, defects and output.
struct SampleTrafficEngine {
    let configuration: SampleTraffic.Configuration
    private let users: SampleUsers
    private let startMs: Int64
    private let endMs: Int64
    private let driftMs: Int64

    /// Relative traffic by UTC hour on a weekday: European working hours with the US afternoon behind.
    static let hourWeights: [Double] = [2, 1, 1, 1, 2, 3, 5, 8, 11, 12, 12, 11, 10, 11, 12, 12, 11, 10, 8, 7, 6, 5, 4, 3]
    /// Relative traffic by ISO weekday, Monday first.
    static let weekdayWeights: [Double] = [1.0, 1.02, 1.03, 1.0, 0.92, 0.38, 0.30]
    /// Actions simulated per kind of hour to estimate the mean number of calls per action. The estimate
    /// only spreads actions over the hours; the schedule corrects for its error as calls are written.
    static let calibrationActions = 1_500

    init(_ configuration: SampleTraffic.Configuration) {
        self.configuration = configuration
        users = SampleUsers(seed: configuration.seed)
        startMs = Int64(configuration.start.daysSinceEpoch) * 86_400_000
        endMs = configuration.end.milliseconds
        driftMs = configuration.driftStart?.milliseconds ?? .max
    }

    private func setting(hour h: Int) -> SampleActionSetting {
        let hourStart = startMs + Int64(h) * 3_600_000
        let weekday = configuration.start.adding(days: h / 24).isoWeekday
        return SampleActionSetting(night: h % 24 < 6, weekend: weekday >= 6, drifted: hourStart >= driftMs)
    }

    private func rules(_ setting: SampleActionSetting) -> SampleScenarioRules {
        SampleScenarioRules(scenario: configuration.scenario, drifted: setting.drifted)
    }

    /// Relative number of actions started in hour `h` of the timeline.
    private func weight(hour h: Int, _ setting: SampleActionSetting) -> Double {
        let weekday = configuration.start.adding(days: h / 24).isoWeekday
        var mix = 0.0
        for w in setting.workflowWeights(rules(setting)) { mix += w }
        return SampleTrafficEngine.hourWeights[h % 24] * SampleTrafficEngine.weekdayWeights[weekday - 1] * mix / 100
    }

    /// The mean number of calls per action for each kind of hour, measured by simulating actions.
    private func meanCallsPerAction(_ setting: SampleActionSetting) -> Double {
        let n = SampleTrafficEngine.calibrationActions
        var total = 0
        let stream: UInt64 = (2 << 62) | (setting.night ? 1 << 40 : 0) | (setting.weekend ? 1 << 41 : 0)
            | (setting.drifted ? 1 << 42 : 0)
        for i in 0..<n {
            var builder = SampleActionBuilder(start: 0, actionNumber: 0, setting: setting, rules: rules(setting), users: users,
                                              random: SampleRandom(seed: configuration.seed, stream: stream | UInt64(i)))
            builder.run()
            total += builder.calls.count
        }
        return Double(total) / Double(n)
    }

    /// For every hour h, the expected calls per action-rate unit from h to the end: Σ weight × mean calls per
    /// action over hours h..<hours. The schedule divides the calls still to write by it.
    private func remainingCallWeights(hours: Int) -> [Double] {
        var means: [SampleActionSetting: Double] = [:]
        var suffix = [Double](repeating: 0, count: hours + 1)
        for h in stride(from: hours - 1, through: 0, by: -1) {
            let s = setting(hour: h)
            let mean: Double
            if let m = means[s] {
                mean = m
            } else {
                mean = meanCallsPerAction(s)
                means[s] = mean
            }
            suffix[h] = suffix[h + 1] + weight(hour: h, s) * mean
        }
        return suffix
    }

    mutating func run(_ sink: (UnsafeRawBufferPointer) throws -> Void) rethrows -> SampleTraffic.Summary {
        var summary = SampleTraffic.Summary()
        var buffer = SampleLineBuffer(flushThreshold: SampleTraffic.bufferSize)
        defer { buffer.deallocate() }
        var renderer = SampleLineRenderer(seed: configuration.seed)
        var defects = SampleRandom(seed: configuration.seed, stream: 3 << 62)
        var duplicates: [(due: Int, line: [UInt8])] = []
        var pending = SamplePendingCalls()
        let seed = configuration.seed

        func writeLine(_ call: SampleCall, _ sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            let start = buffer.count
            let broken = defects.unit() < configuration.malformedShare
            let repeated = defects.unit() < configuration.duplicateShare
            if broken {
                renderer.render(call, number: UInt64(summary.calls), defect: SampleDefect.draw(&defects), into: &buffer)
                summary.malformedLines += 1
            } else {
                renderer.render(call, number: UInt64(summary.calls), defect: nil, into: &buffer)
                if repeated {
                    let line = Array(UnsafeRawBufferPointer(start: buffer.base + start, count: buffer.count - start))
                    duplicates.append((summary.lines + 2 + defects.below(40), line))
                }
            }
            summary.calls += 1
            summary.lines += 1
            if !duplicates.isEmpty {
                var i = 0
                while i < duplicates.count {
                    if duplicates[i].due <= summary.lines {
                        buffer.append(duplicates[i].line)
                        duplicates.remove(at: i)
                        summary.lines += 1
                        summary.duplicateLines += 1
                    } else {
                        i += 1
                    }
                }
            }
            if buffer.needsFlush {
                summary.bytes += buffer.count
                try sink(buffer.bytes)
                buffer.count = 0
            }
        }

        let hours = configuration.days * 24
        // Each hour gets its share of the calls still to write, so an hour that ran over or under the
        // estimate is made up by the rest and the total lands on the target.
        let remaining = remainingCallWeights(hours: hours)
        var generatedCalls = 0
        var carry = 0.0
        var offsets: [Int64] = []
        var actionNumber: UInt64 = 0
        for h in 0..<hours {
            let s = setting(hour: h)
            guard remaining[h] > 0 else { continue }
            let rate = Double(max(configuration.targetCalls - generatedCalls, 0)) / remaining[h]
            let exact = weight(hour: h, s) * rate + carry
            let count = Int(exact.rounded())
            carry = exact - Double(count)
            guard count > 0 else { continue }
            let rules = rules(s)
            let hourStart = startMs + Int64(h) * 3_600_000
            var hourRandom = SampleRandom(seed: seed, stream: (1 << 62) | UInt64(h))
            offsets.removeAll(keepingCapacity: true)
            for _ in 0..<count { offsets.append(Int64(hourRandom.below(3_600_000))) }
            offsets.sort()
            for offset in offsets {
                let t = hourStart + offset
                while let earliest = pending.earliest, earliest <= t, let call = pending.popEarliest() {
                    try writeLine(call, sink)
                }
                var builder = SampleActionBuilder(start: t, actionNumber: actionNumber, setting: s, rules: rules, users: users,
                                                  random: SampleRandom(seed: seed, stream: actionNumber))
                builder.run()
                for call in builder.calls where call.timestamp < endMs {
                    pending.push(call)
                    generatedCalls += 1
                }
                actionNumber += 1
            }
        }
        while let call = pending.popEarliest() { try writeLine(call, sink) }
        for d in duplicates.sorted(by: { $0.due < $1.due }) {
            buffer.append(d.line)
            summary.lines += 1
            summary.duplicateLines += 1
        }
        summary.actions = Int(actionNumber)
        summary.bytes += buffer.count
        if buffer.count > 0 { try sink(buffer.bytes) }
        return summary
    }
}
