import LedgerValues

/// Which lines of a FOCUS export are an AI model service's, and what model and token kind they bill.
///
/// A line is a model service's when its service or SKU names one — not by `ServiceCategory` alone:
///
/// - **AWS** (provider `bedrock`): `ServiceName` `Amazon Bedrock`, or a Marketplace model sold through it
///   (`Claude Sonnet 4.5 (Amazon Bedrock Edition)`), or an `x_ServiceCode` starting `AmazonBedrock`;
/// - **Azure** (provider `azure`): a service or meter category or subcategory naming Azure OpenAI or
///   (AI) Foundry models;
/// - **Google Cloud** (provider `vertex_ai`): `Vertex AI`, the Gemini API, or a Model Garden partner model's
///   service (`Claude …`, `Llama …`, `Mistral …`);
/// - any provider: `ServiceSubcategory` `Generative AI` with a `ModelId` in `SkuPriceDetails` (FOCUS 1.3).
///
/// Of those lines, the ones kept are for a model: tokens (by `SkuPriceDetails` or by the SKU's names) or a
/// model named by `SkuPriceDetails`, the service or the meter. The others (a workspace's VMs, storage,
/// guardrails, agents) are infrastructure and skipped.
struct FocusModelService {
    /// `bedrock`, `azure`, `vertex_ai`, or the lowercased provider of another cloud.
    var provider: String
    /// What the line bills, when it is for a model; nil: skipped.
    var kept: Kept?

    struct Kept {
        var model: String?
        var tokenKind: ProviderTokenKind?
        /// `batch` when the SKU says so.
        var tier: String?
        /// `global`, `regional`, `datazone`, or a cross-region geography.
        var geography: String?
    }

    enum Cloud { case aws, azure, google, other }

    static func cloud(_ row: ProviderCSVRow) -> Cloud {
        let names = [row["hostprovidername"], row["providername"], row["invoiceissuername"], row["publishername"],
                     row["serviceprovidername"]].compactMap { $0?.lowercased() }
        for n in names {
            if n == "aws" || n.contains("amazon") { return .aws }
            if n.contains("microsoft") || n.contains("azure") { return .azure }
            if n.contains("google") { return .google }
        }
        return .other
    }

    /// The service a line is of, or nil when it is not an AI model service.
    static func classify(_ row: ProviderCSVRow, details: FocusSkuPriceDetails) -> FocusModelService? {
        let service = row["servicename"] ?? ""
        let s = service.lowercased()
        let cloud = cloud(row)
        // The names that describe the SKU, lowercased.
        let sku = [row["skumeter"], row["chargedescription"], row["x_skumetername"], row["x_skudescription"], row["x_usagetype"],
                   row["x_skumetersubcategory"], row["x_skumetercategory"]].compactMap { $0?.lowercased() }

        let bedrockEdition = " (amazon bedrock edition)"
        if s == "amazon bedrock" || s.hasSuffix(bedrockEdition) || row["x_servicecode"]?.lowercased().hasPrefix("amazonbedrock") == true {
            var model = details.modelID
            if model == nil, s.hasSuffix(bedrockEdition) { model = String(service.dropLast(bedrockEdition.count)) }
            if model == nil, let usage = row["x_usagetype"] ?? row["skumeter"] { model = bedrockModel(usageType: usage) }
            return FocusModelService(provider: "bedrock", kept: kept(model: model, details: details, sku: sku))
        }
        let azureNames = [s] + [row["x_skumetercategory"], row["x_skumetersubcategory"], row["x_skuservicefamily"]].compactMap { $0?.lowercased() }
        if cloud == .azure || cloud == .other,
           azureNames.contains(where: { $0.contains("openai") || $0.contains("foundry models") || $0.contains("ai foundry") }) {
            let meter = row["x_skumetername"] ?? row["skumeter"] ?? row["chargedescription"]
            let model = details.modelID ?? meter.flatMap(azureModel(meter:))
            var k = kept(model: model, details: details, sku: sku)
            if let meter, k != nil { k!.geography = azureGeography(meter) }
            return FocusModelService(provider: "azure", kept: k)
        }
        let partner = ["claude", "gemini", "llama", "mistral", "codestral", "jamba", "deepseek", "qwen"]
        if cloud == .google || cloud == .other,
           s.contains("vertex ai") || s.contains("gemini") || s.contains("generative language")
            || (cloud == .google && partner.contains(where: { s.hasPrefix($0) })) {
            let description = row["chargedescription"] ?? row["skumeter"] ?? row["x_skudescription"]
            var model = details.modelID ?? description.flatMap(googleModel(description:))
            if model == nil, partner.contains(where: { s.hasPrefix($0) }) { model = service }
            return FocusModelService(provider: "vertex_ai", kept: kept(model: model, details: details, sku: sku))
        }
        if row["servicesubcategory"]?.lowercased() == "generative ai", let model = details.modelID {
            let provider = (row["serviceprovidername"] ?? row["providername"] ?? row["hostprovidername"] ?? "unknown").lowercased()
            return FocusModelService(provider: provider, kept: kept(model: model, details: details, sku: sku))
        }
        return nil
    }

    /// The line's model and token kind, or nil when it is for neither (infrastructure).
    static func kept(model: String?, details: FocusSkuPriceDetails, sku: [String]) -> Kept? {
        let kind = details.tokenKind ?? tokenKind(sku)
        guard kind != nil || model != nil else { return nil }
        var k = Kept(model: model, tokenKind: kind)
        if sku.contains(where: { $0.contains("batch") }) { k.tier = "batch" }
        return k
    }

