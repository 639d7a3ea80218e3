import Foundation
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Paths and builders shared by the pricing tests.
enum PricingFixtures {
    /// The package root, found from this file.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var litellmSample: URL { packageRoot.appendingPathComponent("fixtures/prices/litellm-sample.json") }

    /// The shared reference data beside the package (`../shared/data`), present on the development machine.
    static var sharedData: URL { packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data") }
    static var catalogue1_109_1: URL { sharedData.appendingPathComponent("litellm-model-prices-1.109.1.json") }
    static var catalogue1_80_0: URL { sharedData.appendingPathComponent("litellm-model-prices-1.80.0.json") }
    static var hasSharedCatalogues: Bool {
        FileManager.default.fileExists(atPath: catalogue1_109_1.path)
            && FileManager.default.fileExists(atPath: catalogue1_80_0.path)
    }
}

/// `$x per 1M tokens` as a rate; test input is always valid.
func perMillion(_ text: String) -> Rate {
    guard let r = Rate(perMillion: text) else { fatalError("bad test rate \(text)") }
    return r
}

func day(_ text: String) -> CivilDate {
    guard let d = CivilDate(parsing: text) else { fatalError("bad test date \(text)") }
    return d
}

func instant(_ text: String) -> Timestamp {
    guard let t = Timestamp.parse(iso: text) else { fatalError("bad test timestamp \(text)") }
    return t
}

/// A call with the given token counts (input counts cached and cache writes; output counts reasoning).
func call(model: String = "m", at time: String = "2026-01-15T12:00:00Z", input: Int64, output: Int64,
          cached: Int64 = 0, write5m: Int64 = 0, write1h: Int64 = 0, reasoning: Int64 = 0,
          batch: Bool = false, tier: ServiceTier = .standard) -> CallRecord {
    var c = CallRecord(requestID: "r", timestamp: instant(time), model: model, inputTokens: input, outputTokens: output)
    c.cachedInputTokens = cached
    c.cacheWriteTokens = write5m
    c.cacheWrite1hTokens = write1h
    c.reasoningTokens = reasoning
    c.batch = batch
    c.serviceTier = tier
    return c
}
