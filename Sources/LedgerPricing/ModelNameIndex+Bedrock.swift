import LedgerIngest
import LedgerValues

/// Bedrock's names for a model, read as the model they stand for.
///
/// Bedrock names a model `anthropic.claude-sonnet-4-5-20250929-v1:0`: the model developer, the developer's
/// id, and Bedrock's version (`-v1:0`, sometimes a context variant `:200k`). A cross-region inference
/// profile puts a geography before it (`us.`, `eu.`, `apac.`, `global.`, …), and an ARN wraps either
/// (`arn:aws:bedrock:us-east-1::foundation-model/…`, `…:inference-profile/us.…`). Removing those parts
/// leaves the developer's id, which the book prices (`claude-sonnet-4-5-20250929`, a dated snapshot of
/// `claude-sonnet-4-5`). The parts are removed only when they are Bedrock's: a known geography, then a
/// known developer, so that names with dots of their own (`gpt-4.1`) are left alone.
extension ModelNameIndex {
    /// Geographies of Bedrock's cross-region inference profiles.
    static let bedrockGeographies: Set<String> = ["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca", "ap", "apne", "uk"]

    /// Model developers as Bedrock's model ids name them.
    static let bedrockDevelopers: Set<String> = [
        "anthropic", "amazon", "meta", "mistral", "cohere", "ai21", "deepseek", "openai", "qwen", "writer",
        "stability", "twelvelabs", "luma", "moonshot", "moonshotai", "google", "nvidia", "minimax", "zai",
    ]

    /// The forms of a normalized Bedrock name, from the least to the most stripped; empty for a name that
    /// is not one: `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `anthropic.claude-sonnet-4-5-20250929-v1:0`,
    /// `claude-sonnet-4-5-20250929-v1:0`, `claude-sonnet-4-5-20250929`.
    static func bedrockForms(_ name: String) -> [String] {
        guard name.contains(".") else { return [] }
        var out: [String] = []
        var rest = Substring(name)
        if rest.hasPrefix("arn:") {
            guard let slash = rest.lastIndex(of: "/") else { return [] }
            rest = rest[rest.index(after: slash)...]
            out.append(String(rest))
        }
        if let dot = rest.firstIndex(of: "."), bedrockGeographies.contains(String(rest[..<dot])) {
            rest = rest[rest.index(after: dot)...]
            out.append(String(rest))
        }
        guard let dot = rest.firstIndex(of: "."), bedrockDevelopers.contains(String(rest[..<dot])) else {
            return out.filter { !$0.isEmpty }
        }
        rest = rest[rest.index(after: dot)...]
        out.append(String(rest))
        let bare = withoutBedrockVersion(String(rest))
        if bare != String(rest) { out.append(bare) }
        return out.filter { !$0.isEmpty && $0 != name }
    }

    /// `claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`; `claude-3-haiku-20240307-v1:0:200k`
    /// → `claude-3-haiku-20240307`; `llama3-70b-instruct-v1` → `llama3-70b-instruct`.
    static func withoutBedrockVersion(_ name: String) -> String {
        var s = Substring(name)
        func digits(_ t: Substring) -> Bool { !t.isEmpty && t.allSatisfy { $0.isASCII && $0.isNumber } }
        // A context variant: `:200k`, `:48k`, `:mm`.
        if let colon = s.lastIndex(of: ":") {
            let tail = s[s.index(after: colon)...]
            if tail == "mm" || (tail.hasSuffix("k") && digits(tail.dropLast())) { s = s[..<colon] }
        }
        // The revision: `:0`.
        if let colon = s.lastIndex(of: ":"), digits(s[s.index(after: colon)...]) { s = s[..<colon] }
        // The version: `-v1`, `-v2`.
        if let dash = s.lastIndex(of: "-") {
            let tail = s[s.index(after: dash)...]
            if tail.first == "v", digits(tail.dropFirst()) { s = s[..<dash] }
        }
        return String(s)
    }
}
