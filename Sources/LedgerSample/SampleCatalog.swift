import LedgerValues

// The fixed cast of the sample traffic: models, workflows, teams, projects, API keys and users.
//
// Names are `StaticString`s so the line renderer copies their bytes without building a `String`.
// Prices are list prices in picodollars per token (USD per million tokens × 10⁶), used only for the
// gateway's own `cost_usd` estimate; TokenLedger prices calls from its price book, never from these.

/// The models the sample gateway routes to.
enum SampleModel: Int, CaseIterable {
    case gpt4oMini, gpt4o, gpt5, gpt5Nano, gpt41Mini
    case claudeHaiku45, claudeSonnet45, claudeOpus45
    case gemini25Flash, gemini25Pro
    case myFinetuneV2

    /// How a model is named on the wire.
    struct Profile {
        var name: StaticString
        /// A pinned snapshot name, where the provider publishes one.
        var dated: StaticString?
        /// A LiteLLM-style `provider/model` name.
        var prefixed: StaticString?
        var provider: SampleProvider
        /// The budget tier a team would give it; nil for a model no budget knows.
        var tier: StaticString?
        /// List prices in picodollars per token; nil when the gateway has no price for the model.
        var price: Price?
        var baseLatencyMs: Double
        var msPerOutputToken: Double
    }

    struct Price {
        var input: Int64
        var cachedInput: Int64
        var output: Int64
    }

    var profile: Profile { SampleModel.profiles[rawValue] }

    var provider: SampleProvider { profile.provider }

    /// Premium models time out more often (long generations).
    var isPremium: Bool {
        switch self {
        case .gpt5, .claudeSonnet45, .claudeOpus45, .gemini25Pro: true
        default: false
        }
    }

    static let profiles: [Profile] = [
        Profile(name: "gpt-4o-mini", dated: "gpt-4o-mini-2024-07-18", prefixed: "openai/gpt-4o-mini", provider: .openai,
                tier: "economy", price: Price(input: 150_000, cachedInput: 75_000, output: 600_000),
                baseLatencyMs: 300, msPerOutputToken: 9),
        Profile(name: "gpt-4o", dated: "gpt-4o-2024-08-06", prefixed: "openai/gpt-4o", provider: .openai,
                tier: "balanced", price: Price(input: 2_500_000, cachedInput: 1_250_000, output: 10_000_000),
                baseLatencyMs: 450, msPerOutputToken: 14),
        Profile(name: "gpt-5", dated: "gpt-5-2025-08-07", prefixed: "openai/gpt-5", provider: .openai,
                tier: "premium", price: Price(input: 1_250_000, cachedInput: 125_000, output: 10_000_000),
                baseLatencyMs: 1_100, msPerOutputToken: 12),
        Profile(name: "gpt-5-nano", dated: "gpt-5-nano-2025-08-07", prefixed: "openai/gpt-5-nano", provider: .openai,
                tier: "economy", price: Price(input: 50_000, cachedInput: 5_000, output: 400_000),
                baseLatencyMs: 350, msPerOutputToken: 4),
        Profile(name: "gpt-4.1-mini", dated: "gpt-4.1-mini-2025-04-14", prefixed: "openai/gpt-4.1-mini", provider: .openai,
                tier: "economy", price: Price(input: 400_000, cachedInput: 100_000, output: 1_600_000),
                baseLatencyMs: 300, msPerOutputToken: 8),
        Profile(name: "claude-haiku-4-5", dated: "claude-haiku-4-5-20251001", prefixed: "anthropic/claude-haiku-4-5",
                provider: .anthropic, tier: "balanced",
                price: Price(input: 1_000_000, cachedInput: 100_000, output: 5_000_000),
                baseLatencyMs: 400, msPerOutputToken: 6),
        Profile(name: "claude-sonnet-4-5", dated: "claude-sonnet-4-5-20250929", prefixed: "anthropic/claude-sonnet-4-5",
                provider: .anthropic, tier: "premium",
                price: Price(input: 3_000_000, cachedInput: 300_000, output: 15_000_000),
                baseLatencyMs: 800, msPerOutputToken: 16),
        Profile(name: "claude-opus-4-5", dated: "claude-opus-4-5-20251101", prefixed: "anthropic/claude-opus-4-5",
                provider: .anthropic, tier: "premium",
                price: Price(input: 5_000_000, cachedInput: 500_000, output: 25_000_000),
                baseLatencyMs: 1_200, msPerOutputToken: 22),
        Profile(name: "gemini-2.5-flash", dated: nil, prefixed: "gemini/gemini-2.5-flash", provider: .google,
                tier: "economy", price: Price(input: 300_000, cachedInput: 30_000, output: 2_500_000),
                baseLatencyMs: 280, msPerOutputToken: 4),
        Profile(name: "gemini-2.5-pro", dated: nil, prefixed: "gemini/gemini-2.5-pro", provider: .google,
                tier: "premium", price: Price(input: 1_250_000, cachedInput: 125_000, output: 10_000_000),
                baseLatencyMs: 900, msPerOutputToken: 11),
        Profile(name: "my-finetune-v2", dated: nil, prefixed: nil, provider: .openai,
                tier: nil, price: nil,
                baseLatencyMs: 220, msPerOutputToken: 5),
    ]

