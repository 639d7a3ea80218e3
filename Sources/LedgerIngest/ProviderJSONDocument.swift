import LedgerValues

/// A provider's JSON export, read whole: one page, an array of pages, or JSON Lines (or any sequence) of
/// pages. Pages hold time buckets (`data`), buckets hold results (`results`); each result is handed over
/// with its bucket's start and end and the line it starts on, so that a bad result is rejected alone.
///
///     {"object":"page","data":[{"start_time":1767225600,"end_time":1767312000,"results":[{…},{…}]}]}
///
/// A top-level value that is not JSON is rejected with its line, and reading resumes at the next line that
/// starts (in its first column) with `{` or `[`, so one broken line of a JSON Lines file loses only itself.
struct ProviderJSONDocument {
    let bytes: UnsafeBufferPointer<UInt8>
    let firstLine: Int
    /// Offsets of the line ends, for line numbers.
    private let lineEnds: [Int]

    init(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1) {
        self.bytes = bytes
        self.firstLine = firstLine
        var ends: [Int] = []
        for i in 0..<bytes.count where bytes[i] == 0x0A { ends.append(i) }
        self.lineEnds = ends
    }

    /// The line number of a byte offset (the end of the input is on its last line).
    func line(at offset: Int) -> Int {
        let offset = min(offset, bytes.count - 1)
        var lo = 0, hi = lineEnds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lineEnds[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        return firstLine + lo
    }

    /// The raw bytes of a range, cut to what a reject keeps.
    func raw(_ range: Range<Int>) -> [UInt8] {
        let r = range.clamped(to: 0..<bytes.count)
        return Array(bytes[r.lowerBound..<min(r.upperBound, r.lowerBound + ImportLimits.rejectRawBytes)])
    }

    /// One bucket's results.
    struct Bucket {
        var start: JSONValue?
        var end: JSONValue?
        var results: [(value: JSONValue, range: Range<Int>)] = []
    }

    /// Calls `body` with every result of every bucket of every page. A result `body` throws for becomes a
    /// reject; so does a top-level value that is not JSON or not a page.
    func forEachResult(into items: inout [ImportItem],
                       _ body: (_ bucket: Bucket, _ result: JSONValue, _ line: Int, _ items: inout [ImportItem]) throws -> Void) {
        forEachTopLevel(into: &items) { s, start, items in
            var buckets: [Bucket] = []
            var sawPage = false
            try Self.collect(&s, into: &buckets, sawPage: &sawPage, depth: 0)
            guard sawPage else {
                throw RecordProblem.reason(.missingField("data (a page of time buckets)"))
            }
            for bucket in buckets {
                for (value, range) in bucket.results {
                    let count = items.count
                    do {
                        try body(bucket, value, line(at: range.lowerBound), &items)
                    } catch {
                        items.removeSubrange(count...)
                        items.append(.reject(RecordProblem.reason(for: error), line: line(at: range.lowerBound), raw: raw(range)))
                    }
                }
            }
        }
    }

    /// Calls `body` with every record: a top-level object, each element of a top-level array, or the
    /// object (or each element of the array) under a `data` key (OpenRouter's `{"data":{…}}`).
    func forEachRecord(into items: inout [ImportItem],
                       _ body: (_ record: JSONValue, _ line: Int, _ items: inout [ImportItem]) throws -> Void) {
        forEachTopLevel(into: &items) { s, start, items in
            var records: [(JSONValue, Range<Int>)] = []
            if s.nextKind() == .array {
                try s.readArray { s in
                    _ = s.nextKind()
                    let at = s.position
                    records.append((try s.readValue(), at..<s.position))
                }
            } else {
                let v = try s.readValue()
                records.append((v, start..<s.position))
            }
            for (value, range) in records {
                var inner: [JSONValue] = [value]
                if let data = value["data"] {
                    if let list = data.array { inner = list } else if data.object != nil { inner = [data] }
                }
                for record in inner {
                    let count = items.count
                    do {
                        guard record.object != nil else { throw RecordProblem.reason(.wrongType(field: "record", expected: "an object")) }
                        try body(record, line(at: range.lowerBound), &items)
                    } catch {
                        items.removeSubrange(count...)
                        items.append(.reject(RecordProblem.reason(for: error), line: line(at: range.lowerBound), raw: raw(range)))
                    }
                }
            }
        }
    }

    /// Walks the top-level values; `body` reads one value from the scanner standing on it.
    private func forEachTopLevel(into items: inout [ImportItem],
                                 _ body: (inout JSONScanner, Int, inout [ImportItem]) throws -> Void) {
        var s = JSONScanner(bytes)
        while true {
            guard s.nextKind() != nil || !s.atEnd else { break }
            let start = s.position
            let count = items.count
            do {
                guard s.nextKind() != nil else { throw JSONError(message: "expected a JSON value", offset: start) }
                try body(&s, start, &items)
                if s.sawNonASCII, String(validating: UnsafeBufferPointer(rebasing: bytes[start..<s.position]), as: UTF8.self) == nil {
                    throw RecordProblem.reason(.invalidUTF8)
                }
                s.sawNonASCII = false
            } catch {
                items.removeSubrange(count...)
                // Resume at the next line that opens a value after the start of this one: in JSON Lines a broken
                // line may have swallowed the next one while it was being read.
                let resume = resumeOffset(after: start)
                items.append(.reject(RecordProblem.reason(for: error), line: line(at: start), raw: raw(start..<resume)))
                s = JSONScanner(bytes)
                s.position = resume
            }
        }
    }

    /// The start of the next line (after `offset`) whose first byte opens a JSON value, or the end.
    private func resumeOffset(after offset: Int) -> Int {
        var i = offset
        while i < bytes.count {
            if bytes[i] == 0x0A, i + 1 < bytes.count, bytes[i + 1] == 0x7B || bytes[i + 1] == 0x5B { return i + 1 }
            i += 1
        }
        return bytes.count
    }

    /// Reads a page (an object with `data`), a bucket (an object with `results`) or an array of either.
    private static func collect(_ s: inout JSONScanner, into buckets: inout [Bucket], sawPage: inout Bool, depth: Int) throws {
        guard depth < 8 else { try s.skipValue(); return }
        switch s.nextKind() {
        case .array:
            try s.readArray { s in try collect(&s, into: &buckets, sawPage: &sawPage, depth: depth + 1) }
        case .object:
            var bucket = Bucket()
            var isBucket = false
            var nested: [Bucket] = []
            try s.readObject { s, key in
                if key.equals("data") {
                    sawPage = true
                    if s.nextKind() == .array {
                        try s.readArray { s in try collect(&s, into: &nested, sawPage: &sawPage, depth: depth + 1) }
                    } else {
                        try s.skipValue()
                    }
                } else if key.equals("results") || key.equals("result") {
                    isBucket = true
                    sawPage = true
                    if s.nextKind() == .array {
                        try s.readArray { s in
                            _ = s.nextKind()
                            let at = s.position
                            bucket.results.append((try s.readValue(), at..<s.position))
                        }
                    } else if s.nextKind() == .null {
                        try s.readNull()
                    } else {
                        throw RecordProblem.reason(.wrongType(field: "results", expected: "an array"))
                    }
                } else if key.equals("start_time") || key.equals("starting_at") {
                    bucket.start = try s.readValue()
                } else if key.equals("end_time") || key.equals("ending_at") {
                    bucket.end = try s.readValue()
                } else {
                    try s.skipValue()
                }
            }
            buckets.append(contentsOf: nested)
            if isBucket { buckets.append(bucket) }
        default:
            try s.skipValue()
        }
    }
}
