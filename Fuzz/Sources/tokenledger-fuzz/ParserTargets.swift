import TokenLedger

/// Targets for the parsers below and beside the importers.
enum ParserTargets {
    /// Each line of the input as a CSV record, with the delimiter sniffed from the first line, and the
    /// first record as a header. A record that parses must have its header's column lookups hold.
    static func csv(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard let first = lines.first else { return }
        let delimiter = CSVRecord.sniffDelimiter(first)
        FuzzCheck.require([0x2C, 0x3B, 0x09].contains(delimiter), "sniffed delimiter \(delimiter)")
        var header: CSVHeader?
        for line in lines {
            guard let fields = try? Array(line).withUnsafeBufferPointer({ try CSVRecord.fields($0, delimiter: delimiter) }) else { continue }
            FuzzCheck.require(!fields.isEmpty, "a record without fields")
            if let header {
                for name in header.names { _ = header.value(name, in: fields) }
            } else {
                header = CSVHeader(fields, delimiter: delimiter)
            }
        }
        // The whole input as one record (quoted fields may span lines).
        _ = try? bytes.withUnsafeBufferPointer { try CSVRecord.fields($0, delimiter: delimiter) }
    }

    /// The input as one JSON text; a value that parses must read back equal from its compact text.
    static func json(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        guard let value = try? JSONValue.parse(bytes) else { return }
        let text = value.compactText
        guard let back = try? JSONValue.parse(text) else {
            FuzzCheck.require(false, "compact text of a parsed value does not parse: \(text.prefix(200))")
            return
        }
        FuzzCheck.require(back == value, "compact text reads back different: \(text.prefix(200))")
        _ = value.decimal
        _ = value.int64
        _ = value.double
        _ = value.bool
    }

    /// Each field of the input (split at line ends, commas, semicolons, tabs, quotes and colons after a
    /// key) through the scalar parsers. A timestamp must print and read back the same; an amount must
    /// print exactly and read back the same.
    static func scalars(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        var pieces = bytes.split(whereSeparator: { $0 == 0x0A || $0 == 0x2C || $0 == 0x3B || $0 == 0x09 || $0 == 0x22 })
        pieces.append(bytes[...])
        for piece in pieces.prefix(256) {
            if let t = Timestamp.parse(iso: piece) {
                FuzzCheck.require(Timestamp.validRange.contains(t.milliseconds), "timestamp out of range: \(t.milliseconds)")
                FuzzCheck.require(Timestamp.parse(iso: t.iso8601) == t, "timestamp \(t.iso8601) reads back different")
                _ = t.utcDay.isoWeekday
            }
            guard let text = String(validating: piece, as: UTF8.self) else { continue }
            if let d = ExactDecimal(parsing: text) {
                _ = d.scaled(byPowerOfTen: 12, rounding: true)
                _ = d.scaled(byPowerOfTen: -12, rounding: false)
                _ = d.exactInt64
            }
            for scale in [0, 2] {
                if let m = Money(parsing: text, scale: scale) {
                    FuzzCheck.require(Money(parsing: m.exactString) == m, "amount \(m.exactString) reads back different")
                    _ = m.display()
                    _ = m.formatted(decimals: 4)
                }
            }
            if let r = Rate(perMillion: text) {
                FuzzCheck.require(Rate(perMillion: r.perMillionString) == r, "rate \(r) reads back different")
                _ = r.cost(of: 1_000_000_000)
            }
            _ = Rate(perToken: text)
            _ = CivilDate(parsing: text)
            if let n = Int64(text) { _ = Timestamp.fromEpoch(n) }
        }
    }

    /// The input as a budget file (text that is not UTF-8 is refused before parsing, as `load` does).
    static func budget(_ data: UnsafeRawBufferPointer) {
        guard let text = String(validating: data, as: UTF8.self) else { return }
        _ = try? BudgetFile.parse(text: text, path: "budget.yaml")
    }

    /// The input as a price book; a book that parses must write YAML that reads back to the same entries.
    static func priceBook(_ data: UnsafeRawBufferPointer) {
        guard let text = String(validating: data, as: UTF8.self) else { return }
        let day = CivilDate(year: 2026, month: 1, day: 1)
        guard let file = try? PriceBookFile.parse(text: text, path: "prices.yaml", defaultEffectiveFrom: day) else { return }
        let written = file.yamlText()
        let back: PriceBookFile
        do {
            back = try PriceBookFile.parse(text: written, path: "prices.yaml", defaultEffectiveFrom: day)
        } catch {
            FuzzCheck.require(false, "written price book does not parse: \(error)\n\(written.prefix(400))")
            return
        }
        FuzzCheck.require(back.entries == file.entries, "written price book reads back different entries")
        _ = file.book
    }

    /// The input as LiteLLM's model price catalogue.
    static func liteLLMCatalog(_ data: UnsafeRawBufferPointer) {
        _ = try? LiteLLMCatalog.parse(Array(data), file: "catalog.json", effectiveFrom: CivilDate(year: 2026, month: 1, day: 1),
                                      source: "litellm fuzz")
    }
}
