/// XXH64, a fast non-cryptographic 64-bit hash (Yann Collet's specification), in streaming form.
///
/// TokenLedger uses it for file content hashes (an unchanged file is skipped at once; a file that only
/// grew resumes where it stopped) and for the 63-bit keys that deduplicate requests and group actions.
///
///     XXHash64.hash(Array("abc".utf8))   // 0x44BC2CF5AD770999
public struct XXHash64: Sendable {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1, v2, v3, v4: UInt64
    private let seed: UInt64
    private var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var bufferCount = 0
    /// Bytes hashed so far.
    public private(set) var length: UInt64 = 0

    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXHash64.p1 &+ XXHash64.p2
        v2 = seed &+ XXHash64.p2
        v3 = seed
        v4 = seed &- XXHash64.p1
    }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        let a = acc ^ round(0, val)
        return a &* p1 &+ p4
    }

    @inline(__always) static func load64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) static func load32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        let n = bytes.count
        // Fill a pending partial stripe first.
        if bufferCount > 0 {
            withUnsafeMutableBytes(of: &buffer) { buf in
                let take = min(32 - bufferCount, n)
                buf.baseAddress!.advanced(by: bufferCount).copyMemory(from: base, byteCount: take)
                bufferCount += take
                offset = take
            }
            if bufferCount < 32 { return }
            withUnsafeBytes(of: buffer) { buf in
                let p = buf.baseAddress!
                v1 = XXHash64.round(v1, XXHash64.load64(p, 0))
                v2 = XXHash64.round(v2, XXHash64.load64(p, 8))
                v3 = XXHash64.round(v3, XXHash64.load64(p, 16))
                v4 = XXHash64.round(v4, XXHash64.load64(p, 24))
            }
            bufferCount = 0
        }
        while n - offset >= 32 {
            v1 = XXHash64.round(v1, XXHash64.load64(base, offset))
            v2 = XXHash64.round(v2, XXHash64.load64(base, offset + 8))
            v3 = XXHash64.round(v3, XXHash64.load64(base, offset + 16))
            v4 = XXHash64.round(v4, XXHash64.load64(base, offset + 24))
            offset += 32
        }
        if offset < n {
            let rest = n - offset
            withUnsafeMutableBytes(of: &buffer) { buf in
                buf.baseAddress!.copyMemory(from: base.advanced(by: offset), byteCount: rest)
            }
            bufferCount = rest
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The hash of everything added so far (the state stays usable).
    public func finalize() -> UInt64 {
        var h: UInt64
        if length >= 32 {
            h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            h = XXHash64.merge(h, v1)
            h = XXHash64.merge(h, v2)
            h = XXHash64.merge(h, v3)
            h = XXHash64.merge(h, v4)
        } else {
            h = seed &+ XXHash64.p5
        }
        h &+= length
        withUnsafeBytes(of: buffer) { buf in
            let p = buf.baseAddress!
            var i = 0
            let n = bufferCount
            while i + 8 <= n {
                let k = XXHash64.round(0, XXHash64.load64(p, i))
                h ^= k
                h = ((h << 27) | (h >> 37)) &* XXHash64.p1 &+ XXHash64.p4
                i += 8
            }
            if i + 4 <= n {
                h ^= UInt64(XXHash64.load32(p, i)) &* XXHash64.p1
                h = ((h << 23) | (h >> 41)) &* XXHash64.p2 &+ XXHash64.p3
                i += 4
            }
            while i < n {
                h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* XXHash64.p5
                h = ((h << 11) | (h >> 53)) &* XXHash64.p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= XXHash64.p2
        h ^= h >> 29
        h &*= XXHash64.p3
        h ^= h >> 32
        return h
    }

    /// The hash of one buffer.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h = XXHash64(seed: seed)
        h.update(bytes)
        return h.finalize()
    }

    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        var t = text
        return t.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// The hash as a non-negative SQLite integer (63 bits).
    public static func key(_ text: String, seed: UInt64) -> Int64 {
        Int64(bitPattern: hash(text, seed: seed) & 0x7FFF_FFFF_FFFF_FFFF)
    }

    /// The full 64 bits as a signed SQLite integer (for content hashes).
    public static func signed(_ h: UInt64) -> Int64 { Int64(bitPattern: h) }
}
