import LedgerValues

/// Generates the calls of one action: classifier, primary attempts, retries, fallbacks, validation.
///
/// The builder owns the action's random stream and clock; ``run()`` appends the calls in start order
/// to ``calls``, every call starting after the previous one ended.
struct SampleActionBuilder {
    var random: SampleRandom
    private(set) var calls: [SampleCall] = []
    private var clock: Int64
    private var template: SampleCall
    private let rules: SampleScenarioRules
    private let setting: SampleActionSetting
    private var outcomeLogged = true
    private var chain: [SampleModel] = []

    init(start: Int64, actionNumber: UInt64, setting: SampleActionSetting, rules: SampleScenarioRules, users: SampleUsers,
         random: SampleRandom) {
        var random = random
        self.clock = start
        self.rules = rules
        self.setting = setting
        let workflow = SampleWorkflow(rawValue: random.pick(setting.workflowWeights(rules))) ?? .faq
        let project = workflow.projects.draw(&random)
        let key = project.keys.draw(&random)
        var t = SampleCall(key: key)
        t.actionNumber = actionNumber
        t.workflow = workflow
        t.project = project
        if workflow == .extract {
            let batchShare = setting.night ? 0.8 : (setting.weekend ? 0.4 : 0.04)
            t.batch = random.chance(batchShare)
        }
        let internalJob = workflow == .extract && (t.batch == true || random.chance(0.5))
        if !internalJob {
            let user = workflow == .codeReview || workflow == .agent
                ? users.drawPremium(&random, freeLeakShare: 0.04) : users.draw(&random)
            t.user = Int32(user)
            t.segment = users.segment(of: user)
        }
        switch project {
        case .helpdeskBot: t.serviceTier = random.chance(rules.helpdeskPriorityShare) ? .priority : .standard
        case .evalHarness: t.serviceTier = random.chance(0.30) ? .flex : .standard
        case .leadEnrichment: t.serviceTier = random.chance(0.10) ? .flex : .standard
        default: t.serviceTier = random.chance(0.005) ? .priority : .standard
        }
        t.writesTier = random.chance(0.04)
        self.template = t
        self.outcomeLogged = random.chance(0.92)
        self.random = random
        calls.reserveCapacity(8)
    }

    /// Generates the whole action.
    mutating func run() {
        let workflow = template.workflow
        if template.batch != true, random.chance(workflow.classifierShare) { classify() }
        let end: ChainEnd
        switch workflow {
        case .faq:
            chain = [.gpt4oMini, .gpt4o, .claudeHaiku45]
            let input = random.tokens(median: 1_800, sigma: 0.5, lower: 200)
            let request = Request(input: input, sharedPrefix: 1_150, hitShare: 0.6, output: (220, 0.6))
            end = runChain(first: .gpt4oMini, request: request)
        case .summarize:
            chain = [.claudeHaiku45, .claudeSonnet45, .gpt4o]
            let input = random.tokens(median: rules.summarizeInputMedian, sigma: 0.9, lower: 400, upper: 190_000)
            let request = Request(input: input, sharedPrefix: 2_100, hitShare: 0.2, writeShare: 0.06, output: (400, 0.45))
            // Prompts over the gateway's limit for Haiku go to Sonnet before any call is made.
            if input > 24_000 {
                end = runChain(first: .claudeSonnet45, reason: .longContext, from: .claudeHaiku45, request: request)
            } else {
                end = runChain(first: .claudeHaiku45, request: request)
            }
        case .codeReview:
            chain = random.chance(0.6) ? [.claudeSonnet45, .gpt5] : [.gpt5, .claudeSonnet45]
            let input = random.tokens(median: 9_000, sigma: 0.7, lower: 800)
            let prefix = input * 6 / 10
            let request = Request(input: input, sharedPrefix: prefix, hitShare: 0.45, writeShare: 0.5, output: (700, 0.6))
            end = runChain(first: chain[0], request: request)
        case .extract:
            chain = [.gemini25Flash, .gemini25Pro, .gpt41Mini]
            let input = random.tokens(median: 3_000, sigma: 0.6, lower: 300)
            let batch = template.batch == true
            let request = Request(input: input, sharedPrefix: batch ? 0 : input * 4 / 10, hitShare: 0.25, output: (350, 0.5))
            end = runChain(first: .gemini25Flash, request: request)
        case .agent:
            chain = [.claudeSonnet45, .gpt5]
            end = runAgent()
        }
        if outcomeLogged, !calls.isEmpty {
            switch end {
            case .completed: calls[calls.count - 1].outcome = .completed
            case .failed: calls[calls.count - 1].outcome = .failed
            case .abandoned: calls[calls.count - 1].outcome = .abandoned
            }
        }
    }

