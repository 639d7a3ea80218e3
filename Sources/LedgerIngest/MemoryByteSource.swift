import LedgerValues

/// An input held in memory, read like a file.
///
/// With ``Importer/parse(_:format:settings:prices:bufferSize:)`` it lets tests and fuzz targets feed an
/// importer exactly the units an import of a file would, without a file or a database.
public final class MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    var position = 0
    /// The most bytes one read returns; small reads exercise the reader's buffer handling.
    let chunk: Int

    public var rawBytesRead: Int64 { Int64(position) }

    /// - Parameters:
    ///   - bytes: the whole input.
    ///   - chunk: the most bytes handed out per read (at least 1).
    public init(_ bytes: [UInt8], chunk: Int = .max) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, chunk, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { all in
            buffer.baseAddress!.copyMemory(from: all.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}
