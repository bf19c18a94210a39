import Foundation
import TensorCore
import Testing

@testable import Formats

/// What the strict header parser accepts: the Python literal forms numpy (and Python 2-era numpy) write.
struct NPYHeaderParserTests {
    private let fourFloats = [UInt8](repeating: 0, count: 16)

    @Test(arguments: [
        ("()", [] as [Int]), ("(4,)", [4]), ("(2, 2)", [2, 2]), ("(2,2)", [2, 2]), ("( 1 , 4 , )", [1, 4]),
        ("(1, 1, 1, 4)", [1, 1, 1, 4]), ("(+4,)", [4]), ("((4,))", [4]),
    ])
    func shapeTuplesInEveryPythonSpellingAreAccepted(shape: String, dimensions: [Int]) throws {
        let elements = dimensions.reduce(1, *)
        let data = [UInt8](repeating: 0, count: 4 * elements)
        let header = try NPYBytes.parse(NPYBytes.file(NPYBytes.dict(shape: shape), data: data))
        #expect(header.shape.dimensions == dimensions)
    }

    @Test(arguments: [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (4,)}",
        "{'shape': (4,), 'fortran_order': False, 'descr': '<f4'}",
        "{'descr':'<f4','fortran_order':False,'shape':(4,)}",
        "\t{\n 'descr': '<f4',\r\n 'fortran_order': False,\u{0C} 'shape': (4,),\n}\n   ",
        "  {'descr': '<f4', 'fortran_order': False, 'shape': (4,), }" + String(repeating: " ", count: 60) + "\n",
    ])
    func whitespaceQuotesAndKeyOrderDoNotMatter(header: String) throws {
        let parsed = try NPYBytes.parse(NPYBytes.file(header, data: fourFloats))
        #expect(parsed.dtype == .float32 && parsed.shape == [4] && !parsed.fortranOrder && !parsed.isBigEndian)
    }

    @Test(arguments: [UInt8(1), 2])
    func python2LongSuffixIsAcceptedInVersions1And2(version: UInt8) throws {
        let header = NPYBytes.dict(shape: "(2L, 2L)")
        let parsed = try NPYBytes.parse(NPYBytes.file(header, version: version, data: fourFloats))
        #expect(parsed.shape == [2, 2])
        #expect(parsed.majorVersion == Int(version))
    }

    @Test func python2LongSuffixIsRefusedInVersion3() throws {
        let bytes = NPYBytes.file(NPYBytes.dict(shape: "(2L, 2L)"), version: 3, data: fourFloats)
        let error = try #require(throws: FormatError.self) { try NPYBytes.parse(bytes) }
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains("only decimal integers"))
    }

    @Test(arguments: [("'<f4'", false), ("'>f4'", true), ("'=f4'", false), ("'|f4'", false), ("'f4'", false)])
    func byteOrderCharacterSetsIsBigEndian(descr: String, bigEndian: Bool) throws {
        let parsed = try NPYBytes.parse(NPYBytes.file(NPYBytes.dict(descr: descr), data: [0, 0, 0, 0]))
        #expect(parsed.dtype == .float32)
        #expect(parsed.isBigEndian == bigEndian)
    }

    @Test(arguments: ["'>u1'", "'<i1'", "'|b1'", "'>b1'", "'=u1'"])
    func oneByteTypesAreNeverBigEndian(descr: String) throws {
        let parsed = try NPYBytes.parse(NPYBytes.file(NPYBytes.dict(descr: descr), data: [1]))
        #expect(!parsed.isBigEndian)
    }

    @Test func everyDTypeButBFloat16HasAnNPYSpellingThatReadsBack() throws {
        for dtype in DType.allCases {
            guard let descr = dtype.npyDescr else {
                #expect(dtype == .bfloat16)
                continue
            }
            let data = [UInt8](repeating: 0, count: dtype.byteWidth)
            let parsed = try NPYBytes.parse(NPYBytes.file(NPYBytes.dict(descr: "'\(descr)'"), data: data))
            #expect(parsed.dtype == dtype)
        }
    }

    @Test func latin1HeaderBytesAreDecodedOneCharacterPerByte() throws {
        // A version 1.0 header is Latin-1: byte 0xE9 is 'é', so the unknown key reads as 'é'.
        let text =
            Array("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '".utf8) + [0xE9] + Array("': 0}".utf8)
        let error = try #require(throws: FormatError.self) {
            try NPYBytes.parse(NPYBytes.file(headerBytes: text, data: [0, 0, 0, 0]))
        }
        #expect(error.message.contains("unexpected key 'é'"))
    }
}
