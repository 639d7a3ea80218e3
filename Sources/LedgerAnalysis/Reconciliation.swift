/// Reconciles the providers' own usage and cost exports with the routing logs: day by day and model by
/// model, how much of the bill the logs explain and what kind of gap the rest is (METHODS §D;
/// `docs/reconciliation.md`).
///
/// Pure: it takes the rows, the logged calls added up and the price book, and returns values; "now" is
/// passed in. The weekly report calls it for its period:
///
///     let input = try ReconciliationInput.load(db: db, period: week, book: book)
///     let result = Reconciliation.run(input, asOf: now)
///     if result.hasProviderData { /* render result.totals, result.topDays, … */ }
///
/// The method, in short:
/// 1. Per provider and UTC day, one export shape is used (``ExportSelection``); re-imported buckets were
///    already replaced at import.
/// 2. Requests and tokens are compared per day × provider × model, refined by project, API key and tier
///    where both sides carry them. Usage from a key or project the logs never carry is bypass.
/// 3. The difference in price-book dollars (provider usage at book prices − logged cost) is classified:
///    boundary (cancelled by the neighbouring day), then unlogged attempts / logged-not-billed
///    (request counts differ), then token mismatch (tokens differ).
/// 4. Per day × provider × model, the rest of the gap between the bill and the logged cost — the same
///    usage billed at other prices — is price drift. Non-usage lines (tools, credits, tax) are their own class.
/// 5. Gaps within the cell tolerance count as matched; coverage is the share of the billed usage the logs
///    explain.
public enum Reconciliation {
    /// Reconciles `input`.
    ///
    /// - Parameters:
    ///   - input: provider rows, logged groups and the price book for the period.
    ///   - providers: only these providers (lowercase names); nil for all.
    ///   - tolerances: see ``ReconciliationTolerances``.
    ///   - asOf: "now", to tell provisional days (still open at the provider) from closed ones.
    /// - Returns: cells, classes, totals, rankings and notes. Every amount is exact.
    /// - Complexity: O(n log n) in the number of rows and groups.
    public static func run(_ input: ReconciliationInput, providers: Set<String>? = nil,
                           tolerances: ReconciliationTolerances = ReconciliationTolerances(),
                           asOf: Timestamp) -> ReconciliationResult {
        var engine = ReconciliationEngine(input: input, filter: providers, tolerances: tolerances, asOf: asOf)
        return engine.run()
    }

    /// Whether an export's context-window band is the long-context one (`200k-1M`, `> 200k`).
    static func isLongContext(_ band: String?) -> Bool {
        guard let b = band?.lowercased().replacingOccurrences(of: " ", with: "") else { return false }
        return b.hasPrefix(">") || b.hasPrefix("200k-") || b.hasSuffix("-1m")
    }

    /// The billing tier of a provider row: batch when the export says so, else its service tier.
    static func tier(batch: Bool?, serviceTier: String?) -> PricingTier {
        let isBatch = batch ?? (serviceTier?.lowercased() == "batch")
        return PricingTier(batch: isBatch, serviceTier: serviceTier.flatMap { ServiceTier(name: $0) } ?? .standard)
    }
}

/// One run of ``Reconciliation/run(_:providers:tolerances:asOf:)``.
struct ReconciliationEngine {
    let input: ReconciliationInput
    let filter: Set<String>?
    let tol: ReconciliationTolerances
    let asOf: Timestamp
    var book: PriceBook { input.book }
    var notes: [String] = []

    init(input: ReconciliationInput, filter: Set<String>?, tolerances: ReconciliationTolerances, asOf: Timestamp) {
        self.input = input
        self.filter = filter.map { Set($0.map { $0.lowercased() }) }
        self.tol = tolerances
        self.asOf = asOf
    }

    static let dayMs: Int64 = 86_400_000

    static func dayNumber(_ t: Timestamp) -> Int { Int(t.milliseconds.floorDiv(dayMs)) }

    /// A comparison cell's identity.
    struct Key: Hashable {
        var day: Int
        var provider: String
        var model: String?
        var project: String?
        var apiKey: String?
        var tier: PricingTier?
        var bypass: Bool

        /// The same cell on another day.
        func on(_ d: Int) -> Key { var k = self; k.day = d; return k }
    }

    /// A comparison being built.
    ///
    /// Usage the book cannot value (a model it does not know, on either side) is valued at stand-in rates
    /// (``StandInRates``) so that the rest of the gap is classified as if it were priced; without stand-in
    /// rates (a provider with no priced model) the comparison stays unvalued.
    struct Accumulator {
        var provided = UsageFigures(requests: 0)
        var logged = UsageFigures(requests: 0)
        var hasProviderRows = false
        /// The book value of the provider's rows the book prices.
        var providerPriced: Money = .zero
        /// The provider's rows the book cannot price.
        var providerUnpricedRows = 0
        /// Those rows at stand-in rates; nil when some have none.
        var providerStandIn: CostRange? = .zero
        var loggedCost: Money = .zero
        var loggedUnpriced: Int64 = 0
        /// The unpriced logged calls at stand-in rates; nil when some have none.
        var loggedStandIn: CostRange? = .zero
        var classes = GapAmounts()
        /// The volume difference boundary pairing has already claimed (requests, or tokens without requests).
        var claimedVolume: Int64 = 0
        var claimedMoney: Money = .zero

