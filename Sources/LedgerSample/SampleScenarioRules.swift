import LedgerValues

/// What the generator's scenario changes, at one point of the timeline.
struct SampleScenarioRules {
    /// Share of faq answers from gpt-4o-mini judged low-confidence and sent to gpt-4o.
    var faqLowConfidenceShare = 0.07
    /// Median prompt of a summarize request, in tokens.
    var summarizeInputMedian = 6_000.0
    /// Whether the agent workflow runs.
    var agentRuns = true
    /// Share of helpdesk-bot actions sent with `service_tier: priority`.
    var helpdeskPriorityShare = 0.01

    /// The steady rules, or the drifted ones of the second half of a `.drift` timeline.
    init(scenario: SampleTraffic.Scenario, drifted: Bool) {
        guard scenario == .drift else { return }
        if drifted {
            faqLowConfidenceShare = 0.28
            summarizeInputMedian = 13_000
            helpdeskPriorityShare = 0.40
        } else {
            agentRuns = false
        }
    }
}

/// When an action starts: the inputs that shape its mix besides the scenario.
struct SampleActionSetting: Hashable {
    /// 00:00–05:59 UTC, when batch extraction jobs run.
    var night: Bool
    var weekend: Bool
    /// In the second half of a `.drift` timeline.
    var drifted: Bool

    /// Relative number of actions per unit of hourly traffic, by workflow (indexed by raw value).
    func workflowWeights(_ rules: SampleScenarioRules) -> [Double] {
        var w: [Double] = night ? [14, 6, 3, 70, 4] : [40, 20, 15, 15, 8]
        if !rules.agentRuns { w[SampleWorkflow.agent.rawValue] = 0 }
        return w
    }
}
