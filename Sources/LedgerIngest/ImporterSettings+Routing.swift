import LedgerValues

extension ImporterSettings {
    /// Fills a call's routing fields from `--map`: `lookup` finds a source attribute's value by name.
    /// The action and the workflow take the format's defaults where the map names none (or names an
    /// attribute the record lacks); team, user, segment, project and API key come from the map alone
    /// unless a default is given.
    func applyMap(to r: inout CallRecord, action: String?, workflow: String?, team: String? = nil, user: String? = nil,
                  lookup: (String) -> String?) {
        func mapped(_ field: String) -> String? { fieldMap[field].flatMap(lookup) }
        r.actionID = mapped("action_id") ?? action
        r.workflow = mapped("workflow") ?? workflow
        r.team = mapped("team") ?? team
        r.userID = mapped("user_id") ?? user
        r.userSegment = mapped("user_segment")
        r.project = mapped("project")
        r.apiKeyID = mapped("api_key_id")
    }
}
