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

/// One generated output, split into lines and parsed once.
private struct GeneratedTraffic {
    let summary: SampleTraffic.Summary
    let bytes: [UInt8]
    let lines: [ArraySlice<UInt8>]
    /// nil where the line is not JSON.
    let values: [JSONValue?]

    init(_ configuration: SampleTraffic.Configuration) {
        var out: [UInt8] = []
        summary = SampleTraffic(configuration).write { out.append(contentsOf: $0) }
        bytes = out
        lines = out.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { $0 }
        values = lines.map { try? JSONValue.parse(Array($0)) }
    }

    /// Parsed lines that carry `key` with the string `value`.
    func calls(where key: String, is value: String) -> [JSONValue] {
        values.compactMap { v in v.flatMap { $0[key]?.string == value ? $0 : nil } }
    }
}

/// A line's fields as a ``CallRecord``, or the reason it is not one.
private func record(_ value: JSONValue?) -> CallRecord? {
    guard let v = value,
          let ts = v["timestamp"]?.string, let timestamp = Timestamp.parse(iso: ts),
          case .string(let requestID)? = v["request_id"], case .string(let model)? = v["model"],
          let input = v["input_tokens"]?.int64, let output = v["output_tokens"]?.int64 else { return nil }
    var r = CallRecord(requestID: requestID, timestamp: timestamp, model: model, inputTokens: input, outputTokens: output)
    r.cachedInputTokens = v["cached_input_tokens"]?.int64 ?? 0
    r.cacheWriteTokens = v["cache_write_tokens"]?.int64 ?? 0
    r.cacheWrite1hTokens = v["cache_write_1h_tokens"]?.int64 ?? 0
    r.reasoningTokens = v["reasoning_tokens"]?.int64 ?? 0
    r.attempt = v["attempt"]?.int64.map { Int($0) }
    r.latencyMs = v["latency_ms"]?.int64
    r.qualityScore = v["quality_score"]?.double
    return r.validationProblem() == nil ? r : nil
}

@Suite struct SampleTrafficTests {
    static let small = SampleTraffic.Configuration(seed: 7, days: 14, targetCalls: 8_000)

    @Test func sameConfigurationGivesSameBytes() throws {
        let a = SampleTraffic(Self.small).bytes()
        let b = SampleTraffic(Self.small).bytes()
        #expect(!a.isEmpty)
        #expect(a == b)
        var other = Self.small
        other.seed = 8
        #expect(SampleTraffic(other).bytes() != a)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sample-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try SampleTraffic(Self.small).write(toFile: path)
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(onDisk == a)
        #expect(summary.bytes == a.count)
    }

