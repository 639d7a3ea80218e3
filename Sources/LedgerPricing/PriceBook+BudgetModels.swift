import LedgerIngest
import LedgerValues

/// A model a budget's route names that the price book does not know: most likely a typo, which would
/// otherwise leave the route's calls unmatched without a word.
public struct UnknownBudgetModel: Sendable, Equatable {
    public enum Role: String, Sendable { case primary, fallback }

    /// The route's workflow.
    public var workflow: String
    public var role: Role
    public var model: String
    /// The known model whose name is nearest (fewest edits), when one is near enough to be a likely meaning.
    public var closest: String?
}

extension PriceBook {
    /// The models of `budget`'s routes (primaries and fallbacks) that no entry of the book matches, in the
    /// order the routes name them. A name of one of the budget's tiers is a tier, not a model.
    public func unknownModels(in budget: Budget) -> [UnknownBudgetModel] {
        let tiers = Set(budget.tiers.map(\.tier))
        var out: [UnknownBudgetModel] = []
        for route in budget.routes {
            let named = (route.primary.map { [(UnknownBudgetModel.Role.primary, $0)] } ?? []) + route.fallback.map { (.fallback, $0) }
            for (role, model) in named where !tiers.contains(model) && match(model) == nil {
                out.append(UnknownBudgetModel(workflow: route.workflow, role: role, model: model, closest: closestModel(to: model)))
            }
        }
        return out
    }

    /// The book's model (or alias) nearest to `name` by edit distance, ignoring case and a provider prefix
    /// (`openai/`); nil when even the nearest needs more edits than a third of the name's length (at least 2).
    public func closestModel(to name: String) -> String? {
        let wanted = Array(name.lowercased().split(separator: "/").last.map(String.init) ?? name.lowercased())
        guard !wanted.isEmpty else { return nil }
        let limit = max(2, wanted.count / 3)
        var best: (distance: Int, name: String)?
        for candidate in Set(entries.flatMap { [$0.model] + $0.aliases }) {
            let d = Self.editDistance(wanted, Array(candidate.lowercased()), limit: limit)
            guard d <= limit else { continue }
            if best.map({ (d, candidate.count, candidate) < ($0.distance, $0.name.count, $0.name) }) ?? true {
                best = (d, candidate)
            }
        }
        return best?.name
    }

    /// Levenshtein distance, or a value above `limit` as soon as it must exceed it.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