    // MARK: - Parts of an action

    private enum ChainEnd {
        case completed(visibleOutput: Int64)
        case failed
        case abandoned
    }

    /// What a request sends and how much of it a provider may find in its cache.
    private struct Request {
        var input: Int64
        /// The cacheable prompt prefix (system prompt, shared document).
        var sharedPrefix: Int64 = 0
        var hitShare = 0.0
        /// Anthropic only: the chance a cache miss writes the prefix to the 5-minute cache.
        var writeShare = 0.0
        /// Anthropic only: cache reads and writes set by the caller (agent turns).
        var explicitCache: (read: Int64, write5m: Int64, write1h: Int64)?
        var output: (median: Double, sigma: Double)
        var invalidOutputShare: Double?
    }

    private mutating func classify() {
        let model: SampleModel
        if template.project == .evalHarness, random.chance(0.35) {
            model = .myFinetuneV2
        } else {
            model = template.workflow == .codeReview || template.workflow == .agent ? .gpt5Nano : .gpt4oMini
        }
        let input = random.tokens(median: 420, sigma: 0.3, lower: 60)
        var request = Request(input: input, output: (7, 0.4))
        request.invalidOutputShare = 0.002
        let call = makeCall(model, kind: .classifier, attempt: 1, request: request)
        emit(call, gap: random.int(in: 10...60))
    }

    /// Runs a request along the action's fallback chain until it completes, fails or is abandoned.
    private mutating func runChain(first: SampleModel, reason: SampleFallbackReason? = nil, from: SampleModel? = nil,
                                   request: Request, validate: Bool = true, abandonShare: Double = 0.01) -> ChainEnd {
        var model = first
        var reason = reason
        var from = from
        var kind: CallKind = reason == nil ? .primary : .fallback
        var request = request
        var retriesOnModel = 0
        for attempt: Int32 in 1...6 {
            var call = makeCall(model, kind: kind, attempt: attempt, request: request)
            call.fallbackReason = reason
            call.fallbackFrom = from
            var next: (SampleModel, SampleFallbackReason)?
            var retry = false
            switch call.status {
            case .ok:
                let escalation = review(&call)
                emit(call)
                if let escalation {
                    next = escalation
                } else {
                    if validate, random.chance(template.workflow.validation.share) {
                        let passed = validateAnswer(of: call)
                        if !passed {
                            guard let n = nextModel(after: model) else { return .failed }
                            next = (n, .failedValidation)
                        }
                    }
                    if next == nil {
                        if random.chance(abandonShare) { return .abandoned }
                        return .completed(visibleOutput: call.outputTokens - call.reasoningTokens)
                    }
                }
            case .invalidOutput:
                emit(call)
                if retriesOnModel < 2 {
                    retry = true
                    // The repair prompt carries the rejected answer and the parser's complaint.
                    request.input = min(request.input + call.outputTokens + 80, 190_000)
                } else {
                    guard let n = nextModel(after: model) else { return .failed }
                    next = (n, .failedValidation)
                }
            case .rateLimited:
                emit(call)
                if retriesOnModel == 0, random.chance(0.5) {
                    retry = true
                    clock += random.int(in: 1_000...4_000)
                } else {
                    guard let n = nextModel(after: model) else { return .failed }
                    next = (n, .rateLimit)
                }
            case .timeout:
                emit(call)
                // The user gives up, or the gateway's own deadline has passed; otherwise try the next model.
                let r = random.unit()
                if r < 0.2 { return .abandoned }
                if r < 0.45 { return .failed }
                guard let n = nextModel(after: model) else { return .failed }
                next = (n, .timeout)
            case .error:
                emit(call)
                // A request the provider refuses (content filter, malformed request) fails everywhere.
                if random.chance(0.4) { return .failed }
                guard let n = nextModel(after: model) else { return .failed }
                next = (n, .error)
            }
            if retry {
                kind = .retry
                reason = nil
                from = nil
                retriesOnModel += 1
            } else if let (n, r) = next {
                from = model
                model = n
                reason = r
                kind = .fallback
                retriesOnModel = 0
            }
        }
        return .failed
    }

