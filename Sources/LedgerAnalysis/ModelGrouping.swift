import LedgerPricing
import LedgerValues

/// Logged model names grouped as one model by the price book's identity of each
/// (``PriceBook/identity(of:)``): `claude-sonnet-4-5`, `anthropic/claude-sonnet-4-5` and
/// `claude-sonnet-4-5-20250929` are one model. A name the book does not know is a model of its own.
public struct ModelGrouping: Sendable {
    /// Each logged model id's group: the smallest id of its identity.
    public var groupOf: [Int64: Int64] = [:]
    /// Each group's name: the identity.
    public var name: [Int64: String] = [:]
    /// Each group's logged names, sorted.
    public var loggedNames: [Int64: [String]] = [:]

    /// Groups `names` (model id → logged name) by `identity` (nil: the name is its own identity).
    public init(names: [Int64: String], identity: (String) -> String?) {
        var byIdentity: [String: [Int64]] = [:]
        for (id, logged) in names { byIdentity[identity(logged) ?? logged, default: []].append(id) }
        for (identity, ids) in byIdentity {
            let group = ids.min()!
            for id in ids { groupOf[id] = group }
            name[group] = identity
            loggedNames[group] = ids.compactMap { names[$0] }.sorted()
        }
    }

    /// The group of a model id (the id itself when it is not known).
    public func group(_ id: Int64) -> Int64 { groupOf[id] ?? id }

    /// The logged names of a model id's group when it has more than one, else nil.
    public func otherSpellings(_ id: Int64) -> [String]? {
        guard let names = loggedNames[group(id)], names.count > 1 else { return nil }
        return names
    }

    /// `directory` with each group's name in place of its models' logged names.
    public func naming(_ directory: NameDirectory) -> NameDirectory {
        var names = directory.names
        var models = names[.model] ?? [:]
        for (id, group) in groupOf { models[id] = name[group] ?? models[id] }
        names[.model] = models
        return NameDirectory(names)
    }
}

extension BillChangeAnalysis {
    /// Groups both periods' models by the price book's identity unless the report is by logged model
    /// name; returns the names to report with (each group under its identity) and each model's logged
    /// names when it has several (identity → names, for ``BillChangeReport``'s `modelSpellings`).
    public static func groupedModels(base: inout BillChangePeriod, compare: inout BillChangePeriod, names: NameDirectory,
                                     book: PriceBook, dimension: BillChangeDimension) -> (names: NameDirectory, spellings: [String: [String]]) {
        guard dimension != .modelName else { return (names, [:]) }
        let grouping = ModelGrouping(names: names.all(.model), identity: { book.identity(of: $0) })
        base = base.merging(grouping)
        compare = compare.merging(grouping)
        var spellings: [String: [String]] = [:]
        for (group, logged) in grouping.loggedNames where logged.count > 1 { spellings[grouping.name[group] ?? ""] = logged }
        return (grouping.naming(names), spellings)
    }
}

extension BillChangePeriod {
    /// The period with the cells of one model group added up under the group's id.
    public func merging(_ models: ModelGrouping) -> BillChangePeriod {
        var p = self
        var cells: [BillChangeCellKey: BillChangeCellUsage] = [:]
        for (key, usage) in self.cells {
            var k = key
            k.modelID = models.group(key.modelID)
            cells[k, default: BillChangeCellUsage()].add(usage)
        }
        p.cells = cells
        return p
    }
}

extension BillChangeCellUsage {
    /// Adds another cell's usage.
    public mutating func add(_ u: BillChangeCellUsage) {
        calls += u.calls
        unpricedCalls += u.unpricedCalls
        inputTokens += u.inputTokens
        cachedInputTokens += u.cachedInputTokens
        cacheWriteTokens += u.cacheWriteTokens
        outputTokens += u.outputTokens
        toolCalls += u.toolCalls
        components = components + u.components
    }
}