        /// The book value of the provider's usage; nil when some of it is unpriced.
        var providerBook: Money? { providerUnpricedRows == 0 ? providerPriced : nil }
        var loggedPriced: Money? { loggedUnpriced == 0 ? loggedCost : nil }
        /// The provider's usage valued, unpriced rows at stand-in rates; nil without stand-in rates.
        var providerValue: Money? { providerStandIn.map { providerPriced + $0.estimate } }
        /// The logged calls valued, unpriced ones at stand-in rates; nil without stand-in rates.
        var loggedValue: Money? { loggedStandIn.map { loggedCost + $0.estimate } }

        /// Provider volume minus logged volume: requests when the provider counts them, else tokens.
        var volumeDelta: Int64 {
            if let r = provided.requests { return r - (logged.requests ?? 0) }
            return UsageFigures.sum(provided.inputTokens, provided.outputTokens) - UsageFigures.sum(logged.inputTokens, logged.outputTokens)
        }

        /// The usage gap in book dollars not yet classified (unpriced usage at stand-in rates); nil when
        /// either side cannot be valued.
        var residual: Money? {
            guard let p = providerValue, let l = loggedValue else { return nil }
            return p - l - claimedMoney
        }
    }

    /// A selected provider usage row with its day and model key.
    struct UsageItem {
        var record: ProviderUsageRecord
        var day: Int
        var model: String?
        var bypass = false
    }

    /// A logged group with its provider and model key.
    struct LoggedItem {
        var group: LoggedUsageGroup
        var day: Int
        var provider: String
        var model: String
        var tier: PricingTier
    }

    struct Slot: Hashable {
        var provider: String
        var day: Int
    }

    // MARK: Run