    @Test func everyLineIsAValidCallWithKnownValues() throws {
        let t = GeneratedTraffic(Self.small)
        #expect(t.summary.lines == t.lines.count)
        #expect(t.summary.calls == t.lines.count)
        let kinds: Set = ["primary", "retry", "fallback", "classifier", "validation"]
        let statuses: Set = ["ok", "error", "timeout", "rate_limited", "invalid_output"]
        let reasons: Set = ["low_confidence", "long_context", "failed_validation", "user_tier", "complexity", "rate_limit",
                            "timeout", "error"]
        let outcomes: Set = ["completed", "failed", "abandoned"]
        let segments: Set = ["free", "pro", "enterprise"]
        let providers: Set = ["openai", "anthropic", "google"]
        let serviceTiers: Set = ["default", "flex", "priority"]
        var requestIDs = Set<String>()
        var actionWorkflow: [String: String] = [:]
        for (i, value) in t.values.enumerated() {
            let line = String(decoding: t.lines[i], as: UTF8.self)
            guard let v = value else {
                Issue.record("not JSON: \(line)")
                continue
            }
            guard let r = record(v) else {
                Issue.record("not a valid call: \(line)")
                continue
            }
            #expect(r.requestID.hasPrefix("req_") && r.requestID.utf8.count == 20)
            #expect(requestIDs.insert(r.requestID).inserted, "duplicate request_id \(r.requestID)")
            #expect(r.cachedInputTokens + r.cacheWriteTokens + r.cacheWrite1hTokens <= r.inputTokens)
            #expect(r.reasoningTokens <= r.outputTokens)
            if let k = v["kind"]?.string { #expect(kinds.contains(k), "\(line)") }
            #expect(statuses.contains(v["status"]?.string ?? ""), "\(line)")
            if let x = v["fallback_reason"]?.string { #expect(reasons.contains(x), "\(line)") }
            if let x = v["action_outcome"]?.string { #expect(outcomes.contains(x), "\(line)") }
            if let x = v["user_segment"]?.string { #expect(segments.contains(x), "\(line)") }
            if let x = v["service_tier"]?.string { #expect(serviceTiers.contains(x), "\(line)") }
            #expect(providers.contains(v["provider"]?.string ?? ""), "\(line)")
            if let cost = v["cost_usd"] {
                #expect(Money(parsing: cost.string ?? "x").map { !$0.isNegative } == true, "\(line)")
            }
            if v["fallback_reason"] != nil { #expect(v["kind"]?.string == "fallback" && v["fallback_from"] != nil, "\(line)") }
            if let action = v["action_id"]?.string, let workflow = v["workflow"]?.string {
                if let seen = actionWorkflow[action] { #expect(seen == workflow) } else { actionWorkflow[action] = workflow }
            }
        }
    }

    @Test func timestampsStayInTheTimelineInOrder() {
        let configuration = SampleTraffic.Configuration(seed: 3, start: CivilDate(year: 2027, month: 2, day: 26), days: 3,
                                                        targetCalls: 4_000, scenario: .drift)
        let t = GeneratedTraffic(configuration)
        let start = Timestamp(milliseconds: Int64(configuration.start.daysSinceEpoch) * 86_400_000)
        #expect(configuration.end == Timestamp.parse(iso: "2027-03-01T00:00:00Z"))
        var previous = start
        for value in t.values {
            guard let ts = value?["timestamp"]?.string.flatMap({ Timestamp.parse(iso: $0) }) else {
                Issue.record("line without a timestamp")
                continue
            }
            #expect(ts >= start && ts < configuration.end)
            #expect(ts >= previous)
            previous = ts
        }
        // Traffic covers the whole timeline, not just its beginning.
        #expect(previous.milliseconds > configuration.end.milliseconds - 3_600_000)
    }

    @Test(arguments: [150, 1_500, 30_000])
    func hitsTheTargetCount(target: Int) {
        for scenario in SampleTraffic.Scenario.allCases {
            let summary = SampleTraffic(.init(seed: 11, days: 10, targetCalls: target, scenario: scenario)).write { _ in }
            // Within the size of the last actions.
            #expect(abs(summary.calls - target) <= max(target / 500, 12), "\(scenario.name): \(summary.calls) calls for \(target)")
        }
        #expect(SampleTraffic(.init(targetCalls: 0)).bytes().isEmpty)
    }

    @Test func callsPerActionAndFallbacksAreRealistic() {
        let t = GeneratedTraffic(.init(seed: 5, days: 14, targetCalls: 12_000))
        var callsPerAction: [String: Int] = [:]
        var fallbackActions = Set<String>()
        var fallbacks = 0, outcomes: [String: Int] = [:]
        for case let v? in t.values {
            guard let action = v["action_id"]?.string else { continue }
            callsPerAction[action, default: 0] += 1
            if v["kind"]?.string == "fallback" {
                fallbacks += 1
                fallbackActions.insert(action)
            }
            if let o = v["action_outcome"]?.string { outcomes[o, default: 0] += 1 }
        }
        let calls = callsPerAction.values.reduce(0, +)
        let ratio = Double(calls) / Double(callsPerAction.count)
        #expect(ratio > 1.8 && ratio < 2.5, "calls per action \(ratio)")
        let fallbackShare = Double(fallbacks) / Double(calls)
        #expect(fallbackShare > 0.02 && fallbackShare < 0.10, "fallback share of calls \(fallbackShare)")
        let actionShare = Double(fallbackActions.count) / Double(callsPerAction.count)
        #expect(actionShare > 0.04 && actionShare < 0.20, "share of actions with a fallback \(actionShare)")
        let ended = outcomes.values.reduce(0, +)
        #expect(Double(outcomes["completed", default: 0]) / Double(ended) > 0.9)
        #expect(outcomes["failed", default: 0] > 0)
        #expect(outcomes["abandoned", default: 0] > 0)
        // The outcome is on most actions, not all.
        #expect(ended < callsPerAction.count && Double(ended) > 0.8 * Double(callsPerAction.count))
    }

    @Test func driftChangesTheSecondHalf() throws {
        let configuration = SampleTraffic.Configuration(seed: 9, days: 14, targetCalls: 16_000, scenario: .drift)
        let t = GeneratedTraffic(configuration)
        let mid = try #require(configuration.driftStart)
        func secondHalf(_ v: JSONValue) -> Bool {
            (v["timestamp"]?.string.flatMap { Timestamp.parse(iso: $0) } ?? mid) >= mid
        }
        var primaries = [0, 0], fallbacks = [0, 0], agentCalls = [0, 0], priority = [0, 0]
        var summarizeInput: [[Int64]] = [[], []]
        for v in t.calls(where: "workflow", is: "faq") {
            let h = secondHalf(v) ? 1 : 0
            if v["kind"]?.string == "primary" { primaries[h] += 1 }
            if v["kind"]?.string == "fallback" { fallbacks[h] += 1 }
            if v["service_tier"]?.string == "priority" { priority[h] += 1 }
        }
        for v in t.calls(where: "workflow", is: "agent") { agentCalls[secondHalf(v) ? 1 : 0] += 1 }
        for v in t.calls(where: "workflow", is: "summarize") where v["kind"]?.string != "classifier"
            && v["kind"]?.string != "validation" && v["status"]?.string == "ok" {
            summarizeInput[secondHalf(v) ? 1 : 0].append(v["input_tokens"]?.int64 ?? 0)
        }
        let rates = (0..<2).map { Double(fallbacks[$0]) / Double(max(primaries[$0], 1)) }
        #expect(rates[1] > 2 * rates[0], "faq fallback rate \(rates[0]) → \(rates[1])")
        #expect(agentCalls[0] == 0 && agentCalls[1] > 0)
        #expect(priority[1] > 10 * max(priority[0], 1))
        let medians = summarizeInput.map { $0.sorted()[$0.count / 2] }
        #expect(Double(medians[1]) > 1.6 * Double(medians[0]), "summarize median input \(medians)")

        // The steady scenario runs the agent workflow throughout.
        let steady = SampleTraffic(.init(seed: 9, days: 14, targetCalls: 6_000, scenario: .steady)).bytes()
        let agentLines = steady.split(separator: 0x0A).filter { $0.starts(with: Array(#"{"timestamp":""#.utf8)) }
            .filter { String(decoding: $0, as: UTF8.self).contains(#""workflow":"agent""#) }
        let firstAgent = agentLines.first.map { String(decoding: $0.dropFirst(14).prefix(24), as: UTF8.self) }
        let lastAgent = agentLines.last.map { String(decoding: $0.dropFirst(14).prefix(24), as: UTF8.self) }
        #expect(firstAgent.flatMap { Timestamp.parse(iso: $0) }.map { $0 < mid } == true)
        #expect(lastAgent.flatMap { Timestamp.parse(iso: $0) }.map { $0 >= mid } == true)
    }

    @Test func brokenAndDuplicateLinesComeInTheRequestedShares() {
        var configuration = Self.small
        configuration.targetCalls = 8_000
        configuration.malformedShare = 0.03
        configuration.duplicateShare = 0.02
        let t = GeneratedTraffic(configuration)
        var seen = Set<ArraySlice<UInt8>>()
        var bad = 0, repeated = 0, notJSON = 0
        for (i, line) in t.lines.enumerated() {
            if t.values[i] == nil { notJSON += 1 }
            if record(t.values[i]) == nil {
                bad += 1
            } else if !seen.insert(line).inserted {
                repeated += 1
            }
        }
        #expect(bad == t.summary.malformedLines)
        #expect(repeated == t.summary.duplicateLines)
        #expect(t.summary.lines == t.summary.calls + t.summary.duplicateLines)
        let calls = Double(t.summary.calls)
        #expect(abs(Double(bad) - 0.03 * calls) < 0.3 * 0.03 * calls, "\(bad) broken lines")
        #expect(abs(Double(repeated) - 0.02 * calls) < 0.3 * 0.02 * calls, "\(repeated) duplicate lines")
        #expect(notJSON > 0 && notJSON < bad)

        // Defects replace or add lines; every other call is written exactly as without them.
        let clean = GeneratedTraffic(Self.small.with(targetCalls: 8_000))
        #expect(clean.summary.calls == t.summary.calls)
        let cleanLines = Set(clean.lines)
        #expect(seen.isSubset(of: cleanLines))
        #expect(seen.count == t.summary.calls - t.summary.malformedLines)
    }

    @Test func namesExerciseThePriceMatcher() {
        let t = GeneratedTraffic(.init(seed: 1, days: 14, targetCalls: 8_000))
        var models = Set<String>(), keys: [String: Int] = [:]
        var tiers = 0
        for case let v? in t.values {
            models.insert(v["model"]?.string ?? "")
            keys[v["api_key_id"]?.string ?? "", default: 0] += 1
            if v["tier"] != nil { tiers += 1 }
        }
        for name in ["claude-sonnet-4-5-20250929", "gpt-4.1-mini-2025-04-14", "gemini/gemini-2.5-flash", "my-finetune-v2",
                     "gpt-4o-mini", "gpt-4o", "gpt-5", "gpt-5-nano", "claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-5",
                     "gemini-2.5-flash"] {
            #expect(models.contains(name), "no \(name)")
        }
        let tierShare = Double(tiers) / Double(t.lines.count)
        #expect(tierShare > 0.01 && tierShare < 0.1)
        #expect(keys.values.contains { $0 < 40 }, "no rare API key")
        #expect(t.calls(where: "api_key_id", is: "key_hd_legacy_0a9d").allSatisfy { $0["action_id"] == nil })
    }

    @Test func configurationIsClampedAndScenariosHaveNames() {
        let s = SampleTraffic(.init(days: 0, targetCalls: -5, duplicateShare: 2, malformedShare: .nan))
        #expect(s.configuration.days == 1)
        #expect(s.configuration.targetCalls == 0)
        #expect(s.configuration.duplicateShare == 0.5)
        #expect(s.configuration.malformedShare == 0)
        #expect(SampleTraffic.Scenario(name: "drift") == .drift)
        #expect(SampleTraffic.Scenario(name: "wobbly") == nil)
        #expect(SampleTraffic.Configuration(scenario: .steady).driftStart == nil)
        #expect(SampleTraffic.Configuration(start: CivilDate(year: 2026, month: 10, day: 5), days: 28, scenario: .drift)
            .driftStart == Timestamp.parse(iso: "2026-10-19T00:00:00Z"))
    }

    @Test func writeErrorsNameThePath() {
        #expect(throws: SampleTrafficError.self) {
            try SampleTraffic(.init(targetCalls: 10)).write(toFile: "/nonexistent-dir/x/calls.jsonl")
        }
    }

    @Test func randomnessIsPlatformIndependent() {
        // Reference values of SplitMix64-seeded xoshiro256** (computed independently); a change here
        // changes every generated file.
        var r = SampleRandom(seed: 42)
        #expect((0..<3).map { _ in r.next() } == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1])
        #expect(SampleRandom.mix(0) == 0)
        #expect(SampleRandom.mix(1) == 0x5692_161D_100B_05E5)
        for x in stride(from: -20.0, through: 20.0, by: 0.37) {
            let relative = abs(SampleMath.exp(x) - Foundation.exp(x)) / Foundation.exp(x)
            #expect(relative < 1e-14, "exp(\(x))")
        }
    }
}

private extension SampleTraffic.Configuration {
    func with(targetCalls: Int) -> Self {
        var c = self
        c.targetCalls = targetCalls
        return c
    }
}
