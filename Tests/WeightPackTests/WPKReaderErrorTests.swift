import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// One test per header and checksum error of ``WPKReader`` (docs/FORMAT.md §2–3), each on a valid file with
/// one defect.
struct WPKReaderErrorTests {
    /// Writes a valid three-tensor file, applies `edit` to its bytes, and returns the error opening it throws.
    private func openError(_ edit: (inout [UInt8]) throws -> Void) throws -> (FormatError?, path: String) {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        try WPKSurgery.editBytes(ofFileAt: path, edit)
        let error = #expect(throws: FormatError.self) { try WPKReader(path: path) }
        #expect(error?.path == path)
        return (error, path)
    }

    @Test(arguments: [0, 1, 8, 63])
    func readerRejectsAFileShorterThanTheHeader(size: Int) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("short.wpk")
        let full: [UInt8] = [0x89, 0x57, 0x50, 0x4B, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 56)
        try Data(full.prefix(size)).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: FormatError.self) { try WPKReader(path: path) }
        #expect(error?.code == .fileTooSmall)
        #expect(error?.message.contains("\(size) bytes") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("64-byte header") == true)
    }

    @Test func readerRejectsBadMagic() throws {
        let (error, _) = try openError { $0[1] = UInt8(ascii: "w") }
        #expect(error?.code == .badMagic)
        #expect(error?.byteOffset == 0)
        #expect(error?.message.contains("89 57 50 4B 0D 0A 1A 0A") == true)
    }

    @Test func readerRejectsMagicDamagedByLineEndingConversion() throws {
        // \r\n → \n, as a text-mode transfer would do: every later byte shifts by one.
        let (error, _) = try openError { $0.remove(at: 4) }
        #expect(error?.code == .badMagic)
    }

    /// Version 1 files (stages stored without a section table) and a future version 3 are both refused.
    @Test(arguments: [UInt8(1), 3])
    func readerRejectsAnotherMajorVersionNamingBothVersions(major: UInt8) throws {
        let (error, _) = try openError { $0[8] = major }
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.byteOffset == 8)
        let message = error?.message ?? ""
        #expect(message.contains("\(major)."), "\(message)")
        #expect(message.contains("2.x"), "\(message)")
    }

    @Test func readerAcceptsANewerMinorVersion() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        try WPKSurgery.editBytes(ofFileAt: path) { $0[10] = 7 }
        let reader = try WPKReader(path: path)
        #expect(reader.header.minorVersion == 7)
        #expect(reader.index.tensors.count == 3)
    }

    @Test(arguments: [UInt64(1 << 30) + 1, UInt64.max])
    func readerRejectsAnIndexLongerThan1GiB(length: UInt64) throws {
        let (error, _) = try openError { WPKSurgery.setUInt64(length, in: &$0, at: 24) }
        #expect(error?.code == .headerTooLarge)
        #expect(error?.byteOffset == 24)
        #expect(error?.message.contains(String(length)) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(String(1 << 30)) == true)
    }

    @Test func readerRejectsATruncatedFile() throws {
        let (error, _) = try openError { $0.removeLast() }
        #expect(error?.code == .headerPastEnd)
        #expect(error?.byteOffset == 16)
        #expect(error?.message.contains("does not end the file") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsATrailingByteAfterTheIndex() throws {
        var size = 0
        let (error, _) = try openError {
            $0.append(0x0A)
            size = $0.count
        }
        #expect(error?.code == .headerPastEnd)
        #expect(error?.message.contains("\(size) bytes") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [UInt64(0), 32, 63, UInt64.max, UInt64(Int.max)])
    func readerRejectsAnIndexOffsetOutsideTheFile(offset: UInt64) throws {
        let (error, _) = try openError { WPKSurgery.setUInt64(offset, in: &$0, at: 16) }
        #expect(error?.code == .headerPastEnd)
    }

    @Test func readerRejectsAFlippedByteInTheIndex() throws {
        var indexOffset = 0
        let (error, _) = try openError {
            indexOffset = WPKSurgery.indexOffset($0)
            $0[indexOffset + 20] ^= 0x01
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.byteOffset == indexOffset)
        #expect(error?.message.contains("index checksum") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsAFlippedByteInTheHeaderChecksum() throws {
        let (error, _) = try openError { $0[39] ^= 0x80 }
        #expect(error?.code == .checksumMismatch)
    }

    @Test func readerRejectsAnIndexThatIsNotJSON() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        try WPKSurgery.editBytes(ofFileAt: path) { bytes in
            let offset = WPKSurgery.indexOffset(bytes)
            let garbage = Array("{\"tensors\": [".utf8)
            bytes.replaceSubrange(offset..., with: garbage)
            WPKSurgery.setUInt64(UInt64(garbage.count), in: &bytes, at: 24)
            WPKSurgery.setUInt64(Checksum.xxh3(garbage), in: &bytes, at: 32)
        }
        let error = #expect(throws: FormatError.self) { try WPKReader(path: path) }
        #expect(error?.code == .invalidJSON)
    }

    @Test func aDamagedSegmentFailsOnlyThatTensor() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        let path = folder.path("model.wpk")
        let tensors = try TestTensors.smallModel()
        try TestTensors.writeSafetensors(tensors, to: input)
        try Packer.pack(
            inputPath: input, outputPath: path, options: PackOptions(quantization: .int8, codec: .zstd(level: 3)))
        let damaged = try #require(
            try WPKReader(path: path).index.tensors.first { $0.name == "embeddings.position_ids" })
        try WPKSurgery.editBytes(ofFileAt: path) { $0[damaged.offset + damaged.length / 2] ^= 0x10 }

        let reader = try WPKReader(path: path)  // opening checks the index only
        let error = #expect(throws: FormatError.self) { try reader.verifiedStoredBytes(of: damaged) }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.tensorName == "embeddings.position_ids")
        #expect(error?.byteOffset == damaged.offset)
        #expect(error?.description.contains("tensor 'embeddings.position_ids'") == true)

        let source = try WPKSource(path: path)
        for info in source.tensorInfos {
            if info.name == damaged.name {
                let wrapped = #expect(throws: WeightPackError.self) { try source.decodedTensor(info) }
                #expect((wrapped?.underlying as? FormatError)?.code == .checksumMismatch)
                #expect(wrapped?.description.contains("embeddings.position_ids") == true)
            } else {
                let decoded = try source.decodedTensor(info)
                #expect(decoded.shape == info.shape, "\(info.name) still decodes")
            }
        }
    }

    /// Mutation smoke test: damaging any field the reader checks makes opening throw, never trap.
    @Test func everyCheckedHeaderByteAndEveryIndexByteIsGuarded() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let indexOffset = WPKSurgery.indexOffset(original)
        // Magic, major version, index offset, length and checksum; then every byte of the index.
        let positions = Array(0..<10) + Array(16..<40) + Array(indexOffset..<original.count)
        let mutated = folder.path("mutated.wpk")
        for position in positions {
            for bit in [0, 7] {
                var bytes = original
                bytes[position] ^= 1 << bit
                try Data(bytes).write(to: URL(fileURLWithPath: mutated))
                #expect(throws: FormatError.self, "byte \(position) bit \(bit)") { try WPKReader(path: mutated) }
            }
        }
    }

    /// Mutation smoke test: every truncation of a valid file is refused.
    @Test func everyTruncationIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let truncated = folder.path("truncated.wpk")
        for size in stride(from: 0, to: original.count, by: 7) {
            try Data(original.prefix(size)).write(to: URL(fileURLWithPath: truncated))
            let error = #expect(throws: FormatError.self, "size \(size)") { try WPKReader(path: truncated) }
            #expect(
                error.map { [.fileTooSmall, .headerPastEnd].contains($0.code) } == true,
                "size \(size): \(String(describing: error))")
        }
    }
}