    mutating func run() -> ReconciliationResult {
        let firstDay = input.period.first.daysSinceEpoch
        let lastDay = input.period.last.daysSinceEpoch
        let inPeriod = { (d: Int) in d >= firstDay && d <= lastDay }
        let filter = self.filter
        let wanted = { (p: String) in filter?.contains(p.lowercased()) ?? true }

        // 1. Provider rows of the period, one export shape per provider and day.
        let usageSelection = ExportSelection<ProviderUsageRecord>(
            provider: { $0.row.provider }, day: { Self.dayNumber($0.row.bucketStart) }, export: { $0.row.export },
            width: { $0.row.widthMilliseconds }, mask: { $0.row.groupingMask }, source: { $0.sourceID })
        let costSelection = ExportSelection<ProviderCostRecord>(
            provider: { $0.row.provider }, day: { Self.dayNumber($0.row.bucketStart) }, export: { $0.row.export },
            width: { $0.row.widthMilliseconds }, mask: { $0.row.groupingMask }, source: { $0.sourceID })
        let usageInPeriod = input.usage.filter { inPeriod(Self.dayNumber($0.row.bucketStart)) && wanted($0.row.provider) }
        let costsInPeriod = input.costs.filter { inPeriod(Self.dayNumber($0.row.bucketStart)) && wanted($0.row.provider) }
        let (exportUsage, usageAside) = usageSelection.select(usageInPeriod)
        let (costRecords, costAside) = costSelection.select(costsInPeriod)
        let usageRecords = exportUsage + Reconciliation.usageOfBills(costRecords)
        noteSetAside(usageAside, kind: "usage")
        noteSetAside(costAside, kind: "cost")
        noteBucketShapes(usageRecords.map(\.row.bucketStart), usageRecords.map(\.row.widthMilliseconds),
                         costRecords.map(\.row.bucketStart), costRecords.map(\.row.widthMilliseconds))

        var usage = usageRecords.map { r in
            UsageItem(record: r, day: Self.dayNumber(r.row.bucketStart), model: r.row.model.map(book.comparisonKey(for:)))
        }
        let costs = costRecords
        var usageSlots = Set<Slot>(), costSlots = Set<Slot>()
        for u in usage { usageSlots.insert(Slot(provider: u.record.row.provider, day: u.day)) }
        for c in costs { costSlots.insert(Slot(provider: c.row.provider, day: Self.dayNumber(c.row.bucketStart))) }
        let slots = usageSlots.union(costSlots)
        let providers = Set(slots.map(\.provider)).sorted()

        // 2. Logged calls of the providers and days that have provider data.
        var logged: [LoggedItem] = []
        var uncompared: [String: Int64] = [:]
        for g in input.logged {
            let day = g.day.daysSinceEpoch
            guard inPeriod(day) else { continue }
            let provider = g.provider.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
                ?? book.history(of: g.model).last?.provider.lowercased() ?? "unknown"
            guard wanted(provider) else { continue }
            guard slots.contains(Slot(provider: provider, day: day)) else {
                uncompared[provider, default: 0] += g.requests
                continue
            }
            logged.append(LoggedItem(group: g, day: day, provider: provider, model: book.comparisonKey(for: g.model),
                                     tier: PricingTier(batch: g.batch, serviceTier: g.serviceTier)))
        }
        for (provider, n) in uncompared.sorted(by: { $0.key < $1.key }) where n > 0 {
            notes.append("\(provider): \(n) logged call(s) fall on days without \(provider)'s exports and were not compared.")
        }

        // 3. Bypass and refinement, per provider.
        var checks: [String: ProviderChecks] = [:]
        for p in providers {
            checks[p] = ProviderChecks(provider: p, usage: usage.filter { $0.record.row.provider == p },
                                       logged: logged.filter { $0.provider == p })
            notes.append(contentsOf: checks[p]!.notes)
        }
        for i in usage.indices {
            usage[i].bypass = checks[usage[i].record.row.provider]?.isBypass(usage[i].record.row) ?? false
        }
        let byModelUsage = Set(usageSlots.filter { slot in
            usage.allSatisfy { $0.record.row.provider != slot.provider || $0.day != slot.day || $0.model != nil }
        })

        // 4. Comparisons.
        var comparisons: [Key: Accumulator] = [:]
        var standIn = StandInRatesMemo(book: book)
        for u in usage {
            let r = u.record.row
            let c = checks[r.provider]!
            let slot = Slot(provider: r.provider, day: u.day)
            let tier = Reconciliation.tier(batch: r.batch, serviceTier: r.serviceTier)
            let tierKnown = r.batch != nil || r.serviceTier != nil
            let key = u.bypass
                ? Key(day: u.day, provider: r.provider, model: byModelUsage.contains(slot) ? u.model : nil, project: r.project,
                      apiKey: r.apiKey, tier: tierKnown ? tier : nil, bypass: true)
                : Key(day: u.day, provider: r.provider, model: byModelUsage.contains(slot) ? u.model : nil,
                      project: c.refineProject ? r.project : nil, apiKey: c.refineKey ? r.apiKey : nil,
                      tier: c.refineTier ? tier : nil, bypass: false)
            var a = comparisons[key] ?? Accumulator()
            a.hasProviderRows = true
            var f = UsageFigures(requests: r.requests)
            f.inputTokens = r.inputTokens
            f.cachedInputTokens = r.cachedInputTokens
            f.cacheWrite5mTokens = r.cacheWrite5mTokens
            f.cacheWrite1hTokens = r.cacheWrite1hTokens
            f.outputTokens = r.outputTokens
            f.reasoningTokens = r.reasoningTokens
            a.provided.add(f)
            if let value = bookValue(r, day: u.day) {
                a.providerPriced = a.providerPriced + value
            } else {
                a.providerUnpricedRows += 1
                // A row that names no model (a pooled usage export) says nothing about which rates apply.
                let v = r.model == nil ? nil : standIn.value(f, provider: r.provider, day: u.day, tier: tier)
                a.providerStandIn = a.providerStandIn.flatMap { s in v.map { s + $0 } }
            }
            comparisons[key] = a
        }
        var loggedTools: [Slot: (fees: Money, calls: [String: Int64])] = [:]
        for l in logged {
            let g = l.group
            let c = checks[l.provider]!
            let slot = Slot(provider: l.provider, day: l.day)
            let byModel = !usageSlots.contains(slot) || byModelUsage.contains(slot)
            let key = Key(day: l.day, provider: l.provider, model: byModel ? l.model : nil,
                          project: c.refineProject ? g.project : nil, apiKey: c.refineKey ? g.apiKey : nil,
                          tier: c.refineTier ? l.tier : nil, bypass: false)
            var a = comparisons[key] ?? Accumulator()
            var f = UsageFigures(requests: g.requests)
            f.inputTokens = g.inputTokens
            f.cachedInputTokens = g.cachedInputTokens
            f.cacheWrite5mTokens = g.cacheWrite5mTokens
            f.cacheWrite1hTokens = g.cacheWrite1hTokens
            f.outputTokens = g.outputTokens
            f.reasoningTokens = g.reasoningTokens
            a.logged.add(f)
            // Tokens are compared with token rows; tool fees with the tool lines (step 6).
            let fees = Self.toolFees(of: g, book: book)
            a.loggedCost = a.loggedCost + g.cost - fees
            if !g.toolCalls.isEmpty {
                loggedTools[slot, default: (.zero, [:])].fees += fees
                loggedTools[slot]!.calls.merge(g.toolCalls, uniquingKeysWith: +)
            }
            a.loggedUnpriced += g.unpricedRequests
            if g.unpricedRequests > 0 {
                let v = standIn.value(g.unpriced, provider: l.provider, day: l.day, tier: l.tier)
                a.loggedStandIn = a.loggedStandIn.flatMap { s in v.map { s + $0 } }
            }
            comparisons[key] = a
        }
        // A side without rows has no requests, not unknown ones.
        for k in comparisons.keys where !comparisons[k]!.hasProviderRows { comparisons[k]!.provided.requests = 0 }

        // 5. Classes of the usage gap: boundary, then the residual's class.
        pairBoundaries(&comparisons, usageSlots: usageSlots)
        for k in comparisons.keys {
            classify(&comparisons[k]!, key: k, hasUsage: usageSlots.contains(Slot(provider: k.provider, day: k.day)))
        }

        // 6. Cells: bill, logged cost, gap and classes per day × provider × model.
        var cells: [ReconciliationCell] = []
        var nonUsage: [NonUsageLine] = []
        var toolFees: [ToolFeeComparison] = []
        var costsBySlot: [Slot: [ProviderCostRow]] = [:]
        for c in costs { costsBySlot[Slot(provider: c.row.provider, day: Self.dayNumber(c.row.bucketStart)), default: []].append(c.row) }
        var comparisonsBySlot: [Slot: [(Key, Accumulator)]] = [:]
        for (k, a) in comparisons { comparisonsBySlot[Slot(provider: k.provider, day: k.day), default: []].append((k, a)) }
        var estimatedDays: [String: Int] = [:], costOnlyDays: [String: Int] = [:]
        for slot in slots.sorted(by: { ($0.day, $0.provider) < ($1.day, $1.provider) }) {
            let rows = costsBySlot[slot] ?? []
            let hasCost = !rows.isEmpty
            let hasUsage = usageSlots.contains(slot)
            if !hasCost { estimatedDays[slot.provider, default: 0] += 1 }
            if !hasUsage { costOnlyDays[slot.provider, default: 0] += 1 }
            let usageRows = rows.filter { $0.category == .usage }
            let toolRows = rows.filter { $0.category == .tool }
            if hasCost, !toolRows.isEmpty || loggedTools[slot] != nil {
                let billed = toolRows.map(\.amount).sum()
                let logged = loggedTools[slot] ?? (.zero, [:])
                toolFees.append(ToolFeeComparison(day: CivilDate(daysSinceEpoch: slot.day), provider: slot.provider, billed: billed,
                                                  logged: logged.fees, toolCalls: logged.calls,
                                                  withinTolerance: tol.cellAllows(billed - logged.fees, billed: billed)))
            }
            for r in rows where r.category != .usage {
                nonUsage.append(NonUsageLine(day: CivilDate(daysSinceEpoch: slot.day), provider: slot.provider, category: r.category,
                                             lineItem: r.lineItem, model: r.model.map(book.comparisonKey(for:)), amount: r.amount))
            }
            let pooled = (hasUsage && !byModelUsage.contains(slot)) || usageRows.contains { $0.model == nil }
            var billedByModel: [String?: Money] = [:]
            for r in usageRows { billedByModel[pooled ? nil : r.model.map(book.comparisonKey(for:)), default: .zero] += r.amount }
            var groups: [String?: [(Key, Accumulator)]] = [:]
            for (k, a) in comparisonsBySlot[slot] ?? [] { groups[pooled ? nil : k.model, default: []].append((k, a)) }
            for m in billedByModel.keys where groups[m] == nil { groups[m] = [] }
            for (model, members) in groups.sorted(by: { ($0.key ?? "") < ($1.key ?? "") }) {
                cells.append(cell(slot: slot, model: model, members: members, billed: hasCost ? (billedByModel[model] ?? .zero) : nil,
                                  hasUsage: hasUsage))
            }
        }
        for (p, n) in estimatedDays.sorted(by: { $0.key < $1.key }) {
            notes.append("\(p): no cost export for \(n) day(s); the bill there is the exported usage at price-book rates (estimated).")
        }
        for (p, n) in costOnlyDays.sorted(by: { $0.key < $1.key }) {
            notes.append("\(p): no usage export for \(n) day(s); their gaps cannot be classified (unclassified).")
        }
        let unpricedCells = cells.filter { $0.loggedUnpriced > 0 || $0.comparisons.contains { $0.providerBookCost == nil } }
        let unsplit = unpricedCells.filter { $0.classes[.unpriced] != .zero && $0.unpricedRange == nil }
        let ranged = unpricedCells.compactMap(\.unpricedRange)
        if !ranged.isEmpty {
            let r = ranged.reduce(CostRange.zero, +)
            notes.append("Some logged calls have no price (see `tokenledger prices check`): at their provider's lowest and highest rates they cost \(r.low.display())–\(r.high.display()). The unpriced class holds at most that; the rest of each gap is classified as if they were priced (at the median rates of the provider's priced models), and only what they cannot account for is price drift.")
        }
        if !unsplit.isEmpty {
            let names = Set(unsplit.map { $0.model ?? $0.provider }).sorted()
            notes.append("No price for usage of \(names.joined(separator: ", ")) and no priced model of the same provider to bound it: gaps of those cells are not split into classes (unpriced); see `tokenledger prices check`.")
        }

        // 7. Price drift by token kind, gateway cost, totals and rankings.
        let drift = priceDriftLines(costs: costs, usage: usage)
        let gateway = gatewayComparisons(logged: logged, cells: cells)
        return assemble(cells: cells, nonUsage: nonUsage, toolFees: toolFees, drift: drift, gateway: gateway, providers: providers,
                        checks: checks, slots: slots)
    }

