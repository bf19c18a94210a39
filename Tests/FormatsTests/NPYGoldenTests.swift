import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// The compatibility proof for `.npy`: every file numpy 2.4 wrote (fixtures/make_npy_fixtures.py) reads as
/// numpy reads it, and what we write is byte-identical to `np.save`.
struct NPYGoldenTests {
    @Test func goldenCoversEveryDTypeByteOrderLayoutAndVersion() throws {
        let entries = NPYGolden.entries
        #expect(entries.count == 43)
        let descrs = try Set(entries.map { try Self.storedDescr($0) })
        for code in ["f8", "f4", "f2", "i8", "i4", "i2", "u8", "u4", "u2"] {
            #expect(descrs.contains("<" + code) && descrs.contains(">" + code), "\(code)")
        }
        for code in ["i1", "u1", "b1"] { #expect(descrs.contains("|" + code), "\(code)") }
        #expect(descrs.contains("=f4") && descrs.contains("|i8") && descrs.contains(">u1"))
        #expect(Set(entries.map(\.version)) == [1, 2, 3])
        #expect(entries.filter(\.fortranOrder).count >= 3)
        #expect(entries.contains { $0.shape.isEmpty })
        #expect(entries.contains { $0.shape.contains(0) })
        #expect(entries.contains { $0.shape.count == 64 })
    }

    @Test(arguments: NPYGolden.entries)
    func readerReturnsNumpysValuesAsLittleEndianCOrder(entry: NPYGolden.Entry) throws {
        let bytes = try Fixtures.bytes(entry.relativePath)
        let header = try NPYReader.parseHeader(bytes, fileByteCount: bytes.count)
        #expect(header.majorVersion == entry.version)
        #expect(header.fortranOrder == entry.fortranOrder)
        #expect(header.dataOffset == entry.dataOffset)
        #expect(header.shape.dimensions == entry.shape)
        #expect(header.dtype.npyDescr.map { String($0.dropFirst()) } == String(entry.dtype.dropFirst()))
        #expect(header.isBigEndian == (try Self.storedDescr(entry).hasPrefix(">") && header.dtype.byteWidth > 1))
        let tensor = try NPYReader.tensor(named: "t", from: Data(bytes))
        #expect(tensor.shape.dimensions == entry.shape)
        #expect(tensor == (try entry.expectedTensor().renamed("t")))
        #expect(Array(tensor.data) == entry.expectedBytes)
    }

    @Test(arguments: NPYGolden.entries)
    func encodeIsByteIdenticalToNumpySave(entry: NPYGolden.Entry) throws {
        let ours = [UInt8](try NPYWriter.encode(try entry.expectedTensor()))
        let numpy = try entry.numpySaveBytes()
        #expect(NPYGolden.hex(ours) == NPYGolden.hex(numpy))
        #expect((ours.count - (try entry.expectedTensor().data.count)) % NPYHeader.alignment == 0)
    }

    @Test func readFromPathNamesTheTensorAfterTheFileStemAndMapsIt() throws {
        let entry = try #require(NPYGolden.entries.first { $0.file == "f4_le.npy" })
        let tensor = try NPYReader.read(path: Fixtures.url(entry.relativePath).path)
        #expect(tensor.name == "f4_le")
        #expect(Array(tensor.data) == entry.expectedBytes)
        // Zero-copy: the data is a slice of the mapping that starts after the header.
        #expect(tensor.data.startIndex == entry.dataOffset)
        let renamed = try NPYReader.read(path: Fixtures.url(entry.relativePath).path, name: "w")
        #expect(renamed.name == "w")
    }

    @Test func bigEndianAndFortranFilesAreConvertedIntoNewBuffers() throws {
        for file in ["f4_be.npy", "f4_fortran.npy", "i2_be_fortran_3d.npy"] {
            let entry = try #require(NPYGolden.entries.first { $0.file == file })
            let tensor = try NPYReader.read(path: Fixtures.url(entry.relativePath).path)
            #expect(tensor.data.startIndex == 0, "\(file)")
            #expect(Array(tensor.data) == entry.expectedBytes, "\(file)")
        }
    }

    @Test func fortranOrderWithOneLongAxisIsAlreadyCOrderAndNotCopied() throws {
        // A (1, 4) array in Fortran order has the same bytes as in C order.
        var bytes = try NPYWriter.header(dtype: .uint8, shape: [1, 4])
        let flag = try #require(bytes.firstRange(of: Array("False".utf8)))
        bytes.replaceSubrange(flag, with: Array("True ".utf8))
        bytes += [1, 2, 3, 4]
        let header = try NPYReader.parseHeader(bytes, fileByteCount: bytes.count)
        #expect(header.fortranOrder && header.isLittleEndianCOrder)
        let tensor = try NPYReader.tensor(named: "x", from: Data(bytes))
        #expect(tensor.data.startIndex == header.dataOffset && Array(tensor.data) == [1, 2, 3, 4])
    }

    @Test func writeToDiskIsAtomicAndIdenticalToNumpySave() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for entry in NPYGolden.entries.prefix(6) {
            let path = folder.path(entry.file)
            try NPYWriter.write(try entry.expectedTensor(), to: path)
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == (try entry.numpySaveBytes()))
        }
        #expect(try folder.contents() == NPYGolden.entries.prefix(6).map(\.file).sorted())
    }

    @Test func writingBFloat16IsRefusedWithAdviceToConvert() throws {
        let tensor = try Tensor(name: "w", dtype: .bfloat16, shape: [2], data: Data(count: 4))
        let error = try #require(throws: FormatError.self) { try NPYWriter.encode(tensor) }
        #expect(error.code == .unsupportedDType)
        #expect(error.tensorName == "w")
        #expect(error.message.contains("bfloat16") && error.message.contains("float32"))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect(throws: FormatError.self) { try NPYWriter.write(tensor, to: folder.path("w.npy")) }
        #expect(try folder.contents().isEmpty)
    }

    @Test func writerSwitchesToVersion2WhenTheHeaderExceeds65535Bytes() throws {
        // 30,000 dimensions of 1 spell a ~90 KB shape tuple; numpy's _wrap_header then falls back to (2, 0).
        let shape = Shape([Int](repeating: 1, count: 30_000))
        let bytes = try NPYWriter.encode(try Tensor(name: "x", dtype: .uint8, shape: shape, data: Data([7])))
        #expect(Array(bytes.prefix(8)) == NPYHeader.magic + [2, 0])
        let length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        #expect(length > 65_535)
        #expect((12 + length) % 64 == 0)
        #expect(bytes[12 + length - 1] == UInt8(ascii: "\n"))
        // Like np.load, the default header cap refuses it; a raised cap reads it back.
        let refused = try #require(throws: FormatError.self) {
            try NPYReader.parseHeader(bytes, fileByteCount: bytes.count)
        }
        #expect(refused.code == .headerTooLarge)
        let header = try NPYReader.parseHeader(bytes, fileByteCount: bytes.count, maximumHeaderLength: 200_000)
        #expect(header.majorVersion == 2 && header.shape == shape && header.dataOffset == 12 + length)
    }

    @Test func headerPaddingIsAFullLineWhenTheTextEndsOnABoundary() throws {
        let entry = try #require(NPYGolden.entries.first { $0.file == "shape_pad_64.npy" })
        let header = try NPYWriter.header(dtype: .uint16, shape: Shape(validating: entry.shape))
        #expect(header.count == entry.dataOffset)
        #expect(header.suffix(65) == ArraySlice(repeating: UInt8(ascii: " "), count: 64) + [UInt8(ascii: "\n")])
    }

    /// The file's `descr` as stored (`'>f4'`, `'=f4'`, …), read from its header text.
    static func storedDescr(_ entry: NPYGolden.Entry) throws -> String {
        let text = String(decoding: try Fixtures.bytes(entry.relativePath).prefix(entry.dataOffset), as: UTF8.self)
        let start = try #require(text.range(of: "'descr': '")).upperBound
        return String(text[start...].prefix { $0 != "'" })
    }
}

extension Tensor {
    /// The same tensor under another name.
    func renamed(_ name: String) -> Tensor {
        var copy = self
        copy.name = name
        return copy
    }
}