    /// The name written for this model under a key's naming habit.
    func wireName(_ style: SampleModelNameStyle) -> StaticString {
        let p = profile
        switch style {
        case .plain: return p.name
        case .dated: return p.dated ?? p.name
        case .prefixed: return p.prefixed ?? p.name
        }
    }
}

/// The provider behind a model, with the failure rates the sample gives its API.
enum SampleProvider: Int {
    case openai, anthropic, google

    var name: StaticString {
        switch self {
        case .openai: "openai"
        case .anthropic: "anthropic"
        case .google: "google"
        }
    }

    /// Share of calls answered with HTTP 429.
    var rateLimitedShare: Double {
        switch self {
        case .openai: 0.006
        case .anthropic: 0.010
        case .google: 0.005
        }
    }

    /// The smallest prompt prefix the provider caches (OpenAI and Gemini cache automatically from 1,024
    /// tokens; Anthropic caches explicitly marked prefixes from 1,024 tokens, 2,048 on Haiku).
    func minimumCachedPrefix(_ model: SampleModel) -> Int64 { model == .claudeHaiku45 ? 2_048 : 1_024 }
}

/// How a deployment names models: as published, pinned to a dated snapshot, or `provider/model`.
enum SampleModelNameStyle {
    case plain, dated, prefixed
}

/// The user-level request types.
enum SampleWorkflow: Int, CaseIterable {
    case faq, summarize, codeReview, extract, agent

    var name: StaticString {
        switch self {
        case .faq: "faq"
        case .summarize: "summarize"
        case .codeReview: "code_review"
        case .extract: "extract"
        case .agent: "agent"
        }
    }

    /// Projects serving the workflow, with their shares of its actions.
    var projects: SampleWeighted<SampleProject> { SampleWorkflow.projectTable[rawValue] }

    private static let projectTable: [SampleWeighted<SampleProject>] = [
        SampleWeighted([(.helpdeskBot, 70), (.onboardingAssistant, 30)]),
        SampleWeighted([(.ticketSummary, 45), (.campaignWriter, 30), (.paperDigest, 25)]),
        SampleWeighted([(.prReviewer, 80), (.evalHarness, 20)]),
        SampleWeighted([(.leadEnrichment, 30), (.docIngest, 40), (.invoiceParser, 30)]),
        SampleWeighted([(.opsAgent, 70), (.evalHarness, 30)]),
    ]

    /// Share of actions that start with a routing classifier call.
    var classifierShare: Double {
        switch self {
        case .faq: 0.70
        case .summarize: 0.30
        case .codeReview: 0.50
        case .extract: 0.10
        case .agent: 0.80
        }
    }

    /// Share of calls whose output fails the schema or format check (`invalid_output`).
    var invalidOutputShare: Double {
        switch self {
        case .faq, .summarize: 0.005
        case .codeReview: 0.015
        case .extract: 0.03
        case .agent: 0.01
        }
    }

    /// Share of completed answers checked by a validation call, and the share of those that fail it.
    var validation: (share: Double, failShare: Double) {
        switch self {
        case .faq: (0.0, 0.0)
        case .summarize: (0.15, 0.05)
        case .codeReview: (0.35, 0.06)
        case .extract: (0.40, 0.05)
        case .agent: (0.20, 0.04)
        }
    }
}

/// The teams that own projects.
enum SampleTeam: Int {
    case support, growth, platform, research, finance

    var name: StaticString {
        switch self {
        case .support: "support"
        case .growth: "growth"
        case .platform: "platform"
        case .research: "research"
        case .finance: "finance"
        }
    }
}

/// Projects, each owned by one team and called through a few API keys.
enum SampleProject: Int {
    case helpdeskBot, ticketSummary
    case onboardingAssistant, campaignWriter, leadEnrichment
    case prReviewer, docIngest, opsAgent
    case evalHarness, paperDigest
    case invoiceParser

    var name: StaticString {
        switch self {
        case .helpdeskBot: "helpdesk-bot"
        case .ticketSummary: "ticket-summary"
        case .onboardingAssistant: "onboarding-assistant"
        case .campaignWriter: "campaign-writer"
        case .leadEnrichment: "lead-enrichment"
        case .prReviewer: "pr-reviewer"
        case .docIngest: "doc-ingest"
        case .opsAgent: "ops-agent"
        case .evalHarness: "eval-harness"
        case .paperDigest: "paper-digest"
        case .invoiceParser: "invoice-parser"
        }
    }

    var team: SampleTeam {
        switch self {
        case .helpdeskBot, .ticketSummary: .support
        case .onboardingAssistant, .campaignWriter, .leadEnrichment: .growth
        case .prReviewer, .docIngest, .opsAgent: .platform
        case .evalHarness, .paperDigest: .research
        case .invoiceParser: .finance
        }
    }

    /// Whether the project's gateway client sends `user_segment` with `user_id`.
    var sendsUserSegment: Bool { self != .onboardingAssistant }