    // MARK: Pricing

    /// The price-book value of a provider row; nil when the book has no price for it.
    func bookValue(_ r: ProviderUsageRow, day: Int) -> Money? {
        let date = CivilDate(daysSinceEpoch: day)
        // A display name (a cloud bill's `Claude Sonnet 4.5`) is priced as the model it names.
        guard let model = r.model,
              let entry = book.entry(for: model, on: date) ?? book.entry(for: book.comparisonKey(for: model), on: date),
              let card = entry.card(tier: Reconciliation.tier(batch: r.batch, serviceTier: r.serviceTier),
                                    longContext: Reconciliation.isLongContext(r.contextWindow)),
              let cost = PriceEntry.cost(card: card, input: r.inputTokens, cached: r.cachedInputTokens, write5m: r.cacheWrite5mTokens,
                                         write1h: r.cacheWrite1hTokens, output: r.outputTokens, reasoning: r.reasoningTokens)
        else { return nil }
        return Money(picos: cost)
    }

    // MARK: Classification

    /// Pairs opposite differences on consecutive days of the same comparison: the part that cancels is a
    /// boundary effect (+x on one day, −x on the other, so it nets to zero over the two days).
    ///
    /// A day can border two others; the pairs that cancel best (the smallest remaining volume difference,
    /// then money difference) are taken first, so a day's deficit goes to the neighbour whose surplus mirrors it.
    func pairBoundaries(_ comparisons: inout [Key: Accumulator], usageSlots: Set<Slot>) {
        struct Pair {
            var first: Key
            var second: Key
            var volumeMismatch: UInt64
            var moneyMismatch: UInt128
        }
        var pairs: [Pair] = []
        for (k1, a) in comparisons where !k1.bypass {
            let k2 = k1.on(k1.day + 1)
            guard let b = comparisons[k2], usageSlots.contains(Slot(provider: k1.provider, day: k1.day)),
                  usageSlots.contains(Slot(provider: k1.provider, day: k2.day)),
                  let u1 = a.residual, let u2 = b.residual else { continue }
            let v1 = a.volumeDelta, v2 = b.volumeDelta
            guard (v1 > 0 && v2 < 0) || (v1 < 0 && v2 > 0), (u1.picos > 0 && u2.picos < 0) || (u1.picos < 0 && u2.picos > 0) else { continue }
            pairs.append(Pair(first: k1, second: k2, volumeMismatch: (v1 + v2).magnitude, moneyMismatch: (u1.picos + u2.picos).magnitude))
        }
        pairs.sort {
            ($0.volumeMismatch, $0.moneyMismatch, $0.first.day) < ($1.volumeMismatch, $1.moneyMismatch, $1.first.day)
                || (($0.volumeMismatch, $0.moneyMismatch, $0.first.day) == ($1.volumeMismatch, $1.moneyMismatch, $1.first.day)
                    && Self.order($0.first, $1.first))
        }
        for p in pairs {
            guard var a = comparisons[p.first], var b = comparisons[p.second], let u1 = a.residual, let u2 = b.residual else { continue }
            let v1 = a.volumeDelta - a.claimedVolume, v2 = b.volumeDelta - b.claimedVolume
            guard (v1 > 0 && v2 < 0) || (v1 < 0 && v2 > 0), (u1.picos > 0 && u2.picos < 0) || (u1.picos < 0 && u2.picos > 0) else { continue }
            let x = min(u1.picos.magnitude, u2.picos.magnitude).asInt128 * (u1.picos > 0 ? 1 : -1)
            let y = Int64(min(v1.magnitude, v2.magnitude)) * (v1 > 0 ? 1 : -1)
            a.classes.add(Money(picos: x), to: .boundary)
            b.classes.add(Money(picos: -x), to: .boundary)
            a.claimedMoney = a.claimedMoney + Money(picos: x)
            b.claimedMoney = b.claimedMoney - Money(picos: x)
            a.claimedVolume += y
            b.claimedVolume -= y
            comparisons[p.first] = a
            comparisons[p.second] = b
        }
    }

