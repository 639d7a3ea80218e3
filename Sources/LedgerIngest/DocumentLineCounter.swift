import LedgerValues

/// Line numbers of positions in a document that is read whole (``Framing/document``), so that a
/// reject points at the line its record starts on rather than at line 1.
///
/// Positions must be asked for in increasing order; each byte is counted once.
struct DocumentLineCounter {
    let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var line: Int

    /// - Parameter firstLine: the line number of the document's first byte.
    init(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1) {
        self.bytes = bytes
        self.line = firstLine
    }

    /// The line that holds byte `position` (clamped to the document: the end of the input is on its
    /// last line, not on one after the final line end).
    mutating func line(at position: Int) -> Int {
        let target = min(max(position, 0), max(bytes.count - 1, 0))
        if target < offset { return line }
        while offset < target {
            if bytes[offset] == 0x0A { line += 1 }
            offset += 1
        }
        return line
    }
}
