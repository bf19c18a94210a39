import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// The compatibility proof for `.npz`: archives from `np.savez` and `np.savez_compressed` (numpy 2.4,
/// fixtures/make_npy_fixtures.py) read as `np.load` reads them, and archives numpy cannot have meant as
/// arrays are refused with the member named.
struct NPZGoldenTests {
    static let archives = ["savez.npz", "savez_compressed.npz"]

    private func openError(_ relative: String, limit: Int = 1 << 36) throws -> FormatError {
        try #require(throws: FormatError.self) {
            try NPZReader(path: Fixtures.url(relative).path, maximumUncompressedByteCount: limit)
        }
    }

    /// Writes `bytes` to a temporary archive and opens it.
    private func open(_ bytes: [UInt8], limit: Int = 1 << 36) throws -> (NPZReader, TemporaryDirectory) {
        let folder = try TemporaryDirectory()
        let path = folder.path("patched.npz")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do { return (try NPZReader(path: path, maximumUncompressedByteCount: limit), folder) } catch {
            folder.remove()
            throw error
        }
    }

    @Test(arguments: archives)
    func readerListsMembersInArchiveOrderWithTheirHeaders(file: String) throws {
        let golden = try NPZGolden.archive(file)
        let reader = try NPZReader(path: Fixtures.url("npz/valid/" + file).path)
        #expect(reader.entries.map(\.name) == golden.members.map(\.name))
        #expect(reader.entries.map(\.name).contains("nested/dir/ids"))
        #expect(reader.entries.map(\.name).contains("ñandú"))
        #expect(reader.entries.map(\.name).last == "arr_0")
        for (entry, member) in zip(reader.entries, golden.members) {
            #expect(entry.isCompressed == golden.compressed, "\(entry.name)")
            #expect(entry.header.shape.dimensions == member.shape, "\(entry.name)")
            #expect(entry.uncompressedByteCount == entry.header.dataOffset + member.hex.count / 2, "\(entry.name)")
            if !golden.compressed { #expect(entry.compressedByteCount == entry.uncompressedByteCount) }
        }
        #expect(reader.entries.first { $0.name == "big_endian" }?.header.isBigEndian == true)
        #expect(reader.entries.first { $0.name == "fortran" }?.header.fortranOrder == true)
    }

    @Test(arguments: archives)
    func readerReturnsNumpysValuesForEveryMember(file: String) throws {
        let reader = try NPZReader(path: Fixtures.url("npz/valid/" + file).path)
        let collection = try reader.readAll()
        #expect(collection == (try NPZGolden.collection(file)))
        #expect(collection.tensors.count == 10)
    }

    @Test func storedLittleEndianMembersAreSlicesOfTheMapping() throws {
        let path = Fixtures.url("npz/valid/savez.npz").path
        let reader = try NPZReader(path: path)
        let entry = try #require(reader.entries.first { $0.name == "layers.0.weight" })
        let tensor = try reader.tensor(entry)
        let file = try Fixtures.bytes("npz/valid/savez.npz")
        #expect(tensor.data.startIndex > entry.header.dataOffset)
        #expect(Array(file[tensor.data.startIndex..<tensor.data.endIndex]) == Array(tensor.data))
    }

    // MARK: refused archives

    @Test func memberThatIsNotAnNPYFileIsRefusedByName() throws {
        let error = try openError("npz/invalid/non_npy_member.npz")
        #expect(error.code == .unsupportedMember)
        #expect(error.message.contains("'notes.txt'"))
        #expect(error.path?.hasSuffix("non_npy_member.npz") == true)
    }

    @Test func duplicateMemberNamesAreRefused() throws {
        let error = try openError("npz/invalid/duplicate_member.npz")
        #expect(error.code == .duplicateTensorName)
        #expect(error.message.contains("'a.npy'"))
        #expect(error.tensorName == "a")
    }

    @Test func memberOfARefusedDTypeIsUnsupportedAndNamed() throws {
        let error = try openError("npz/invalid/object_member.npz")
        #expect(error.code == .unsupportedDType)
        #expect(error.tensorName == "objects")
        #expect(error.message.contains("member 'objects.npy'"))
        #expect(error.message.contains("'|O'"))
    }

    @Test(arguments: archives)
    func memberLargerThanTheLimitIsRefusedWithBothSizes(file: String) throws {
        let error = try openError("npz/valid/" + file, limit: 150)
        #expect(error.code == .sizeLimitExceeded)
        #expect(error.message.contains("'layers.0.weight.npy'"))
        #expect(error.message.contains("176 bytes"))
        #expect(error.message.contains("150"))
    }

    /// A zip bomb declares a huge uncompressed size; the reader refuses it from the directory alone. The
    /// member's deflate data is also destroyed here, so inflating anything first would fail differently.
    @Test func declaredSizeOverTheLimitIsRefusedBeforeInflating() throws {
        var bytes = try Fixtures.bytes("npz/valid/savez_compressed.npz")
        let entry = try #require(NPZGolden.directoryEntryOffsets(bytes).first)
        NPZGolden.setUInt32(0xFFFF_FFF0, at: entry + 24, in: &bytes)
        let dataStart = 30 + 19 + 20  // local header, "layers.0.weight.npy", ZIP64 extra field
        for index in dataStart..<(dataStart + 100) { bytes[index] = 0xFF }
        let error = try #require(throws: FormatError.self) { try open(bytes, limit: 1 << 30) }
        #expect(error.code == .sizeLimitExceeded)
        #expect(error.message.contains("4294967280"))
    }

    @Test func declaredSizeBeyondDeflatesLargestExpansionIsRefusedBeforeInflating() throws {
        var bytes = try Fixtures.bytes("npz/valid/savez_compressed.npz")
        let entry = try #require(NPZGolden.directoryEntryOffsets(bytes).first)
        NPZGolden.setUInt32(0xFFFF_FFF0, at: entry + 24, in: &bytes)
        // Under the default 64 GiB limit, but a few hundred deflated bytes cannot inflate to 4 GiB.
        let error = try #require(throws: FormatError.self) { try open(bytes) }
        #expect(error.code == .sizeLimitExceeded)
        #expect(error.message.contains("declares 4294967280 bytes uncompressed from"))
        #expect(error.message.contains("at most 1032-fold"))
        #expect(error.tensorName == "layers.0.weight")
    }

    @Test(arguments: archives)
    func declaredSizeDifferentFromTheHeadersIsRefused(file: String) throws {
        var bytes = try Fixtures.bytes("npz/valid/" + file)
        let entry = try #require(NPZGolden.directoryEntryOffsets(bytes).first)
        let declared = NPZGolden.uint32(at: entry + 24, in: bytes)
        NPZGolden.setUInt32(declared + 64, at: entry + 24, in: &bytes)
        let error = try #require(throws: FormatError.self) { try open(bytes) }
        if file == "savez.npz" {
            #expect(error.code == .corruptIndex)  // a stored member's sizes must agree
            #expect(error.message.contains("occupies 176 bytes but declares 240"))
        } else {
            #expect(error.code == .byteCountMismatch)
            #expect(error.message.contains("holds 112 bytes"))
            #expect(error.message.contains("needs 48"))
        }
        #expect(error.tensorName == "layers.0.weight")
    }

    @Test func headerErrorInAStoredMemberCarriesItsOffsetInTheArchive() throws {
        var bytes = try Fixtures.bytes("npz/valid/savez.npz")
        let dataStart = 30 + 19 + 20  // local header, "layers.0.weight.npy", ZIP64 extra field
        #expect(bytes[dataStart + 22] == UInt8(ascii: "f"))
        bytes[dataStart + 22] = UInt8(ascii: "c")  // '<f4' becomes '<c4'
        let error = try #require(throws: FormatError.self) { try open(bytes) }
        #expect(error.code == .unsupportedDType)
        #expect(error.message.hasPrefix("member 'layers.0.weight.npy': dtype '<c4' (complex)"))
        #expect(error.byteOffset == dataStart + 20)
    }

    @Test func storedMemberWithAFlippedDataByteFailsItsChecksum() throws {
        var bytes = try Fixtures.bytes("npz/valid/savez.npz")
        bytes[30 + 19 + 20 + 128 + 5] ^= 0x01  // inside layers.0.weight's elements
        let (reader, folder) = try open(bytes)
        defer { folder.remove() }
        let error = try #require(throws: FormatError.self) { try reader.tensor(reader.entries[0]) }
        #expect(error.code == .checksumMismatch)
        #expect(error.message.contains("'layers.0.weight.npy'"))
        #expect(try reader.tensor(reader.entries[1]).name == "layers.0.bias")
    }

    @Test func entryFromAnotherArchiveIsRefused() throws {
        let stored = try NPZReader(path: Fixtures.url("npz/valid/savez.npz").path)
        let deflated = try NPZReader(path: Fixtures.url("npz/valid/savez_compressed.npz").path)
        let error = try #require(throws: FormatError.self) { try stored.tensor(deflated.entries[0]) }
        #expect(error.code == .invalidTensorInfo)
    }

    @Test(
        arguments: [
            ([UInt8](), FormatError.Code.fileTooSmall),
            (Array("not a zip archive at all, just text".utf8), .badMagic),
            ([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18), nil),
        ] as [([UInt8], FormatError.Code?)])
    func nonArchivesAndEmptyArchivesAreHandled(bytes: [UInt8], code: FormatError.Code?) throws {
        if let code {
            let error = try #require(throws: FormatError.self) { try open(bytes) }
            #expect(error.code == code)
        } else {
            let (reader, folder) = try open(bytes)
            defer { folder.remove() }
            #expect(reader.entries.isEmpty)
            #expect(try reader.readAll().tensors.isEmpty)
        }
    }
}
