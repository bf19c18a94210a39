import Codecs
import Testing

@Suite("ZstdCodec")
struct ZstdCodecTests {
    static let outsideLevels = [
        ZstdCodec.levelRange.upperBound + 1, ZstdCodec.levelRange.lowerBound - 1, Int.max, Int.min,
    ]

    @Test(arguments: outsideLevels)
    func zstdRejectsLevelOutsideRange(level: Int) {
        let error = #expect(throws: CodecError.self) { try ZstdCodec(level: level) }
        #expect(error?.code == .invalidLevel)
        #expect(
            error?.message.contains("\(ZstdCodec.levelRange.lowerBound)...\(ZstdCodec.levelRange.upperBound)") == true)
    }

    @Test func zstdLevelRangeMatchesLibzstd() {
        #expect(ZstdCodec.levelRange.upperBound >= 19)
        #expect(ZstdCodec.levelRange.lowerBound < 0)
    }

    @Test(arguments: [ZstdCodec.levelRange.lowerBound, -5, 0, 1, 3, 19, ZstdCodec.levelRange.upperBound])
    func zstdRoundTripsAtLevel(level: Int) throws {
        let codec = try ZstdCodec(level: level)
        let input = TestBytes.compressible(count: 200_000, seed: UInt64(bitPattern: Int64(level)))
        let payload = try codec.encode(bytes: input)
        #expect(payload.count <= input.count + input.count / 100)
        if level >= 1 { #expect(payload.count < input.count / 2) }
        #expect(try codec.decode(bytes: payload, decodedByteCount: input.count) == input)
    }

    @Test func zstdHigherLevelCompressesAtLeastAsWell() throws {
        let input = TestBytes.compressible(count: 500_000, seed: 3)
        let fast = try ZstdCodec(level: 1).encode(bytes: input)
        let strong = try ZstdCodec(level: 19).encode(bytes: input)
        #expect(strong.count <= fast.count)
    }

    @Test func zstdParametersRoundTripThroughInit() throws {
        let codec = try ZstdCodec(level: 7, workers: 2)
        #expect(codec.name == "zstd")
        #expect(codec.parameters == ["level": "7"])
        let restored = try ZstdCodec(parameters: codec.parameters)
        #expect(restored.level == 7)
        #expect(restored.workers == 0)
    }

    @Test func zstdParameterInitDefaultsToLevel3WhenLevelIsMissing() throws {
        #expect(try ZstdCodec(parameters: [:]).level == 3)
        #expect(try ZstdCodec().parameters == ["level": "3"])
    }

    @Test(arguments: [["level": "fast"], ["level": ""], ["level": "3.0"], ["level": "99"], ["level": "-999999"]])
    func zstdParameterInitRejectsBadLevel(parameters: [String: String]) {
        let error = #expect(throws: CodecError.self) { try ZstdCodec(parameters: parameters) }
        #expect(error?.code == .invalidLevel)
    }

    @Test func zstdParameterInitRejectsUnknownKey() {
        let error = #expect(throws: CodecError.self) {
            try ZstdCodec(parameters: ["level": "3", "windowLog": "27"])
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("windowLog") == true)
    }

    @Test func zstdRejectsNegativeWorkerCount() {
        let error = #expect(throws: CodecError.self) { try ZstdCodec(workers: -1) }
        #expect(error?.code == .invalidParameter)
    }

    @Test func zstdWithWorkersRoundTripsThroughSingleThreadedDecoder() throws {
        let input = TestBytes.compressible(count: 6 << 20, seed: 11)
        let payload = try ZstdCodec(level: 3, workers: 2).encode(bytes: input)
        #expect(try ZstdCodec().decode(bytes: payload, decodedByteCount: input.count) == input)
    }

    @Test func zstdOutputIsTheSameForAnyPositiveWorkerCount() throws {
        let input = TestBytes.compressible(count: 3 << 20, seed: 12)
        let oneWorker = try ZstdCodec(level: 3, workers: 1).encode(bytes: input)
        #expect(try ZstdCodec(level: 3, workers: 2).encode(bytes: input) == oneWorker)
    }

    @Test(arguments: [0, 1, 255, 256, 1000, 65_791, 70_000, 1 << 20])
    func zstdFrameHeaderRecordsContentSize(count: Int) throws {
        let payload = try ZstdCodec().encode(bytes: TestBytes.compressible(count: count, seed: 5))
        #expect(ZstdFrameHeader.contentSize(of: payload) == UInt64(count))
    }

    /// `printf 'hello hello hello hello hello' | zstd -c` (zstd 1.5.4): no content size, with a checksum.
    static let cliFrameWithoutContentSize: [UInt8] = [
        0x28, 0xB5, 0x2F, 0xFD, 0x04, 0x58, 0x65, 0x00, 0x00, 0x30, 0x68, 0x65,
        0x6C, 0x6C, 0x6F, 0x20, 0x01, 0x00, 0xA9, 0x4B, 0x11, 0x87, 0x4E, 0x20, 0x0A,
    ]

    @Test func zstdDecodesFrameWithoutContentSizeAndWithChecksum() throws {
        #expect(ZstdFrameHeader.contentSize(of: Self.cliFrameWithoutContentSize) == nil)
        let decoded = try ZstdCodec().decode(bytes: Self.cliFrameWithoutContentSize, decodedByteCount: 29)
        #expect(decoded == Array("hello hello hello hello hello".utf8))
    }

    @Test func zstdFrameWithoutContentSizeStillChecksDecodedByteCount() {
        for count in [28, 30] {
            let error = #expect(throws: CodecError.self) {
                try ZstdCodec().decode(bytes: Self.cliFrameWithoutContentSize, decodedByteCount: count)
            }
            #expect(error?.code == .sizeMismatch, "decodedByteCount \(count)")
        }
    }

    @Test func zstdRejectsCorruptChecksum() {
        var payload = Self.cliFrameWithoutContentSize
        payload[payload.count - 1] ^= 0x01
        let error = #expect(throws: CodecError.self) { try ZstdCodec().decode(bytes: payload, decodedByteCount: 29) }
        #expect(error?.code == .corruptInput)
    }

    @Test func zstdDecodesRLEBlockOf128KiB() throws {
        let decoded = try ZstdCodec().decode(
            bytes: ZstdFrameHeader.rleFrame(of: 0x41, count: 1 << 17),
            decodedByteCount: 1 << 17)
        #expect(decoded == [UInt8](repeating: 0x41, count: 1 << 17))
    }

    /// libzstd's one-shot decoder accepts RLE blocks beyond RFC 8878's 128 KiB; the maximum-ratio check must
    /// not reject what libzstd can decode, so this frame either decodes or is rejected as corrupt by libzstd.
    @Test func zstdMaximumRatioAdmitsLargestRLEBlock() {
        let count = (1 << 21) - 1
        do throws(CodecError) {
            let decoded = try ZstdCodec().decode(
                bytes: ZstdFrameHeader.rleFrame(of: 0x41, count: count),
                decodedByteCount: count)
            #expect(decoded == [UInt8](repeating: 0x41, count: count))
        } catch {
            #expect(error.code == .corruptInput, "\(error)")
        }
    }

    @Test func zstdRejectsDecodedByteCountBeyondMaximumRatioBeforeAllocating() {
        // 17 bytes whose header records 2^40 decoded bytes: 17 × 2^19 is far less, so nothing is allocated.
        let payload = ZstdFrameHeader.rleFrame(of: 0x41, count: 1 << 40)
        let error = #expect(throws: CodecError.self) {
            try ZstdCodec().decode(bytes: payload, decodedByteCount: 1 << 40)
        }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.message.contains("at most") == true)
    }

    @Test func zstdRejectsSkippableFrame() {
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 0x04, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF]
        let error = #expect(throws: CodecError.self) { try ZstdCodec().decode(bytes: skippable, decodedByteCount: 0) }
        #expect(error?.code == .corruptInput)
    }
}

