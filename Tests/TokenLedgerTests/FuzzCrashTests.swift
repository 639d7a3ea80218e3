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

/// The inputs with which a fuzz target found a fault (`fixtures/fuzz-crashes/`, named after the target),
/// fed through the same parser with the checks the target makes (docs/reliability.md).
@Suite struct FuzzCrashTests {
    static var folder: URL { ImportFixtures.root.appendingPathComponent("fuzz-crashes") }

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()

    /// The formats each importer target reads its input with.
    static let formats: [String: [any FormatImporter.Type]] = [
        "routing-log": [RoutingLogImporter.self],
        "otlp": [OTLPImporter.self, OTLPDocumentImporter.self],
        "otlp-json": [OTLPDocumentImporter.self],
        "litellm": [LiteLLMSpendLogImporter.self, LiteLLMSpendLogCSVImporter.self],
        "claude-code": [ClaudeCodeImporter.self],
        "codex": [CodexImporter.self],
        "batch": [OpenAIBatchImporter.self, AnthropicBatchImporter.self],
        "openai": [OpenAIUsageImporter.self, OpenAICostsImporter.self, OpenAIUsageCSVImporter.self, OpenAICostsCSVImporter.self],
        "anthropic": [AnthropicUsageReportImporter.self, AnthropicCostReportImporter.self,
                      AnthropicConsoleUsageCSVImporter.self, AnthropicConsoleCostCSVImporter.self],
        "openrouter": [OpenRouterActivityCSVImporter.self, OpenRouterGenerationImporter.self],
    ]

    /// The number of lines of an input (a last line without a line end counts).
    static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count - (bytes.last == 0x0A ? 1 : 0)
    }

    @Test func everyFileNamesItsTarget() {
        for name in Self.files {
            let known = Self.formats.keys.contains { name.hasPrefix($0 + "-") }
                || ["detect-", "csv-", "json-", "scalars-", "budget-", "price-book-", "litellm-catalog-"].contains { name.hasPrefix($0) }
            #expect(known, "\(name) does not start with a fuzz target's name")
        }
    }

    @Test(arguments: files)
    func importersHoldTheirInvariants(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(name)))
        // The longest matching prefix: `otlp-json-…` reads as otlp-json, not otlp.
        guard let target = Self.formats.keys.filter({ name.hasPrefix($0 + "-") }).max(by: { $0.count < $1.count }),
              let formats = Self.formats[target] else { return }
        let lines = Self.lineCount(bytes)
        let book = try PriceBook.defaultBook()
        for format in formats {
            let parsed = Importer.parse(MemoryByteSource(bytes, chunk: 97), format: format, prices: book, bufferSize: 256)
            #expect(parsed.prices.count == parsed.items.count)
            for item in parsed.items {
                #expect((1...max(1, lines)).contains(item.line), "\(format.formatName): item at line \(item.line) of \(lines)")
                if case .call(let call, _) = item {
                    #expect(call.validationProblem() == nil, "\(format.formatName): \(call.requestID)")
                }
            }
        }
    }

    /// An error at the very end of a document is on its last line, not on one after it.
    @Test func aRejectAtTheEndOfADocumentIsOnItsLastLine() throws {
        let otlp = Array(try Data(contentsOf: Self.folder.appendingPathComponent("otlp-json-reject-line-past-end.json")))
        let o = Importer.parse(MemoryByteSource(otlp), format: OTLPDocumentImporter.self)
        #expect(!o.items.isEmpty)
        #expect(o.items.allSatisfy { $0.line == 1 })

        let litellm = Array(try Data(contentsOf: Self.folder.appendingPathComponent("litellm-reject-line-past-end.json")))
        let l = Importer.parse(MemoryByteSource(litellm), format: LiteLLMSpendLogImporter.self)
        #expect(l.items.map(\.rejectReason?.code) == ["malformed_json"])
        #expect(l.items.map(\.line) == [Self.lineCount(litellm)])

        // The same through a provider export read as a document.
        let cut = Array(#"{"object":"page","data":[{"start_time":1767225600,"end_time":1767312000,"results":["#.utf8)
        let p = Importer.parse(MemoryByteSource(cut), format: OpenAIUsageImporter.self)
        #expect(p.items.map(\.line) == [1])
    }
}
