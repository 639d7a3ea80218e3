import TokenLedger

/// One fuzz target: a parser fed whole fuzz inputs, and the files that seed its corpus.
struct FuzzTarget: Sendable {
    /// The name passed to `scripts/fuzz`.
    let name: String
    /// What the target exercises, for `tokenledger-fuzz list`.
    let summary: String
    /// Seed files and folders, relative to the package root (folders are searched recursively).
    let seeds: [String]
    /// Runs the parser over one input. A crash, a sanitizer report or a broken invariant
    /// (``FuzzCheck/require(_:_:)``) is a finding.
    let run: @Sendable (UnsafeRawBufferPointer) -> Void
}

/// Every fuzz target.
enum FuzzTargets {
    static let all: [FuzzTarget] = [
        importer("routing-log", [RoutingLogImporter.self],
                 seeds: ["fixtures/routing-log", "fixtures/providers/routing-log.jsonl", "fixtures/same-traffic/routing-log.jsonl"]),
        importer("otlp", [OTLPImporter.self, OTLPDocumentImporter.self],
                 settings: ImporterSettings(fieldMap: ["workflow": "app.route", "team": "team.name"]),
                 seeds: ["fixtures/otel", "fixtures/same-traffic/otlp.jsonl"]),
        importer("litellm", [LiteLLMSpendLogImporter.self, LiteLLMSpendLogCSVImporter.self],
                 seeds: ["fixtures/litellm", "fixtures/same-traffic/litellm-spend-logs.json"]),
        importer("claude-code", [ClaudeCodeImporter.self],
                 settings: ImporterSettings(inputPath: "/home/dev/.claude/projects/-home-dev-shop/8f6c2b7e-3d41-4c8a-9b0e-5a1f2c3d4e5f.jsonl"),
                 seeds: ["fixtures/claude-code"]),
        importer("codex", [CodexImporter.self],
                 settings: ImporterSettings(fieldMap: ["workflow": "cwd", "team": "git.branch"],
                                            inputPath: "/nonexistent/.codex/sessions/2026/01/12/rollout-2026-01-12T09-30-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl"),
                 seeds: ["fixtures/codex"]),
        importer("gemini-cli", [GeminiCLITelemetryImporter.self, GeminiCLIChatImporter.self],
                 settings: ImporterSettings(fieldMap: ["workflow": "projectHash", "team": "team"]), seeds: ["fixtures/gemini-cli"]),
        importer("langfuse", [LangfuseImporter.self, LangfuseCSVImporter.self],
                 settings: ImporterSettings(fieldMap: ["workflow": "name", "team": "tags.team"]), seeds: ["fixtures/langfuse"]),
        importer("cloudflare", [CloudflareAIGatewayImporter.self, CloudflareLogpushImporter.self],
                 settings: ImporterSettings(fieldMap: ["workflow": "flow", "team": "team"]), seeds: ["fixtures/cloudflare"]),
        importer("batch", [OpenAIBatchImporter.self, AnthropicBatchImporter.self],
                 settings: ImporterSettings(fieldMap: ["workflow": "batch_id", "team": "custom_id"],
                                            inputPath: "/nonexistent/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d_results.jsonl"),
                 seeds: ["fixtures/batch"]),
        importer("openai", [OpenAIUsageImporter.self, OpenAICostsImporter.self, OpenAIUsageCSVImporter.self, OpenAICostsCSVImporter.self],
                 seeds: ["fixtures/providers/openai"]),
        importer("anthropic", [AnthropicUsageReportImporter.self, AnthropicCostReportImporter.self,
                               AnthropicConsoleUsageCSVImporter.self, AnthropicConsoleCostCSVImporter.self],
                 seeds: ["fixtures/providers/anthropic"]),
        importer("openrouter", [OpenRouterActivityCSVImporter.self, OpenRouterGenerationImporter.self],
                 seeds: ["fixtures/providers/openrouter"]),
        importer("bedrock", [BedrockInvocationLogImporter.self],
                 settings: ImporterSettings(fieldMap: ["team": "cost_center"]),
                 seeds: ["fixtures/cloud/bedrock-invocation-2026-01-05.jsonl"]),
        importer("focus", [FocusCostImporter.self],
                 settings: ImporterSettings(currencyRates: ["EUR": "1.0909"]),
                 seeds: ["fixtures/cloud"]),
        importer("detect", [], seeds: ["fixtures"],
                 summary: "format detection, then the detected format's importer (as `import` without --format)"),
        FuzzTarget(name: "csv", summary: "CSVRecord.fields with the sniffed delimiter, CSVHeader",
                   seeds: ["fixtures/litellm/spend-logs.csv", "fixtures/providers"], run: ParserTargets.csv),
        FuzzTarget(name: "json", summary: "JSONValue.parse (JSONScanner), compact text read back equal",
                   seeds: ["fixtures/prices/litellm-sample.json", "fixtures/otel", "fixtures/litellm/spend-logs.json",
                           "fixtures/providers/openai", "fixtures/providers/anthropic"], run: ParserTargets.json),
        FuzzTarget(name: "scalars", summary: "Timestamp.parse(iso:), ExactDecimal, Money, Rate on each field of the input",
                   seeds: ["fixtures/routing-log/valid.jsonl", "fixtures/litellm/spend-logs.csv", "fixtures/providers/openai/costs-dashboard-2025-10.csv"],
                   run: ParserTargets.scalars),
        FuzzTarget(name: "budget", summary: "BudgetFile.parse (YAML)",
                   seeds: ["fixtures/budget"], run: ParserTargets.budget),
        FuzzTarget(name: "price-book", summary: "PriceBookFile.parse (YAML), its YAML text read back equal",
                   seeds: ["Sources/LedgerPricing/Resources/default-prices.yaml", "fixtures/budget"], run: ParserTargets.priceBook),
        FuzzTarget(name: "litellm-catalog", summary: "LiteLLMCatalog.parse (LiteLLM's model price JSON)",
                   seeds: ["fixtures/prices/litellm-sample.json"], run: ParserTargets.liteLLMCatalog),
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// A target that reads each input with every format of a family, as an import with `--format` would,
    /// and asks format detection about it; with no formats, the detected one reads it.
    static func importer(_ name: String, _ formats: [any FormatImporter.Type], settings: ImporterSettings = ImporterSettings(),
                         seeds: [String], summary: String? = nil) -> FuzzTarget {
        let names = formats.map { $0.formatName }.joined(separator: ", ")
        let box = FormatList(formats)
        return FuzzTarget(name: name, summary: summary ?? "importers \(names), framed as an import frames them",
                          seeds: seeds) { data in
            ImportTargets.run(data, formats: box.formats, settings: settings)
        }
    }
}

/// Format types are metatypes of a protocol, which Swift does not see as `Sendable` in an array literal.
struct FormatList: @unchecked Sendable {
    let formats: [any FormatImporter.Type]
    init(_ formats: [any FormatImporter.Type]) { self.formats = formats }
}

/// Findings that are not crashes: a broken invariant stops the run like a crash, so libFuzzer keeps the input.
enum FuzzCheck {
    static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("invariant broken: \(message())") }
    }
}