/// Reads the zstd frame header fields the tests check (RFC 8878 §3.1.1.1).
enum ZstdFrameHeader {
    /// The Frame_Content_Size field, or nil when the header does not record it.
    static func contentSize(of frame: [UInt8]) -> UInt64? {
        let descriptor = frame[4]
        let singleSegment = descriptor & 0x20 != 0
        let sizeFlag = Int(descriptor >> 6)
        let fieldSize = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]
        guard fieldSize > 0 else { return nil }
        let start = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)]
        let value = frame[start..<start + fieldSize].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return fieldSize == 2 ? value + 256 : value
    }

    /// A single-segment frame recording a content size of `count` (in 4 bytes, or 8 above `UInt32.max`) with one
    /// last RLE block of `count` × `byte` (its 21-bit Block_Size truncates larger counts).
    static func rleFrame(of byte: UInt8, count: Int) -> [UInt8] {
        let sizeFieldByteCount = count > Int(UInt32.max) ? 8 : 4
        // Frame_Header_Descriptor: Frame_Content_Size_flag 2 (4 bytes) or 3 (8 bytes), Single_Segment_flag.
        let descriptor: UInt8 = (sizeFieldByteCount == 8 ? 0xC0 : 0x80) | 0x20
        let blockHeader = UInt64(count & 0x1F_FFFF) << 3 | 1 << 1 | 1  // Block_Size, Block_Type = RLE, Last_Block
        return [0x28, 0xB5, 0x2F, 0xFD, descriptor] + littleEndianBytes(UInt64(count), count: sizeFieldByteCount)
            + littleEndianBytes(blockHeader, count: 3) + [byte]
    }

    private static func littleEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
