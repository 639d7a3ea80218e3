import LedgerValues

extension InputSample {
    /// Whether the first non-blank line contains an ASCII needle (e.g. a JSON key with its quotes).
    func firstLineContains(_ needle: String) -> Bool {
        Self.find(Array(needle.utf8), in: firstLine)
    }

    /// Whether the first non-blank line starts with `byte` after blanks.
    func firstLineStarts(with byte: UInt8) -> Bool {
        firstLine.first(where: { $0 != 0x20 && $0 != 0x09 }) == byte
    }

    static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Bool {
        guard let first = needle.first, hay.count >= needle.count else { return false }
        var i = hay.startIndex
        let last = hay.endIndex - needle.count
        while i <= last {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

extension InputSample {
    /// Whether a line holds nothing but spaces, tabs and line ends (it is skipped, not rejected).
    public static func isBlank(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
    }
}
