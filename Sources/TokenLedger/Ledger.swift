import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerReport
import LedgerStore
import LedgerValues

/// What TokenLedger does, one entry per use case: import, summary, audit, explain, reconcile, what-if,
/// export. The command-line tool parses its options into these requests, calls one entry, renders the
/// result and maps it to an exit status; the tests call the same entries. Every entry that reads runs
/// in one snapshot of the database, however an import goes on meanwhile.
public struct Ledger {
    public let db: Database

    public init(db: Database) {
        self.db = db
    }

    /// Why a use case could not run (a message for the user).
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The database holds no requests.
        case noRequests
        /// No provider exports are stored (for the providers asked, when some were).
        case noProviderExports(providers: [String])
        /// What-if scenarios that cannot be run on this data, one problem each.
        case unusableScenarios([String])
        /// No price entry matches the model asked for.
        case noPriceEntry(model: String)

        public var description: String {
            switch self {
            case .noRequests: "the database holds no requests; run `tokenledger import` first"
            case let .noProviderExports(providers):
                "no provider exports imported\(providers.isEmpty ? "" : " for \(providers.joined(separator: ", "))"); import them first (docs/provider-exports.md) or pass --from and --to"
            case let .unusableScenarios(problems): problems.joined(separator: "\n")
            case let .noPriceEntry(model): "no price entry matches model `\(model)`"
            }
        }
    }

    /// The days of the stored requests in the zone (all days when there are none): what an open end of a
    /// span of days runs to.
    func allDays(in zone: TimeZone) throws -> Period {
        let span = try RequestScan(db: db).dataSpan()
        return Period(first: span?.lowerBound.day(in: zone) ?? CivilDate(year: 1970, month: 1, day: 1),
                      last: span?.upperBound.day(in: zone) ?? CivilDate(year: 9999, month: 12, day: 31))
    }

    /// The stored requests' first and last call.
    func requestSpan() throws -> ClosedRange<Timestamp> {
        guard let span = try RequestScan(db: db).dataSpan() else { throw Failure.noRequests }
        return span
    }
}

/// The period a use case reads: what the use case takes by default, a given period (a week or a month
/// keeps its label), or days with either end open to the default's (`--from` alone).
public enum PeriodRequest: Sendable, Equatable {
    case `default`
    case exactly(Period)
    case days(first: CivilDate?, last: CivilDate?)

    public var isDefault: Bool {
        switch self {
        case .default, .days(nil, nil): true
        default: false
        }
    }

    /// The period: what is given, the rest from `fallback` (evaluated only when needed).
    public func resolve(or fallback: () throws -> Period) throws -> Period {
        switch self {
        case let .exactly(p): return p
        case .default, .days(nil, nil): return try fallback()
        case let .days(first, last):
            let f = try first ?? fallback().first, l = try last ?? fallback().last
            guard f <= l else { throw PeriodRequestError(first: f, last: l) }
            return Period(first: f, last: l)
        }
    }
}

/// A period whose first day is after its last.
public struct PeriodRequestError: Error, CustomStringConvertible {
    public var first: CivilDate
    public var last: CivilDate
    public var description: String { "--from \(first) is after --to \(last)" }
}

// MARK: Import

extension Ledger {
    /// Imports files (or `-` for standard input) with the stored price book. `configure` sees the importer
    /// before it runs (progress, the stop a signal requests).
    public func importFiles(_ paths: [String], options: ImportOptions, configure: (Importer) -> Void = { _ in }) throws -> ImportSummary {
        let importer = try Importer(database: db, prices: try PriceStore(db: db).loadBook(), options: options)
        configure(importer)
        return try importer.run(paths: paths)
    }
}

// MARK: Summary

/// What `summary` groups, over which days.
public struct SummaryRequest: Sendable {
    /// Nil ends run to the ends of the data; both nil: all of it.
    public var period: PeriodRequest
    public var dimensions: [SummaryDimension]
    public var zone: TimeZone
    public var zoneName: String

