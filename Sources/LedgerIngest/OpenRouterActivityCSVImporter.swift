import LedgerValues

/// The activity CSV that OpenRouter exports: one row per generation (`generation_id`), with its time
/// (`created_at`, UTC without a zone), tokens, total cost in dollars and the API key's name.
///
/// Each row becomes one request of usage (prompt tokens include the cached ones; reasoning is part of
/// completion) and one cost line of the generation's cost less web search and file processing, which
/// become a tool line when not zero. A generation is identified by its id, so the same generation from
/// another download, or from the generation API, is stored once.
public struct OpenRouterActivityCSVImporter: FormatImporter {
    public static let formatName = "openrouter-activity-csv"
    public static let family = "provider-openrouter"
    public static let framing = Framing.csvRecords

    private var table = ProviderCSVTable()

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        let names = ProviderCSVTable.headerNames(sample)
        return names.contains("generation_id") && names.contains("created_at") && names.contains("cost_total") ? 95 : 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        guard let r = try table.read(unit, required: ["generation_id", "created_at", "cost_total"]) else { return }
        guard let id = r["generation_id"] else { throw RecordProblem.reason(.missingField("generation_id")) }
        guard let time = try ProviderFields.time(r["created_at"], field: "created_at") else {
            throw RecordProblem.reason(.missingField("created_at"))
        }
        let generation = OpenRouterGeneration(
            id: id, time: time, model: r["model_permaslug"] ?? r["model"], apiKey: r["api_key_name"], user: r["user"],
            prompt: try ProviderFields.count(r["tokens_prompt"], field: "tokens_prompt") ?? 0,
            completion: try ProviderFields.count(r["tokens_completion"], field: "tokens_completion") ?? 0,
            reasoning: try ProviderFields.count(r["tokens_reasoning"], field: "tokens_reasoning") ?? 0,
            cached: try ProviderFields.count(r["tokens_cached"], field: "tokens_cached") ?? 0,
            total: try Self.amount(r, "cost_total"), webSearch: try Self.amount(r, "cost_web_search"),
            fileProcessing: try Self.amount(r, "cost_file_processing"))
        try generation.append(to: &items, line: line)
    }

    static func amount(_ r: ProviderCSVRow, _ column: String) throws -> (Money, String)? {
        guard let text = r[column], let m = try ProviderFields.money(text, field: column) else { return nil }
        return (m, text)
    }
}

/// One OpenRouter generation, read from the activity CSV or the generation API, as stored rows.
struct OpenRouterGeneration {
    var id: String
    var time: Timestamp
    var model: String?
    var apiKey: String?
    var user: String?
    var prompt: Int64
    var completion: Int64
    var reasoning: Int64
    var cached: Int64
    var total: (Money, String)?
    var webSearch: (Money, String)?
    var fileProcessing: (Money, String)?

    /// Appends the usage row and the cost line(s).
    func append(to items: inout [ImportItem], line: Int) throws {
        guard cached <= prompt else { throw RecordProblem.reason(.cachedExceedsInput) }
        var usage = ProviderUsageRow(provider: "openrouter", export: .generation, bucketStart: time, bucketEnd: time)
        usage.recordID = id
        usage.model = model
        usage.apiKey = apiKey
        usage.user = user
        usage.requests = 1
        usage.uncachedInputTokens = prompt - cached
        usage.cachedInputTokens = cached
        usage.outputTokens = completion
        usage.reasoningTokens = reasoning
        if let problem = usage.validationProblem() { throw RecordProblem.reason(problem) }
        var rows: [ImportItem] = [.providerUsage(usage, line: line)]
        if let (total, text) = total {
            let tools = (webSearch?.0 ?? .zero) + (fileProcessing?.0 ?? .zero)
            var cost = ProviderCostRow(provider: "openrouter", export: .generation, bucketStart: time, bucketEnd: time,
                                       category: .usage, amount: total - tools,
                                       amountText: tools == .zero ? text : (total - tools).exactString)
            cost.recordID = id
            cost.model = model
            cost.apiKey = apiKey
            cost.lineItem = "generation"
            if let problem = cost.validationProblem() { throw RecordProblem.reason(problem) }
            rows.append(.providerCost(cost, line: line))
            if tools != .zero {
                var tool = cost
                tool.category = .tool
                tool.lineItem = "web search and file processing"
                tool.amount = tools
                tool.amountText = tools.exactString
                rows.append(.providerCost(tool, line: line))
            }
        }
        items.append(contentsOf: rows)
    }
}
