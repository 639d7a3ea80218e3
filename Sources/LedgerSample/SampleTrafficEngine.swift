import LedgerValues

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
