import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// One hand-written file per error the safetensors header check reports. Each test checks the code and that
/// the message (or tensorName) points at the problem.
struct SafetensorsHeaderErrorTests {
    private func parseError(_ bytes: [UInt8], fileByteCount: Int? = nil) throws -> FormatError {
        try #require(throws: FormatError.self) {
            try SafetensorsHeader.parse(prefix: bytes, fileByteCount: fileByteCount ?? bytes.count)
        }
    }

    private let f32One = #"{"dtype":"F32","shape":[1],"data_offsets":"#

    // MARK: length prefix

    @Test(arguments: [[], [0x02], [0x02, 0, 0, 0, 0, 0, 0]] as [[UInt8]])
    func fileShorterThanEightBytesIsTooSmall(bytes: [UInt8]) throws {
        let error = try parseError(bytes)
        #expect(error.code == .fileTooSmall)
        #expect(error.message.contains("file has \(bytes.count) bytes"))
    }

    @Test func headerLengthAboveOneHundredMillionIsTooLarge() throws {
        // 100_000_001 = 0x05F5E101, little-endian.
        let error = try parseError([0x01, 0xE1, 0xF5, 0x05, 0x00, 0x00, 0x00, 0x00, 0x7B, 0x7D])
        #expect(error.code == .headerTooLarge)
        #expect(error.message.contains("100000001"))
        #expect(error.message.contains("100000000"))
    }

    @Test func headerLengthOfUInt64MaxIsTooLargeNotAnOverflow() throws {
        let error = try parseError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(error.code == .headerTooLarge)
        #expect(error.message.contains("18446744073709551615"))
    }

    @Test func headerLengthOfExactlyOneHundredMillionIsAllowedButPastEnd() throws {
        // 100_000_000 = 0x05F5E100: at the cap, so the next check (file size) rejects it.
        let error = try parseError([0x00, 0xE1, 0xF5, 0x05, 0x00, 0x00, 0x00, 0x00, 0x7B, 0x7D])
        #expect(error.code == .headerPastEnd)
    }

    @Test func headerLengthPastTheEndOfTheFileIsRejected() throws {
        // Declares 16 header bytes; the file has 8 + 2.
        let error = try parseError([0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7B, 0x7D])
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("24 bytes"))
        #expect(error.message.contains("the file has 10"))
    }

    @Test func prefixShorterThanTheDeclaredHeaderIsRejected() throws {
        // The file is long enough but the caller passed only its first 10 bytes.
        let error = try parseError([0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7B, 0x7D], fileByteCount: 100)
        #expect(error.code == .headerPastEnd)
    }

    // MARK: header text

    @Test(arguments: ["[]", " {}", "\n{}", "\"{}\"", ""])
    func headerNotStartingWithBraceIsInvalid(header: String) throws {
        let error = try parseError(SafetensorsBytes.file(header))
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains("'{'"))
        #expect(error.byteOffset == 8)
    }

    @Test func headerThatIsNotUTF8IsInvalid() throws {
        // {"\xFF":1}  — 0xFF never appears in UTF-8.
        let error = try parseError(SafetensorsBytes.file(headerBytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains("UTF-8"))
    }

    @Test func headerWithAnOverlongUTF8EncodingIsInvalid() throws {
        // {"\xC0\xAF":1} — an overlong "/" that lenient decoders accept.
        let error = try parseError(
            SafetensorsBytes.file(headerBytes: [0x7B, 0x22, 0xC0, 0xAF, 0x22, 0x3A, 0x31, 0x7D]))
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains("UTF-8"))
    }

    @Test(arguments: [
        (#"{"a":}"#, "unexpected character '}'"),
        (#"{"a":1"#, "expected ',' or '}'"),
        (#"{} x"#, "unexpected data after the JSON value"),
        (#"{"a":tru}"#, "expected 'true'"),
        (#"{a:1}"#, "expected a string key"),
        (#"{"a":01}"#, "expected ',' or '}'"),
    ])
    func headerThatIsNotJSONIsInvalidJSON(header: String, fragment: String) throws {
        let error = try parseError(SafetensorsBytes.file(header))
        #expect(error.code == .invalidJSON)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    // MARK: entries

    @Test(arguments: ["F8_E4M3", "X9", "f32", "C64", "F4", ""])
    func unknownDTypeIsNamed(dtype: String) throws {
        let header = #"{"w":{"dtype":"\#(dtype)","shape":[1],"data_offsets":[0,1]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [0]))
        #expect(error.code == .unknownDType)
        #expect(error.message.contains("'\(dtype)'"))
        #expect(error.message.contains("BF16"))  // lists what is supported
        #expect(error.tensorName == "w")
    }

    @Test(arguments: [
        (#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, "missing field 'dtype'"),
        (#"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, "missing field 'shape'"),
        (#"{"w":{"dtype":"F32","shape":[1]}}"#, "missing field 'data_offsets'"),
        (#"{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, "'dtype' must be a string"),
        (#"{"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}"#, "'shape' must be an array"),
        (#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "non-negative integers"),
        (#"{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, "non-negative integers"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, "'data_offsets' must be two"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, "'data_offsets' must be two"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}"#, "'data_offsets' must be two"),
        (#"{"w":[0,4]}"#, "entry is a array"),
    ])
    func malformedEntryIsInvalidTensorInfo(header: String, fragment: String) throws {
        let error = try parseError(SafetensorsBytes.file(header, data: [0, 0, 0, 0]))
        #expect(error.code == .invalidTensorInfo)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.tensorName == "w")
    }

    @Test func byteLengthDifferentFromShapeIsAMismatchAndGivesBothNumbers() throws {
        let header = #"{"w":{"dtype":"F32","shape":[2,4],"data_offsets":[0,16]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 16)))
        #expect(error.code == .byteCountMismatch)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("16"))
        #expect(error.message.contains("32"))
        #expect(error.message.contains("[2, 4]"))
    }

    @Test(arguments: [
        #"[4611686018427387904,4]"#,  // 2^64 elements
        #"[2305843009213693952,2]"#,  // 2^62 elements fit; × 4 bytes does not
        #"[9223372036854775807,9223372036854775807]"#,
    ])
    func shapeWhoseSizeOverflowsIsShapeOverflow(shape: String) throws {
        let header = #"{"big":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,0]}}"#
        let error = try parseError(SafetensorsBytes.file(header))
        #expect(error.code == .shapeOverflow)
        #expect(error.tensorName == "big")
    }

    @Test func duplicateTensorNameIsRejected() throws {
        let header = #"{"w":\#(f32One)[0,4]},"w":\#(f32One)[4,8]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 8)))
        #expect(error.code == .duplicateTensorName)
        #expect(error.message.contains("'w'"))
    }

    @Test(arguments: [
        (#"{"__metadata__":{"format":"pt","step":1}}"#, "'step' is a number"),
        (#"{"__metadata__":{"nested":{"a":"b"}}}"#, "'nested' is a object"),
        (#"{"__metadata__":{"flag":true}}"#, "'flag' is a boolean"),
        (#"{"__metadata__":["format","pt"]}"#, "__metadata__ is a array"),
        (#"{"__metadata__":"pt"}"#, "__metadata__ is a string"),
    ])
    func metadataThatIsNotAStringMapIsInvalidMetadata(header: String, fragment: String) throws {
        let error = try parseError(SafetensorsBytes.file(header))
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    // MARK: data offsets

    @Test func offsetsPastTheDataBufferAreOutOfBounds() throws {
        let header = #"{"w":\#(f32One)[0,4]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [0, 0]))
        #expect(error.code == .offsetsOutOfBounds)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("[0, 4]"))
        #expect(error.message.contains("2 bytes"))
    }

    @Test func offsetsThatEndBeforeTheyBeginAreOutOfBounds() throws {
        let header = #"{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [0, 0, 0, 0]))
        #expect(error.code == .offsetsOutOfBounds)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("[4, 0]"))
    }

    @Test func overlappingOffsetsAreRejected() throws {
        let header = #"{"a":\#(f32One)[0,4]},"b":\#(f32One)[2,6]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 6)))
        #expect(error.code == .offsetsOverlap)
        #expect(error.tensorName == "b")
        #expect(error.message.contains("'a'"))
        #expect(error.message.contains("[2, 6]"))
    }

    @Test func identicalOffsetsOfTwoTensorsOverlap() throws {
        let header = #"{"a":\#(f32One)[0,4]},"b":\#(f32One)[0,4]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 4)))
        #expect(error.code == .offsetsOverlap)
    }

    @Test func holeBetweenTensorsIsRejected() throws {
        let header = #"{"a":\#(f32One)[0,4]},"b":\#(f32One)[8,12]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 12)))
        #expect(error.code == .offsetsLeaveHole)
        #expect(error.tensorName == "b")
        #expect(error.message.contains("4..<8"))
    }

    @Test func dataNotStartingAtZeroLeavesAHole() throws {
        let header = #"{"a":\#(f32One)[4,8]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 8)))
        #expect(error.code == .offsetsLeaveHole)
        #expect(error.message.contains("0..<4"))
    }

    @Test func trailingBytesAfterTheLastTensorLeaveAHole() throws {
        let header = #"{"a":\#(f32One)[0,4]}}"#
        let error = try parseError(SafetensorsBytes.file(header, data: [UInt8](repeating: 0, count: 6)))
        #expect(error.code == .offsetsLeaveHole)
        #expect(error.message.contains("2 trailing bytes"))
        #expect(error.byteOffset == 8 + header.utf8.count + 4)
    }

    @Test func dataWithNoTensorsLeavesAHole() throws {
        let error = try parseError(SafetensorsBytes.file("{}", data: [1]))
        #expect(error.code == .offsetsLeaveHole)
        #expect(error.message.contains("1 trailing bytes"))
    }

    /// An offset near `Int.max` with a zero-size shape passes the byte-count check; the out-of-bounds error
    /// once computed its byte offset as `dataStart + lowerBound`, which overflowed (a trap). Run in a child
    /// process so that a regression fails this test instead of crashing the run.
    @Test func offsetsNearIntMaxAreOutOfBoundsWithoutTrapping() async {
        await #expect(processExitsWith: .success) {
            let header =
                #"{"w":{"dtype":"U8","shape":[0],"data_offsets":[9223372036854775807,9223372036854775807]}}"#
            let bytes = SafetensorsBytes.file(header)
            do throws(FormatError) {
                _ = try SafetensorsBytes.parse(bytes)
                exit(1)
            } catch {
                guard error.code == .offsetsOutOfBounds, error.tensorName == "w" else { exit(2) }
                exit(error.message.contains("9223372036854775807") ? 0 : 3)
            }
        }
    }

    // MARK: valid edge cases (the checks do not over-reject)

    @Test func emptyHeaderWithNoDataIsValid() throws {
        let header = try SafetensorsBytes.parse(SafetensorsBytes.file("{}"))
        #expect(header.entries.isEmpty)
        #expect(header.metadata.isEmpty)
        #expect(header.dataStart == 10)
    }

    @Test func trailingSpacePaddingAndNullMetadataAreValid() throws {
        let header = try SafetensorsBytes.parse(SafetensorsBytes.file(#"{"__metadata__":null}     "#))
        #expect(header.metadata.isEmpty)
        #expect(header.dataStart == 8 + 26)
    }

    @Test func zeroSizeTensorsMayShareAnOffsetWithOthers() throws {
        let header =
            #"{"b":\#(f32One)[0,4]},"e":{"dtype":"F64","shape":[0,3],"data_offsets":[4,4]},"#
            + #""a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"#
        let parsed = try SafetensorsBytes.parse(SafetensorsBytes.file(header, data: [1, 2, 3, 4]))
        #expect(parsed.entries.map(\.name) == ["a", "b", "e"])  // data-offset order
        #expect(parsed.entries.map(\.dataOffsets) == [0..<0, 0..<4, 4..<4])
    }

    @Test func readerErrorNamesTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("bad.safetensors")
        try Data(SafetensorsBytes.file("[]")).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: FormatError.self) { try SafetensorsReader(path: path) }
        #expect(error?.code == .invalidHeader)
        #expect(error?.path == path)
        #expect(error?.description.hasPrefix(path) == true)
        let missing = #expect(throws: FormatError.self) { try SafetensorsReader(path: folder.path("missing")) }
        #expect(missing?.code == .ioFailure)
    }
}
