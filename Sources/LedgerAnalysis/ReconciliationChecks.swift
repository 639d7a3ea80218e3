import LedgerPricing
import LedgerValues

/// For one provider: whether usage can be judged as bypass by API key and by project, and by which
/// dimensions requests and tokens are compared.
///
/// Bypass by key is judged only when the logs carry API keys and at least one key of the export appears
/// in them: exports that name keys differently from the logs (Anthropic's Console gives names, a gateway
/// may log ids) would otherwise flag everything. The same holds for projects (OpenAI projects, Anthropic
/// workspaces, matched with the log's `project`). Each export kind is judged on its own.
///
/// Comparisons are refined by a dimension only when every logged call and every non-bypass row of the
/// provider carries it, so that a value missing on one side never splits a match in two.
struct ProviderChecks {
    let provider: String
    private(set) var keyCheck = true
    private(set) var projectCheck = true
    private var keyCheckByExport: [ProviderExportKind: Bool] = [:]
    private var projectCheckByExport: [ProviderExportKind: Bool] = [:]
    private let loggedKeys: Set<String>
    private let loggedProjects: Set<String>
    private(set) var refineKey = false
    private(set) var refineProject = false
    private(set) var refineTier = false
    private(set) var notes: [String] = []

    init(provider: String, usage: [ReconciliationEngine.UsageItem], logged: [ReconciliationEngine.LoggedItem]) {
        self.provider = provider
        loggedKeys = Set(logged.compactMap(\.group.apiKey))
        loggedProjects = Set(logged.compactMap(\.group.project))
        let exports = Set(usage.map(\.record.row.export))
        for e in exports.sorted(by: { $0.preference < $1.preference }) {
            let rows = usage.filter { $0.record.row.export == e }.map(\.record.row)
            let keys = Set(rows.compactMap(\.apiKey)), projects = Set(rows.compactMap(\.project))
            let byKey = !loggedKeys.isEmpty && !keys.isDisjoint(with: loggedKeys)
            let byProject = !loggedProjects.isEmpty && !projects.isDisjoint(with: loggedProjects)
            keyCheckByExport[e] = byKey
            projectCheckByExport[e] = byProject
            if !keys.isEmpty && !loggedKeys.isEmpty && !byKey {
                notes.append("\(provider): no API key of the \(e.rawValue) export appears in the logs (ids vs names?); bypass by key not judged for it.")
            }
            if !projects.isEmpty && !loggedProjects.isEmpty && !byProject {
                notes.append("\(provider): no project or workspace of the \(e.rawValue) export appears in the logs; bypass by project not judged for it.")
            }
        }
        keyCheck = !keyCheckByExport.isEmpty && keyCheckByExport.values.allSatisfy { $0 }
        projectCheck = !projectCheckByExport.isEmpty && projectCheckByExport.values.allSatisfy { $0 }
        if loggedKeys.isEmpty && loggedProjects.isEmpty && !usage.isEmpty {
            notes.append("\(provider): the logs carry no API keys or projects; bypass cannot be told from unlogged attempts.")
        }
        if !usage.isEmpty && usage.allSatisfy({ $0.record.row.requests == nil }) {
            notes.append("\(provider): the usage export has no request counts; unlogged attempts are judged from tokens.")
        }
        let kept = usage.filter { !isBypass($0.record.row) }.map(\.record.row)
        refineKey = keyCheck && kept.allSatisfy { $0.apiKey != nil } && logged.allSatisfy { $0.group.apiKey != nil }
        refineProject = projectCheck && kept.allSatisfy { $0.project != nil } && logged.allSatisfy { $0.group.project != nil }
        refineTier = !kept.isEmpty && kept.allSatisfy { $0.batch != nil || $0.serviceTier != nil }
    }

    /// Whether a row's key or project is one the logs never carry (where that can be judged).
    func isBypass(_ r: ProviderUsageRow) -> Bool {
        if keyCheckByExport[r.export] == true, let k = r.apiKey, !loggedKeys.contains(k) { return true }
        if projectCheckByExport[r.export] == true, let p = r.project, !loggedProjects.contains(p) { return true }
        return false
    }

    /// The dimensions comparisons are refined by, for reports.
    var refinedBy: [String] {
        (refineProject ? ["project"] : []) + (refineKey ? ["api_key"] : []) + (refineTier ? ["tier"] : [])
    }
}
