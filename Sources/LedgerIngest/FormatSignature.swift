import LedgerValues

/// What detection looks for in a format, written out so that an input no format claims can be told which
/// format it comes closest to and what it lacks ("closest format: openai-usage-csv (missing columns:
/// num_model_requests)").
public struct FormatSignature: Sendable {
    public enum Shape: Sendable {
        /// Column names of a CSV header row.
        case csvHeader
        /// Keys of JSON objects.
        case jsonKeys
    }

    public var shape: Shape
    /// Each group is one thing detection needs: any one of its names.
    public var groups: [[String]]

    public init(_ shape: Shape, _ groups: [[String]]) {
        self.shape = shape
        self.groups = groups
    }

    /// The groups the sample lacks (each as its names), or nil when the sample is not of this shape.
    func missing(in sample: InputSample) -> [[String]]? {
        switch shape {
        case .csvHeader:
            let names = ProviderCSVTable.headerNames(sample)
            guard !names.isEmpty else { return nil }
            return groups.filter { group in !group.contains { names.contains($0.lowercased()) } }
        case .jsonKeys:
            guard sample.firstByte == 0x7B || sample.firstByte == 0x5B else { return nil }
            return groups.filter { group in !group.contains { sample.hasJSONKey($0) } }
        }
    }
}

/// The closest format to an input that none claims, and what it lacks.
public struct FormatNearMiss: Sendable, CustomStringConvertible {
    public var format: String
    public var shape: FormatSignature.Shape
    public var missing: [[String]]

    /// `openai-usage-csv (missing columns: num_model_requests)`.
    public var description: String {
        let what = shape == .csvHeader ? "columns" : "keys"
        let names = missing.map { group in
            group.count == 1 ? group[0] : "\(group[0]) (or \(group.dropFirst().joined(separator: ", ")))"
        }
        return "\(format) (missing \(what): \(names.joined(separator: ", ")))"
    }
}

extension ImportFormats {
    /// The format whose signature the sample comes closest to: the largest share of its groups present,
    /// at least half of them, and not all (a format with all present would have claimed the sample).
    public static func closest(_ sample: InputSample) -> FormatNearMiss? {
        var best: (miss: FormatNearMiss, share: Double, present: Int)?
        for format in all {
            guard let signature = format.detectionSignature, let missing = signature.missing(in: sample) else { continue }
            let total = signature.groups.count
            let present = total - missing.count
            guard present > 0, !missing.isEmpty, present * 2 >= total else { continue }
            let share = Double(present) / Double(total)
            if let b = best, (b.share, b.present) >= (share, present) { continue }
            best = (FormatNearMiss(format: format.formatName, shape: signature.shape, missing: missing), share, present)
        }
        return best?.miss
    }
}

// The signatures, as each format's `detect` reads them.

extension RoutingLogImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.jsonKeys, [["request_id"], ["model"], ["input_tokens", "prompt_tokens", "usage"], ["timestamp", "ts", "time"]])
    }
}

extension OTLPImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.jsonKeys, [["resourceSpans", "resource_spans"]]) }
}

extension LiteLLMSpendLogImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.jsonKeys, [["request_id"], ["startTime"], ["spend", "call_type", "model_group", "custom_llm_provider", "api_key"]])
    }
}

extension LiteLLMSpendLogCSVImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.csvHeader, [["request_id"], ["spend"], ["startTime"]]) }
}

extension ClaudeCodeImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.jsonKeys, [["sessionId"], ["parentUuid", "isSidechain", "requestId", "userType"]])
    }
}

extension OpenAIUsageImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.jsonKeys, [["num_model_requests"], ["start_time"]]) }
}

extension OpenAICostsImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.jsonKeys, [["line_item"], ["amount"], ["start_time"]]) }
}

extension OpenAIUsageCSVImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.csvHeader, [["num_model_requests"], ["start_time"], ["input_tokens"]])
    }
}

extension OpenAICostsCSVImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.csvHeader, [["amount_value"], ["start_time"]]) }
}

extension AnthropicUsageReportImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.jsonKeys, [["uncached_input_tokens"], ["starting_at"]]) }
}

extension AnthropicCostReportImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.jsonKeys, [["starting_at"], ["amount"], ["cost_type", "token_type", "currency"]])
    }
}

extension AnthropicConsoleUsageCSVImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.csvHeader, [["usage_date_utc"], ["usage_input_tokens_no_cache"]])
    }
}

extension AnthropicConsoleCostCSVImporter {
    public static var detectionSignature: FormatSignature? { FormatSignature(.csvHeader, [["usage_date_utc"], ["cost_usd"]]) }
}

extension OpenRouterActivityCSVImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.csvHeader, [["generation_id"], ["created_at"], ["cost_total"]])
    }
}

extension OpenRouterGenerationImporter {
    public static var detectionSignature: FormatSignature? {
        FormatSignature(.jsonKeys, [["native_tokens_prompt", "tokens_prompt"], ["total_cost", "native_tokens_prompt"]])
    }
}