    /// Gives the residual usage gap of one comparison its class, in the order of METHODS §D.
    func classify(_ a: inout Accumulator, key: Key, hasUsage: Bool) {
        guard hasUsage else { return }
        if key.bypass {
            if let p = a.providerValue { a.classes.add(p, to: .bypass) }
            return
        }
        guard let u = a.residual else { return }
        let known = a.provided.requests != nil && a.hasProviderRows
        if known {
            let dR = a.volumeDelta - a.claimedVolume
            if dR > tol.requests { a.classes.add(u, to: .unloggedAttempts); return }
            if dR < -tol.requests { a.classes.add(u, to: .loggedNotBilled); return }
        }
        let tokensDiffer = zip(a.provided.kinds, a.logged.kinds).contains { ($0.1 &- $1.1).magnitude > tol.tokens.magnitude }
        guard tokensDiffer else { return }  // same usage: what remains is a matter of price
        if !known && a.hasProviderRows && (a.logged.requests ?? 0) == 0 {
            a.classes.add(u, to: .unloggedAttempts)
        } else if !a.hasProviderRows {
            a.classes.add(u, to: .loggedNotBilled)
        } else {
            a.classes.add(u, to: .tokenMismatch)
        }
    }

    /// One cell from its comparisons and bill.
    func cell(slot: Slot, model: String?, members: [(Key, Accumulator)], billed: Money?, hasUsage: Bool) -> ReconciliationCell {
        var provided = UsageFigures(requests: 0), loggedFigures = UsageFigures(requests: 0)
        var providerBook: Money? = .zero
        var loggedCost = Money.zero
        var loggedUnpriced: Int64 = 0
        var loggedStandIn: CostRange? = .zero
        var valued = true
        var usageClasses = GapAmounts()
        var comparisons: [UsageComparison] = []
        for (k, a) in members.sorted(by: { Self.order($0.0, $1.0) }) {
            if a.hasProviderRows { provided.add(a.provided) }
            loggedFigures.add(a.logged)
            if a.hasProviderRows { providerBook = providerBook.flatMap { b in a.providerBook.map { b + $0 } } }
            loggedCost = loggedCost + a.loggedCost
            loggedUnpriced += a.loggedUnpriced
            loggedStandIn = loggedStandIn.flatMap { s in a.loggedStandIn.map { s + $0 } }
            if a.hasProviderRows && a.providerValue == nil { valued = false }
            usageClasses.add(a.classes)
            comparisons.append(UsageComparison(
                day: CivilDate(daysSinceEpoch: k.day), provider: k.provider, model: k.model, project: k.project, apiKey: k.apiKey,
                tier: k.tier, bypass: k.bypass, provided: a.hasProviderRows ? a.provided : UsageFigures(requests: 0), logged: a.logged,
                providerBookCost: a.hasProviderRows ? a.providerBook : .zero, loggedCost: a.loggedPriced, classes: a.classes))
        }
        if !hasUsage { provided.requests = nil }
        // Unpriced usage that stand-in rates cannot value leaves the whole gap unsplit, and so does a cell with
        // no priced usage at all: its price drift would only measure the stand-in rates.
        if loggedStandIn == nil { valued = false }
        if !members.contains(where: { $0.1.providerPriced != .zero || $0.1.loggedCost != .zero }),
           members.contains(where: { $0.1.providerUnpricedRows > 0 || $0.1.loggedUnpriced > 0 }) {
            valued = false
        }
        var bill = billed
        var basis: BilledBasis = billed == nil ? .unknown : .costExport
        if bill == nil, hasUsage, let p = providerBook {
            bill = p
            basis = .estimated
        }
        var classes = GapAmounts()
        var unpricedRange: CostRange?
        if let bill {
            if !hasUsage {
                classes.add(bill - loggedCost, to: .unclassified)
            } else if !valued {
                classes.add(bill - loggedCost, to: .unpriced)
            } else {
                // The unpriced logged calls take as much of what is left after the usage classes as they can
                // cost (between their tokens at the provider's lowest and highest rates); only the rest is price
                // drift. The usage classes were found as if they were priced (at the median rates).
                let u = loggedStandIn ?? .zero
                let rest = bill - loggedCost - usageClasses.total
                let unpriced = loggedUnpriced > 0 ? min(max(rest, u.low), u.high) : .zero
                if loggedUnpriced > 0 { unpricedRange = u }
                classes = usageClasses
                classes.add(unpriced, to: .unpriced)
                classes.add(rest - unpriced, to: .priceDrift)
            }
        }
        let gap = bill.map { $0 - loggedCost }
        let within = gap.map { tol.cellAllows($0, billed: bill!) } ?? false
        var explained = Money.zero
        if let bill {
            explained = within ? bill : min(bill, loggedCost + classes[.boundary])
            if explained.picos < 0 { explained = .zero }
        }
        let dayEnd = Int64(slot.day + 1) * Self.dayMs
        return ReconciliationCell(
            day: CivilDate(daysSinceEpoch: slot.day), provider: slot.provider, model: model, billed: bill, billedBasis: basis,
            providerBookCost: hasUsage ? providerBook : nil, loggedCost: loggedCost, loggedUnpriced: loggedUnpriced,
            provided: provided, logged: loggedFigures, gap: gap, classes: classes, unpricedRange: unpricedRange,
            withinTolerance: within,
            provisional: dayEnd > asOf.milliseconds - tol.openHours * 3_600_000, explained: explained, comparisons: comparisons)
    }

