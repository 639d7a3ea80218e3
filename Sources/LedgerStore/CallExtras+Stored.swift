import LedgerIngest
import LedgerValues

extension CallExtras {
    /// Extras from their stored text; nil when the text is not what ``storedText`` writes.
    public init?(storedText text: String) {
        guard let o = (try? JSONValue.parse(text))?.object else { return nil }
        self.init()
        func count(_ key: String) -> Int64 { o[key]?.int64 ?? 0 }
        audioInputTokens = count("audio_input_tokens")
        cachedAudioTokens = count("cached_audio_tokens")
        audioOutputTokens = count("audio_output_tokens")
        imageInputTokens = count("image_input_tokens")
        imageOutputTokens = count("image_output_tokens")
        images = count("images")
        if let tools = o["tool_calls"]?.object {
            for (k, v) in tools { if let n = v.int64 { toolCalls[k] = n } }
        }
        speed = o["speed"]?.string
        inferenceGeo = o["inference_geo"]?.string
        region = o["region"]?.string
    }
}
