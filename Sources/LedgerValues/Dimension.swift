/// The repeated strings a request refers to, each kept once in its own table.
public enum CallDimension: Int, CaseIterable, Sendable {
    case model, workflow, team, user, segment, project, apiKey, provider, tier, fallbackReason, metadata

    public var table: String {
        switch self {
        case .model: "models"
        case .workflow: "workflows"
        case .team: "teams"
        case .user: "users"
        case .segment: "segments"
        case .project: "projects"
        case .apiKey: "api_keys"
        case .provider: "providers"
        case .tier: "tiers"
        case .fallbackReason: "fallback_reasons"
        case .metadata: "metadata"
        }
    }
}
