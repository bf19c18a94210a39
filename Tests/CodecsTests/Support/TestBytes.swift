import Codecs
import TestSupport

enum TestBytes {
    /// `count` uniformly random bytes: incompressible.
    static func random(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in generator.byte() }
    }

    /// `count` bytes in runs of 1...32 of 16 distinct values: compressible, like quantised weights.
    static func compressible(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            let value = UInt8(generator.next(upperBound: 16 as UInt64) &* 17)
            let run = min(Int(generator.next(upperBound: 32 as UInt64)) + 1, count - bytes.count)
            bytes.append(contentsOf: repeatElement(value, count: run))
        }
        return bytes
    }
}

/// Every codec, for `@Test(arguments:)`.
let allCodecs: [any ByteCodec] = [try! ZstdCodec(), LZ4Codec(), try! HuffmanCodec()]

extension ByteCodec {
    /// `encode(_:)` on an array.
    func encode(bytes: [UInt8]) throws(CodecError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(CodecError) in try encode(buffer) } }
        return try result.get()
    }

    /// `decode(_:decodedByteCount:)` on an array.
    func decode(bytes: [UInt8], decodedByteCount: Int) throws(CodecError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(CodecError) in try decode(buffer, decodedByteCount: decodedByteCount) }
        }
        return try result.get()
    }
}