    public init(period: PeriodRequest = .default, dimensions: [SummaryDimension], zone: TimeZone, zoneName: String) {
        self.period = period
        self.dimensions = dimensions
        self.zone = zone
        self.zoneName = zoneName
    }
}

extension Ledger {
    public func summary(_ q: SummaryRequest) throws -> UsageSummary {
        try db.readTransaction {
            let scan = RequestScan(db: db)
            var period: Period?
            if !q.period.isDefault {
                period = try q.period.resolve { try allDays(in: q.zone) }
            }
            let labels = try SummaryLabelQuery(db: db).labels(for: q.dimensions, book: try PriceStore(db: db).storedBook())
            var builder = UsageSummary.Builder(dimensions: q.dimensions, labels: labels, zone: q.zone, zoneName: q.zoneName)
            try scan.forEach(in: period?.interval(in: q.zone)) { builder.add($0) }
            return builder.build(period: period)
        }
    }
}

// MARK: Audit

/// What `report` audits: a period (default: the last complete ISO week of the data) against a budget.
public struct AuditRequest: Sendable {
    public var period: PeriodRequest
    public var zone: TimeZone
    public var zoneName: String
    public var budget: Budget?

    public init(period: PeriodRequest = .default, zone: TimeZone, zoneName: String, budget: Budget? = nil) {
        self.period = period
        self.zone = zone
        self.zoneName = zoneName
        self.budget = budget
    }
}

extension Ledger {
    /// The audit of the period, with the reconciliation of the providers' bills when their exports cover it.
    public func audit(_ q: AuditRequest) throws -> AuditResult {
        try db.readTransaction {
            let span = try requestSpan()
            let period = try q.period.resolve { ReportPeriods.lastCompleteWeek(dataEnd: span.upperBound, zone: q.zone) }
            let book = try PriceStore(db: db).storedBook()
            var r = Audit.run(try AuditLoader(db: db).load(period: period, zone: q.zone, zoneName: q.zoneName, budget: q.budget, prices: book))
            // Without provider exports for the period there is nothing to reconcile (and no need to add up
            // its calls once more). "Now" is the last stored call, so the same data always gives the same report.
            guard try ProviderExportStore(db: db).hasRows(in: period.interval(in: TimeZone(identifier: "UTC")!)) else { return r }
            let reconciliation = Reconciliation.run(try ReconciliationInput.load(db: db, period: period, book: book),
                                                    providers: nil, tolerances: ReconciliationTolerances(),
                                                    asOf: max(r.dataEnd, period.last.adding(days: 1).start(in: q.zone)))
            if reconciliation.hasProviderData { r.reconciliation = reconciliation }
            return r
        }
    }
}

// MARK: Explain

/// What `explain` compares: two periods (default: the last complete week against the one before; a
/// lone base is compared with the period after it), the dimension of the breakdown, a budget for tiers.
public struct ExplainRequest: Sendable {
    public var base: Period?
    public var compare: Period?
    public var by: BillChangeDimension
    public var top: Int
    /// Compare average daily cost (on anyway when the periods' days with data differ).
    public var perDay: Bool
    public var zone: TimeZone
    public var zoneName: String
    public var budget: Budget?
    /// Read the request rows instead of the rollups (the two must agree; for checking that they do).
    var readsRequestRows = false

    public init(base: Period? = nil, compare: Period? = nil, by: BillChangeDimension = .workflow, top: Int = 10, perDay: Bool = false,
                zone: TimeZone, zoneName: String, budget: Budget? = nil) {
        self.base = base
        self.compare = compare
        self.by = by
        self.top = top
        self.perDay = perDay
        self.zone = zone
        self.zoneName = zoneName
        self.budget = budget
    }
}

