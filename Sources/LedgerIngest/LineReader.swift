/// Splits a byte source into lines, in constant memory.
///
/// Each line comes with its 1-based number and the byte offset just past its line end, so an import
/// can record exactly how far it got. A UTF-8 byte-order mark and a trailing `\r` are removed. A line
/// longer than ``maxLineLength`` is not buffered: it is reported with its first bytes only and
/// skipped. The reader also keeps a running XXH64 of every byte it has handed out, which lets an
/// import recognise a file that has only grown since it was last read.
public final class LineReader {
    public struct Line {
        /// The line's bytes without the line end; valid until the next call to ``next()``.
        public var bytes: UnsafeBufferPointer<UInt8>
        public var number: Int
        /// Offset in the input just past this line (and its line end).
        public var endOffset: Int64
        /// False for a last line that had no line end.
        public var terminated: Bool
        /// The full length of a line that was too long (its `bytes` are only the start).
        public var oversizeLength: Int?
    }

    public static let maxLineLength = 8 << 20

    let source: ByteSource
    var buffer: UnsafeMutableRawBufferPointer
    let oversizeHead = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    var start = 0  // first unread byte in buffer
    var end = 0  // end of valid bytes in buffer
    var eof = false
    public private(set) var lineNumber: Int
    public private(set) var offset: Int64
    public private(set) var hash: XXHash64

    /// - Parameters:
    ///   - startOffset/startLine/hash: where a resumed read begins (the source must already be there).
    public init(source: ByteSource, startOffset: Int64 = 0, startLine: Int = 0, hash: XXHash64 = XXHash64(),
                bufferSize: Int = 1 << 20) {
        self.source = source
        self.buffer = .allocate(byteCount: bufferSize, alignment: 16)
        self.offset = startOffset
        self.lineNumber = startLine
        self.hash = hash
    }

    deinit {
        buffer.deallocate()
        oversizeHead.deallocate()
    }

    /// Reads more bytes, compacting and growing the buffer as needed. Returns false at end of input.
    func fill() throws -> Bool {
        if eof { return false }
        if start > 0 {
            let live = end - start
            if live > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: live) }
            start = 0
            end = live
        }
        if end == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if n == 0 { eof = true; return false }
        end += n
        return true
    }

    /// The first bytes of the input, for format detection, without consuming them.
    public func peek(_ count: Int) throws -> UnsafeRawBufferPointer {
        while end - start < count, try fill() {}
        return UnsafeRawBufferPointer(rebasing: buffer[start..<min(end, start + count)])
    }

    /// The bytes read from the source and not yet handed out as lines.
    package var bufferedBytes: [UInt8] { Array(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) }

    /// The next line, or nil at end of input.
    /// - Parameter maxLength: the longest line buffered whole (documents read whole pass a larger one).
    public func next(maxLength: Int = LineReader.maxLineLength) throws -> Line? {
        var scanFrom = start
        while true {
            if let nl = findNewline(from: scanFrom) {
                return consume(upTo: nl, lineEndLength: 1, terminated: true, maxLength: maxLength)
            }
            scanFrom = end
            if end - start > maxLength {
                return try skipOversize()
            }
            let before = start
            if !(try fill()) {
                if end > start { return consume(upTo: end, lineEndLength: 0, terminated: false, maxLength: maxLength) }
                return nil
            }
            scanFrom -= before - start  // the buffer was compacted
        }
    }

    func findNewline(from: Int) -> Int? {
        guard from < end else { return nil }
        let p = buffer.baseAddress! + from
        guard let hit = memchr(p, 0x0A, end - from) else { return nil }
        return from + (UnsafeRawPointer(hit) - UnsafeRawPointer(p))
    }

    func consume(upTo lineEnd: Int, lineEndLength: Int, terminated: Bool, maxLength: Int) -> Line {
        let total = lineEnd + lineEndLength - start
        hash.update(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + total)]))
        offset += Int64(total)
        lineNumber += 1
        var s = start
        var e = lineEnd
        if e > s, buffer[e - 1] == 0x0D { e -= 1 }
        if e - s >= 3, buffer[s] == 0xEF, buffer[s + 1] == 0xBB, buffer[s + 2] == 0xBF { s += 3 }
        start = lineEnd + lineEndLength
        let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + s, count: e - s)
        if bytes.count > maxLength {
            // Buffered whole because its line end arrived in the same read: still too long.
            return Line(bytes: UnsafeBufferPointer(rebasing: bytes.prefix(oversizeHead.count)), number: lineNumber,
                        endOffset: offset, terminated: terminated, oversizeLength: bytes.count)
        }
        return Line(bytes: bytes, number: lineNumber, endOffset: offset, terminated: terminated)
    }

    /// Skips a line longer than the limit, keeping only its first bytes for the reject.
    func skipOversize() throws -> Line {
        let keep = min(oversizeHead.count, end - start)
        oversizeHead.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: keep)
        var length = 0
        var terminated = false
        while true {
            if let nl = findNewline(from: start) {
                hash.update(UnsafeRawBufferPointer(rebasing: buffer[start...nl]))
                length += nl - start
                offset += Int64(nl + 1 - start)
                start = nl + 1
                terminated = true
                break
            }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            length += end - start
            offset += Int64(end - start)
            start = end
            if !(try fill()) { break }
        }
        lineNumber += 1
        let head = UnsafeBufferPointer(start: oversizeHead.baseAddress!.assumingMemoryBound(to: UInt8.self), count: keep)
        return Line(bytes: head, number: lineNumber, endOffset: offset, terminated: terminated, oversizeLength: length)
    }
}

#if canImport(Glibc)
import LedgerValues
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
