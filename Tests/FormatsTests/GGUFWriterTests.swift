import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// The writer's layout rules (llama.cpp's loader wants each tensor right after the previous one's padding) and
/// each error it reports.
struct GGUFWriterTests {
    private func f32(_ name: String, _ shape: Shape) -> (name: String, shape: Shape, type: GGMLType, bytes: Data) {
        (name, shape, .f32, Data(count: (try? shape.elementCount()).map { $0 * 4 } ?? 0))
    }

    @Test func headerFieldsAreLaidOutAsTheSpecSays() throws {
        let bytes = [UInt8](try GGUFWriter.serialize(metadata: [("a", .uint8(7))], tensors: [f32("w", [2, 1])]))
        let expected: [UInt8] =
            Array("GGUF".utf8) + GGUFBytes.u32(3) + GGUFBytes.u64(1) + GGUFBytes.u64(1)
            + GGUFBytes.string("a") + GGUFBytes.u32(0) + [7]
            + GGUFBytes.string("w") + GGUFBytes.u32(2) + GGUFBytes.u64(1) + GGUFBytes.u64(2) + GGUFBytes.u32(0)
            + GGUFBytes.u64(0)
        #expect(Array(bytes.prefix(expected.count)) == expected)
        #expect(bytes.count == 128)  // 79 header bytes padded to 96, then 8 data bytes padded to 32
        #expect(bytes[79..<96].allSatisfy { $0 == 0 })
    }

    @Test func eachTensorStartsAtTheNextMultipleOfTheAlignmentAndTheLastIsPadded() throws {
        let tensors = [f32("a", [3]), f32("b", [5]), f32("c", []), f32("d", [0]), f32("e", [9])]
        let layout = try GGUFWriter.layout(metadata: [], tensors: tensors.map { ($0.name, $0.shape, $0.type) })
        #expect(layout.alignment == 32)
        #expect(layout.tensors.map(\.offset) == [0, 32, 64, 96, 96])
        #expect(layout.dataStart % 32 == 0)
        #expect(layout.fileByteCount == layout.dataStart + 96 + 64)
        let data = try GGUFWriter.serialize(metadata: [], tensors: tensors)
        #expect(data.count == layout.fileByteCount)
        #expect(data.suffix(64 - 36).allSatisfy { $0 == 0 })
    }

    @Test func customAlignmentComesFromTheMetadata() throws {
        let layout = try GGUFWriter.layout(
            metadata: [("general.alignment", .uint32(128))], tensors: [("a", [1], .f32), ("b", [1], .f32)])
        #expect(layout.alignment == 128)
        #expect(layout.dataStart % 128 == 0)
        #expect(layout.tensors.map(\.offset) == [0, 128])
        #expect(layout.fileByteCount == layout.dataStart + 256)
    }

    @Test func shapesAreStoredInGGMLOrder() throws {
        let layout = try GGUFWriter.layout(metadata: [], tensors: [("q", [3, 2, 64], .q8_0)])
        #expect(layout.tensors[0].dimensions == [64, 2, 3])
        #expect(layout.tensors[0].shape == [3, 2, 64])
        #expect(layout.tensors[0].byteCount == 3 * 2 * 2 * 34)
    }

    @Test func emptyStringsAndEmptyArraysAreWritten() throws {
        let metadata: [(key: String, value: GGUFValue)] = [
            ("empty", .string("")), ("none", .array(elementType: .int32, [])),
        ]
        let header = try GGUFHeader.parse(try GGUFWriter.serialize(metadata: metadata, tensors: []))
        #expect(header.metadata.map(\.key) == ["empty", "none"])
        #expect(header.metadata.map(\.value) == metadata.map(\.value))
    }

    // MARK: errors

    private func layoutError(
        metadata: [(key: String, value: GGUFValue)] = [], tensors: [(name: String, shape: Shape, type: GGMLType)] = []
    ) throws -> FormatError {
        try #require(throws: FormatError.self) { try GGUFWriter.layout(metadata: metadata, tensors: tensors) }
    }

    @Test func repeatedKeyIsRefused() throws {
        let error = try layoutError(metadata: [("k", .uint8(1)), ("k", .uint8(2))])
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("'k'"))
    }

    @Test func arrayElementOfTheWrongTypeIsRefused() throws {
        let error = try layoutError(metadata: [("mixed", .array(elementType: .int32, [.int32(1), .uint8(2)]))])
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("element 1 of metadata key 'mixed' is a uint8 in an array of int32"))
    }

    @Test func arrayOfAnUndefinedTypeIsRefused() throws {
        let error = try layoutError(metadata: [("odd", .array(elementType: 13, []))])
        #expect(error.code == .invalidMetadata)
    }

    @Test func arraysNestedMoreThanEightDeepAreRefused() throws {
        var value = GGUFValue.uint8(1)
        for _ in 0..<8 { value = .array(elementType: value.type, [value]) }
        _ = try GGUFWriter.layout(metadata: [("ok", value)], tensors: [])
        let error = try layoutError(metadata: [("deep", .array(elementType: .array, [value]))])
        #expect(error.code == .nestingTooDeep)
    }

    @Test(arguments: [GGUFValue.uint32(0), .uint32(24), .uint64(32), .string("32")])
    func invalidAlignmentIsRefused(value: GGUFValue) throws {
        let error = try layoutError(metadata: [("general.alignment", value)])
        #expect(error.code == .invalidMetadata)
        #expect(error.message.contains("power of two"))
    }

    @Test func repeatedTensorNameIsRefused() throws {
        let error = try layoutError(tensors: [("w", [1], .f32), ("w", [2], .f16)])
        #expect(error.code == .duplicateTensorName)
        #expect(error.tensorName == "w")
    }

    @Test func moreThanFourDimensionsAreRefused() throws {
        let error = try layoutError(tensors: [("w", [1, 1, 1, 1, 1], .f32)])
        #expect(error.code == .invalidTensorInfo)
        #expect(error.message.contains("at most 4"))
    }

    @Test func lastDimensionNotAMultipleOfTheBlockSizeIsRefused() throws {
        let error = try layoutError(tensors: [("w", [32, 48], .q4_0)])
        #expect(error.code == .invalidTensorInfo)
        #expect(error.message.contains("ne[0] = 48"))
    }

    @Test func unknownTypeIsRefused() throws {
        let error = try layoutError(tensors: [("w", [32], GGMLType(rawValue: 4))])
        #expect(error.code == .unknownDType)
    }

    @Test func wrongByteCountIsRefusedAndLeavesNoFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.gguf")
        let error = try #require(throws: FormatError.self) {
            try GGUFWriter.write(metadata: [], tensors: [("w", [2], .f32, Data(count: 4))], to: path)
        }
        #expect(error.code == .byteCountMismatch)
        #expect(error.message.contains("4 bytes given"))
        #expect(error.message.contains("needs 8"))
        #expect(try folder.contents().isEmpty)
    }

    @Test func streamingWriteAsksForEachTensorInOrder() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.gguf")
        let layout = try GGUFWriter.layout(metadata: [], tensors: [("a", [1], .f32), ("b", [2], .f16)])
        var asked: [String] = []
        try GGUFWriter.write(layout, to: path) { info in
            asked.append(info.name)
            return Data(repeating: 0x3C, count: info.byteCount)
        }
        #expect(asked == ["a", "b"])
        let reader = try GGUFReader(path: path)
        #expect(reader.file.byteCount == layout.fileByteCount)
        #expect(reader.storedBytes(of: reader.tensors[1]) == Data(repeating: 0x3C, count: 4))
    }
}
