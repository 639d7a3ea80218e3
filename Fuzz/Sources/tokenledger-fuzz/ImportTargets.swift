import TokenLedger

/// Importer targets: the fuzz input is one input file, read as `tokenledger import` reads a file.
enum ImportTargets {
    /// The shipped price book, so that calls are priced as in an import (an empty book if it is missing).
    static let book: PriceBook = (try? PriceBook.defaultBook()) ?? .empty

    static func run(_ data: UnsafeRawBufferPointer, formats: [any FormatImporter.Type], settings: ImporterSettings) {
        let bytes = Array(data)
        let gzip = GzipByteSource.looksLikeGzip(data)
        let sample = InputSample(bytes: Array(bytes.prefix(64 * 1024)), name: "fuzz-input")
        let detected = ImportFormats.detect(sample)
        var list = formats
        if list.isEmpty, let detected { list = [detected] }
        for format in list {
            // Reads of 97 bytes into a 256-byte first buffer: lines straddle reads and the buffer grows.
            let plain = MemoryByteSource(bytes, chunk: 97)
            let source: any ByteSource
            if gzip {
                guard let inflating = try? GzipByteSource(source: plain, path: "fuzz-input") else { continue }
                source = inflating
            } else {
                source = plain
            }
            let parsed = Importer.parse(source, format: format, settings: settings, prices: book, bufferSize: 256)
            check(parsed, format: format, input: gzip ? nil : bytes)
        }
    }

    /// What every import must hold whatever the input: every call obeys the record rules, every item has
    /// a price slot and a line of the input, and (for the routing log, one call per line) every non-blank
    /// line gives exactly one call or reject.
    static func check(_ parsed: ParsedInput, format: any FormatImporter.Type, input: [UInt8]?) {
        FuzzCheck.require(parsed.prices.count == parsed.items.count, "\(format.formatName): \(parsed.items.count) items, \(parsed.prices.count) prices")
        let lines = input.map(lineFacts)
        for (i, item) in parsed.items.enumerated() {
            FuzzCheck.require(item.line >= 1, "\(format.formatName): item at line \(item.line)")
            if let lines { FuzzCheck.require(item.line <= max(1, lines.total), "\(format.formatName): item at line \(item.line) of \(lines.total)") }
            switch item {
            case .call(let call, _):
                FuzzCheck.require(call.validationProblem() == nil,
                                  "\(format.formatName): call \(call.requestID) breaks a record rule: \(call.validationProblem()!)")
                FuzzCheck.require(Timestamp.validRange.contains(call.timestamp.milliseconds),
                                  "\(format.formatName): call time \(call.timestamp.milliseconds) out of range")
                if let quote = parsed.prices[i] {
                    FuzzCheck.require(quote.cost >= 0, "\(format.formatName): negative cost \(quote.cost)")
                }
            case .reject(_, _, let raw):
                _ = raw
            case .providerUsage, .providerCost, .skipped:
                break
            }
        }
        if format.formatName == RoutingLogImporter.formatName, let lines {
            FuzzCheck.require(parsed.items.count == lines.nonBlank,
                              "routing-log: \(lines.nonBlank) non-blank lines gave \(parsed.items.count) calls and rejects")
        }
    }

    /// The number of lines of an input and of those that are not blank, by the line reader's rules
    /// (a byte-order mark at the start of a line and a `\r` before its end are not part of it).
    static func lineFacts(_ bytes: [UInt8]) -> (total: Int, nonBlank: Int) {
        var total = 0, nonBlank = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            total += 1
            var s = start, e = end
            if e > s, bytes[e - 1] == 0x0D { e -= 1 }
            if e - s >= 3, bytes[s] == 0xEF, bytes[s + 1] == 0xBB, bytes[s + 2] == 0xBF { s += 3 }
            if bytes[s..<max(s, e)].contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }) { nonBlank += 1 }
            start = end + 1
        }
        return (total, nonBlank)
    }
}
