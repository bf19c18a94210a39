import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// One hand-written byte literal per error the `.npy` header check reports; each test checks the code,
/// the numbers or names in the message, and the byte offset.
struct NPYHeaderErrorTests {
    private func parseError(_ bytes: [UInt8], fileByteCount: Int? = nil) throws -> FormatError {
        try #require(throws: FormatError.self) {
            try NPYReader.parseHeader(bytes, fileByteCount: fileByteCount ?? bytes.count)
        }
    }

    private let fourBytes: [UInt8] = [0, 0, 0x80, 0x3F]

    // MARK: preamble

    @Test(arguments: [
        Array("PK\u{3}\u{4}0000000000".utf8), [0x93] + Array("NUMPZ\u{1}\u{0}\u{2}\u{0}{}".utf8), Array("abc".utf8),
    ])
    func fileWithoutTheNumpyMagicIsBadMagic(bytes: [UInt8]) throws {
        let error = try parseError(bytes)
        #expect(error.code == .badMagic)
        #expect(error.byteOffset == 0)
        #expect(error.message.contains("93 4E 55 4D 50 59"))
    }

    @Test(arguments: [[], [0x93, 0x4E, 0x55], NPYHeader.magic, NPYHeader.magic + [1, 0, 0x10]] as [[UInt8]])
    func fileShorterThanThePreambleIsTooSmall(bytes: [UInt8]) throws {
        let error = try parseError(bytes)
        #expect(error.code == .fileTooSmall)
        #expect(error.message.contains("file has \(bytes.count) bytes"))
    }

    @Test(arguments: [(4, 0), (1, 1), (0, 0), (2, 5), (255, 255)] as [(UInt8, UInt8)])
    func unknownVersionIsUnsupported(major: UInt8, minor: UInt8) throws {
        var bytes = NPYBytes.file(NPYBytes.dict(), data: fourBytes)
        bytes[6] = major
        bytes[7] = minor
        let error = try parseError(bytes)
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("\(major).\(minor)"))
        #expect(error.byteOffset == 6)
    }

    @Test func headerLengthPastTheEndOfTheFileIsRejectedWithBothSizes() throws {
        // Declares a 100-byte header; the file has 10 + 2.
        let bytes = NPYHeader.magic + [1, 0, 100, 0] + Array("{}".utf8)
        let error = try parseError(bytes)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("needs 110 bytes"))
        #expect(error.message.contains("the file has 12"))
        #expect(error.byteOffset == 8)
    }

    @Test func prefixShorterThanTheHeaderIsHeaderPastEnd() throws {
        let bytes = NPYBytes.file(NPYBytes.dict(), data: fourBytes)
        let error = try parseError(Array(bytes.prefix(30)), fileByteCount: bytes.count)
        #expect(error.code == .headerPastEnd)
        #expect(error.message.contains("only 30 bytes"))
    }

    // MARK: header cap (numpy's _MAX_HEADER_SIZE = 10,000)

    @Test(arguments: [(1, 10_001), (2, 10_001), (2, Int(UInt32.max)), (3, 40_001)] as [(UInt8, Int)])
    func headerLengthOverTheCapIsRefusedBeforeReadingIt(version: UInt8, length: Int) throws {
        let field: [UInt8] = (0..<(version == 1 ? 2 : 4)).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        let error = try parseError(NPYHeader.magic + [version, 0] + field + Array("{}".utf8))
        #expect(error.code == .headerTooLarge)
        #expect(error.message.contains("\(length)"))
        #expect(error.message.contains("10000"))
    }

    @Test func headerOfExactlyTheCapIsParsed() throws {
        let text = NPYBytes.dict()
        let padded = text.dropLast() + String(repeating: " ", count: 10_000 - text.count) + "\n"
        let header = try NPYBytes.parse(NPYBytes.file(String(padded), data: fourBytes))
        #expect(header.dataOffset == 10_010)
    }

    @Test func version3HeaderIsCappedInCharactersNotBytes() throws {
        // 10,100 characters (all ASCII) are over the cap although 4 × 10,000 bytes would pass the byte check.
        let long = NPYBytes.dict().dropLast() + String(repeating: " ", count: 10_100) + "\n"
        let error = try parseError(NPYBytes.file(String(long), version: 3, data: fourBytes))
        #expect(error.code == .headerTooLarge)
        #expect(error.message.contains("characters"))
        // 9,000 two-byte characters are 18,000 bytes but within the cap, so parsing goes on (to a key error).
        let wide =
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '\(String(repeating: "é", count: 9_000))': 1}"
        let parsed = try parseError(NPYBytes.file(wide, version: 3, data: fourBytes))
        #expect(parsed.code == .invalidHeader)
        #expect(parsed.message.contains("unexpected key"))
    }

    @Test func version3HeaderThatIsNotUTF8IsInvalid() throws {
        let text = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ".utf8) + [0xC0, 0xAF] + [0x7D]
        let error = try parseError(NPYBytes.file(headerBytes: text, version: 3, data: fourBytes))
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains("UTF-8"))
        #expect(error.byteOffset == 12 + text.count - 3)
    }

    // MARK: dict literal

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ", "ends where a value was expected", 66),
        ("{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", "expected ',' or '}'", 26),
        ("{descr: '<f4'}", "unexpected name 'descr'", 11),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}", "only decimal integers", 62),
        ("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)}", "escape sequences", 23),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (01,)}", "leading zeros", 61),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", "'x' after the header's value", 66),
        ("{'descr': '<f4', 'descr': '<f4'}", "the key 'descr' twice", 27),
        ("{1: '<f4'}", "keys must be strings", 11),
        ("{'descr': '<f4\n', 'shape': (1,)}", "not closed on its line", 20),
        ("{'descr': b'<f4', 'fortran_order': False, 'shape': (1,)}", "unexpected name 'b'", 20),
        ("{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}", "unexpected name 'false'", 44),
        ("{'descr': '<f4', # comment\n}", "'#' where a value was expected", 27),
        ("{'a': ((((((((((((((((((1,),),),),),),),),),),),),),),),),),),)}", "deeper than 16 levels", 31),
        ("", "ends where a value was expected", 10),
    ])
    func malformedDictIsInvalidHeaderAtTheOffendingByte(header: String, fragment: String, offset: Int) throws {
        let error = try parseError(NPYBytes.file(header, data: fourBytes))
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.byteOffset == offset, "\(error.message)")
    }

    @Test(arguments: [
        ("[1, 2]", "header is a list"),
        ("'descr'", "header is a str"),
        ("{'descr': '<f4', 'shape': (1,)}", "no 'fortran_order' key"),
        ("{'fortran_order': False, 'shape': (1,)}", "no 'descr' key"),
        ("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 0}", "unexpected key 'extra'"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", "'shape' is list [1]"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "'shape' is int 1"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "dimension 0 of 'shape' (-1,) is -1"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 'a')}", "dimension 1 of 'shape' (1, 'a') is 'a'"),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "'fortran_order' is int 0"),
        ("{'descr': 4, 'fortran_order': False, 'shape': (1,)}", "'descr' is int 4"),
        ("{'descr': None, 'fortran_order': False, 'shape': (1,)}", "'descr' is NoneType None"),
    ])
    func dictWithMissingExtraOrMistypedKeysIsInvalidHeader(header: String, fragment: String) throws {
        let error = try parseError(NPYBytes.file(header, data: fourBytes))
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.byteOffset != nil)
    }

    // MARK: descr

    @Test(arguments: [
        ("'<c8'", "complex"), ("'>c16'", "complex"), ("'|O'", "Python objects"), ("'|S3'", "byte strings"),
        ("'<U2'", "Unicode strings"), ("'|V4'", "raw void records"), ("'<M8[ns]'", "datetime64"),
        ("'<m8[s]'", "timedelta64"), ("'<f16'", "long double"), ("'|T16'", "variable-width strings"),
        ("[('x', '<f4'), ('y', '<i2')]", "structured"), ("('<f4', (2,))", "subarray"),
    ])
    func refusedDTypeKindIsUnsupportedAndNamed(descr: String, kind: String) throws {
        let error = try parseError(NPYBytes.file(NPYBytes.dict(descr: descr), data: fourBytes))
        #expect(error.code == .unsupportedDType)
        #expect(error.message.contains(kind), "\(error.message)")
        #expect(error.message.contains(descr.hasPrefix("'") ? String(descr.dropFirst().dropLast()) : "'<f4'"))
        #expect(error.byteOffset == 20)
    }

    @Test(arguments: ["'<q4'", "'<f3'", "''", "'float32'", "'<i16'", "'<b2'", "'<'"])
    func unknownDescrSpellingIsUnknownDType(descr: String) throws {
        let error = try parseError(NPYBytes.file(NPYBytes.dict(descr: descr), data: fourBytes))
        #expect(error.code == .unknownDType)
        #expect(error.message.contains(descr))
        #expect(error.message.contains("f2 f4 f8"))
    }

    // MARK: sizes

    @Test(arguments: [0, 3, 5, 8])
    func dataLengthDifferentFromTheShapeIsAMismatchWithBothNumbers(dataCount: Int) throws {
        let header = NPYBytes.dict(shape: "(1,)")
        let bytes = NPYBytes.file(header, data: [UInt8](repeating: 0, count: dataCount))
        let error = try parseError(bytes)
        #expect(error.code == .byteCountMismatch)
        #expect(error.message.contains("holds \(dataCount) bytes"))
        #expect(error.message.contains("'<f4' × [1] needs 4"))
        #expect(error.byteOffset == 10 + header.utf8.count)
    }

    @Test(arguments: [
        "(4611686018427387904, 4)",  // 2^64 elements
        "(2305843009213693952, 2)",  // 2^62 elements fit; × 4 bytes does not
        "(9223372036854775807, 9223372036854775807)",
    ])
    func shapeWhoseSizeOverflowsIsShapeOverflow(shape: String) throws {
        let error = try parseError(NPYBytes.file(NPYBytes.dict(shape: shape)))
        #expect(error.code == .shapeOverflow)
        #expect(error.byteOffset != nil)
    }

    @Test func dimensionBeyondSixtyFourBitsIsShapeOverflow() throws {
        let error = try parseError(NPYBytes.file(NPYBytes.dict(shape: "(99999999999999999999,)")))
        #expect(error.code == .shapeOverflow)
        #expect(error.message.contains("99999999999999999999"))
        #expect(error.byteOffset == 61)
    }

    // MARK: numpy-written files of refused dtypes

    @Test(arguments: [
        ("object_dtype", "Python objects"), ("structured_dtype", "structured"), ("bytes_dtype", "byte strings"),
        ("unicode_dtype", "Unicode strings"), ("datetime_dtype", "datetime64"), ("timedelta_dtype", "timedelta64"),
        ("complex64_dtype", "complex"), ("complex128_be_dtype", "complex"), ("float128_dtype", "long double"),
        ("void_dtype", "raw void records"), ("structured_utf8_v3", "жук"),
    ])
    func numpyFileOfARefusedDTypeIsUnsupportedAndNamed(file: String, fragment: String) throws {
        let path = Fixtures.url("npy/invalid/\(file).npy").path
        let error = try #require(throws: FormatError.self) { try NPYReader.read(path: path) }
        #expect(error.code == .unsupportedDType)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.path == path)
        #expect(error.tensorName == file)
    }
}