    static func order(_ a: Key, _ b: Key) -> Bool {
        func t(_ k: Key) -> [String] {
            [k.model ?? "", k.bypass ? "1" : "0", k.project ?? "", k.apiKey ?? "", k.tier.map { String($0.sortOrder) } ?? ""]
        }
        return t(a).lexicographicallyPrecedes(t(b))
    }

    // MARK: Price drift by token kind

    func priceDriftLines(costs: [ProviderCostRecord], usage: [UsageItem]) -> [PriceDriftLine] {
        struct LineKey: Hashable {
            var day: Int
            var provider: String
            var model: String
            var kind: ProviderTokenKind
            var tier: PricingTier
            var long: Bool
        }
        struct UsageKey: Hashable {
            var day: Int
            var provider: String
            var model: String
            var tier: PricingTier
            var long: Bool
        }
        var usageTokens: [UsageKey: UsageFigures] = [:]
        for u in usage {
            guard let m = u.model else { continue }
            let r = u.record.row
            var f = UsageFigures(requests: nil)
            f.inputTokens = r.inputTokens
            f.cachedInputTokens = r.cachedInputTokens
            f.cacheWrite5mTokens = r.cacheWrite5mTokens
            f.cacheWrite1hTokens = r.cacheWrite1hTokens
            f.outputTokens = r.outputTokens
            usageTokens[UsageKey(day: u.day, provider: r.provider, model: m, tier: Reconciliation.tier(batch: r.batch, serviceTier: r.serviceTier),
                                 long: Reconciliation.isLongContext(r.contextWindow)), default: UsageFigures(requests: nil)].add(f)
        }
        var lines: [LineKey: (billed: Money, quantity: Int64?, rawModel: String)] = [:]
        for c in costs {
            let r = c.row
            guard r.category == .usage, let kind = r.tokenKind, let raw = r.model else { continue }
            let key = LineKey(day: Self.dayNumber(r.bucketStart), provider: r.provider, model: book.comparisonKey(for: raw), kind: kind,
                              tier: Reconciliation.tier(batch: nil, serviceTier: r.serviceTier),
                              long: Reconciliation.isLongContext(r.contextWindow))
            var e = lines[key] ?? (.zero, 0, raw)
            e.billed = e.billed + r.amount
            e.quantity = e.quantity.flatMap { q in r.quantityTokens.map { q + $0 } }
            lines[key] = e
        }
        var out: [PriceDriftLine] = []
        for (k, e) in lines {
            let tokens = e.quantity ?? usageTokens[UsageKey(day: k.day, provider: k.provider, model: k.model, tier: k.tier, long: k.long)]?
                .tokens(k.kind) ?? 0
            guard tokens > 0 else { continue }
            let day = CivilDate(daysSinceEpoch: k.day)
            let rate = book.entry(for: e.rawModel, on: day)?.card(tier: k.tier, longContext: k.long).map { k.kind.rate(in: $0) }
            let bookCost = rate.flatMap { $0.cost(of: tokens) }.map { Money(picos: $0) }
            let difference = bookCost.map { e.billed - $0 }
            out.append(PriceDriftLine(
                day: day, provider: k.provider, model: k.model, kind: k.kind, tier: k.tier, longContext: k.long, billed: e.billed,
                tokens: tokens, impliedPerMillion: Self.perMillion(e.billed, tokens: tokens),
                bookPerMillion: rate.map { Money(picos: Int128($0.picosPerToken) * 1_000_000) }, bookCost: bookCost,
                difference: difference, outsideTolerance: difference.map { !tol.cellAllows($0, billed: e.billed) } ?? true))
        }
        return out.sorted {
            ($0.day, $0.provider, $0.model, $0.tier.sortOrder, $0.longContext ? 1 : 0, $0.kind.order)
                < ($1.day, $1.provider, $1.model, $1.tier.sortOrder, $1.longContext ? 1 : 0, $1.kind.order)
        }
    }