    /// A multi-turn agent run on a premium model: a large system-and-tools prefix cached for 5 minutes or
    /// 1 hour, every turn reading the conversation so far from the cache and writing the new part.
    private mutating func runAgent() -> ChainEnd {
        let prefix = random.tokens(median: 14_000, sigma: 0.25, lower: 4_000)
        let oneHourCache = random.chance(0.35)
        let warm = random.chance(oneHourCache ? 0.75 : 0.2)
        var steps = 2
        while steps < 12, random.chance(0.72) { steps += 1 }
        var previousInput: Int64 = 0
        var context = prefix
        var visible: Int64 = 0
        for step in 1...steps {
            let newTokens = random.tokens(median: 1_100, sigma: 0.7, lower: 40)
            let input = min(context + newTokens, 190_000)
            let cache: (read: Int64, write5m: Int64, write1h: Int64)
            if step == 1 {
                if warm {
                    cache = (prefix, input - prefix, 0)
                } else if oneHourCache {
                    cache = (0, input - prefix, prefix)
                } else {
                    cache = (0, input, 0)
                }
            } else {
                cache = (previousInput, input - previousInput, 0)
            }
            let last = step == steps
            var request = Request(input: input, output: (last ? 900 : 320, 0.5))
            request.explicitCache = cache
            switch runChain(first: .claudeSonnet45, request: request, validate: last, abandonShare: 0) {
            case .completed(let out): visible = out
            case .failed: return .failed
            case .abandoned: return .abandoned
            }
            if !last, random.chance(0.03) { return .abandoned }
            previousInput = input
            context = min(input + visible, 190_000)
            // Tool execution before the next turn.
            clock += Int64(random.logNormal(median: 1_500, sigma: 0.8))
        }
        return .completed(visibleOutput: visible)
    }

    /// The workflow's check of a successful answer: sets its quality score and says whether the gateway
    /// escalates to another model.
    private mutating func review(_ call: inout SampleCall) -> (SampleModel, SampleFallbackReason)? {
        switch template.workflow {
        case .faq:
            if call.model == .gpt4oMini {
                if random.chance(rules.faqLowConfidenceShare) {
                    call.qualityPercent = Int32(random.int(in: 18...54))
                    return (.gpt4o, .lowConfidence)
                }
                call.qualityPercent = Int32(55 + (Double(44) * max(random.unit(), random.unit())).rounded())
                if template.user >= 0 {
                    switch template.segment {
                    case .enterprise where random.chance(0.15): return (.gpt4o, .userTier)
                    case .free where random.chance(0.02): return (.gpt4o, .userTier)
                    default: break
                    }
                }
            } else {
                call.qualityPercent = Int32(70 + (Double(29) * max(random.unit(), random.unit())).rounded())
            }
        case .summarize:
            call.qualityPercent = Int32(50 + (Double(49) * max(random.unit(), random.unit())).rounded())
        case .codeReview:
            if call.model != .claudeOpus45, random.chance(0.05) { return (.claudeOpus45, .complexity) }
        case .extract:
            if call.model == .gemini25Flash, random.chance(0.04) { return (.gemini25Pro, .complexity) }
        case .agent:
            break
        }
        return nil
    }

    /// A validation call on gpt-4.1-mini that grades `answer`; returns whether the answer passed. A failed
    /// validation call does not block the answer.
    private mutating func validateAnswer(of answer: SampleCall) -> Bool {
        let rubric = random.tokens(median: 450, sigma: 0.3, lower: 100)
        var request = Request(input: answer.outputTokens - answer.reasoningTokens + rubric, output: (30, 0.4))
        request.invalidOutputShare = 0
        let call = makeCall(.gpt41Mini, kind: .validation, attempt: 1, request: request)
        emit(call)
        return call.status != .ok || !random.chance(template.workflow.validation.failShare)
    }

    private func nextModel(after model: SampleModel) -> SampleModel? {
        guard let i = chain.firstIndex(of: model), i + 1 < chain.count else { return nil }
        return chain[i + 1]
    }

    // MARK: - One call

