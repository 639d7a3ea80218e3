import LedgerValues

extension JSONScanner {
    /// Reads any value into a ``JSONValue`` tree.
    public mutating func readValue() throws -> JSONValue {
        guard let kind = nextKind() else {
            throw error(atEnd ? "unexpected end of input, expected a value" : "expected a value")
        }
        switch kind {
        case .null: try readNull(); return .null
        case .bool: return .bool(try readBool())
        case .string: return .string(try readString())
        case .number:
            let text = try readNumberBytes()
            return .number(String(decoding: text, as: UTF8.self))
        case .array:
            var items: [JSONValue] = []
            try readArray { s in items.append(try s.readValue()) }
            return .array(items)
        case .object:
            var dict: [String: JSONValue] = [:]
            try readObject { s, key in
                let k = try JSONScanner.decode(key, at: s.position)
                dict[k] = try s.readValue()
            }
            return .object(dict)
        }
    }
}

extension JSONValue {
    /// Parses one complete JSON text.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var s = JSONScanner(bytes)
        let v = try s.readValue()
        try s.expectEnd()
        return v
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { try parse($0) }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }
}