    /// Dollars per 1M tokens for `amount` over `tokens`, rounded half to even at the picodollar.
    static func perMillion(_ amount: Money, tokens: Int64) -> Money {
        let n = amount.picos * 1_000_000
        let d = Int128(tokens)
        var q = n / d
        let r = n % d
        let twice = (r < 0 ? -r : r) * 2
        if twice > d || (twice == d && q % 2 != 0) { q += n < 0 ? -1 : 1 }
        return Money(picos: q)
    }

    // MARK: Gateway cost

    func gatewayComparisons(logged: [LoggedItem], cells: [ReconciliationCell]) -> [GatewayCostComparison] {
        struct GKey: Hashable {
            var day: Int
            var provider: String
            var model: String
        }
        var sums: [GKey: (calls: Int64, gateway: Money, book: Money, unpriced: Int64)] = [:]
        for l in logged where l.group.gatewayRequests > 0 {
            var e = sums[GKey(day: l.day, provider: l.provider, model: l.model)] ?? (0, .zero, .zero, 0)
            e.calls += l.group.gatewayRequests
            e.gateway = e.gateway + l.group.gatewayCost
            e.book = e.book + l.group.gatewayBookCost
            e.unpriced += l.group.gatewayUnpriced
            sums[GKey(day: l.day, provider: l.provider, model: l.model)] = e
        }
        var billed: [GKey: Money] = [:]
        for c in cells { if let m = c.model, let b = c.billed { billed[GKey(day: c.day.daysSinceEpoch, provider: c.provider, model: m)] = b } }
        return sums.map { k, e in
            let book: Money? = e.unpriced == 0 ? e.book : nil
            return GatewayCostComparison(
                day: CivilDate(daysSinceEpoch: k.day), provider: k.provider, model: k.model, calls: e.calls, gatewayCost: e.gateway,
                bookCost: book, billed: billed[k], disagrees: book.map { !tol.cellAllows(e.gateway - $0, billed: $0) } ?? true)
        }.sorted { ($0.day, $0.provider, $0.model) < ($1.day, $1.provider, $1.model) }
    }

    /// The price-book fees of a group's tool uses (part of its cost): each tool's uses at the fee of the
    /// entry that priced the group's model on its day.
    static func toolFees(of g: LoggedUsageGroup, book: PriceBook) -> Money {
        guard !g.toolCalls.isEmpty, let entry = book.entry(for: g.model, on: g.day) else { return .zero }
        var total = Money.zero
        for (tool, n) in g.toolCalls { if let fee = entry.toolFees[tool]?.cost(of: n) { total = total + Money(picos: fee) } }
        return total
    }

    // MARK: Totals