extension Ledger {
    /// Why the bill changed between the two periods, as an exact additive breakdown.
    public func explain(_ q: ExplainRequest) throws -> BillChangeReport {
        try db.readTransaction {
            let span = try requestSpan()
            let (basePeriod, comparePeriod, chosen) = try BillChangeAnalysis.periods(
                base: q.base, compare: q.compare,
                defaultCompare: { ReportPeriods.lastCompleteWeek(dataEnd: span.upperBound, zone: q.zone) })
            let loader = BillChangeLoader(db: db)
            var b = try loader.load(basePeriod, zone: q.zone, forceRawRows: q.readsRequestRows)
            var c = try loader.load(comparePeriod, zone: q.zone, forceRawRows: q.readsRequestRows)
            let prepared = BillChangeAnalysis.prepare(base: &b, compare: &c, basePeriod: basePeriod, comparePeriod: comparePeriod,
                                                      dataFirst: span.lowerBound.day(in: q.zone), dataLast: span.upperBound.day(in: q.zone),
                                                      perDay: q.perDay)
            let book = try PriceStore(db: db).storedBook()
            let (names, spellings) = BillChangeAnalysis.groupedModels(base: &b, compare: &c, names: try NameDirectory(db: db), book: book,
                                                                      dimension: q.by)
            let d = BillChangeAnalysis.decompose(base: b, compare: c, perDay: prepared.perDay)
            let context = try loader.context(comparePeriod, zone: q.zone, budget: q.budget, prices: book)
            return BillChangeReport.make(d, base: basePeriod, compare: comparePeriod, zoneName: q.zoneName,
                                         dimension: q.by, names: names,
                                         modelTiers: context.modelTiers, fallbackReasons: context.fallbackReasons, top: q.top,
                                         periodNotes: chosen + prepared.notes, modelSpellings: spellings)
        }
    }
}

// MARK: Reconcile

/// What `reconcile` compares: UTC days (default: the days the providers' exports cover), the providers
/// (empty: all), the tolerances, and the instant taken as now.
public struct ReconcileRequest: Sendable {
    public var period: PeriodRequest
    public var providers: [String]
    public var tolerances: ReconciliationTolerances
    /// Nil: the current time.
    public var asOf: Timestamp?

    public init(period: PeriodRequest = .default, providers: [String] = [], tolerances: ReconciliationTolerances = ReconciliationTolerances(),
                asOf: Timestamp? = nil) {
        self.period = period
        self.providers = providers
        self.tolerances = tolerances
        self.asOf = asOf
    }
}

extension Ledger {
    /// The providers' bills against the logs.
    public func reconcile(_ q: ReconcileRequest) throws -> ReconciliationResult {
        try db.readTransaction {
            let book = try PriceStore(db: db).storedBook()
            let period = try q.period.resolve { try exportSpan(providers: q.providers) }
            let now = q.asOf ?? Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
            let input = try ReconciliationInput.load(db: db, period: period, book: book)
            return Reconciliation.run(input, providers: q.providers.isEmpty ? nil : Set(q.providers), tolerances: q.tolerances, asOf: now)
        }
    }

    /// The days the providers' exports cover, all providers' spans together.
    func exportSpan(providers: [String]) throws -> Period {
        let store = ProviderExportStore(db: db)
        var span: ClosedRange<CivilDate>?
        for p in providers.isEmpty ? [nil] : providers.map(Optional.some) {
            if let s = try store.dataSpan(provider: p) {
                span = span.map { min($0.lowerBound, s.lowerBound)...max($0.upperBound, s.upperBound) } ?? s
            }
        }
        guard let span else { throw Failure.noProviderExports(providers: providers) }
        return Period(first: span.lowerBound, last: span.upperBound)
    }
}

// MARK: What-if

/// What `whatif` replays: a period (default: the last complete ISO week) under scenarios, against the
/// routing table in force.
public struct WhatIfRequest: Sendable {
    public var period: PeriodRequest
    public var zone: TimeZone
    public var zoneName: String
    public var scenarios: [WhatIfScenario]
    public var baseline: Budget?

    public init(period: PeriodRequest = .default, zone: TimeZone, zoneName: String, scenarios: [WhatIfScenario], baseline: Budget? = nil) {
        self.period = period
        self.zone = zone
        self.zoneName = zoneName
        self.scenarios = scenarios
        self.baseline = baseline
    }
}

