import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Reads the stored calls of a range of UTC days grouped for a FOCUS export (``FocusUsage``), with the
/// price-book entries that priced them. Reads the requests table (a range of row ids per period), since
/// the hourly rollups carry neither provider, project nor API key.
public struct FocusQuery {
    let db: Database

    /// A reader of `db`.
    public init(db: Database) { self.db = db }

    /// The groups of a period and what was left out.
    public typealias Result = FocusUsageSet

    struct Key: Hashable {
        var day: Int
        var providerID: Int64?
        var priceID: Int64
        var tier: PricingTier
        var longContext: Bool
        var projectID: Int64?
        var apiKeyID: Int64?
    }

    /// `a + b`, held at `Int64.max` instead of trapping, so that no stored value stops an export.
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (v, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : v
    }

    /// Groups the calls made on the UTC days of `period` (every stored call when nil).
    public func load(period: Period?) throws -> Result {
        let utc = TimeZone(identifier: "UTC")!
        let range = period.map { RowID.range($0.interval(in: utc)) } ?? (Int64.min...Int64.max)
        var entries: [Int64: PriceEntry] = [:]
        for e in try PriceStore(db: db).entries() { entries[e.id] = e }

        var groups: [Key: FocusUsage] = [:]
        var unpricedCalls: Int64 = 0
        var unpricedTokens: Int64 = 0
        var total = Money.zero
        let s = try db.prepare("""
            SELECT id, provider_id, project_id, api_key_id, price_id, batch, service_tier, input_tokens, cached_input_tokens,
                   cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, cost, extras
            FROM requests WHERE id BETWEEN ? AND ? ORDER BY id
            """)
        s.bind(range.lowerBound, at: 1)
        s.bind(range.upperBound, at: 2)
        while try s.step() {
            let input = s.int64(7), cached = s.int64(8), write5m = s.int64(9), write1h = s.int64(10)
            let output = s.int64(11), reasoning = s.int64(12)
            guard let cost = s.optionalInt64(13), let priceID = s.optionalInt64(4) else {
                unpricedCalls += 1
                unpricedTokens = Self.add(unpricedTokens, Self.add(input, output))
                continue
            }
            let tier = PricingTier(batch: s.int64(5) != 0, serviceTier: ServiceTier(rawValue: Int(s.int64(6))) ?? .standard)
            let key = Key(day: Int((s.int64(0) >> 20).floorDiv(86_400_000)), providerID: s.optionalInt64(1), priceID: priceID, tier: tier,
                          longContext: entries[priceID]?.isLongContext(inputTokens: input) ?? false,
                          projectID: s.optionalInt64(2), apiKeyID: s.optionalInt64(3))
            var g = groups[key] ?? FocusUsage(day: CivilDate(daysSinceEpoch: key.day), provider: nil, priceEntryID: priceID, tier: tier,
                                              longContext: key.longContext, project: nil, apiKey: nil)
            g.calls += 1
            let cacheTokens = Self.add(Self.add(max(0, cached), max(0, write5m)), max(0, write1h))
            var parts: [(BilledTokenKind, Int64)] = [
                (.input, max(0, input - min(input, cacheTokens))), (.cachedInput, cached), (.cacheWrite5m, write5m),
                (.cacheWrite1h, write1h), (.output, max(0, output - min(output, max(0, reasoning)))), (.reasoning, reasoning),
            ]
            if let e = s.text(14).flatMap(CallExtras.init(storedText:)) {
                // Audio and image tokens come out of the text kinds they are part of.
                parts[0].1 = max(0, parts[0].1 - e.uncachedAudioTokens - e.imageInputTokens)
                parts[1].1 = max(0, parts[1].1 - e.cachedAudioTokens)
                parts[4].1 = max(0, parts[4].1 - e.audioOutputTokens - e.imageOutputTokens)
                parts += [(.audioInput, e.uncachedAudioTokens), (.cachedAudioInput, e.cachedAudioTokens), (.audioOutput, e.audioOutputTokens),
                          (.imageInput, e.imageInputTokens), (.imageOutput, e.imageOutputTokens), (.images, e.images)]
                for (tool, n) in e.toolCalls where n > 0 { g.toolUses[tool] = Self.add(g.toolUses[tool] ?? 0, n) }
                if let entry = entries[priceID] {
                    var call = CallRecord(requestID: "", timestamp: Timestamp(milliseconds: s.int64(0) >> 20), model: entry.model,
                                          inputTokens: input, outputTokens: output)
                    call.cachedInputTokens = cached
                    call.cacheWriteTokens = write5m
                    call.cacheWrite1hTokens = write1h
                    call.reasoningTokens = reasoning
                    call.batch = s.int64(5) != 0
                    call.serviceTier = ServiceTier(rawValue: Int(s.int64(6))) ?? .standard
                    call.extras = e
                    if let uplift = entry.costComponents(of: call)?.uplift { g.uplift = g.uplift + Money(picos: uplift) }
                }
            }
            for (kind, n) in parts where n > 0 { g.tokens[kind] = Self.add(g.tokens[kind] ?? 0, n) }
            g.cost = g.cost + Money(picos: cost)
            total = total + Money(picos: cost)
            groups[key] = g
        }

        let providers = try DimensionInterner.names(.provider, in: db)
        let projects = try DimensionInterner.names(.project, in: db)
        let keys = try DimensionInterner.names(.apiKey, in: db)
        let usage = groups.map { key, g -> FocusUsage in
            var g = g
            g.provider = key.providerID.flatMap { providers[$0] }
            g.project = key.projectID.flatMap { projects[$0] }
            g.apiKey = key.apiKeyID.flatMap { keys[$0] }
            return g
        }
        return Result(period: period, usage: usage, entries: entries, unpricedCalls: unpricedCalls, unpricedTokens: unpricedTokens,
                      cost: total)
    }
}
