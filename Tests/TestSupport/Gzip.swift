import CZlib

/// gzip-compresses bytes with zlib, as one gzip member: the `.gz` inputs of the import tests.
public func gzipCompress(_ input: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                               Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
    var source = input
    let produced: Int = source.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = uInt(outBuf.count)
            let rc = deflate(&stream, Z_FINISH)
            precondition(rc == Z_STREAM_END, "deflate returned \(rc)")
            return outBuf.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<produced])
}

/// Inflates as much of a gzip stream as can be read (all of it, or up to where it was cut short).
public func gunzipPrefix(_ input: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { inflateEnd(&stream) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var source = input
    source.withUnsafeMutableBufferPointer { inBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = uInt(inBuf.count)
        while true {
            let (rc, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let rc = inflate(&stream, Z_NO_FLUSH)
                return (rc, outBuf.count - Int(stream.avail_out))
            }
            out.append(contentsOf: chunk[0..<produced])
            if rc == Z_STREAM_END {
                if stream.avail_in == 0 { return }
                inflateReset(&stream)  // another member follows
                continue
            }
            if rc != Z_OK || (produced == 0 && stream.avail_in == 0) { return }
        }
    }
    return out
}