    private mutating func makeCall(_ model: SampleModel, kind: CallKind, attempt: Int32, request: Request) -> SampleCall {
        var c = template
        c.model = model
        c.kind = kind
        c.attempt = attempt
        c.status = drawStatus(model, invalidOutputShare: request.invalidOutputShare ?? template.workflow.invalidOutputShare)
        let profile = model.profile
        if profile.provider != .openai { c.serviceTier = nil }
        c.writesCost = profile.price != nil && random.chance(0.97)
        switch c.status {
        case .ok, .invalidOutput:
            c.inputTokens = request.input
            applyCache(to: &c, request: request)
            let visible = random.tokens(median: request.output.median, sigma: request.output.sigma)
            c.reasoningTokens = reasoning(model, kind: kind)
            c.outputTokens = visible + c.reasoningTokens
            let milliseconds = profile.baseLatencyMs + profile.msPerOutputToken * Double(c.outputTokens)
                + Double(request.input - c.cachedInputTokens) * 0.02
            c.latencyMs = Int64((milliseconds * random.logNormal(median: 1, sigma: 0.25)).rounded())
        case .timeout:
            c.inputTokens = request.input
            c.latencyMs = (kind == .classifier ? 10_000 : (model.provider == .openai ? 30_000 : 60_000)) + random.int(in: 0...400)
        case .rateLimited:
            c.latencyMs = random.int(in: 40...250)
        case .error:
            c.latencyMs = random.int(in: 150...2_500)
        }
        if c.batch == true {
            c.latencyMs = Int64(random.logNormal(median: 600_000, sigma: 0.7).rounded())
        }
        return c
    }

    private mutating func drawStatus(_ model: SampleModel, invalidOutputShare: Double) -> CallStatus {
        var r = random.unit()
        let rateLimited = model == .myFinetuneV2 ? 0.002 : model.provider.rateLimitedShare
        if r < rateLimited { return .rateLimited }
        r -= rateLimited
        let timeout = model.isPremium ? 0.006 : 0.003
        if r < timeout { return .timeout }
        r -= timeout
        // Anthropic's API is overloaded (HTTP 529) more often than the others fail.
        let error = model.provider == .anthropic ? 0.008 : 0.004
        if r < error { return .error }
        r -= error
        if r < invalidOutputShare { return .invalidOutput }
        return .ok
    }

    private mutating func applyCache(to c: inout SampleCall, request: Request) {
        guard c.batch != true else { return }
        let provider = c.model.provider
        if provider == .anthropic, let explicit = request.explicitCache {
            c.cachedInputTokens = explicit.read
            c.cacheWriteTokens = explicit.write5m
            c.cacheWrite1hTokens = explicit.write1h
        } else if c.model != .myFinetuneV2 {
            let prefix = min(request.sharedPrefix, c.inputTokens)
            guard prefix >= provider.minimumCachedPrefix(c.model) else { return }
            switch provider {
            case .openai:
                // OpenAI caches automatically in 128-token steps.
                if random.chance(request.hitShare) { c.cachedInputTokens = prefix / 128 * 128 }
            case .google:
                if random.chance(request.hitShare) { c.cachedInputTokens = prefix }
            case .anthropic:
                if random.chance(request.hitShare) {
                    c.cachedInputTokens = prefix
                } else if random.chance(request.writeShare) {
                    c.cacheWriteTokens = prefix
                }
            }
        }
        let cacheTotal = c.cachedInputTokens + c.cacheWriteTokens + c.cacheWrite1hTokens
        if cacheTotal > c.inputTokens {
            c.cachedInputTokens = min(c.cachedInputTokens, c.inputTokens)
            c.cacheWriteTokens = min(c.cacheWriteTokens, c.inputTokens - c.cachedInputTokens)
            c.cacheWrite1hTokens = c.inputTokens - c.cachedInputTokens - c.cacheWriteTokens
        }
    }

    private mutating func reasoning(_ model: SampleModel, kind: CallKind) -> Int64 {
        switch model {
        case .gpt5:
            return random.tokens(median: template.workflow == .codeReview ? 1_400 : 500, sigma: 0.7)
        case .gpt5Nano:
            return random.tokens(median: 96, sigma: 0.6)
        case .gemini25Pro:
            return random.tokens(median: 700, sigma: 0.6)
        case .gemini25Flash:
            return random.chance(0.5) ? random.tokens(median: 150, sigma: 0.8) : 0
        case .claudeSonnet45 where template.workflow == .codeReview && kind != .classifier:
            return random.chance(0.4) ? random.tokens(median: 800, sigma: 0.6) : 0
        case .claudeOpus45:
            return random.tokens(median: 1_500, sigma: 0.6)
        default:
            return 0
        }
    }

    /// Records the call and moves the clock to its end plus the gateway's own delay.
    private mutating func emit(_ call: SampleCall, gap: Int64? = nil) {
        var c = call
        c.timestamp = clock
        calls.append(c)
        clock += c.latencyMs + (gap ?? random.int(in: 5...120))
    }
}
