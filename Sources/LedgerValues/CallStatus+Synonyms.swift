/// The words logs use for how a call ended, beyond TokenLedger's own names: LiteLLM writes `success`,
/// others `succeeded`, `failed` or an HTTP status code. Read case-insensitively, with `-` and spaces
/// taken as `_` (`Rate-Limited`, `timed out`).
extension CallStatus {
    /// The synonyms of each status (its own name included), lowercased with `_` between words.
    public static let synonyms: [CallStatus: [String]] = [
        .ok: ["ok", "success", "succeeded", "successful", "completed", "complete", "done"],
        .error: ["error", "errored", "failed", "failure", "fail", "exception"],
        .timeout: ["timeout", "timed_out", "time_out", "deadline_exceeded"],
        .rateLimited: ["rate_limited", "ratelimited", "rate_limit", "throttled", "too_many_requests"],
        .invalidOutput: ["invalid_output", "invalid"],
    ]

    private static let bySynonym: [String: CallStatus] = {
        var out: [String: CallStatus] = [:]
        for (status, names) in synonyms { for n in names { out[n] = status } }
        return out
    }()

    /// The status a log writes as `text`: a name or synonym above, or an HTTP status code (2xx ok, 408
    /// and 504 timeout, 429 rate limited, other 4xx and 5xx error); nil for anything else.
    public init?(loggedName text: String) {
        let key = String(text.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
        if let s = Self.bySynonym[key] {
            self = s
            return
        }
        guard key.count == 3, key.allSatisfy(\.isASCII), let code = Int(key) else { return nil }
        switch code {
        case 200..<300: self = .ok
        case 408, 504: self = .timeout
        case 429: self = .rateLimited
        case 400..<600: self = .error
        default: return nil
        }
    }
}
