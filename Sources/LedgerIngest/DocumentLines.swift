import LedgerValues

/// The lines of a document read whole (``Framing/document``) that holds JSON Lines, for formats that
/// accept both one document and one value per line.
enum DocumentLines {
    /// Calls `body` with each non-blank line and its line number (`firstLine` for the first byte).
    static func forEach(_ unit: UnsafeBufferPointer<UInt8>, firstLine: Int, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        var start = 0
        var line = firstLine
        while start < unit.count {
            let end = LiteLLMSpendLogImporter.lineEnd(unit, from: start)
            let bytes = UnsafeBufferPointer(rebasing: unit[start..<end])
            if !InputSample.isBlank(bytes) { body(bytes, line) }
            start = end + 1
            line += 1
        }
    }
}