    func assemble(cells: [ReconciliationCell], nonUsage: [NonUsageLine], toolFees: [ToolFeeComparison], drift: [PriceDriftLine],
                  gateway: [GatewayCostComparison], providers: [String], checks: [String: ProviderChecks],
                  slots: Set<Slot>) -> ReconciliationResult {
        func totals(_ cells: [ReconciliationCell], _ lines: [NonUsageLine], _ tools: [ToolFeeComparison]) -> ReconciliationTotals {
            var t = ReconciliationTotals()
            for c in cells {
                t.billedUsage = t.billedUsage + (c.billed ?? .zero)
                t.logged = t.logged + c.loggedCost
                t.explained = t.explained + c.explained
                if c.billedBasis == .estimated { t.estimatedCells += 1 }
                if c.billedBasis == .unknown { t.unknownCells += 1 }
                t.gap = t.gap + (c.gap ?? .zero)
                if c.withinTolerance { t.withinTolerance = t.withinTolerance + (c.gap ?? .zero) } else { t.byClass.add(c.classes) }
                if !c.withinTolerance, let u = c.unpricedRange { t.unpricedRange = (t.unpricedRange ?? .zero) + u }
                if !c.withinTolerance, c.classes[.boundary].picos > 0 { t.boundaryShifted = t.boundaryShifted + c.classes[.boundary] }
            }
            for l in lines {
                t.nonUsage = t.nonUsage + l.amount
                // Tool lines are compared with the logged fees below.
                if l.category != .tool { t.byClass.add(l.amount, to: .nonUsage) }
            }
            for c in tools {
                t.loggedToolFees = t.loggedToolFees + c.logged
                t.gap = t.gap + c.gap
                t.billedTools = t.billedTools + c.billed
                if c.withinTolerance { t.withinTolerance = t.withinTolerance + c.gap } else { t.byClass.add(c.gap, to: .toolFees) }
            }
            return t
        }
        func knownGap(_ cells: [ReconciliationCell]) -> Money { cells.compactMap(\.gap).sum() }
        func billedKnown(_ cells: [ReconciliationCell]) -> Money { cells.compactMap(\.billed).sum() }

        let total = totals(cells, nonUsage, toolFees)
        var perProvider: [ProviderReconciliation] = []
        for p in providers {
            let pc = cells.filter { $0.provider == p }
            let c = checks[p]!
            perProvider.append(ProviderReconciliation(
                provider: p, totals: totals(pc, nonUsage.filter { $0.provider == p }, toolFees.filter { $0.provider == p }),
                days: slots.filter { $0.provider == p }.map { CivilDate(daysSinceEpoch: $0.day) }.sorted(),
                bypassByKey: c.keyCheck, bypassByProject: c.projectCheck, refinedBy: c.refinedBy,
                withinTolerance: tol.totalAllows(knownGap(pc), billed: billedKnown(pc))))
        }

        func ranking(_ name: (ReconciliationCell) -> String?, _ lineName: (NonUsageLine) -> String?,
                     _ toolName: (ToolFeeComparison) -> String?) -> [GapRanking] {
            var byName: [String: GapRanking] = [:]
            for c in cells {
                guard let n = name(c) else { continue }
                var r = byName[n] ?? GapRanking(name: n, billed: .zero, unexplained: .zero, byClass: GapAmounts())
                r.billed = r.billed + (c.billed ?? .zero)
                if !c.withinTolerance {
                    r.byClass.add(c.classes)
                    r.unexplained = r.unexplained + c.classes.unexplained
                }
                byName[n] = r
            }
            func add(_ name: String?, billed: Money, amount: Money, to gapClass: GapClass) {
                guard let n = name else { return }
                var r = byName[n] ?? GapRanking(name: n, billed: .zero, unexplained: .zero, byClass: GapAmounts())
                r.billed = r.billed + billed
                r.byClass.add(amount, to: gapClass)
                r.unexplained = r.unexplained + amount
                byName[n] = r
            }
            for t in toolFees where !t.withinTolerance { add(toolName(t), billed: t.billed, amount: t.gap, to: .toolFees) }
            for l in nonUsage where l.category != .tool { add(lineName(l), billed: l.amount, amount: l.amount, to: .nonUsage) }
            return byName.values.filter { $0.unexplained != .zero }
                .sorted { ($0.unexplained.picos.magnitude, $1.name) > ($1.unexplained.picos.magnitude, $0.name) }
                .prefix(max(0, tol.ranked)).map { $0 }
        }

        return ReconciliationResult(
            period: input.period, asOf: asOf, tolerances: tol, totals: total,
            withinTolerance: tol.totalAllows(knownGap(cells), billed: billedKnown(cells)),
            providers: perProvider,
            cells: cells.sorted { ($0.day, $0.provider, $0.model ?? "") < ($1.day, $1.provider, $1.model ?? "") },
            priceDrift: drift, gateway: gateway,
            nonUsage: nonUsage.sorted { ($0.day, $0.provider, $0.category.rawValue, $0.lineItem ?? "") < ($1.day, $1.provider, $1.category.rawValue, $1.lineItem ?? "") },
            toolFees: toolFees,
            topDays: ranking({ $0.day.description }, { $0.day.description }, { $0.day.description }),
            topModels: ranking({ $0.model }, { $0.model }, { _ in nil }),
            coveredDays: Set(slots.map(\.day)).sorted().map { CivilDate(daysSinceEpoch: $0) },
            notes: notes)
    }

    // MARK: Notes

    mutating func noteSetAside(_ aside: [ExportSelection<ProviderUsageRecord>.SetAside: (rows: Int, days: Set<Int>)], kind: String) {
        for (k, v) in aside.sorted(by: { ($0.key.provider, $0.key.source) < ($1.key.provider, $1.key.source) }) {
            notes.append(setAsideText(provider: k.provider, source: k.source, rows: v.rows, days: v.days.count, kind: kind))
        }
    }

    mutating func noteSetAside(_ aside: [ExportSelection<ProviderCostRecord>.SetAside: (rows: Int, days: Set<Int>)], kind: String) {
        for (k, v) in aside.sorted(by: { ($0.key.provider, $0.key.source) < ($1.key.provider, $1.key.source) }) {
            notes.append(setAsideText(provider: k.provider, source: k.source, rows: v.rows, days: v.days.count, kind: kind))
        }
    }

    func setAsideText(provider: String, source: Int64, rows: Int, days: Int, kind: String) -> String {
        let path = input.sourcePaths[source] ?? "source \(source)"
        return "\(provider): \(rows) \(kind) row(s) from \(path) on \(days) day(s) set aside: another export of the same day(s) in a different shape (bucket width or grouping) is used, so the usage is not counted twice."
    }

    mutating func noteBucketShapes(_ usageStarts: [Timestamp], _ usageWidths: [Int64], _ costStarts: [Timestamp], _ costWidths: [Int64]) {
        var misaligned = 0, spanning = 0
        for (s, w) in zip(usageStarts + costStarts, usageWidths + costWidths) {
            let offset = s.milliseconds - Int64(Self.dayNumber(s)) * Self.dayMs
            if w >= Self.dayMs && offset != 0 { misaligned += 1 }
            if offset + w > Self.dayMs { spanning += 1 }
        }
        if misaligned > 0 {
            notes.append("\(misaligned) daily bucket(s) do not start at UTC midnight; each counts on the UTC day it starts, which shows up as boundary gaps.")
        }
        if spanning > misaligned {
            notes.append("\(spanning - misaligned) bucket(s) span more than one UTC day; each counts on the day it starts.")
        }
    }
}

extension ProviderTokenKind {
    /// Position in listings: input, cached, writes, output.
    var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

extension UInt128 {
    /// The value as a signed 128-bit integer (magnitudes of money always fit).
    var asInt128: Int128 { Int128(truncatingIfNeeded: self) }
}

import LedgerValues
import LedgerPricing
import Foundation
