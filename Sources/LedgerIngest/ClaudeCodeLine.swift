import LedgerValues

/// The fields of one line of a Claude Code session file that carry a model response's usage.
///
/// Only the keys an import needs are read; the rest (message content, tool results) is skipped
/// without building strings. Token counts are Anthropic's: disjoint input, cache-read and cache-write
/// counts, which ``ClaudeCodeImporter`` adds up into TokenLedger's convention.
struct ClaudeCodeLine {
    var sessionID: String?
    var requestID: String?
    var uuid: String?
    var timestamp: Timestamp?
    var isSidechain = false
    var isAPIErrorMessage = false
    var costUSD: Money?
    var cwd: String?
    var messageID: String?
    var model: String?
    var usage: Usage?
    /// Top-level string fields named by `--map`.
    var mapped: [String: String] = [:]

    /// `message.usage`.
    struct Usage {
        var input: Int64?
        var output: Int64?
        var cacheCreation: Int64?
        var cacheRead: Int64?
        var ephemeral5m: Int64?
        var ephemeral1h: Int64?
        var serviceTier: String?
        var speed: String?
        var inferenceGeo: String?
        /// `server_tool_use`: billed server-side tool uses by tool (`web_search` from `web_search_requests`).
        var toolCalls: [String: Int64] = [:]
    }

    /// Whether a line may hold usage (`"usage":{`, as ccusage filters), so that other lines are not parsed.
    static func mayHoldUsage(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let needle: StaticString = "\"usage\""
        let n = needle.utf8CodeUnitCount
        guard bytes.count > n else { return false }
        let p = needle.utf8Start
        var i = 0
        while i <= bytes.count - n {
            if bytes[i] == 0x22, (1..<n).allSatisfy({ bytes[i + $0] == p[$0] }) {
                var j = i + n
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
                if j < bytes.count, bytes[j] == 0x3A {
                    j += 1
                    while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
                    if j < bytes.count, bytes[j] == 0x7B { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// Reads a line; `mappedKeys` are top-level fields to keep as text.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, mappedKeys: Set<String> = []) throws -> ClaudeCodeLine {
        var s = JSONScanner(bytes)
        guard s.nextKind() == .object else {
            throw RecordProblem.reason(.malformedJSON("a line must be a JSON object"))
        }
        var line = ClaudeCodeLine()
        try s.readObject { s, key in
            if key.equals("sessionId") {
                line.sessionID = try s.readText(field: "sessionId")
            } else if key.equals("requestId") {
                line.requestID = try s.readText(field: "requestId")
            } else if key.equals("uuid") {
                line.uuid = try s.readText(field: "uuid")
            } else if key.equals("timestamp") {
                guard let text = try s.readText(field: "timestamp") else { return }
                guard let t = Timestamp.parse(iso: text) else {
                    throw RecordProblem.reason(.invalidTimestamp("\"\(text.prefix(40))\""))
                }
                line.timestamp = t
            } else if key.equals("isSidechain") {
                line.isSidechain = try s.readFlag(field: "isSidechain") ?? false
            } else if key.equals("isApiErrorMessage") {
                line.isAPIErrorMessage = try s.readFlag(field: "isApiErrorMessage") ?? false
            } else if key.equals("costUSD") {
                line.costUSD = try s.readMoney(field: "costUSD")
            } else if key.equals("cwd") {
                line.cwd = try s.readText(field: "cwd")
            } else if key.equals("message") {
                try readMessage(&s, into: &line)
            } else if !mappedKeys.isEmpty {
                let name = try JSONScanner.decode(key, at: s.position)
                guard mappedKeys.contains(name) else { return }
                switch s.nextKind() {
                case .string, .number, .bool: line.mapped[name] = try s.readText(field: "mapped field")
                default: break  // skipped by readObject
                }
            }
        }
        try s.expectEnd()
        for (name, value) in [("sessionId", line.sessionID), ("requestId", line.requestID), ("uuid", line.uuid), ("cwd", line.cwd)]
        where mappedKeys.contains(name) {
            line.mapped[name] = value
        }
        if s.sawNonASCII, String(validating: bytes, as: UTF8.self) == nil {
            throw RecordProblem.reason(.invalidUTF8)
        }
        return line
    }

    static func readMessage(_ s: inout JSONScanner, into line: inout ClaudeCodeLine) throws {
        guard s.nextKind() == .object else { try s.skipValue(); return }
        try s.readObject { s, key in
            if key.equals("id") {
                line.messageID = try s.readText(field: "message.id")
            } else if key.equals("model") {
                line.model = try s.readText(field: "message.model")
            } else if key.equals("usage") {
                if s.nextKind() == .null { try s.readNull(); return }
                guard s.nextKind() == .object else {
                    try s.skipValue()
                    throw RecordProblem.reason(.wrongType(field: "message.usage", expected: "an object"))
                }
                var u = Usage()
                try s.readObject { s, key in
                    if key.equals("input_tokens") {
                        u.input = try s.readInteger(field: "usage.input_tokens")
                    } else if key.equals("output_tokens") {
                        u.output = try s.readInteger(field: "usage.output_tokens")
                    } else if key.equals("cache_creation_input_tokens") {
                        u.cacheCreation = try s.readInteger(field: "usage.cache_creation_input_tokens")
                    } else if key.equals("cache_read_input_tokens") {
                        u.cacheRead = try s.readInteger(field: "usage.cache_read_input_tokens")
                    } else if key.equals("cache_creation") {
                        guard s.nextKind() == .object else { try s.skipValue(); return }
                        try s.readObject { s, key in
                            if key.equals("ephemeral_5m_input_tokens") {
                                u.ephemeral5m = try s.readInteger(field: "usage.cache_creation.ephemeral_5m_input_tokens")
                            } else if key.equals("ephemeral_1h_input_tokens") {
                                u.ephemeral1h = try s.readInteger(field: "usage.cache_creation.ephemeral_1h_input_tokens")
                            }
                        }
                    } else if key.equals("service_tier") {
                        u.serviceTier = try s.readText(field: "usage.service_tier")
                    } else if key.equals("speed") {
                        u.speed = try s.readText(field: "usage.speed")
                    } else if key.equals("inference_geo") {
                        u.inferenceGeo = try s.readText(field: "usage.inference_geo")
                    } else if key.equals("server_tool_use") {
                        u.toolCalls = try s.readServerToolUse(into: u.toolCalls)
                    }
                }
                line.usage = u
            }
        }
    }
}