extension Ledger {
    /// The period's traffic re-priced and re-routed under each scenario, beside what it cost.
    public func whatIf(_ q: WhatIfRequest) throws -> WhatIfResult {
        try db.readTransaction {
            let span = try requestSpan()
            let period = try q.period.resolve { ReportPeriods.lastCompleteWeek(dataEnd: span.upperBound, zone: q.zone) }
            let loader = WhatIfLoader(db: db)
            let context = try loader.context(period: period, zoneName: q.zoneName, baseline: q.baseline)
            let problems = WhatIf.problems(scenarios: q.scenarios, context: context)
            guard problems.isEmpty else { throw Failure.unusableScenarios(problems) }
            let interval = period.interval(in: q.zone)
            var observations = WhatIfObservations.Builder(context: context)
            try loader.forEachAction(in: interval) { observations.add($0) }
            var replay = WhatIfReplay(context: context, observations: observations.build(), scenarios: q.scenarios)
            try loader.forEachAction(in: interval) { replay.add($0) }
            return replay.result()
        }
    }
}

// MARK: Export

/// What `export focus` writes: UTC days (default: all of the data) and the billing account of its rows.
public struct FocusExportRequest: Sendable {
    public var period: PeriodRequest
    public var options: FocusExport.Options

    public init(period: PeriodRequest = .default, options: FocusExport.Options = .init()) {
        self.period = period
        self.options = options
    }
}

extension Ledger {
    /// The stored usage as FOCUS rows, with what they were made from (for the summary of what was left out).
    public func focusExport(_ q: FocusExportRequest) throws -> (usage: FocusUsageSet, rows: [FocusExport.Row]) {
        try db.readTransaction {
            var period: Period?
            if !q.period.isDefault, let span = try RequestScan(db: db).dataSpan() {
                period = try q.period.resolve { Period(first: span.lowerBound.utcDay, last: span.upperBound.utcDay) }
            }
            let usage = try FocusQuery(db: db).load(period: period)
            return (usage, FocusExport.rows(usage, options: q.options))
        }
    }
}

// MARK: Rejects

extension Ledger {
    /// The stored rejects, optionally of sources whose path contains `source` and of one reason code;
    /// `limit` 0 for all.
    public func rejects(source: String? = nil, reason: String? = nil, limit: Int = 50) throws -> (rows: [RejectRecord], total: Int64) {
        try db.readTransaction { try RejectList.read(db: db, source: source, reason: reason, limit: limit) }
    }
}

// MARK: Prices

extension Ledger {
    /// Stores price entries over the book in force, and says what they changed.
    public func importPrices(_ entries: [PriceEntry]) throws -> PriceBookChanges {
        let store = PriceStore(db: db)
        let changes = try store.loadBook().changes(importing: entries)
        try db.transaction { _ = try store.save(changes.entries, origin: .user) }
        return changes
    }

    /// What importing the entries would change, without storing them.
    public func priceChanges(importing entries: [PriceEntry]) throws -> PriceBookChanges {
        try PriceStore(db: db).storedBook().changes(importing: entries)
    }

    /// The book's entries, or those of one model (matched as at import: aliases, prefixes, dated snapshots).
    public func priceEntries(model: String? = nil) throws -> [PriceEntry] {
        let book = try PriceStore(db: db).loadBook()
        guard let model else { return book.entries }
        guard let match = book.match(model) else { throw Failure.noPriceEntry(model: model) }
        return book.history(of: match.model)
    }

    /// The models with unpriced requests.
    public func unpricedModels() throws -> [UnpricedModel] {
        try UnpricedModels.read(db: db, book: try PriceStore(db: db).loadBook())
    }

    /// Prices the stored requests of the days again (nil ends: to the ends of the data) with the book in force.
    public func reprice(period: PeriodRequest = .default, zone: TimeZone) throws -> Repricer.Result {
        let book = try PriceStore(db: db).loadBook()
        var interval: Range<Timestamp>?
        if !period.isDefault { interval = try period.resolve { try allDays(in: zone) }.interval(in: zone) }
        return try Repricer(db: db, book: book).run(in: interval)
    }
}
