import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// Seeded random files through the writer and back through the reader, and mutated golden files through the
/// reader: every mutation must parse or throw a FormatError, never trap.
struct GGUFRoundTripTests {
    /// A random value of `type` (arrays nest up to `depth` more levels).
    private static func randomValue(_ type: GGUFValueType, depth: Int, _ generator: inout SplitMix64) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(generator.byte())
        case .int8: return .int8(Int8(truncatingIfNeeded: generator.next()))
        case .uint16: return .uint16(UInt16(truncatingIfNeeded: generator.next()))
        case .int16: return .int16(Int16(truncatingIfNeeded: generator.next()))
        case .uint32: return .uint32(UInt32(truncatingIfNeeded: generator.next()))
        case .int32: return .int32(Int32(truncatingIfNeeded: generator.next()))
        case .float32: return .float32(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())))
        case .bool: return .bool(generator.int(below: 2) == 1)
        case .uint64: return .uint64(generator.next())
        case .int64: return .int64(Int64(bitPattern: generator.next()))
        case .float64: return .float64(Double(bitPattern: generator.next()))
        case .string:
            let alphabet = ["a", "Z", "0", ".", " ", "é", "ñ", "🙂", "\n", "\"", "\u{0}"]
            return .string(
                (0..<generator.int(below: 12)).map { _ in alphabet[generator.int(below: alphabet.count)] }.joined())
        default:
            let elementType = GGUFValueType(rawValue: UInt32(generator.int(below: depth > 0 ? 13 : 9)))
            let resolved: GGUFValueType = elementType == .array && depth == 0 ? .string : elementType
            let count = generator.int(below: 6)
            return .array(
                elementType: resolved,
                (0..<count).map { _ in randomValue(resolved, depth: depth - 1, &generator) })
        }
    }

    private static let tensorTypes: [GGMLType] = [
        .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_k, .i8, .f64,
    ]

    private static func randomFile(seed: UInt64) throws -> (
        metadata: [(key: String, value: GGUFValue)],
        tensors: [(name: String, shape: Shape, type: GGMLType, bytes: Data)]
    ) {
        var generator = SplitMix64(seed: seed)
        var metadata: [(key: String, value: GGUFValue)] = []
        if generator.int(below: 2) == 0 {
            metadata.append(("general.alignment", .uint32(1 << UInt32(generator.int(below: 9)))))
        }
        for index in 0..<generator.int(below: 10) {
            let type = GGUFValueType(rawValue: UInt32(generator.int(below: 13)))
            metadata.append(("key.\(index).\(type.name)", randomValue(type, depth: 3, &generator)))
        }
        var tensors: [(name: String, shape: Shape, type: GGMLType, bytes: Data)] = []
        for index in 0..<generator.int(below: 7) {
            let type = tensorTypes[generator.int(below: tensorTypes.count)]
            var dimensions = (0..<generator.int(below: 5)).map { _ in generator.int(below: 4) }
            if !dimensions.isEmpty { dimensions[dimensions.count - 1] *= type.blockSize ?? 1 }
            if dimensions.isEmpty && type.blockSize != 1 { dimensions = [type.blockSize ?? 1] }
            let shape = Shape(dimensions)
            let count = try #require(type.byteCount(elementCount: try shape.elementCount()))
            let bytes = Data((0..<count).map { _ in generator.byte() })
            tensors.append(("t\(index).\(type.name.lowercased())", shape, type, bytes))
        }
        return (metadata, tensors)
    }

    @Test(arguments: 0..<200)
    func randomFilesReadBackExactly(seed: Int) throws {
        let file = try Self.randomFile(seed: UInt64(seed))
        let data = try GGUFWriter.serialize(metadata: file.metadata, tensors: file.tensors)
        let header = try GGUFHeader.parse(data)
        #expect(header.version == 3)
        #expect(header.metadata.map(\.key) == file.metadata.map(\.key))
        #expect(header.metadata.map(\.value) == file.metadata.map(\.value))
        #expect(header.tensors.map(\.name) == file.tensors.map(\.name))
        var expectedOffset = 0
        for (info, tensor) in zip(header.tensors, file.tensors) {
            #expect(info.shape == tensor.shape)
            #expect(info.type == tensor.type)
            #expect(info.offset == expectedOffset, "llama.cpp wants each tensor right after the previous padding")
            let start = header.dataStart + info.offset
            #expect(data[start..<(start + info.byteCount)] == tensor.bytes)
            expectedOffset += (info.byteCount + header.alignment - 1) / header.alignment * header.alignment
        }
        #expect(data.count == header.dataStart + expectedOffset)
    }

    @Test(arguments: 0..<20)
    func rewritingWhatWasReadReproducesTheFile(seed: Int) throws {
        let file = try Self.randomFile(seed: UInt64(1000 + seed))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("round.gguf")
        try GGUFWriter.write(metadata: file.metadata, tensors: file.tensors, to: path)
        let reader = try GGUFReader(path: path)
        let again = try GGUFWriter.serialize(
            metadata: reader.metadata,
            tensors: reader.tensors.map { ($0.name, $0.shape, $0.type, reader.storedBytes(of: $0)) })
        #expect(again == reader.file.bytes)
    }

    @Test func mutatedGoldenFilesParseOrThrowButNeverCrash() throws {
        let golden = try Fixtures.bytes("gguf/valid/golden.gguf")
        let dataStart = try GGUFHeader.parse(golden).dataStart
        var generator = SplitMix64(seed: 2025)
        var accepted = 0
        var rejections: [FormatError.Code: Int] = [:]
        for _ in 0..<2000 {
            var bytes = golden
            for _ in 0..<(generator.int(below: 3) + 1) {
                guard !bytes.isEmpty else { break }
                let inHeader = generator.int(below: 10) < 9
                let position = generator.int(below: inHeader ? min(dataStart, bytes.count) : bytes.count)
                switch generator.int(below: 6) {
                case 0: bytes[position] ^= 1 << UInt8(generator.int(below: 8))
                case 1: bytes[position] = generator.byte()
                case 2: bytes.insert(generator.byte(), at: position)
                case 3: bytes.remove(at: position)
                case 4: bytes[position] = [0x00, 0xFF, 0x7F, 0x80][generator.int(below: 4)]
                default: bytes.removeSubrange(position...)
                }
            }
            let header: GGUFHeader
            do throws(FormatError) {
                header = try GGUFHeader.parse(bytes)
            } catch {
                rejections[error.code, default: 0] += 1
                continue
            }
            for info in header.tensors {
                let start = header.dataStart + info.offset
                #expect(start + info.byteCount <= bytes.count, "\(info.name)")
            }
            accepted += 1
        }
        #expect(accepted + rejections.values.reduce(0, +) == 2000)
        #expect(accepted > 0, "no mutation survived; the test only exercises rejection")
        #expect(rejections.count >= 6, "rejections: \(rejections)")
    }

    @Test func truncatingTheGoldenAtEveryLengthThrowsAFormatError() throws {
        let golden = try Fixtures.bytes("gguf/valid/golden.gguf")
        let lastTensorEnd = try GGUFHeader.parse(golden).dataStart + 776
        var codes = Set<FormatError.Code>()
        for length in 0..<lastTensorEnd {
            let error = #expect(throws: FormatError.self) { try GGUFHeader.parse(Array(golden.prefix(length))) }
            if let error { codes.insert(error.code) }
        }
        #expect(codes == [.fileTooSmall, .headerPastEnd, .offsetsOutOfBounds])
        // The zero padding after the last tensor may go: the data all lies before it.
        _ = try GGUFHeader.parse(Array(golden.prefix(lastTensorEnd)))
    }
}
