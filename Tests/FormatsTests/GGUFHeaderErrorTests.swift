import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// One hand-written file per error the GGUF header check reports; each checks the code and that the message,
/// tensor name or byte offset points at the problem.
struct GGUFHeaderErrorTests {
    private typealias B = GGUFBytes

    private func parseError(_ bytes: [UInt8]) throws -> FormatError {
        try #require(throws: FormatError.self) { try B.parse(bytes) }
    }

    // MARK: magic, version, counts

    @Test(arguments: [[], [0x47], [0x47, 0x47, 0x55]] as [[UInt8]])
    func fileShorterThanTheMagicIsTooSmall(bytes: [UInt8]) throws {
        let error = try parseError(bytes)
        #expect(error.code == .fileTooSmall)
        #expect(error.message.contains("file has \(bytes.count) bytes"))
    }

    @Test func fileEndingInsideTheCountsIsTooSmall() throws {
        let error = try parseError(Array("GGUF".utf8) + B.u32(3) + B.u64(0))
        #expect(error.code == .fileTooSmall)
        #expect(error.message.contains("needs 24"))
    }

    @Test(arguments: ["GGML", "ggUF", "\u{0}\u{0}\u{0}\u{0}", "{\"a\""])
    func wrongMagicIsRejected(magic: String) throws {
        let error = try parseError(Array(magic.utf8) + B.u32(3) + B.u64(0) + B.u64(0))
        #expect(error.code == .badMagic)
        #expect(error.byteOffset == 0)
        #expect(error.message.contains("'GGUF'"))
    }

