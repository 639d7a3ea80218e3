import LedgerValues

/// A sample taken past the lines that no format could start with.
///
/// Detection reads the start of an input. A log whose first line is damaged — cut in the middle (a rotated or
/// copied log), a block of NUL bytes, a value nested deeper than the reader allows, or one record larger than
/// any sample — would otherwise be unrecognised, and every good line after it lost. When no format claims
/// the start of an input, the importer samples again from the first line that is a whole JSON object; the
/// lines before it are read as the format reads any bad line (each a reject with its reason).
extension InputSample {
    /// Lines skipped at most while looking for a whole JSON object.
    static let recoveryMaxSkippedLines = 1_000
    /// Bytes read at most while looking for it (a skipped line longer than the reader's limit is read
    /// through, never held).
    static let recoveryMaxSkippedBytes: Int64 = 256 << 20

    /// The sample from the first line of `reader` that is a whole, non-empty JSON object (and the lines
    /// after it, up to `maxBytes`), with how many lines were skipped before it; nil when the reader holds
    /// none within the limits above, or its first non-blank line is already one (nothing to skip).
    package static func fromFirstWholeObject(_ reader: LineReader, name: String, maxBytes: Int = 64 * 1024) throws -> (sample: InputSample, skipped: Int)? {
        var skipped = 0
        var bytes: [UInt8] = []
        while let line = try reader.next() {
            if bytes.isEmpty {
                if line.oversizeLength == nil, isWholeJSONObject(line.bytes) {
                    guard skipped > 0 else { return nil }
                    bytes.append(contentsOf: line.bytes)
                    bytes.append(0x0A)
                    continue
                }
                if !InputSample.isBlank(line.bytes) { skipped += 1 }
                if skipped > recoveryMaxSkippedLines || reader.offset > recoveryMaxSkippedBytes { return nil }
                continue
            }
            if line.oversizeLength != nil { continue }
            bytes.append(contentsOf: line.bytes.prefix(maxBytes - bytes.count))
            bytes.append(0x0A)
            if bytes.count >= maxBytes { break }
        }
        return bytes.isEmpty ? nil : (InputSample(bytes: bytes, name: name), skipped)
    }

    /// Whether a line is one whole JSON object with at least one member (`{}` alone says nothing).
    static func isWholeJSONObject(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var s = JSONScanner(line)
        guard s.nextKind() == .object else { return false }
        guard let open = line.firstIndex(of: 0x7B),
              line[(open + 1)...].first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) != 0x7D else { return false }
        do {
            try s.skipValue()
            try s.expectEnd()
            return true
        } catch {
            return false
        }
    }
}
