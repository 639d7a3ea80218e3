import LedgerValues

/// OpenRouter's generation records (`GET /api/v1/generation?id=…`, `{"data":{…}}`): one file may hold
/// one record, an array of them, or JSON Lines of them. OpenRouter bills the provider's native token
/// counts, so `native_tokens_*` are read first and the normalised `tokens_*` only when they are missing;
/// `total_cost` is in dollars. Rows are as from the activity CSV (``OpenRouterActivityCSVImporter``) and
/// keyed by the generation id.
public struct OpenRouterGenerationImporter: FormatImporter {
    public static let formatName = "openrouter-generations"
    public static let family = "provider-openrouter"
    public static let framing = Framing.document

    public init(settings: ImporterSettings = ImporterSettings()) {}

    public static func detect(_ sample: InputSample) -> Int {
        guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return 0 }
        if sample.hasJSONKey("native_tokens_prompt") { return 90 }
        if sample.hasJSONKey("total_cost") && sample.hasJSONKey("tokens_prompt") { return 85 }
        return 0
    }

    public mutating func parse(_ unit: UnsafeBufferPointer<UInt8>, line: Int, into items: inout [ImportItem]) throws {
        ProviderJSONDocument(unit, firstLine: line).forEachRecord(into: &items) { r, line, items in
            guard let id = ProviderFields.text(r["id"]) else { throw RecordProblem.reason(.missingField("id")) }
            guard let time = try ProviderFields.time(r["created_at"], field: "created_at") else {
                throw RecordProblem.reason(.missingField("created_at"))
            }
            func tokens(_ native: String, _ normalised: String) throws -> Int64 {
                try ProviderFields.count(r[native], field: native) ?? ProviderFields.count(r[normalised], field: normalised) ?? 0
            }
            let generation = OpenRouterGeneration(
                id: id, time: time, model: ProviderFields.text(r["model"]), apiKey: ProviderFields.text(r["api_key_name"]),
                user: ProviderFields.text(r["external_user"]),
                prompt: try tokens("native_tokens_prompt", "tokens_prompt"),
                completion: try tokens("native_tokens_completion", "tokens_completion"),
                reasoning: try ProviderFields.count(r["native_tokens_reasoning"], field: "native_tokens_reasoning") ?? 0,
                cached: try ProviderFields.count(r["native_tokens_cached"], field: "native_tokens_cached") ?? 0,
                total: try ProviderFields.money(r["total_cost"] ?? r["usage"], field: "total_cost"),
                webSearch: nil, fileProcessing: nil)
            try generation.append(to: &items, line: line)
        }
    }
}