    @Test func versionOneIsRefusedWithARemedy() throws {
        let error = try parseError(B.header(version: 1, tensors: 0, keys: 0))
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("version 1"))
        #expect(error.message.contains("llama.cpp"))
        #expect(error.byteOffset == 4)
    }

    @Test(arguments: [UInt32(0), 4, 0xFFFF])
    func versionsOtherThanTwoAndThreeAreRefused(version: UInt32) throws {
        let error = try parseError(B.header(version: version, tensors: 0, keys: 0))
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("\(version)"))
    }

    @Test func byteSwappedVersionIsReportedAsBigEndian() throws {
        let error = try parseError(B.header(version: 0x0300_0000, tensors: 0, keys: 0))
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("big-endian"))
    }

    @Test func versionTwoReadsLikeVersionThree() throws {
        let bytes = B.file(
            version: 2, metadata: [B.kv("a", type: 4, B.u32(7))], tensors: [B.f32("w", count: 1)],
            data: B.u32(0x3F80_0000))
        let header = try B.parse(bytes)
        #expect(header.version == 2)
        #expect(header.value(forKey: "a") == .uint32(7))
        #expect(header.tensors.map(\.name) == ["w"])
    }

    @Test func tensorCountTheFileCannotHoldIsRejectedBeforeAllocating() throws {
        // 2^40 tensor infos of at least 24 bytes each, in a 100-byte file.
        let bytes = B.header(tensors: 1 << 40, keys: 0) + [UInt8](repeating: 0, count: 76)
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("1099511627776"))
        #expect(error.message.contains("76 bytes left"))
        #expect(error.byteOffset == 8)
    }

    @Test func metadataCountOfUInt64MaxIsRejectedBeforeAllocating() throws {
        let error = try parseError(B.header(tensors: 0, keys: .max) + [UInt8](repeating: 0, count: 76))
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("18446744073709551615"))
        #expect(error.byteOffset == 16)
    }

    @Test func tensorCountIsRecheckedAgainstWhatFollowsTheMetadata() throws {
        // One tensor info needs 24 bytes; after the 15-byte key/value only 9 remain.
        let bytes = B.header(tensors: 1, keys: 1) + B.kv("k", type: 0, B.u8(1)) + [UInt8](repeating: 0, count: 23)
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("after the metadata"))
    }

    // MARK: strings and arrays

    @Test func keyLengthPastTheEndIsRejected() throws {
        let bytes = B.header(tensors: 0, keys: 1) + B.u64(1 << 62) + Array("general".utf8)
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("length of metadata key 0"))
        #expect(error.byteOffset == 24)
    }

    @Test func stringValueLengthPastTheEndNamesTheKey() throws {
        let bytes = B.header(tensors: 0, keys: 1) + B.string("general.name") + B.u32(8) + B.u64(100) + Array("ab".utf8)
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("'general.name'"))
        #expect(error.message.contains("100"))
    }

    @Test func arrayCountTheFileCannotHoldIsRejectedBeforeAllocating() throws {
        // 2^50 strings of at least 8 bytes each.
        let bytes = B.file(metadata: [B.kv("tokens", type: 9, B.array(of: 8, count: 1 << 50, B.string("a")))])
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("'tokens'"))
        #expect(error.message.contains("1125899906842624"))
    }

    @Test func truncatedScalarValueIsRejected() throws {
        let bytes = B.header(tensors: 0, keys: 1) + B.kv("x", type: 10, [1, 2, 3])
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("uint64 value of metadata key 'x'"))
    }

    /// An array nested `depth` levels deep around one `uint8`.
    private func nested(depth: Int) -> [UInt8] {
        var payload = B.u8(42)
        var type: UInt32 = 0
        for _ in 0..<depth {
            payload = B.array(of: type, count: 1, payload)
            type = 9
        }
        return B.kv("deep", type: 9, payload)
    }

    @Test func arraysNestedEightDeepAreAccepted() throws {
        let header = try B.parse(B.file(metadata: [nested(depth: 8)]))
        #expect(header.value(forKey: "deep")?.arrayDepth == 8)
    }

    @Test func arraysNestedNineDeepAreRejected() throws {
        let error = try parseError(B.file(metadata: [nested(depth: 9)]))
        #expect(error.code == .nestingTooDeep)
        #expect(error.message.contains("'deep'"))
        #expect(error.message.contains("at most 8"))
    }

    @Test func emptyArraysAreAccepted() throws {
        let header = try B.parse(B.file(metadata: [B.kv("none", type: 9, B.array(of: 8, count: 0, []))]))
        #expect(header.value(forKey: "none") == .array(elementType: .string, []))
    }

    @Test(arguments: [UInt32(13), 255, .max])
    func undefinedValueTypeIsRejected(type: UInt32) throws {
        let error = try parseError(B.file(metadata: [B.kv("odd", type: type, B.u64(0))]))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("'odd'"))
        #expect(error.message.contains("\(type)"))
        #expect(error.byteOffset == 24 + 8 + 3)
    }

    @Test func undefinedArrayElementTypeIsRejected() throws {
        let error = try parseError(B.file(metadata: [B.kv("odd", type: 9, B.array(of: 13, count: 1, B.u64(0)))]))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("element type id 13"))
    }

    @Test func boolOtherThanZeroOrOneIsRejected() throws {
        let error = try parseError(B.file(metadata: [B.kv("flag", type: 7, B.u8(2))]))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("'flag' is 2"))
    }

    @Test func keyThatIsNotUTF8IsRejected() throws {
        let bytes = B.file(metadata: [B.string(bytes: [0x61, 0xFF]) + B.u32(0) + B.u8(1)])
        let error = try parseError(bytes)
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("UTF-8"))
        #expect(error.byteOffset == 24)
    }

    @Test func stringValueThatIsNotUTF8IsRejected() throws {
        let error = try parseError(B.file(metadata: [B.kv("s", type: 8, B.string(bytes: [0xC0, 0xAF]))]))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("'s'"))
    }

    @Test func repeatedKeyIsRejected() throws {
        let bytes = B.file(metadata: [B.kv("k", type: 0, B.u8(1)), B.kv("k", type: 0, B.u8(2))])
        let error = try parseError(bytes)
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("'k' appears twice, at bytes 24 and 38"))
    }

    // MARK: general.alignment

    @Test(arguments: [
        (B.kv("general.alignment", type: 10, B.u64(32)), "uint64"),
        (B.kv("general.alignment", type: 8, B.string("32")), "string"),
        (B.kv("general.alignment", type: 5, B.u32(32)), "int32"),
    ])
    func alignmentOfTheWrongTypeIsRejected(entry: [UInt8], typeName: String) throws {
        let error = try parseError(B.file(metadata: [entry]))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("'general.alignment' is a \(typeName)"))
    }

    @Test(arguments: [UInt32(0), 3, 48, 0x8000_0001])
    func alignmentThatIsNotAPowerOfTwoIsRejected(value: UInt32) throws {
        let error = try parseError(B.file(metadata: [B.kv("general.alignment", type: 4, B.u32(value))]))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("is \(value)"))
        #expect(error.message.contains("power of two"))
    }

    @Test(arguments: [1, 8, 64, 4096])
    func alignmentSetsWhereTheDataStarts(alignment: Int) throws {
        let bytes = B.file(
            metadata: [B.kv("general.alignment", type: 4, B.u32(UInt32(alignment)))],
            tensors: [B.f32("w", count: 1)], alignment: alignment, data: B.u32(0))
        let header = try B.parse(bytes)
        #expect(header.alignment == alignment)
        #expect(header.dataStart % alignment == 0)
        #expect(header.dataStart == bytes.count - 4)
    }

    // MARK: tensor infos

    @Test func tensorNameLengthPastTheEndIsRejected() throws {
        let bytes = B.header(tensors: 1, keys: 0) + B.u64(1000) + [UInt8](repeating: 0x61, count: 30)
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("name of tensor 0"))
    }

    @Test func tensorNameThatIsNotUTF8IsRejected() throws {
        let info = B.string(bytes: [0xFE]) + B.u32(1) + B.u64(1) + B.u32(0) + B.u64(0)
        let error = try parseError(B.file(tensors: [info], data: B.u32(0)))
        #expect(error.code == .invalidTensorInfo)
        #expect(error.message.contains("UTF-8"))
    }

    @Test func repeatedTensorNameIsRejected() throws {
        let bytes = B.file(
            tensors: [B.f32("w", count: 1), B.f32("w", count: 1, offset: 32)], data: [UInt8](repeating: 0, count: 36))
        let error = try parseError(bytes)
        #expect(error.code == .duplicateTensorName)
        #expect(error.tensorName == "w")
    }

    @Test func moreThanFourDimensionsAreRejected() throws {
        let info = B.tensorInfo("w", ne: [1, 1, 1, 1, 1], type: 0, offset: 0)
        let error = try parseError(B.file(tensors: [info], data: B.u32(0)))
        #expect(error.code == .invalidTensorInfo)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("5 dimensions"))
        #expect(error.message.contains("at most 4"))
    }

    @Test func fourDimensionsAndZeroDimensionsAreAccepted() throws {
        let bytes = B.file(
            tensors: [
                B.tensorInfo("four", ne: [1, 2, 1, 1], type: 0, offset: 0),
                B.tensorInfo("scalar", ne: [], type: 0, offset: 32),
            ],
            data: B.u32(0) + B.u32(0) + [UInt8](repeating: 0, count: 24) + B.u32(0))
        let header = try B.parse(bytes)
        #expect(header.tensors[0].shape == [1, 1, 2, 1])
        #expect(header.tensors[1].shape == [])
        #expect(header.tensors[1].byteCount == 4)
    }

    @Test func dimensionAboveInt64MaxIsAnOverflow() throws {
        let info = B.tensorInfo("w", ne: [1 << 63], type: 0, offset: 0)
        let error = try parseError(B.file(tensors: [info]))
        #expect(error.code == .shapeOverflow)
        #expect(error.tensorName == "w")
    }

    @Test func elementCountOverflowIsRejected() throws {
        let info = B.tensorInfo("w", ne: [1 << 32, 1 << 32], type: 0, offset: 0)
        let error = try parseError(B.file(tensors: [info]))
        #expect(error.code == .shapeOverflow)
        #expect(error.message.contains("64 bits"))
    }

    @Test func byteCountOverflowIsRejected() throws {
        // 2^61 F32 elements: the element count fits, 4 bytes each do not.
        let info = B.tensorInfo("w", ne: [1 << 61], type: 0, offset: 0)
        let error = try parseError(B.file(tensors: [info]))
        #expect(error.code == .shapeOverflow)
    }

    @Test(arguments: [UInt32(4), 5, 31, 99, .max])
    func unknownTensorTypeIsRejectedNamingTheId(type: UInt32) throws {
        let info = B.tensorInfo("w", ne: [32], type: type, offset: 0)
        let error = try parseError(B.file(tensors: [info], data: [UInt8](repeating: 0, count: 64)))
        #expect(error.code == .unknownDType)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("id \(type)"))
    }

    @Test func knownTypeWithoutADecoderIsListed() throws {
        // Q4_K: 256 elements in 144 bytes. Reading works; only conversions refuse it.
        let info = B.tensorInfo("k", ne: [256, 2], type: 12, offset: 0)
        let header = try B.parse(B.file(tensors: [info], data: [UInt8](repeating: 0, count: 288)))
        #expect(header.tensors[0].type == .q4_k)
        #expect(header.tensors[0].byteCount == 288)
    }

    @Test(arguments: [(UInt32(8), UInt64(33), "Q8_0"), (2, 16, "Q4_0"), (12, 255, "Q4_K")])
    func innermostDimensionNotAMultipleOfTheBlockSizeIsRejected(type: UInt32, ne0: UInt64, name: String) throws {
        let info = B.tensorInfo("w", ne: [ne0, 2], type: type, offset: 0)
        let error = try parseError(B.file(tensors: [info], data: [UInt8](repeating: 0, count: 1024)))
        #expect(error.code == .invalidTensorInfo)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("ne[0] = \(ne0)"))
        #expect(error.message.contains(name))
    }

    // MARK: offsets

    @Test(arguments: [UInt64(4), 16, 33])
    func offsetNotAMultipleOfTheAlignmentIsRejected(offset: UInt64) throws {
        let bytes = B.file(tensors: [B.f32("w", count: 1, offset: offset)], data: [UInt8](repeating: 0, count: 64))
        let error = try parseError(bytes)
        #expect(error.code == .offsetMisaligned)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("\(offset)"))
        #expect(error.byteOffset == 24)
    }

    @Test func offsetAlignedTo32ButNotToACustomAlignmentIsRejected() throws {
        let bytes = B.file(
            metadata: [B.kv("general.alignment", type: 4, B.u32(64))], tensors: [B.f32("w", count: 1, offset: 32)],
            alignment: 64, data: [UInt8](repeating: 0, count: 128))
        let error = try parseError(bytes)
        #expect(error.code == .offsetMisaligned)
        #expect(error.message.contains("alignment 64"))
    }

    @Test func tensorRunningPastTheEndOfTheFileIsRejected() throws {
        let bytes = B.file(tensors: [B.f32("w", count: 4)], data: B.u32(0))
        let error = try parseError(bytes)
        #expect(error.code == .offsetsOutOfBounds)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("16"))
        #expect(error.message.contains("data section of 4 bytes"))
    }

    @Test func offsetBeyondInt64IsOutOfBounds() throws {
        let bytes = B.file(tensors: [B.f32("w", count: 1, offset: 1 << 63)], data: B.u32(0))
        let error = try parseError(bytes)
        #expect(error.code == .offsetsOutOfBounds)
    }

    @Test func offsetWhoseEndOverflowsIsOutOfBounds() throws {
        let bytes = B.file(tensors: [B.f32("w", count: 1 << 60, offset: (1 << 63) - 32)], data: B.u32(0))
        let error = try parseError(bytes)
        #expect(error.code == .offsetsOutOfBounds)
    }

    @Test func overlappingTensorsAreRejected() throws {
        let bytes = B.file(
            tensors: [B.f32("a", count: 16), B.f32("b", count: 4, offset: 32)], data: [UInt8](repeating: 0, count: 64))
        let error = try parseError(bytes)
        #expect(error.code == .offsetsOverlap)
        #expect(error.tensorName == "b")
        #expect(error.message.contains("'a'"))
    }

    @Test func zeroSizeTensorsMayShareAnOffsetAndGapsAreAllowed() throws {
        let bytes = B.file(
            tensors: [B.f32("empty", count: 0, offset: 64), B.f32("a", count: 1, offset: 64), B.f32("b", count: 1)],
            data: [UInt8](repeating: 0, count: 68))
        let header = try B.parse(bytes)
        #expect(header.tensors.map(\.offset) == [64, 64, 0])
    }

    @Test func fileWithoutTensorsMayEndBeforeTheAlignedDataStart() throws {
        let bytes = B.header(tensors: 0, keys: 1) + B.kv("k", type: 0, B.u8(1))
        let header = try B.parse(bytes)
        #expect(header.dataStart == 64)
        #expect(header.tensors.isEmpty)
    }

    // MARK: reader

    @Test func readerErrorsNameTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("bad.gguf")
        try Data(B.header(version: 1, tensors: 0, keys: 0)).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: FormatError.self) { try GGUFReader(path: path) }
        #expect(error.path == path)
        #expect(error.description.hasPrefix(path))
    }

    @Test func readerOfAMissingFileIsAnIOFailure() throws {
        let error = try #require(throws: FormatError.self) { try GGUFReader(path: "/nonexistent/model.gguf") }
        #expect(error.code == .ioFailure)
    }
}
