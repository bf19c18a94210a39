import Codecs
import Testing

@Suite("LZ4Codec")
struct LZ4CodecTests {
    @Test func lz4HasNameAndNoParameters() {
        #expect(LZ4Codec().name == "lz4")
        #expect(LZ4Codec().parameters.isEmpty)
    }

    @Test(arguments: [1, 255, 1000, 65_536, 1 << 20])
    func lz4FrameHeaderRecordsContentSize(count: Int) throws {
        let payload = try LZ4Codec().encode(bytes: TestBytes.compressible(count: count, seed: 5))
        #expect(payload[0..<4] == [0x04, 0x22, 0x4D, 0x18])
        #expect(payload[4] & 0x08 != 0, "FLG.ContentSize is set")
        let contentSize = payload[6..<14].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(contentSize == UInt64(count))
    }

    @Test func lz4EncodesEmptyInputAsElevenByteFrameEndingInEndMark() throws {
        let payload = try LZ4Codec().encode(bytes: [])
        #expect(payload.count == 11)
        #expect(payload[0..<4] == [0x04, 0x22, 0x4D, 0x18])
        #expect(payload.suffix(4) == [0, 0, 0, 0])
    }

    /// `printf 'hello hello hello hello hello' | lz4 -c` (lz4 1.9.4): no content size, with a content checksum.
    static let cliFrameWithoutContentSize: [UInt8] = [
        0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, 0xA7, 0x0F, 0x00, 0x00, 0x00, 0x6E,
        0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x06, 0x00, 0x50, 0x68, 0x65, 0x6C,
        0x6C, 0x6F, 0x00, 0x00, 0x00, 0x00, 0x79, 0xB1, 0xFF, 0xF9,
    ]

    @Test func lz4DecodesFrameWithoutContentSizeAndWithChecksum() throws {
        let decoded = try LZ4Codec().decode(bytes: Self.cliFrameWithoutContentSize, decodedByteCount: 29)
        #expect(decoded == Array("hello hello hello hello hello".utf8))
    }

    @Test func lz4FrameWithoutContentSizeStillChecksDecodedByteCount() {
        for count in [0, 28, 30] {
            let error = #expect(throws: CodecError.self) {
                try LZ4Codec().decode(bytes: Self.cliFrameWithoutContentSize, decodedByteCount: count)
            }
            #expect(error?.code == .sizeMismatch, "decodedByteCount \(count)")
        }
    }

    @Test func lz4RejectsCorruptContentChecksum() {
        var payload = Self.cliFrameWithoutContentSize
        payload[payload.count - 1] ^= 0x01
        let error = #expect(throws: CodecError.self) { try LZ4Codec().decode(bytes: payload, decodedByteCount: 29) }
        #expect(error?.code == .corruptInput)
    }

    @Test func lz4RejectsCorruptHeaderChecksum() {
        var payload = Self.cliFrameWithoutContentSize
        payload[6] ^= 0x01
        let error = #expect(throws: CodecError.self) { try LZ4Codec().decode(bytes: payload, decodedByteCount: 29) }
        #expect(error?.code == .corruptInput)
    }

    @Test func lz4RejectsSkippableFrame() {
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 0x04, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF]
        let error = #expect(throws: CodecError.self) { try LZ4Codec().decode(bytes: skippable, decodedByteCount: 0) }
        #expect(error?.code == .corruptInput)
    }

    @Test func lz4RejectsDecodedByteCountBeyondMaximumRatioBeforeAllocating() {
        // 34 bytes cannot decode to more than 34 × 255 bytes; the header records no size to compare against.
        let error = #expect(throws: CodecError.self) {
            try LZ4Codec().decode(bytes: Self.cliFrameWithoutContentSize, decodedByteCount: 1 << 40)
        }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.message.contains("at most 8670 bytes") == true)
    }
}
