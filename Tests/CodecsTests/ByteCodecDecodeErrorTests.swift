import Codecs
import TestSupport
import Testing

@Suite("ByteCodec decode errors")
struct ByteCodecDecodeErrorTests {
    static let input = TestBytes.compressible(count: 10_000, seed: 1)

    @Test(arguments: allCodecs)
    func truncatedPayloadThrowsCorruptInput(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: Self.input)
        for length in [0, 1, 3, 4, 10, 11, 12, payload.count / 2, payload.count - 4, payload.count - 1] {
            let error = #expect(throws: CodecError.self, "length \(length) of \(payload.count)") {
                try codec.decode(bytes: Array(payload.prefix(length)), decodedByteCount: Self.input.count)
            }
            #expect(error?.code == .corruptInput, "length \(length): \(String(describing: error))")
        }
    }

    @Test(arguments: allCodecs)
    func truncatedEmptyFrameThrowsCorruptInput(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: [])
        let error = #expect(throws: CodecError.self) {
            try codec.decode(bytes: Array(payload.dropLast()), decodedByteCount: 0)
        }
        #expect(error?.code == .corruptInput)
    }

    @Test(arguments: allCodecs)
    func wrongDecodedByteCountThrowsSizeMismatch(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: Self.input)
        let n = Self.input.count
        for count in [n - 1, n + 1, 0, 1, 2 * n, 1 << 40, Int.max, -1, Int.min] {
            let error = #expect(throws: CodecError.self, "decodedByteCount \(count)") {
                try codec.decode(bytes: payload, decodedByteCount: count)
            }
            #expect(error?.code == .sizeMismatch, "decodedByteCount \(count): \(String(describing: error))")
            #expect(error?.codecName == codec.name)
        }
    }

    @Test(arguments: allCodecs)
    func emptyPayloadWithNonzeroDecodedByteCountThrowsSizeMismatch(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: [])
        let error = #expect(throws: CodecError.self) { try codec.decode(bytes: payload, decodedByteCount: 1) }
        #expect(error?.code == .sizeMismatch)
    }

    @Test(arguments: allCodecs)
    func garbageBytesThrowCorruptInput(codec: any ByteCodec) throws {
        let garbage: [[UInt8]] = [
            [], [0x00], TestBytes.random(count: 64, seed: 9), [UInt8](repeating: 0, count: 1000),
            Array("not a frame at all".utf8),
        ]
        for bytes in garbage {
            let error = #expect(throws: CodecError.self) { try codec.decode(bytes: bytes, decodedByteCount: 100) }
            #expect(error?.code == .corruptInput, "\(bytes.count) bytes: \(String(describing: error))")
        }
    }

    @Test(arguments: allCodecs)
    func otherCodecsPayloadThrowsCorruptInput(codec: any ByteCodec) throws {
        for other in allCodecs where other.name != codec.name {
            let payload = try other.encode(bytes: Self.input)
            let error = #expect(throws: CodecError.self) {
                try codec.decode(bytes: payload, decodedByteCount: Self.input.count)
            }
            #expect(error?.code == .corruptInput)
        }
    }

    @Test(arguments: allCodecs)
    func trailingBytesAfterValidFrameThrowCorruptInput(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: Self.input)
        for trailer in [[0x00], [UInt8](repeating: 0xFF, count: 16), payload] {
            let error = #expect(throws: CodecError.self, "\(trailer.count) trailing bytes") {
                try codec.decode(bytes: payload + trailer, decodedByteCount: Self.input.count)
            }
            #expect(error?.code == .corruptInput)
            #expect(error?.message.contains("trailing") == true)
        }
    }

    /// Flips 1...3 random bytes of a valid payload 200 times: each decode throws or returns exactly the
    /// expected byte count; it never traps.
    @Test(arguments: allCodecs)
    func mutatedPayloadThrowsOrDecodesToExactByteCount(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: Self.input)
        var generator = SplitMix64(seed: 0xF1AB)
        var rejected = 0
        for _ in 0..<200 {
            var mutated = payload
            for _ in 0...generator.next(upperBound: 2 as UInt64) {
                let index = Int(generator.next(upperBound: UInt64(mutated.count)))
                mutated[index] ^= UInt8(generator.next(upperBound: 255 as UInt64) + 1)
            }
            do throws(CodecError) {
                let decoded = try codec.decode(bytes: mutated, decodedByteCount: Self.input.count)
                #expect(decoded.count == Self.input.count)
            } catch {
                #expect([.corruptInput, .sizeMismatch].contains(error.code))
                rejected += 1
            }
        }
        #expect(rejected > 0, "no mutation was detected")
    }
}
