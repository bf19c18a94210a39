import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// The golden files gguf-py wrote (fixtures/make_gguf_fixtures.py): every field must read as gguf-py read it,
/// and our writer must reproduce each file byte for byte from what our reader found.
struct GGUFGoldenTests {
    static let names = ["golden.gguf", "aligned64.gguf"]

    @Test(arguments: names)
    func readerFindsTheHeaderGGUFPyFound(name: String) throws {
        let golden = try GGUFGolden.file(name)
        let reader = try GGUFReader(path: Fixtures.url(golden.relativePath).path)
        #expect(reader.version == golden.version)
        #expect(reader.alignment == golden.alignment)
        #expect(reader.dataStart == golden.dataOffset)
        #expect(reader.file.byteCount == golden.fileSize)
    }

    @Test(arguments: names)
    func readerFindsEveryMetadataValueOfEveryType(name: String) throws {
        let golden = try GGUFGolden.file(name)
        let reader = try GGUFReader(path: Fixtures.url(golden.relativePath).path)
        #expect(reader.metadata.map(\.key) == golden.metadata.map(\.key))
        for (found, expected) in zip(reader.metadata, golden.metadata) {
            #expect(found.value == (try expected.value.gguf()), "\(found.key)")
        }
    }

    @Test func goldenMetadataCoversEveryValueTypeAndNestedArrays() throws {
        let reader = try GGUFReader(path: Fixtures.url("gguf/valid/golden.gguf").path)
        let types = Set(reader.metadata.map(\.value.type.rawValue))
        #expect(types == Set(0...12))
        let elementTypes = Set(
            reader.metadata.compactMap { entry -> UInt32? in
                guard case .array(let elementType, _) = entry.value else { return nil }
                return elementType.rawValue
            })
        #expect(elementTypes == Set(0...12))
        #expect(reader.value(forKey: "test.array.nested3_float32")?.arrayDepth == 3)
        #expect(
            reader.value(forKey: "test.array.nested_int32")
                == .array(
                    elementType: .array,
                    [
                        .array(elementType: .int32, [.int32(1), .int32(2)]), .array(elementType: .int32, [.int32(3)]),
                        .array(elementType: .int32, [.int32(4), .int32(5), .int32(6)]),
                    ]))
        #expect(reader.value(forKey: "test.string.empty") == .string(""))
        #expect(reader.value(forKey: "test.float32.negative_zero") == .float32(-0.0))
        #expect(reader.value(forKey: "test.float32.negative_zero") != .float32(0.0))
    }

    @Test(arguments: names)
    func readerFindsEveryTensorInfoAndItsStoredBytes(name: String) throws {
        let golden = try GGUFGolden.file(name)
        let reader = try GGUFReader(path: Fixtures.url(golden.relativePath).path)
        #expect(reader.tensors.map(\.name) == golden.tensors.map(\.name))
        for (info, expected) in zip(reader.tensors, golden.tensors) {
            #expect(info.type.name == expected.type, "\(info.name)")
            #expect(info.type.rawValue == expected.typeID, "\(info.name)")
            #expect(info.dimensions == expected.ne, "\(info.name)")
            #expect(info.shape.dimensions == expected.ne.reversed(), "\(info.name)")
            #expect(info.offset == expected.offset, "\(info.name)")
            #expect(info.byteCount == expected.byteCount, "\(info.name)")
            #expect(GGUFHex.string(reader.storedBytes(of: info)) == expected.bytesHex, "\(info.name)")
        }
    }

    @Test func goldenTensorsCoverEveryDecodableTypeAndAnUnsupportedOne() throws {
        let reader = try GGUFReader(path: Fixtures.url("gguf/valid/golden.gguf").path)
        let types = Set(reader.tensors.map(\.type))
        #expect(types.isSuperset(of: [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_k, .i32]))
        let gate = try #require(reader.tensor(named: "blk.0.ffn_gate.weight"))
        #expect(gate.type.name == "Q4_K")
        #expect(gate.shape == [1, 256])
    }

    @Test func plainTypedTensorsBecomeRowMajorTensorsSharingTheFile() throws {
        let reader = try GGUFReader(path: Fixtures.url("gguf/valid/golden.gguf").path)
        let embedding = try reader.tensor(try #require(reader.tensor(named: "token_embd.weight")))
        #expect(embedding.dtype == .float32)
        #expect(embedding.shape == [3, 4])
        let scalar = try reader.tensor(try #require(reader.tensor(named: "temperature")))
        #expect(scalar.shape == [])
        #expect(try scalar.float32Values() == [0.7])
        let positions = try reader.tensor(try #require(reader.tensor(named: "positions")))
        #expect(positions.dtype == .int32)
        let error = #expect(throws: FormatError.self) {
            try reader.tensor(try #require(reader.tensor(named: "blk.0.attn_q.weight")))
        }
        #expect(error?.code == .unknownDType)
        #expect(error?.message.contains("Q8_0") == true)
    }

    @Test(arguments: names)
    func writerReproducesTheGoldenFileByteForByte(name: String) throws {
        let golden = try GGUFGolden.file(name)
        let path = Fixtures.url(golden.relativePath).path
        let reader = try GGUFReader(path: path)
        let written = try GGUFWriter.serialize(
            metadata: reader.metadata,
            tensors: reader.tensors.map { ($0.name, $0.shape, $0.type, reader.storedBytes(of: $0)) })
        #expect(written == reader.file.bytes)
    }

    @Test func typeTableMatchesGGUFPy() throws {
        let golden = try GGUFGolden.load()
        var ids: [UInt32] = []
        for row in golden.ggmlTypes {
            guard row.count == 4, case .number(let id) = row[0], case .text(let name) = row[1],
                case .number(let blockSize) = row[2], case .number(let bytesPerBlock) = row[3]
            else {
                Issue.record("malformed row \(row)")
                continue
            }
            let type = GGMLType(rawValue: UInt32(id))
            #expect(type.name == name)
            #expect(type.blockSize == blockSize, "\(name)")
            #expect(type.bytesPerBlock == bytesPerBlock, "\(name)")
            #expect(GGMLType(name: name) == type)
            ids.append(UInt32(id))
        }
        #expect(GGMLType.allKnown.map(\.rawValue) == ids)
    }

    @Test(arguments: [UInt32(4), 5, 31, 36, 42, 99, .max])
    func unknownTypeIdsAreRepresentableButUnsized(id: UInt32) {
        let type = GGMLType(rawValue: id)
        #expect(type.name == "type \(id)")
        #expect(type.blockSize == nil)
        #expect(type.bytesPerBlock == nil)
        #expect(!type.isKnown)
        #expect(type.byteCount(elementCount: 32) == nil)
    }
}
