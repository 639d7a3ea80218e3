#if canImport(Glibc)
import LedgerValues
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Where the bytes of one input come from: a file, a gzip file, or standard input.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 means end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Bytes of the underlying file consumed so far (compressed bytes for gzip).
    var rawBytesRead: Int64 { get }
}

/// Problems reading an input as a whole (not one row of it).
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    package static func errno(_ path: String, _ what: String) -> InputError {
        InputError(path: path, message: "\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// A plain file or standard input, read with `read(2)`.
public final class FileByteSource: ByteSource {
    let fd: Int32
    let path: String
    let ownsDescriptor: Bool
    public private(set) var rawBytesRead: Int64 = 0

    /// Opens `path` for reading, starting at byte `offset`.
    public init(path: String, offset: Int64 = 0) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError.errno(path, "cannot open") }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw InputError(path: path, message: "is a directory")
        }
        if offset > 0 {
            guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
                close(fd)
                throw InputError.errno(path, "cannot seek")
            }
        }
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
        self.rawBytesRead = offset
    }

    /// Standard input.
    public init(standardInput: Void) {
        self.fd = 0
        self.path = "-"
        self.ownsDescriptor = false
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                rawBytesRead += Int64(n)
                return n
            }
            if Glibc.errno == EINTR { continue }
            throw InputError.errno(path, "read failed")
        }
    }
}

/// Bytes already read from a source (to recognise its format), then the rest of that source.
public final class PrefixedByteSource: ByteSource {
    var prefix: [UInt8]
    let rest: any ByteSource

    public init(prefix: [UInt8], rest: any ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public var rawBytesRead: Int64 { rest.rawBytesRead }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !prefix.isEmpty else { return try rest.read(into: buffer) }
        let n = min(buffer.count, prefix.count)
        prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        prefix.removeFirst(n)
        return n
    }
}

/// A gzip (or zlib) file, inflated as it is read. Concatenated gzip members are read in sequence.
public final class GzipByteSource: ByteSource {
    let file: any ByteSource
    var stream = z_stream()
    var input: UnsafeMutableRawBufferPointer
    var finished = false
    var memberEnded = false
    let path: String

    public var rawBytesRead: Int64 { file.rawBytesRead }

    public convenience init(path: String) throws {
        try self.init(source: try FileByteSource(path: path), path: path)
    }

    /// Inflates the bytes of another source (standard input), named `path` in messages.
    public init(source: any ByteSource, path: String) throws {
        self.file = source
        self.path = path
        self.input = .allocate(byteCount: 1 << 20, alignment: 16)
        let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            input.deallocate()
            throw InputError(path: path, message: "cannot start gzip decoding (zlib error \(rc))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                let n = try file.read(into: input)
                if n == 0 {
                    // End of the file: fine only at the end of a member.
                    if !memberEnded {
                        finished = true
                        let produced = buffer.count - Int(stream.avail_out)
                        if produced > 0 { return produced }
                        throw InputError(path: path, message: "gzip data is truncated (the file was cut short); the lines before the cut were read")
                    }
                    finished = true
                    break
                }
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(n)
                if memberEnded {
                    // Another gzip member follows.
                    inflateReset(&stream)
                    memberEnded = false
                }
            }
            let rc = inflate(&stream, Z_NO_FLUSH)
            switch rc {
            case Z_STREAM_END:
                memberEnded = true
                if stream.avail_in > 0 {
                    inflateReset(&stream)
                    memberEnded = false
                }
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                finished = true
                let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw InputError(path: path, message: "gzip data is damaged: \(message)")
            }
            if buffer.count - Int(stream.avail_out) > 0 && stream.avail_in == 0 { break }
        }
        return buffer.count - Int(stream.avail_out)
    }

    /// Whether `bytes` start like a gzip stream.
    public static func looksLikeGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }
}