    /// The token kind a SKU's names say, or nil when they do not speak of tokens.
    static func tokenKind(_ names: [String]) -> ProviderTokenKind? {
        for raw in names {
            let n = raw.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
            guard n.contains("token") || n.contains("-inp") || n.contains("-outp") else { continue }
            if n.contains("cache-read") || n.contains("cacheread") || n.contains("cached") { return .cachedInput }
            if n.contains("cache-write") || n.contains("cachewrite") || n.contains("cache-creation") {
                return n.contains("1h") ? .cacheWrite1h : .cacheWrite5m
            }
            if n.contains("output") || n.contains("outp") || n.contains("-out-") { return .output }
            if n.contains("input") || n.contains("-inp") || n.contains("inpt") { return .uncachedInput }
        }
        return nil
    }

    /// Bedrock's usage type of tokens names a first-party model: `USE1-NovaPro-input-tokens` → `NovaPro`; nil
    /// for other usage (guardrails, storage) and for a Marketplace usage type
    /// (`USE1-MP:USE1_InputTokenCount-Units`: the service names the model).
    static func bedrockModel(usageType: String) -> String? {
        guard !usageType.contains("MP:"), usageType.lowercased().contains("token") else { return nil }
        var parts = usageType.split(separator: "-").map(String.init)
        // The region code: `USE1`, `EUC1`, `APN1`.
        if let first = parts.first, first.count >= 3, first.count <= 5, first.allSatisfy({ $0.isUppercase || $0.isNumber }) {
            parts.removeFirst()
        }
        let stop: Set<String> = ["input", "output", "cache", "tokens", "token", "count", "batch", "mantle", "read", "write", "units"]
        var model: [String] = []
        for p in parts {
            if stop.contains(p.lowercased()) { break }
            model.append(p)
        }
        return model.isEmpty ? nil : model.joined(separator: "-")
    }

    /// Azure's meter names the model: `gpt-4o-mini-0718-Inp-glbl Tokens`, `gpt 4.1 mini cached Inp glbl`,
    /// `gpt 4o 0513 Input global Tokens` → `gpt-4o-mini`, `gpt-4.1-mini`, `gpt-4o`. The deployment (global,
    /// regional, data zone), the token kind and the model's version date are left out.
    static func azureModel(meter: String) -> String? {
        let words = meter.lowercased().replacingOccurrences(of: " ", with: "-").split(separator: "-").map(String.init)
        let drop: Set<String> = ["inp", "input", "inpt", "outp", "output", "out", "cached", "cache", "glbl", "global", "gl", "regnl",
                                 "regional", "rgnl", "dzone", "datazone", "dz", "batch", "tokens", "token", "1k", "1m", "txt", "text",
                                 "aud", "audio", "img", "image", "ptu"]
        var kept: [String] = []
        for w in words where !drop.contains(w) {
            // A version date: `0718`, `1120`.
            if w.count == 4, w.allSatisfy(\.isNumber), let v = Int(w), (101...1231).contains(v), !kept.isEmpty { continue }
            kept.append(w)
        }
        return kept.isEmpty ? nil : kept.joined(separator: "-")
    }

    /// Azure's deployment type from a meter name.
    static func azureGeography(_ meter: String) -> String? {
        let m = meter.lowercased()
        if m.contains("glbl") || m.contains("global") { return "global" }
        if m.contains("dzone") || m.contains("data zone") || m.contains("datazone") { return "datazone" }
        if m.contains("regnl") || m.contains("regional") { return "regional" }
        return nil
    }

    /// Google's SKU description names the model before the token words: `Gemini 2.5 Flash Text Input - Predictions`
    /// → `Gemini 2.5 Flash`.
    static func googleModel(description: String) -> String? {
        let stop: Set<String> = ["input", "output", "text", "cached", "cache", "tokens", "token", "characters", "predictions",
                                 "prediction", "image", "audio", "video", "long", "short", "batch", "-", "thinking", "context",
                                 "storage", "for", "in", "caching", "grounding", "online", "request", "requests"]
        var words: [Substring] = []
        for w in description.split(separator: " ") {
            if stop.contains(w.lowercased()) { break }
            words.append(w)
        }
        guard !words.isEmpty, let first = words.first?.lowercased(),
              ["gemini", "claude", "llama", "mistral", "codestral", "jamba", "deepseek", "qwen", "gemma", "imagen", "veo"]
                .contains(where: { first.hasPrefix($0) }) else { return nil }
        return words.joined(separator: " ")
    }
}

/// FOCUS's `SkuPriceDetails`: a JSON object of the SKU's properties; FOCUS 1.3 names a model's
/// (`ModelId`, `ModelFamily`, `TokenDirection`, `TokenCacheAction`).
struct FocusSkuPriceDetails {
    var modelID: String?
    var tokenKind: ProviderTokenKind?

    init(_ text: String?) {
        guard let text, text.hasPrefix("{"), let v = try? JSONValue.parse(text), let o = v.object else { return }
        func field(_ names: String...) -> String? {
            for n in names {
                if let s = ProviderFields.text(o[n]) { return s }
                if let hit = o.first(where: { $0.key.lowercased() == n.lowercased() }), let s = ProviderFields.text(hit.value) { return s }
            }
            return nil
        }
        modelID = field("ModelId", "x_ModelId", "Model")
        let direction = field("TokenDirection")?.lowercased()
        let cache = field("TokenCacheAction")?.lowercased() ?? ""
        switch direction {
        case "output"?: tokenKind = .output
        case "input"?:
            if cache.contains("read") || cache == "cached" || cache == "hit" { tokenKind = .cachedInput }
            else if cache.contains("write") || cache.contains("creat") { tokenKind = cache.contains("1h") ? .cacheWrite1h : .cacheWrite5m }
            else { tokenKind = .uncachedInput }
        default: break
        }
    }
}
