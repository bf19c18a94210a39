import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

struct SafetensorsWriterTests {
    private func tensor(_ name: String, _ dtype: DType, _ shape: Shape, fill: UInt8 = 1) -> Tensor {
        let count = try! shape.byteCount(of: dtype)
        return try! Tensor(name: name, dtype: dtype, shape: shape, data: Data(repeating: fill, count: count))
    }

    @Test func emptyCollectionIsABraceHeaderPaddedToEightBytes() throws {
        let bytes = [UInt8](try SafetensorsWriter.serialize(try TensorCollection()))
        #expect(bytes == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
    }

    @Test func headerIsCompactJSONWithSortedMetadataFirst() throws {
        let collection = try TensorCollection(
            tensors: [tensor("w", .float16, [2]), tensor("ids", .int64, [1])], metadata: ["z": "1", "a": "q\""])
        let bytes = [UInt8](try SafetensorsWriter.serialize(collection))
        let expected =
            #"{"__metadata__":{"a":"q\"","z":"1"},"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"#
            + #""w":{"dtype":"F16","shape":[2],"data_offsets":[8,12]}}"#
        let padded = expected + String(repeating: " ", count: (8 - expected.utf8.count % 8) % 8)
        #expect(Array(bytes[8..<(8 + padded.utf8.count)]) == Array(padded.utf8))
        #expect(bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) } == padded.utf8.count)
        #expect(bytes.count == 8 + padded.utf8.count + 12)
    }

    @Test func tensorsAreOrderedByDTypeDescendingThenName() throws {
        let layout = try SafetensorsWriter.layout(
            for: [
                ("b", .bool, [1]), ("f32.b", .float32, [1]), ("u64", .uint64, [1]), ("f32.a", .float32, [1]),
                ("bf", .bfloat16, [1]), ("h", .float16, [1]), ("i8", .int8, [1]),
            ], metadata: [:])
        #expect(layout.entries.map(\.name) == ["u64", "f32.a", "f32.b", "bf", "h", "i8", "b"])
        #expect(layout.entries.map(\.dataOffsets) == [0..<8, 8..<12, 12..<16, 16..<18, 18..<20, 20..<21, 21..<22])
    }

    @Test(arguments: ["w", "__metadata__"])
    func layoutRejectsDuplicateOrReservedNames(name: String) {
        let error = #expect(throws: FormatError.self) {
            try SafetensorsWriter.layout(for: [("w", .uint8, [1]), (name, .float32, [1])], metadata: [:])
        }
        #expect(error?.code == .duplicateTensorName)
        #expect(error?.tensorName == name)
    }

    @Test func layoutRejectsTotalSizeThatOverflows() {
        let error = #expect(throws: FormatError.self) {
            try SafetensorsWriter.layout(for: [("a", .uint8, [Int.max]), ("b", .uint8, [1])], metadata: [:])
        }
        #expect(error?.code == .shapeOverflow)
    }

    @Test func layoutRejectsAShapeWhoseByteCountOverflows() {
        let error = #expect(throws: FormatError.self) {
            try SafetensorsWriter.layout(for: [("big", .float64, [1 << 61])], metadata: [:])
        }
        #expect(error?.code == .shapeOverflow)
        #expect(error?.tensorName == "big")
    }

    @Test func writeThenReadGivesBackTheCollection() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let original = try TensorCollection(
            tensors: [
                tensor("a", .float32, [2, 3], fill: 7), tensor("s", .int16, [], fill: 2), tensor("e", .uint8, [0]),
            ],
            metadata: ["format": "pt"])
        let path = folder.path("model.safetensors")
        try SafetensorsWriter.write(original, to: path)
        let read = try SafetensorsReader(path: path).readAll()
        #expect(read.metadata == original.metadata)
        #expect(Set(read.names) == Set(original.names))
        for tensor in original.tensors { #expect(read[tensor.name] == tensor) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try SafetensorsWriter.serialize(original)))
    }

    private struct StopWriting: Error {}

    @Test func streamingWriteThatThrowsMidwayLeavesNoFileAndNoTemporary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let layout = try SafetensorsWriter.layout(
            for: [("a", .float32, [4]), ("b", .float32, [4]), ("c", .float32, [4])], metadata: [:])
        var asked: [String] = []
        #expect(throws: StopWriting.self) {
            try SafetensorsWriter.write(layout, to: folder.path("out.safetensors")) { entry in
                asked.append(entry.name)
                if entry.name == "b" { throw StopWriting() }
                return Data(count: 16)
            }
        }
        #expect(asked == ["a", "b"])
        #expect(try folder.contents() == [])
    }

    @Test func streamingWriteThatFailsKeepsThePreviousFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.safetensors")
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        let layout = try SafetensorsWriter.layout(for: [("a", .float32, [4])], metadata: [:])
        #expect(throws: StopWriting.self) {
            try SafetensorsWriter.write(layout, to: path) { _ in throw StopWriting() }
        }
        #expect(try folder.contents() == ["out.safetensors"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("previous".utf8))
    }

    @Test func streamingWriteRejectsAWrongByteCountAndLeavesNoFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let layout = try SafetensorsWriter.layout(for: [("a", .float32, [4])], metadata: [:])
        let error = #expect(throws: FormatError.self) {
            try SafetensorsWriter.write(layout, to: folder.path("out.safetensors")) { _ in Data(count: 15) }
        }
        #expect(error?.code == .byteCountMismatch)
        #expect(error?.tensorName == "a")
        #expect(error?.message.contains("15 bytes") == true)
        #expect(error?.message.contains("16") == true)
        #expect(try folder.contents() == [])
    }

    @Test func streamingWriteAsksForEachTensorOnceInLayoutOrder() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let layout = try SafetensorsWriter.layout(
            for: [("z", .uint8, [2]), ("a", .uint8, [1]), ("m", .float32, [1])], metadata: [:])
        var asked: [String] = []
        let path = folder.path("out.safetensors")
        try SafetensorsWriter.write(layout, to: path) { entry in
            asked.append(entry.name)
            return Data(repeating: UInt8(asked.count), count: entry.dataOffsets.count)
        }
        #expect(asked == ["m", "a", "z"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == layout.fileByteCount)
        #expect(Array(bytes.suffix(7)) == [1, 1, 1, 1, 2, 3, 3])
    }
}
