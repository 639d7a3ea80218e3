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

/// Each format is told from its content, and no format claims another's.
@Suite struct FormatDetectionTests {
    static let expected: [(file: String, format: String)] = [
        ("otel/genai-current.jsonl", "otlp"),
        ("otel/legacy-names.jsonl", "otlp"),
        ("otel/pretty-request.json", "otlp-json"),
        ("litellm/spend-logs.json", "litellm"),
        ("litellm/spend-logs-v2.json", "litellm"),
        ("litellm/spend-logs-v2-pages.jsonl", "litellm"),
        ("litellm/spend-logs.csv", "litellm-csv"),
        (ImportFixtures.claudeShopSession, "claude-code"),
        (ImportFixtures.claudeSubagent, "claude-code"),
        ("claude-code/projects/-home-dev-infra/0b5e9d1c-7a2f-4e63-8c14-9d2e3f4a5b6c.jsonl", "claude-code"),
        ("codex/sessions/2026/01/12/rollout-2026-01-12T09-30-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl", "codex"),
        ("codex/sessions/2026/01/12/rollout-2026-01-12T14-02-11-0199b7e0-1a2b-7c3d-9e4f-5a6b7c8d9e0f.jsonl", "codex"),
        ("codex/sessions/2026/01/14/rollout-2026-01-14T10-05-00-0199c0f4-5d6e-7f80-a1b2-c3d4e5f60718.jsonl", "codex"),
        ("batch/openai/batch_6964c1f0a2d88190b7e3c4d5e6f70812_output.jsonl", "openai-batch"),
        ("batch/openai/batch_6964c1f0a2d88190b7e3c4d5e6f70812_error.jsonl", "openai-batch"),
        ("batch/anthropic/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d_results.jsonl", "anthropic-batch"),
        ("same-traffic/routing-log.jsonl", "routing-log"),
        ("same-traffic/otlp.jsonl", "otlp"),
        ("same-traffic/litellm-spend-logs.json", "litellm"),
    ]

    @Test(arguments: expected.indices)
    func eachFixtureIsClaimedByItsFormatAlone(_ i: Int) throws {
        let (file, format) = Self.expected[i]
        #expect(try detectedFormat(file) == format)
        let bytes = try Data(contentsOf: ImportFixtures.root.appendingPathComponent(file))
        let sample = InputSample(bytes: Array(bytes.prefix(64 * 1024)), name: file)
        let winner = try #require(ImportFormats.named(format)).detect(sample)
        for other in ImportFormats.all where other.formatName != format {
            #expect(other.detect(sample) < winner, "\(other.formatName) scores \(other.detect(sample)) on \(file)")
        }
    }

    @Test func generatedRoutingLogIsClaimedByNoOtherFormat() {
        let bytes = SampleTraffic(.init(seed: 3, days: 1, targetCalls: 300, malformedShare: 0.01)).bytes()
        let sample = InputSample(bytes: Array(bytes.prefix(64 * 1024)), name: "calls.jsonl")
        #expect(ImportFormats.detect(sample)?.formatName == "routing-log")
        for format in ImportFormats.all where format.formatName != "routing-log" {
            #expect(format.detect(sample) == 0, "\(format.formatName) claims a routing log")
        }
    }

    @Test func everyFormatIsRegisteredOnce() {
        let names = ImportFormats.all.map { $0.formatName }
        #expect(Set(names).count == names.count)
        for name in ["otlp", "otlp-json", "litellm", "litellm-csv", "claude-code"] {
            #expect(ImportFormats.named(name) != nil)
        }
        #expect(ImportFormats.named("otlp-json")?.family == ImportFormats.named("otlp")?.family)
        #expect(ImportFormats.named("litellm-csv")?.family == ImportFormats.named("litellm")?.family)
    }

    @Test func otlpLinesAndDocumentsAreToldApartByTheFirstLine() {
        let line = #"{"resourceSpans":[{"scopeSpans":[]}]}"#
        let pretty = "{\n  \"resourceSpans\": [\n    {\"scopeSpans\": []}\n  ]\n}\n"
        let array = "[" + line + "]\n"
        func format(_ text: String) -> String? {
            ImportFormats.detect(InputSample(bytes: Array(text.utf8), name: "x"))?.formatName
        }
        #expect(format(line + "\n" + line + "\n") == "otlp")
        #expect(format(pretty) == "otlp-json")
        #expect(format(array) == "otlp-json")
        // A first line longer than the sample is still read as lines.
        #expect(format(String(line.dropLast(3))) == "otlp")
    }
}