    /// The project's API keys with their shares of its actions. The last keys of some projects are
    /// rare: a legacy deployment or a personal key that shows up a handful of times.
    var keys: SampleWeighted<SampleKey> { SampleProject.keyTable[rawValue] }

    private static let prod: StaticString = #"{"env":"prod","region":"eu-west-1"}"#
    private static let dev: StaticString = #"{"env":"dev","region":"eu-west-1"}"#
    private static let research: StaticString = #"{"env":"research","region":"us-east-1"}"#

    private static let keyTable: [SampleWeighted<SampleKey>] = [
        SampleWeighted([(SampleKey("key_hd_prod_7c1e", metadata: prod), 0.93),
                  (SampleKey("key_hd_staging_02b4", metadata: dev), 0.06),
                  (SampleKey("key_hd_legacy_0a9d", sendsContext: false), 0.002)]),
        SampleWeighted([(SampleKey("key_ts_prod_41f0", metadata: prod), 0.97),
                  (SampleKey("key_ts_dev_88a2", metadata: dev), 0.03)]),
        SampleWeighted([(SampleKey("key_oa_prod_5d77"), 1.0)]),
        SampleWeighted([(SampleKey("key_cw_prod_e310", style: .prefixed, metadata: prod), 0.996),
                  (SampleKey("key_cw_personal_9b6c", style: .prefixed), 0.004)]),
        SampleWeighted([(SampleKey("key_le_prod_2f58", metadata: prod), 1.0)]),
        SampleWeighted([(SampleKey("key_pr_prod_b0c3", metadata: prod), 0.75),
                  (SampleKey("key_pr_pinned_6e21", style: .dated, metadata: prod), 0.25)]),
        SampleWeighted([(SampleKey("key_di_prod_13aa", style: .prefixed, metadata: prod), 0.997),
                  (SampleKey("key_di_legacy_c4e0", sendsContext: false), 0.003)]),
        SampleWeighted([(SampleKey("key_ops_agent_f902", metadata: prod), 1.0)]),
        SampleWeighted([(SampleKey("key_eh_research_7d3f", metadata: research), 0.998),
                  (SampleKey("key_eh_laptop_51bd"), 0.002)]),
        SampleWeighted([(SampleKey("key_pd_prod_a6e8", metadata: research), 1.0)]),
        SampleWeighted([(SampleKey("key_ip_prod_3b90", style: .dated, metadata: prod), 1.0)]),
    ]
}

/// An API key and the habits of the deployment that uses it.
struct SampleKey {
    var id: StaticString
    var style: SampleModelNameStyle = .plain
    /// The compact JSON object the deployment attaches as `metadata`, or nil.
    var metadata: StaticString? = nil
    /// False for an old gateway client that logs only the call itself: no action, workflow or user.
    var sendsContext = true

    init(_ id: StaticString, style: SampleModelNameStyle = .plain, metadata: StaticString? = nil, sendsContext: Bool = true) {
        self.id = id
        self.style = style
        self.metadata = metadata
        self.sendsContext = sendsContext
    }
}

/// Items with relative weights, drawn in proportion to them.
struct SampleWeighted<Item> {
    let items: [Item]
    let weights: [Double]

    init(_ pairs: [(Item, Double)]) {
        items = pairs.map(\.0)
        weights = pairs.map(\.1)
    }

    func draw(_ random: inout SampleRandom) -> Item { items[random.pick(weights)] }
}

extension SampleWeighted: Sendable where Item: Sendable {}

/// The end users behind user-facing actions: a fixed population whose activity is skewed (a few heavy
/// users, many occasional ones) and whose segments are free 60 %, pro 30 %, enterprise 10 %.
struct SampleUsers {
    static let count = 5_000

    enum Segment: Int {
        case free, pro, enterprise

        var name: StaticString {
            switch self {
            case .free: "free"
            case .pro: "pro"
            case .enterprise: "enterprise"
            }
        }
    }

    let segmentKey: UInt64

    init(seed: UInt64) { segmentKey = SampleRandom.mix(seed ^ 0x5EC7_0A11_0F05_E65D) }

    func segment(of user: Int) -> Segment {
        let bucket = SampleRandom.mix(UInt64(user) ^ segmentKey) % 100
        return bucket < 60 ? .free : (bucket < 90 ? .pro : .enterprise)
    }

    /// A user drawn with activity density ∝ 1/√rank.
    func draw(_ random: inout SampleRandom) -> Int {
        let u = random.unit()
        return min(Int(u * u * Double(SampleUsers.count)), SampleUsers.count - 1)
    }

    /// A user for a premium workflow: policy admits pro and enterprise users only, yet a share of
    /// requests from free users gets through.
    func drawPremium(_ random: inout SampleRandom, freeLeakShare: Double) -> Int {
        let allowFree = random.chance(freeLeakShare)
        var user = draw(&random)
        var tries = 0
        while !allowFree, segment(of: user) == .free, tries < 16 {
            user = draw(&random)
            tries += 1
        }
        return user
    }
}
